"""IOS named-ACL sequence numbers, as classic IOS keeps them.

Every entry of an ``ip access-list standard|extended NAME`` has a sequence number that
``show running-config`` does not print and ``show access-lists`` does. ``N permit …`` inserts at
N (``% Duplicate sequence number`` when N is taken); an unnumbered entry goes to the end (the
highest number + 10); an entry that is already there is not added twice; ``no N`` and
``no N …`` remove entry N, ``no permit …`` the entry with that text; remarks carry no number
(they belong to the entry after them, and ``show access-lists`` does not print them);
``ip access-list resequence NAME START STEP`` renumbers. Numbers are not part of the
configuration text: entries read from a file (a reload) are numbered 10, 20, 30 …
"""

from __future__ import annotations

import re

from opsbook.lab.devices.config import Node

_NUMBERED = re.compile(r"^(\d+) (.+)$")


def _remark(node: Node) -> bool:
    return node.text.startswith("remark ")


def numbers(acl: Node) -> list[int | None]:
    """The entries' sequence numbers (None for a remark: classic IOS numbers no remark; it
    belongs to the entry after it), filling in those read from text (10, 20 … after the last)."""
    last = 0
    for child in acl.children:
        if _remark(child):
            child.seq = None
            continue
        if child.seq is None or child.seq <= last:
            child.seq = last + 10
        last = child.seq
    return [c.seq for c in acl.children]


def add(acl: Node, text: str) -> str | bool:
    """Add an entry. True/False: changed or not; a string: the device's error message."""
    if text.isdigit():
        return "% Incomplete command.\n"
    match = _NUMBERED.match(text)
    seq, entry = (int(match[1]), match[2]) if match else (None, text)
    taken = [n for n in numbers(acl) if n is not None]
    if any(c.text == entry for c in acl.children):
        return False
    if seq is not None and seq in taken:
        return "% Duplicate sequence number\n"
    node = Node(entry)
    if seq is None:
        index = len(acl.children)
        if not entry.startswith("remark "):
            node.seq = (max(taken) if taken else 0) + 10
    else:
        index = next(
            (i for i, c in enumerate(acl.children) if c.seq is not None and c.seq > seq), len(acl.children)
        )
        while index and _remark(acl.children[index - 1]) and index < len(acl.children):
            index -= 1  # before the remarks that belong to the next entry
        node.seq = None if entry.startswith("remark ") else seq
    acl.children.insert(index, node)
    return True


def remove(acl: Node, text: str) -> bool:
    """``no N``, ``no N permit …`` or ``no permit …`` / ``no remark …``."""
    numbers(acl)
    words = text.split(" ", 1)
    if words[0].isdigit():
        keep = [c for c in acl.children if c.seq != int(words[0])]
    else:
        keep = [c for c in acl.children if c.text != text]
    changed = len(keep) != len(acl.children)
    acl.children[:] = keep
    return changed


def resequence(root: Node, name: str, start: int, step: int) -> bool:
    for node in root.children:
        if re.fullmatch(rf"ip access-list (standard|extended) {re.escape(name)}", node.text):
            numbers(node)
            entries = [c for c in node.children if not _remark(c)]
            for i, child in enumerate(entries):
                child.seq = start + i * step
            return True
    return False
