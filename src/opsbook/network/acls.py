"""Sequence-aware remediation of Cisco IOS named ACLs.

IOS numbers the entries of a named ACL (10, 20, 30 …); classic IOS does not print the numbers in
``show running-config``, and an entry added by hand with ``15 permit …`` sits between 10 and 20.
hier_config numbers the entries it reads by position (10, 20, 30 …), so after such an edit its
plan addresses entries by numbers the device does not use: applied, still drifted, rolled back —
for ever (issue 12).

Here an ACL that exists on both sides and whose entries differ (in content or order) is changed
with commands that are right whatever the device's numbers are:

1. ``ip access-list resequence NAME S S`` — the device's numbers become S, 2S, 3S … in the
   order it shows them (S = 10, or more when many entries go between two kept ones);
2. in the ACL: ``no N`` for each entry that is not in the longest common subsequence of the
   running and the intended entries, then ``N <entry>`` for each missing entry, numbered
   between its kept neighbours — the kept entries are never removed, so the ACL never opens
   up or closes down more than the change itself;
3. ``ip access-list resequence NAME 10 10`` — tidy numbers for the next change.

Creating and removing a whole ACL stays with hier_config (numbered entries, ``no ip access-list``).
Remarks are not managed (hier_config drops them on both sides).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any, Protocol

from hier_config import HConfig

NAMED_ACL = re.compile(r"^ip access-list (standard|extended) (\S+)$")
_SEQ = re.compile(r"^\d+ ")


def entries(tree: HConfig, section: str) -> list[str] | None:
    """The entries of an ACL section (sequence numbers removed), None when absent."""
    node = tree.get_child(equals=section)
    if node is None:
        return None
    return [_SEQ.sub("", child.text, count=1) for child in node.children]


def lcs_pairs(left: Sequence[str], right: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs of a longest common subsequence of two lists, in order."""
    n, m = len(left), len(right)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            if left[i] == right[j]:
                table[i][j] = table[i + 1][j + 1] + 1
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if left[i] == right[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def entry_slots(raw_config: str, section: str) -> list[int] | None:
    """Where each entry of an ACL section of a device's own text sits in the device's numbering
    after a resequence: entries take a place each, and so do remarks the device prints with a
    number of their own; a remark printed without one (classic IOS) belongs to the next entry.
    None when the section is not found."""
    lines = raw_config.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if " ".join(line.split()) == section and line[:1] != " "), None
    )
    if start is None:
        return None
    slots: list[int] = []
    place = 0
    for line in lines[start + 1 :]:
        if not line[:1].isspace():
            break
        words = line.split()
        numbered = bool(words) and words[0].isdigit()
        body = words[1:] if numbered else words
        if body[:1] == ["remark"]:
            place += 1 if numbered else 0
            continue
        if body:
            slots.append(place)
            place += 1
    return slots


def _step(pairs: list[tuple[int, int]], wanted: int, have: int) -> int:
    """The resequence step that leaves room for the insertions after each kept entry."""
    need = 10
    bounds = [(-1, -1), *pairs, (have, wanted)]
    for (_, pj), (q, qj) in pairwise(bounds):
        if q < have:
            need = max(need, qj - pj)  # qj - pj - 1 insertions need qj - pj free numbers
    return int(math.ceil(need / 10) * 10)


