"""``opsbook inventory`` — the asset register: check, report, reconcile, schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from opsbook.cli.options import InventoryPathsOpt
from opsbook.context import require_targets
from opsbook.errors import OpsbookError, UsageError
from opsbook.paths import project_paths
from opsbook.register.check import check as run_check
from opsbook.register.problems import RULES, display_path
from opsbook.register.schema import json_schema
from opsbook.register.sources import resolve_sources

app = typer.Typer(
    help="The asset register (the inventory's asset_* variables): check it, report on it, "
    "reconcile it with what the hosts and devices say.",
    no_args_is_help=True,
)

Inventory = InventoryPathsOpt


@app.command("check")
def check_command(
    inventory: Inventory = None,
    output: str = typer.Option("text", "--output", "-o", help="text or json."),
    netbox_export: bool = typer.Option(
        False,
        "--netbox-export",
        help="The inventory is an export of NetBox's inventory: allow its own variables.",
    ),
) -> None:
    """Report every problem of the register at once (file:line:column: RULE: message → fix).

    Reads files only; no host is contacted. Exit 0 when the register is sound, 1 when not.
    """
    sources = resolve_sources(inventory)
    result = run_check(sources, plugins=("netbox.netbox.nb_inventory",) if netbox_export else ())
    if output == "json":
        typer.echo(
            json.dumps(
                {
                    "sources": [str(s) for s in sources],
                    "hosts": len(result.register.hosts),
                    "problems": [p.to_dict() for p in result.problems],
                },
                indent=1,
            )
        )
    elif output == "text":
        for problem in result.problems:
            typer.echo(problem.render())
        console = Console(stderr=True)
        hosts = len(result.register.hosts)
        for dynamic in result.register.dynamic_sources:
            console.print(
                f"note: {dynamic} is a dynamic inventory source (plugin); not checked", highlight=False
            )
        if result.problems:
            rules = sorted({p.rule for p in result.problems})
            console.print(
                f"[red]{len(result.problems)} problem(s)[/] in {hosts} hosts ({', '.join(rules)})",
                highlight=False,
            )
        elif hosts or result.register.dynamic_sources:
            console.print(f"[green]register OK[/]: {hosts} hosts, no problems", highlight=False)
    else:
        raise UsageError(f"unknown output '{output}'", hint="use text or json")
    if not result.problems and not result.register.hosts and not result.register.dynamic_sources:
        require_targets(0, "hosts", sources=inventory)  # "register OK: 0 hosts" was a false pass
    raise typer.Exit(1 if result.problems else 0)


@app.command("report")
def report_command(
    inventory: Inventory = None,
    days: int = typer.Option(90, "--days", min=0, help="Flag warranties, support and EOL within N days."),
    today: str | None = typer.Option(None, "--today", help="Report date YYYY-MM-DD (default: today)."),
    formats: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="table, csv, xlsx, json, html (comma-separated or repeated)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for files (default: the context's reports/register).")
    ] = None,
) -> None:
    """Counts by kind, vendor, OS, site, customer and tier; expiring contracts; EOL; missing data."""
    # Imported here: openpyxl and jinja2 are needed by reports only, not by every opsbook command.
    from opsbook.register.render import parse_formats, print_tables, write_report  # noqa: PLC0415
    from opsbook.register.report import build_report  # noqa: PLC0415

    wanted = parse_formats(formats or ["table"])
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError as exc:
        raise UsageError(f"--today {today}: not a YYYY-MM-DD date", hint="e.g. --today 2026-11-27") from exc
    sources = resolve_sources(inventory)
    result = run_check(sources)
    if not result.register.dynamic_sources:  # a report of nothing is no report
        require_targets(len(result.register.hosts), "hosts", sources=inventory)
    report = build_report(result, today=day, days=days)
    console = Console()
    if "table" in wanted:
        print_tables(report, console)
    if any(f != "table" for f in wanted):
        if out is None:
            out = project_paths().reports / "register"
        for path in write_report(report, wanted, out):
            console.print(f"wrote {path}", highlight=False)
    if result.problems:
        Console(stderr=True).print(
            f"[yellow]warning:[/] the register has {len(result.problems)} problem(s); "
            "figures may be incomplete — run: opsbook inventory check",
            highlight=False,
        )


@app.command("reconcile")
def reconcile_command(
    *,
    inventory: Inventory = None,
    limit: Annotated[
        str | None, typer.Option("--limit", "-l", help="Hosts or groups (wildcards, !exclude).")
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Fill empty fields in the register files.")] = False,
    accept: Annotated[
        list[str] | None,
        typer.Option("--accept", help="Also overwrite conflicting values of this field (repeatable)."),
    ] = None,
    ticket: Annotated[
        str | None,
        typer.Option("--ticket", help="Ticket id recorded with replaced parts (accepted serials)."),
    ] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="text or json.")] = "text",
) -> None:
    """Compare the register with facts from the live hosts and devices; --write updates it.

    Exit 0 when register and reality agree (after --write), 1 when discrepancies remain or a
    host could not be read.
    """
    # Imported here: ruamel, the runner and netmiko load only for reconcile.
    from opsbook.cli.progress import make_progress  # noqa: PLC0415
    from opsbook.reconcile.discover import discover, select_hosts  # noqa: PLC0415
    from opsbook.register.reconcile import compare, plan_changes  # noqa: PLC0415
    from opsbook.register.writeback import apply_changes  # noqa: PLC0415

    if output not in ("text", "json"):
        raise UsageError(f"unknown output '{output}'", hint="use text or json")
    sources = resolve_sources(inventory)
    result = run_check(sources)
    if result.problems:
        for problem in result.problems:
            typer.echo(problem.render(), err=True)
        raise OpsbookError(
            f"the register has {len(result.problems)} problem(s); reconcile works on a sound register",
            hint="fix them first: opsbook inventory check",
        )
    hosts = select_hosts(result, limit)
    require_targets(len(hosts), "hosts", sources=inventory, limit=limit)  # "agree for every host": of none
    found = discover(result, sources, hosts, **make_progress(output == "text").handlers())
    discrepancies = [
        d for host in sorted(found.fields) for d in compare(host, result.merged[host], found.fields[host])
    ]
    changes, left = (
        plan_changes(result.register, discrepancies, accept or [], ticket=ticket)
        if write
        else ([], discrepancies)
    )
    written = apply_changes(changes) if changes else []
    if output == "json":
        typer.echo(
            json.dumps(
                {
                    "hosts": hosts,
                    "discrepancies": [d.to_dict() for d in discrepancies],
                    "written": [str(p) for p in written],
                    "remaining": [d.to_dict() for d in left],
                    "errors": found.errors,
                    "skipped": found.skipped,
                    "run_id": found.run_id,
                },
                indent=1,
                default=str,
            )
        )
    else:
        _print_reconcile(
            discrepancies, left, written=written, errors=found.errors, skipped=found.skipped, write=write
        )
    if written:
        after = run_check(sources).problems
        for problem in after:
            typer.echo(problem.render(), err=True)
        if after:
            raise OpsbookError(
                f"the register has {len(after)} problem(s) after writing (e.g. a serial now used twice)",
                hint="review the lines above and the changed files",
            )
    raise typer.Exit(1 if left or found.errors else 0)


def _print_reconcile(
    discrepancies: list[Any],
    left: list[Any],
    *,
    written: list[Path],
    errors: dict[str, str],
    skipped: dict[str, str],
    write: bool,
) -> None:
    console = Console(highlight=False, soft_wrap=True)
    table = Table(title=f"Register vs. reality: {len(discrepancies)} discrepancies", title_justify="left")
    for column in ("host", "field", "declared", "discovered", "kind", "declared in"):
        table.add_column(column)
    open_items = {id(d) for d in left}
    for item in discrepancies:
        where = f"{display_path(item.path)}:{item.line}" if item.path else ""
        kind = item.kind if id(item) in open_items or not write else f"{item.kind} → written"
        declared = "" if item.declared is None else str(item.declared)
        table.add_row(item.host, item.field, declared, str(item.discovered), kind, where)
    if discrepancies:
        console.print(table)
    else:
        console.print("[green]register and reality agree[/] for every host read")
    for path in written:
        console.print(f"wrote {display_path(path)}")
    conflicts = [d for d in left if d.kind == "conflict"]
    if write and conflicts:
        fields = sorted({d.field for d in conflicts})
        console.print(
            f"[yellow]{len(conflicts)} conflict(s) left as declared[/]; to take the discovered values: "
            + " ".join(f"--accept {f}" for f in fields)
        )
    elif not write and discrepancies:
        console.print("run with --write to fill the missing fields (conflicts need --accept FIELD)")
    for host, error in sorted(errors.items()):
        console.print(f"[red]not read[/] {host}: {error}")
    if skipped:
        console.print(f"skipped {len(skipped)} asset(s) with no discovery method (databases, middleware, …)")


@app.command("schema")
def schema_command(
    out: Annotated[Path | None, typer.Option("--out", help="Write the JSON Schema to this file.")] = None,
    rules: bool = typer.Option(False, "--rules", help="List the check's rules instead."),
) -> None:
    """Print the JSON Schema of the asset_* variables (or the check's rules)."""
    if rules:
        for name, description in RULES.items():
            typer.echo(f"{name}: {description}")
        return
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
