"""How configuration lines change a configuration tree, per platform.

* :func:`set_line` adds a line under a parent: a line with the same *key* is replaced in
  place (``hostname a`` replaces ``hostname b``, ``description x`` replaces ``description y``,
  ``no ip domain-lookup`` gives way to ``ip domain-lookup``); otherwise the line goes after
  its last sibling of the same kind (interfaces and VLANs in number order), or at the end.
* :func:`open_block` finds or creates a block (``interface Gi1/0/1``) and returns it.
* :func:`remove_line` is ``no …`` / ``undo …``: it removes the exact line, lines with the same
  key, or every line/block starting with those words; a feature that is on by default
  (``ip domain-lookup``) is recorded as ``no ip domain-lookup`` instead.
"""

from __future__ import annotations

import re

from opsbook.lab.devices.config import Node
from opsbook.lab.devices.interfaces import interface_sort_key

# (pattern on the line without "no "/"undo ", key template); first match wins.
_IOS_KEYS: list[tuple[str, str]] = [
    (r"^(access-class) \S+ (in|out)\b", r"\1 \2"),
    (r"^(ip access-group) \S+ (in|out)\b", r"\1 \2"),
    (r"^(ip address)(?!.* secondary$)", r"\1"),
    (r"^(username \S+)", r"\1"),
    (r"^(snmp-server community \S+)", r"\1"),
    (r"^(snmp-server host \S+)", r"\1"),
    (r"^(ntp server (?:vrf \S+ )?\S+)", r"\1"),
    (r"^(logging host \S+)", r"\1"),
    (r"^(aaa (?:authentication|authorization|accounting) \S+ \S+)", r"\1"),
    (r"^(service timestamps (?:debug|log))", r"\1"),
    (r"^(banner \S+)", r"\1"),
    (r"^(neighbor \S+ (?:remote-as|description|update-source|password))", r"\1"),
    (r"^(switchport trunk allowed vlan)", r"\1"),
    (r"^(switchport trunk native vlan)", r"\1"),
    (r"^(switchport access vlan)", r"\1"),
    (r"^(switchport mode)", r"\1"),
    (r"^(spanning-tree (?:mode|portfast|bpduguard))", r"\1"),
    (r"^(logging (?:buffered|trap|source-interface|console|monitor))", r"\1"),
    (r"^(snmp-server (?:location|contact))", r"\1"),
    (r"^(ip domain[- ](?:name|lookup))", r"\1"),
    (r"^(ip (?:default-gateway|ssh version|http server|http secure-server|routing))", r"\1"),
    (r"^(enable (?:secret|password))", r"\1"),
    (r"^(channel-group)", r"\1"),
    (r"^(transport (?:input|output|preferred))", r"\1"),
    (r"^(ntp source|clock timezone|router-id|exec-timeout|privilege level)\b", r"\1"),
    (r"^(hostname|description|speed|duplex|mtu|bandwidth|name|state|shutdown|version)\b", r"\1"),
    (r"^(login|password|path|maximum|session-timeout|encapsulation dot1q)\b", r"\1"),
]
_VRP_KEYS: list[tuple[str, str]] = [
    (r"^(traffic-filter (?:inbound|outbound))", r"\1"),
    (r"^(acl) \S+ (inbound|outbound)", r"\1 \2"),
    (r"^(ip address)(?!.* sub$)", r"\1"),
    (r"^(local-user \S+ (?:password|privilege level|service-type|state))", r"\1"),
    (r"^(ssh user \S+ (?:authentication-type|service-type))", r"\1"),
    (r"^(snmp-agent sys-info (?:contact|location|version))", r"\1"),
    (r"^(info-center loghost \S+)", r"\1"),
    (r"^(ntp-service unicast-server \S+)", r"\1"),
    (r"^(rule \d+)", r"\1"),
    (r"^(port (?:link-type|default vlan))", r"\1"),
    (r"^(header (?:login|shell))", r"\1"),
    (r"^(user privilege level|idle-timeout|authentication-mode|protocol inbound)\b", r"\1"),
    (r"^(sysname|description|shutdown|mtu|clock timezone|speed|duplex)\b", r"\1"),
]
_KEYS: dict[str, list[tuple[re.Pattern[str], str]]] = {
    "cisco_ios": [(re.compile(p), k) for p, k in _IOS_KEYS],
    "huawei_vrp": [(re.compile(p), k) for p, k in _VRP_KEYS],
}

# Features on by default: "no X" is kept as a line when X itself is not configured.
_DEFAULT_ON: dict[str, frozenset[str]] = {
    "cisco_ios": frozenset(
        {
            "ip domain-lookup",
            "ip domain lookup",
            "ip http server",
            "ip http secure-server",
            "service pad",
            "cdp run",
            "ip source-route",
            "ip gratuitous-arps",
            "service config",
            "ip redirects",
            "ip unreachables",
            "ip proxy-arp",
            "cdp enable",
            "keepalive",
            "negotiation auto",
            "switchport",
            "mop enabled",
            "logging console",
            "ip address",
        }
    ),
    "huawei_vrp": frozenset({"ip redirects", "portswitch", "snmp-agent trap enable"}),
}


def negation(platform: str) -> str:
    return "undo " if platform == "huawei_vrp" else "no "


def strip_negation(text: str, platform: str) -> tuple[bool, str]:
    prefix = negation(platform)
    if text.startswith(prefix):
        return True, text[len(prefix) :]
    return False, text


