"""The result model every opsbook run produces, whatever the playbook.

ansible-runner events flow in (see :mod:`opsbook.runner`); this model flows out to reports,
audits, run records and the history. It is plain data: JSON in, JSON out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class TaskStatus(StrEnum):
    OK = "ok"
    CHANGED = "changed"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"


#: Worst first: a host's status is the worst status among its tasks.
SEVERITY: tuple[TaskStatus, ...] = (
    TaskStatus.UNREACHABLE,
    TaskStatus.FAILED,
    TaskStatus.CHANGED,
    TaskStatus.OK,
    TaskStatus.SKIPPED,
)


@dataclass
class TaskResult:
    """One task on one host (one event of runner_on_ok / _failed / _skipped / _unreachable)."""

    host: str
    task: str
    action: str
    status: TaskStatus
    play: str = ""
    role: str = ""
    task_uuid: str = ""
    task_path: str = ""
    check_mode: bool = False
    ignore_errors: bool = False
    no_log: bool = False
    #: ansible's ``diff`` entries (before/after or prepared text), as the module returned them.
    diff: list[dict[str, Any]] = field(default_factory=list)
    #: the module's return values (``res``), secrets removed; ``{"censored": ...}`` for no_log tasks.
    result: dict[str, Any] = field(default_factory=dict)
    msg: str = ""
    start: str = ""
    end: str = ""
    duration: float = 0.0

    @property
    def changed(self) -> bool:
        return self.status is TaskStatus.CHANGED

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskResult:
        values = dict(data)
        values["status"] = TaskStatus(values["status"])
        return cls(**values)


@dataclass
class HostSummary:
    """A host's totals from the play recap (playbook_on_stats)."""

    host: str
    ok: int = 0
    changed: int = 0
    failures: int = 0
    dark: int = 0
    skipped: int = 0
    rescued: int = 0
    ignored: int = 0

    @property
    def status(self) -> TaskStatus:
        if self.dark:
            return TaskStatus.UNREACHABLE
        if self.failures:
            return TaskStatus.FAILED
        if self.changed:
            return TaskStatus.CHANGED
        if self.ok:
            return TaskStatus.OK
        return TaskStatus.SKIPPED

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HostSummary:
        values = {k: v for k, v in data.items() if k != "status"}
        return cls(**values)


@dataclass
class RunResult:
    """A whole run: what ran, where its artifacts are, and every task result."""

    run_id: str
    playbook: str
    artifact_dir: Path
    #: ansible-runner's status: successful, failed, timeout, canceled.
    status: str
    rc: int
    started: str = ""
    ended: str = ""
    check: bool = False
    limit: str | None = None
    tasks: list[TaskResult] = field(default_factory=list)
    hosts: dict[str, HostSummary] = field(default_factory=dict)

    def for_host(self, host: str) -> list[TaskResult]:
        return [t for t in self.tasks if t.host == host]

    def host_status(self, host: str) -> TaskStatus:
        summary = self.hosts.get(host)
        if summary is not None:
            return summary.status
        statuses = {t.status for t in self.for_host(host)}
        return next((s for s in SEVERITY if s in statuses), TaskStatus.SKIPPED)

    def failed_hosts(self) -> list[str]:
        """Hosts that failed or were unreachable, from the recap: what ``rerun --failed`` targets."""
        return sorted(h for h, s in self.hosts.items() if s.failures or s.dark)

    def changed_tasks(self) -> list[TaskResult]:
        return [t for t in self.tasks if t.changed]

    @property
    def ok(self) -> bool:
        return self.status == "successful" and not self.failed_hosts()

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "playbook": self.playbook,
            "artifact_dir": str(self.artifact_dir),
            "status": self.status,
            "rc": self.rc,
            "started": self.started,
            "ended": self.ended,
            "check": self.check,
            "limit": self.limit,
            "tasks": [t.to_dict() for t in self.tasks],
            "hosts": {h: s.to_dict() for h, s in self.hosts.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        return cls(
            run_id=data["run_id"],
            playbook=data["playbook"],
            artifact_dir=Path(data["artifact_dir"]),
            status=data["status"],
            rc=data["rc"],
            started=data.get("started", ""),
            ended=data.get("ended", ""),
            check=data.get("check", False),
            limit=data.get("limit"),
            tasks=[TaskResult.from_dict(t) for t in data.get("tasks", [])],
            hosts={h: HostSummary.from_dict(s) for h, s in data.get("hosts", {}).items()},
        )
