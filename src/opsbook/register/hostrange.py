"""Ansible's host range syntax in inventory files (``web[01:10]``, ``rack-[a:f]``), bounded."""

from __future__ import annotations

import re

_RANGE = re.compile(r"\[([0-9a-zA-Z]+):([0-9a-zA-Z]+)(?::(\d+))?\]")

#: hosts one range entry may name (``web[0:99999999]`` would stall every command)
MAX_RANGE_HOSTS = 10_000


class HostRangeError(ValueError):
    """A host range that names too many hosts or steps by 0."""


def _range_size(first: str, last: str, step: int) -> int:
    if first.isdigit() and last.isdigit():
        return len(range(int(first), int(last) + 1, step))
    if len(first) == 1 and len(last) == 1:
        return len(range(ord(first), ord(last) + 1, step))
    return 1


def expand_host_pattern(name: str, limit: int = MAX_RANGE_HOSTS) -> list[str]:
    """``web[01:03]`` → web01, web02, web03 (Ansible's host range syntax).

    Raises :class:`HostRangeError` (before expanding anything) for a step of 0 or a pattern that
    names more than ``limit`` hosts."""
    if "[" not in name:
        return [name]
    total = 1
    for match in _RANGE.finditer(name):
        step = int(match.group(3)) if match.group(3) else 1
        if step == 0:
            raise HostRangeError(f"host range '{name}' steps by 0")
        total *= _range_size(match.group(1), match.group(2), step)
        if total > limit:
            raise HostRangeError(f"host range '{name}' names more than {limit:,} hosts")
    return _expand(name)


def _expand(name: str) -> list[str]:
    if "[" not in name:
        return [name]
    match = _RANGE.search(name)
    if not match:
        return [name]
    first, last, step_text = match.group(1), match.group(2), match.group(3)
    step = int(step_text) if step_text else 1
    head, tail = name[: match.start()], name[match.end() :]
    if first.isdigit() and last.isdigit():
        width = len(first) if first.startswith("0") else 0
        items = [str(i).zfill(width) for i in range(int(first), int(last) + 1, step)]
    elif len(first) == 1 and len(last) == 1:
        items = [chr(c) for c in range(ord(first), ord(last) + 1, step)]
    else:
        return [name]
    return [expanded for item in items for expanded in _expand(head + item + tail)]