def line_key(text: str, platform: str) -> str:
    _, bare = strip_negation(text, platform)
    for pattern, template in _KEYS[platform]:
        match = pattern.match(bare)
        if match:
            return match.expand(template)
    return bare


def _first_word(text: str, platform: str) -> str:
    _, bare = strip_negation(text, platform)
    return bare.split(" ", 1)[0]


def _ordered_kind(text: str) -> bool:
    return text.startswith("interface ") or re.match(r"^vlan \d+$", text) is not None


def _order_key(text: str) -> tuple[int, tuple[int, ...], str]:
    if text.startswith("interface "):
        return interface_sort_key(text.split(" ", 1)[1])
    return 0, (int(text.split()[1]),), text


# Where IOS prints a line inside an interface block (lower first); unknown lines: 45.
_IOS_INTERFACE_ORDER: list[tuple[str, int]] = [
    ("description", 0),
    ("no switchport", 5),
    ("switchport", 10),
    ("vrf forwarding", 15),
    ("ip address", 20),
    ("no ip address", 20),
    ("ip ", 25),
    ("no ip ", 25),
    ("ipv6 ", 27),
    ("shutdown", 40),
    ("duplex", 50),
    ("speed", 51),
    ("negotiation", 52),
    ("channel-group", 60),
    ("spanning-tree", 70),
]


def _ios_interface_rank(text: str) -> int:
    for prefix, rank in _IOS_INTERFACE_ORDER:
        if text.startswith(prefix):
            return rank
    return 45


def _insert(parent: Node, node: Node, platform: str) -> None:
    if platform == "cisco_ios" and parent.text.startswith("interface "):
        rank = _ios_interface_rank(node.text)
        for i, child in enumerate(parent.children):
            if _ios_interface_rank(child.text) > rank:
                parent.children.insert(i, node)
                return
        parent.children.append(node)
        return
    kind = _first_word(node.text, platform)
    same = [i for i, c in enumerate(parent.children) if _first_word(c.text, platform) == kind]
    if not same:
        parent.children.append(node)
        return
    if _ordered_kind(node.text):
        siblings = [i for i in same if _ordered_kind(parent.children[i].text)]
        for i in siblings:
            if _order_key(parent.children[i].text) > _order_key(node.text):
                parent.children.insert(i, node)
                return
    parent.children.insert(same[-1] + 1, node)


def set_line(parent: Node, text: str, platform: str) -> bool:
    """Add (or replace by key) a leaf line under ``parent``. True when something changed."""
    if parent.child(text) is not None:
        return False
    key = line_key(text, platform)
    for i, node in enumerate(parent.children):
        if not node.children and node.body is None and line_key(node.text, platform) == key:
            parent.children[i] = Node(text)
            return True
    _insert(parent, Node(text), platform)
    return True


def open_block(parent: Node, text: str, platform: str) -> tuple[Node, bool]:
    """The block ``text`` under ``parent``, created when missing. Returns (block, created)."""
    existing = parent.child(text)
    if existing is not None:
        return existing, False
    node = Node(text)
    _insert(parent, node, platform)
    return node, True


def remove_line(parent: Node, text: str, platform: str) -> bool:
    """Apply ``no text`` / ``undo text`` under ``parent``. True when something changed."""
    key = line_key(text, platform)
    prefix = negation(platform)
    keep: list[Node] = []
    removed = False
    for node in parent.children:
        negated = node.text.startswith(prefix)
        hit = not negated and (
            node.text == text
            or node.text.startswith(text + " ")
            or (line_key(node.text, platform) == key and not node.children)
        )
        if hit:
            removed = True
        else:
            keep.append(node)
    parent.children[:] = keep
    if removed:
        return True
    if text in _DEFAULT_ON[platform] or key in _DEFAULT_ON[platform]:
        return set_line(parent, prefix + text, platform)
    return False


def set_banner(parent: Node, kind: str, body: list[str]) -> bool:
    text = f"banner {kind} ^C"
    existing = parent.child(text)
    if existing is not None:
        if existing.body == body:
            return False
        existing.body = list(body)
        return True
    parent.children.append(Node(text, body=list(body)))
    return True


def parse_vlan_list(text: str) -> list[int] | None:
    """``"10,20,30-32"`` or ``"10 20 30 to 32"`` → ``[10, 20, 30, 31, 32]``."""
    values: set[int] = set()
    words = text.replace(",", " ").split()
    i = 0
    while i < len(words):
        word = words[i]
        if i + 2 < len(words) and words[i + 1] == "to":
            low, high = word, words[i + 2]
            i += 3
        elif "-" in word:
            low, _, high = word.partition("-")
            i += 1
        else:
            low = high = word
            i += 1
        if not (low.isdigit() and high.isdigit()) or int(low) > int(high) or int(high) > 4094:
            return None
        values.update(range(int(low), int(high) + 1))
    return sorted(values)


def format_vlan_list(vlans: list[int], platform: str) -> str:
    """IOS ``10,20,30-32``; VRP ``10 20 30 to 32``."""
    runs: list[tuple[int, int]] = []
    for vlan in sorted(set(vlans)):
        if runs and vlan == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], vlan)
        else:
            runs.append((vlan, vlan))
    if platform == "huawei_vrp":
        return " ".join(f"{a}" if a == b else f"{a} to {b}" for a, b in runs)
    return ",".join(f"{a}" if a == b else (f"{a},{b}" if b == a + 1 else f"{a}-{b}") for a, b in runs)
