"""Keep secret values out of records and find them if they leaked into a run's files.

The runner masks secrets in events and purges them from its artifacts; this module applies the
same masking to the record and scans everything a runbook run wrote (every run folder it used,
including record.json and the service reports) once they are written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from opsbook.runner.artifacts import redact_artifacts
from opsbook.runner.artifacts import scan_for_secrets as _scan_dir
from opsbook.runner.redaction import redact as _redact


def redact(value: Any, secrets: Sequence[str]) -> Any:
    """``value`` with every occurrence of a secret (in any string, key or value) masked."""
    return _redact(value, secrets)


def scan_for_secrets(roots: Iterable[Path], secrets: Sequence[str]) -> list[Path]:
    """Every file under ``roots`` holding a secret value (raw or JSON-escaped); paths only."""
    found: list[Path] = []
    for root in roots:
        found.extend(root / relative for relative in _scan_dir(root, secrets))
    return found


def purge_secrets(roots: Sequence[Path], secrets: Sequence[str]) -> list[Path]:
    """Mask secret values still present in files under ``roots``; return the files that held one."""
    found = scan_for_secrets(roots, secrets)
    for root in roots:
        redact_artifacts(root, secrets)
    return found
