"""``opsbook history list | show RUN | verify | rerun RUN [--failed]`` — the recorded runs.

RUN is a run id (or a unique prefix), the ``#`` of ``history list`` (``#3`` or ``3``) or ``last``.
Listings keep ids, dates and paths whole at any width and when piped; ``--json`` everywhere.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from opsbook.cli.change import rerun_engine
from opsbook.cli.options import ForceOpt, ProgressOpt, YesOpt
from opsbook.cli.runbook import TerminalUi, print_outcome
from opsbook.errors import OpsbookError
from opsbook.paths import project_paths
from opsbook.records.history import History, sha256_file
from opsbook.records.model import REPORT_MD, read_record
from opsbook.render.terminal import Col, print_listing, print_path, stdout_console
from opsbook.runbooks.engine import rerun_request
from opsbook.runbooks.exitcodes import ExitCode
from opsbook.runbooks.params import parse_assignments

app = typer.Typer(
    help="The history of runbook runs: records indexed in SQLite with a hash chain.", no_args_is_help=True
)


#: the listing's columns; key columns (number, id, dates) are never cut or wrapped
LIST_COLUMNS = (
    Col("#", key=True, justify="right"),
    Col("id", key=True),
    Col("runbook"),
    Col("ticket"),
    Col("operator"),
    Col("started", key=True),
    Col("mode"),
    Col("outcome"),
    Col("targets"),
)


@app.command("list")
def list_runs(
    runbook: Annotated[str | None, typer.Option("--runbook", "-r", help="Only runs of this runbook.")] = None,
    ticket: Annotated[str | None, typer.Option("--ticket", "-t", help="Only runs for this ticket.")] = None,
    last: Annotated[
        int, typer.Option("--last", "-n", help="How many of the newest runs to show (0: all).")
    ] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs as a JSON array.")] = False,
) -> None:
    """List recorded runs, newest last (``#`` is what `history show` takes)."""
    entries = History(project_paths().state).entries()
    if runbook:
        entries = [e for e in entries if e.runbook == runbook]
    if ticket:
        entries = [e for e in entries if e.ticket == ticket]
    if last > 0:
        entries = entries[-last:]
    if as_json:
        typer.echo(json.dumps([e.to_dict() for e in entries], indent=2, ensure_ascii=False))
        return
    rows: list[list[str | Text]] = [
        [
            f"#{e.seq}",
            e.id,
            e.runbook,
            e.ticket or "",
            e.operator,
            e.started,
            e.mode,
            Text(e.outcome, style="green" if e.exit_code == 0 else "red"),
            ", ".join(e.targets),
        ]
        for e in entries
    ]
    print_listing(stdout_console(), LIST_COLUMNS, rows)


@app.command("show")
def show(
    run_ref: Annotated[
        str,
        typer.Argument(
            metavar="RUN",
            help="A run id (or a unique prefix), its # in `history list` (#3 or 3), or `last`.",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print record.json as it is.")] = False,
) -> None:
    """Show a run: its service report as written (or the whole record with --json)."""
    history = History(project_paths().state)
    entry = history.get(run_ref)
    path = history.record_path(entry)
    record = read_record(path)  # a clear error when the record is missing or not a record
    if as_json:
        typer.echo(path.read_text(encoding="utf-8"), nl=False)
        return
    console = stdout_console()
    report = path.parent / REPORT_MD
    if report.is_file():
        # the Markdown as written: what the customer signs, every id, date and path whole
        console.print(Text(report.read_text(encoding="utf-8")), soft_wrap=True)
    else:
        console.print(Text(record.model_dump_json(indent=2)), soft_wrap=True)
    print_path(console, f"run #{entry.seq} — record:", path)


@app.command("verify")
def verify(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check the hash chain and every file of every run: exit 9 if anything was edited, removed,
    added or never indexed, or the history database is damaged."""
    history = History(project_paths().state)
    issues = history.verify()
    count = len(history.entries())
    if as_json:
        problems = [{"run": i.run_id, "problem": i.problem} for i in issues]
        typer.echo(json.dumps({"intact": not issues, "runs": count, "problems": problems}, indent=2))
    else:
        console = stdout_console()
        for issue in issues:
            console.print(Text.assemble(("✗ ", "red"), str(issue)), soft_wrap=True)
        if issues:
            console.print(f"[bold red]history NOT intact[/]: {len(issues)} problem(s) in {count} run(s)")
        else:
            console.print(f"[green]history intact[/]: {count} run(s), chain, records and run files verified")
    if issues:
        raise typer.Exit(int(ExitCode.HISTORY_BROKEN))


@app.command("rerun")
def rerun(
    run_id: Annotated[
        str, typer.Argument(metavar="RUN", help="Run id (or a unique prefix), #N of `history list`, or last.")
    ],
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
    yes: YesOpt = False,
    force: ForceOpt = None,
    progress: ProgressOpt = True,
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
    params = parse_assignments(param or [])
    request = rerun_request(record, failed_only=failed, params=params, yes=yes, force=force)
    console = Console()
    console.print(f"re-running {record.runbook['name']} from {record.id} on {request.limit}", highlight=False)
    outcome = rerun_engine(paths, TerminalUi(console, progress=progress), request.name).run(request)
    print_outcome(console, outcome)
    raise typer.Exit(int(outcome.exit_code))
