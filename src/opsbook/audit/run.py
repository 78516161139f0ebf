"""Run an audit: inventory → (audit playbook in check + diff mode ∥ device compliance) →
classification → "since when" from the history → saved audit + reports.

The I/O edge of the audit. Everything it decides is in :mod:`opsbook.audit.classify` (pure);
the runner and the network check are passed in, so the flow is testable without a lab.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from opsbook.audit.classify import Classified, classify_run
from opsbook.audit.history import AuditStore
from opsbook.audit.model import Audit
from opsbook.audit.reports import FILE_NAMES, write_reports
from opsbook.audit.taskmeta import META_FILE, callback_env, load_task_meta
from opsbook.base.clock import now_iso
from opsbook.errors import OpsbookError, UsageError
from opsbook.paths import ProjectPaths
from opsbook.results import RunResult, TaskResult
from opsbook.runner.callbacks import EventHandler, StatusHandler

SCOPES = ("linux", "network")
PLAYBOOK = "audit.yml"
#: the inventory group the audit playbook manages (the "linux" scope)
LINUX_GROUP = "linux"

RunFn = Callable[..., RunResult]
#: devices → per-device TaskResults (see :func:`network_check`)
NetworkFn = Callable[[Sequence[Any]], list[TaskResult]]


@dataclass(frozen=True)
class AuditRequest:
    inventory: Sequence[str] | None = None
    limit: str | None = None
    scopes: Sequence[str] = SCOPES
    forks: int | None = None
    timeout: float | None = None
    #: the runner's callbacks (opsbook.runner.callbacks): the CLI's live display, or none
    on_event: EventHandler | None = None
    on_status: StatusHandler | None = None
    playbook: str = PLAYBOOK


@dataclass
class Targets:
    """What the inventory says is in scope: Linux hosts, network devices, customers."""

    linux: list[str] = field(default_factory=list)
    devices: list[Any] = field(default_factory=list)
    customers: dict[str, str] = field(default_factory=dict)


def parse_scopes(values: Sequence[str]) -> list[str]:
    scopes: list[str] = []
    for value in values:
        for raw in value.split(","):
            name = raw.strip().lower()
            if not name:
                continue
            if name not in SCOPES:
                raise UsageError(f"unknown audit scope {name!r}", hint="use " + ", ".join(SCOPES))
            if name not in scopes:
                scopes.append(name)
    return scopes or list(SCOPES)


def _group_hosts(data: Mapping[str, Any], group: str) -> set[str]:
    """Every host of ``group`` and its child groups in ``ansible-inventory --list`` JSON."""
    found: set[str] = set()
    todo, seen = [group], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        entry = data.get(name)
        if isinstance(entry, Mapping):
            found.update(str(h) for h in entry.get("hosts", []) or [])
            todo.extend(str(c) for c in entry.get("children", []) or [])
    return found


def targets_from_inventory(data: Mapping[str, Any], scopes: Sequence[str]) -> Targets:
    """Pure: ``ansible-inventory --list`` JSON (already limited) → what to audit."""
    from opsbook.network.inventory import devices_from_inventory  # noqa: PLC0415 — jinja/hier_config only when needed

    hostvars: Mapping[str, Mapping[str, Any]] = data.get("_meta", {}).get("hostvars", {})
    every = set(hostvars) | _group_hosts(data, "all")
    customers = {h: str(hostvars.get(h, {}).get("asset_customer", "") or "") for h in every}
    targets = Targets(customers=customers)
    devices = devices_from_inventory(data, sorted(every))
    device_names = {d.name for d in devices}
    if "network" in scopes:
        targets.devices = devices
    if "linux" in scopes:
        targets.linux = sorted(_group_hosts(data, LINUX_GROUP) - device_names)
    return targets


def network_check(devices: Sequence[Any]) -> list[TaskResult]:
    """Device compliance through the network package (netmiko, concurrent): one TaskResult per
    device feature, unreachable / unverifiable devices included."""
    from opsbook.network import compliance as net_compliance  # noqa: PLC0415
    from opsbook.network import operations  # noqa: PLC0415

    run = operations.compliance(list(devices))
    tasks: list[TaskResult] = []
    for result in run.results:
        tasks += net_compliance.to_task_results(result)
    return tasks


def _network_result(audit_id: str, tasks: list[TaskResult], started: str) -> RunResult:
    return RunResult(
        run_id=f"{audit_id}-network",
        playbook="(network compliance)",
        artifact_dir=Path(),
        status="successful",
        rc=0,
        started=started,
        ended=now_iso(),
        check=True,
        diff=True,
        tasks=tasks,
    )


class Auditor:
    def __init__(
        self,
        paths: ProjectPaths,
        *,
        runner: RunFn | None = None,
        network: NetworkFn = network_check,
        inventory_loader: Callable[..., dict[str, Any]] | None = None,
        store: AuditStore | None = None,
    ) -> None:
        self.paths = paths
        self._runner = runner
        self.network = network
        self._inventory_loader = inventory_loader
        #: hosts the last run skipped because their register data has a problem (one line each)
        self.skipped: list[str] = []
        self.store = store or AuditStore(paths.state / "audits")

    def runner(self) -> RunFn:
        if self._runner is None:
            from opsbook.runner import run_playbook  # noqa: PLC0415 — keeps the CLI quick to start

            self._runner = run_playbook
        return self._runner

    def load_inventory(self, request: AuditRequest) -> dict[str, Any]:
        """``ansible-inventory --list`` JSON of the hosts to audit, read by the register's one reader.

        Read-only: hosts whose register data has a problem are skipped and listed in
        :attr:`skipped`; a problem of the whole register refuses here, before any connection.
        """
        if self._inventory_loader is not None:
            return self._inventory_loader(request.inventory or None, limit=request.limit, paths=self.paths)
        from opsbook.register import default_inventory, read_scope  # noqa: PLC0415

        sources = list(request.inventory) if request.inventory else default_inventory(self.paths)
        scope = read_scope(sources, limit=request.limit, read_only=True)
        self.skipped = scope.skipped_lines()
        return scope.inventory_data()

    def run(self, request: AuditRequest) -> Audit:
        """Audit, classify, fill "since", save under ``.opsbook/audits/<id>/`` with every report."""
        from opsbook.runner import new_run_id, resolve_inventories  # noqa: PLC0415
        from opsbook.runner.statedir import preflight_state  # noqa: PLC0415

        if request.inventory:  # relative: to the current folder, else to the project (as `opsbook run`)
            found = resolve_inventories(request.inventory, self.paths)
            request = replace(request, inventory=[str(p) for p in found])
        scopes = list(request.scopes)
        targets = targets_from_inventory(self.load_inventory(request), scopes)
        if not targets.linux and not targets.devices:
            where = f" matching --limit {request.limit!r}" if request.limit else ""
            raise UsageError(
                f"nothing to audit{where} in scope {', '.join(scopes)}: no host of group "
                f"'{LINUX_GROUP}' and no network device",
                hint="check -i / --limit / --scope; is the lab up (opsbook lab up)?",
            )
        preflight_state(self.store.root)  # a read-only or full state folder: refused before any host
        audit_id = new_run_id()
        audit = Audit(
            id=audit_id,
            started=now_iso(),
            scopes=scopes,
            limit=request.limit,
            inventory=[str(i) for i in request.inventory or []],
        )
        audit.errors += self.skipped  # not audited: each line names the host and its register problem
        parts: list[Classified] = []
        with ThreadPoolExecutor(max_workers=1) as pool:
            net_future: Future[list[TaskResult]] | None = None
            net_started = now_iso()
            if targets.devices:
                net_future = pool.submit(self.network, targets.devices)
            if targets.linux:
                result = self._run_linux(audit_id, request, targets.linux)
                audit.runs.append(result.run_id)
                metas = load_task_meta(result.artifact_dir / META_FILE)
                parts.append(
                    classify_run(
                        result,
                        metas=metas,
                        expected_hosts=targets.linux,
                        customers=targets.customers,
                        scope="linux",
                    )
                )
            if net_future is not None:
                try:
                    tasks = net_future.result()
                except OpsbookError as exc:
                    audit.errors.append(f"network compliance could not run: {exc}")
                    tasks = []
                net = _network_result(audit_id, tasks, net_started)
                parts.append(
                    classify_run(
                        net,
                        expected_hosts=[d.name for d in targets.devices],
                        customers=targets.customers,
                        scope="network",
                    )
                )
        for part in parts:
            audit.hosts += part.hosts
            audit.errors += part.errors
        audit.hosts.sort(key=lambda h: (h.customer, h.host))
        audit.ended = now_iso()
        self.store.fill_since(audit)
        self.store.save(audit)
        write_reports(audit, list(FILE_NAMES), self.store.folder(audit.id))
        return audit

    def _run_linux(self, audit_id: str, request: AuditRequest, hosts: Sequence[str]) -> RunResult:
        run_dir = self.paths.runs / audit_id
        run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.runner()(
            request.playbook,
            inventory=list(request.inventory) if request.inventory else None,
            limit=",".join(hosts),
            check=True,
            diff=True,
            forks=request.forks,
            timeout=request.timeout,
            on_event=request.on_event,
            on_status=request.on_status,
            envvars=callback_env(run_dir / META_FILE),
            run_id=audit_id,
            label="audit (check mode)",
            paths=self.paths,
        )


def report_paths(store: AuditStore, audit: Audit) -> dict[str, Path]:
    folder = store.folder(audit.id)
    return {fmt: folder / name for fmt, name in FILE_NAMES.items() if (folder / name).exists()}
