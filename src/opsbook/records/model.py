"""The run record: ``.opsbook/runs/<id>/record.json``, the evidence of one runbook run.

It holds who, when, why (ticket), what (runbook, parameters without secrets, targets), from
which code (commit, versions), what was planned and consented to, what changed per host
(with diffs and the commands applied), the pre/post checks, the outcome, and the service
report's fields. :mod:`opsbook.records.build` makes it after the run's files were purged of
secrets, writes it once and indexes it in the history's hash chain (:mod:`.history`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from opsbook.base.files import atomic_write
from opsbook.errors import OpsbookError

RECORD_FILE = "record.json"
REPORT_MD = "service-report.md"
REPORT_HTML = "service-report.html"

Outcome = Literal["ok", "planned", "failed", "not-verified", "timeout", "interrupted", "refused"]
Mode = Literal["apply", "check"]
Purpose = Literal["plan", "apply", "check"]
#: none (read-only or check mode), yes-no (changing), typed (destructive)
ConsentLevel = Literal["none", "yes-no", "typed"]
#: how consent was given: not-needed, prompt, --yes, declined, check-only
ConsentGiven = Literal["not-needed", "prompt", "--yes", "declined", "check-only"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunRef(_Model):
    """One ansible-runner run the runbook made (the check-mode plan, the real run)."""

    run_id: str
    purpose: Purpose
    status: str
    rc: int
    artifact_dir: str
    started: str = ""
    ended: str = ""


class Consent(_Model):
    required: ConsentLevel
    given: ConsentGiven
    #: what had to be typed (destructive): the target count or the environment name
    expected: str | None = None
    at: str = ""


class HostChecks(_Model):
    pre: dict[str, Any] = Field(default_factory=dict)
    post: dict[str, Any] = Field(default_factory=dict)
    verified: bool | None = None


class HostRecord(_Model):
    #: the host's status in the final run's recap (ok, changed, failed, unreachable, skipped);
    #: ``timeout`` when the run was stopped at the runbook's timeout before it finished the host,
    #: ``interrupted`` when SIGINT / SIGTERM stopped it there,
    #: ``not-run`` when nothing ran there
    status: str
    #: the recap counters (ok, changed, failures, dark, skipped, rescued, ignored)
    stats: dict[str, int] = Field(default_factory=dict)
    asset: dict[str, Any] = Field(default_factory=dict)
    #: tasks that would change (check mode) / that changed: task, action, diff, commands
    planned: list[dict[str, str]] = Field(default_factory=list)
    changes: list[dict[str, str]] = Field(default_factory=list)
    failures: list[dict[str, str]] = Field(default_factory=list)
    checks: HostChecks = Field(default_factory=HostChecks)
    findings: dict[str, Any] = Field(default_factory=dict)
    #: the task that was running on the host when the run was stopped (it may still be running)
    interrupted_task: str = ""


class CheckRow(_Model):
    """One measurement of a host before and after (a row of the report's checks table)."""

    host: str
    name: str
    before: str = ""
    after: str = ""


class ServiceReport(_Model):
    """The catalogue's service form (维修服务报告): problem, cause, action, parts, verification, follow-up.

    Every sentence is derived from the record (:mod:`opsbook.records.report`); the fields after
    ``follow_up`` were added in schema 2 and are empty in older records.
    """

    problem: str
    cause: list[str]
    action_taken: list[str]
    parts_changed: list[str]
    result_verified: list[str]
    follow_up: list[str]
    #: what the run did, in words: applied, check mode, declined after the plan, …
    mode_text: str = ""
    #: the customer(s) served, by display name (asset_customer_name, else the slug)
    customer: str = ""
    #: per host, each change applied with the commands or module that made it
    commands_applied: list[str] = Field(default_factory=list)
    #: the measurements before and after (after is empty when nothing was applied)
    checks: list[CheckRow] = Field(default_factory=list)
    #: the sign-off statement, true to what happened (a repair verified, a plan, evidence only …)
    sign_off: str = ""
    #: per host, its status as the report shows it ("would change" for a plan that was not applied)
    host_status: dict[str, str] = Field(default_factory=dict)
    #: how the change was admitted: ticket, window or freeze, --force and its reason, backups made
    change_control: list[str] = Field(default_factory=list)


class SecretScan(_Model):
    scanned: list[str] = Field(default_factory=list)
    #: files (relative to the state folder) where a secret value was found; never the value itself
    leaks: list[str] = Field(default_factory=list)
    secrets_checked: int = 0


class ChangeControl(_Model):
    """How a change was admitted (opsbook.change, docs/changes.md): ticket, windows, --force, locks."""

    ticket: str | None = None
    ticket_required: bool = False
    #: host → the window or freeze sentence at the start ("inside its maintenance window (…)")
    windows: dict[str, str] = Field(default_factory=dict)
    #: the operator's --force reason, when it overrode a closed window or a freeze
    forced: str | None = None
    #: host → the closed window or freeze that --force (or opsbook_change_window_enforce: false) overrode
    overridden: dict[str, str] = Field(default_factory=dict)
    #: the targets whose lock the run held from before its plan to its record
    locks: list[str] = Field(default_factory=list)
    #: locks left by a run that ended without releasing them (killed), taken over
    stale_locks: list[str] = Field(default_factory=list)
    #: host → "task: path" of every backup copy the run made of a file it overwrote (backup: true)
    backups: dict[str, list[str]] = Field(default_factory=dict)


class Record(_Model):
    schema_version: int = 2
    id: str
    runbook: dict[str, str]
    ticket: str | None
    operator: str
    #: where the operator's name came from (OPSBOOK_OPERATOR, SUDO_USER, USER, git user.name, login)
    operator_source: str = ""
    started: str
    ended: str
    mode: Mode
    rerun_of: str | None = None
    params: dict[str, Any]
    secret_params: list[str] = Field(default_factory=list)
    inventory: list[str]
    limit: str | None
    targets: list[str]
    repository: dict[str, Any]
    versions: dict[str, str | None]
    consent: Consent
    runs: list[RunRef]
    hosts: dict[str, HostRecord]
    outcome: Outcome
    exit_code: int
    summary: str
    secret_scan: SecretScan = Field(default_factory=SecretScan)
    service_report: ServiceReport
    #: a changing run's admission and locks; None for read-only and check-mode runs
    change: ChangeControl | None = None

    def failed_hosts(self) -> list[str]:
        """Hosts that failed, were unreachable or stopped at the timeout: what rerun --failed targets."""
        failed = {
            host
            for host, rec in self.hosts.items()
            if rec.stats.get("failures", 0)
            or rec.stats.get("dark", 0)
            or rec.status in ("failed", "unreachable", "timeout", "interrupted")
        }
        return sorted(failed)


def to_json(record: Record) -> str:
    return json.dumps(record.model_dump(mode="json"), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def write_record(record: Record, run_dir: Path) -> Path:
    path = run_dir / RECORD_FILE
    atomic_write(path, to_json(record))
    return path


def read_record(path: Path) -> Record:
    try:
        return Record.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OpsbookError(
            f"record {path} is missing", hint="`opsbook history verify` checks them all"
        ) from None
    except ValueError as exc:
        raise OpsbookError(
            f"record {path} is not a valid run record: {str(exc).splitlines()[0]}",
            hint="`opsbook history verify` tells whether it was edited",
        ) from None
