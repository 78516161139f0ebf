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


def _time_result(
    thresholds: Mapping[str, float | None],
    details: Mapping[str, Any],
    status: str,
    message: str,
    *,
    value: float | bool | None = None,
    unit: str = "",
) -> dict[str, Any]:
    """A time_sync result: the offset thresholds and the source's details on every one."""
    warn, crit = thresholds["time_offset_warn_ms"], thresholds["time_offset_crit_ms"]
    return result("time_sync", status, message, value=value, unit=unit, warn=warn, crit=crit, details=details)


def check_time_chrony(tracking: Mapping[str, Any], thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    details = dict(tracking, source="chronyc tracking")
    leap = tracking.get("leap_status", "")
    if not leap:
        message = "chronyc tracking gave no leap status: sync state unknown"
        return _time_result(thresholds, details, WARN, message, unit="ms")
    if leap.lower().startswith("not sync"):
        message = "clock not synchronised (chrony: Leap status Not synchronised)"
        return _time_result(thresholds, details, CRIT, message, unit="ms")
    offset = tracking.get("offset_seconds")
    if offset is None:
        return _time_result(thresholds, details, OK, f"synchronised (chrony, leap status {leap})", unit="ms")
    offset_ms = round(abs(offset) * 1000.0, 3)
    warn, crit = thresholds["time_offset_warn_ms"], thresholds["time_offset_crit_ms"]
    status = classify(offset_ms, warn, crit)
    message = (
        f"synchronised to {tracking.get('reference', '?')}, offset {offset_ms:g} ms"
        f"{level_suffix(status, warn, crit, ' ms')}"
    )
    return _time_result(thresholds, details, status, message, value=offset_ms, unit="ms")


def check_time_kernel(state: int, thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    """Classify the adjtimex(2) return value (what timedatectl shows as NTPSynchronized)."""
    details = {"source": "adjtimex", "clock_state": state}
    if state == TIME_ERROR:
        message = "clock not synchronised (kernel clock state TIME_ERROR)"
        return _time_result(thresholds, details, CRIT, message, value=False)
    if 0 <= state < TIME_ERROR:
        return _time_result(thresholds, details, OK, "synchronised (kernel clock discipline)", value=True)
    return _time_result(thresholds, details, WARN, f"sync state unknown (adjtimex returned {state})")


def check_time_timedatectl(
    props: Mapping[str, str], thresholds: Mapping[str, float | None]
) -> dict[str, Any]:
    details = dict(props, source="timedatectl show")
    synced = props.get("NTPSynchronized")
    if synced == "yes":
        return _time_result(thresholds, details, OK, "synchronised (timedatectl)", value=True)
    if synced == "no":
        service = "NTP service active" if props.get("NTP") == "yes" else "no NTP service active"
        message = f"clock not synchronised (timedatectl; {service})"
        return _time_result(thresholds, details, CRIT, message, value=False)
    message = "sync state unknown (timedatectl gave no NTPSynchronized)"
    return _time_result(thresholds, details, WARN, message)
