"""The configuration model: ordered lines with indentation-based parent/child blocks.

A configuration is a tree of :class:`Node` (the root has empty text). Separator lines
(IOS ``!``, VRP ``#``) are not stored: :func:`render_config` puts them back the way each
platform prints them, and :func:`parse_config` reads that text (or a device's
``show running-config`` / ``display current-configuration`` output) back into the same tree.

IOS banners (``banner motd ^C`` … ``^C``) are nodes whose ``body`` holds the text lines.
VRP prints global one-line commands with one leading space inside a ``#``-delimited group
(`` sysname rt01``); the parser takes each group's first line as that group's top level.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

IOS_BANNER = re.compile(r"^banner\s+(\S+)\s+(\^C|\S)(.*)$")
_IOS_SKIP = re.compile(r"^(Building configuration\.\.\.|Current configuration\s*:.*|end)$")
_VRP_SKIP = re.compile(r"^(return)$")
# Adjacent top-level blocks of these kinds are printed without a separator between them.
_IOS_RUN_TOGETHER = ("line ", "ip access-list ")
_VRP_RUN_TOGETHER = ("vlan ", "user-interface ")
# Lines that open a block even while the block is empty.
_IOS_VIEW = re.compile(r"^(interface|vlan \d|router|line|ip access-list|archive|class-map|policy-map)\b")
_VRP_VIEW = re.compile(
    r"^(interface|aaa$|acl |vlan \d|user-interface|ospf|bgp|isis|rip|ip vpn-instance|route-policy)"
)
# IOS starts a new paragraph ("!") before these top-level lines.
_IOS_PARAGRAPH = (
    "hostname ",
    "boot-start-marker",
    "enable ",
    "username ",
    "aaa new-model",
    "clock ",
    "ip domain",
    "no ip domain",
    "ip ssh ",
    "logging host",
    "snmp-server ",
    "ntp ",
    "ip default-gateway",
    "ip route ",
    "ip forward-protocol",
)


@dataclass
class Node:
    """One configuration line and the block under it."""

    text: str
    children: list[Node] = field(default_factory=list)
    body: list[str] | None = None  # IOS banner text lines
    seq: int | None = None  # IOS ACL entry sequence number (not printed; see acl_seq)

    @property
    def is_block(self) -> bool:
        return bool(self.children) or self.body is not None

    def child(self, text: str) -> Node | None:
        for node in self.children:
            if node.text == text:
                return node
        return None

    def copy(self) -> Node:
        return Node(
            self.text,
            [c.copy() for c in self.children],
            None if self.body is None else list(self.body),
            self.seq,
        )

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Node]]:
        """Every node below this one, depth-first, with its depth (children of root: 0)."""
        for node in self.children:
            yield depth, node
            yield from node.walk(depth + 1)

    def lines(self) -> list[str]:
        """Every line of the tree as ``parent || child`` paths (for comparisons in tests)."""
        out: list[str] = []
        self._collect("", out)
        return out

    def _collect(self, prefix: str, out: list[str]) -> None:
        for node in self.children:
            path = f"{prefix}{node.text}"
            out.append(path)
            if node.body is not None:
                out.extend(f"{path} || {line}" for line in node.body)
            node._collect(f"{path} || ", out)


def find_path(root: Node, path: list[str]) -> Node | None:
    node: Node | None = root
    for text in path:
        if node is None:
            return None
        node = node.child(text)
    return node


def parse_config(text: str, platform: str) -> Node:
    """Read configuration text (stored form or a device's full output) into a tree."""
    if platform == "huawei_vrp":
        return _parse_vrp(text)
    return _parse_ios(text)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _attach(stack: list[tuple[int, Node]], indent: int, node: Node) -> None:
    while len(stack) > 1 and stack[-1][0] >= indent:
        stack.pop()
    stack[-1][1].children.append(node)
    stack.append((indent, node))


def _parse_ios(text: str) -> Node:
    root = Node("")
    stack: list[tuple[int, Node]] = [(-1, root)]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        raw = lines[i].rstrip()
        i += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("!") or _IOS_SKIP.match(stripped):
            continue
        indent = _indent(raw)
        banner = IOS_BANNER.match(stripped) if indent == 0 else None
        if banner:
            kind, delim, rest = banner.groups()
            body: list[str] = []
            if delim in rest:
                body.append(rest.split(delim, 1)[0])
            else:
                if rest:
                    body.append(rest)
                while i < len(lines):
                    line = lines[i].rstrip("\r")
                    i += 1
                    if delim in line:
                        before = line.split(delim, 1)[0]
                        if before:
                            body.append(before)
                        break
                    body.append(line)
            _attach(stack, indent, Node(f"banner {kind} ^C", body=body))
            continue
        _attach(stack, indent, Node(stripped))
    return root


def _parse_vrp(text: str) -> Node:
    root = Node("")
    stack: list[tuple[int, Node]] = [(-1, root)]
    base: int | None = None
    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        raw = raw_line.rstrip()
        stripped = raw.strip()
        if not stripped or stripped.startswith("!") or _VRP_SKIP.match(stripped):
            continue
        if stripped == "#":
            base = None
            del stack[1:]
            continue
        indent = _indent(raw)
        if base is None or indent < base:
            base = indent
            del stack[1:]
        _attach(stack, indent - base, Node(stripped))
    return root


def render_config(root: Node, platform: str) -> str:
    """The configuration body as the device prints it, without volatile header or footer."""
    if platform == "huawei_vrp":
        return _render_vrp(root)
    return _render_ios(root)


def _render_block(node: Node, depth: int, out: list[str]) -> None:
    out.append(" " * depth + node.text)
    if node.body is not None:
        out.extend(node.body)
        out.append("^C")
    for child in node.children:
        _render_block(child, depth + 1, out)


def is_view(node: Node, platform: str) -> bool:
    """True for a block, or a line that opens one (``interface Loopback9`` with no lines yet)."""
    if node.is_block:
        return True
    pattern = _VRP_VIEW if platform == "huawei_vrp" else _IOS_VIEW
    return pattern.match(node.text) is not None


def _run_together(prev: Node, node: Node, kinds: tuple[str, ...]) -> bool:
    return any(prev.text.startswith(k) and node.text.startswith(k) for k in kinds)


def _render_ios(root: Node) -> str:
    out: list[str] = ["!"]
    prev: Node | None = None
    for node in root.children:
        block = is_view(node, "cisco_ios")
        if prev is not None:
            prev_block = is_view(prev, "cisco_ios")
            if block or prev_block:
                separate = not (block and prev_block and _run_together(prev, node, _IOS_RUN_TOGETHER))
            else:
                separate = node.text.startswith(_IOS_PARAGRAPH) and _first_word(node) != _first_word(prev)
            if separate and out[-1] != "!":
                out.append("!")
        _render_block(node, 0, out)
        prev = node
    if out[-1] != "!":
        out.append("!")
    return "\n".join(out) + "\n"


def _first_word(node: Node) -> str:
    words = node.text.removeprefix("undo ").removeprefix("no ").split()
    return words[0] if words else ""


def _render_vrp(root: Node) -> str:
    out: list[str] = []
    prev: Node | None = None
    for node in root.children:
        block = is_view(node, "huawei_vrp")
        together = False
        if prev is not None:
            prev_block = is_view(prev, "huawei_vrp")
            together = (not block and not prev_block and _first_word(node) == _first_word(prev)) or (
                block and prev_block and _run_together(prev, node, _VRP_RUN_TOGETHER)
            )
        if not together:
            out.append("#")
        if block:
            _render_block(node, 0, out)
        else:
            out.append(" " + node.text)
        prev = node
    out.append("#")
    return "\n".join(out) + "\n"


def render_subtree(node: Node, platform: str) -> str:
    """One block (e.g. an interface) as ``show running-config interface X`` prints it."""
    out: list[str] = []
    _render_block(node, 0, out)
    sep = "#" if platform == "huawei_vrp" else "!"
    return "\n".join(out) + f"\n{sep}\n"
