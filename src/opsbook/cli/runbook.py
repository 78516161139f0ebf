"""``opsbook runbook list | check | show NAME | run NAME`` — typed, safe, recorded procedures.

Exit codes of ``run`` are :class:`opsbook.runbooks.exitcodes.ExitCode` (docs/runbooks.md).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.syntax import Syntax
from rich.table import Table

from opsbook.cli.options import ForceOpt, InventoryPathsOpt, LimitOpt, ProgressOpt, YesOpt, ticket_option
from opsbook.cli.progress import make_progress
from opsbook.context import check_sources
from opsbook.paths import ProjectPaths, project_paths
from opsbook.runbooks.engine import Engine, HostPlan, RunOutcome, RunRequest
from opsbook.runbooks.exitcodes import ExitCode
from opsbook.runbooks.loader import check_runbook, find_runbook, runbook_files
from opsbook.runbooks.model import Parameter, Runbook
from opsbook.runbooks.params import parse_assignments
from opsbook.runner.callbacks import RunStatus

app = typer.Typer(
    help="Runbooks: documented, parameterised, safe procedures that leave a service record.",
    no_args_is_help=True,
)

#: Lines of one diff shown in the plan (the record keeps all of it).
PLAN_DIFF_LINES = 40


class TerminalUi:
    """The engine's terminal: rich output, y/N and typed confirmations on stdin."""

    def __init__(self, console: Console, *, progress: bool = True) -> None:
        self.console = console
        self.err = Console(stderr=True)
        self.progress = progress
        #: the live display of each run the engine starts (the runner's callbacks go here)
        self._display = make_progress(progress, console=self.err)

    def on_event(self, event: Mapping[str, Any]) -> None:
        self._display.event(event)

    def on_status(self, status: RunStatus) -> None:
        self._display.status(status)

    def info(self, text: str) -> None:
        self.console.print(text, highlight=False)

    def warn(self, text: str) -> None:
        self.err.print(f"[bold yellow]warning:[/] {text}", highlight=False)

    def interactive(self) -> bool:
        return sys.stdin.isatty()

    def confirm(self, question: str) -> bool:
        return typer.confirm(question, default=False)

    def ask(self, prompt: str) -> str:
        return str(typer.prompt(prompt, default="", show_default=False))

    def show_plan(self, plan: Sequence[HostPlan]) -> None:
        self.console.rule("[bold]Plan (check mode: nothing has changed yet)")
        for host in plan:
            if host.failures:
                self.console.print(f"[bold red]{host.host}[/]: the plan FAILED here")
                for failure in host.failures:
                    self.console.print(f"    {failure['task']}: {failure['msg']}", highlight=False)
                continue
            if not host.changes:
                self.console.print(f"[green]{host.host}[/]: nothing would change")
                continue
            self.console.print(f"[yellow]{host.host}[/]: {len(host.changes)} task(s) would change")
            for change in host.changes:
                self.console.print(f"  • {change.task}", highlight=False)
                if change.diff.strip():
                    lines = change.diff.splitlines()
                    shown = "\n".join(lines[:PLAN_DIFF_LINES])
                    self.console.print(Syntax(shown, "diff", theme="ansi_dark", word_wrap=True))
                    if len(lines) > PLAN_DIFF_LINES:
                        self.console.print(f"    … {len(lines) - PLAN_DIFF_LINES} more lines in the record")
        self.console.rule()


def _paths() -> ProjectPaths:
    return project_paths()


def print_outcome(console: Console, outcome: RunOutcome) -> None:
    record = outcome.record
    if record is None:
        return
    colour = "green" if outcome.exit_code is ExitCode.OK else "red"
    console.print(
        f"[bold {colour}]{record.outcome}[/] (exit {int(outcome.exit_code)}): {record.summary}",
        highlight=False,
    )
    for line in record.service_report.result_verified:
        console.print(f"  {line}", highlight=False)
    if record.outcome == "not-verified":
        for line in record.service_report.follow_up:
            console.print(f"  [bold]follow-up:[/] {line}", highlight=False)
    console.print(f"record:          {outcome.record_path}", highlight=False)
    if outcome.reports:
        md, html = outcome.reports
        console.print(f"service report:  {md}\n                 {html}", highlight=False)


