"""The one clock: every timestamp opsbook writes is UTC, ISO 8601, to the second."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, timezone-aware, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def now_iso() -> str:
    """Now as ``2026-12-03T09:30:00+00:00`` (what records, results and reports store)."""
    return utc_now().isoformat(timespec="seconds")
