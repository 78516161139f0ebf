"""From a device's configuration to the ``net_*`` variables that render it (onboarding).

``derive_vars(config, platform)`` reads a running configuration and returns the inventory
variables under which :mod:`opsbook.network.render` reproduces every managed feature of it, so
that the device is compliant the moment it is added (``opsbook net derive``). Lines the
structured variables do not cover go to ``net_raw.<feature>`` verbatim. Secrets come out in the
device's own encoding (hashes, ciphers); replace them with the real values where known.

The management interface (a description naming management / OOB) and the management ACL (the
one bound to the vty lines) are derived too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from opsbook.network.normalize import canonical, vlan_ids
from opsbook.network.platforms import platform


@dataclass
class _Node:
    text: str
    children: list[_Node] = field(default_factory=list)


def _tree(canon: str) -> list[_Node]:
    """Top-level nodes of canonical text (one space of indentation per level; banners kept whole)."""
    roots: list[_Node] = []
    stack: list[tuple[int, _Node]] = []
    lines = canon.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.startswith("banner ") and line.endswith("^C"):
            body = []
            while index < len(lines) and lines[index] != "^C":
                body.append(lines[index])
                index += 1
            index += 1
            roots.append(_Node(line, [_Node(b) for b in body]))
            stack = []
            continue
        indent = len(line) - len(line.lstrip())
        node = _Node(line.strip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if stack:
            stack[-1][1].children.append(node)
        else:
            roots.append(node)
        stack.append((indent, node))
    return roots


def _flat(node: _Node, depth: int = 0) -> list[str]:
    out = [" " * depth + node.text]
    for child in node.children:
        out += _flat(child, depth + 1)
    return out


class _Vars:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def raw(self, feature: str, node: _Node) -> None:
        self.data.setdefault("net_raw", {}).setdefault(feature, []).extend(_flat(node))

    def append(self, key: str, value: Any) -> None:
        self.data.setdefault(key, []).append(value)


def _interface(node: _Node, dialect: Callable[[dict[str, Any], str, list[str]], bool]) -> dict[str, Any]:
    """An interface: the lines every dialect shares (description, address, shutdown), the lines
    ``dialect`` knows (it fills ``intf`` and says True), the rest kept as ``lines``."""
    intf: dict[str, Any] = {"name": node.text.removeprefix("interface ")}
    lines: list[str] = []
    for child in node.children:
        text = child.text
        words = text.split()
        if text.startswith("description "):
            intf["description"] = text.removeprefix("description ")
        elif words[:2] == ["ip", "address"] and len(words) == 4:
            intf["ipv4"] = f"{words[2]} {words[3]}"
        elif text == "shutdown":
            intf["shutdown"] = True
        elif not dialect(intf, text, words):
            lines += _flat(child)
    if lines:
        intf["lines"] = lines
    return intf


def _ios_line(intf: dict[str, Any], text: str, words: list[str]) -> bool:
    if words[:2] == ["switchport", "mode"] and len(words) == 3:
        intf["mode"] = words[2]
    elif words[:3] == ["switchport", "access", "vlan"] and len(words) == 4:
        intf["access_vlan"] = int(words[3]) if words[3].isdigit() else words[3]
    elif words[:4] == ["switchport", "trunk", "native", "vlan"] and len(words) == 5:
        intf["native_vlan"] = int(words[4]) if words[4].isdigit() else words[4]
    elif (
        words[:4] == ["switchport", "trunk", "allowed", "vlan"] and len(words) == 5 and words[4][0].isdigit()
    ):
        intf["allowed_vlans"] = vlan_ids([words[4]])
    elif words[:2] == ["ip", "access-group"] and len(words) == 4 and words[3] in ("in", "out"):
        intf[f"acl_{words[3]}"] = words[2]
    else:
        return False
    return True


def _vrp_line(intf: dict[str, Any], text: str, words: list[str]) -> bool:
    if words[:2] == ["port", "link-type"] and len(words) == 3:
        intf["mode"] = words[2]
    elif words[:3] == ["port", "default", "vlan"] and len(words) == 4:
        intf["access_vlan"] = int(words[3])
    elif words[:4] == ["port", "trunk", "pvid", "vlan"] and len(words) == 5:
        intf["native_vlan"] = int(words[4])
    elif words[:4] == ["port", "trunk", "allow-pass", "vlan"]:
        intf.setdefault("allowed_vlans", []).extend(vlan_ids(words[4:]))
    elif words[:2] == ["traffic-filter", "inbound"] and words[2:3] == ["acl"] and len(words) == 4:
        intf["acl_in"] = words[3]
    elif words[:2] == ["traffic-filter", "outbound"] and words[2:3] == ["acl"] and len(words) == 4:
        intf["acl_out"] = words[3]
    else:
        return False
    return True


def _ios_interface(node: _Node) -> dict[str, Any]:
    return _interface(node, _ios_line)


def _vrp_interface(node: _Node) -> dict[str, Any]:
    intf = _interface(node, _vrp_line)
    # allow-pass lines add up: one sorted list, before the kept lines (as the IOS side)
    allowed, lines = intf.pop("allowed_vlans", None), intf.pop("lines", None)
    if allowed:
        intf["allowed_vlans"] = sorted(set(allowed))
    if lines:
        intf["lines"] = lines
    return intf


_MGMT_DESCRIPTION = re.compile(r"\b(mgmt|management|oob|out-of-band)\b", re.IGNORECASE)


def _ios(nodes: list[_Node]) -> dict[str, Any]:
    v = _Vars()
    for node in nodes:
        text = node.text
        words = text.split()
        if words[0] == "hostname":
            v.data["net_hostname"] = words[1]
        elif text == "aaa new-model":
            v.data["net_aaa_new_model"] = True
        elif words[:2] == ["enable", "secret"]:
            v.data["net_enable_secret"] = " ".join(words[2:])
        elif words[0] == "username" and len(words) >= 6 and words[2] == "privilege" and words[4] == "secret":
            v.append(
                "net_local_users",
                {"name": words[1], "privilege": int(words[3]), "secret": " ".join(words[5:])},
            )
        elif words[0] in ("aaa", "username", "tacacs-server", "radius-server", "tacacs", "radius") or words[
            :2
        ] == [
            "enable",
            "password",
        ]:
            v.raw("aaa", node)
        elif words[:2] == ["clock", "timezone"]:
            v.data["net_timezone"] = " ".join(words[2:])
        elif words[:2] == ["ntp", "server"] and len(words) == 3:
            v.append("net_ntp_servers", words[2])
        elif words[0] == "ntp":
            v.raw("ntp", node)
        elif words[:2] == ["logging", "host"] and len(words) == 3:
            v.append("net_logging_hosts", words[2])
        elif words[:2] == ["logging", "buffered"]:
            v.data["net_logging_buffered"] = " ".join(words[2:])
        elif words[:2] == ["logging", "trap"] and len(words) == 3:
            v.data["net_logging_level"] = words[2]
        elif words[0] == "logging":
            v.raw("logging", node)
        elif words[:2] == ["snmp-server", "community"] and 4 <= len(words) <= 5:
            community: dict[str, Any] = {"name": words[2], "access": words[3].lower()}
            if len(words) == 5:
                community["acl"] = words[4]
            v.append("net_snmp_communities", community)
        elif words[:2] == ["snmp-server", "location"]:
            v.data["net_snmp_location"] = " ".join(words[2:])
        elif words[:2] == ["snmp-server", "contact"]:
            v.data["net_snmp_contact"] = " ".join(words[2:])
        elif words[0] == "snmp-server":
            v.raw("snmp", node)
        elif words[0] == "vlan" and len(words) == 2 and words[1].isdigit():
            names = [c.text.removeprefix("name ") for c in node.children if c.text.startswith("name ")]
            if len(node.children) > len(names):
                v.raw("vlans", node)
            else:
                vlan: dict[str, Any] = {"id": int(words[1])}
                if names:
                    vlan["name"] = names[0]
                v.append("net_vlans", vlan)
        elif words[:2] == ["ip", "access-list"] and len(words) == 4:
            v.append(
                "net_acls", {"name": words[3], "type": words[2], "entries": [c.text for c in node.children]}
            )
        elif words[0] == "access-list":
            v.raw("acls", node)
        elif words[0] == "interface":
            intf = _ios_interface(node)
            v.append("net_interfaces", intf)
            if "net_mgmt_interface" not in v.data and _MGMT_DESCRIPTION.search(intf.get("description", "")):
                v.data["net_mgmt_interface"] = intf["name"]
        elif words[:2] == ["banner", "motd"]:
            v.data["net_banner"] = "\n".join(c.text for c in node.children)
        elif words[0] == "banner":
            v.raw("banner", node)
        elif words[:2] == ["line", "vty"]:
            for child in node.children:
                cw = child.text.split()
                if cw[:1] == ["access-class"] and len(cw) == 3 and cw[2] == "in":
                    v.data.setdefault("net_mgmt_acl", cw[1])
    return v.data


def _vrp(nodes: list[_Node]) -> dict[str, Any]:
    v = _Vars()
    users: dict[str, dict[str, Any]] = {}
    vlan_names: dict[int, str] = {}
    vlans: list[int] = []
    for node in nodes:
        text = node.text
        words = text.split()
        if words[0] == "sysname":
            v.data["net_hostname"] = words[1]
        elif text == "aaa":
            for child in node.children:
                cw = child.text.split()
                if cw[0] != "local-user" or len(cw) < 3:
                    continue
                user = users.setdefault(cw[1], {"name": cw[1]})
                if cw[2] == "password" and len(cw) == 5:
                    user["secret"] = cw[4]
                elif cw[2:4] == ["privilege", "level"] and len(cw) == 5:
                    user["privilege"] = int(cw[4])
                elif cw[2] == "service-type":
                    user["service_types"] = " ".join(cw[3:])
        elif words[0] in ("hwtacacs-server", "radius-server") or words[:2] == ["super", "password"]:
            v.raw("aaa", node)
        elif words[:2] == ["clock", "timezone"]:
            v.data["net_timezone"] = " ".join(words[2:])
        elif words[:2] == ["ntp-service", "unicast-server"] and len(words) == 3:
            v.append("net_ntp_servers", words[2])
        elif words[0] == "ntp-service":
            v.raw("ntp", node)
        elif words[:2] == ["info-center", "loghost"] and len(words) == 3:
            v.append("net_logging_hosts", words[2])
        elif words[0] == "info-center":
            v.raw("logging", node)
        elif text == "snmp-agent":
            continue
        elif words[:2] == ["snmp-agent", "community"] and len(words) >= 4 and words[2] in ("read", "write"):
            rest = words[3:]
            if rest[0] in ("cipher", "simple"):
                rest = rest[1:]
            community: dict[str, Any] = {"name": rest[0], "access": "rw" if words[2] == "write" else "ro"}
            if rest[1:3] and rest[1] == "acl" and len(rest) == 3:
                community["acl"] = int(rest[2]) if rest[2].isdigit() else rest[2]
            elif len(rest) > 1:
                v.raw("snmp", node)
                continue
            v.append("net_snmp_communities", community)
        elif words[:3] == ["snmp-agent", "sys-info", "contact"]:
            v.data["net_snmp_contact"] = " ".join(words[3:])
        elif words[:3] == ["snmp-agent", "sys-info", "location"]:
            v.data["net_snmp_location"] = " ".join(words[3:])
        elif words[:3] == ["snmp-agent", "sys-info", "version"]:
            v.data["net_snmp_version"] = " ".join(words[3:])
        elif words[0] == "snmp-agent":
            v.raw("snmp", node)
        elif words[:2] == ["vlan", "batch"]:
            vlans += vlan_ids(words[2:])
        elif words[0] == "vlan" and len(words) == 2 and words[1].isdigit():
            vid = int(words[1])
            vlans.append(vid)
            descriptions = [
                c.text.removeprefix("description ")
                for c in node.children
                if c.text.startswith("description ")
            ]
            if len(node.children) > len(descriptions):
                v.raw("vlans", node)
            elif descriptions:
                vlan_names[vid] = descriptions[0]
        elif words[0] == "acl" and len(words) >= 3 and words[1] in ("number", "name"):
            acl: dict[str, Any] = {"name": int(words[2]) if words[2].isdigit() else words[2]}
            if words[1] == "name" and len(words) == 4:
                acl["type"] = words[3]
            entries = []
            for child in node.children:
                if child.text.startswith("description "):
                    acl["description"] = child.text.removeprefix("description ")
                else:
                    entries.append(child.text)
            acl["entries"] = entries
            v.append("net_acls", acl)
        elif words[0] == "interface":
            intf = _vrp_interface(node)
            v.append("net_interfaces", intf)
            if "net_mgmt_interface" not in v.data and _MGMT_DESCRIPTION.search(intf.get("description", "")):
                v.data["net_mgmt_interface"] = intf["name"]
        elif words[:3] == ["header", "login", "information"]:
            v.data["net_banner"] = text.split(" ", 3)[3].strip().strip('"')
        elif words[0] == "header":
            v.raw("banner", node)
        elif words[:2] == ["user-interface", "vty"]:
            for child in node.children:
                cw = child.text.split()
                if cw[:1] == ["acl"] and len(cw) == 3 and cw[2] == "inbound":
                    v.data.setdefault("net_mgmt_acl", cw[1])
    if users:
        v.data["net_local_users"] = list(users.values())
    if vlans:
        v.data["net_vlans"] = [
            {"id": vid, **({"name": vlan_names[vid]} if vid in vlan_names else {})}
            for vid in sorted(set(vlans))
        ]
    return v.data


def derive_vars(config: str, platform_name: str) -> dict[str, Any]:
    """The ``net_*`` variables that render ``config``'s managed features (see module doc)."""
    name = platform(platform_name).name
    nodes = _tree(canonical(config, name))
    return _ios(nodes) if name == "cisco_ios" else _vrp(nodes)
