"""Durations as people write them: ``90``, ``30s``, ``5m``, ``1h30m``, ``2d``."""

from __future__ import annotations

import re

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION_RE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str) -> int:
    """Seconds in ``text``; raises ValueError with the accepted forms."""
    value = text.strip().lower()
    if value.isdigit():
        return int(value)
    match = _DURATION_RE.match(value)
    if not value or match is None or not any(match.groups()):
        raise ValueError(
            f"{text!r} is not a duration: write seconds (90) or units d/h/m/s (30s, 5m, 1h30m, 2d)"
        )
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return days * _UNITS["d"] + hours * _UNITS["h"] + minutes * _UNITS["m"] + seconds


def format_duration(seconds: int) -> str:
    """The shortest d/h/m/s form: 5400 → ``1h30m``; 0 → ``0s``."""
    if seconds <= 0:
        return "0s"
    parts: list[str] = []
    rest = seconds
    for unit, size in _UNITS.items():
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
