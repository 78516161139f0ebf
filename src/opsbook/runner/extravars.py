"""Extra variables reach Ansible as data, never as templates.

Every value opsbook hands to ansible-playbook — runbook parameters, ``opsbook run -e`` values,
register data, opsbook's own ``opsbook_*`` variables — may come from a user, a ticket or a
webhook. Ansible templates any string it is given: ``/{{7*7}}`` becomes ``/49`` and
``{{ lookup('pipe', 'cmd') }}`` runs ``cmd`` on the controller. So the variables are written as
YAML in which every string (values and mapping keys, at any depth) carries Ansible's documented
``!unsafe`` tag: Ansible then never templates them (see docs/security.md).

:func:`unsafe_yaml` is the pure part; :func:`write_extravars_file` writes it to a private
temporary file for ``-e @file``.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from opsbook.runner.inputs import RunInputError

#: Ansible's tag for a string that must never be templated.
UNSAFE_TAG = "!unsafe"


class _Unsafe(str):
    """A string to be written with the ``!unsafe`` tag."""


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper plus the ``!unsafe`` scalar."""


def _represent_unsafe(dumper: yaml.SafeDumper, value: _Unsafe) -> yaml.ScalarNode:
    # double-quoted: every character (newlines, quotes, non-ASCII, control characters) round-trips
    return dumper.represent_scalar(UNSAFE_TAG, str(value), style='"')


_Dumper.add_representer(_Unsafe, _represent_unsafe)


def _tagged(value: Any, where: str) -> Any:
    """``value`` with every string wrapped as :class:`_Unsafe`; anything not JSON-like is refused."""
    if isinstance(value, str):
        return _Unsafe(value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RunInputError(f"Extra variable {where}: {value!r} is not a finite number.")
        return value
    if isinstance(value, Mapping):
        tagged: dict[Any, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str | int | bool):
                raise RunInputError(f"Extra variable {where}: key {key!r} is not a string or number.")
            tagged[_Unsafe(key) if isinstance(key, str) else key] = _tagged(item, f"{where}.{key}")
        return tagged
    if isinstance(value, list | tuple):
        return [_tagged(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise RunInputError(
        f"Extra variable {where}: a {type(value).__name__} is not data Ansible can take "
        "(strings, numbers, booleans, lists and mappings only)."
    )


def unsafe_yaml(extravars: Mapping[str, Any]) -> str:
    """``extravars`` as YAML for ``ansible-playbook -e @file``: every string tagged ``!unsafe``.

    Top-level names must be valid variable names (they are Ansible's variable names, not data).
    Raises :class:`~opsbook.runner.inputs.RunInputError` for a bad name or a value that is not
    JSON-like data.
    """
    document: dict[str, Any] = {}
    for name, value in extravars.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise RunInputError(
                f"Extra variable name {name!r} is not a variable name.",
                hint="Use letters, digits and '_' (not starting with a digit).",
            )
        document[name] = _tagged(value, name)
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=2**31 - 1)


def write_extravars_file(extravars: Mapping[str, Any]) -> Path:
    """Write :func:`unsafe_yaml` to a private (0600) temporary file and return its path.

    The caller removes it when ansible-playbook is done; it is never inside a run folder.
    """
    text = unsafe_yaml(extravars)
    fd, name = tempfile.mkstemp(prefix="opsbook-extravars-", suffix=".yml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return Path(name)
