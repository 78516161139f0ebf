"""Run ids: sortable by start time, unique, safe as a folder name."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

#: What :func:`new_run_id` makes: ``20261127T113000Z-1a2b3c``, or with a label
#: ``20261127T113000Z-disk-full-1a2b3c``.
GENERATED_RUN_ID = re.compile(r"^\d{8}T\d{6}Z-(?:[a-z0-9][a-z0-9._-]*-)?[0-9a-f]{6}$")
#: What a caller may pass as ``run_id``: one path segment, no dots first, no separators.
VALID_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def new_run_id(now: datetime | None = None, token: str | None = None, *, label: str = "") -> str:
    """``<UTC time>[-<label>]-<6 hex>``: sorts by start second; the random part makes it unique.

    ``label`` (a runbook's name, say) is lower-cased and reduced to ``[a-z0-9._-]``.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    tail = token if token is not None else os.urandom(3).hex()
    clean = re.sub(r"[^a-z0-9._-]+", "-", label.lower()).strip("-._")
    return f"{moment:%Y%m%dT%H%M%SZ}-{clean + '-' if clean else ''}{tail}"


def is_valid_run_id(run_id: str) -> bool:
    return bool(VALID_RUN_ID.match(run_id))
