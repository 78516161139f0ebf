"""Simulated, stateful network devices for the lab (Cisco IOS and Huawei VRP over SSH).

Public API::

    DeviceSpec(name, platform, port, username, password, hostname="", model="", serial="",
               version="", enable_secret="", privilege=15, snmp_community="opsbook-lab-ro",
               revert_minute_seconds=60.0)
    start_devices(specs, state_dir) -> pid      stop_devices(state_dir)
    device_status(state_dir) -> {name: bool}    running_pid(state_dir) -> pid | None
    set_faults(state_dir, name, **faults)       clear_faults(state_dir, name=None)
    read_running_config / read_startup_config / write_running_config(state_dir, name[, text])

See docs/lab-devices.md.
"""

from opsbook.lab.devices.control import device_status, running_pid, start_devices, stop_devices
from opsbook.lab.devices.faults import Faults, clear_faults, read_faults, set_faults
from opsbook.lab.devices.spec import PLATFORMS, DeviceSpec, Platform
from opsbook.lab.devices.store import (
    device_dir,
    read_running_config,
    read_startup_config,
    write_running_config,
)

__all__ = [
    "PLATFORMS",
    "DeviceSpec",
    "Faults",
    "Platform",
    "clear_faults",
    "device_dir",
    "device_status",
    "read_faults",
    "read_running_config",
    "read_startup_config",
    "running_pid",
    "set_faults",
    "start_devices",
    "stop_devices",
    "write_running_config",
]
