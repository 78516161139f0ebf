"""``opsbook audit`` — is every host and device still as the repository says? And its history.

    opsbook audit [-i INV] [-l LIMIT] [--scope linux,network] [--format table,json,html,junit] [--out DIR]
    opsbook audit --fix --limit HOST --ticket ID [--yes] [--force REASON]
    opsbook audit diff [A] [B] · opsbook audit list · opsbook audit show ID

Exit codes (docs/audit.md): 0 every host compliant · 2 drift found (every host checked) ·
1 error: a host or device could not be checked (unverifiable, failed, unreachable), bad input,
or the audit itself failed. Option syntax errors exit 2 before anything runs (click's rule).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from opsbook.audit.history import AuditStore, diff_audits
from opsbook.audit.model import EXIT_ERROR, Audit
from opsbook.audit.reports import FILE_NAMES, parse_formats, render
from opsbook.audit.reports.terminal import print_audit, render_diff, short_time
from opsbook.audit.run import Auditor, AuditRequest, parse_scopes, report_paths, targets_from_inventory
from opsbook.cli.change import ChangeArgs, run_runbook_change
from opsbook.cli.options import (
    ForceOpt,
    ForksOpt,
    InventoryOpt,
    LimitOpt,
    TicketOpt,
    formats_option,
    json_flag,
    timeout_option,
    yes_flag,
)
from opsbook.cli.progress import make_progress
from opsbook.context import check_sources
from opsbook.errors import OpsbookError
from opsbook.paths import project_paths

#: the runbook that brings network devices to their intended configuration (runbooks/network-push.yml)
NETWORK_FIX = "network-push"

app = typer.Typer(
    help="Config-drift audit: compliant / drifted / unverifiable per host, reports and history.",
    invoke_without_command=True,
)


def _console() -> Console:
    """The terminal's width on a terminal; 160 columns when the output goes to a file or a pipe."""
    return Console() if sys.stdout.isatty() else Console(width=160)


def _fail(exc: OpsbookError) -> typer.Exit:
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {exc}", highlight=False)
    return typer.Exit(EXIT_ERROR)


def _store() -> AuditStore:
    return AuditStore(project_paths().state / "audits")


def _emit(audit: Audit, formats: list[str], out: Path | None, reports: dict[str, Path]) -> None:
    console = _console()
    files = [f for f in formats if f in FILE_NAMES]
    if out is None and formats == ["json"]:
        typer.echo(render(audit, "json"), nl=False)
        return
    shown: dict[str, Path] = {}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for fmt in files:
            target = out / FILE_NAMES[fmt]
            shutil.copyfile(reports[fmt], target)
            shown[fmt] = target
    else:
        shown = {f: reports[f] for f in files}
    if "html" not in shown and "html" in reports:
        shown["html"] = reports["html"]
    if "table" in formats:
        print_audit(audit, console, reports=shown)
    else:
        for fmt, path in shown.items():
            console.print(f"{fmt} report: {path}", highlight=False)


@app.callback()
def audit(
    ctx: typer.Context,
    *,
    inventory: InventoryOpt = None,
    limit: LimitOpt = None,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", metavar="SCOPES", help="linux, network (comma-separated). Default: both."),
    ] = None,
    output_format: Annotated[
        list[str] | None,
        formats_option(
            "table, json, html, junit (comma-separated). Default: table. "
            "json alone without --out prints JSON on stdout."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Also write the json/html/junit reports here (every audit keeps all of them in "
            ".opsbook/audits/AUDIT_ID/).",
        ),
    ] = None,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Apply the desired state for real to --limit (plan, confirm, run, record), then re-audit.",
        ),
    ] = False,
    yes: Annotated[bool, yes_flag("With --fix: confirm in advance.")] = False,
    ticket: TicketOpt = None,
    force: ForceOpt = None,
    forks: ForksOpt = None,
    timeout: Annotated[int | None, timeout_option("Stop the audit playbook after this long.")] = None,
) -> None:
    """Audit hosts (the desired state of every role, in check + diff mode) and devices (network
    compliance): each is compliant, drifted, unverifiable, failed or unreachable.

    Exit 0: all compliant · 2: drift found · 1: something could not be checked, or an error.
    """
    if ctx.invoked_subcommand is not None:
        return
    try:
        formats = parse_formats(output_format or [])
        scopes = parse_scopes(scope or [])
        check_sources(inventory)  # another customer's register: its audit would be this customer's
        if fix:
            change = ChangeArgs(yes=yes, ticket=ticket, force=force)
            raise typer.Exit(_fix(inventory, limit, scopes, formats, out, change=change))
        elif yes or ticket or force:
            raise OpsbookError(
                "--yes, --ticket and --force only go with --fix", hint="drop them, or add --fix --limit HOST"
            )
        code = _audit(inventory, limit, scopes, formats, out, forks=forks, timeout=timeout)
    except OpsbookError as exc:
        raise _fail(exc) from None
    raise typer.Exit(code)


