"""A running lab as tests and scripts use it: where its inventory is, its hosts, its devices.

Built by the test fixture ``tests/lab/conftest.py::lab`` (and usable by benchmarks)::

    handle = LabHandle.from_state(paths, state)
    handle.sh("opsbook-test-host01", "df -h /srv/data").stdout
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from opsbook.lab.control import podman_inventory_path, ssh_config_path
from opsbook.lab.podman import podman_env, podman_executable
from opsbook.lab.state import LabState
from opsbook.paths import ProjectPaths

NETMIKO_TYPES = {"cisco_ios": "cisco_ios", "huawei_vrp": "huawei"}


@dataclass(frozen=True)
class LabDevice:
    name: str
    platform: str  # cisco_ios | huawei_vrp
    port: int
    username: str
    password: str
    host: str = "127.0.0.1"

    @property
    def netmiko_device_type(self) -> str:
        return NETMIKO_TYPES[self.platform]

    def netmiko_params(self) -> dict[str, object]:
        """Keyword arguments for ``netmiko.ConnectHandler``."""
        return {
            "device_type": self.netmiko_device_type,
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "password": self.password,
        }


@dataclass(frozen=True)
class LabHandle:
    name: str
    root: Path  # the project
    inventory: Path  # the inventory folder (pass it to -i)
    podman_inventory: Path  # overlay: adds the hosts to group lab_podman (podman exec)
    ssh_config: Path
    ssh_key: Path
    hosts: list[str]
    host_ports: dict[str, int]
    devices: list[LabDevice]
    env: dict[str, str] = field(repr=False)  # os.environ + podman's configuration
    state: LabState = field(repr=False)

    @classmethod
    def from_state(cls, paths: ProjectPaths, state: LabState) -> LabHandle:
        return cls(
            name=state.name,
            root=paths.root,
            inventory=Path(state.inventory_dir),
            podman_inventory=podman_inventory_path(paths, state.name),
            ssh_config=ssh_config_path(paths, state.name),
            ssh_key=Path(state.ssh_key),
            hosts=[h.name for h in state.hosts],
            host_ports={h.name: h.ssh_port for h in state.hosts},
            devices=[LabDevice(d.name, d.platform, d.port, d.username, d.password) for d in state.devices],
            env=podman_env(paths),
            state=state,
        )

    @property
    def device_names(self) -> list[str]:
        return [d.name for d in self.devices]

    def device(self, name: str) -> LabDevice:
        for device in self.devices:
            if device.name == name:
                return device
        raise KeyError(f"lab {self.name} has no device {name!r}")

    def devices_of(self, platform: str) -> list[LabDevice]:
        return [d for d in self.devices if d.platform == platform]

    def container_id(self, host: str) -> str:
        for record in self.state.hosts:
            if record.name == host:
                return record.container_id
        raise KeyError(f"lab {self.name} has no host {host!r}")

    def sh(
        self, host: str, command: str, *, check: bool = True, timeout: float = 300, user: str = "root"
    ) -> subprocess.CompletedProcess[str]:
        """Run ``sh -c command`` in ``host`` through podman exec; raises on a non-zero exit with ``check``."""
        proc = subprocess.run(
            [podman_executable(), "exec", "--user", user, self.container_id(host), "sh", "-c", command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"{host}: `{command}` exited {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
            )
        return proc

    def ansible_env(self) -> dict[str, str]:
        """Environment for ansible / ansible-playbook: podman's settings, the venv's bin first, our cfg."""
        env = dict(self.env)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["ANSIBLE_CONFIG"] = str(self.root / "ansible.cfg")
        env.setdefault("ANSIBLE_DEPRECATION_WARNINGS", "false")
        return env
