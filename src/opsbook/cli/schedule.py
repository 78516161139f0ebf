"""``opsbook schedule install audit --daily HH:MM [--limit …] | list | remove NAME``.

A systemd timer + service where systemd runs (``systemctl enable --now``), else a cron entry in
/etc/cron.d. See docs/audit.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from opsbook.audit import schedule as sched
from opsbook.audit.run import parse_scopes
from opsbook.errors import OpsbookError, UsageError
from opsbook.paths import project_paths

app = typer.Typer(help="Scheduled jobs (the nightly audit): systemd timers, or cron where systemd is absent.")

UnitDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--unit-dir",
        metavar="DIR",
        help="systemd unit folder. Default: $OPSBOOK_SYSTEMD_DIR, /etc/systemd/system (root) "
        "or ~/.config/systemd/user.",
    ),
]
CronDirOpt = Annotated[
    Path | None,
    typer.Option("--cron-dir", metavar="DIR", help="cron folder. Default: $OPSBOOK_CRON_DIR or /etc/cron.d."),
]


def _fail(exc: OpsbookError) -> typer.Exit:
    Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
    return typer.Exit(1)


@app.command("install")
def install_cmd(
    job: Annotated[str, typer.Argument(metavar="JOB", help="What to schedule: audit.")],
    *,
    daily: Annotated[str, typer.Option("--daily", metavar="HH:MM", help="Every day at this local time.")],
    limit: Annotated[
        str | None, typer.Option("--limit", "-l", metavar="PATTERN", help="Only these hosts or groups.")
    ] = None,
    inventory: Annotated[
        list[str] | None, typer.Option("--inventory", "-i", metavar="PATH", help="Inventory (repeatable).")
    ] = None,
    scope: Annotated[str | None, typer.Option("--scope", metavar="SCOPES", help="linux, network.")] = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="Schedule name (default: the job's name).")
    ] = None,
    backend: Annotated[
        str,
        typer.Option(
            "--backend", metavar="auto|systemd|cron", help="auto: systemd if it is PID 1, else cron."
        ),
    ] = "auto",
    enable: Annotated[
        bool,
        typer.Option("--enable/--no-enable", help="Enable the systemd timer now (systemctl enable --now)."),
    ] = True,
    unit_dir: UnitDirOpt = None,
    cron_dir: CronDirOpt = None,
) -> None:
    """Run JOB every day at --daily HH:MM; the audit keeps its reports under .opsbook/audits/."""
    try:
        if job not in sched.JOBS:
            raise UsageError(f"unknown job {job!r}", hint="schedulable: " + ", ".join(sched.JOBS))
        sched.parse_daily(daily)
        chosen = backend
        if backend == "auto":
            chosen = "systemd" if sched.systemd_running() else "cron"
        elif backend not in ("systemd", "cron"):
            raise UsageError(f"unknown --backend {backend!r}", hint="use auto, systemd or cron")
        root = project_paths().root
        inventories = [str(Path(i).resolve()) for i in inventory or []]
        scopes = parse_scopes([scope]) if scope else []
        schedule = sched.Schedule(
            name=sched.check_name(name or job),
            job=job,
            daily=daily,
            project=str(root),
            command=sched.audit_command(limit=limit, scopes=scopes, inventory=inventories),
            limit=limit,
            backend=chosen,
        )
        done = sched.install(
            schedule,
            unit_dir=unit_dir or sched.default_unit_dir(),
            cron_dir=cron_dir or sched.default_cron_dir(),
            enable=enable,
        )
    except OpsbookError as exc:
        raise _fail(exc) from None
    out = Console()
    out.print(f"scheduled [bold]{schedule.name}[/]: {job} daily at {daily} ({chosen})", highlight=False)
    for path in done.files:
        out.print(f"  wrote {path}", highlight=False, soft_wrap=True)
    if done.note:
        out.print(f"  {done.note}", highlight=False)
    elif done.enabled:
        out.print(f"  enabled {schedule.unit}.timer", highlight=False)


@app.command("list")
def list_cmd(*, unit_dir: UnitDirOpt = None, cron_dir: CronDirOpt = None) -> None:
    """opsbook's schedules (systemd timers and cron entries it wrote)."""
    found = sched.list_schedules(
        unit_dir=unit_dir or sched.default_unit_dir(), cron_dir=cron_dir or sched.default_cron_dir()
    )
    table = Table("name", "job", "daily", "limit", "backend", "files")
    for s in found:
        table.add_row(s.name, s.job, s.daily, s.limit or "", s.backend, "\n".join(s.files))
    Console().print(table if found else "no opsbook schedules")


@app.command("remove")
def remove_cmd(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The schedule's name (see `schedule list`).")],
    *,
    unit_dir: UnitDirOpt = None,
    cron_dir: CronDirOpt = None,
) -> None:
    """Disable and delete a schedule."""
    try:
        removed = sched.remove(
            name, unit_dir=unit_dir or sched.default_unit_dir(), cron_dir=cron_dir or sched.default_cron_dir()
        )
    except OpsbookError as exc:
        raise _fail(exc) from None
    for path in removed:
        Console().print(f"removed {path}", highlight=False, soft_wrap=True)
