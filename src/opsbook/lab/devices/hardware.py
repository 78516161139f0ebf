"""What a device model is physically: role, ports, management port, image names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsbook.lab.devices.spec import DeviceSpec


@dataclass(frozen=True)
class Hardware:
    role: str  # "switch" | "router"
    ports: tuple[str, ...]  # physical interfaces, in order
    mgmt: str  # the out-of-band management interface
    family: str  # e.g. "C2960X", "C2900", "AR2200"
    mac_base: str  # "0011.2233.4400" style, unique per device


def _mac_base(spec: DeviceSpec) -> str:
    value = 0
    for char in spec.name:
        value = (value * 257 + ord(char)) % (1 << 24)
    return f"00{value >> 16:02x}.{(value >> 8) & 0xFF:02x}{value & 0xFF:02x}.00"


def hardware_for(spec: DeviceSpec) -> Hardware:
    model = spec.model
    if spec.platform == "huawei_vrp":
        family = re.sub(r"^(AR\d)\d*.*$", r"\g<1>200", model) if model.startswith("AR") else model
        ports = tuple(f"GigabitEthernet0/0/{i}" for i in range(3))
        return Hardware("router", ports, "GigabitEthernet0/0/0", family, _mac_base(spec))
    if model.startswith(("WS-C", "C9", "IE-")):
        count = 48 if "-48" in model else 24
        ports = tuple(f"GigabitEthernet1/0/{i}" for i in range(1, count + 5))
        family = model.split("-")[1] if model.startswith("WS-") else model.split("-")[0]
        return Hardware("switch", ("FastEthernet0", *ports), "FastEthernet0", family, _mac_base(spec))
    family = re.sub(r"^CISCO(\d\d)\d\d.*$", r"C\g<1>00", model)
    ports = tuple(f"GigabitEthernet0/{i}" for i in range(3))
    return Hardware("router", ports, "GigabitEthernet0/0", family, _mac_base(spec))


def ios_image_file(spec: DeviceSpec, hw: Hardware) -> str:
    """``15.2(7)E4`` on a C2960X → ``flash:/c2960x-universalk9-mz.152-7.E4/…bin``."""
    match = re.match(r"^(\d+)\.(\d+)\((\w+)\)(\w*)$", spec.version)
    compact = f"{match[1]}{match[2]}-{match[3]}.{match[4]}" if match else spec.version
    name = f"{hw.family.lower()}-universalk9-mz.{compact}"
    if hw.role == "switch":
        return f"flash:/{name}/{name}.bin"
    return f"flash:{name}.bin"


def mac_for(hw: Hardware, index: int) -> str:
    return f"{hw.mac_base}{index % 256:02x}"
