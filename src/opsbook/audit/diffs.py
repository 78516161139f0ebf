"""ansible's diff entries → unified diff text (pure)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from typing import Any


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [f"{k}: {_scalar(v)}\n" for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))]
    if isinstance(value, list):
        return [f"- {_scalar(v)}\n" for v in value]
    text = str(value)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return lines


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def entry_text(entry: Mapping[str, Any]) -> str:
    """One diff entry as text: a unified diff of before/after, or the module's prepared text."""
    parts: list[str] = []
    if "before" in entry or "after" in entry:
        before = _lines(entry.get("before"))
        after = _lines(entry.get("after"))
        if before != after:
            parts.append(
                "".join(
                    difflib.unified_diff(
                        before,
                        after,
                        fromfile=str(entry.get("before_header") or "before"),
                        tofile=str(entry.get("after_header") or "after"),
                    )
                )
            )
    prepared = entry.get("prepared")
    if prepared:
        text = str(prepared)
        parts.append(text if text.endswith("\n") else text + "\n")
    return "".join(parts)


def diff_text(entries: Iterable[Mapping[str, Any]]) -> str:
    """Every entry's text, in order."""
    return "".join(entry_text(e) for e in entries)


def headers(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Paths named by the entries' headers (the files a diff is about), in order, unique."""
    found: list[str] = []
    for entry in entries:
        for key in ("after_header", "before_header"):
            value = entry.get(key)
            if isinstance(value, str) and value and value not in found and value not in ("before", "after"):
                found.append(value)
                break
    return found
