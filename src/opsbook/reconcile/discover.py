"""Discovery for reconcile (I/O): Linux facts through opsbook's runner, device facts via netmiko.

It lives here, in a job, because the register is data and runs nothing (ARCHITECTURE.md,
contract ``register-runs-nothing``).

- Linux hosts (``asset_kind`` server or vm, reached by SSH/podman): ``data/reconcile_facts.yml``
  runs through :func:`opsbook.runner.run_playbook`; its last task reports the facts.
- Network devices (platform from ``netmiko_device_type`` / ``ansible_network_os`` / ``asset_os``):
  :func:`opsbook.network.facts.device_facts` (``show version`` / ``display version`` parsed with
  ntc-templates).
Other assets (databases, middleware, storage, firewalls without a supported platform) are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from opsbook.errors import UsageError
from opsbook.register.check import CheckResult
from opsbook.register.read import Register
from opsbook.register.reconcile import linux_fields
from opsbook.results import RunResult, TaskStatus

FACTS_TASK = "Report asset register facts"
LINUX_KINDS = frozenset({"server", "vm"})
_NOT_SSH = frozenset(
    {
        "ansible.netcommon.network_cli",
        "network_cli",
        "ansible.netcommon.netconf",
        "netconf",
        "ansible.netcommon.httpapi",
        "httpapi",
        "local",
        "ansible.builtin.local",
    }
)


@dataclass
class Discovery:
    """What could be read: host → discovered ``asset_*`` values; host → why not."""

    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    run_id: str | None = None


def facts_playbook() -> Path:
    return Path(str(resources.files("opsbook.reconcile").joinpath("data/reconcile_facts.yml")))


def _plain(result: CheckResult, host: str) -> dict[str, Any]:
    return {key: resolved.value for key, resolved in result.merged[host].items()}


def select_hosts(result: CheckResult, limit: str | None) -> list[str]:
    """Hosts matching an Ansible ``--limit`` (names, groups, wildcards, ``!`` to exclude, ``&`` to
    intersect), resolved by Ansible's own pattern code through the register's one reader."""
    hosts = Register(list(result.register.sources), result).select("all", limit)
    if limit and not hosts:
        raise UsageError(f"--limit {limit!r} matches no host of the register", hint="use host or group names")
    return hosts


def classify(result: CheckResult, hosts: Sequence[str]) -> tuple[list[str], list[str], dict[str, str]]:
    """(Linux hosts, network devices, skipped host → reason)."""
    from opsbook.network.inventory import device_platform  # noqa: PLC0415 - network stack only when used

    linux: list[str] = []
    devices: list[str] = []
    skipped: dict[str, str] = {}
    for host in hosts:
        plain = _plain(result, host)
        if device_platform(plain) is not None:
            devices.append(host)
        elif plain.get("asset_kind") in LINUX_KINDS and plain.get("ansible_connection") not in _NOT_SSH:
            linux.append(host)
        else:
            skipped[host] = f"{plain.get('asset_kind')}: no discovery method for this kind"
    return linux, devices, skipped


def linux_facts(run: RunResult) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Host → facts reported by the playbook's last task; host → error for the others."""
    facts: dict[str, dict[str, Any]] = {}
    for task in run.tasks:
        if (
            task.task == FACTS_TASK
            and task.status is TaskStatus.OK
            and isinstance(task.result.get("msg"), dict)
        ):
            facts[task.host] = task.result["msg"]
    errors: dict[str, str] = {}
    for task in run.tasks:
        if task.host not in facts and task.status in (TaskStatus.FAILED, TaskStatus.UNREACHABLE):
            errors.setdefault(task.host, f"{task.status.value}: {task.msg or task.task}"[:300])
    for host, summary in run.hosts.items():
        if host not in facts and host not in errors:
            errors[host] = f"no facts ({summary.status.value})"
    return facts, errors


def discover(
    result: CheckResult,
    sources: Sequence[Path],
    hosts: Sequence[str],
    *,
    on_event: Callable[..., None] | None = None,
    on_status: Callable[..., None] | None = None,
    runner: Callable[..., RunResult] | None = None,
    device_reader: Callable[[Sequence[Any]], Sequence[Any]] | None = None,
) -> Discovery:
    """Read every selected host and device; ``runner`` / ``device_reader`` replace the real I/O
    in tests."""
    linux, devices, skipped = classify(result, hosts)
    found = Discovery(skipped=skipped)
    if linux:
        if runner is None:
            from opsbook.runner import run_playbook  # noqa: PLC0415 - ansible only when needed

            runner = run_playbook
        run = runner(
            facts_playbook(),
            inventory=list(sources),
            limit=",".join(linux),
            on_event=on_event,
            on_status=on_status,
            label="asset register facts",
        )
        found.run_id = run.run_id
        facts, errors = linux_facts(run)
        for host in linux:
            if host in facts:
                found.fields[host] = linux_fields(facts[host])
            else:
                found.errors[host] = errors.get(host, "not in the run's results")
    if devices:
        _discover_devices(result, devices, found, device_reader)
    return found


def _discover_devices(
    result: CheckResult,
    devices: Sequence[str],
    found: Discovery,
    device_reader: Callable[[Sequence[Any]], Sequence[Any]] | None,
) -> None:
    from opsbook.network.facts import device_facts  # noqa: PLC0415 - netmiko only when needed
    from opsbook.network.inventory import devices_from_inventory  # noqa: PLC0415

    data: Mapping[str, Any] = {"_meta": {"hostvars": {h: _plain(result, h) for h in devices}}}
    net_devices = devices_from_inventory(data, list(devices))
    outcomes = (device_reader or device_facts)(net_devices)
    for outcome in outcomes:
        name = outcome.device.name
        if outcome.error is None and outcome.value is not None:
            found.fields[name] = dict(outcome.value.register_fields())
        else:
            found.errors[name] = str(outcome.error)
