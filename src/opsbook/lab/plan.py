"""Planning a lab from its name and shape: names, ports, serials (pure, no I/O)."""

from __future__ import annotations

import hashlib
import re

from opsbook.errors import UsageError
from opsbook.lab.state import DeviceRecord, HostRecord, LabShape, Platform

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
MAX_HOSTS = 40
MAX_DEVICES = 40
DEVICE_USER = "admin"

# Same formats the simulated devices report (opsbook.lab.devices.spec defaults).
IOS_MODEL = "WS-C2960X-24TS-L"
IOS_VERSION = "15.2(7)E4"
VRP_MODEL = "AR2220E"
VRP_VERSION = "V200R010C10SPC700"


def validate_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise UsageError(
            f"lab name {name!r} is not valid: use 2-32 characters, lower-case letters, digits and '-', "
            "starting with a letter.",
            hint="for example --name mylab",
        )
    return name


def validate_shape(shape: LabShape) -> LabShape:
    if not 0 <= shape.hosts <= MAX_HOSTS:
        raise UsageError(f"--hosts {shape.hosts}: a lab has 0 to {MAX_HOSTS} hosts.")
    if not 0 <= shape.devices <= MAX_DEVICES:
        raise UsageError(f"--devices {shape.devices}: a lab has 0 to {MAX_DEVICES} devices.")
    if shape.hosts + shape.devices == 0:
        raise UsageError("a lab needs at least one host or device.", hint="for example --hosts 1")
    return shape


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode("utf-8")).hexdigest().upper()


def host_name(lab: str, index: int) -> str:
    return f"{lab}-host{index:02d}"


def host_serial(lab: str, name: str) -> str:
    """A synthetic, stable serial number for a container host."""
    return "LAB" + _digest(lab, name)[:9]


def plan_hosts(lab: str, shape: LabShape) -> list[HostRecord]:
    hosts = []
    for i in range(shape.hosts):
        name = host_name(lab, i + 1)
        hosts.append(HostRecord(name=name, ssh_port=shape.ssh_port_base + i, serial=host_serial(lab, name)))
    return hosts


def device_platform(index: int) -> Platform:
    """Devices alternate: IOS switch, VRP router, IOS switch, …"""
    return "cisco_ios" if index % 2 == 0 else "huawei_vrp"


def plan_devices(lab: str, shape: LabShape, password: str) -> list[DeviceRecord]:
    devices = []
    counts: dict[Platform, int] = {"cisco_ios": 0, "huawei_vrp": 0}
    for i in range(shape.devices):
        platform = device_platform(i)
        counts[platform] += 1
        if platform == "cisco_ios":
            name = f"{lab}-sw{counts[platform]:02d}"
            model, version = IOS_MODEL, IOS_VERSION
            serial = "FOC" + _digest(lab, name)[:8]
        else:
            name = f"{lab}-rt{counts[platform]:02d}"
            model, version = VRP_MODEL, VRP_VERSION
            serial = "2102" + _digest(lab, name)[:16]
        devices.append(
            DeviceRecord(
                name=name,
                platform=platform,
                port=shape.device_port_base + i,
                username=DEVICE_USER,
                password=password,
                hostname=name,
                model=model,
                serial=serial,
                version=version,
            )
        )
    return devices
