"""The runbook format: what ``runbooks/NAME.yml`` may say, as pydantic models.

A runbook names a playbook, types its parameters, bounds its targets and declares its risk.
:mod:`opsbook.runbooks.loader` reads the YAML and turns validation errors into file:line
messages; this module holds only the shape and the rules between fields.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from opsbook.runbooks.durations import parse_duration

NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
PARAM_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


class Category(StrEnum):
    EMERGENCY = "emergency"
    CHANGE = "change"
    MAINTENANCE = "maintenance"
    AUDIT = "audit"


class Risk(StrEnum):
    """read-only: never changes a target. changing: check-mode plan + y/N first.
    destructive: plan + a typed confirmation (target count or environment name)."""

    READ_ONLY = "read-only"
    CHANGING = "changing"
    DESTRUCTIVE = "destructive"


class ParamType(StrEnum):
    STR = "str"
    INT = "int"
    BOOL = "bool"
    CHOICE = "choice"
    DURATION = "duration"
    HOSTS = "hosts"
    SECRET = "secret"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(Strict):
    """One typed parameter, given on the command line as ``-p name=value``."""

    type: ParamType
    help: str = Field(min_length=1)
    required: bool = False
    default: str | int | bool | None = None
    #: choice: the allowed values.
    choices: list[str] | None = None
    #: str / hosts: the whole value must match this regular expression.
    regex: str | None = None
    #: int: bounds of the value; duration: bounds as durations ("30s", "10m"); str: bounds of the length.
    min: int | str | None = None
    max: int | str | None = None
    #: the playbook variable this parameter sets (default: the parameter's name).
    var: str | None = None
    #: str: the value is a command the playbook runs on the target. The engine never gives it
    #: to a check-mode plan (a plan changes nothing and runs nothing a user supplied); it
    #: reaches the playbook only in the real run, after consent.
    command: bool = False

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"regex does not compile: {exc}") from exc
        return value

    @field_validator("var")
    @classmethod
    def _var_is_identifier(cls, value: str | None) -> str | None:
        if value is not None and not PARAM_NAME_RE.match(value):
            raise ValueError("var must be a lower-case Ansible variable name (a-z, 0-9, _)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        if self.type is ParamType.CHOICE and not self.choices:
            raise ValueError("a choice parameter needs `choices:` (a list of allowed values)")
        if self.type is not ParamType.CHOICE and self.choices is not None:
            raise ValueError("`choices:` is only for type: choice")
        if self.required and self.default is not None:
            raise ValueError("a parameter is either required or has a default, not both")
        if self.type is ParamType.SECRET and self.default is not None:
            raise ValueError("a secret parameter cannot have a default (it would live in the repository)")
        if self.command and self.type is not ParamType.STR:
            raise ValueError("`command: true` is only for str parameters")
        if self.regex is not None and self.type not in (ParamType.STR, ParamType.HOSTS, ParamType.SECRET):
            raise ValueError("`regex:` is only for str, hosts and secret parameters")
        for bound in (self.min, self.max):
            if bound is None:
                continue
            if self.type in (ParamType.INT, ParamType.STR, ParamType.SECRET) and not isinstance(bound, int):
                raise ValueError(f"min/max of a {self.type} parameter must be integers")
            if self.type is ParamType.DURATION:
                parse_duration(str(bound))
            if self.type in (ParamType.BOOL, ParamType.CHOICE, ParamType.HOSTS):
                raise ValueError(f"min/max do not apply to a {self.type} parameter")
        return self


class Targets(Strict):
    """Which hosts a runbook may touch."""

    #: the Ansible host pattern the playbook plays against (must equal the playbook's `hosts:`).
    pattern: str = Field(min_length=1)
    #: refuse to run on more hosts than this.
    max_hosts: int = Field(default=10, ge=1)
    #: refuse to run without --limit (so nobody hits a whole group by accident).
    require_limit: bool = False
    #: if set, refuse targets whose asset_environment is not listed.
    environments: list[str] | None = None


class Report(Strict):
    """Text for the service report; Jinja2 with ``params`` and ``targets`` in scope."""

    problem: str = Field(min_length=1)
    follow_up: str = ""


class Rollback(Strict):
    playbook: str = Field(min_length=1)
    help: str = ""


class Runbook(Strict):
    """``runbooks/NAME.yml``."""

    title: str = Field(min_length=1)
    category: Category
    summary: str = Field(min_length=1)
    playbook: str = Field(min_length=1)
    targets: Targets
    risk: Risk
    #: destructive runbooks: what the operator types to confirm.
    confirmation: Literal["count", "environment"] | None = None
    timeout: str = "15m"
    parameters: dict[Annotated[str, Field(pattern=PARAM_NAME_RE.pattern)], Parameter] = Field(
        default_factory=dict
    )
    rollback: Rollback | None = None
    #: the runbook's playbook reports verification via set_stats (opsbook.verified); required for emergency.
    verifies: bool = True
    report: Report
    #: filled by the loader, not written in the file.
    name: str = ""

    @field_validator("timeout")
    @classmethod
    def _timeout_is_duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Runbook:
        if self.risk is Risk.DESTRUCTIVE and self.confirmation is None:
            raise ValueError(
                "a destructive runbook needs `confirmation: count` or `confirmation: environment`"
            )
        if self.risk is not Risk.DESTRUCTIVE and self.confirmation is not None:
            raise ValueError("`confirmation:` is only for risk: destructive (changing runbooks ask y/N)")
        if self.risk is Risk.READ_ONLY and self.rollback is not None:
            raise ValueError("a read-only runbook has nothing to roll back; remove `rollback:`")
        variables = [p.var or n for n, p in self.parameters.items()]
        dupes = {v for v in variables if variables.count(v) > 1}
        if dupes:
            raise ValueError(f"two parameters set the same playbook variable: {', '.join(sorted(dupes))}")
        return self

    @property
    def timeout_seconds(self) -> int:
        return parse_duration(self.timeout)

    def secret_params(self) -> list[str]:
        return [n for n, p in self.parameters.items() if p.type is ParamType.SECRET]

    def summary_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "category": self.category.value,
            "risk": self.risk.value,
            "playbook": self.playbook,
        }