def _audit(
    inventory: list[str] | None,
    limit: str | None,
    scopes: list[str],
    formats: list[str],
    out: Path | None,
    *,
    forks: int | None = None,
    timeout: int | None = None,
) -> int:
    auditor = Auditor(project_paths())
    json_only = out is None and formats == ["json"]
    request = AuditRequest(
        inventory=inventory,
        limit=limit,
        scopes=scopes,
        forks=forks,
        timeout=timeout,
        **make_progress(not json_only).handlers(),
    )
    result = auditor.run(request)
    _emit(result, formats, out, report_paths(auditor.store, result))
    return result.exit_code


def _fix(
    inventory: list[str] | None,
    limit: str | None,
    scopes: list[str],
    formats: list[str],
    out: Path | None,
    *,
    change: ChangeArgs,
) -> int:
    """Linux hosts: the runbook engine with the built-in ``audit-fix`` runbook (plan of site.yml,
    confirm, run, record, history). Devices: the runbook ``network-push`` through the same engine
    (backup, plan, confirm, apply under a revert timer, post-checks, save or roll back, record).
    Then the same audit again."""
    if not limit:
        raise OpsbookError(
            "--fix changes hosts for real and needs --limit",
            hint="name the drifted hosts from the audit: opsbook audit --fix --limit HOST[,HOST…]",
        )
    from opsbook.runner import resolve_inventories  # noqa: PLC0415

    paths = project_paths()
    if inventory:  # relative: to the current folder, else to the project (as `opsbook run`)
        inventory = [str(p) for p in resolve_inventories(inventory, paths)]
    auditor = Auditor(paths)
    request = AuditRequest(inventory=inventory, limit=limit, scopes=scopes)
    targets = targets_from_inventory(auditor.load_inventory(request), scopes)
    if not targets.linux and not targets.devices:
        raise OpsbookError(
            f"--limit {limit!r} matches no Linux host and no network device in scope {', '.join(scopes)}",
            hint="use the host names the audit reported",
        )
    console = _console()
    ok = True
    if targets.linux:
        ok = _fix_run(console, inventory, ",".join(targets.linux), change, devices=False) and ok
    if targets.devices:
        ok = (
            _fix_run(console, inventory, ",".join(d.name for d in targets.devices), change, devices=True)
            and ok
        )
    if not ok:
        return EXIT_ERROR
    console.rule("[bold]Audit after the fix")
    return _audit(inventory, limit, scopes, formats, out)


def _fix_run(
    console: Console, inventory: list[str] | None, targets: str, change: ChangeArgs, *, devices: bool
) -> bool:
    """One fix through the change flow: ``audit-fix`` (site.yml) for hosts, ``network-push`` for devices."""
    from opsbook.audit.fix import FIX_NAME  # noqa: PLC0415
    from opsbook.runbooks.exitcodes import ExitCode  # noqa: PLC0415

    name = NETWORK_FIX if devices else FIX_NAME
    what = "push the intended configuration" if devices else "apply site.yml"
    console.rule(f"[bold]Fix {targets}: {what} (runbook {name})")
    outcome = run_runbook_change(
        console, name, limit=targets, inventory=inventory, change=change, fix=not devices
    )
    return outcome.exit_code is ExitCode.OK


@app.command("diff")
def diff_cmd(
    older: Annotated[
        str | None, typer.Argument(help="Older audit id (or prefix). Default: the second newest.")
    ] = None,
    newer: Annotated[
        str | None, typer.Argument(help="Newer audit id (or prefix). Default: the newest.")
    ] = None,
    *,
    json_output: Annotated[bool, json_flag("Print the comparison as JSON.")] = False,
) -> None:
    """New, resolved and persisting findings between two audits (default: the last two)."""
    try:
        store = _store()
        entries = store.entries()
        if older is None:
            if len(entries) < 2:
                raise OpsbookError(
                    f"need two audits to compare, the history has {len(entries)}",
                    hint="run `opsbook audit` (again)",
                )
            a, b = store.load(entries[-2].id), store.load(entries[-1].id)
        else:
            a = store.load(older)
            b = store.load(newer) if newer else store.load(entries[-1].id)
    except OpsbookError as exc:
        raise _fail(exc) from None
    result = diff_audits(a, b)
    if json_output:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        _console().print(render_diff(result))


@app.command("list")
def list_cmd() -> None:
    """Every audit kept in .opsbook/audits/, oldest first."""
    store = _store()
    table = Table("id", "started", "scope", "limit", "hosts", "exit")
    table.columns[0].no_wrap = True
    for e in store.entries():
        counts = ", ".join(f"{n} {s}" for s, n in e.counts.items() if n) or "none"
        table.add_row(
            e.id, short_time(e.started), ",".join(e.scopes), e.limit or "", counts, str(e.exit_code)
        )
    _console().print(table)


@app.command("show")
def show_cmd(
    audit_id: Annotated[str, typer.Argument(metavar="ID", help="Audit id or a unique prefix.")],
    *,
    output_format: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="table, json, html or junit.")
    ] = "table",
) -> None:
    """Show a kept audit again (table), or print one of its reports."""
    try:
        store = _store()
        kept = store.load(audit_id)
        fmt = parse_formats([output_format])[0]
    except OpsbookError as exc:
        raise _fail(exc) from None
    if fmt == "table":
        print_audit(kept, _console(), reports=report_paths(store, kept))
    else:
        typer.echo(render(kept, fmt), nl=False)
    raise typer.Exit(kept.exit_code)