@app.command("list")
def list_runbooks() -> None:
    """List the runbooks (the knowledge base in runbooks/); invalid ones are marked."""
    paths = _paths()
    console = Console()
    table = Table("name", "category", "risk", "title")
    broken = 0
    for path in runbook_files(paths.runbooks):
        runbook, problems = check_runbook(path, paths.playbooks)
        if runbook is None or problems:
            broken += 1
            table.add_row(path.stem, "", "[red]INVALID[/]", "run `opsbook runbook check` for the problems")
            continue
        table.add_row(runbook.name, runbook.category.value, runbook.risk.value, runbook.title)
    console.print(table)
    if broken:
        raise typer.Exit(int(ExitCode.USAGE))


@app.command("check")
def check() -> None:
    """Validate every runbook (schema, playbook, knowledge page); problems as file:line + fix."""
    paths = _paths()
    console = Console()
    problems = []
    files = runbook_files(paths.runbooks)
    for path in files:
        problems.extend(check_runbook(path, paths.playbooks)[1])
    for problem in problems:
        console.print(problem.describe(paths.root), highlight=False)
    if problems:
        console.print(f"[red]{len(problems)} problem(s)[/] in {len(files)} runbook(s)")
        raise typer.Exit(int(ExitCode.USAGE))
    console.print(f"[green]{len(files)} runbook(s) valid[/]")


def _describe(param: Parameter) -> str:
    parts = []
    if param.required:
        parts.append("required")
    elif param.default is not None:
        parts.append(f"default {param.default}")
    if param.choices:
        parts.append("one of " + ", ".join(param.choices))
    if param.regex:
        parts.append(f"matches {param.regex}")
    if param.min is not None:
        parts.append(f"min {param.min}")
    if param.max is not None:
        parts.append(f"max {param.max}")
    return "; ".join(parts)


def show_runbook(console: Console, runbook: Runbook, page: Path) -> None:
    console.print(f"[bold]{runbook.name}[/] — {runbook.title}", highlight=False)
    console.print(runbook.summary.strip(), highlight=False)
    facts = Table.grid(padding=(0, 2))
    facts.add_row("category", runbook.category.value)
    facts.add_row(
        "risk", runbook.risk.value + (f" (confirm: {runbook.confirmation})" if runbook.confirmation else "")
    )
    facts.add_row("playbook", f"playbooks/{runbook.playbook}")
    facts.add_row(
        "targets",
        f"{runbook.targets.pattern}, at most {runbook.targets.max_hosts}"
        + (", --limit required" if runbook.targets.require_limit else "")
        + (
            f", environments {', '.join(runbook.targets.environments)}"
            if runbook.targets.environments
            else ""
        ),
    )
    facts.add_row("timeout", runbook.timeout)
    if runbook.rollback:
        facts.add_row("rollback", f"playbooks/{runbook.rollback.playbook} {runbook.rollback.help}")
    console.print(facts)
    if runbook.parameters:
        table = Table("parameter", "type", "constraints", "help")
        for name, param in runbook.parameters.items():
            table.add_row(name, param.type.value, _describe(param), param.help)
        console.print(table)
    if page.is_file():
        console.print(Markdown(page.read_text(encoding="utf-8")))


@app.command("show")
def show(name: str = typer.Argument(..., help="Runbook name (a file runbooks/NAME.yml).")) -> None:
    """Show a runbook: parameters, safety, targets, and its knowledge page."""
    paths = _paths()
    runbook = find_runbook(name, paths.runbooks, paths.playbooks)
    show_runbook(Console(), runbook, paths.runbooks / f"{name}.md")


@app.command("run")
def run(
    name: Annotated[str, typer.Argument(help="Runbook name (see `opsbook runbook list`).")],
    *,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="A parameter: -p name=value (repeatable).")
    ] = None,
    limit: LimitOpt = None,
    check_only: Annotated[
        bool, typer.Option("--check", help="Only plan in check mode; change nothing.")
    ] = False,
    yes: YesOpt = False,
    ticket: Annotated[str | None, ticket_option("-t")] = None,
    force: ForceOpt = None,
    inventory: InventoryPathsOpt = None,
    progress: ProgressOpt = True,
) -> None:
    """Run a runbook: validate, plan, confirm, run, verify, and write the record + service report.

    A changing runbook needs --ticket (emergency runbooks may run before the ticket exists), the
    hosts' maintenance window (or --force REASON) and no other change running on them.
    """
    console = Console()
    check_sources(inventory)  # another customer's register: its record would be this customer's
    engine = Engine(_paths(), TerminalUi(console, progress=progress))
    request = RunRequest(
        name=name,
        params=parse_assignments(param or []),
        limit=limit,
        check=check_only,
        yes=yes,
        ticket=ticket,
        inventory=inventory or None,
        force=force,
    )
    outcome = engine.run(request)
    print_outcome(console, outcome)
    raise typer.Exit(int(outcome.exit_code))
