"""The admission of one change, before any host is touched: ticket, windows, freezes, ``--force``.

:func:`admit` either returns an :class:`Admission` (what the record keeps: the ticket, each
host's window verdict, the ``--force`` reason when it overrode a closed window or a freeze) or
raises :class:`ChangeRefused` with the sentence that says why and how to get past it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from opsbook.change.window import HostTimes, host_times, next_opening
from opsbook.errors import OpsbookError

#: A ticket id as trackers write them: INC-1, CHG0042, JIRA-SM/17, #123.
TICKET_RE = re.compile(r"^[A-Za-z0-9#][A-Za-z0-9._:/#-]{0,63}$")
#: A --force reason must say something.
MIN_REASON = 8


class ChangeRefused(OpsbookError):
    """A change was refused before anything ran (no ticket, closed window, freeze); nothing changed."""

    exit_code = 3  # ExitCode.REFUSED (opsbook.runbooks.exitcodes)


@dataclass(frozen=True)
class Admission:
    """Why this change may go ahead; kept in the record (``change`` field)."""

    ticket: str | None
    ticket_required: bool
    #: host → the window/freeze sentence ("inside its maintenance window (sun 02:00-06:00 …)")
    windows: dict[str, str] = field(default_factory=dict)
    #: the operator's --force reason, when it overrode a closed window or a freeze
    forced: str | None = None
    #: the hosts (with the sentence) whose window or freeze was overridden by --force or by
    #: opsbook_change_window_enforce: false
    overridden: dict[str, str] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket,
            "ticket_required": self.ticket_required,
            "windows": dict(self.windows),
            "forced": self.forced,
            "overridden": dict(self.overridden),
        }


def check_ticket(ticket: str | None, *, required: bool, what: str) -> str | None:
    """The ticket, stripped; refused when required and missing, or when it is not a ticket id."""
    value = (ticket or "").strip() or None
    if value is None:
        if required:
            raise ChangeRefused(
                f"{what} changes hosts and needs the ticket it serves; nothing was run",
                hint="pass --ticket ID (the change or incident in your tracker, e.g. --ticket CHG-1234)",
            )
        return None
    if not TICKET_RE.match(value):
        raise ChangeRefused(
            f"--ticket {value!r} is not a ticket id; nothing was run",
            hint="letters, digits and . _ : / # - only, at most 64 characters (e.g. INC-1234)",
        )
    return value


def check_force(force: str | None) -> str | None:
    if force is None:
        return None
    reason = " ".join(force.split())
    if len(reason) < MIN_REASON:
        raise ChangeRefused(
            f"--force needs a reason of at least {MIN_REASON} characters (got {force!r}); nothing was run",
            hint="say why it cannot wait, e.g. --force 'P1 outage, approved by duty manager J. Keller'",
        )
    return reason


def _opening_hint(times: HostTimes, now: datetime) -> str:
    if times.window is None:
        return ""
    opening = next_opening(times.window, now)
    return f" (next opening {opening:%a %Y-%m-%d %H:%M} {times.window.timezone})" if opening else ""


def admit(
    hosts: Mapping[str, Mapping[str, Any]],
    *,
    what: str,
    ticket: str | None,
    ticket_required: bool,
    force: str | None,
    now: datetime,
) -> Admission:
    """Admit a change of ``hosts`` (name → register variables) now, or raise :class:`ChangeRefused`."""
    checked_ticket = check_ticket(ticket, required=ticket_required, what=what)
    reason = check_force(force)
    windows: dict[str, str] = {}
    closed: dict[str, str] = {}
    relaxed: dict[str, str] = {}
    hints: list[str] = []
    for name, variables in hosts.items():
        times = host_times(name, variables)
        allowed, sentence = times.verdict(now)
        windows[name] = sentence
        if allowed:
            continue
        if not times.enforce:
            relaxed[name] = sentence + " (opsbook_change_window_enforce: false)"
            continue
        closed[name] = sentence
        hints.append(_opening_hint(times, now))
    if closed and reason is None:
        listed = "; ".join(
            f"{host} is {sentence}{hint}"
            for (host, sentence), hint in zip(closed.items(), hints, strict=True)
        )
        raise ChangeRefused(
            f"{what} would change hosts outside the time the register allows: {listed}; nothing was run",
            hint="wait for the window, or if it cannot wait pass --force 'REASON' (recorded in the history)",
        )
    overridden = {**relaxed, **{h: s + " (--force)" for h, s in closed.items()}}
    return Admission(
        ticket=checked_ticket,
        ticket_required=ticket_required,
        windows=windows,
        forced=reason if closed else None,
        overridden=overridden,
    )
