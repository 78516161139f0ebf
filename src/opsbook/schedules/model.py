"""What a schedule is: a job (health, audit, net-backup) of one customer context, a cadence, a lock.

Pure: parsing, the command a schedule runs and its lock; the files and ``systemctl`` are in
:mod:`opsbook.schedules.backends`.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from opsbook.errors import UsageError

MARKER = "# opsbook schedule: "
PREFIX = "opsbook-"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_MONTH_DAY = 28  # every month has it
#: flock's exit code when the previous run of the job still holds the lock (EX_TEMPFAIL)
BUSY_EXIT = 75


@dataclass(frozen=True)
class Job:
    """A schedulable job: its command line (after ``opsbook --customer NAME``) and its exit codes."""

    name: str
    args: tuple[str, ...]
    #: exit codes that mean "the job worked and found something" (not a failed unit)
    found_exit: tuple[int, ...]
    about: str


JOBS: dict[str, Job] = {
    "health": Job(
        "health",
        ("health",),
        (2,),
        "inspection (巡检); JSON report in the context's reports/; exit 2 = something WARN/CRIT",
    ),
    "audit": Job(
        "audit",
        ("audit", "--format", "table,json,html,junit"),
        (2,),
        "drift audit; every report under the context's audits/; exit 2 = drift found",
    ),
    "net-backup": Job(
        "net-backup",
        ("net", "backup"),
        (),
        "network configuration backup into the context's netbackup/ git store",
    ),
}


@dataclass(frozen=True)
class Cadence:
    """daily / weekly (a weekday) / monthly (a day 1-28), at a local time HH:MM."""

    kind: str
    hour: int
    minute: int
    weekday: int | None = None  # 0 = Monday
    day: int | None = None

    @property
    def at(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def spec(self) -> str:
        """The form `parse_cadence` reads back: ``daily 02:00``, ``weekly mon 02:00``, ``monthly 1 02:00``."""
        if self.kind == "weekly" and self.weekday is not None:
            return f"weekly {WEEKDAYS[self.weekday]} {self.at}"
        if self.kind == "monthly":
            return f"monthly {self.day} {self.at}"
        return f"daily {self.at}"

    def describe(self) -> str:
        if self.kind == "weekly" and self.weekday is not None:
            return f"weekly on {WEEKDAY_NAMES[self.weekday]} at {self.at}"
        if self.kind == "monthly":
            return f"monthly on day {self.day} at {self.at}"
        return f"daily at {self.at}"

    def on_calendar(self) -> str:
        """systemd's OnCalendar= value."""
        clock = f"{self.at}:00"
        if self.kind == "weekly" and self.weekday is not None:
            return f"{WEEKDAYS[self.weekday].capitalize()} *-*-* {clock}"
        if self.kind == "monthly":
            return f"*-*-{self.day:02d} {clock}"
        return f"*-*-* {clock}"

    def cron_fields(self) -> str:
        """minute hour day-of-month month day-of-week."""
        if self.kind == "weekly" and self.weekday is not None:
            return f"{self.minute} {self.hour} * * {(self.weekday + 1) % 7}"
        if self.kind == "monthly":
            return f"{self.minute} {self.hour} {self.day} * *"
        return f"{self.minute} {self.hour} * * *"


def parse_time(value: str, option: str = "--daily") -> tuple[int, int]:
    match = TIME_RE.match(value.strip())
    if not match:
        raise UsageError(
            f"{option} {value!r}: {value.strip()!r} is not a time of day",
            hint="write HH:MM, 24-hour clock, e.g. 02:00",
        )
    return int(match.group(1)), int(match.group(2))


def _split(value: str, option: str, example: str) -> tuple[str, str]:
    parts = value.replace("@", " ").split()
    if len(parts) != 2:  # DAY and HH:MM
        raise UsageError(f"{option} {value!r}: expected DAY@HH:MM", hint=f"e.g. {option} {example}")
    return parts[0], parts[1]


def daily(value: str) -> Cadence:
    hour, minute = parse_time(value, "--daily")
    return Cadence("daily", hour, minute)


def weekly(value: str) -> Cadence:
    day, at = _split(value, "--weekly", "mon@02:00")
    key = day.strip().lower()[:3]
    if key not in WEEKDAYS or not WEEKDAY_NAMES[WEEKDAYS.index(key)].lower().startswith(day.lower()):
        raise UsageError(
            f"--weekly {value!r}: {day!r} is not a weekday", hint="mon, tue, wed, thu, fri, sat, sun"
        )
    hour, minute = parse_time(at, "--weekly")
    return Cadence("weekly", hour, minute, weekday=WEEKDAYS.index(key))


