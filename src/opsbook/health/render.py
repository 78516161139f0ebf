"""Show a HealthReport: rich tables for the terminal, JSON for files and tools."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from opsbook.health.model import CheckRow, HealthReport, HostHealth, Status

STYLES = {
    Status.OK: "green",
    Status.UNKNOWN: "magenta",
    Status.WARN: "yellow",
    Status.CRIT: "bold red",
}


def status_text(status: Status) -> Text:
    return Text(status.value, style=STYLES[status])


def format_value(row: CheckRow) -> str:
    value = row.value
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if row.unit == "%" and isinstance(value, int | float):
        return f"{value:g} %"
    if row.unit == "s" and isinstance(value, int):
        return format_duration(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def format_duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"


def host_table(host: HostHealth) -> Table:
    """One Linux host: check → status, value, message."""
    title = Text.assemble(host.name, "  ", status_text(host.status))
    table = Table(title=title, title_justify="left", expand=False, show_lines=False)
    table.add_column("Check", no_wrap=True)
    table.add_column("Item", overflow="fold", max_width=28)
    table.add_column("Status", no_wrap=True)
    table.add_column("Value", justify="right", no_wrap=True)
    table.add_column("Message", overflow="fold")
    for row in host.checks:
        table.add_row(row.check, row.item, status_text(row.status), format_value(row), row.message)
    return table


def device_table(devices: list[HostHealth]) -> Table:
    """Network devices: reachable, version, uptime (unreachable = CRIT)."""
    table = Table(title="Network devices", title_justify="left")
    table.add_column("Device", no_wrap=True)
    table.add_column("Platform", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Reachable", no_wrap=True)
    table.add_column("Version", overflow="fold")
    table.add_column("Uptime", overflow="fold")
    table.add_column("Via", no_wrap=True)
    for device in devices:
        info = device.device
        table.add_row(
            device.name,
            info.platform if info else "",
            status_text(device.status),
            "yes" if device.reachable else Text("no", style="bold red"),
            (info.version if info and info.version else "—") if device.reachable else device.error,
            info.uptime if info and info.uptime else "—",
            info.via if info else "",
        )
    return table


def summary_line(report: HealthReport) -> Text:
    counts = report.counts()
    parts: list[str | tuple[str, str]] = [
        f"{len(report.linux)} host{'s' if len(report.linux) != 1 else ''}, "
        f"{len(report.devices)} device{'s' if len(report.devices) != 1 else ''}: "
    ]
    shown = [s for s in Status if counts[s.value]]
    for i, status in enumerate(shown):
        parts.append((f"{counts[status.value]} {status.value}", STYLES[status]))
        if i < len(shown) - 1:
            parts.append(", ")
    parts += ["  overall ", (report.status.value, STYLES[report.status])]
    return Text.assemble(*parts)


def render_report(report: HealthReport) -> RenderableType:
    parts: list[RenderableType] = [host_table(h) for h in report.linux]
    if report.devices:
        parts.append(device_table(report.devices))
    parts.append(summary_line(report))
    return Group(*parts)


#: width for logs, pipes and CI (rich falls back to 80 columns, too narrow for the messages)
PIPE_WIDTH = 140


def print_report(report: HealthReport, console: Console | None = None) -> None:
    if console is None:
        console = Console()
        if not console.is_terminal:
            console = Console(width=PIPE_WIDTH)
    console.print(render_report(report))


def report_json(report: HealthReport) -> str:
    data: dict[str, Any] = report.to_dict()
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
