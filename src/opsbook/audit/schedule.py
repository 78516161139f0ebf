"""Scheduled audits: a systemd timer + service, or a cron entry where systemd is not running.

``opsbook schedule install audit --daily 02:00 [--limit …]`` writes
``opsbook-<name>.service`` + ``opsbook-<name>.timer`` into the unit folder and enables the timer
(``systemctl enable --now``), or ``/etc/cron.d/opsbook-<name>`` when systemd is not PID 1 (a
container, a minimal VM). Each file starts with a marker line holding the schedule as JSON, so
``schedule list`` and ``schedule remove`` only ever touch opsbook's own files.

Rendering and parsing are pure; the folders and the ``systemctl`` call are passed in (tests
use temporary folders and a fake ``systemctl``).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from opsbook.errors import OpsbookError, UsageError

MARKER = "# opsbook schedule: "
PREFIX = "opsbook-"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
JOBS = ("audit",)
#: the audit's "drift found" exit code: the job worked, it is not a failed unit
DRIFT_EXIT = 2

Systemctl = Callable[[Sequence[str]], subprocess.CompletedProcess[str]]


@dataclass(frozen=True)
class Schedule:
    name: str
    job: str
    #: "HH:MM", local time of the machine
    daily: str
    project: str
    command: list[str]
    limit: str | None = None
    backend: str = "systemd"
    #: files written for it (filled by list_schedules)
    files: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return f"{PREFIX}{self.name}"

    def marker(self) -> str:
        data = asdict(self)
        data.pop("files")
        return MARKER + json.dumps(data, sort_keys=True)


def parse_daily(value: str) -> tuple[int, int]:
    match = TIME_RE.match(value.strip())
    if not match:
        raise UsageError(
            f"--daily {value!r} is not a time of day", hint="write HH:MM, 24-hour clock, e.g. 02:00"
        )
    return int(match.group(1)), int(match.group(2))


def check_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise UsageError(
            f"schedule name {name!r} is not allowed",
            hint="use lower-case letters, digits and '-' (at most 41)",
        )
    return name


def opsbook_command() -> str:
    """The ``opsbook`` executable of this installation (next to this Python), else from PATH."""
    here = Path(sys.executable).parent / "opsbook"
    return str(here) if here.exists() else "opsbook"


def audit_command(
    *, limit: str | None, scopes: Sequence[str] = (), inventory: Sequence[str] = (), executable: str = ""
) -> list[str]:
    """The audit a schedule runs: every report format, kept under .opsbook/audits/<id>/."""
    cmd = [executable or opsbook_command(), "audit", "--format", "table,json,html,junit"]
    for inv in inventory:
        cmd += ["-i", inv]
    if limit:
        cmd += ["--limit", limit]
    if scopes:
        cmd += ["--scope", ",".join(scopes)]
    return cmd


def render_service(schedule: Schedule) -> str:
    project = schedule.project
    return "\n".join(
        [
            schedule.marker(),
            "[Unit]",
            f"Description=opsbook {schedule.job} ({schedule.name}) of {project}",
            "Wants=network-online.target",
            "After=network-online.target",
            "",
            "[Service]",
            "Type=oneshot",
            f"WorkingDirectory={project}",
            f"Environment=OPSBOOK_PROJECT={project}",
            f"ExecStart={shlex.join(schedule.command)}",
            f"# exit {DRIFT_EXIT} = drift found: the audit worked; its reports say what drifted",
            f"SuccessExitStatus={DRIFT_EXIT}",
            "",
        ]
    )


def render_timer(schedule: Schedule) -> str:
    hour, minute = parse_daily(schedule.daily)
    return "\n".join(
        [
            schedule.marker(),
            "[Unit]",
            f"Description=opsbook {schedule.job} ({schedule.name}) daily at {schedule.daily}",
            "",
            "[Timer]",
            f"OnCalendar=*-*-* {hour:02d}:{minute:02d}:00",
            "Persistent=true",
            f"Unit={schedule.unit}.service",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
        ]
    )


def render_cron(schedule: Schedule, user: str = "root") -> str:
    hour, minute = parse_daily(schedule.daily)
    log = Path(schedule.project) / ".opsbook" / "audits" / f"{schedule.unit}.log"
    line = (
        f"{minute} {hour} * * * {user} cd {shlex.quote(schedule.project)} && "
        f"OPSBOOK_PROJECT={shlex.quote(schedule.project)} {shlex.join(schedule.command)} "
        f">> {shlex.quote(str(log))} 2>&1"
    )
    return "\n".join(
        [
            schedule.marker(),
            "SHELL=/bin/sh",
            "PATH=/usr/local/bin:/usr/bin:/bin",
            line,
            "",
        ]
    )


def systemd_running(root: Path = Path("/")) -> bool:
    """systemd is the init system (sd_booted(3): /run/systemd/system exists)."""
    return (root / "run" / "systemd" / "system").is_dir()


def default_unit_dir() -> Path:
    env = os.environ.get("OPSBOOK_SYSTEMD_DIR")
    if env:
        return Path(env)
    if os.geteuid() == 0:
        return Path("/etc/systemd/system")
    return Path.home() / ".config" / "systemd" / "user"


def default_cron_dir() -> Path:
    return Path(os.environ.get("OPSBOOK_CRON_DIR", "/etc/cron.d"))


def run_systemctl(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    cmd = ["systemctl"] if os.geteuid() == 0 else ["systemctl", "--user"]
    try:
        return subprocess.run([*cmd, *args], capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OpsbookError(f"systemctl {' '.join(args)} could not run: {exc}") from exc


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, 0o644)
    tmp.replace(path)


def _own(path: Path) -> Schedule | None:
    """The schedule a file holds, if opsbook wrote it (first line is the marker)."""
    try:
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    except (OSError, UnicodeDecodeError):
        return None
    if not first.startswith(MARKER):
        return None
    try:
        data = json.loads(first[len(MARKER) :])
        return Schedule(**data)
    except (ValueError, TypeError):
        return None


@dataclass(frozen=True)
class Installed:
    schedule: Schedule
    files: list[Path]
    enabled: bool
    note: str = ""


def install(
    schedule: Schedule,
    *,
    unit_dir: Path,
    cron_dir: Path,
    enable: bool = True,
    systemctl: Systemctl = run_systemctl,
) -> Installed:
    """Write the schedule's files (replacing an earlier schedule of the same name) and enable it."""
    check_name(schedule.name)
    parse_daily(schedule.daily)
    if schedule.backend == "systemd":
        service = unit_dir / f"{schedule.unit}.service"
        timer = unit_dir / f"{schedule.unit}.timer"
        for path in (service, timer):
            if path.exists() and _own(path) is None:
                raise OpsbookError(
                    f"{path} exists and was not written by opsbook", hint="pick another --name"
                )
        _write(service, render_service(schedule))
        _write(timer, render_timer(schedule))
        if not enable:
            return Installed(schedule, [service, timer], False, "written, not enabled (--no-enable)")
        for args in (["daemon-reload"], ["enable", "--now", timer.name]):
            done = systemctl(args)
            if done.returncode != 0:
                raise OpsbookError(
                    f"systemctl {' '.join(args)} failed: {(done.stderr or done.stdout).strip()}",
                    hint=f"the unit files are written in {unit_dir}; fix the cause and run "
                    f"`systemctl enable --now {timer.name}`",
                )
        return Installed(schedule, [service, timer], True)
    if schedule.backend == "cron":
        path = cron_dir / schedule.unit
        if path.exists() and _own(path) is None:
            raise OpsbookError(f"{path} exists and was not written by opsbook", hint="pick another --name")
        if not cron_dir.is_dir() and cron_dir == Path("/etc/cron.d"):
            raise OpsbookError(
                "neither systemd nor /etc/cron.d is available to schedule the audit",
                hint="install cron (apt-get install cron), or pass --cron-dir DIR",
            )
        _write(path, render_cron(schedule))
        return Installed(schedule, [path], True, "cron reads /etc/cron.d itself; nothing to enable")
    raise UsageError(f"unknown schedule backend {schedule.backend!r}", hint="use systemd or cron")


