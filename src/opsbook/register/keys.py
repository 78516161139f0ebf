"""Which variable names may appear in host_vars / group_vars: the one allowlist.

Allowed are: the asset fields of :mod:`opsbook.register.schema`; every ``ansible_*`` variable
(connection and behaviour settings); the variables declared by the roles in
``roles/*/meta/argument_specs.yml`` (read at check time, so new roles need no change here); and
the documented opsbook settings in ``data/settings.yml``; and, only when asked for (checking an
export of a plugin's inventory), the host variables a documented inventory plugin sets
(``data/plugin_vars.yml``, e.g. NetBox's). Anything else is reported as an unknown key with the
closest allowed names.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from opsbook.register.schema import ASSET_FIELDS

ANSIBLE_PREFIX = "ansible_"
#: Common Ansible variables offered as "did you mean" targets (any ansible_* is allowed).
_COMMON_ANSIBLE = (
    "ansible_host",
    "ansible_port",
    "ansible_user",
    "ansible_password",
    "ansible_connection",
    "ansible_become",
    "ansible_become_method",
    "ansible_become_user",
    "ansible_become_password",
    "ansible_network_os",
    "ansible_python_interpreter",
    "ansible_ssh_private_key_file",
    "ansible_ssh_common_args",
    "ansible_group_priority",
)


@lru_cache(maxsize=1)
def opsbook_settings() -> dict[str, str]:
    """The documented opsbook settings: name → description (from ``data/settings.yml``)."""
    text = resources.files("opsbook.register").joinpath("data/settings.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    return {str(k): " ".join(str(v).split()) for k, v in data.items()}


@lru_cache(maxsize=1)
def plugin_variables() -> dict[str, str]:
    """Host variables set by the inventory plugins docs/register.md documents: name → plugin."""
    text = resources.files("opsbook.register").joinpath("data/plugin_vars.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    return {str(name): str(plugin) for plugin, names in data.items() for name in names or []}


def _spec_options(spec_file: Path) -> set[str]:
    try:
        data: Any = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return set()
    specs = data.get("argument_specs") if isinstance(data, dict) else None
    names: set[str] = set()
    if isinstance(specs, dict):
        for entry in specs.values():
            options = entry.get("options") if isinstance(entry, dict) else None
            if isinstance(options, dict):
                names.update(str(name) for name in options)
    return names


def role_variables(roles_dir: Path | None) -> dict[str, str]:
    """Variable name → role, from every role's ``meta/argument_specs.yml`` (or ``meta/main.yml``)."""
    found: dict[str, str] = {}
    if roles_dir is None or not roles_dir.is_dir():
        return found
    for role in sorted(p for p in roles_dir.iterdir() if p.is_dir()):
        for candidate in ("argument_specs.yml", "argument_specs.yaml", "main.yml", "main.yaml"):
            spec_file = role / "meta" / candidate
            if spec_file.is_file():
                for name in _spec_options(spec_file):
                    found.setdefault(name, role.name)
    return found


@dataclass
class AllowedKeys:
    """The allowlist for one check run."""

    #: name → where it is declared ("asset schema", "role nginx", "opsbook setting").
    declared: dict[str, str] = field(default_factory=dict)
    _suggestions: dict[str, list[str]] = field(default_factory=dict)

    def is_allowed(self, key: str) -> bool:
        return key in self.declared or key.startswith(ANSIBLE_PREFIX)

    def suggest(self, key: str) -> list[str]:
        """Up to three allowed names close to ``key`` (difflib), cached per key."""
        cached = self._suggestions.get(key)
        if cached is None:
            candidates = [*self.declared, *_COMMON_ANSIBLE]
            cached = difflib.get_close_matches(key, candidates, n=3, cutoff=0.75)
            if not cached:
                lowered = key.lower()
                cached = [c for c in candidates if c.lower() == lowered]
            self._suggestions[key] = cached
        return cached


def allowed_keys(roles_dir: Path | None = None, *, plugins: tuple[str, ...] = ()) -> AllowedKeys:
    """The allowlist: asset fields + ansible_* + role arguments + opsbook settings, plus the host
    variables of the inventory ``plugins`` named (for checking an export of their inventory)."""
    declared: dict[str, str] = dict.fromkeys(ASSET_FIELDS, "asset schema")
    for name, role in role_variables(roles_dir).items():
        declared.setdefault(name, f"role {role}")
    for name in opsbook_settings():
        declared.setdefault(name, "opsbook setting")
    for name, plugin in plugin_variables().items():
        if plugin in plugins:
            declared.setdefault(name, f"set by {plugin}")
    return AllowedKeys(declared)
