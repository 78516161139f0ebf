"""Show a HealthReport: rich tables for the terminal, JSON for files and tools."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from opsbook.health.model import CheckRow, HealthReport, HostHealth, Status
from opsbook.render.terminal import Col, listing, print_listing, stdout_console

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


CHECK_COLUMNS = [
    Col("Check", key=True),
    Col("Item", key=True),
    Col("Status", key=True),
    Col("Value", key=True, justify="right"),
    Col("Message"),
]
DEVICE_COLUMNS = [
    Col("Device", key=True),
    Col("Platform", key=True),
    Col("Status", key=True),
    Col("Reachable"),
    Col("Version"),
    Col("Uptime"),
    Col("Via", key=True),
]


def host_rows(host: HostHealth, *, problems_only: bool = False) -> list[list[str | Text]]:
    """One Linux host: check → status, value, message (only the non-OK rows with ``problems_only``)."""
    return [
        [row.check, row.item, status_text(row.status), format_value(row), row.message]
        for row in host.checks
        if not (problems_only and row.status is Status.OK)
    ]


def device_rows(devices: list[HostHealth]) -> list[list[str | Text]]:
    """Network devices: reachable, version, uptime (unreachable = CRIT)."""
    rows: list[list[str | Text]] = []
    for device in devices:
        info = device.device
        rows.append(
            [
                device.name,
                info.platform if info else "",
                status_text(device.status),
                "yes" if device.reachable else Text("no", style="bold red"),
                (info.version if info and info.version else "—") if device.reachable else device.error,
                info.uptime if info and info.uptime else "—",
                info.via if info else "",
            ]
        )
    return rows


def host_table(host: HostHealth) -> RenderableType:
    """One Linux host as a table (for a wide console; :func:`print_report` never cuts names)."""
    title = f"{host.name}  {host.status.value}"
    return listing(CHECK_COLUMNS, host_rows(host), title=title, width=10_000) or Text(title)


def device_table(devices: list[HostHealth]) -> RenderableType:
    return listing(DEVICE_COLUMNS, device_rows(devices), title="Network devices", width=10_000) or Text("")


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
    if report.skipped:
        parts.append((f"  ({len(report.skipped)} skipped: register problems, listed above)", "yellow"))
    return Text.assemble(*parts)


def render_report(report: HealthReport) -> RenderableType:
    parts: list[RenderableType] = [host_table(h) for h in report.linux]
    if report.devices:
        parts.append(device_table(report.devices))
    parts.append(summary_line(report))
    return Group(*parts)


def print_report(
    report: HealthReport, console: Console | None = None, *, problems_only: bool = False
) -> None:
    """Every host's checks (or, with ``problems_only``, only the hosts and rows that are not OK),
    the devices, and the summary line; names, items and values are never cut (rendering kit)."""
    out = console or stdout_console()
    for host in report.linux:
        if problems_only and host.status is Status.OK:
            continue
        title = Text.assemble(host.name, "  ", status_text(host.status))
        out.print(title, soft_wrap=True)
        print_listing(out, CHECK_COLUMNS, host_rows(host, problems_only=problems_only))
    devices = [d for d in report.devices if not (problems_only and d.status is Status.OK)]
    if devices:
        print_listing(out, DEVICE_COLUMNS, device_rows(devices), title="Network devices")
    if problems_only:
        hidden = sum(1 for h in [*report.linux, *report.devices] if h.status is Status.OK)
        if hidden:
            out.print(Text(f"{hidden} host(s)/device(s) all OK, not shown (--problems-only)", style="dim"))
    for line in report.skipped:
        out.print(Text(line, style="yellow"), soft_wrap=True)
    out.print(summary_line(report))


def report_json(report: HealthReport) -> str:
    data: dict[str, Any] = report.to_dict()
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
