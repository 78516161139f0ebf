# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""Statuses, thresholds and the shape of one check result (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

OK = "OK"
WARN = "WARN"
CRIT = "CRIT"
UNKNOWN = "UNKNOWN"
#: Best to worst. UNKNOWN ranks above OK: a check that could not run is never "fine".
SEVERITY = {OK: 0, UNKNOWN: 1, WARN: 2, CRIT: 3}

ALL_CHECKS = (
    "filesystems",
    "inodes",
    "memory",
    "swap",
    "load",
    "systemd",
    "time_sync",
    "reboot",
    "security_updates",
    "ports",
)

#: Single source of the default thresholds (DOCUMENTATION repeats them; a unit test keeps both equal).
DEFAULT_THRESHOLDS: dict[str, float | None] = {
    "fs_warn_pct": 80.0,
    "fs_crit_pct": 90.0,
    "inode_warn_pct": 80.0,
    "inode_crit_pct": 90.0,
    "mem_warn_pct": 90.0,
    "mem_crit_pct": 95.0,
    "swap_warn_pct": 50.0,
    "swap_crit_pct": 80.0,
    "load_per_core_warn": 1.0,
    "load_per_core_crit": 2.0,
    "failed_units_warn": 1.0,
    "failed_units_crit": 1.0,
    "time_offset_warn_ms": 100.0,
    "time_offset_crit_ms": 1000.0,
    "security_updates_warn": 1.0,
    "security_updates_crit": None,
    "apt_lists_max_age_days": 7.0,
}

#: (warn key, crit key) pairs: warn must not exceed crit.
THRESHOLD_PAIRS = (
    ("fs_warn_pct", "fs_crit_pct"),
    ("inode_warn_pct", "inode_crit_pct"),
    ("mem_warn_pct", "mem_crit_pct"),
    ("swap_warn_pct", "swap_crit_pct"),
    ("load_per_core_warn", "load_per_core_crit"),
    ("failed_units_warn", "failed_units_crit"),
    ("time_offset_warn_ms", "time_offset_crit_ms"),
    ("security_updates_warn", "security_updates_crit"),
)

# ---------------------------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------------------------


def worst(statuses: Iterable[str]) -> str:
    """The worst status of several (OK when there are none)."""
    result = OK
    for status in statuses:
        if SEVERITY[status] > SEVERITY[result]:
            result = status
    return result


def classify(value: float | None, warn: float | None, crit: float | None) -> str:
    """Higher is worse: CRIT at or above ``crit``, WARN at or above ``warn``; None disables a level."""
    if value is None:
        return UNKNOWN
    if crit is not None and value >= crit:
        return CRIT
    if warn is not None and value >= warn:
        return WARN
    return OK


def result(
    check: str,
    status: str,
    message: str,
    *,
    item: str = "",
    value: float | int | bool | None = None,
    unit: str = "",
    warn: float | None = None,
    crit: float | None = None,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One check result, in the shape RETURN documents."""
    return {
        "check": check,
        "item": item,
        "status": status,
        "value": value,
        "unit": unit,
        "threshold": {"warn": warn, "crit": crit},
        "message": message,
        "details": dict(details or {}),
    }


def validate_thresholds(thresholds: Mapping[str, float | None]) -> list[str]:
    """Problems with a thresholds dict (unknown keys, negative values, warn above crit)."""
    problems = []
    for key in sorted(set(thresholds) - set(DEFAULT_THRESHOLDS)):
        problems.append(f"unknown threshold {key!r}; known: {', '.join(sorted(DEFAULT_THRESHOLDS))}")
    for key, value in sorted(thresholds.items()):
        if value is not None and value < 0:
            problems.append(f"threshold {key} must not be negative (got {value})")
    for warn_key, crit_key in THRESHOLD_PAIRS:
        warn_value, crit_value = thresholds.get(warn_key), thresholds.get(crit_key)
        if warn_value is not None and crit_value is not None and warn_value > crit_value:
            problems.append(f"{warn_key} ({warn_value}) is above {crit_key} ({crit_value})")
    return problems


def merge_thresholds(overrides: Mapping[str, float | None] | None) -> dict[str, float | None]:
    """Defaults with the given keys replaced (None values in ``overrides`` switch a level off)."""
    merged = dict(DEFAULT_THRESHOLDS)
    merged.update(overrides or {})
    return merged


def coerce_thresholds(raw: Mapping[str, Any] | None) -> tuple[dict[str, float | None], list[str]]:
    """Numbers (or numeric strings from templating) to floats; None stays None (level off)."""
    values: dict[str, float | None] = {}
    problems = []
    for key, value in (raw or {}).items():
        if value is None:
            values[key] = None
            continue
        try:
            if isinstance(value, bool):
                raise TypeError
            values[key] = float(value)
        except (TypeError, ValueError):
            problems.append(f"threshold {key} must be a number or null (got {value!r})")
    return merge_thresholds(values), problems


def percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole > 0 else None


def human_bytes(count: float) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PiB"  # pragma: no cover - unreachable, the loop returns at TiB


def fmt_num(value: float | None) -> str:
    if value is None:
        return "off"
    return f"{value:g}"


def level_suffix(status: str, warn: float | None, crit: float | None, unit: str = "", what: str = "") -> str:
    """``", critical at 90%"`` for a CRIT, ``", warning at 80%"`` for a WARN, "" otherwise."""
    if status == CRIT and crit is not None:
        return f", {what}critical at {fmt_num(crit)}{unit}"
    if status == WARN and warn is not None:
        return f", {what}warning at {fmt_num(warn)}{unit}"
    return ""
