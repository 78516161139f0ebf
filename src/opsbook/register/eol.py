"""End-of-life dates for OS / firmware versions, from ``data/eol.yml`` (each entry sourced)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from opsbook.errors import OpsbookError


@dataclass(frozen=True, slots=True)
class EolEntry:
    os: str
    version: str
    eol: dt.date
    source: str
    estimate: bool = False
    name: str = ""


@dataclass(frozen=True)
class EolTable:
    """OS → version prefix → entry."""

    entries: dict[str, dict[str, EolEntry]]

    def lookup(self, os_name: str | None, version: str | None) -> EolEntry | None:
        """The entry whose version prefix matches ``version`` at a boundary (longest wins)."""
        if not os_name or not version:
            return None
        versions = self.entries.get(os_name)
        if not versions:
            return None
        text = str(version).strip()
        for key in sorted(versions, key=len, reverse=True):
            if _prefix_matches(key, text):
                return versions[key]
        return None


def _prefix_matches(key: str, version: str) -> bool:
    if not version.startswith(key):
        return False
    if len(version) == len(key):
        return True
    nxt = version[len(key)]
    if key[-1].isdigit():
        return not nxt.isdigit()
    if key[-1].isalpha():
        return not nxt.isalpha()
    return True


def parse_eol_data(data: Any, origin: str) -> EolTable:
    """An :class:`EolTable` from the YAML structure of ``data/eol.yml``."""
    if not isinstance(data, dict):
        raise OpsbookError(
            f"{origin}: expected a mapping of OS names", hint="see data/eol.yml for the format"
        )
    table: dict[str, dict[str, EolEntry]] = {}
    for os_name, versions in data.items():
        if not isinstance(versions, dict):
            raise OpsbookError(f"{origin}: '{os_name}' must map versions to entries")
        for version, entry in versions.items():
            if not isinstance(entry, dict) or "eol" not in entry or "source" not in entry:
                raise OpsbookError(
                    f"{origin}: {os_name} {version} needs eol: and source:",
                    hint="every date names its source",
                )
            eol = entry["eol"]
            if not isinstance(eol, dt.date):
                eol = dt.date.fromisoformat(str(eol))
            table.setdefault(str(os_name), {})[str(version)] = EolEntry(
                os=str(os_name),
                version=str(version),
                eol=eol,
                source=str(entry["source"]),
                estimate=entry.get("basis") == "estimate",
                name=str(entry.get("name", "")),
            )
    return EolTable(table)


@lru_cache(maxsize=4)
def load_eol_table(path: Path | None = None) -> EolTable:
    """The packaged EOL table, or the one at ``path``."""
    if path is None:
        text = resources.files("opsbook.register").joinpath("data/eol.yml").read_text(encoding="utf-8")
        origin = "opsbook/register/data/eol.yml"
    else:
        text = path.read_text(encoding="utf-8")
        origin = str(path)
    return parse_eol_data(yaml.safe_load(text), origin)
