"""Write a :class:`~opsbook.register.report.RegisterReport` as tables, CSV, XLSX, JSON or HTML.

The HTML page is self-contained: inline CSS and inline SVG bar charts rendered by Jinja2, no
script and nothing fetched from anywhere.
"""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font
from rich.console import Console
from rich.table import Table

from opsbook.base.gc import gc_paused
from opsbook.register.report import (
    DIMENSIONS,
    AssetRow,
    EolRow,
    ExpiryRow,
    MissingRow,
    RegisterReport,
    column_names,
    row_dict,
)
from opsbook.render import formats

FORMATS = ("table", "csv", "xlsx", "json", "html")
FILE_FORMATS = ("csv", "xlsx", "json", "html")
#: Charts on the HTML page: dimensions and how many bars each shows at most.
CHARTS: tuple[tuple[str, int], ...] = (
    ("kind", 12),
    ("customer", 12),
    ("site", 12),
    ("vendor", 12),
    ("os_version", 15),
    ("service_tier", 4),
)
_TITLES = dict(DIMENSIONS)


def parse_formats(values: Sequence[str]) -> list[str]:
    """``["table,json", "html"]`` → ``["table", "json", "html"]``; an unknown name is a usage error."""
    return formats.parse_formats(values, FORMATS, default="table")


def write_report(report: RegisterReport, formats: Sequence[str], out_dir: Path) -> list[Path]:
    """Write the file formats among ``formats`` into ``out_dir``; returns the files written."""
    writers = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json, "html": write_html}
    written: list[Path] = []
    wanted = [f for f in formats if f in writers]
    if wanted:
        out_dir.mkdir(parents=True, exist_ok=True)
    with gc_paused():
        for name in wanted:
            written.extend(writers[name](report, out_dir))
    return written


# --- JSON -------------------------------------------------------------------------------------
def write_json(report: RegisterReport, out_dir: Path) -> list[Path]:
    path = out_dir / "register-report.json"
    # no indent: json's C encoder only runs without it (10x faster on large registers)
    path.write_text(json.dumps(report.to_dict(), ensure_ascii=False) + "\n", encoding="utf-8")
    return [path]


# --- CSV --------------------------------------------------------------------------------------
def _rows(items: Sequence[Any], kind: type) -> tuple[list[str], list[list[Any]]]:
    header = list(column_names(kind))
    rows = []
    for item in items:
        values = [getattr(item, h) for h in header]
        rows.append([";".join(v) if isinstance(v, list) else v for v in values])
    return header, rows


def _tables(report: RegisterReport) -> dict[str, tuple[list[str], list[list[Any]]]]:
    counts = [[key, value, count] for key, rows in report.counts.items() for value, count in rows]
    return {
        "counts": (["dimension", "value", "count"], counts),
        "expiring": _rows(report.expiring, ExpiryRow),
        "eol": _rows(report.eol, EolRow),
        "missing": _rows(report.missing, MissingRow),
        "assets": _rows(report.assets, AssetRow),
    }


def write_csv(report: RegisterReport, out_dir: Path) -> list[Path]:
    written = []
    for name, (header, rows) in _tables(report).items():
        path = out_dir / f"register-{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)
    return written


# --- XLSX -------------------------------------------------------------------------------------
def write_xlsx(report: RegisterReport, out_dir: Path) -> list[Path]:
    workbook = Workbook(write_only=False)
    summary = workbook.active
    summary.title = "Summary"
    summary.append(["Asset register report"])
    summary["A1"].font = Font(bold=True, size=14)
    for label, value in (
        ("Date", report.today),
        ("Horizon (days)", report.days),
        ("Assets", report.total),
        ("Register problems", report.problems),
        ("Warranty/support ended or ending", len(report.expiring)),
        ("End-of-life OS/firmware", len(report.eol)),
        ("Assets with missing data", len(report.missing)),
        ("Sources", ", ".join(report.sources)),
    ):
        summary.append([label, value])
    for name, (header, rows) in _tables(report).items():
        sheet = workbook.create_sheet(name.capitalize())
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    path = out_dir / "register-report.xlsx"
    workbook.save(path)
    return [path]


# --- HTML -------------------------------------------------------------------------------------
def chart(key: str, rows: Sequence[tuple[str, int]], limit: int) -> dict[str, Any]:
    """Geometry of one horizontal SVG bar chart (the template only draws it)."""
    shown = list(rows[:limit])
    rest = sum(count for _, count in rows[limit:])
    if rest:
        shown.append(("(others)", rest))
    peak = max((count for _, count in shown), default=1)
    bar_h, gap, label_w, bar_w = 18, 6, 200, 360
    bars = []
    for i, (label, count) in enumerate(shown):
        y = i * (bar_h + gap)
        bars.append(
            {
                "label": label,
                "count": count,
                "y": y,
                "text_y": y + bar_h - 5,
                "width": max(1, round(bar_w * count / peak)),
            }
        )
    return {
        "key": key,
        "title": _TITLES.get(key, key),
        "bars": bars,
        "bar_h": bar_h,
        "label_w": label_w,
        "width": label_w + bar_w + 60,
        "height": max(1, len(bars) * (bar_h + gap)),
    }


def render_html(report: RegisterReport) -> str:
    env = Environment(
        loader=PackageLoader("opsbook.register", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    charts = [chart(key, report.counts.get(key, []), limit) for key, limit in CHARTS]
    return template.render(report=report, charts=charts, titles=_TITLES)


def write_html(report: RegisterReport, out_dir: Path) -> list[Path]:
    path = out_dir / "register-report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return [path]


# --- terminal ---------------------------------------------------------------------------------
def print_tables(report: RegisterReport, console: Console, *, limit: int = 25) -> None:
    """The report as rich tables (long lists cut at ``limit`` rows, with the count shown)."""
    console.print(
        f"[bold]Asset register[/] — {report.total} assets, {report.today}, horizon {report.days} days"
        + (
            f", [red]{report.problems} register problems[/] (run: opsbook inventory check)"
            if report.problems
            else ""
        )
    )
    grid = Table.grid(padding=(0, 2))
    small = []
    for key, title in DIMENSIONS:
        table = Table(title=title, show_header=False, title_justify="left", box=None, min_width=30)
        table.add_column(title)
        table.add_column("n", justify="right")
        for value, count in report.counts.get(key, [])[:12]:
            table.add_row(html.unescape(value), str(count))
        small.append(table)
    for i in range(0, len(small), 3):
        grid.add_row(*small[i : i + 3])
    console.print(grid)
    _list_table(
        console,
        f"Warranty / support ended or ending within {report.days} days",
        report.expiring,
        ["host", "asset_id", "customer", "contract", "end", "days_left", "status"],
        limit,
    )
    _list_table(
        console,
        "End-of-life OS / firmware",
        report.eol,
        ["host", "customer", "os", "os_version", "eol", "days_left", "status", "estimate"],
        limit,
    )
    _list_table(console, "Assets with missing data", report.missing, ["host", "kind", "missing"], limit)


def _list_table(console: Console, title: str, rows: Sequence[Any], columns: list[str], limit: int) -> None:
    table = Table(title=f"{title} ({len(rows)})", title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows[:limit]:
        data = row_dict(row)
        table.add_row(*(", ".join(v) if isinstance(v, list) else str(v) for v in (data[c] for c in columns)))
    if len(rows) > limit:
        table.caption = f"… {len(rows) - limit} more: use --format csv/xlsx/json/html for the full list"
    console.print(table)
