"""Configuration text normalisation, in two strengths.

* :func:`strip_volatile` — for backups: removes what changes without anyone changing the
  configuration (timestamps, byte counts, ``ntp clock-period``, ACL hit counters), so that two
  backups of an unchanged device are identical.
* :func:`canonical` — for compliance: on top of that, writes every line in one canonical
  spelling (abbreviations expanded, defaults dropped, equivalent forms unified, VLAN lists split)
  so that configurations that mean the same never show as drift.

Pure functions of text; the rule tables below are the documentation of what is normalised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from opsbook.network.acls import number_vrp_rules
from opsbook.network.names import (
    expand_interface,
    expand_interface_tokens,
    expand_keywords,
    resolve_interface,
)
from opsbook.network.platforms import PlatformName, platform

__all__ = [
    "canonical",
    "expand_interface",
    "expand_keywords",
    "resolve_interface",
    "strip_volatile",
    "vlan_ids",
    "vlan_ranges",
]

# --------------------------------------------------------------------------------------------
# Volatile lines (backups and compliance)
# --------------------------------------------------------------------------------------------

_VOLATILE: dict[PlatformName, tuple[re.Pattern[str], ...]] = {
    "cisco_ios": tuple(
        re.compile(p)
        for p in (
            r"^Building configuration\.*\s*$",
            r"^Current configuration\s*:\s*\d+ bytes\s*$",
            r"^! Last configuration change at .*$",
            r"^! NVRAM config last updated at .*$",
            r"^! No configuration change since last restart\s*$",
            r"^! Time: .*$",
            r"^ntp clock-period \d+\s*$",
        )
    ),
    "huawei_vrp": tuple(
        re.compile(p)
        for p in (
            r"^!Software Version .*$",
            r"^!Last configuration was (updated|saved) at .*$",
            r"^!Time of .*$",
            r"^\s*Info: .*$",
        )
    ),
}

#: hit counters printed after ACL entries: ``(12 matches)``, ``(1 match)``, ``(3 times matched)``.
_COUNTER = re.compile(r"\s+\(\d+ (?:match(?:es)?|times? matched)\)\s*$")


def strip_volatile(text: str, platform_name: str) -> str:
    """The configuration without lines and counters that change on their own.

    Trailing whitespace and leading/trailing blank lines go too; the result ends with one newline.
    """
    name = platform(platform_name).name
    patterns = _VOLATILE[name]
    out: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if any(p.match(line) for p in patterns):
            continue
        out.append(_COUNTER.sub("", line))
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n" if out else ""


# --------------------------------------------------------------------------------------------
# Equivalent forms and defaults
# --------------------------------------------------------------------------------------------

#: IOS port names as IOS prints them, to numbers (both spellings mean the same port).
_PORTS: dict[str, str] = {
    "bgp": "179",
    "domain": "53",
    "ftp": "21",
    "ftp-data": "20",
    "https": "443",
    "isakmp": "500",
    "ntp": "123",
    "smtp": "25",
    "snmp": "161",
    "snmptrap": "162",
    "ssh": "22",
    "syslog": "514",
    "tacacs": "49",
    "telnet": "23",
    "tftp": "69",
    "www": "80",
}

_PORT_OPERATORS = frozenset({"eq", "neq", "gt", "lt", "range"})


def _ios_acl_entry(line: str) -> str:
    words = line.split()
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        nxt = words[index + 1] if index + 1 < len(words) else ""
        if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", word) and nxt == "0.0.0.0":
            out += ["host", word]
            index += 2
            continue
        if word == "0.0.0.0" and nxt == "255.255.255.255":
            out.append("any")
            index += 2
            continue
        out.append(word)
        if word in _PORT_OPERATORS:
            count = 2 if word == "range" else 1
            for offset in range(1, count + 1):
                if index + offset < len(words):
                    port = words[index + offset]
                    out.append(_PORTS.get(port.lower(), port))
            index += count + 1
            continue
        index += 1
    return " ".join(out)


def vlan_ids(spec: Iterable[str]) -> list[int]:
    """VLAN ids from list words: ``10,20-22`` (IOS) or ``10 20 to 22`` (VRP) → [10, 20, 21, 22]."""
    ids: set[int] = set()
    words = " ".join(spec).replace(",", " ").split()
    index = 0
    while index < len(words):
        word = words[index]
        if word == "to" and ids and index + 1 < len(words) and words[index + 1].isdigit():
            ids.update(range(_last_added(words, index), int(words[index + 1]) + 1))
            index += 2
            continue
        if "-" in word:
            low, _, high = word.partition("-")
            if low.isdigit() and high.isdigit():
                ids.update(range(int(low), int(high) + 1))
        elif word.isdigit():
            ids.add(int(word))
        index += 1
    return sorted(ids)


def _last_added(words: list[str], index: int) -> int:
    return int(words[index - 1]) if words[index - 1].isdigit() else int(words[index - 1].split("-")[-1])


def vlan_ranges(ids: Iterable[int]) -> str:
    """[10, 20, 21, 22] → ``10,20-22`` (IOS's own compressed form)."""
    ordered = sorted(set(ids))
    parts: list[str] = []
    start = prev = None
    for vid in [*ordered, None]:
        if vid is not None and prev is not None and vid == prev + 1:
            prev = vid
            continue
        if start is not None and prev is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = vid
    return ",".join(parts)


#: child lines of ``interface`` sections that state the default (never drift, never pushed).
_INTERFACE_DEFAULTS: dict[PlatformName, frozenset[str]] = {
    "cisco_ios": frozenset({"no shutdown", "duplex auto", "speed auto", "no ip address", "negotiation auto"}),
    "huawei_vrp": frozenset({"undo shutdown"}),
}

#: top-level lines that state the default.
_GLOBAL_DEFAULTS: dict[PlatformName, frozenset[str]] = {
    "cisco_ios": frozenset({"logging trap informational", "end"}),
    "huawei_vrp": frozenset({"return"}),
}


def _ios_line(line: str, parent: str) -> list[str]:
    """One IOS line in canonical form (a list: some lines split into several)."""
    words = line.split()
    if not words:
        return []
    if (
        parent == ""
        and len(words) == 2
        and words[0] == "logging"
        and re.fullmatch(r"[\d.:a-fA-F]+", words[1])
    ):
        return [f"logging host {words[1]}"]
    if parent == "" and words[0] == "snmp-server" and len(words) >= 4 and words[1] == "community":
        words[3] = words[3].upper() if words[3].lower() in ("ro", "rw") else words[3]
        return [" ".join(words)]
    if parent.startswith("ip access-list ") and words[0].isdigit() and len(words) > 1:
        # IOS-XE prints sequence numbers, classic IOS does not: order alone is compared
        return [_ios_acl_entry(" ".join(words[1:]))]
    if parent.startswith(("ip access-list ", "access-list ")) or words[0] == "access-list":
        return [_ios_acl_entry(line)]
    if parent.startswith("interface ") and line.startswith("switchport trunk allowed vlan "):
        rest = words[4:]
        if rest and rest[0] in ("add", "remove", "except", "all", "none"):
            return [line]
        return [f"switchport trunk allowed vlan {vlan_ranges(vlan_ids(rest))}"]
    return [line]


def _vrp_line(line: str, parent: str) -> list[str]:
    words = line.split()
    if not words:
        return []
    if parent == "" and words[:2] == ["vlan", "batch"]:
        return [f"vlan batch {vid}" for vid in vlan_ids(words[2:])]
    if parent == "" and len(words) == 2 and words[0] == "acl" and words[1].isdigit():
        return [f"acl number {words[1]}"]
    if parent.startswith("interface ") and words[:4] == ["port", "trunk", "allow-pass", "vlan"]:
        return [f"port trunk allow-pass vlan {vid}" for vid in vlan_ids(words[4:])]
    return [line]


_LINE_RULES: dict[PlatformName, Callable[[str, str], list[str]]] = {
    "cisco_ios": _ios_line,
    "huawei_vrp": _vrp_line,
}


# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------


def _vrp_reindent(lines: list[str]) -> list[str]:
    """VRP prints global commands of a ``#``-group with one leading space; make them top level.

    Within each group (between ``#`` lines) the first line's indentation is the group's top
    level: it is subtracted from every line of the group.
    """
    out: list[str] = []
    base: int | None = None
    for line in lines:
        stripped = line.strip()
        if stripped == "#":
            out.append("#")
            base = None
            continue
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip(" "))
        if base is None or indent < base:
            base = indent
        out.append(line[base:])
    return out


