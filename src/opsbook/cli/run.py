"""`opsbook run PLAYBOOK` — any playbook through ansible-runner, live progress, a recap.

Exit codes: 0 every host fine; 2 hosts failed or were unreachable; 1 any other error (bad input,
ansible stopped before its recap, timeout, canceled). See docs/running.md.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from opsbook.runner import parse_extravars, run_playbook
from opsbook.runner.recap import exit_code, render


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
    inventory: Annotated[
        list[str] | None,
        typer.Option(
            "--inventory",
            "-i",
            metavar="PATH",
            help="Inventory file or folder; repeat for several. Default: ansible.cfg's (inventory/lab).",
        ),
    ] = None,
    limit: Annotated[
        str | None,
        typer.Option(
            "--limit", "-l", metavar="PATTERN", help="Only these hosts or groups (ansible pattern)."
        ),
    ] = None,
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
    forks: Annotated[
        int | None,
        typer.Option("--forks", "-f", min=1, metavar="N", help="Hosts in parallel (default: ansible.cfg's)."),
    ] = None,
    timeout: Annotated[
        int | None,
        typer.Option(
            "--timeout",
            min=1,
            metavar="SECONDS",
            help="Stop the run after this many seconds (status: timeout).",
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the run's result as JSON on stdout (no live progress).")
    ] = False,
) -> None:
    """Run any playbook with live progress; print the per-host recap, the run id and its artifacts.

    Every run keeps its artifacts and result.json under .opsbook/runs/RUN_ID/.
    Exit 0: all hosts fine · 2: hosts failed or unreachable · 1: any other error.
    """
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
        progress=not json_output,
    )
    if json_output:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        Console().print(render(result, show_diff=diff))
    if result.secret_leaks:
        Console(stderr=True).print(
            "[bold red]warning:[/] a known secret value reached the run's output and was masked in: "
            + ", ".join(result.secret_leaks),
            highlight=False,
        )
    raise typer.Exit(exit_code(result))
