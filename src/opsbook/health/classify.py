"""From a run of playbooks/health.yml (a :class:`~opsbook.results.RunResult`) to a HealthReport.

Pure: no I/O. A Linux host's row comes from its ``host_health`` task, a device's from its
``ios_command`` / ``cli_command`` task, or from a :class:`DeviceProbe` (netmiko) for platforms the
playbook does not read. Unreachable is CRIT; a host whose inspection failed is UNKNOWN; a host in
the run that produced no health result at all is UNKNOWN too — never OK.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from opsbook.health.devices import device_row
from opsbook.health.model import CheckRow, HealthReport, HostHealth, HostKind, Status, parse_status, worst
from opsbook.results import RunResult, TaskResult, TaskStatus

#: the last part of the action names whose results the report reads
HOST_HEALTH_ACTION = "host_health"
DEVICE_ACTIONS = {"ios_command": "cisco_ios", "cli_command": ""}


@dataclass(frozen=True)
class DeviceProbe:
    """A device read outside Ansible (netmiko): its version output, or None and why not."""

    name: str
    platform: str
    output: str | None
    error: str = ""


def _leaf(action: str) -> str:
    return action.rsplit(".", 1)[-1]


def _first_line(text: str, limit: int = 300) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _task_message(task: TaskResult) -> str:
    msg = task.msg or str(task.result.get("msg", "") or task.result.get("module_stderr", ""))
    return _first_line(msg) or f"task {task.status.value}"


def linux_row(task: TaskResult) -> HostHealth:
    """A Linux host's row from its host_health task."""
    if task.status is TaskStatus.UNREACHABLE:
        message = f"unreachable: {_task_message(task)}"
        return HostHealth.not_inspected(task.host, "linux", Status.CRIT, message, reachable=False)
    if task.status is TaskStatus.FAILED:
        message = f"host_health failed: {_task_message(task)}"
        return HostHealth.not_inspected(
            task.host, "linux", Status.UNKNOWN, message, reachable=True, check="host_health"
        )
    raw_checks: list[Any] = task.result.get("checks") or []
    checks = [CheckRow.from_module(c) for c in raw_checks if isinstance(c, dict)]
    if not checks:
        message = "host_health returned no checks"
        return HostHealth.not_inspected(
            task.host, "linux", Status.UNKNOWN, message, reachable=True, check="host_health"
        )
    # the module's own overall status, but never better than its worst check
    status = worst([parse_status(task.result.get("status")), *(c.status for c in checks)])
    return HostHealth(name=task.host, kind="linux", status=status, reachable=True, checks=checks)


def device_row_from_task(task: TaskResult) -> HostHealth:
    """A device's row from its ``show version`` task (network_cli)."""
    platform = DEVICE_ACTIONS.get(_leaf(task.action), "")
    if task.status in (TaskStatus.UNREACHABLE, TaskStatus.FAILED):
        return device_row(task.host, platform, "ansible", None, f"not reachable: {_task_message(task)}")
    stdout = task.result.get("stdout")
    output = stdout[0] if isinstance(stdout, list) and stdout else stdout
    return device_row(task.host, platform, "ansible", str(output) if output is not None else "")


def report_from_run(
    run: RunResult, probes: Sequence[DeviceProbe] = (), *, inventory: Sequence[str] | None = None
) -> HealthReport:
    """The inspection report of one health run, with devices read by netmiko merged in."""
    rows: dict[str, HostHealth] = {}
    skipped_devices: set[str] = set()
    for task in run.tasks:
        leaf = _leaf(task.action)
        if leaf == HOST_HEALTH_ACTION:
            rows[task.host] = linux_row(task)
        elif leaf in DEVICE_ACTIONS:
            if task.status is TaskStatus.SKIPPED:
                skipped_devices.add(task.host)
            else:
                rows[task.host] = device_row_from_task(task)
    for probe in probes:
        if probe.name not in rows:
            rows[probe.name] = device_row(probe.name, probe.platform, "netmiko", probe.output, probe.error)
    for name in sorted((set(run.hosts) | skipped_devices) - set(rows)):
        summary = run.hosts.get(name)
        is_device = name in skipped_devices
        if summary is not None and summary.dark:
            message = "unreachable"
            status, reachable = Status.CRIT, False
        elif is_device:
            message = "no way to read this device's platform (only IOS via Ansible, IOS and VRP via netmiko)"
            status, reachable = Status.UNKNOWN, True
        else:
            message = "no health result for this host"
            status, reachable = Status.UNKNOWN, summary is not None and not summary.dark
        kind: HostKind = "device" if is_device else "linux"
        rows[name] = HostHealth.not_inspected(name, kind, status, message, reachable=reachable)
    ordered = sorted(rows.values(), key=lambda h: (h.kind != "linux", h.name))
    return HealthReport(
        run_id=run.run_id,
        started=run.started,
        ended=run.ended,
        playbook=run.playbook,
        inventory=list(inventory if inventory is not None else run.inventory),
        limit=run.limit,
        hosts=ordered,
        artifact_dir=str(run.artifact_dir),
    )
