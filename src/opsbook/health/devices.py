"""Network devices in the inspection: parse ``show version`` / ``display version`` and classify.

A device is OK when it answered and its version could be read, UNKNOWN when it answered with
something unrecognisable, CRIT when it could not be reached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsbook.health.model import CheckRow, DeviceInfo, HostHealth, Status, worst

#: "Cisco IOS Software, C2960X Software (...), Version 15.2(7)E4, RELEASE SOFTWARE (fc2)"
#: "VRP (R) software, Version 8.180 (CE6800 V200R005C10SPC607B607)"
_VERSION_LINE = re.compile(r"^(?:Cisco IOS|.*\bIOS[- ]XE|VRP|Huawei).*?\bVersion\s+([^,\n]+)", re.M | re.I)
_ANY_VERSION = re.compile(r"\bVersion\s+([^,\n]+)", re.I)
#: "sw01 uptime is 1 year, 2 weeks, 3 days, 4 hours, 5 minutes"
_UPTIME = re.compile(r"^(.*?)\s+uptime is\s+(.+?)\s*$", re.M)
_UPTIME_PART = re.compile(r"(\d+)\s*(year|week|day|hour|minute|second)s?", re.I)
_UNIT_SECONDS = {
    "year": 365 * 86400,
    "week": 7 * 86400,
    "day": 86400,
    "hour": 3600,
    "minute": 60,
    "second": 1,
}


@dataclass(frozen=True)
class VersionInfo:
    version: str
    uptime: str
    uptime_seconds: int | None


def uptime_seconds(text: str) -> int | None:
    """``1 week, 2 days, 3 hours, 4 minutes`` → seconds; None when nothing is recognised."""
    parts = _UPTIME_PART.findall(text)
    if not parts:
        return None
    return sum(int(n) * _UNIT_SECONDS[unit.lower()] for n, unit in parts)


def parse_version_output(text: str) -> VersionInfo:
    """Version and uptime from IOS ``show version`` or VRP ``display version`` (empty when absent)."""
    match = _VERSION_LINE.search(text) or _ANY_VERSION.search(text)
    version = match.group(1).strip() if match else ""
    up = _UPTIME.search(text)
    uptime = up.group(2) if up else ""
    return VersionInfo(
        version=version, uptime=uptime, uptime_seconds=uptime_seconds(uptime) if uptime else None
    )


def device_row(name: str, platform: str, via: str, output: str | None, error: str = "") -> HostHealth:
    """Classify one device from its version output (None when it could not be read: ``error`` says why)."""
    if output is None:
        message = error or "not reachable"
        device = DeviceInfo(platform=platform, via=via)
        return HostHealth.not_inspected(name, "device", Status.CRIT, message, reachable=False, device=device)
    info = parse_version_output(output)
    device = DeviceInfo(
        platform=platform,
        version=info.version,
        uptime=info.uptime,
        uptime_seconds=info.uptime_seconds,
        via=via,
    )
    checks = [CheckRow("reachable", Status.OK, f"answered over {via}", value=True)]
    if info.version:
        checks.append(CheckRow("version", Status.OK, info.version, value=info.version))
    else:
        checks.append(CheckRow("version", Status.UNKNOWN, "no 'Version' in the version output"))
    if info.uptime:
        checks.append(CheckRow("uptime", Status.OK, info.uptime, value=info.uptime_seconds, unit="s"))
    else:
        checks.append(CheckRow("uptime", Status.UNKNOWN, "no 'uptime is' in the version output"))
    status = worst(c.status for c in checks)
    return HostHealth(name=name, kind="device", status=status, reachable=True, checks=checks, device=device)
