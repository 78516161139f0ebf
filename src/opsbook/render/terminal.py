"""Terminal output people copy: identifiers, serials, dates and paths are never cut or wrapped.

Rich crops a ``no_wrap`` cell that does not fit and wraps everything at 80 columns when the
output is piped. Here:

- :func:`stdout_console` — a console for a job's output: the terminal's width on a terminal,
  and no width limit when piped (``COLUMNS`` is honoured in both cases);
- :func:`print_listing` — a table whose *key* columns (ids, names, serials, dates, paths) keep
  their full text; other columns fold first; when even that does not fit, every row is printed
  as ``column: value`` lines instead (the values still whole);
- :func:`print_path` — a label, then the path on a line of its own, never wrapped.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

#: The width of a piped console: wide enough that no line is ever wrapped.
PIPE_WIDTH = 4096
#: The narrowest a folding column may get before the listing switches to ``name: value`` lines.
MIN_FOLD_WIDTH = 8

Cell = str | Text


@dataclass(frozen=True)
class Col:
    """A column: ``key`` columns (identifiers, paths, dates) are never wrapped or cut."""

    name: str
    key: bool = False
    justify: Literal["left", "right", "center"] = "left"
    style: str = ""


def stdout_console(*, stderr: bool = False, highlight: bool = False) -> Console:
    """The console a job prints on: unlimited width when piped (unless ``COLUMNS`` is set)."""
    stream = sys.stderr if stderr else sys.stdout
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit():
        return Console(stderr=stderr, width=int(columns), highlight=highlight)
    if stream.isatty():
        return Console(stderr=stderr, highlight=highlight)
    return Console(stderr=stderr, width=PIPE_WIDTH, highlight=highlight)


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def _longest_line(cell: Cell) -> int:
    return max((len(line) for line in _plain(cell).splitlines() or [""]), default=0)


def needed_width(cols: Sequence[Col], rows: Sequence[Sequence[Cell]]) -> int:
    """The narrowest table that keeps every key column whole (rich's default box and padding)."""
    total = 1  # the left border
    for i, col in enumerate(cols):
        widest = max([len(col.name), *(_longest_line(r[i]) for r in rows)])
        total += (widest if col.key else min(widest, max(MIN_FOLD_WIDTH, len(col.name)))) + 3
    return total


def listing(
    cols: Sequence[Col], rows: Sequence[Sequence[Cell]], *, title: str = "", width: int
) -> RenderableType | None:
    """A table that fits ``width`` with every key column whole, or None when none does."""
    if needed_width(cols, rows) > width:
        return None
    table = Table(title=title or None, title_justify="left")
    for i, col in enumerate(cols):
        if col.key:
            widest = max([len(col.name), *(_longest_line(r[i]) for r in rows)])
            table.add_column(col.name, no_wrap=True, min_width=widest, justify=col.justify, style=col.style)
        else:
            table.add_column(col.name, overflow="fold", justify=col.justify, style=col.style)
    for row in rows:
        table.add_row(*row)
    return table


def print_listing(
    console: Console, cols: Sequence[Col], rows: Sequence[Sequence[Cell]], *, title: str = ""
) -> None:
    """Print rows as a table if the key columns fit whole, else as ``column: value`` lines."""
    table = listing(cols, rows, title=title, width=console.width)
    if table is not None:
        console.print(table)
        return
    if title:
        console.print(Text(title, style="italic"), soft_wrap=True)
    for n, row in enumerate(rows):
        if n:
            console.print("")
        for col, cell in zip(cols, row, strict=False):
            line = Text(f"{col.name}: ", style="bold")
            line.append_text(cell if isinstance(cell, Text) else Text(str(cell)))
            console.print(line, soft_wrap=True)


def print_path(console: Console, label: str, path: Path | str) -> None:
    """``label`` on one line, the path on the next, whole (never wrapped, never cut)."""
    console.print(Text(label), soft_wrap=True)
    console.print(Text(f"  {path}"), soft_wrap=True)
