"""What a line of a unified diff is — the one classification every diff renderer uses."""

from __future__ import annotations

from typing import Literal

DiffKind = Literal["head", "hunk", "add", "del", "ctx"]


def diff_line_kind(line: str) -> DiffKind:
    """``head`` (``+++``/``---``), ``hunk`` (``@@``), ``add`` (``+``), ``del`` (``-``), else ``ctx``."""
    if line.startswith(("+++", "---")):
        return "head"
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "add"
    if line.startswith("-"):
        return "del"
    return "ctx"
