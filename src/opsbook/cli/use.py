"""`opsbook use` — choose, show, forget the customer context every command works on (docs/context.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from opsbook import context as ctx
from opsbook.paths import find_project_root


def _row(found: ctx.Context) -> dict[str, Any]:
    return {
        "name": found.name,
        "kind": found.kind,
        "display_name": found.display_name,
        "inventory": [str(p) for p in found.inventories],
        "state": str(found.state),
        "source": found.source,
    }


def _show(found: ctx.Context, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(_row(found), indent=1))
        return
    out = Console(highlight=False, soft_wrap=True)
    out.print(f"context: {found.describe()}")
    out.print("inventory:")
    for path in found.inventories:
        out.print(f"  {path}")
    out.print("state:")
    out.print(f"  {found.state}")


LEGACY = ("runs", "audits", "reports", "netbackup", "history.sqlite")


def _legacy_note(found: ctx.Context, err: Console) -> None:
    """State written before contexts (directly in .opsbook/) belongs to no context: say so."""
    left = [name for name in LEGACY if (found.paths.state_root / name).exists()]
    if left:
        err.print(
            f"[yellow]note:[/] {found.paths.state_root} still holds state from before customer contexts "
            f"({', '.join(left)}); no context reads it — docs/context.md says how to move it"
        )


def _list(as_json: bool) -> None:
    root = find_project_root()
    try:
        chosen: str | None = ctx.current(root).name
    except ctx.ContextError:
        chosen = None
    found = ctx.declared(root)
    if as_json:
        typer.echo(json.dumps([_row(c) | {"current": c.name == chosen} for c in found], indent=1))
        return
    table = Table("", "name", "kind", "display name", "inventory")
    for known in found:
        mark = "*" if known.name == chosen else ""
        table.add_row(
            mark, known.name, known.kind, known.display_name, "\n".join(map(str, known.inventories))
        )
    Console(highlight=False).print(table)


def use(
    name: Annotated[
        str | None,
        typer.Argument(metavar="[NAME]", help="Customer (a folder inventory/NAME/) or lab to work on."),
    ] = None,
    *,
    show: Annotated[bool, typer.Option("--show", help="Show the context in force and why.")] = False,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the remembered context.")] = False,
    list_all: Annotated[bool, typer.Option("--list", help="List every customer and lab.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text (--show, --list).")] = False,
) -> None:
    """Remember the customer every command works on, for this project (.opsbook/context.json).

    Precedence, first wins: --customer NAME, $OPSBOOK_CUSTOMER, $OPSBOOK_LAB, $ANSIBLE_INVENTORY,
    this remembered choice, ansible.cfg's inventory (the default lab). Without arguments: --show.
    """
    if sum((name is not None, show, clear, list_all)) > 1:
        raise ctx.ContextError("give one of NAME, --show, --clear, --list", hint="opsbook use --help")
    root = find_project_root()
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if list_all:
        _list(as_json)
        return
    if clear:
        forgot = ctx.forget(root)
        err.print("forgot the remembered context" if forgot else "no context was remembered")
    elif name is not None:
        found = ctx.remember(root, name)
        err.print(f"remembered: {found.describe()}")
    in_force = ctx.current(root)
    if name is not None and in_force.name != name:
        err.print(
            f"[yellow]note:[/] {in_force.source} chooses {in_force.name!r} and takes precedence here; "
            "unset it for the remembered context to apply"
        )
    _show(in_force, as_json)
    if not as_json:
        _legacy_note(in_force, err)