def monthly(value: str) -> Cadence:
    day, at = _split(value, "--monthly", "1@02:00")
    if not day.isdigit() or not 1 <= int(day) <= MAX_MONTH_DAY:
        raise UsageError(
            f"--monthly {value!r}: day {day!r} is not 1 to {MAX_MONTH_DAY}",
            hint="days 29-31 are missing from some months; choose 1-28 (e.g. 1@02:00)",
        )
    hour, minute = parse_time(at, "--monthly")
    return Cadence("monthly", hour, minute, day=int(day))


def parse_cadence(spec: str) -> Cadence:
    """``daily 02:00`` / ``weekly mon 02:00`` / ``monthly 1 02:00`` (as :meth:`Cadence.spec` writes)."""
    kind, _, rest = spec.strip().partition(" ")
    readers = {"daily": daily, "weekly": weekly, "monthly": monthly}
    if kind not in readers:
        raise UsageError(f"unknown cadence {spec!r}", hint="daily, weekly or monthly")
    return readers[kind](rest.strip())


def choose_cadence(*, daily_at: str | None, weekly_at: str | None, monthly_at: str | None) -> Cadence:
    given = [(f, v) for f, v in ((daily, daily_at), (weekly, weekly_at), (monthly, monthly_at)) if v]
    if len(given) != 1:
        raise UsageError(
            "give exactly one of --daily HH:MM, --weekly DAY@HH:MM, --monthly DAY@HH:MM",
            hint="e.g. --daily 02:00, --weekly mon@02:00, --monthly 1@02:00",
        )
    reader, value = given[0]
    return reader(str(value))


def check_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise UsageError(
            f"schedule name {name!r} is not allowed",
            hint="use lower-case letters, digits, '-' and '_' (at most 81)",
        )
    return name


def check_job(job: str) -> Job:
    if job not in JOBS:
        raise UsageError(f"unknown job {job!r}", hint="schedulable: " + ", ".join(JOBS))
    return JOBS[job]


def opsbook_command() -> str:
    """The ``opsbook`` executable of this installation (next to this Python), else from PATH."""
    here = Path(sys.executable).parent / "opsbook"
    return str(here) if here.exists() else "opsbook"


def job_command(
    job: str,
    *,
    customer: str,
    limit: str | None = None,
    scopes: Sequence[str] = (),
    inventory: Sequence[str] = (),
    executable: str = "",
) -> list[str]:
    """``opsbook --customer NAME <job> [-i …] [--limit …] [--scope …]``."""
    spec = check_job(job)
    cmd = [executable or opsbook_command(), "--customer", customer, *spec.args]
    for inv in inventory:
        cmd += ["-i", inv]
    if limit:
        cmd += ["--limit", limit]
    if scopes:
        if job != "audit":
            raise UsageError("--scope goes with the audit only", hint="leave --scope out")
        cmd += ["--scope", ",".join(scopes)]
    return cmd


@dataclass(frozen=True)
class Schedule:
    name: str
    job: str
    #: the cadence as :meth:`Cadence.spec` writes it ("daily 02:00", "weekly mon 02:00", …)
    when: str
    project: str
    #: the customer context the job works on (its state folder holds the lock and the log)
    customer: str
    #: that context's state folder
    state: str
    command: list[str]
    limit: str | None = None
    backend: str = "systemd"
    #: files written for it (filled by list_schedules)
    files: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return f"{PREFIX}{self.name}"

    @property
    def cadence(self) -> Cadence:
        return parse_cadence(self.when)

    @property
    def lock(self) -> Path:
        """One lock per customer and job: a run never starts while the previous one still runs."""
        return Path(self.state) / "schedules" / f"{self.job}.lock"

    @property
    def log(self) -> Path:
        return Path(self.state) / "schedules" / f"{self.name}.log"

    def locked_command(self, flock: str = "/usr/bin/flock") -> list[str]:
        """The command under ``flock -n``: exits 75 at once when the job's lock is held."""
        return [flock, "--nonblock", "--conflict-exit-code", str(BUSY_EXIT), str(self.lock), *self.command]

    def marker(self) -> str:
        data = asdict(self)
        data.pop("files")
        return MARKER + json.dumps(data, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_marker(cls, data: Mapping[str, Any]) -> Schedule:
        """A marker's JSON; schedules written before weekly/monthly and contexts carry ``daily``."""
        fields = dict(data)
        if "daily" in fields and "when" not in fields:
            fields["when"] = f"daily {fields.pop('daily')}"
        fields.setdefault("customer", "")
        fields.setdefault("state", str(Path(str(fields.get("project", ""))) / ".opsbook"))
        return cls(**fields)

    def shown_command(self) -> str:
        return shlex.join(self.command)
