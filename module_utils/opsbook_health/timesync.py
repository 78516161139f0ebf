# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""Clock synchronisation: chrony, the kernel's adjtimex state, timedatectl (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .status import CRIT, OK, WARN, classify, level_suffix, result

#: adjtimex(2) clock state meaning "not synchronised" (STA_UNSYNC set).
TIME_ERROR = 5


def parse_chronyc_tracking(text: str) -> dict[str, Any]:
    """``chronyc tracking``: leap status, stratum, reference, offset in seconds (+ = fast)."""
    data: dict[str, Any] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if key == "Leap status":
            data["leap_status"] = value
        elif key == "Stratum" and value.isdigit():
            data["stratum"] = int(value)
        elif key == "Reference ID":
            data["reference"] = value
        elif key == "System time":
            match = re.match(r"([0-9.]+) seconds (fast|slow)", value)
            if match:
                seconds = float(match.group(1))
                data["offset_seconds"] = seconds if match.group(2) == "fast" else -seconds
    return data


def parse_key_values(text: str) -> dict[str, str]:
    """KEY=VALUE lines (``timedatectl show``, os-release)."""
    data = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            data[key.strip()] = value.strip().strip('"')
    return data


def check_time_chrony(tracking: Mapping[str, Any], thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    warn, crit = thresholds["time_offset_warn_ms"], thresholds["time_offset_crit_ms"]
    details = dict(tracking, source="chronyc tracking")
    leap = tracking.get("leap_status", "")
    if not leap:
        return result(
            "time_sync",
            WARN,
            "chronyc tracking gave no leap status: sync state unknown",
            unit="ms",
            warn=warn,
            crit=crit,
            details=details,
        )
    if leap.lower().startswith("not sync"):
        return result(
            "time_sync",
            CRIT,
            "clock not synchronised (chrony: Leap status Not synchronised)",
            unit="ms",
            warn=warn,
            crit=crit,
            details=details,
        )
    offset = tracking.get("offset_seconds")
    if offset is None:
        return result(
            "time_sync",
            OK,
            f"synchronised (chrony, leap status {leap})",
            unit="ms",
            warn=warn,
            crit=crit,
            details=details,
        )
    offset_ms = round(abs(offset) * 1000.0, 3)
    status = classify(offset_ms, warn, crit)
    message = (
        f"synchronised to {tracking.get('reference', '?')}, offset {offset_ms:g} ms"
        f"{level_suffix(status, warn, crit, ' ms')}"
    )
    return result(
        "time_sync", status, message, value=offset_ms, unit="ms", warn=warn, crit=crit, details=details
    )


def check_time_kernel(state: int, thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    """Classify the adjtimex(2) return value (what timedatectl shows as NTPSynchronized)."""
    warn, crit = thresholds["time_offset_warn_ms"], thresholds["time_offset_crit_ms"]
    details = {"source": "adjtimex", "clock_state": state}
    if state == TIME_ERROR:
        return result(
            "time_sync",
            CRIT,
            "clock not synchronised (kernel clock state TIME_ERROR)",
            value=False,
            warn=warn,
            crit=crit,
            details=details,
        )
    if 0 <= state < TIME_ERROR:
        return result(
            "time_sync",
            OK,
            "synchronised (kernel clock discipline)",
            value=True,
            warn=warn,
            crit=crit,
            details=details,
        )
    return result(
        "time_sync",
        WARN,
        f"sync state unknown (adjtimex returned {state})",
        warn=warn,
        crit=crit,
        details=details,
    )


def check_time_timedatectl(
    props: Mapping[str, str], thresholds: Mapping[str, float | None]
) -> dict[str, Any]:
    warn, crit = thresholds["time_offset_warn_ms"], thresholds["time_offset_crit_ms"]
    details = dict(props, source="timedatectl show")
    synced = props.get("NTPSynchronized")
    if synced == "yes":
        return result(
            "time_sync", OK, "synchronised (timedatectl)", value=True, warn=warn, crit=crit, details=details
        )
    if synced == "no":
        service = "NTP service active" if props.get("NTP") == "yes" else "no NTP service active"
        return result(
            "time_sync",
            CRIT,
            f"clock not synchronised (timedatectl; {service})",
            value=False,
            warn=warn,
            crit=crit,
            details=details,
        )
    return result(
        "time_sync",
        WARN,
        "sync state unknown (timedatectl gave no NTPSynchronized)",
        warn=warn,
        crit=crit,
        details=details,
    )
