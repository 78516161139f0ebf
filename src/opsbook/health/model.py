"""The inspection report: per Linux host its checks, per device reachable / version / uptime.

Plain data, JSON in and out (:class:`opsbook.base.model.Serial`; ``HealthReport.to_dict`` is the
file ``opsbook health`` writes).
Status order, best to worst: OK < UNKNOWN < WARN < CRIT — a check that could not run is never OK.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from pydantic import computed_field

from opsbook.base.model import Serial

REPORT_KIND = "opsbook-health"
REPORT_VERSION = 1

#: ``opsbook health`` exit codes (docs/health.md).
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_FINDINGS = 2


class Status(StrEnum):
    OK = "OK"
    UNKNOWN = "UNKNOWN"
    WARN = "WARN"
    CRIT = "CRIT"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Status.OK: 0, Status.UNKNOWN: 1, Status.WARN: 2, Status.CRIT: 3}


def worst(statuses: Iterable[Status]) -> Status:
    """The worst of several statuses; OK when there are none."""
    return max(statuses, key=lambda s: s.rank, default=Status.OK)


def parse_status(value: Any) -> Status:
    """A status from module output; anything unrecognised is UNKNOWN (never silently OK)."""
    try:
        return Status(str(value).upper())
    except ValueError:
        return Status.UNKNOWN


@dataclass
class Threshold(Serial):
    """A check's WARN and CRIT limits (``null`` when the check has none)."""

    warn: float | None = None
    crit: float | None = None


@dataclass
class CheckRow(Serial):
    """One check on one host, as host_health returned it (see the module's RETURN)."""

    check: str
    status: Status
    message: str
    item: str = ""
    value: Any = None
    unit: str = ""
    threshold: Threshold = field(default_factory=Threshold)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def warn(self) -> float | None:
        return self.threshold.warn

    @property
    def crit(self) -> float | None:
        return self.threshold.crit

    @classmethod
    def from_module(cls, data: dict[str, Any]) -> CheckRow:
        threshold = data.get("threshold") or {}
        return cls(
            check=str(data.get("check", "?")),
            status=parse_status(data.get("status")),
            message=str(data.get("message", "")),
            item=str(data.get("item") or ""),
            value=data.get("value"),
            unit=str(data.get("unit") or ""),
            threshold=Threshold(warn=threshold.get("warn"), crit=threshold.get("crit")),
            details=dict(data.get("details") or {}),
        )


@dataclass
class DeviceInfo(Serial):
    """What ``show version`` / ``display version`` told about a network device."""

    platform: str = ""
    version: str = ""
    uptime: str = ""
    uptime_seconds: int | None = None
    #: how it was read: "ansible" (network_cli) or "netmiko".
    via: str = ""


HostKind = Literal["linux", "device"]


@dataclass
class HostHealth(Serial):
    """One inspected host or device."""

    name: str
    kind: HostKind
    status: Status
    reachable: bool
    #: why the host could not be inspected (unreachable, module failure); "" when it was.
    error: str = ""
    checks: list[CheckRow] = field(default_factory=list)
    device: DeviceInfo | None = None

    @classmethod
    def not_inspected(
        cls,
        name: str,
        kind: HostKind,
        status: Status,
        message: str,
        *,
        reachable: bool,
        check: str = "",
        device: DeviceInfo | None = None,
    ) -> HostHealth:
        """A host or device that could not be inspected: one check (``reachable`` when it was not,
        else ``check``, default ``health``) saying why."""
        name_of_check = "reachable" if not reachable else (check or "health")
        row = CheckRow(name_of_check, status, message, value=None if reachable else False)
        return cls(name, kind, status, reachable, error=message, checks=[row], device=device)


@dataclass
class HealthReport(Serial):
    """The whole inspection: one run of playbooks/health.yml (plus netmiko-read devices)."""

    run_id: str
    started: str = ""
    ended: str = ""
    playbook: str = ""
    inventory: list[str] = field(default_factory=list)
    limit: str | None = None
    hosts: list[HostHealth] = field(default_factory=list)
    #: where the run's artifacts are (``.opsbook/runs/<run_id>``).
    artifact_dir: str = ""
    #: hosts not inspected because their register data has a problem: one line each, with why.
    skipped: list[str] = field(default_factory=list)

    @property
    def linux(self) -> list[HostHealth]:
        return [h for h in self.hosts if h.kind == "linux"]

    @property
    def devices(self) -> list[HostHealth]:
        return [h for h in self.hosts if h.kind == "device"]

    @computed_field  # type: ignore[prop-decorator]  # the report's kind and version, for its readers
    @property
    def kind(self) -> str:
        return REPORT_KIND

    @computed_field  # type: ignore[prop-decorator]
    @property
    def version(self) -> int:
        return REPORT_VERSION

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Status:
        return worst(h.status for h in self.hosts)

    def counts(self) -> dict[str, int]:
        """Hosts (and devices) per status."""
        counts = {s.value: 0 for s in Status}
        for host in self.hosts:
            counts[host.status.value] += 1
        return counts

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> dict[str, int]:
        """Linux hosts, devices, and hosts per status."""
        return {"hosts": len(self.linux), "devices": len(self.devices), **self.counts()}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def exit_code(self) -> int:
        """0 when every host and device is OK, 2 when anything is WARN, CRIT, UNKNOWN or unreachable,
        or a host was skipped (not inspected: its register data has a problem)."""
        return EXIT_OK if self.status is Status.OK and not self.skipped else EXIT_FINDINGS
