"""Schedules as files: a systemd timer + service, or a cron entry where systemd is not running.

``install`` writes ``opsbook-<name>.service`` + ``opsbook-<name>.timer`` into the unit folder
and enables the timer (``systemctl enable --now``), or ``<cron dir>/opsbook-<name>`` when
systemd is not PID 1 (a container, a minimal VM). Each file starts with a marker line holding
the schedule as JSON, so ``list_schedules`` and ``remove`` only ever touch opsbook's own files.
Every command runs under ``flock --nonblock`` on the job's lock in the customer's state folder:
a run that would overlap the previous one exits 75 at once and says so in the log/journal.

Rendering is pure; the folders and the ``systemctl`` call are passed in (tests use temporary
folders and a fake ``systemctl``).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from opsbook.base.files import atomic_write
from opsbook.errors import OpsbookError, UsageError
from opsbook.schedules.model import BUSY_EXIT, JOBS, MARKER, PREFIX, Schedule, check_name

Systemctl = Callable[[Sequence[str]], subprocess.CompletedProcess[str]]


def flock_path() -> str:
    found = shutil.which("flock")
    if found is None:
        raise OpsbookError(
            "flock is not installed: schedules run under it so that two runs of a job never overlap",
            hint="apt-get install util-linux (it provides flock)",
        )
    return found


def render_service(schedule: Schedule, flock: str = "/usr/bin/flock") -> str:
    project = schedule.project
    found = " ".join(str(c) for c in JOBS[schedule.job].found_exit)
    lines = [
        schedule.marker(),
        "[Unit]",
        f"Description=opsbook {schedule.job} of {schedule.customer} ({schedule.name}) in {project}",
        "Wants=network-online.target",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        f"WorkingDirectory={project}",
        f"Environment=OPSBOOK_PROJECT={project}",
        f"# exit {BUSY_EXIT}: the previous {schedule.job} of {schedule.customer} still runs",
        f"# (it holds {schedule.lock})",
        f"ExecStart={shlex.join(schedule.locked_command(flock))}",
    ]
    if found:
        lines += [
            f"# exit {found}: the job worked and found something; its reports say what",
            f"SuccessExitStatus={found}",
        ]
    return "\n".join([*lines, ""])


def render_timer(schedule: Schedule) -> str:
    cadence = schedule.cadence
    about = f"opsbook {schedule.job} of {schedule.customer} ({schedule.name})"
    return "\n".join(
        [
            schedule.marker(),
            "[Unit]",
            f"Description={about} {cadence.describe()}",
            "",
            "[Timer]",
            f"OnCalendar={cadence.on_calendar()}",
            "Persistent=true",
            f"Unit={schedule.unit}.service",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
        ]
    )


def render_cron(schedule: Schedule, user: str = "root", flock: str = "/usr/bin/flock") -> str:
    line = (
        f"{schedule.cadence.cron_fields()} {user} cd {shlex.quote(schedule.project)} && "
        f"OPSBOOK_PROJECT={shlex.quote(schedule.project)} {shlex.join(schedule.locked_command(flock))} "
        f">> {shlex.quote(str(schedule.log))} 2>&1"
    )
    return "\n".join([schedule.marker(), "SHELL=/bin/sh", "PATH=/usr/local/bin:/usr/bin:/bin", line, ""])


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
        return Schedule.from_marker(data)
    except (ValueError, TypeError, AttributeError):
        return None


def _refuse_foreign(path: Path) -> None:
    if path.exists() and _own(path) is None:
        raise OpsbookError(f"{path} exists and was not written by opsbook", hint="pick another --name")


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
    flock: str | None = None,
) -> Installed:
    """Write the schedule's files (replacing an earlier schedule of the same name) and enable it."""
    check_name(schedule.name)
    schedule.cadence.spec()  # a bad cadence is refused before anything is written
    flock = flock or flock_path()
    schedule.lock.parent.mkdir(parents=True, exist_ok=True)  # flock creates the file, not its folder
    if schedule.backend == "systemd":
        service = unit_dir / f"{schedule.unit}.service"
        timer = unit_dir / f"{schedule.unit}.timer"
        for path in (service, timer):
            _refuse_foreign(path)
        atomic_write(service, render_service(schedule, flock), mode=0o644)
        atomic_write(timer, render_timer(schedule), mode=0o644)
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
        _refuse_foreign(path)
        if not cron_dir.is_dir():
            raise OpsbookError(
                f"neither systemd nor the cron folder {cron_dir} is available to run the schedule",
                hint="install cron (apt-get install cron), or pass --cron-dir DIR of a running cron",
            )
        atomic_write(path, render_cron(schedule, flock=flock), mode=0o644)
        return Installed(schedule, [path], True, f"cron reads {cron_dir} itself; nothing to enable")
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
