"""The result model every opsbook run produces, whatever the playbook.

ansible-runner events flow in (see :mod:`opsbook.runner`); this model flows out to reports,
audits, run records and the history. It is plain data: JSON in, JSON out
(``to_dict`` / ``from_dict`` from :class:`opsbook.base.model.Serial`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import computed_field

from opsbook.base.model import Serial


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
class ItemResult(Serial):
    """One item of a loop task on one host (an entry of the task's ``results``)."""

    #: the item's label (``loop_control.label`` if set, else the item itself).
    item: Any
    status: TaskStatus
    msg: str = ""
    diff: list[dict[str, Any]] = field(default_factory=list)
    #: the module's return values for this item, secrets removed.
    result: dict[str, Any] = field(default_factory=dict)


@dataclass
class TaskResult(Serial):
    """One task on one host (one event of runner_on_ok / _failed / _skipped / _unreachable).

    A loop task is ONE TaskResult per host; its items are in :attr:`items`, its ``diff`` is every
    item's diff in item order. A failure that ``ignore_errors`` let pass is status ok (or changed)
    with ``ignore_errors=True`` — as ansible's recap counts it (ok + ignored).
    """

    host: str
    task: str
    action: str
    status: TaskStatus
    play: str = ""
    role: str = ""
    task_uuid: str = ""
    task_path: str = ""
    #: the run was a check (``--check``) run; a task marked ``check_mode: false`` still ran for real.
    check_mode: bool = False
    #: the task failed and ``ignore_errors`` let the play carry on (status is then ok / changed).
    ignore_errors: bool = False
    #: the task is ``no_log``: ``result`` holds only ansible's ``censored`` note.
    no_log: bool = False
    #: ansible's ``diff`` entries (before/after or prepared text), as the module returned them.
    diff: list[dict[str, Any]] = field(default_factory=list)
    #: the module's return values (``res``), secrets removed; ``{"censored": ...}`` for no_log tasks.
    result: dict[str, Any] = field(default_factory=dict)
    msg: str = ""
    start: str = ""
    end: str = ""
    duration: float = 0.0
    #: a loop task's per-item results, in loop order (empty for tasks without a loop).
    items: list[ItemResult] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.status is TaskStatus.CHANGED


@dataclass
class HostSummary(Serial):
    """A host's totals from the play recap (playbook_on_stats)."""

    host: str
    ok: int = 0
    changed: int = 0
    failures: int = 0
    dark: int = 0
    skipped: int = 0
    rescued: int = 0
    ignored: int = 0

    @computed_field  # type: ignore[prop-decorator]  # in result.json for its readers
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


@dataclass
class RunResult(Serial):
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
    #: who asked for the run, in words (e.g. the runbook's name); free text.
    label: str = ""
    diff: bool = False
    tags: list[str] = field(default_factory=list)
    #: inventory sources passed with ``-i`` (empty: ansible.cfg's default).
    inventory: list[str] = field(default_factory=list)
    #: extra variables as passed, secret values masked.
    extravars: dict[str, Any] = field(default_factory=dict)
    #: artifact files (relative to ``artifact_dir``) that a known secret value reached — masked
    #: before it was written or purged after the run; never the value. Non-empty flags the run:
    #: a task printed a secret (fix it with ``no_log``).
    secret_leaks: list[str] = field(default_factory=list)
    #: why the run failed when ansible never reached the recap (syntax error, timeout …):
    #: the last lines of ansible's output, secrets masked.
    error: str = ""
    #: host → the task that had started there and not finished when the run was stopped (timeout,
    #: cancel, crash). Ansible on the controller is gone; that task may still run on the host.
    interrupted: dict[str, str] = field(default_factory=dict)
    #: the signal that canceled the run (``SIGINT``, ``SIGTERM``); empty when none did
    canceled_by: str = ""

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
