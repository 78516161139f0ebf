"""Configuration features: which lines of a device configuration belong to which feature.

A feature is checked and remediated on its own (``ntp`` drift never touches ``snmp``). Each
platform maps a feature to *selectors*: a regular expression for a top-level line and,
optionally, one for its children (then only those children of the section belong to the
feature — e.g. VRP's ``aaa`` section holds schemes and domains opsbook does not manage, and only
its ``local-user`` lines belong to ``aaa``). Lines in no feature are never compared or changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsbook.errors import UsageError
from opsbook.network.platforms import PlatformName, platform

#: Every feature, in the order templates are rendered and reports are printed.
FEATURES: tuple[str, ...] = (
    "hostname",
    "aaa",
    "ntp",
    "logging",
    "snmp",
    "vlans",
    "acls",
    "interfaces",
    "banner",
)


@dataclass(frozen=True)
class Selector:
    top: re.Pattern[str]
    child: re.Pattern[str] | None = None


def _s(top: str, child: str | None = None) -> Selector:
    return Selector(re.compile(top), re.compile(child) if child else None)


SELECTORS: dict[PlatformName, dict[str, tuple[Selector, ...]]] = {
    "cisco_ios": {
        "hostname": (_s(r"^hostname\b"),),
        "aaa": (
            _s(r"^aaa\b"),
            _s(r"^username\b"),
            _s(r"^enable (secret|password)\b"),
            _s(r"^(tacacs|radius)-server\b"),
            _s(r"^(tacacs|radius) server\b"),
        ),
        "ntp": (_s(r"^ntp\b"), _s(r"^clock timezone\b")),
        "logging": (_s(r"^logging\b"),),
        "snmp": (_s(r"^snmp-server\b"),),
        "vlans": (_s(r"^vlan \d"),),
        "acls": (_s(r"^ip access-list\b"), _s(r"^access-list\b")),
        "interfaces": (_s(r"^interface\b"),),
        "banner": (_s(r"^banner\b"),),
    },
    "huawei_vrp": {
        "hostname": (_s(r"^sysname\b"),),
        "aaa": (
            _s(r"^aaa$", r"^local-user\b"),
            _s(r"^hwtacacs-server\b"),
            _s(r"^radius-server\b"),
            _s(r"^super password\b"),
        ),
        "ntp": (_s(r"^ntp-service\b"), _s(r"^clock timezone\b")),
        "logging": (_s(r"^info-center\b"),),
        "snmp": (_s(r"^snmp-agent\b"),),
        "vlans": (_s(r"^vlan (batch )?\d"),),
        "acls": (_s(r"^acl\b"),),
        "interfaces": (_s(r"^interface\b"),),
        "banner": (_s(r"^header\b"),),
    },
}

#: Logical interfaces a configuration creates (and its removal deletes): Loopback, Tunnel,
#: SVIs (IOS ``Vlan`` but ``Vlan1``, which always exists; VRP ``Vlanif``) and sub-interfaces.
#: Not declared in the intended configuration, they are extra as a whole (remediation removes
#: them); an undeclared *physical* interface is extra only for the configuration it carries
#: (remediation negates those lines; ``shutdown`` is never counted, an unused port may stay down).
REMOVABLE_INTERFACES: dict[PlatformName, re.Pattern[str]] = {
    "cisco_ios": re.compile(r"^interface (Loopback\d|Tunnel\d|Vlan(?!1$)\d|\S+\.\d+$)"),
    "huawei_vrp": re.compile(r"^interface (LoopBack\d|Tunnel\d|Vlanif\d|\S+\.\d+$)"),
}

#: Lines of an undeclared physical interface that are not "configuration" for compliance.
UNDECLARED_IGNORED = re.compile(r"^(shutdown|undo shutdown)$")


def selectors(platform_name: str, feature: str) -> tuple[Selector, ...]:
    return SELECTORS[platform(platform_name).name][feature]


def feature_of(platform_name: str, top_line: str) -> str | None:
    """The feature a top-level line belongs to (None: unmanaged)."""
    for feature, sels in SELECTORS[platform(platform_name).name].items():
        if any(s.top.search(top_line) for s in sels):
            return feature
    return None


def parse_features(values: list[str] | str | None) -> list[str] | None:
    """``--features ntp,logging`` (repeatable) → ``["ntp", "logging"]`` in :data:`FEATURES`
    order; None when not given. Unknown names are refused with the list of features."""
    if not values:
        return None
    items = [values] if isinstance(values, str) else values
    wanted = {name.strip().lower() for item in items for name in item.split(",") if name.strip()}
    unknown = sorted(wanted - set(FEATURES))
    if unknown:
        raise UsageError(
            f"unknown feature(s): {', '.join(unknown)}",
            hint=f"--features takes a comma-separated list of: {', '.join(FEATURES)}",
        )
    return [f for f in FEATURES if f in wanted]
