"""Write reconcile's changes into host_vars files, keeping comments, key order and formatting.

ruamel.yaml's round-trip mode keeps comments, key order, flow/block style and (with
``preserve_quotes``) quoting; the indentation is detected per file. A replaced value keeps the
quote style of the value it replaces. Files are replaced atomically with their mode kept.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from opsbook.errors import OpsbookError
from opsbook.register.reconcile import Append, Change


def _yaml(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines
    # ruamel guesses (indent, block_seq_indent): with block sequences, the column of an item's
    # content and of its dash; without, the mapping indent and None.
    _, indent, dash = load_yaml_guess_indent(text) if text.strip() else (None, None, None)
    if dash is None:
        yaml.indent(mapping=indent or 2, sequence=4, offset=2)
    else:
        yaml.indent(mapping=_mapping_indent(text), sequence=indent or dash + 2, offset=dash)
    yaml.explicit_start = text.lstrip().startswith("---")
    return yaml


def _mapping_indent(text: str) -> int:
    """Indent of the first nested mapping key (2 when there is none)."""
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        width = len(line) - len(stripped)
        if width and stripped and not stripped.startswith(("-", "#")) and ":" in stripped:
            return width
    return 2


def _styled(old: Any, new: Any) -> Any:
    """``new`` in the quote style of ``old`` (a quoted serial stays quoted)."""
    if isinstance(new, str):
        if isinstance(old, DoubleQuotedScalarString):
            return DoubleQuotedScalarString(new)
        if isinstance(old, SingleQuotedScalarString):
            return SingleQuotedScalarString(new)
    return new


def update_yaml_text(text: str, updates: Mapping[str, Any], *, origin: str = "<text>") -> str:
    """``text`` (a YAML mapping) with ``updates`` set: existing keys changed in place, new keys
    appended, :class:`Append` values added to the key's list; everything else as it was."""
    yaml = _yaml(text)
    data = yaml.load(text) if text.strip() else None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise OpsbookError(f"{origin}: not a mapping of variables; cannot write to it")
    for key, value in updates.items():
        if isinstance(value, Append):
            current = data.get(key)
            if isinstance(current, list):
                current.append(value.item)
            else:
                data[key] = [value.item]
        else:
            data[key] = _styled(data.get(key), value)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _write_atomic(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply_changes(changes: Sequence[Change]) -> list[Path]:
    """Write every change; returns the files changed (created ones start with ``---``)."""
    by_path: dict[Path, dict[str, Any]] = {}
    for change in changes:
        by_path.setdefault(change.path, {})[change.field] = change.value
    written: list[Path] = []
    for path, updates in by_path.items():
        old = path.read_text(encoding="utf-8") if path.exists() else "---\n"
        new = update_yaml_text(old, updates, origin=str(path))
        if new != old:
            _write_atomic(path, new)
            written.append(path)
    return written
