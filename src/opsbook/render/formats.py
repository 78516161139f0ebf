"""``--format a,b`` options: one parser for every job."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from opsbook.errors import UsageError


def parse_formats(values: Sequence[str] | str | None, allowed: Iterable[str], *, default: str) -> list[str]:
    """``["table,json", "html"]`` → ``["table", "json", "html"]`` (order kept, duplicates dropped).

    Unknown names are refused with the list of allowed ones; nothing given → ``[default]``.
    """
    choices = list(allowed)
    items = [values] if isinstance(values, str) else list(values or [])
    found: list[str] = []
    for item in items:
        for name in (part.strip().lower() for part in item.split(",")):
            if not name:
                continue
            if name not in choices:
                raise UsageError(
                    f"unknown format {name!r}",
                    hint=f"use one or more of {', '.join(choices)} (comma-separated)",
                )
            if name not in found:
                found.append(name)
    return found or [default]
