"""The terminal summary: one line per host, then the drift (with diffs), what could not be
checked, and what failed."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from opsbook.audit.history import AuditDiff
from opsbook.audit.model import HOST_SEVERITY, Audit, Finding, FindingKind, HostStatus

STYLES = {
    HostStatus.COMPLIANT.value: "green",
    HostStatus.DRIFTED.value: "yellow",
    HostStatus.UNVERIFIABLE.value: "magenta",
    HostStatus.FAILED.value: "red",
    HostStatus.UNREACHABLE.value: "red",
    FindingKind.DRIFT.value: "yellow",
}
_ORDER = {s: i for i, s in enumerate(HOST_SEVERITY)}


def short_time(iso: str) -> str:
    """``2026-11-20T02:00:00+00:00`` → ``2026-11-20 02:00 UTC`` (other offsets are kept)."""
    if len(iso) >= 16 and iso[10] == "T":
        zone = iso[19:]
        suffix = " UTC" if zone in ("+00:00", "Z", "") else f" {zone}"
        return f"{iso[:10]} {iso[11:16]}{suffix}"
    return iso


def _status(value: str) -> Text:
    return Text(value, style=STYLES.get(value, ""))


def diff_text(diff: str, max_lines: int) -> Text:
    out = Text()
    lines = diff.splitlines()
    for line in lines[:max_lines]:
        style = ""
        if line.startswith(("+++", "---")):
            style = "dim"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        out.append("      " + line + "\n", style=style)
    if len(lines) > max_lines:
        out.append(f"      … {len(lines) - max_lines} more line(s) in the HTML/JSON report\n", style="dim")
    return out


def _what(finding: Finding) -> str:
    what = finding.resource or finding.item
    return f"{finding.task} — {what}" if what else finding.task


def render(
    audit: Audit, *, reports: Mapping[str, Path] | None = None, max_diff_lines: int = 20
) -> RenderableType:
    table = Table(title=f"audit {audit.id}", title_justify="left")
    for col in ("customer", "host", "scope", "status", "drift", "unverifiable", "drift since"):
        table.add_column(col, justify="right" if col in ("drift", "unverifiable") else "left")
    hosts = sorted(audit.hosts, key=lambda h: (h.customer, _ORDER[h.status], h.host))
    for h in hosts:
        since = min((f.since for f in h.drift if f.since), default="")
        table.add_row(
            h.customer or "-",
            h.host,
            h.scope,
            _status(h.status.value),
            str(len(h.drift)) if h.drift else "",
            str(len(h.unverifiable)) if h.unverifiable else "",
            short_time(since),
        )
    parts: list[RenderableType] = [table]
    drift = Text()
    for h in hosts:
        for f in h.drift:
            drift.append(f"  {h.host}: ", style="bold")
            drift.append(_what(f))
            if f.since:
                drift.append(f"  (since {short_time(f.since)})", style="dim")
            drift.append("\n")
            if f.diff:
                drift.append_text(diff_text(f.diff, max_diff_lines))
            elif f.reason:
                drift.append(f"      {f.reason}\n", style="dim")
    if drift:
        parts += [Text("Drift (what would change):", style="bold yellow"), drift]
    other = Text()
    for h in hosts:
        for f in h.findings:
            if f.kind is FindingKind.DRIFT:
                continue
            other.append(f"  {h.host}: ", style="bold")
            other.append(f"[{f.kind.value}] ", style=STYLES.get(f.kind.value, "magenta"))
            other.append(f"{_what(f)}: {f.reason}\n")
    if other:
        parts += [Text("Not checked (never counted as compliant):", style="bold magenta"), other]
    if audit.errors:
        parts.append(Text("Audit errors:\n" + "\n".join(f"  {e}" for e in audit.errors), style="red"))
    counts = audit.counts()
    summary = Text(", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no host audited")
    summary.append(f" — exit code {audit.exit_code}", style="dim")
    parts.append(summary)
    for fmt, path in (reports or {}).items():
        parts.append(Text(f"{fmt} report: {path}"))
    return Group(*parts)


def print_audit(audit: Audit, console: Console, *, reports: Mapping[str, Path] | None = None) -> None:
    console.print(render(audit, reports=reports))


def render_diff(diff: AuditDiff) -> RenderableType:
    parts: list[RenderableType] = [
        Text(
            f"audit {diff.older} → {diff.newer}: {diff.count('new')} new, {diff.count('resolved')} resolved, "
            f"{diff.count('persisting')} persisting",
            style="bold",
        )
    ]
    table = Table()
    for col in ("host", "status", "change", "kind", "finding", "since"):
        table.add_column(col)
    for h in diff.hosts:
        status = h.after if h.before == h.after else f"{h.before} → {h.after}"
        rows = [("new", f) for f in h.new] + [("resolved", f) for f in h.resolved]
        rows += [("persisting", f) for f in h.persisting]
        if not rows:
            table.add_row(h.host, status, "", "", "", "")
        for change, f in rows:
            style = {"new": "yellow", "resolved": "green", "persisting": "dim"}[change]
            table.add_row(
                h.host, status, Text(change, style=style), f.kind.value, _what(f), short_time(f.since)
            )
    parts.append(table)
    if diff.only_older:
        parts.append(Text("only in the older audit: " + ", ".join(diff.only_older), style="dim"))
    if diff.only_newer:
        parts.append(Text("only in the newer audit: " + ", ".join(diff.only_newer), style="dim"))
    return Group(*parts)
