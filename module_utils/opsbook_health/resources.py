# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""Memory, swap, load and failed systemd units (pure)."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any

from .status import OK, UNKNOWN, classify, human_bytes, level_suffix, percent, result


def parse_meminfo(text: str) -> dict[str, int]:
    """/proc/meminfo as bytes per key."""
    values = {}
    for line in text.splitlines():
        key, sep, rest = line.partition(":")
        parts = rest.split()
        if not sep or not parts or not parts[0].isdigit():
            continue
        factor = 1024 if len(parts) > 1 and parts[1].lower() == "kb" else 1
        values[key.strip()] = int(parts[0]) * factor
    return values


def check_memory(meminfo: Mapping[str, int], thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    warn, crit = thresholds["mem_warn_pct"], thresholds["mem_crit_pct"]
    total = meminfo.get("MemTotal", 0)
    if "MemAvailable" in meminfo:
        available = meminfo["MemAvailable"]
    else:  # kernels before 3.14
        available = sum(meminfo.get(k, 0) for k in ("MemFree", "Buffers", "Cached"))
    pct = percent(total - available, total)
    details = {"total_bytes": total, "available_bytes": available}
    if pct is None:
        return result(
            "memory", UNKNOWN, "MemTotal missing from /proc/meminfo", unit="%", warn=warn, crit=crit
        )
    status = classify(pct, warn, crit)
    message = (
        f"{pct:g}% memory used ({human_bytes(total - available)} of {human_bytes(total)})"
        f"{level_suffix(status, warn, crit, '%')}"
    )
    return result("memory", status, message, value=pct, unit="%", warn=warn, crit=crit, details=details)


def check_swap(meminfo: Mapping[str, int], thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    warn, crit = thresholds["swap_warn_pct"], thresholds["swap_crit_pct"]
    total, free = meminfo.get("SwapTotal", 0), meminfo.get("SwapFree", 0)
    details = {"total_bytes": total, "free_bytes": free}
    if total == 0:
        return result(
            "swap", OK, "no swap configured", value=0.0, unit="%", warn=warn, crit=crit, details=details
        )
    pct = percent(total - free, total)
    status = classify(pct, warn, crit)
    message = (
        f"{pct:g}% swap used ({human_bytes(total - free)} of {human_bytes(total)})"
        f"{level_suffix(status, warn, crit, '%')}"
    )
    return result("swap", status, message, value=pct, unit="%", warn=warn, crit=crit, details=details)


def parse_loadavg(text: str) -> tuple[float, float, float]:
    parts = text.split()
    if len(parts) < 3:
        raise ValueError(f"unexpected /proc/loadavg content: {text!r}")
    return float(parts[0]), float(parts[1]), float(parts[2])


def check_load(
    loads: tuple[float, float, float], cpus: int, window: int, thresholds: Mapping[str, float | None]
) -> dict[str, Any]:
    warn, crit = thresholds["load_per_core_warn"], thresholds["load_per_core_crit"]
    cpus = max(cpus, 1)
    per_core = [round(load / cpus, 2) for load in loads]
    value = per_core[{1: 0, 5: 1, 15: 2}[window]]
    status = classify(value, warn, crit)
    message = (
        f"load per core {per_core[0]:g} / {per_core[1]:g} / {per_core[2]:g} (1/5/15 min, {cpus} CPUs)"
        f"{level_suffix(status, warn, crit, what=f'{window}-min load ')}"
    )
    details = {
        "load1": loads[0],
        "load5": loads[1],
        "load15": loads[2],
        "per_core": per_core,
        "cpus": cpus,
        "window": window,
    }
    return result(
        "load", status, message, value=value, unit="per core", warn=warn, crit=crit, details=details
    )


# ---------------------------------------------------------------------------------------------
# systemd
# ---------------------------------------------------------------------------------------------


def parse_failed_units(text: str) -> list[str]:
    """Unit names from ``systemctl list-units --state=failed --plain --no-legend``."""
    units = []
    for line in text.splitlines():
        words = line.replace("\u25cf", " ").replace("*", " ", 1).split()
        if words and "." in words[0]:
            units.append(words[0])
    return units


def check_failed_units(
    units: Sequence[str], ignore: Sequence[str], thresholds: Mapping[str, float | None]
) -> dict[str, Any]:
    warn, crit = thresholds["failed_units_warn"], thresholds["failed_units_crit"]
    ignored = [u for u in units if any(fnmatch.fnmatchcase(u, p) for p in ignore)]
    failed = [u for u in units if u not in ignored]
    status = classify(len(failed), warn, crit)
    if failed:
        message = f"{len(failed)} failed unit{'s' if len(failed) != 1 else ''}: {', '.join(failed)}"
    else:
        message = "no failed units"
    if ignored:
        message += f" ({len(ignored)} ignored)"
    details = {"failed": failed, "ignored": ignored}
    return result(
        "systemd", status, message, value=len(failed), unit="units", warn=warn, crit=crit, details=details
    )
