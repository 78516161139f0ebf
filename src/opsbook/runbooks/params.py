"""Typed runbook parameters: ``-p key=value`` strings in, checked values out.

Everything is validated before anything runs, and every problem is reported at once.
Secret values are wrapped in :class:`Secret` so that they print as ``********`` and are
removed from anything recorded (:meth:`ResolvedParams.redacted`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opsbook.errors import UsageError
from opsbook.runbooks.durations import format_duration, parse_duration

if TYPE_CHECKING:
    from opsbook.runbooks.model import Parameter, Runbook

REDACTED = "********"
#: What an Ansible host pattern may contain: names, groups, wildcards, ranges, :&! set operators, ~regex.
_HOST_PATTERN_RE = re.compile(r"^[A-Za-z0-9_.\-*?:,&!~\[\]^$()|\\]+$")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class ParamError(ValueError):
    """One parameter value is wrong; the message names the parameter and the fix."""


class Secret:
    """A secret value: never printed, never recorded. ``reveal()`` is the only way in."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return REDACTED

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


Value = str | int | bool | Secret


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``; a key given twice is an error."""
    result: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(
                f"-p {item!r} is not key=value", hint="write -p name=value, e.g. -p threshold=90"
            )
        if key in result:
            raise UsageError(f"parameter {key!r} given twice", hint="give each -p name=value once")
        result[key] = value
    return result


def _bounds(param: Parameter, name: str, number: int, unit: str = "") -> None:
    def show(bound: int) -> str:
        return format_duration(bound) if param.type.value == "duration" else f"{bound}{unit}"

    low = parse_duration(str(param.min)) if param.min is not None else None
    high = parse_duration(str(param.max)) if param.max is not None else None
    if low is not None and number < low:
        raise ParamError(f"{name}: {show(number)} is below the minimum {show(low)}")
    if high is not None and number > high:
        raise ParamError(f"{name}: {show(number)} is above the maximum {show(high)}")


def _regex(param: Parameter, name: str, text: str, shown: str) -> None:
    if param.regex is not None and not re.fullmatch(param.regex, text):
        raise ParamError(f"{name}: {shown} does not match {param.regex!r}")


def convert(name: str, param: Parameter, raw: str | int | bool) -> Value:
    """Check and convert one value; raises :class:`ParamError` naming the parameter and the fix."""
    kind = param.type.value
    text = str(raw).strip() if not isinstance(raw, bool) else str(raw).lower()
    if kind == "int":
        if isinstance(raw, bool) or not re.fullmatch(r"[+-]?\d+", text):
            raise ParamError(f"{name}: {raw!r} is not an integer")
        number = int(text)
        _bounds(param, name, number)
        return number
    if kind == "bool":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ParamError(f"{name}: {raw!r} is not a yes/no value; write true or false")
    if kind == "choice":
        choices = param.choices or []
        if text not in choices:
            close = difflib.get_close_matches(text, choices, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParamError(f"{name}: {raw!r} is not one of {', '.join(choices)}{hint}")
        return text
    if kind == "duration":
        try:
            seconds = parse_duration(text)
        except ValueError as exc:
            raise ParamError(f"{name}: {exc}") from None
        _bounds(param, name, seconds)
        return seconds
    if kind == "hosts":
        if not _HOST_PATTERN_RE.match(text):
            raise ParamError(
                f"{name}: {raw!r} is not an Ansible host pattern "
                "(names, groups, wildcards, ':', '&', '!' — no spaces)"
            )
        _regex(param, name, text, repr(text))
        return text
    if kind == "secret":
        value = str(raw)
        _regex(param, name, value, "the secret value")
        _bounds(param, name, len(value), " characters")
        return Secret(value)
    value = str(raw)
    _regex(param, name, value, repr(value))
    _bounds(param, name, len(value), " characters")
    return value


def check_default(name: str, param: Parameter) -> None:
    """A default must pass the parameter's own checks."""
    if param.default is not None:
        try:
            convert(name, param, param.default)
        except ParamError as exc:
            raise ParamError(f"the default does not pass its own checks: {exc}") from None


@dataclass(frozen=True)
class ResolvedParams:
    """Checked parameter values of one run (defaults applied)."""

    values: dict[str, Value]
    #: parameter name → playbook variable.
    variables: dict[str, str] = field(default_factory=dict)

    def extravars(self) -> dict[str, Any]:
        """What the playbook receives: plain values (secrets revealed) under their variable names."""
        return {
            self.variables.get(n, n): (v.reveal() if isinstance(v, Secret) else v)
            for n, v in self.values.items()
        }

    def redacted(self) -> dict[str, Any]:
        """What may be recorded: secrets replaced by ``********``."""
        return {n: (REDACTED if isinstance(v, Secret) else v) for n, v in self.values.items()}

    def secret_values(self) -> list[str]:
        return [v.reveal() for v in self.values.values() if isinstance(v, Secret) and v.reveal()]


def resolve_params(runbook: Runbook, given: Mapping[str, str]) -> ResolvedParams:
    """Check every given value, apply defaults, demand required ones; all problems at once."""
    errors: list[str] = []
    for key in given:
        if key not in runbook.parameters:
            close = difflib.get_close_matches(key, list(runbook.parameters), n=1)
            suggestion = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(runbook.parameters) or "none"
            errors.append(f"{key}: unknown parameter{suggestion}; this runbook takes: {known}")
    values: dict[str, Value] = {}
    for name, param in runbook.parameters.items():
        raw: str | int | bool | None = given.get(name)
        if raw is None:
            raw = param.default
        if raw is None:
            if param.required:
                errors.append(f"{name}: required ({param.help}); give -p {name}=…")
            continue
        try:
            values[name] = convert(name, param, raw)
        except ParamError as exc:
            errors.append(str(exc))
    if errors:
        raise UsageError(
            f"parameters of runbook {runbook.name} are not valid (nothing was run):\n"
            + "\n".join(f"  - {e}" for e in errors),
            hint=f"see `opsbook runbook show {runbook.name}` for every parameter",
        )
    variables = {n: (p.var or n) for n, p in runbook.parameters.items()}
    return ResolvedParams(values=values, variables=variables)
