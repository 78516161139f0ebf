"""Bringing a whole lab up, inspecting it, taking it down (hosts, devices, inventory, state).

``up`` checks everything it can before starting anything (ports free, no leftover containers),
records every container id as soon as it exists, and removes all it created if anything fails
midway. ``down`` removes exactly what the state file lists and is idempotent.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsbook.errors import OpsbookError
from opsbook.lab import hosts as lab_hosts
from opsbook.lab.image import ensure_image
from opsbook.lab.inventory import remove_inventory, write_inventory, write_podman_overlay, write_ssh_config
from opsbook.lab.keys import ensure_keypair
from opsbook.lab.plan import plan_devices, plan_hosts, validate_name, validate_shape
from opsbook.lab.podman import podman_env, podman_executable
from opsbook.lab.ports import check_ports
from opsbook.lab.state import (
    DeviceRecord,
    HostRecord,
    LabShape,
    LabState,
    devices_dir,
    lab_dir,
    load_state,
    save_state,
)
from opsbook.paths import DEFAULT_LAB, ProjectPaths, project_paths

if TYPE_CHECKING:
    from opsbook.lab.devices import DeviceSpec

DEFAULT_HOSTS = 3
DEFAULT_DEVICES = 2
DEFAULT_SSH_PORT_BASE = 2201
DEFAULT_DEVICE_PORT_BASE = 2301

Log = Callable[[str], None]


def _quiet(_msg: str) -> None:
    pass


def resolve_name(name: str | None = None) -> str:
    """The lab's name: ``name``, else ``$OPSBOOK_LAB``, else ``opsbook``."""
    return validate_name(name or os.environ.get("OPSBOOK_LAB") or DEFAULT_LAB)


def inventory_dir_for(paths: ProjectPaths, name: str) -> Path:
    """The default lab writes ``inventory/lab/``; any other lab its own state folder."""
    return paths.lab_inventory_dir(name)


def podman_inventory_path(paths: ProjectPaths, name: str) -> Path:
    return lab_dir(paths, name) / "podman-inventory.yml"


def ssh_config_path(paths: ProjectPaths, name: str) -> Path:
    return lab_dir(paths, name) / "ssh" / "config"


@dataclass
class UpResult:
    state: LabState
    created: bool  # False: the lab was already up with this shape, nothing was started
    inventory: Path
    messages: list[str] = field(default_factory=list)


@dataclass
class LabStatus:
    state: LabState
    host_states: dict[str, str]  # host name → podman state
    device_up: dict[str, bool]  # device name → accepts SSH

    @property
    def healthy(self) -> bool:
        return (
            self.state.complete
            and all(s == "running" for s in self.host_states.values())
            and all(self.device_up.get(d.name, False) for d in self.state.devices)
        )


