"""A lab's recorded state: ``.opsbook/lab/<name>/state.json``.

It lists exactly what ``lab up`` created (container ids, the device process id, ports), so that
``lab down`` removes exactly that and nothing else.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from pydantic import computed_field

from opsbook.base.model import Serial
from opsbook.errors import OpsbookError
from opsbook.paths import ProjectPaths

STATE_FILE = "state.json"
STATE_VERSION = 1

Platform = Literal["cisco_ios", "huawei_vrp"]
PLATFORMS: tuple[str, ...] = get_args(Platform)


@dataclass(frozen=True)
class LabShape:
    """What a lab is made of; ``lab up`` with the same shape is a no-op."""

    hosts: int
    devices: int
    ssh_port_base: int
    device_port_base: int

    def describe(self) -> str:
        parts = []
        if self.hosts:
            parts.append(f"{self.hosts} host(s) on SSH {_ports(self.ssh_port_base, self.hosts)}")
        if self.devices:
            parts.append(f"{self.devices} device(s) on {_ports(self.device_port_base, self.devices)}")
        return ", ".join(parts) or "nothing"


def _ports(base: int, count: int) -> str:
    return f"port {base}" if count == 1 else f"ports {base}-{base + count - 1}"


@dataclass
class HostRecord:
    name: str
    ssh_port: int
    serial: str
    container_id: str = ""


@dataclass
class DeviceRecord:
    """One simulated device; the same fields as :class:`opsbook.lab.devices.DeviceSpec`."""

    name: str
    platform: Platform
    port: int
    username: str
    password: str
    hostname: str
    model: str
    serial: str
    version: str


@dataclass
class LabState(Serial):
    name: str
    shape: LabShape
    created: str = ""  # YYYY-MM-DD, the day `lab up` made it
    image: str = ""
    ssh_key: str = ""
    inventory_dir: str = ""
    hosts: list[HostRecord] = field(default_factory=list)
    devices: list[DeviceRecord] = field(default_factory=list)
    device_pid: int | None = None
    complete: bool = False  # False while `lab up` is still starting things

    @property
    def ports(self) -> list[int]:
        return [h.ssh_port for h in self.hosts] + [d.port for d in self.devices]

    @computed_field  # type: ignore[prop-decorator]  # state.json's format version
    @property
    def version(self) -> int:
        return STATE_VERSION


def lab_dir(paths: ProjectPaths, name: str) -> Path:
    return paths.lab_dir(name)


def devices_dir(paths: ProjectPaths, name: str) -> Path:
    """The state folder handed to the devices' start/stop/status functions."""
    return lab_dir(paths, name) / "devices"


def state_path(paths: ProjectPaths, name: str) -> Path:
    return lab_dir(paths, name) / STATE_FILE


def load_state(paths: ProjectPaths, name: str) -> LabState | None:
    path = state_path(paths, name)
    if not path.is_file():
        return None
    try:
        return LabState.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise OpsbookError(
            f"{path} is not a valid lab state file ({exc}).",
            hint=f"remove the lab's containers by hand (`podman ps -a --filter label=opsbook.lab={name}`), "
            f"then delete {path.parent}",
        ) from exc


def save_state(paths: ProjectPaths, state: LabState) -> Path:
    path = state_path(paths, state.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds device passwords
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state.to_dict(), handle, indent=2)
        handle.write("\n")
    tmp.replace(path)
    return path