def list_schedules(*, unit_dir: Path, cron_dir: Path) -> list[Schedule]:
    """opsbook's schedules in the unit folder (timers) and the cron folder, by name."""
    found: dict[str, Schedule] = {}
    if unit_dir.is_dir():
        for path in sorted(unit_dir.glob(f"{PREFIX}*.timer")):
            sched = _own(path)
            if sched is not None:
                files = [str(path.with_suffix(".service")), str(path)]
                found[sched.name] = Schedule(**{**asdict(sched), "backend": "systemd", "files": files})
    if cron_dir.is_dir():
        for path in sorted(cron_dir.glob(f"{PREFIX}*")):
            sched = _own(path)
            if sched is not None:
                found[sched.name] = Schedule(**{**asdict(sched), "backend": "cron", "files": [str(path)]})
    return [found[k] for k in sorted(found)]


def remove(
    name: str, *, unit_dir: Path, cron_dir: Path, systemctl: Systemctl = run_systemctl, disable: bool = True
) -> list[Path]:
    """Disable and delete the schedule ``name``; returns the files removed."""
    check_name(name)
    matches = [s for s in list_schedules(unit_dir=unit_dir, cron_dir=cron_dir) if s.name == name]
    if not matches:
        raise UsageError(f"no opsbook schedule named {name!r}", hint="`opsbook schedule list` shows them")
    removed: list[Path] = []
    for sched in matches:
        if sched.backend == "systemd" and disable:
            systemctl(["disable", "--now", f"{sched.unit}.timer"])  # best effort: the files go anyway
        for file in sched.files:
            path = Path(file)
            if path.exists() and _own(path) is not None:
                path.unlink()
                removed.append(path)
        if sched.backend == "systemd" and disable:
            systemctl(["daemon-reload"])
    return removed
