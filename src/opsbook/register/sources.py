"""Which inventory sources a command uses when ``-i`` is not given: ansible.cfg's ``inventory``."""

from __future__ import annotations

from pathlib import Path

from opsbook.base.pathcheck import path_problem
from opsbook.errors import UsageError
from opsbook.paths import ProjectPaths, project_paths


def default_inventory(paths: ProjectPaths | None = None) -> list[Path]:
    """The customer context's register (opsbook.context; without one, ansible.cfg's inventory)."""
    return (paths or project_paths()).inventories


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
    unusable = [problem for problem in map(path_problem, sources) if problem]
    if unusable:
        raise UsageError(
            "inventory source unusable: " + "; ".join(unusable),
            hint="pass an inventory file (YAML or INI) or a folder of them with -i",
        )
    return sources
