"""The audit's result model: per host compliant / drifted / unverifiable / unreachable / failed.

Plain data, JSON in and out (:class:`opsbook.base.model.Serial`). :mod:`opsbook.audit.classify`
builds it from a run's result model; reports and the history read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import computed_field

from opsbook.base.model import Serial

SCHEMA_VERSION = 1


class HostStatus(StrEnum):
    COMPLIANT = "compliant"
    DRIFTED = "drifted"
    UNVERIFIABLE = "unverifiable"
    FAILED = "failed"
    UNREACHABLE = "unreachable"


#: Worst first: a host's status is the worst that applies to it.
HOST_SEVERITY: tuple[HostStatus, ...] = (
    HostStatus.UNREACHABLE,
    HostStatus.FAILED,
    HostStatus.DRIFTED,
    HostStatus.UNVERIFIABLE,
    HostStatus.COMPLIANT,
)


#: the order reports list statuses in
DISPLAY_ORDER: tuple[HostStatus, ...] = (
    HostStatus.COMPLIANT,
    HostStatus.DRIFTED,
    HostStatus.UNVERIFIABLE,
    HostStatus.FAILED,
    HostStatus.UNREACHABLE,
)


class FindingKind(StrEnum):
    #: the task would change the host: it no longer matches the desired state.
    DRIFT = "drift"
    #: the task could not be checked (skipped in check mode, ran for real and changed, …).
    UNVERIFIABLE = "unverifiable"
    #: the task failed (the host's check is incomplete).
    FAILED = "failed"
    #: the host could not be reached.
    UNREACHABLE = "unreachable"


@dataclass
class Finding(Serial):
    """One thing an audit found on one host: a drifted resource, a task it could not check, …"""

    kind: FindingKind
    task: str
    #: what the task manages: a file path, a package, a service, a sysctl key, a config feature.
    resource: str = ""
    action: str = ""
    role: str = ""
    #: unified diff text (drift), empty when the module gave none.
    diff: str = ""
    #: why (unverifiable, failed, unreachable), or the module's message (drift).
    reason: str = ""
    #: the loop item this finding is about, if any.
    item: str = ""
    #: first audit (its start time, UTC ISO) in the unbroken run of audits that saw this finding.
    since: str = ""

    @property
    def key(self) -> str:
        """Identity across audits (for history): kind, task, resource and item."""
        return "\x1f".join((self.kind.value, self.task, self.resource, self.item))


@dataclass
class TaskCheck(Serial):
    """One task's verdict on one host (for JUnit: one test case per host and task)."""

    task: str
    #: compliant, drift, unverifiable, failed, unreachable, not-applicable (skipped by its condition)
    verdict: str
    action: str = ""
    role: str = ""


@dataclass
class HostAudit(Serial):
    host: str
    status: HostStatus
    #: linux (the audit playbook) or network (device compliance)
    scope: str = "linux"
    customer: str = ""
    findings: list[Finding] = field(default_factory=list)
    #: handlers that would run because of the drift (a consequence, not drift of their own).
    handlers: list[str] = field(default_factory=list)
    checks: list[TaskCheck] = field(default_factory=list)
    #: tasks that ran on the host (verifiable or not).
    tasks: int = 0

    def of_kind(self, kind: FindingKind) -> list[Finding]:
        return [f for f in self.findings if f.kind is kind]

    @property
    def drift(self) -> list[Finding]:
        return self.of_kind(FindingKind.DRIFT)

    @property
    def unverifiable(self) -> list[Finding]:
        return self.of_kind(FindingKind.UNVERIFIABLE)


#: exit codes of ``opsbook audit`` (documented in docs/audit.md)
EXIT_COMPLIANT = 0
EXIT_ERROR = 1
EXIT_DRIFT = 2


@dataclass
class Audit(Serial):
    """One audit: which hosts, how each one stands, and the runs behind it."""

    #: first in audit.json (keyword-only, so it may stand before the fields without a default)
    schema_version: int = field(default=SCHEMA_VERSION, kw_only=True)
    id: str
    started: str
    ended: str = ""
    scopes: list[str] = field(default_factory=list)
    limit: str | None = None
    inventory: list[str] = field(default_factory=list)
    hosts: list[HostAudit] = field(default_factory=list)
    #: the ansible run(s) behind it (ids under .opsbook/runs/)
    runs: list[str] = field(default_factory=list)
    #: problems that touch the whole audit (the playbook stopped early, the inventory failed, …)
    errors: list[str] = field(default_factory=list)

    def host(self, name: str) -> HostAudit | None:
        return next((h for h in self.hosts if h.host == name), None)

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in DISPLAY_ORDER}
        for host in self.hosts:
            counts[host.status.value] += 1
        return counts

    @computed_field(alias="counts")  # type: ignore[prop-decorator]  # audit.json's "counts"
    @property
    def status_counts(self) -> dict[str, int]:
        return self.counts()

    @computed_field  # type: ignore[prop-decorator]  # in audit.json for its readers
    @property
    def exit_code(self) -> int:
        """0: every host compliant · 2: drift found (and nothing worse) · 1: anything that stopped a
        host from being checked (unverifiable, failed, unreachable, an audit-wide error, no host)."""
        statuses = {h.status for h in self.hosts}
        if self.errors or not self.hosts or statuses - {HostStatus.COMPLIANT, HostStatus.DRIFTED}:
            return EXIT_ERROR
        return EXIT_DRIFT if HostStatus.DRIFTED in statuses else EXIT_COMPLIANT
