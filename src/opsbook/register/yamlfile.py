"""Reading one YAML file of a register: bounded (size, depth, aliases) and with every error placed.

A file over :data:`~opsbook.register.yamlnodes.LIMITS`, not UTF-8, or not valid YAML becomes a
:class:`~opsbook.register.problems.Problem` (rules ``yaml-limits`` / ``yaml-syntax``) at the line
and column where the fix is — never a traceback, never a place past the end of the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from opsbook.register.problems import Problem
from opsbook.register.yamlnodes import LIMITS, Node, YamlBoundsError, compose

_SYNTAX_FIX = "fix the YAML syntax (indentation, quotes, colons)"


def read_text(path: Path, problems: list[Problem], *, rule: str = "yaml-syntax") -> str | None:
    """The UTF-8 text of ``path`` when it is within :data:`LIMITS`; else a problem and ``None``."""
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            # a regular file is read whole once its size is known; anything else (a FIFO, a
            # device such as /dev/zero) only up to the limit
            fits = stat.S_ISREG(info.st_mode) and info.st_size <= LIMITS.max_bytes
            data = handle.read() if fits else handle.read(LIMITS.max_bytes + 1)
    except OSError as exc:
        problems.append(Problem(path, 1, 1, rule, f"cannot read the file: {exc}", "check its permissions"))
        return None
    if len(data) > LIMITS.max_bytes:
        problems.append(
            Problem(
                path,
                1,
                1,
                "yaml-limits",
                f"the file is larger than {LIMITS.max_bytes // (1024 * 1024)} MiB; it was not read",
                "split it (one host_vars file per host, one group_vars file per group)",
            )
        )
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(path, 1, 1, rule, f"not UTF-8 text: {exc.reason}", "save as UTF-8"))
        return None


def read_yaml(path: Path, problems: list[Problem]) -> Node | None:
    """The node tree of ``path``; a syntax error or a file over the limits becomes a problem and ``None``."""
    text = read_text(path, problems)
    return None if text is None else parse_yaml(path, text, problems)


def parse_yaml(path: Path, text: str, problems: list[Problem]) -> Node | None:
    """The node tree of ``text`` (read from ``path``); problems as in :func:`read_yaml`."""
    try:
        return compose(text)
    except YamlBoundsError as exc:
        line, column = _position(exc.problem_mark, text)
        problems.append(Problem(path, line, column, "yaml-limits", str(exc.problem), exc.fix))
    except yaml.MarkedYAMLError as exc:
        problems.append(syntax_problem(path, text, exc))
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        problems.append(Problem(path, 1, 1, "yaml-syntax", str(exc)[:300], "fix the YAML syntax"))
    return None


def _position(where: Any, text: str) -> tuple[int, int]:
    """A PyYAML mark as a 1-based (line, column) that lies inside ``text``."""
    if where is None:
        return 1, 1
    lines = text.splitlines() or [""]
    line = min(where.line, len(lines) - 1)
    column = where.column if where.line == line else len(lines[line])
    return line + 1, column + 1


def syntax_problem(path: Path, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """A PyYAML syntax error as a problem, placed where the fix is.

    PyYAML names two marks: where the construct began (context) and where parsing failed
    (problem). When parsing failed only at the end of the file (an unclosed ``[``, ``{`` or
    quote), the problem mark lies past the last line; the place to fix is where it began.
    """
    problem, context = exc.problem_mark, exc.context_mark
    lines = text.splitlines()
    at_end = problem is not None and (problem.line >= len(lines) or problem.index >= len(text.rstrip()))
    what = str(exc.problem or "invalid YAML")
    if context is not None and (problem is None or at_end):
        line, column = _position(context, text)
        message = f"{exc.context} (started at line {line}, column {column}): {what}"
        if at_end:
            message += " before the end of the file"
        return Problem(path, line, column, "yaml-syntax", message, _SYNTAX_FIX + "; close what starts here")
    line, column = _position(problem, text)
    message = what
    if exc.context:
        where = ""
        if context is not None:
            c_line, c_column = _position(context, text)
            where = f" (line {c_line}, column {c_column})"
        message = f"{exc.context}{where}: {what}"
    return Problem(path, line, column, "yaml-syntax", message, _SYNTAX_FIX)
