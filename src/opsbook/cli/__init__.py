"""The ``opsbook`` command line: one entry point, one sub-application per job.

Each job lives in its own module under :mod:`opsbook.cli` and exposes ``app`` (a Typer
sub-application) or a command function; this module only wires them together and turns
:class:`~opsbook.errors.OpsbookError` into a clear message and exit code.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console

from opsbook import __version__
from opsbook import context as customer_context
from opsbook.cli import audit as audit_cli
from opsbook.cli import health, lab, run
from opsbook.cli import history as history_cli
from opsbook.cli import inventory as inventory_cli
from opsbook.cli import net as net_cli
from opsbook.cli import runbook as runbook_cli
from opsbook.cli import schedule as schedule_cli
from opsbook.cli.helptext import quiet_types
from opsbook.cli.use import use
from opsbook.errors import OpsbookError
from opsbook.paths import ProjectNotFoundError, find_project_root

quiet_types()  # help screens without <bool> / <list[Path]> (applies when help is drawn)

app = typer.Typer(
    name="opsbook",
    help=(
        "Configuration management and runbooks for managed-service operations teams: "
        "the lab, periodic inspection (health), and any playbook run through ansible-runner "
        "with live progress and a recorded result."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(lab.app, name="lab")
app.add_typer(inventory_cli.app, name="inventory")
app.add_typer(runbook_cli.app, name="runbook")
app.add_typer(history_cli.app, name="history")
app.add_typer(net_cli.app, name="net")
app.add_typer(audit_cli.app, name="audit")
app.add_typer(schedule_cli.app, name="schedule")
app.command("health")(health.health)
app.command("run")(run.run)
app.command("use")(use)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"opsbook {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    customer: Annotated[
        str | None,
        typer.Option(
            "--customer",
            "-C",
            metavar="NAME",
            help="Work on this customer (inventory/NAME/) or lab. Default: $OPSBOOK_CUSTOMER, $OPSBOOK_LAB, "
            "$ANSIBLE_INVENTORY, `opsbook use`, ansible.cfg (docs/context.md).",
        ),
    ] = None,
) -> None:
    """opsbook — see README.md and docs/ for each job."""
    if customer is None:
        return  # the context comes from the environment or `opsbook use`, resolved where it is used
    chosen = customer_context.resolve(find_project_root(), flag=customer)
    previous = os.environ.get("OPSBOOK_CUSTOMER")
    customer_context.activate(chosen)  # every project_paths() and every process started sees it
    ctx.obj = chosen
    ctx.call_on_close(lambda: customer_context.deactivate(previous))


def main() -> None:
    err = Console(stderr=True, soft_wrap=True)  # messages name paths: never wrapped inside one
    try:
        app()
    except (OpsbookError, ProjectNotFoundError) as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(getattr(exc, "exit_code", 1))
