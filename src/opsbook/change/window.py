"""Maintenance windows and change freezes, as the register states them (pure functions).

A host's window is its ``asset_maintenance_window`` (docs/register.md): ``days`` (mon … sun),
``start`` and ``end`` (HH:MM, local time in ``timezone``). An end before the start spans
midnight: the window opens on a listed day and closes the next morning. An end of ``23:59``
runs to midnight. A host without a window has no restriction (the register check reports
missing fields; the record says "no window in the register").

A change freeze is ``opsbook_change_freezes`` (a list of ``{start, end, reason}``, dates
``YYYY-MM-DD``, both days included, in the host's window time zone or UTC): no change is made
during a freeze, even inside the window. ``opsbook_change_window_enforce: false`` (labs only)
turns a closed window or a freeze into a warning for that host.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from opsbook.errors import UsageError

WINDOW_VAR = "asset_maintenance_window"
FREEZES_VAR = "opsbook_change_freezes"
ENFORCE_VAR = "opsbook_change_window_enforce"

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
END_OF_DAY = 24 * 60


@dataclass(frozen=True)
class Window:
    days: tuple[str, ...]
    start: int  #: minutes after midnight
    end: int  #: minutes after midnight; END_OF_DAY for "23:59"
    timezone: str

    def describe(self) -> str:
        return f"{','.join(self.days)} {_hhmm(self.start)}-{_hhmm(self.end)} {self.timezone}"

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone))
        minute = local.hour * 60 + local.minute
        today = DAYS[local.weekday()]
        yesterday = DAYS[(local.weekday() - 1) % 7]
        if self.start == self.end:  # a whole day from the start
            return today in self.days
        if self.start < self.end:
            return today in self.days and self.start <= minute < self.end
        # spans midnight: the evening of a listed day, or the morning after one
        return (today in self.days and minute >= self.start) or (yesterday in self.days and minute < self.end)


@dataclass(frozen=True)
class Freeze:
    start: date
    end: date
    reason: str

    def covers(self, moment: datetime, timezone: str) -> bool:
        return self.start <= moment.astimezone(ZoneInfo(timezone)).date() <= self.end

    def describe(self) -> str:
        return f"change freeze {self.start.isoformat()} … {self.end.isoformat()} ({self.reason})"


@dataclass(frozen=True)
class HostTimes:
    """What the register says about when one host may be changed."""

    host: str
    window: Window | None
    freezes: tuple[Freeze, ...]
    enforce: bool

    @property
    def timezone(self) -> str:
        return self.window.timezone if self.window else "Etc/UTC"

    def verdict(self, moment: datetime) -> tuple[bool, str]:
        """(may change now, why) — the sentence the refusal and the record use."""
        for freeze in self.freezes:
            if freeze.covers(moment, self.timezone):
                return False, f"inside the {freeze.describe()}"
        if self.window is None:
            return True, "no maintenance window in the register"
        if self.window.is_open(moment):
            return True, f"inside its maintenance window ({self.window.describe()})"
        return False, f"outside its maintenance window ({self.window.describe()})"


def _hhmm(minutes: int) -> str:
    return "23:59" if minutes == END_OF_DAY else f"{minutes // 60:02d}:{minutes % 60:02d}"


def _bad(host: str, var: str, what: str) -> UsageError:
    return UsageError(
        f"{host}: {var} {what}; nothing was run",
        hint="fix it in the register (docs/changes.md); `opsbook inventory check` names the file and line",
    )


def _minutes(host: str, key: str, value: Any) -> int:
    match = _HHMM.match(value) if isinstance(value, str) else None
    if match is None:
        raise _bad(host, WINDOW_VAR, f"has {key}: {value!r}, not a quoted 24-hour time 'HH:MM'")
    return int(match.group(1)) * 60 + int(match.group(2))


def parse_window(host: str, value: Any) -> Window | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _bad(host, WINDOW_VAR, "is not a mapping {days, start, end, timezone}")
    days = value.get("days")
    if not isinstance(days, list) or not days or any(d not in DAYS for d in days):
        raise _bad(host, WINDOW_VAR, f"has days: {days!r}, not a list of mon … sun")
    start = _minutes(host, "start", value.get("start"))
    end = _minutes(host, "end", value.get("end"))
    if end == END_OF_DAY - 1:
        end = END_OF_DAY
    zone = value.get("timezone")
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise _bad(host, WINDOW_VAR, f"has timezone: {zone!r}, not an IANA time zone") from None
    return Window(tuple(str(d) for d in days), start, end, str(zone))


def _date(host: str, value: Any) -> date:
    text = value.isoformat() if isinstance(value, date) else value
    if not isinstance(text, str) or not _DATE.match(text):
        raise _bad(host, FREEZES_VAR, f"has a date {value!r}, not 'YYYY-MM-DD'")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _bad(host, FREEZES_VAR, f"has a date {value!r} that does not exist") from None


def parse_freezes(host: str, value: Any) -> tuple[Freeze, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _bad(host, FREEZES_VAR, "is not a list of {start, end, reason}")
    freezes = []
    for item in value:
        if not isinstance(item, Mapping) or not str(item.get("reason", "")).strip():
            raise _bad(host, FREEZES_VAR, f"has an entry {item!r} without start, end and reason")
        start, end = _date(host, item.get("start")), _date(host, item.get("end"))
        if end < start:
            raise _bad(host, FREEZES_VAR, f"has an entry that ends ({end}) before it starts ({start})")
        freezes.append(Freeze(start, end, str(item["reason"]).strip()))
    return tuple(freezes)


def _enforce(host: str, value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
        return value.lower() in ("true", "yes")
    raise _bad(host, ENFORCE_VAR, f"is {value!r}, not true or false")


def host_times(host: str, variables: Mapping[str, Any]) -> HostTimes:
    """The window, freezes and enforcement of one host from its register variables."""
    return HostTimes(
        host=host,
        window=parse_window(host, variables.get(WINDOW_VAR)),
        freezes=parse_freezes(host, variables.get(FREEZES_VAR)),
        enforce=_enforce(host, variables.get(ENFORCE_VAR)),
    )


def next_opening(window: Window, moment: datetime, *, horizon_days: int = 8) -> datetime | None:
    """When the window opens next after ``moment`` (to the minute), for the refusal's hint."""
    local = moment.astimezone(ZoneInfo(window.timezone)).replace(second=0, microsecond=0)
    for day in range(horizon_days):
        candidate = (local + timedelta(days=day)).replace(hour=window.start // 60, minute=window.start % 60)
        if candidate > local and DAYS[candidate.weekday()] in window.days:
            return candidate
    return None
