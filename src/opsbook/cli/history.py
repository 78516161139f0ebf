"""``opsbook history list | show ID | verify | rerun ID [--failed]`` — the recorded runbook runs."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from opsbook.cli.runbook import TerminalUi, print_outcome
from opsbook.errors import OpsbookError
from opsbook.paths import project_paths
from opsbook.records.history import History, sha256_file
from opsbook.records.model import REPORT_MD, read_record
from opsbook.runbooks.engine import Engine, rerun_request
from opsbook.runbooks.exitcodes import ExitCode
from opsbook.runbooks.params import parse_assignments

app = typer.Typer(
    help="The history of runbook runs: records indexed in SQLite with a hash chain.", no_args_is_help=True
)


@app.command("list")
def list_runs(
    runbook: str | None = typer.Option(None, "--runbook", "-r", help="Only runs of this runbook."),
    ticket: str | None = typer.Option(None, "--ticket", "-t", help="Only runs for this ticket."),
    last: int = typer.Option(20, "--last", "-n", help="How many of the newest runs to show (0: all)."),
) -> None:
    """List recorded runs, newest last."""
    entries = History(project_paths().state).entries()
    if runbook:
        entries = [e for e in entries if e.runbook == runbook]
    if ticket:
        entries = [e for e in entries if e.ticket == ticket]
    if last > 0:
        entries = entries[-last:]
    table = Table("#", "id", "runbook", "ticket", "operator", "started", "mode", "outcome", "targets")
    for e in entries:
        colour = "green" if e.exit_code == 0 else "red"
        table.add_row(
            str(e.seq),
            e.id,
            e.runbook,
            e.ticket or "",
            e.operator,
            e.started,
            e.mode,
            f"[{colour}]{e.outcome}[/]",
            ", ".join(e.targets),
        )
    Console().print(table)


@app.command("show")
def show(
    run_id: str = typer.Argument(..., help="Run id (or a unique prefix)."),
    as_json: bool = typer.Option(False, "--json", help="Print record.json as it is."),
) -> None:
    """Show a run: its service report (or the whole record with --json)."""
    history = History(project_paths().state)
    entry = history.get(run_id)
    path = history.record_path(entry)
    console = Console()
    if as_json:
        typer.echo(path.read_text(encoding="utf-8"), nl=False)
        return
    record = read_record(path)
    report = path.parent / REPORT_MD
    if report.is_file():
        console.print(Markdown(report.read_text(encoding="utf-8")))
    else:
        console.print_json(json.dumps(record.model_dump(mode="json")))
    console.print(f"record: {path}", highlight=False)


@app.command("verify")
def verify() -> None:
    """Check the hash chain: exit 9 if a record or index row was edited, removed or never indexed."""
    history = History(project_paths().state)
    issues = history.verify()
    console = Console()
    count = len(history.entries())
    if issues:
        for issue in issues:
            console.print(f"[red]✗[/] {issue}", highlight=False)
        console.print(f"[bold red]history NOT intact[/]: {len(issues)} problem(s) in {count} run(s)")
        raise typer.Exit(int(ExitCode.HISTORY_BROKEN))
    console.print(f"[green]history intact[/]: {count} run(s), chain and records verified")


@app.command("rerun")
def rerun(
    run_id: Annotated[str, typer.Argument(help="Run id (or a unique prefix) to run again.")],
    *,
    failed: Annotated[
        bool,
        typer.Option(
            "--failed", help="Only the hosts that failed, were unreachable or were stopped at the timeout."
        ),
    ] = False,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Secret parameters again (never recorded).")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Confirm in advance (automation).")] = False,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show live task progress.")
    ] = True,
) -> None:
    """Run a recorded run again: same runbook, parameters and ticket (with --failed: only failed hosts)."""
    paths = project_paths()
    history = History(paths.state)
    entry = history.get(run_id)
    path = history.record_path(entry)
    if not path.is_file() or sha256_file(path) != entry.record_sha256:
        raise OpsbookError(
            f"record of run {entry.id} was edited or removed since it was indexed; not re-running it",
            hint="`opsbook history verify` shows what changed",
        )
    record = read_record(path)
    request = rerun_request(record, failed_only=failed, params=parse_assignments(param or []), yes=yes)
    console = Console()
    console.print(f"re-running {record.runbook['name']} from {record.id} on {request.limit}", highlight=False)
    outcome = Engine(paths, TerminalUi(console, progress=progress)).run(request)
    print_outcome(console, outcome)
    raise typer.Exit(int(outcome.exit_code))
