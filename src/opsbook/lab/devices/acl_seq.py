"""IOS named-ACL sequence numbers, as classic IOS keeps them.

Every entry of an ``ip access-list standard|extended NAME`` has a sequence number that
``show running-config`` does not print and ``show access-lists`` does. ``N permit …`` inserts at
N (``% Duplicate sequence number`` when N is taken); an unnumbered entry goes to the end (the
highest number + 10); an entry that is already there is not added twice; ``no N`` and
``no N …`` remove entry N, ``no permit …`` the entry with that text;
``ip access-list resequence NAME START STEP`` renumbers. Numbers are not part of the
configuration text: entries read from a file (a reload) are numbered 10, 20, 30 …
"""

from __future__ import annotations

import re

from opsbook.lab.devices.config import Node

_NUMBERED = re.compile(r"^(\d+) (.+)$")


def numbers(acl: Node) -> list[int]:
    """The entries' sequence numbers, filling in those read from text (10, 20 … after the last)."""
    last = 0
    for child in acl.children:
        if child.seq is None or child.seq <= last:
            child.seq = last + 10
        last = child.seq
    return [c.seq or 0 for c in acl.children]


def add(acl: Node, text: str) -> str | bool:
    """Add an entry. True/False: changed or not; a string: the device's error message."""
    if text.isdigit():
        return "% Incomplete command.\n"
    match = _NUMBERED.match(text)
    seq, entry = (int(match[1]), match[2]) if match else (None, text)
    taken = numbers(acl)
    if any(c.text == entry for c in acl.children):
        return False
    if seq is None:
        seq = (max(taken) if taken else 0) + 10
    elif seq in taken:
        return "% Duplicate sequence number\n"
    index = next((i for i, n in enumerate(taken) if n > seq), len(taken))
    acl.children.insert(index, Node(entry, seq=seq))
    return True


def remove(acl: Node, text: str) -> bool:
    """``no N``, ``no N permit …`` or ``no permit …``."""
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
            for i, child in enumerate(node.children):
                child.seq = start + i * step
            return True
    return False
