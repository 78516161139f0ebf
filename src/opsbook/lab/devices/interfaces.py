"""Interface names: full forms from abbreviations (``gi1/0/1``, ``GE0/0/1``, ``lo 0``) and short forms."""

from __future__ import annotations

import re

# Full type names, most common first: an abbreviation matching several picks the first.
IOS_TYPES: tuple[str, ...] = (
    "GigabitEthernet",
    "FastEthernet",
    "TenGigabitEthernet",
    "Ethernet",
    "Loopback",
    "Vlan",
    "Port-channel",
    "Tunnel",
    "Serial",
    "TwentyFiveGigE",
    "FortyGigabitEthernet",
    "HundredGigE",
    "Null",
)
IOS_SHORT: dict[str, str] = {
    "GigabitEthernet": "Gi",
    "FastEthernet": "Fa",
    "TenGigabitEthernet": "Te",
    "Ethernet": "Et",
    "Loopback": "Lo",
    "Vlan": "Vl",
    "Port-channel": "Po",
    "Tunnel": "Tu",
    "Serial": "Se",
    "TwentyFiveGigE": "Twe",
    "FortyGigabitEthernet": "Fo",
    "HundredGigE": "Hu",
    "Null": "Nu",
}
IOS_LOGICAL: frozenset[str] = frozenset({"Loopback", "Vlan", "Port-channel", "Tunnel"})

VRP_TYPES: tuple[str, ...] = (
    "GigabitEthernet",
    "Ethernet",
    "XGigabitEthernet",
    "LoopBack",
    "Vlanif",
    "Eth-Trunk",
    "NULL",
    "MEth",
    "Tunnel",
)
VRP_ALIASES: dict[str, str] = {"ge": "GigabitEthernet", "xge": "XGigabitEthernet", "eth": "Ethernet"}
VRP_LOGICAL: frozenset[str] = frozenset({"LoopBack", "Vlanif", "Eth-Trunk", "Tunnel"})

_SPLIT = re.compile(r"^([A-Za-z][A-Za-z-]*?)\s*(\d[\d/.:]*)$")


def interface_types(platform: str) -> tuple[str, ...]:
    return VRP_TYPES if platform == "huawei_vrp" else IOS_TYPES


def normalize_interface(name: str, platform: str) -> str | None:
    """``gi1/0/1`` → ``GigabitEthernet1/0/1``; ``None`` when it is not an interface name."""
    match = _SPLIT.match(name.strip())
    if not match:
        return None
    kind, number = match.groups()
    lowered = kind.lower()
    if platform == "huawei_vrp" and lowered in VRP_ALIASES:
        return VRP_ALIASES[lowered] + number
    for full in interface_types(platform):
        if full.lower() == lowered:
            return full + number
    for full in interface_types(platform):
        if full.lower().startswith(lowered):
            return full + number
    return None


def split_interface(name: str) -> tuple[str, str]:
    match = _SPLIT.match(name)
    if not match:
        return name, ""
    return match.group(1), match.group(2)


def short_interface(name: str, platform: str) -> str:
    """``GigabitEthernet1/0/1`` → ``Gi1/0/1`` (IOS) / ``GE0/0/1`` (VRP)."""
    kind, number = split_interface(name)
    if platform == "huawei_vrp":
        short = {"GigabitEthernet": "GE", "XGigabitEthernet": "XGE", "Ethernet": "Eth"}.get(kind, kind)
    else:
        short = IOS_SHORT.get(kind, kind)
    return short + number


def is_logical(name: str, platform: str) -> bool:
    kind, _ = split_interface(name)
    logical = VRP_LOGICAL if platform == "huawei_vrp" else IOS_LOGICAL
    return kind in logical or "." in name


# How devices order interfaces in their configuration.
_CONFIG_ORDER: tuple[str, ...] = (
    "Loopback",
    "Tunnel",
    "Port-channel",
    "FastEthernet",
    "MEth",
    "Ethernet",
    "GigabitEthernet",
    "XGigabitEthernet",
    "TenGigabitEthernet",
    "TwentyFiveGigE",
    "FortyGigabitEthernet",
    "HundredGigE",
    "Serial",
    "Eth-Trunk",
    "Vlan",
    "Vlanif",
    "NULL",
    "LoopBack",
    "Null",
)


def interface_sort_key(name: str) -> tuple[int, tuple[int, ...], str]:
    kind, number = split_interface(name)
    order = {k: i for i, k in enumerate(_CONFIG_ORDER)}
    nums = tuple(int(n) for n in re.findall(r"\d+", number))
    return order.get(kind, 99), nums, name
