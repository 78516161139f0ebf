"""The network jobs over many devices, as the CLI, the audit and the benchmark call them.

Each job connects to every device concurrently (:func:`opsbook.network.connect.run_many`),
fetches what it needs once, and returns one outcome per device; a device that cannot be reached
is reported, never skipped and never "compliant".

* :func:`backup` — running configs into the git store (one commit);
* :func:`compliance` — per-feature compliance of every device (optionally backing up the same
  configs in the same pass: one connection per device for both);
* :func:`render_all` — intended configurations, no connection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from opsbook.base.gc import gc_paused
from opsbook.errors import OpsbookError
from opsbook.network.backup import BackupStore
from opsbook.network.compliance import DeviceCompliance, DeviceStatus, check_device
from opsbook.network.connect import (
    DEFAULT_WORKERS,
    Connector,
    Outcome,
    Session,
    netmiko_connector,
    run_many,
    with_session,
)
from opsbook.network.inventory import NetDevice
from opsbook.network.render import Intended, render_device


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fetch_running(
    devices: Sequence[NetDevice],
    *,
    connector: Connector | None = None,
    workers: int = DEFAULT_WORKERS,
    on_done: Callable[[Outcome[str]], None] | None = None,
) -> list[Outcome[str]]:
    """Every device's running configuration (raw, with secrets: keep it in memory only)."""

    def job(session: Session) -> str:
        return session.running_config()

    return run_many(
        devices, with_session(connector or netmiko_connector(), job), workers=workers, on_done=on_done
    )


@dataclass
class BackupRun:
    commit: str | None
    outcomes: list[Outcome[str]] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome[str]]:
        return [o for o in self.outcomes if not o.ok]


def store_backups(
    store: BackupStore, outcomes: Sequence[Outcome[str]], *, reason: str = "backup"
) -> BackupRun:
    configs = {o.device.name: (o.device.platform, o.value) for o in outcomes if o.ok and o.value is not None}
    before = {name: _head_blob(store, name) for name in configs}
    commit = store.save(configs, reason=reason) if configs else None
    changed = [name for name in configs if commit and _head_blob(store, name) != before[name]]
    return BackupRun(commit=commit, outcomes=list(outcomes), changed=sorted(changed))


def _head_blob(store: BackupStore, device: str) -> str:
    path = store.path(device)
    return path.read_text(encoding="utf-8") if path.exists() else ""


def backup(
    devices: Sequence[NetDevice],
    store: BackupStore,
    *,
    connector: Connector | None = None,
    workers: int = DEFAULT_WORKERS,
    reason: str = "backup",
    on_done: Callable[[Outcome[str]], None] | None = None,
) -> BackupRun:
    """Back up every device's running configuration in one commit."""
    outcomes = fetch_running(devices, connector=connector, workers=workers, on_done=on_done)
    return store_backups(store, outcomes, reason=reason)


def render_all(devices: Sequence[NetDevice]) -> dict[str, Intended | OpsbookError]:
    """Intended configuration of each device (or the error that prevented rendering it)."""
    out: dict[str, Intended | OpsbookError] = {}
    for device in devices:
        try:
            out[device.name] = render_device(device.name, device.platform, device.vars)
        except OpsbookError as exc:
            out[device.name] = exc
    return out


def classify(device: NetDevice, outcome: Outcome[str], intended: Intended | OpsbookError) -> DeviceCompliance:
    """One device's compliance from its fetch outcome and rendered intent."""
    stamp = _now()
    if isinstance(intended, OpsbookError):
        return DeviceCompliance(
            device.name, device.platform, DeviceStatus.UNVERIFIABLE, error=str(intended), checked_at=stamp
        )
    if not outcome.ok or outcome.value is None:
        status = DeviceStatus.UNREACHABLE if outcome.unreachable else DeviceStatus.UNVERIFIABLE
        return DeviceCompliance(
            device.name, device.platform, status, error=str(outcome.error or "no output"), checked_at=stamp
        )
    try:
        return check_device(device.name, device.platform, outcome.value, intended.features, checked_at=stamp)
    except Exception as exc:  # one unparsable configuration must not stop the check of the others
        return DeviceCompliance(
            device.name,
            device.platform,
            DeviceStatus.UNVERIFIABLE,
            error=f"cannot compare the configurations: {type(exc).__name__}: {exc}"[:500],
            checked_at=stamp,
        )


@dataclass
class ComplianceRun:
    results: list[DeviceCompliance]
    backup: BackupRun | None = None

    @property
    def exit_code(self) -> int:
        """0 all compliant, 2 drift found, 1 a device could not be checked."""
        statuses = {r.status for r in self.results}
        if statuses & {DeviceStatus.UNREACHABLE, DeviceStatus.UNVERIFIABLE}:
            return 1
        return 2 if DeviceStatus.DRIFTED in statuses else 0


def compliance(
    devices: Sequence[NetDevice],
    *,
    connector: Connector | None = None,
    workers: int = DEFAULT_WORKERS,
    store: BackupStore | None = None,
    on_done: Callable[[Outcome[str]], None] | None = None,
) -> ComplianceRun:
    """Compliance of every device; with ``store``, the fetched configs are backed up too.

    Each device is checked in its worker thread as soon as its configuration arrives, so the
    checking overlaps the waiting for other devices.
    """
    intended = render_all(devices)
    results: dict[str, DeviceCompliance] = {}

    def check(outcome: Outcome[str]) -> None:
        results[outcome.device.name] = classify(outcome.device, outcome, intended[outcome.device.name])
        if on_done is not None:
            on_done(outcome)

    with gc_paused():
        outcomes = fetch_running(devices, connector=connector, workers=workers, on_done=check)
    run = ComplianceRun(results=[results[o.device.name] for o in outcomes])
    if store is not None:
        run.backup = store_backups(store, outcomes, reason="backup (compliance run)")
    return run
