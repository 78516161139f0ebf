"""The command-line options every job shares, declared once.

Use the ready types (``inventory: InventoryOpt = None``); where a command needs its own help
text, the factory keeps the option's names, metavar and limits: ``Annotated[bool, json_flag(
"Print the comparison as JSON.")]``. A new shared option goes here, not into a second command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

INVENTORY_HELP = "Inventory file or folder; repeat for several. Default: the context's register."
LIMIT_HELP = "Only these hosts or groups (ansible pattern)."


def inventory_option(help: str = INVENTORY_HELP) -> Any:
    """``--inventory/-i PATH`` (repeatable)."""
    return typer.Option("--inventory", "-i", metavar="PATH", help=help)


def limit_option(help: str = LIMIT_HELP) -> Any:
    """``--limit/-l PATTERN``: an ansible pattern."""
    return typer.Option("--limit", "-l", metavar="PATTERN", help=help)


def json_flag(help: str = "Print JSON instead of a table.") -> Any:
    """``--json``."""
    return typer.Option("--json", help=help)


def timeout_option(help: str = "Stop the run after this many seconds (status: timeout).") -> Any:
    """``--timeout SECONDS`` (at least 1)."""
    return typer.Option("--timeout", min=1, metavar="SECONDS", help=help)


def formats_option(help: str) -> Any:
    """``--format FORMATS``: comma-separated or repeated (``opsbook.render.formats.parse_formats``)."""
    return typer.Option("--format", metavar="FORMATS", help=help)


def yes_flag(help: str = "Confirm in advance (automation); skips the prompts.") -> Any:
    """``--yes/-y``."""
    return typer.Option("--yes", "-y", help=help)


def ticket_option(*short: str) -> Any:
    """``--ticket ID``; ``runbook run`` also takes ``-t``."""
    return typer.Option(
        "--ticket",
        *short,
        metavar="ID",
        help="The ticket this change serves (CHG-1234, INC-1); required for changes, recorded.",
    )


#: ``-i PATH``, repeatable; ``None``: the customer context's register
InventoryOpt = Annotated[list[str] | None, inventory_option()]
#: the same, as paths (the register reads files)
InventoryPathsOpt = Annotated[list[Path] | None, inventory_option()]
LimitOpt = Annotated[str | None, limit_option()]
JsonOpt = Annotated[bool, json_flag()]
TimeoutOpt = Annotated[int | None, timeout_option()]
ForksOpt = Annotated[
    int | None,
    typer.Option("--forks", "-f", min=1, metavar="N", help="Hosts in parallel (default: ansible.cfg's)."),
]
ProgressOpt = Annotated[bool, typer.Option("--progress/--no-progress", help="Show live task progress.")]

# The change flow's options (docs/changes.md): every changing command takes the same three.
TicketOpt = Annotated[str | None, ticket_option()]
ForceOpt = Annotated[
    str | None,
    typer.Option(
        "--force",
        metavar="REASON",
        help="Change outside the maintenance window or during a freeze; the reason is recorded.",
    ),
]
YesOpt = Annotated[bool, yes_flag()]
