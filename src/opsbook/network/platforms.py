"""What differs between the two device platforms opsbook manages: names, commands, config syntax.

``cisco_ios`` (Cisco IOS / IOS-XE) and ``huawei_vrp`` (Huawei VRP 5/8). Every other module asks
this one instead of testing the platform name itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from opsbook.errors import UsageError

PlatformName = Literal["cisco_ios", "huawei_vrp"]


@dataclass(frozen=True)
class Platform:
    name: PlatformName
    #: netmiko ``device_type``.
    netmiko_type: str
    #: the command that prints the running configuration.
    show_running: str
    #: the command that prints software version, model and serial.
    show_version: str
    #: an extra command for the serial number where ``show_version`` lacks it ("" = none).
    show_serial: str
    #: the negation prefix of a configuration line.
    negation: str
    #: the command that leaves a configuration sub-mode.
    exit_section: str
    #: the config-mode comment / section separator character.
    comment: str
    #: the vendor name reported by facts.
    vendor: str
    #: does the platform offer a confirmed commit that reverts by itself (IOS ``revert timer``)?
    has_revert_timer: bool


PLATFORMS: dict[str, Platform] = {
    "cisco_ios": Platform(
        name="cisco_ios",
        netmiko_type="cisco_ios",
        show_running="show running-config",
        show_version="show version",
        show_serial="",
        negation="no ",
        exit_section="exit",
        comment="!",
        vendor="Cisco",
        has_revert_timer=True,
    ),
    "huawei_vrp": Platform(
        name="huawei_vrp",
        netmiko_type="huawei",
        show_running="display current-configuration",
        show_version="display version",
        show_serial="display esn",
        negation="undo ",
        exit_section="quit",
        comment="#",
        vendor="Huawei",
        has_revert_timer=False,
    ),
}

#: Names found in inventories (ansible_network_os, netmiko_device_type, asset_os) → our platform name.
ALIASES: dict[str, str] = {
    "cisco_ios": "cisco_ios",
    "ios": "cisco_ios",
    "cisco.ios.ios": "cisco_ios",
    "cisco_xe": "cisco_ios",
    "huawei_vrp": "huawei_vrp",
    "huawei": "huawei_vrp",
    "vrp": "huawei_vrp",
    "huawei_vrpv8": "huawei_vrp",
    "ce": "huawei_vrp",
    "community.network.ce": "huawei_vrp",
}


def platform(name: str) -> Platform:
    """The platform for a name or alias (``ios``, ``cisco.ios.ios``, ``huawei`` …)."""
    key = ALIASES.get(name.strip().lower())
    if key is None:
        raise UsageError(
            f"Unknown network platform {name!r}.",
            hint=f"Use one of: {', '.join(sorted(ALIASES))} (ansible_network_os or netmiko_device_type).",
        )
    return PLATFORMS[key]