@contextmanager
def _lab_lock(paths: ProjectPaths, name: str) -> Iterator[None]:
    """One `lab up`/`lab down` at a time per lab (other opsbook processes wait)."""
    paths.lab_state.mkdir(parents=True, exist_ok=True)
    with (paths.lab_state / f".{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def status(name: str | None = None, *, paths: ProjectPaths | None = None) -> LabStatus | None:
    """The lab's state and what is really running; ``None`` when the lab is not up."""
    paths = paths or project_paths()
    name = resolve_name(name)
    state = load_state(paths, name)
    if state is None:
        return None
    return _status(paths, state, podman_env(paths))


def _status(paths: ProjectPaths, state: LabState, env: Mapping[str, str]) -> LabStatus:
    by_id = lab_hosts.container_states([h.container_id for h in state.hosts], env)
    host_states = {h.name: by_id.get(h.container_id, "missing") for h in state.hosts}
    device_up: dict[str, bool] = {}
    if state.devices:
        from opsbook.lab.devices import device_status  # noqa: PLC0415 - only labs with devices need it

        device_up = device_status(devices_dir(paths, state.name))
    return LabStatus(state=state, host_states=host_states, device_up=device_up)


def up(
    name: str | None = None,
    *,
    hosts: int = DEFAULT_HOSTS,
    devices: int = DEFAULT_DEVICES,
    ssh_port_base: int = DEFAULT_SSH_PORT_BASE,
    device_port_base: int = DEFAULT_DEVICE_PORT_BASE,
    paths: ProjectPaths | None = None,
    log: Log = _quiet,
) -> UpResult:
    """Bring the lab up (or confirm it is up with this shape) and write its inventory."""
    paths = paths or project_paths()
    name = resolve_name(name)
    shape = validate_shape(LabShape(hosts, devices, ssh_port_base, device_port_base))
    podman_executable()  # podman missing: say which package to install before anything else
    env = podman_env(paths)
    messages: list[str] = []
    with _lab_lock(paths, name):
        existing = load_state(paths, name)
        if existing is not None:
            if existing.complete and existing.shape != shape:
                raise OpsbookError(
                    f"lab {name} is already up with {existing.shape.describe()}; "
                    f"you asked for {shape.describe()}.",
                    hint=f"take it down first: opsbook lab down --name {name}",
                )
            current = _status(paths, existing, env)
            if current.healthy:
                inventory = _write_inventories(paths, existing)
                return UpResult(existing, created=False, inventory=inventory, messages=["already up"])
            note = f"lab {name} was partly down (or an earlier `lab up` was interrupted): recreating it"
            log(note)
            messages.append(note)
            _down(paths, existing, env)
        state = _create(paths, name, shape, env, log)
        try:
            inventory = _write_inventories(paths, state)
            state.complete = True
            save_state(paths, state)
        except BaseException:
            log(f"lab {name}: writing the inventory failed: removing what was created")
            _down(paths, state, env)
            raise
        return UpResult(state, created=True, inventory=inventory, messages=messages)


def _create(paths: ProjectPaths, name: str, shape: LabShape, env: Mapping[str, str], log: Log) -> LabState:
    host_plan = plan_hosts(name, shape)
    device_plan = plan_devices(name, shape, password=secrets.token_urlsafe(12))
    check_ports([h.ssh_port for h in host_plan] + [d.port for d in device_plan])
    leftovers = lab_hosts.existing_containers([h.name for h in host_plan], env)
    if leftovers:
        raise OpsbookError(
            f"container(s) {', '.join(leftovers)} already exist but are not part of lab {name}'s state; "
            "nothing was started.",
            hint=f"remove them: eval $(opsbook lab env) && podman rm -f {' '.join(leftovers)}",
        )
    image = ensure_image(paths, env, log=log) if host_plan else ""
    key_path, public_key = ensure_keypair(lab_dir(paths, name) / "ssh", comment=f"opsbook-lab-{name}")
    state = LabState(
        name=name,
        shape=shape,
        created=dt.date.today().isoformat(),
        image=image,
        ssh_key=str(key_path),
        inventory_dir=str(inventory_dir_for(paths, name)),
        hosts=host_plan,
        devices=device_plan,
    )
    save_state(paths, state)
    log(f"starting lab {name}: {shape.describe()}")
    try:
        _start_all(paths, state, public_key, env, log)
    except BaseException:
        log(f"lab {name} failed to start: removing what was created")
        _down(paths, state, env)
        raise
    return state


def _start_all(
    paths: ProjectPaths, state: LabState, public_key: str, env: Mapping[str, str], log: Log
) -> None:
    save_lock = threading.Lock()
    cancel = threading.Event()
    key_path = Path(state.ssh_key)

    def bring_up(host: HostRecord) -> None:
        if cancel.is_set():
            return
        lab_hosts.start_container(state.name, host, state.image, public_key, env)
        with save_lock:
            save_state(paths, state)  # the id is on record before we wait for anything
        lab_hosts.wait_booted(host, env, cancel=cancel)
        lab_hosts.wait_ssh(host, key_path, cancel=cancel)
        log(f"  {host.name} up (ssh 127.0.0.1:{host.ssh_port})")

    workers = len(state.hosts) + 1  # threads mostly wait; podman itself serialises its work
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lab-up") as pool:
        futures: list[Future[Any]] = []
        device_future: Future[int] | None = None
        if state.devices:
            device_future = pool.submit(_start_devices, paths, state)
            futures.append(device_future)
        futures += [pool.submit(bring_up, h) for h in state.hosts]
        try:
            done, _pending = wait(futures, return_when=FIRST_EXCEPTION)
            errors = [exc for f in futures if f in done and (exc := f.exception()) is not None]
            if errors:
                cancel.set()
                raise errors[0]
        except BaseException:
            cancel.set()
            raise
        if device_future is not None:
            state.device_pid = device_future.result()
            with save_lock:
                save_state(paths, state)
            log(f"  {len(state.devices)} device(s) up (pid {state.device_pid})")


def _device_spec(record: DeviceRecord) -> DeviceSpec:
    from opsbook.lab.devices import DeviceSpec  # noqa: PLC0415 - only labs with devices

    return DeviceSpec(
        name=record.name,
        platform=record.platform,
        port=record.port,
        username=record.username,
        password=record.password,
        hostname=record.hostname,
        model=record.model,
        serial=record.serial,
        version=record.version,
    )


def _start_devices(paths: ProjectPaths, state: LabState) -> int:
    from opsbook.lab.devices import start_devices  # noqa: PLC0415 - only labs with devices

    folder = devices_dir(paths, state.name)
    folder.mkdir(parents=True, exist_ok=True)
    pid: int = start_devices([_device_spec(d) for d in state.devices], folder)
    return pid


def _intended_device_vars(record: DeviceRecord) -> dict[str, Any]:
    """The device's intended configuration (``net_*``): a fresh lab device is compliant with it."""
    from opsbook.lab.devices.netvars import lab_net_vars  # noqa: PLC0415 - only labs with devices

    return lab_net_vars(_device_spec(record))


def _write_inventories(paths: ProjectPaths, state: LabState) -> Path:
    key_path = Path(state.ssh_key)
    inventory = write_inventory(Path(state.inventory_dir), state, key_path, _intended_device_vars)
    write_podman_overlay(podman_inventory_path(paths, state.name), state)
    write_ssh_config(ssh_config_path(paths, state.name), state, key_path)
    return inventory


def down(name: str | None = None, *, paths: ProjectPaths | None = None, log: Log = _quiet) -> LabState | None:
    """Remove the lab's containers (by id), device process and inventory; ``None`` if it was not up."""
    paths = paths or project_paths()
    name = resolve_name(name)
    with _lab_lock(paths, name):
        state = load_state(paths, name)
        if state is None:
            folder = lab_dir(paths, name)
            if folder.exists():
                shutil.rmtree(folder)
            return None
        env = podman_env(paths)
        log(f"removing lab {name}: {len(state.hosts)} host(s), {len(state.devices)} device(s)")
        _down(paths, state, env)
        return state


def _down(paths: ProjectPaths, state: LabState, env: Mapping[str, str]) -> None:
    podman_executable()
    lab_hosts.remove_containers([h.container_id for h in state.hosts], env)
    if state.devices:
        from opsbook.lab.devices import stop_devices  # noqa: PLC0415 - only labs with devices

        stop_devices(devices_dir(paths, state.name))
    if state.inventory_dir:
        remove_inventory(Path(state.inventory_dir))
    shutil.rmtree(lab_dir(paths, state.name), ignore_errors=True)
