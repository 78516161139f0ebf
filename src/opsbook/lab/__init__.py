"""The embedded lab: Linux hosts (podman containers booting systemd) and simulated network devices.

Python API (used by the CLI and by the test fixture ``tests/lab/conftest.py::lab``)::

    from opsbook.lab import up, down, status, podman_env
    result = up("mylab", hosts=2, devices=0, ssh_port_base=4201)
    result.inventory            # path of the generated hosts.yml
    down("mylab")

Modules, one job each: :mod:`~opsbook.lab.podman` (podman with the project's configuration),
:mod:`~opsbook.lab.image` (the Debian image), :mod:`~opsbook.lab.hosts` (containers),
:mod:`~opsbook.lab.ports`, :mod:`~opsbook.lab.keys`, :mod:`~opsbook.lab.plan` (names, ports,
serials), :mod:`~opsbook.lab.state` (state.json), :mod:`~opsbook.lab.inventory`,
:mod:`~opsbook.lab.control` (up / status / down), and ``devices/`` (simulated devices).
"""

from opsbook.lab.control import (
    DEFAULT_DEVICE_PORT_BASE,
    DEFAULT_DEVICES,
    DEFAULT_HOSTS,
    DEFAULT_SSH_PORT_BASE,
    LabStatus,
    UpResult,
    down,
    inventory_dir_for,
    podman_inventory_path,
    resolve_name,
    ssh_config_path,
    status,
    up,
)
from opsbook.lab.podman import podman_env, podman_vars
from opsbook.lab.state import DeviceRecord, HostRecord, LabShape, LabState
from opsbook.paths import DEFAULT_LAB

__all__ = [
    "DEFAULT_DEVICES",
    "DEFAULT_DEVICE_PORT_BASE",
    "DEFAULT_HOSTS",
    "DEFAULT_LAB",
    "DEFAULT_SSH_PORT_BASE",
    "DeviceRecord",
    "HostRecord",
    "LabShape",
    "LabState",
    "LabStatus",
    "UpResult",
    "down",
    "inventory_dir_for",
    "podman_env",
    "podman_inventory_path",
    "podman_vars",
    "resolve_name",
    "ssh_config_path",
    "status",
    "up",
]
