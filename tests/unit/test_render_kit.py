"""The rendering kit: identifiers, dates and paths are never cut or wrapped, at 80 columns or piped."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from opsbook.errors import UsageError
from opsbook.render.formats import parse_formats
from opsbook.render.terminal import PIPE_WIDTH, Col, print_listing, print_path, stdout_console

RUN_ID = "20261203T091300Z-network-interface-down-1a2b3c"
PATH = f"/srv/opsbook/.opsbook/customers/acme-bank/runs/{RUN_ID}/record.json"
SERIAL = "FCW2233A0QZ-SPARE-0042"


def _console(width: int) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=width, force_terminal=False, color_system=None), buffer


COLS = [Col("#", justify="right"), Col("run id", key=True), Col("summary"), Col("serial", key=True)]
ROWS = [["1", RUN_ID, "the operator declined after the plan; nothing was changed", SERIAL]]


@pytest.mark.parametrize("width", [40, 80, 120, 200])
def test_key_columns_are_whole_at_any_width(width: int) -> None:
    console, out = _console(width)
    print_listing(console, COLS, ROWS, title="history")
    text = out.getvalue()
    assert RUN_ID in text
    assert SERIAL in text


def test_a_wide_console_gets_a_table_and_a_narrow_one_gets_lines() -> None:
    wide, out = _console(200)
    print_listing(wide, COLS, ROWS)
    assert "┃" in out.getvalue() or "│" in out.getvalue()
    narrow, out = _console(40)
    print_listing(narrow, COLS, ROWS)
    assert f"run id: {RUN_ID}" in out.getvalue()


def test_other_columns_fold_before_a_key_column_is_touched() -> None:
    console, out = _console(80)
    print_listing(console, [Col("run id", key=True), Col("summary")], [[RUN_ID, "word " * 30]])
    assert RUN_ID in out.getvalue()
    assert "│" in out.getvalue()  # still a table: only the summary folded


def test_paths_are_printed_whole_on_their_own_line() -> None:
    console, out = _console(40)
    print_path(console, "service report:", PATH)
    assert f"  {PATH}\n" in out.getvalue()


def test_a_piped_console_does_not_wrap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert stdout_console().width == PIPE_WIDTH
    monkeypatch.setenv("COLUMNS", "80")
    assert stdout_console().width == 80


def test_formats_are_parsed_once() -> None:
    assert parse_formats(["table,json", "html", "json"], ["table", "json", "html"], default="table") == [
        "table",
        "json",
        "html",
    ]
    assert parse_formats([], ["table"], default="table") == ["table"]
    with pytest.raises(UsageError, match="unknown format 'pdf'"):
        parse_formats(["pdf"], ["table", "json"], default="table")
