"""``opsbook schedule install JOB --daily|--weekly|--monthly … | list | remove NAME`` (docs/scheduling.md).

JOB is health (inspection), audit or net-backup; it runs in the customer context in force when
the schedule is installed (``opsbook --customer NAME schedule install …``), under a lock so two
runs of a job for one customer never overlap. A systemd timer + service where systemd runs,
else a cron entry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from opsbook import context as customer_context
from opsbook.audit.run import parse_scopes
from opsbook.cli.options import InventoryOpt, LimitOpt
from opsbook.errors import OpsbookError, UsageError
from opsbook.paths import find_project_root
from opsbook.schedules import backends
from opsbook.schedules import model as sched

app = typer.Typer(
    help="Scheduled jobs — inspection (health), audit, network backup — daily, weekly or monthly, "
    "per customer context, never overlapping: systemd timers, or cron where systemd is absent.",
    no_args_is_help=True,
)

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
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {exc}", highlight=False)
    return typer.Exit(exc.exit_code)


def _dirs(unit_dir: Path | None, cron_dir: Path | None) -> tuple[Path, Path]:
    return unit_dir or backends.default_unit_dir(), cron_dir or backends.default_cron_dir()


def _build(
    job: str,
    cadence: sched.Cadence,
    *,
    name: str | None,
    limit: str | None,
    inventory: list[str] | None,
    scope: str | None,
    backend: str,
) -> sched.Schedule:
    sched.check_job(job)
    chosen = backend
    if backend == "auto":
        chosen = "systemd" if backends.systemd_running() else "cron"
    elif backend not in ("systemd", "cron"):
        raise UsageError(f"unknown --backend {backend!r}", hint="use auto, systemd or cron")
    root = find_project_root()
    context = customer_context.current(root)
    if context.kind == "inventory":
        raise UsageError(
            f"the context in force is an ad-hoc inventory ({context.describe()}): a schedule needs a name",
            hint="schedule a customer (inventory/NAME/) or a lab: opsbook --customer NAME schedule …",
        )
    inventories = [str(Path(i).resolve()) for i in inventory or []]
    scopes = parse_scopes([scope]) if scope else []
    return sched.Schedule(
        name=sched.check_name(name or f"{context.name}-{job}"),
        job=job,
        when=cadence.spec(),
        project=str(root),
        customer=context.name,
        state=str(context.state),
        command=sched.job_command(
            job, customer=context.name, limit=limit, scopes=scopes, inventory=inventories
        ),
        limit=limit,
        backend=chosen,
    )


@app.command("install")
def install_cmd(
    job: Annotated[str, typer.Argument(metavar="JOB", help="What to schedule: health, audit or net-backup.")],
    *,
    daily: Annotated[
        str | None, typer.Option("--daily", metavar="HH:MM", help="Every day at this time.")
    ] = None,
    weekly: Annotated[
        str | None, typer.Option("--weekly", metavar="DAY@HH:MM", help="Every week, e.g. mon@02:00.")
    ] = None,
    monthly: Annotated[
        str | None,
        typer.Option("--monthly", metavar="DAY@HH:MM", help="Every month on day 1-28, e.g. 1@02:00."),
    ] = None,
    limit: LimitOpt = None,
    inventory: InventoryOpt = None,
    scope: Annotated[
        str | None, typer.Option("--scope", metavar="SCOPES", help="audit only: linux, network.")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="Schedule name. Default: CUSTOMER-JOB, e.g. acme-audit."),
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
    """Run JOB daily, weekly or monthly for the customer context in force (see `opsbook use`).

    The job keeps its results in that customer's state folder; a run that would overlap the
    previous one of the same job and customer exits 75 at once (flock), and says so in its log.
    """
    try:
        cadence = sched.choose_cadence(daily_at=daily, weekly_at=weekly, monthly_at=monthly)
        schedule = _build(
            job, cadence, name=name, limit=limit, inventory=inventory, scope=scope, backend=backend
        )
        units, crons = _dirs(unit_dir, cron_dir)
        done = backends.install(schedule, unit_dir=units, cron_dir=crons, enable=enable)
    except OpsbookError as exc:
        raise _fail(exc) from None
    out = Console(highlight=False, soft_wrap=True)
    out.print(
        f"scheduled [bold]{schedule.name}[/]: {job} of {schedule.customer} {cadence.describe()} "
        f"({schedule.backend})"
    )
    for path in done.files:
        out.print(f"  wrote {path}")
    out.print(f"  lock  {schedule.lock}")
    if schedule.backend == "cron":
        out.print(f"  log   {schedule.log}")
    if done.note:
        out.print(f"  {done.note}")
    elif done.enabled:
        out.print(f"  enabled {schedule.unit}.timer")


@app.command("list")
def list_cmd(
    *,
    unit_dir: UnitDirOpt = None,
    cron_dir: CronDirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """opsbook's schedules (systemd timers and cron entries it wrote), of every customer."""
    units, crons = _dirs(unit_dir, cron_dir)
    found = backends.list_schedules(unit_dir=units, cron_dir=crons)
    if as_json:
        rows = [
            {
                "name": s.name,
                "job": s.job,
                "customer": s.customer,
                "when": s.when,
                "limit": s.limit,
                "backend": s.backend,
                "command": s.command,
                "lock": str(s.lock),
                "files": s.files,
            }
            for s in found
        ]
        typer.echo(json.dumps(rows, indent=1))
        return
    if not found:
        Console().print("no opsbook schedules")
        return
    table = Table()
    for column in ("name", "job", "customer", "when"):  # names and times whole, never wrapped
        table.add_column(column, no_wrap=True)
    table.add_column("limit")
    table.add_column("backend")
    for s in found:
        table.add_row(s.name, s.job, s.customer, s.cadence.describe(), s.limit or "", s.backend)
    out = Console(highlight=False, soft_wrap=True)
    out.print(table)
    for s in found:  # paths on their own lines, never cut by the table
        for file in s.files:
            out.print(f"{s.name}: {file}")


@app.command("remove")
def remove_cmd(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The schedule's name (see `schedule list`).")],
    *,
    unit_dir: UnitDirOpt = None,
    cron_dir: CronDirOpt = None,
) -> None:
    """Disable and delete a schedule."""
    units, crons = _dirs(unit_dir, cron_dir)
    try:
        removed = backends.remove(name, unit_dir=units, cron_dir=crons)
    except OpsbookError as exc:
        raise _fail(exc) from None
    for path in removed:
        Console(highlight=False, soft_wrap=True).print(f"removed {path}")
