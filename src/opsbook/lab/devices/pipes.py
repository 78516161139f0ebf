"""Output filters after ``|``: include, exclude, begin, section (IOS), count.

:func:`split_pipes` cuts ``show running-config | include ^hostname`` into the command and a
list of :class:`Filter`; :func:`apply_filters` runs them over command output. A regular
expression runs to the end of the line (it may hold spaces and ``|``), unless a later
`` | <filter>`` starts another filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FILTER_NAMES: dict[str, tuple[str, ...]] = {
    "cisco_ios": ("include", "exclude", "begin", "section", "count"),
    "huawei_vrp": ("include", "exclude", "begin", "count"),
}


@dataclass(frozen=True)
class Filter:
    name: str
    pattern: re.Pattern[str]


class PipeError(ValueError):
    """A bad filter: ``offset`` is where in the line the device would put its ``^``."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def _filter_name(word: str, platform: str) -> str | None:
    names = [n for n in FILTER_NAMES[platform] if n.startswith(word.lower())]
    return names[0] if len(names) == 1 or (names and names[0] == word.lower()) else None


def split_pipes(line: str, platform: str) -> tuple[str, list[Filter]]:
    """``"sh run | i host"`` → ``("sh run", [Filter("include", re("host"))])``."""
    index = line.find("|")
    if index < 0:
        return line, []
    command = line[:index].rstrip()
    filters: list[Filter] = []
    rest = line[index + 1 :]
    offset = index + 1
    while True:
        stripped = rest.lstrip()
        offset += len(rest) - len(stripped)
        word, _, expression = stripped.partition(" ")
        name = _filter_name(word, platform) if word else None
        if name is None:
            raise PipeError("unknown filter", offset)
        # Another filter follows when " | <filter name>" appears later on the line.
        nxt = next(
            (
                m
                for m in re.finditer(r"\s\|\s*(\S+)", expression)
                if _filter_name(m.group(1), platform) is not None
            ),
            None,
        )
        tail = ""
        if nxt:
            tail = expression[nxt.start() + 1 :]
            expression = expression[: nxt.start()]
        expression = expression.strip()
        if name != "count" and not expression:
            raise PipeError("incomplete filter", offset + len(stripped))
        try:
            pattern = re.compile(expression or ".*")
        except re.error as exc:
            raise PipeError(f"bad regular expression: {exc}", offset + len(word) + 1) from exc
        filters.append(Filter(name, pattern))
        if not tail:
            return command, filters
        offset += len(stripped) - len(tail) + 1
        rest = tail[1:]


def _section(lines: list[str], pattern: re.Pattern[str]) -> list[str]:
    """IOS ``| section``: a matching line is printed with every line indented under it."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if pattern.search(line):
            indent = len(line) - len(line.lstrip(" "))
            out.append(line)
            i += 1
            while (
                i < len(lines) and lines[i].strip() and (len(lines[i]) - len(lines[i].lstrip(" ")) > indent)
            ):
                out.append(lines[i])
                i += 1
            continue
        i += 1
    return out


def apply_filters(output: str, filters: list[Filter]) -> str:
    lines = output.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for flt in filters:
        if flt.name == "include":
            lines = [line for line in lines if flt.pattern.search(line)]
        elif flt.name == "exclude":
            lines = [line for line in lines if not flt.pattern.search(line)]
        elif flt.name == "begin":
            for i, line in enumerate(lines):
                if flt.pattern.search(line):
                    lines = lines[i:]
                    break
            else:
                lines = []
        elif flt.name == "section":
            lines = _section(lines, flt.pattern)
        elif flt.name == "count":
            count = sum(1 for line in lines if flt.pattern.search(line))
            lines = [f"Number of lines which match regexp = {count}"]
    return "\n".join(lines) + ("\n" if lines else "")
