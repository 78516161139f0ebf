"""Run the inspection: playbooks/health.yml through the runner, netmiko for the other devices.

The I/O edge of :mod:`opsbook.health`. Steps: read the register (the one reader,
:func:`opsbook.register.read_scope`; hosts whose register data has a problem are skipped and
listed, a broken register refuses before any connection) to know the targets, the network devices
and their secrets; then, at the same time, run the playbook (Linux hosts
with host_health, IOS devices with ``show version`` over network_cli) and read the devices the
playbook cannot reach (platforms without a network_cli plugin in the ``ansible`` package, such as
Huawei VRP) over netmiko; classify; write the JSON report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from opsbook.base.files import atomic_write
from opsbook.errors import OpsbookError, UsageError
from opsbook.health.classify import DeviceProbe, report_from_run
from opsbook.health.model import HealthReport
from opsbook.health.render import report_json
from opsbook.network.connect import CommandRejected, netmiko_connector, run_many, with_session
from opsbook.network.inventory import NetDevice, devices_from_inventory, inventory_json
from opsbook.network.platforms import platform
from opsbook.paths import ProjectPaths, project_paths
from opsbook.register import Scope, default_inventory, read_scope
from opsbook.results import RunResult
from opsbook.runner import EventHandler, StatusHandler, run_playbook
from opsbook.runner.statedir import preflight_state

HEALTH_PLAYBOOK = "health"
NETWORK_GROUP = "network"
#: ansible_network_os values the playbook reads itself (its `when:` on the show version task).
ANSIBLE_READ_OS = frozenset({"cisco.ios.ios", "ios"})

Runner = Callable[..., RunResult]
Prober = Callable[[Sequence[NetDevice]], list[DeviceProbe]]


def group_members(data: Mapping[str, Any], group: str) -> set[str]:
    """Hosts of ``group`` and its child groups in ``ansible-inventory --list`` JSON."""
    found: set[str] = set()
    pending, seen = [group], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        node = data.get(name)
        if isinstance(node, Mapping):
            found.update(node.get("hosts", []) or [])
            pending.extend(node.get("children", []) or [])
    return found


def read_by_netmiko(hostvars: Mapping[str, Any]) -> bool:
    """A device the playbook does not read (its network OS has no network_cli reader here)."""
    return str(hostvars.get("ansible_network_os", "")).strip().lower() not in ANSIBLE_READ_OS


def probe_devices(devices: Sequence[NetDevice]) -> list[DeviceProbe]:
    """``show version`` / ``display version`` over netmiko, one thread per device."""
    if not devices:
        return []

    def job(session: Any) -> str:
        return str(session.show(platform(session.device.platform).show_version))

    outcomes = run_many(devices, with_session(netmiko_connector(), job))
    probes = []
    for outcome in outcomes:
        name, plat = outcome.device.name, outcome.device.platform
        if outcome.ok:
            probes.append(DeviceProbe(name, plat, outcome.value))
        elif isinstance(outcome.error, CommandRejected):
            probes.append(DeviceProbe(name, plat, "", outcome.error.message if outcome.error else ""))
        else:
            message = outcome.error.message if outcome.error else "no answer"
            probes.append(DeviceProbe(name, plat, None, f"not reachable: {message}"))
    return probes


def network_devices(
    inventory: Sequence[str | Path] | None, limit: str | None, paths: ProjectPaths
) -> tuple[list[NetDevice], list[NetDevice]]:
    """(devices the playbook reads, devices to read over netmiko), from the inventory within ``limit``."""
    data = inventory_json(inventory, limit=limit, paths=paths)
    members = group_members(data, NETWORK_GROUP)
    selected = set(data.get("_meta", {}).get("hostvars", {})) & members
    devices = devices_from_inventory(data, sorted(selected))
    by_ansible = [d for d in devices if not read_by_netmiko(d.vars)]
    by_netmiko = [d for d in devices if read_by_netmiko(d.vars)]
    return by_ansible, by_netmiko


def health_scope(inventory: Sequence[str | Path] | None, limit: str | None, paths: ProjectPaths) -> Scope:
    """The hosts to inspect, read by the register's one reader (read-only: invalid ones skipped)."""
    sources = list(inventory) if inventory else default_inventory(paths)
    return read_scope(sources, limit=limit, read_only=True)


def default_report_path(paths: ProjectPaths, run_id: str) -> Path:
    return paths.reports / f"health-{run_id}.json"


def write_report(report: HealthReport, path: Path) -> Path:
    return atomic_write(path, report_json(report))


def inspect(
    *,
    inventory: Sequence[str | Path] | None = None,
    limit: str | None = None,
    json_out: Path | None = None,
    on_event: EventHandler | None = None,
    on_status: StatusHandler | None = None,
    timeout: float | None = None,
    paths: ProjectPaths | None = None,
    runner: Runner | None = None,
    prober: Prober = probe_devices,
    devices: Callable[..., tuple[list[NetDevice], list[NetDevice]]] = network_devices,
    scope_reader: Callable[..., Scope] = health_scope,
) -> tuple[HealthReport, Path]:
    """Inspect every Linux host and network device in ``inventory`` (within ``limit``).

    Returns the report and where its JSON was written. Raises :class:`OpsbookError` when the
    playbook could not run at all or nothing matched; findings are in the report, not raised.
    """
    paths = paths or project_paths()
    runner = runner or run_playbook
    # Read-only: hosts whose register data has a problem are skipped (and listed), the rest go on;
    # a problem of the whole register refuses here, before any connection or run folder.
    scope = scope_reader(inventory, limit, paths)
    preflight_state(paths.reports)  # a read-only or full state folder: refused before any host
    if scope.skipped:
        limit = scope.limit
    try:
        by_ansible, by_netmiko = devices(inventory, limit, paths)
    except UsageError as exc:  # exit 1, not 2: 2 means "the inspection found something"
        raise OpsbookError(exc.message, hint=exc.hint) from exc
    secrets = sorted({s for d in [*by_ansible, *by_netmiko] for s in d.secrets()})
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsbook-health") as pool:
        probing = pool.submit(prober, by_netmiko)
        run = runner(
            HEALTH_PLAYBOOK,
            inventory=inventory,
            limit=limit,
            on_event=on_event,
            on_status=on_status,
            timeout=timeout,
            secrets=secrets,
            label="health",
            paths=paths,
        )
        probes = probing.result()
    if not run.tasks and not run.hosts and run.status != "successful":
        raise OpsbookError(
            f"The health playbook did not run ({run.status}): {run.error or 'no output'}",
            hint=f"see the run's artifacts in {run.artifact_dir}",
        )
    report = report_from_run(run, probes, inventory=[str(i) for i in inventory or []])
    report.skipped = scope.skipped_lines()
    if not report.hosts:
        where = f" matching --limit {limit!r}" if limit else ""
        raise OpsbookError(
            f"No Linux hosts (group linux) or network devices (group network){where} to inspect.",
            hint="check the inventory (-i) and the --limit pattern; for the lab: opsbook lab up",
        )
    path = write_report(report, json_out or default_report_path(paths, run.run_id))
    return report, path