def _banners_ios(lines: list[str]) -> list[str]:
    """Rewrite every ``banner`` to one spelling: ``banner KIND ^C`` / text lines / ``^C``."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        match = re.match(r"^banner (\S+) (\^C|\S)(.*)$", line)
        if not match:
            out.append(line)
            index += 1
            continue
        kind, delim, rest = match.groups()
        text: list[str] = []
        if delim in rest:  # single-line banner: banner motd #text#
            text.append(rest.split(delim, 1)[0])
            index += 1
        else:
            if rest.strip():
                text.append(rest)
            index += 1
            while index < len(lines) and delim not in lines[index]:
                text.append(lines[index])
                index += 1
            if index < len(lines):
                before = lines[index].split(delim, 1)[0]
                if before.strip():
                    text.append(before)
                index += 1
        body = [t.rstrip() for t in text]
        while body and not body[-1]:
            body.pop()
        while body and not body[0]:
            body.pop(0)
        out += [f"banner {kind} ^C", *body, "^C"]
    return out


def canonical(text: str, platform_name: str) -> str:
    """The configuration in canonical form, ready for hier_config.

    Volatile lines, comments and default statements removed; abbreviations expanded; equivalent
    spellings unified. Indentation (the parent-child structure) is kept, one space per level
    normalised to the platform's own indentation.
    """
    plat = platform(platform_name)
    name = plat.name
    lines = strip_volatile(text, name).split("\n")
    lines = _vrp_reindent(lines) if name == "huawei_vrp" else _banners_ios(lines)
    out: list[str] = []
    parents: list[tuple[int, str]] = []  # (indent, canonical text) of open sections
    in_banner = False
    for raw in lines:
        if name == "cisco_ios" and raw.startswith("banner ") and raw.endswith("^C"):
            in_banner = True
            parents = []
            out.append(raw)
            continue
        if in_banner:
            out[-1] += "\n" + raw  # the banner stays one block (one tree node) until merged
            in_banner = raw != "^C"
            continue
        stripped = raw.strip()
        if not stripped or stripped.startswith(plat.comment):
            continue
        indent = len(raw) - len(raw.lstrip())
        while parents and parents[-1][0] >= indent:
            parents.pop()
        parent = parents[0][1] if parents else ""
        line = expand_keywords(" ".join(stripped.split()), name)
        line = expand_interface_tokens(line, name)
        if indent == 0 and line in _GLOBAL_DEFAULTS[name]:
            continue
        if parent.startswith("interface ") and line in _INTERFACE_DEFAULTS[name]:
            continue
        for result in _LINE_RULES[name](line, parent):
            out.append(" " * (len(parents)) + result)
        parents.append((indent, line))
    merged = _merge_duplicates(out)
    if name == "huawei_vrp":
        merged = number_vrp_rules(merged)
    return "\n".join(merged) + "\n" if merged else ""


def _merge_duplicates(lines: list[str]) -> list[str]:
    """One node per line text at each level: sections given twice are merged, repeated lines
    kept once (a configuration that says the same twice means it once)."""
    root: dict[str, Any] = {}
    stack: list[tuple[int, dict[str, Any]]] = [(-1, root)]
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        while stack[-1][0] >= indent:
            stack.pop()
        children = stack[-1][1].setdefault(line.strip(" "), {})
        stack.append((indent, children))
    out: list[str] = []

    def emit(node: dict[str, Any], depth: int) -> None:
        for text, children in node.items():
            out.append(" " * depth + text)
            emit(children, depth + 1)

    emit(root, 0)
    return out