def edit_commands(
    section: str, running: Sequence[str], wanted: Sequence[str], slots: Sequence[int] | None = None
) -> list[str]:
    """Commands (plan form: children indented, ``exit`` closing the section) that turn the
    device's entries ``running`` into ``wanted``; [] when they are equal. ``slots``: each
    running entry's place in the device's numbering (:func:`entry_slots`; default: its index)."""
    if list(running) == list(wanted):
        return []
    match = NAMED_ACL.match(section)
    if match is None:
        raise ValueError(f"not a named IOS ACL: {section!r}")
    name = match[2]
    places = list(slots) if slots is not None and len(slots) == len(running) else list(range(len(running)))
    pairs = lcs_pairs(running, wanted)
    step = _step(pairs, len(wanted), len(running))
    kept = {i for i, _ in pairs}
    body = [f"  no {step * (places[i] + 1)}" for i in range(len(running)) if i not in kept]
    bounds = [(-1, -1), *pairs, (len(running), len(wanted))]
    for (p, pj), (q, qj) in pairwise(bounds):
        inserts = list(range(pj + 1, qj))
        if not inserts:
            continue
        low = step * (places[p] + 1) if p >= 0 else 0
        if q < len(running):
            # right after the kept entry, before the next number (an entry, or a remark the
            # device numbers — a remark stays with the entry it stands above)
            numbers = [low + step * k // (len(inserts) + 1) for k in range(1, len(inserts) + 1)]
        else:
            last = step * (max(places) + 1) if places else 0
            numbers = [max(low, last) + 10 * k for k in range(1, len(inserts) + 1)]
        body += [f"  {n} {wanted[j]}" for n, j in zip(numbers, inserts, strict=True)]
    return [
        f"ip access-list resequence {name} {step} {step}",
        section,
        *body,
        "  exit",
        f"ip access-list resequence {name} 10 10",
    ]


def sequence_aware(
    commands: Sequence[str], running: HConfig, target: HConfig, raw_running: str | None = None
) -> list[str]:
    """``commands`` (a hier_config plan from ``running`` to ``target``, plan form) with each
    changed ACL's section replaced by sequence-aware commands (see the module doc).
    ``raw_running``: the device's own text, for where its remarks sit in its numbering."""
    blocks: dict[str, list[str]] = {}
    for child in target.children:
        if not NAMED_ACL.match(child.text):
            continue
        have, want = entries(running, child.text), entries(target, child.text)
        if have is None or want is None:
            continue
        slots = entry_slots(raw_running, child.text) if raw_running is not None else None
        block = edit_commands(child.text, have, want, slots)
        if block:
            blocks[child.text] = block
    if not blocks:
        return list(commands)
    out: list[str] = []
    skipping = False
    for line in commands:
        top = not line[:1].isspace()
        if top:
            skipping = line in blocks
            if skipping:
                out += blocks.pop(line)
                continue
        if not skipping:
            out.append(line)
    # changed ACLs hier_config did not mention: first, as hier_config orders ACLs
    return [line for block in blocks.values() for line in block] + out


class _Section(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def children(self) -> Any: ...


def difference(left: Sequence[_Section], right: Sequence[_Section]) -> list[str]:
    """Compliance lines of IOS ACL sections: entries of ``left`` that are not in the longest
    common subsequence with ``right`` (so one entry added by hand is one line, not a renumbered
    tail), under their section; whole sections of ``left`` that ``right`` lacks."""
    others = {section.text: section for section in right}
    out: list[str] = []
    for section in left:
        mine = [_SEQ.sub("", c.text, count=1) for c in section.children]
        other = others.get(section.text)
        if other is None:
            out += [section.text, *(f" {entry}" for entry in mine)]
            continue
        theirs = [_SEQ.sub("", c.text, count=1) for c in other.children]
        kept = {i for i, _ in lcs_pairs(mine, theirs)}
        lost = [f" {entry}" for i, entry in enumerate(mine) if i not in kept]
        if lost:
            out += [section.text, *lost]
    return out


_VRP_RULE = re.compile(r"^ rule (\d+ )?")


def number_vrp_rules(lines: Sequence[str]) -> list[str]:
    """Give unnumbered VRP ACL rules (``rule permit ip``) the number the device gives them: the
    next multiple of 5 above the highest rule so far (VRP's default step). Otherwise an intended
    ``rule permit ip`` never equals the device's ``rule 5 permit ip`` and never converges."""
    out: list[str] = []
    in_acl, highest = False, 0
    for line in lines:
        if not line.startswith(" "):
            in_acl, highest = line.startswith("acl "), 0
        match = _VRP_RULE.match(line) if in_acl else None
        if match and match[1]:
            highest = max(highest, int(match[1]))
        elif match:
            highest = (highest // 5 + 1) * 5
            out.append(f" rule {highest} {line[len(match[0]) :]}")
            continue
        out.append(line)
    return out
