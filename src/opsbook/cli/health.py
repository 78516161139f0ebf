"""`opsbook health` — periodic inspection (巡检) of Linux hosts and network devices.

Exit codes: 0 everything OK; 2 anything WARN, CRIT, UNKNOWN or unreachable (the report says
what); 1 the inspection could not run (bad input, ansible stopped early). See docs/health.md.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from opsbook.cli.options import InventoryOpt, LimitOpt, timeout_option
from opsbook.cli.progress import make_progress
from opsbook.context import check_sources
from opsbook.health.inspect import inspect
from opsbook.health.render import print_report, report_json
from opsbook.render.terminal import print_path


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def health(
    *,
    inventory: InventoryOpt = None,
    limit: LimitOpt = None,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json-out",
            metavar="PATH",
            help="Write the JSON report here. Default: .opsbook/reports/health-RUN_ID.json.",
            dir_okay=False,
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="table (rich tables on the terminal) or json (the JSON report on stdout, no live progress).",
            case_sensitive=False,
        ),
    ] = OutputFormat.table,
    timeout: Annotated[int | None, timeout_option("Stop the inspection after this many seconds.")] = None,
    problems_only: Annotated[
        bool,
        typer.Option(
            "--problems-only",
            help="Show only hosts, devices and checks that are not OK (the JSON report keeps everything).",
        ),
    ] = False,
) -> None:
    """Inspect Linux hosts (disk, inodes, memory, swap, load, failed units, time sync, reboot,
    security updates, ports — one host_health call per host) and network devices (reachable,
    version, uptime). Prints a table per host and writes a JSON report.

    Thresholds come from the host_health module's defaults, overridden per group or host by the
    inventory variable host_health_thresholds.

    Exit 0: all OK · 2: anything WARN, CRIT, UNKNOWN or unreachable · 1: the inspection could not run.
    """
    as_json = output_format is OutputFormat.json
    check_sources(inventory)  # another customer's register: its report would be this customer's
    report, path = inspect(
        inventory=inventory or None,
        limit=limit,
        json_out=json_out,
        **make_progress(not as_json).handlers(),
        timeout=timeout,
    )
    err = Console(stderr=True, soft_wrap=True)  # messages name paths: never wrapped inside one
    if as_json:
        typer.echo(report_json(report), nl=False)
    else:
        print_report(report, problems_only=problems_only)
    print_path(err, "report:", path)
    raise typer.Exit(report.exit_code)
