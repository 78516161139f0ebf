"""Which inventory sources a command uses when ``-i`` is not given: ansible.cfg's ``inventory``."""

from __future__ import annotations

import configparser
from pathlib import Path

from opsbook.errors import UsageError
from opsbook.paths import ProjectPaths, project_paths


def default_inventory(paths: ProjectPaths | None = None) -> list[Path]:
    """The ``[defaults] inventory`` of the project's ansible.cfg (comma-separated, relative to it)."""
    project = paths or project_paths()
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";", "#"))
    try:
        parser.read(project.ansible_cfg, encoding="utf-8")
    except configparser.Error:
        return [project.lab_inventory]
    value = parser.get("defaults", "inventory", fallback="").strip()
    if not value:
        return [project.lab_inventory]
    return [(project.root / item.strip()).resolve() for item in value.split(",") if item.strip()]


def resolve_sources(given: list[Path] | None) -> list[Path]:
    """``-i`` values, or the default inventory; every source must exist."""
    sources = list(given) if given else default_inventory()
    missing = [s for s in sources if not s.exists()]
    if missing:
        raise UsageError(
            "inventory source not found: " + ", ".join(str(m) for m in missing),
            hint="pass an existing inventory file or folder with -i (the lab writes inventory/lab with "
            "'opsbook lab up')",
        )
    return sources
