"""Where device state lives on disk, and reading/writing it.

Layout under a lab's ``state_dir``::

    devices.json                 the DeviceSpec list the server was started with
    devices.pid                  {"pid": …, "ports": […]} of the running server
    devices.log                  the server's log
    ssh_host_ed25519_key         host key, made once per state_dir
    devices/<name>/running.cfg   running configuration (as ``show running-config`` /
                                 ``display current-configuration`` prints it, without header)
    devices/<name>/startup.cfg   startup / saved configuration, same form
    devices/<name>/device.json   boot time, last change/save, log buffer, pending revert timer
    devices/<name>/faults.json   injected faults (see :mod:`opsbook.lab.devices.faults`)

The server writes the files after every change. Writing ``running.cfg`` from outside (e.g.
:func:`write_running_config` to inject drift) is picked up before the device's next command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from opsbook.base.files import atomic_write
from opsbook.errors import OpsbookError
from opsbook.lab.devices.config import Node, parse_config, render_config
from opsbook.lab.devices.device import Clock, DeviceState, RevertTimer
from opsbook.lab.devices.initial import initial_config
from opsbook.lab.devices.spec import DeviceSpec

SPECS_FILE = "devices.json"
PID_FILE = "devices.pid"
LOG_FILE = "devices.log"
HOST_KEY_FILE = "ssh_host_ed25519_key"


def device_dir(state_dir: Path, name: str) -> Path:
    return Path(state_dir) / "devices" / name


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def initial_boot_time(spec: DeviceSpec, now: float) -> float:
    """Devices come up as if booted some days ago (3-40, stable per name)."""
    value = sum(ord(c) * (i + 1) for i, c in enumerate(spec.name))
    return now - (3 + value % 38) * 86400 - (value % 86400)


class DeviceStore:
    """Persistence of one device: load once, write after changes, notice outside edits."""

    def __init__(self, state_dir: Path, spec: DeviceSpec) -> None:
        self.spec = spec
        self.dir = device_dir(state_dir, spec.name)
        self.running_path = self.dir / "running.cfg"
        self.startup_path = self.dir / "startup.cfg"
        self.meta_path = self.dir / "device.json"
        self.faults_path = self.dir / "faults.json"
        self._written: dict[Path, tuple[int, int, int] | None] = {}
        self._generation = -1

    def load(self, clock: Clock) -> DeviceState:
        platform = self.spec.platform
        now = clock()
        running = self._read_config(self.running_path)
        startup = self._read_config(self.startup_path)
        if running is None:
            running = startup.copy() if startup is not None else initial_config(self.spec)
        if startup is None:
            startup = running.copy()
        meta = self._read_meta()
        dev = DeviceState(
            self.spec,
            running,
            startup,
            booted_at=float(meta.get("booted_at", initial_boot_time(self.spec, now))),
            clock=clock,
        )
        dev.log = [(float(t), str(m)) for t, m in meta.get("log", [])]
        if meta.get("last_change"):
            dev.last_change = (float(meta["last_change"][0]), str(meta["last_change"][1]))
        if meta.get("last_save"):
            dev.last_save = (float(meta["last_save"][0]), str(meta["last_save"][1]))
        revert = meta.get("revert")
        if revert:
            dev.revert = RevertTimer(
                parse_config(revert["snapshot"], platform),
                float(revert["deadline"]),
                int(revert["minutes"]),
                str(revert["user"]),
                float(revert["armed_at"]),
            )
        self.persist(dev, force=True)
        return dev

    def _read_config(self, path: Path) -> Node | None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return parse_config(text, self.spec.platform)

    def _read_meta(self) -> dict[str, Any]:
        try:
            data = json.loads(self.meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except json.JSONDecodeError as exc:
            raise OpsbookError(
                f"{self.meta_path}: line {exc.lineno}: not valid JSON; delete the file"
            ) from exc
        return data if isinstance(data, dict) else {}

    def persist(self, dev: DeviceState, force: bool = False) -> None:
        """Write the device's files when it changed since the last write."""
        if not force and dev.generation == self._generation:
            return
        platform = self.spec.platform
        for path, node in ((self.running_path, dev.running), (self.startup_path, dev.startup)):
            text = render_config(node, platform)
            atomic_write(path, text, mode=0o600)
            self._written[path] = _stat(path)
        meta: dict[str, Any] = {
            "booted_at": dev.booted_at,
            "last_change": list(dev.last_change) if dev.last_change else None,
            "last_save": list(dev.last_save) if dev.last_save else None,
            "log": [[t, m] for t, m in dev.log],
            "revert": None,
        }
        if dev.revert is not None:
            meta["revert"] = {
                "snapshot": render_config(dev.revert.snapshot, platform),
                "deadline": dev.revert.deadline,
                "minutes": dev.revert.minutes,
                "user": dev.revert.user,
                "armed_at": dev.revert.armed_at,
            }
        atomic_write(self.meta_path, json.dumps(meta, indent=1) + "\n", mode=0o600)
        self._generation = dev.generation

    def reload_if_changed(self, dev: DeviceState) -> bool:
        """Take in ``running.cfg`` / ``startup.cfg`` edited by someone else. True when it did."""
        changed = False
        for path in (self.running_path, self.startup_path):
            stat = _stat(path)
            if stat is None or stat == self._written.get(path):
                continue
            node = self._read_config(path)
            self._written[path] = stat
            if node is None:
                continue
            if path == self.running_path:
                dev.replace_running(node, "file")
            else:
                dev.startup = node
                dev.generation += 1
            changed = True
        if changed:
            self.persist(dev, force=True)
        return changed


def read_running_config(state_dir: Path, name: str) -> str:
    """The device's running configuration as stored (no volatile header)."""
    return _read(device_dir(state_dir, name) / "running.cfg")


def read_startup_config(state_dir: Path, name: str) -> str:
    return _read(device_dir(state_dir, name) / "startup.cfg")


def write_running_config(state_dir: Path, name: str, text: str) -> None:
    """Replace the running configuration (drift injection); the server takes it in before
    the device's next command."""
    path = device_dir(state_dir, name) / "running.cfg"
    if not path.parent.is_dir():
        raise OpsbookError(f"no lab device {name!r} under {state_dir}")
    atomic_write(path, text, mode=0o600)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise OpsbookError(f"{path}: no such device state (was the device ever started?)") from exc
