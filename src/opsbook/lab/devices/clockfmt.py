"""Time as devices print it (UTC)."""

from __future__ import annotations

import time


def _tm(ts: float) -> time.struct_time:
    return time.gmtime(ts)


def ios_clock(ts: float) -> str:
    """``10:15:03.123 UTC Thu Nov 27 2025``."""
    tm = _tm(ts)
    ms = int((ts % 1) * 1000)
    return time.strftime(f"%H:%M:%S.{ms:03d} UTC %a %b {tm.tm_mday} %Y", tm)


def ios_change_stamp(ts: float) -> str:
    """``10:15:03 UTC Thu Nov 27 2025`` (the running-config header)."""
    tm = _tm(ts)
    return time.strftime(f"%H:%M:%S UTC %a %b {tm.tm_mday} %Y", tm)


def ios_log_stamp(ts: float) -> str:
    """``Nov 27 10:15:03.123`` (``service timestamps log datetime msec``)."""
    ms = int((ts % 1) * 1000)
    tm = _tm(ts)
    return f"{time.strftime('%b', tm)} {tm.tm_mday:2d} {time.strftime('%H:%M:%S', tm)}.{ms:03d}"


def vrp_stamp(ts: float) -> str:
    """``2025-11-27 10:15:03+00:00``."""
    return time.strftime("%Y-%m-%d %H:%M:%S+00:00", _tm(ts))


def vrp_log_stamp(ts: float) -> str:
    """``Nov 27 2025 10:15:03``."""
    tm = _tm(ts)
    return time.strftime("%b %d %Y %H:%M:%S", tm)


def _units(seconds: float) -> tuple[int, int, int, int, int]:
    minutes = int(seconds // 60)
    years, minutes = divmod(minutes, 365 * 24 * 60)
    weeks, minutes = divmod(minutes, 7 * 24 * 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return years, weeks, days, hours, minutes


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" + ("" if count == 1 else "s")


def ios_uptime(seconds: float) -> str:
    """``2 weeks, 3 days, 4 hours, 5 minutes`` (leading zero units left out)."""
    years, weeks, days, hours, minutes = _units(seconds)
    parts: list[str] = []
    for count, unit in ((years, "year"), (weeks, "week"), (days, "day"), (hours, "hour")):
        if count or parts:
            parts.append(_plural(count, unit))
    parts.append(_plural(minutes, "minute"))
    return ", ".join(parts)


def vrp_uptime(seconds: float) -> str:
    """``0 week, 2 days, 3 hours, 4 minutes`` (VRP prints every unit)."""
    _, weeks, days, hours, minutes = _units(seconds)
    return (
        f"{weeks} week{'s' if weeks > 1 else ''}, {days} day{'s' if days > 1 else ''}, "
        f"{hours} hour{'s' if hours > 1 else ''}, {minutes} minute{'s' if minutes > 1 else ''}"
    )
