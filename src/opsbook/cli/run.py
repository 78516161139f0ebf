"""`opsbook run PLAYBOOK` — any playbook through ansible-runner, live progress, a recap.

Exit codes: 0 every host fine; 2 hosts failed or were unreachable; 1 any other error (bad input,
ansible stopped before its recap, timeout, canceled). See docs/running.md.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from opsbook.cli.change import run_playbook_as_change
from opsbook.cli.options import (
    ForceOpt,
    ForksOpt,
    InventoryOpt,
    LimitOpt,
    TicketOpt,
    TimeoutOpt,
    YesOpt,
    json_flag,
)
from opsbook.cli.progress import make_progress
from opsbook.cli.recap import exit_code, print_recap
from opsbook.context import check_sources, require_targets
from opsbook.register import ensure_register_sound
from opsbook.render.terminal import stdout_console
from opsbook.runner import parse_extravars, run_playbook


def run(
    playbook: Annotated[
        str,
        typer.Argument(
            help="A playbook: its name under playbooks/ (health, emergency/disk-full) or a path to its file.",
            show_default=False,
            metavar="PLAYBOOK",
        ),
    ],
    *,
    inventory: InventoryOpt = None,
    limit: LimitOpt = None,
    check: Annotated[bool, typer.Option("--check", "-C", help="Dry run: report what would change.")] = False,
    diff: Annotated[
        bool, typer.Option("--diff", "-D", help="Report file and config changes as diffs, and print them.")
    ] = False,
    extra_vars: Annotated[
        list[str] | None,
        typer.Option(
            "--extra-vars",
            "-e",
            metavar="KEY=VALUE",
            help="An extra variable as key=value; repeat for several.",
        ),
    ] = None,
    tags: Annotated[
        str | None,
        typer.Option("--tags", "-t", metavar="TAGS", help="Only tasks with these tags (comma-separated)."),
    ] = None,
    forks: ForksOpt = None,
    timeout: TimeoutOpt = None,
    json_output: Annotated[
        bool, json_flag("Print the run's result as JSON on stdout (no live progress).")
    ] = False,
    ticket: TicketOpt = None,
    force: ForceOpt = None,
    yes: YesOpt = False,
) -> None:
    """Run any playbook with live progress; print the per-host recap, the run id and its artifacts.

    Every run keeps its artifacts and result.json under .opsbook/runs/RUN_ID/.
    Exit 0: all hosts fine · 2: hosts failed or unreachable · 1: any other error.

    Without --check, a playbook that may change hosts goes through the change flow
    (docs/changes.md): --ticket, the maintenance window (or --force REASON), a lock per host, a
    check-mode plan, your consent (or --yes), the run, and a history entry; exit codes as for
    runbooks. Read-only playbooks (health) run directly.
    """
    check_sources(inventory)  # another customer's register: its run would be this customer's
    if not check:
        code = run_playbook_as_change(
            playbook,
            inventory=inventory,
            limit=limit,
            extravars=parse_extravars(extra_vars or []),
            tags=tags,
            forks=forks,
            timeout=timeout,
            ticket=ticket,
            force=force,
            yes=yes,
            json_output=json_output,
        )
        if code is not None:
            raise typer.Exit(code)
    elif yes or force:
        raise typer.BadParameter("--yes and --force go with a change, not with --check")
    result = run_playbook(
        playbook,
        inventory=inventory or None,
        limit=limit,
        extravars=parse_extravars(extra_vars or []),
        check=check,
        diff=diff,
        tags=tags,
        forks=forks,
        timeout=timeout,
        **make_progress(not json_output).handlers(),
        inventory_check=ensure_register_sound,  # a broken register stops the run before any host
    )
    if json_output:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_recap(stdout_console(), result, show_diff=diff)
    if result.secret_leaks:
        Console(stderr=True).print(
            "[bold red]warning:[/] a known secret value reached the run's output and was masked in: "
            + ", ".join(result.secret_leaks),
            highlight=False,
        )
    if not result.hosts and result.status == "successful":  # "0 hosts, successful" is no success
        require_targets(0, "hosts", sources=inventory, limit=limit)
    raise typer.Exit(exit_code(result))
