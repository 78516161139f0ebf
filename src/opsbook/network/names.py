"""Names in configuration text: interface names and keywords, abbreviated or in full.

``int gi0/1`` and ``interface GigabitEthernet0/1`` mean the same; so do ``sw mo acc`` and
``switchport mode access``. The tables below are the documentation of what is expanded
(used by :mod:`opsbook.network.normalize`, the remediation's management check and derive).
"""

from __future__ import annotations

import re

from opsbook.network.platforms import PlatformName, platform

# --------------------------------------------------------------------------------------------
# Interface names
# --------------------------------------------------------------------------------------------

#: (full name, shortest accepted abbreviation), longest names first so prefixes match correctly.
_IFNAMES: dict[PlatformName, tuple[tuple[str, str], ...]] = {
    "cisco_ios": (
        ("TwentyFiveGigE", "twe"),
        ("TenGigabitEthernet", "te"),
        ("FortyGigabitEthernet", "fo"),
        ("HundredGigE", "hu"),
        ("GigabitEthernet", "gi"),
        ("FastEthernet", "fa"),
        ("Ethernet", "e"),
        ("Port-channel", "po"),
        ("Loopback", "lo"),
        ("Vlan", "vl"),
        ("Tunnel", "tu"),
        ("Management", "mgmt"),
    ),
    "huawei_vrp": (
        ("XGigabitEthernet", "xge"),
        ("GigabitEthernet", "ge"),
        ("25GE", "25ge"),
        ("40GE", "40ge"),
        ("100GE", "100ge"),
        ("Eth-Trunk", "eth-t"),
        ("Ethernet", "eth"),
        ("LoopBack", "loop"),
        ("Vlanif", "vlanif"),
        ("MEth", "meth"),
        ("NULL", "null"),
        ("Tunnel", "tun"),
    ),
}

_IFNAME_SPLIT = re.compile(r"^([A-Za-z][A-Za-z0-9-]*?)\s*(\d[\d/.:]*)$")
_IFNAME_SPLIT_LEADING_DIGITS = re.compile(r"^(\d+[A-Za-z][A-Za-z-]*?)\s*(\d[\d/.:]*)$")


def expand_interface(name: str, platform_name: str) -> str:
    """``Gi0/1`` / ``gi 0/1`` / ``GigabitEthernet0/1`` → ``GigabitEthernet0/1`` (IOS);
    ``GE0/0/1`` → ``GigabitEthernet0/0/1`` (VRP). Unknown names come back unchanged."""
    return resolve_interface(name, platform_name) or name


def resolve_interface(name: str, platform_name: str) -> str | None:
    """The full interface name, or None when ``name`` is not an interface name of the platform."""
    text = name.strip()
    match = _IFNAME_SPLIT_LEADING_DIGITS.match(text) or _IFNAME_SPLIT.match(text)
    if not match:
        return None
    prefix, number = match.group(1).lower(), match.group(2)
    table = _IFNAMES[platform(platform_name).name]
    # exact abbreviation aliases first (VRP's GE / XGE are not prefixes of the full name)
    for full, short in table:
        if prefix == short or prefix == full.lower():
            return f"{full}{number}"
    for full, short in table:
        if full.lower().startswith(prefix) and len(prefix) >= len(short):
            return f"{full}{number}"
    return None


# --------------------------------------------------------------------------------------------
# Keyword abbreviations
# --------------------------------------------------------------------------------------------

#: keyword context (the full words before it) → {full keyword: shortest accepted prefix}.
_KEYWORDS: dict[PlatformName, dict[tuple[str, ...], dict[str, int]]] = {
    "cisco_ios": {
        (): {
            "interface": 3,
            "description": 4,
            "shutdown": 4,
            "hostname": 4,
            "switchport": 2,
            "logging": 3,
            "username": 5,
            "snmp-server": 6,
            "access-list": 8,
            "ip": 2,
        },
        ("ip",): {"address": 3, "access-group": 8, "access-list": 8},
        ("ip", "access-list"): {"extended": 3, "standard": 3},
        ("switchport",): {"mode": 2, "access": 3, "trunk": 2},
        ("switchport", "mode"): {"access": 3, "trunk": 2},
        ("switchport", "trunk"): {"allowed": 2},
    },
    "huawei_vrp": {
        (): {
            "interface": 3,
            "description": 4,
            "shutdown": 4,
            "sysname": 3,
            "info-center": 6,
            "ntp-service": 7,
            "snmp-agent": 6,
            "port": 4,
            "traffic-filter": 9,
            "ip": 2,
        },
        ("ip",): {"address": 3},
        ("port",): {"link-type": 6, "default": 3},
        ("port", "link-type"): {"access": 3, "trunk": 2, "hybrid": 2},
    },
}

_NEGATION: dict[PlatformName, str] = {"cisco_ios": "no", "huawei_vrp": "undo"}


def expand_keywords(line: str, platform_name: str) -> str:
    """Expand abbreviated keywords at the start of one (stripped) configuration line."""
    name = platform(platform_name).name
    table = _KEYWORDS[name]
    words = line.split()
    if not words:
        return line
    start = 1 if words[0] == _NEGATION[name] else 0
    context: tuple[str, ...] = ()
    for index in range(start, len(words)):
        options = table.get(context)
        if options is None:
            break
        word = words[index].lower()
        full = next(
            (kw for kw, minimum in options.items() if kw.startswith(word) and len(word) >= minimum),
            None,
        )
        if full is None:
            break
        words[index] = full
        context = (*context, full)
    return " ".join(words)


#: keywords whose next word is an interface name
_IF_KEYWORDS = frozenset(
    {"interface", "source-interface", "trap-source", "source", "interface-name"},
)


def expand_interface_tokens(line: str, platform_name: str) -> str:
    words = line.split()
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        out.append(word)
        if word in _IF_KEYWORDS and index + 1 < len(words):
            candidate = words[index + 1]
            # "GigabitEthernet 0/1": the name and the number as two words
            if (
                index + 2 < len(words)
                and re.fullmatch(r"\d[\d/.:]*", words[index + 2])
                and (re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", candidate))
            ):
                joined = resolve_interface(candidate + words[index + 2], platform_name)
                if joined is not None:
                    out.append(joined)
                    index += 3
                    continue
            out.append(expand_interface(candidate, platform_name))
            index += 2
            continue
        index += 1
    return " ".join(out)
