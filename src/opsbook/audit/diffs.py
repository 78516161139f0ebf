"""ansible's diff entries → unified diff text (pure)."""

from __future__ import annotations

import difflib
import json
import re
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


_TEMP = re.compile(r"/\.ansible/tmp/|/ansible-local-|/ansible-tmp-")
_PKG_HEAD = re.compile(r"^The following (?:NEW )?packages will be (?:installed|REMOVED|upgraded)", re.I)


def _header(entry: Mapping[str, Any], key: str, default: str) -> str:
    """A diff header; a template's temporary source file is shown as the destination instead."""
    value = str(entry.get(key) or "")
    if key == "after_header" and (not value or _TEMP.search(value)):
        value = str(entry.get("before_header") or "")
    return value or default


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
                        fromfile=_header(entry, "before_header", "before"),
                        tofile=_header(entry, "after_header", "after"),
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
    """Paths named by the entries' headers (the files a diff is about), in order, unique. The
    ``before_header`` is the managed file; a template's ``after_header`` is a temporary file."""
    found: list[str] = []
    for entry in entries:
        for key in ("before_header", "after_header"):
            value = entry.get(key)
            if not isinstance(value, str) or not value or value in ("before", "after") or _TEMP.search(value):
                continue
            if value not in found:
                found.append(value)
            break
    return found


def packages(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Package names from apt's prepared text ("The following NEW packages will be installed:")."""
    found: list[str] = []
    for entry in entries:
        prepared = entry.get("prepared")
        if not isinstance(prepared, str):
            continue
        listing = False
        for line in prepared.splitlines():
            if _PKG_HEAD.match(line):
                listing = True
            elif listing and line.startswith("  "):
                found += [name for name in line.split() if name not in found]
            else:
                listing = False
    return found
