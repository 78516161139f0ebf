"""The change flow's command-line face: ``opsbook run`` as a change (options in cli/options.py).

Every changing command (``runbook run``, ``run``, ``audit --fix``, ``net push``, ``net restore``)
takes the same ``--ticket``, ``--force REASON`` and ``--yes`` (docs/changes.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from opsbook.paths import ProjectPaths
    from opsbook.runbooks.engine import Engine, RunOutcome, Ui


@dataclass(frozen=True)
class ChangeArgs:
    """What the operator said about a change on the command line."""

    yes: bool = False
    ticket: str | None = None
    force: str | None = None


def run_runbook_change(
    console: Console,
    name: str,
    *,
    limit: str,
    params: dict[str, str] | None = None,
    inventory: list[str] | None = None,
    check: bool = False,
    change: ChangeArgs | None = None,
    forks: int | None = None,
    fix: bool = False,
) -> RunOutcome:
    """Run runbook ``name`` (``fix``: the built-in ``audit-fix``) through the change flow and print
    its outcome: what ``net push``, ``net restore`` and ``audit --fix`` share with ``runbook run``."""
    from opsbook.audit.fix import FixEngine  # noqa: PLC0415 — imports ansible's inventory code
    from opsbook.cli.runbook import TerminalUi, print_outcome  # noqa: PLC0415
    from opsbook.paths import project_paths  # noqa: PLC0415
    from opsbook.runbooks.engine import Engine, RunRequest  # noqa: PLC0415

    change = change or ChangeArgs()
    options = {"forks": forks} if forks else {}
    engine_class = FixEngine if fix else Engine
    engine = engine_class(project_paths(), TerminalUi(console), runner_options=options)
    outcome = engine.run(
        RunRequest(
            name=name,
            params=params or {},
            limit=limit,
            check=check,
            yes=change.yes,
            ticket=change.ticket,
            force=change.force,
            inventory=[Path(p) for p in inventory] if inventory else None,
        )
    )
    print_outcome(console, outcome)
    return outcome


def rerun_engine(paths: ProjectPaths, ui: Ui, runbook: str) -> Engine:
    """The engine that can run a recorded run's runbook again (``history rerun``)."""
    from opsbook.audit.fix import FIX_NAME, FixEngine  # noqa: PLC0415 — imports ansible's inventory code
    from opsbook.errors import UsageError  # noqa: PLC0415
    from opsbook.runbooks.engine import Engine  # noqa: PLC0415
    from opsbook.runbooks.playbook import RUN_PREFIX  # noqa: PLC0415

    if runbook == FIX_NAME:
        return FixEngine(paths, ui)
    if runbook.startswith(RUN_PREFIX):
        raise UsageError(
            f"run of {runbook} was an `opsbook run` of a playbook, whose -e, --tags and --forks are not "
            "recorded; it cannot be re-run from the record",
            hint="run the same `opsbook run PLAYBOOK … --ticket ID` again",
        )
    return Engine(paths, ui)


def run_playbook_as_change(
    playbook: str,
    *,
    inventory: list[str] | None,
    limit: str | None,
    extravars: dict[str, Any],
    tags: str | None,
    forks: int | None,
    timeout: int | None,
    ticket: str | None,
    force: str | None,
    yes: bool,
    json_output: bool,
) -> int | None:
    """Run a playbook that may change hosts through the change flow and return its exit code;
    None when the playbook is read-only (the caller runs it directly, as before)."""
    # imported here: the change flow loads Ansible's inventory code, a read-only run does not need it
    from opsbook.cli.runbook import TerminalUi, print_outcome  # noqa: PLC0415
    from opsbook.paths import project_paths  # noqa: PLC0415
    from opsbook.runbooks.engine import RunRequest  # noqa: PLC0415
    from opsbook.runbooks.playbook import PlaybookEngine, is_read_only  # noqa: PLC0415
    from opsbook.runner import resolve_playbook  # noqa: PLC0415

    paths = project_paths()
    path = resolve_playbook(playbook, paths)
    if is_read_only(path, paths.runbooks, paths.playbooks):
        return None
    console = Console(stderr=json_output)
    engine = PlaybookEngine(
        paths,
        TerminalUi(console, progress=not json_output),
        playbook=path,
        extravars=extravars,
        tags=tags,
        forks=forks,
        timeout=timeout,
    )
    outcome = engine.run(
        RunRequest(
            name=path.stem,
            limit=limit,
            yes=yes,
            ticket=ticket,
            force=force,
            inventory=[Path(p) for p in inventory] if inventory else None,
        )
    )
    if json_output and outcome.record is not None:
        typer.echo(json.dumps(outcome.record.model_dump(mode="json"), indent=2, ensure_ascii=False))
    print_outcome(console, outcome)
    return int(outcome.exit_code)
