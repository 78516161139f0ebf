"""The inspection report: per Linux host its checks, per device reachable / version / uptime.

Plain data, JSON in and out (``HealthReport.to_dict`` is the file ``opsbook health`` writes).
Status order, best to worst: OK < UNKNOWN < WARN < CRIT — a check that could not run is never OK.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

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
class CheckRow:
    """One check on one host, as host_health returned it (see the module's RETURN)."""

    check: str
    status: Status
    message: str
    item: str = ""
    value: Any = None
    unit: str = ""
    warn: float | None = None
    crit: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

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
            warn=threshold.get("warn"),
            crit=threshold.get("crit"),
            details=dict(data.get("details") or {}),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "item": self.item,
            "status": self.status.value,
            "value": self.value,
            "unit": self.unit,
            "threshold": {"warn": self.warn, "crit": self.crit},
            "message": self.message,
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckRow:
        return cls.from_module(data)


@dataclass
class DeviceInfo:
    """What ``show version`` / ``display version`` told about a network device."""

    platform: str = ""
    version: str = ""
    uptime: str = ""
    uptime_seconds: int | None = None
    #: how it was read: "ansible" (network_cli) or "netmiko".
    via: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "version": self.version,
            "uptime": self.uptime,
            "uptime_seconds": self.uptime_seconds,
            "via": self.via,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeviceInfo:
        return cls(
            platform=data.get("platform", ""),
            version=data.get("version", ""),
            uptime=data.get("uptime", ""),
            uptime_seconds=data.get("uptime_seconds"),
            via=data.get("via", ""),
        )


HostKind = Literal["linux", "device"]


@dataclass
class HostHealth:
    """One inspected host or device."""

    name: str
    kind: HostKind
    status: Status
    reachable: bool
    #: why the host could not be inspected (unreachable, module failure); "" when it was.
    error: str = ""
    checks: list[CheckRow] = field(default_factory=list)
    device: DeviceInfo | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "status": self.status.value,
            "reachable": self.reachable,
            "error": self.error,
            "checks": [c.to_dict() for c in self.checks],
            "device": self.device.to_dict() if self.device else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HostHealth:
        device = data.get("device")
        kind: HostKind = "device" if data.get("kind") == "device" else "linux"
        return cls(
            name=data["name"],
            kind=kind,
            status=parse_status(data.get("status")),
            reachable=bool(data.get("reachable")),
            error=data.get("error", ""),
            checks=[CheckRow.from_dict(c) for c in data.get("checks", [])],
            device=DeviceInfo.from_dict(device) if device else None,
        )


@dataclass
class HealthReport:
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

    @property
    def status(self) -> Status:
        return worst(h.status for h in self.hosts)

    def counts(self) -> dict[str, int]:
        """Hosts (and devices) per status."""
        counts = {s.value: 0 for s in Status}
        for host in self.hosts:
            counts[host.status.value] += 1
        return counts

    @property
    def exit_code(self) -> int:
        """0 when every host and device is OK, 2 when anything is WARN, CRIT, UNKNOWN or unreachable,
        or a host was skipped (not inspected: its register data has a problem)."""
        return EXIT_OK if self.status is Status.OK and not self.skipped else EXIT_FINDINGS

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": REPORT_KIND,
            "version": REPORT_VERSION,
            "run_id": self.run_id,
            "started": self.started,
            "ended": self.ended,
            "playbook": self.playbook,
            "inventory": list(self.inventory),
            "limit": self.limit,
            "artifact_dir": self.artifact_dir,
            "status": self.status.value,
            "exit_code": self.exit_code,
            "summary": {"hosts": len(self.linux), "devices": len(self.devices), **self.counts()},
            "hosts": [h.to_dict() for h in self.hosts],
            "skipped": list(self.skipped),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HealthReport:
        return cls(
            run_id=data["run_id"],
            started=data.get("started", ""),
            ended=data.get("ended", ""),
            playbook=data.get("playbook", ""),
            inventory=list(data.get("inventory", [])),
            limit=data.get("limit"),
            artifact_dir=data.get("artifact_dir", ""),
            hosts=[HostHealth.from_dict(h) for h in data.get("hosts", [])],
            skipped=list(data.get("skipped", [])),
        )
