"""The terminal summary: one line per host, then the drift (with diffs), what could not be
checked, and what failed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from opsbook.audit.history import AuditDiff
from opsbook.audit.model import HOST_SEVERITY, Audit, Finding, FindingKind, HostAudit, HostStatus
from opsbook.render.diffs import DiffKind, diff_line_kind
from opsbook.render.terminal import Col, listing, print_listing, print_path

STYLES = {
    HostStatus.COMPLIANT.value: "green",
    HostStatus.DRIFTED.value: "yellow",
    HostStatus.UNVERIFIABLE.value: "magenta",
    HostStatus.FAILED.value: "red",
    HostStatus.UNREACHABLE.value: "red",
    FindingKind.DRIFT.value: "yellow",
}
_ORDER = {s: i for i, s in enumerate(HOST_SEVERITY)}
_DIFF_STYLES: dict[DiffKind, str] = {"head": "dim", "hunk": "cyan", "add": "green", "del": "red", "ctx": ""}


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
        out.append("      " + line + "\n", style=_DIFF_STYLES[diff_line_kind(line)])
    if len(lines) > max_lines:
        out.append(f"      … {len(lines) - max_lines} more line(s) in the HTML/JSON report\n", style="dim")
    return out


def _what(finding: Finding) -> str:
    what = finding.resource or finding.item
    return f"{finding.task} — {what}" if what else finding.task


@dataclass
class _Group:
    """One finding as it stands on several hosts (same task, resource, diff and reason)."""

    first: Finding
    hosts: list[str] = field(default_factory=list)
    since: str = ""


def group_findings(hosts: Sequence[HostAudit], kinds: set[FindingKind]) -> list[_Group]:
    """Identical findings across hosts, once each with the list of hosts (first-seen order)."""
    groups: dict[tuple[str, ...], _Group] = {}
    for h in hosts:
        for f in h.findings:
            if f.kind not in kinds:
                continue
            key = (f.kind.value, f.task, f.resource, f.item, f.diff, f.reason)
            group = groups.setdefault(key, _Group(f))
            if h.host not in group.hosts:
                group.hosts.append(h.host)
            if f.since and (not group.since or f.since < group.since):
                group.since = f.since
    return list(groups.values())


def _host_list(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{len(names)} hosts: {', '.join(names)}"


def _sorted_hosts(audit: Audit) -> list[HostAudit]:
    return sorted(audit.hosts, key=lambda h: (h.customer, _ORDER[h.status], h.host))


def _host_rows(hosts: Sequence[HostAudit]) -> list[list[str | Text]]:
    rows: list[list[str | Text]] = []
    for h in hosts:
        since = min((f.since for f in h.drift if f.since), default="")
        rows.append(
            [
                h.customer or "-",
                h.host,
                h.scope,
                _status(h.status.value),
                str(len(h.drift)) if h.drift else "",
                str(len(h.unverifiable)) if h.unverifiable else "",
                short_time(since),
            ]
        )
    return rows


HOST_COLUMNS = [
    Col("customer", key=True),
    Col("host", key=True),
    Col("scope"),
    Col("status", key=True),
    Col("drift", justify="right"),
    Col("unverifiable", justify="right"),
    Col("drift since", key=True),
]


def render_details(
    audit: Audit, *, reports: Mapping[str, Path] | None = None, max_diff_lines: int = 20
) -> RenderableType:
    """Everything below the host table: drift (each distinct finding once, with its hosts), what
    could not be checked, audit errors, the summary line and where the reports are."""
    hosts = _sorted_hosts(audit)
    parts: list[RenderableType] = []
    drift = Text()
    for g in group_findings(hosts, {FindingKind.DRIFT}):
        drift.append(f"  {_host_list(g.hosts)}: ", style="bold")
        drift.append(_what(g.first))
        if g.since:
            drift.append(f"  (since {short_time(g.since)})", style="dim")
        drift.append("\n")
        if g.first.diff:
            drift.append_text(diff_text(g.first.diff, max_diff_lines))
        elif g.first.reason:
            drift.append(f"      {g.first.reason}\n", style="dim")
    if drift:
        parts += [Text("Drift (what would change):", style="bold yellow"), drift]
    other = Text()
    kinds: set[FindingKind] = {k for k in FindingKind if k is not FindingKind.DRIFT}
    for g in group_findings(hosts, kinds):
        other.append(f"  {_host_list(g.hosts)}: ", style="bold")
        other.append(f"[{g.first.kind.value}] ", style=STYLES.get(g.first.kind.value, "magenta"))
        other.append(f"{_what(g.first)}: {g.first.reason}\n")
    if other:
        parts += [Text("Not checked (never counted as compliant):", style="bold magenta"), other]
    if audit.errors:
        parts.append(Text("Audit errors:\n" + "\n".join(f"  {e}" for e in audit.errors), style="red"))
    counts = audit.counts()
    summary = Text(", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no host audited")
    summary.append(f" — exit code {audit.exit_code}", style="dim")
    parts.append(summary)
    return Group(*parts)


def render(
    audit: Audit, *, reports: Mapping[str, Path] | None = None, max_diff_lines: int = 20
) -> RenderableType:
    """The whole summary as one renderable (for a wide console; :func:`print_audit` prints it
    so that host names and dates are never cut at any width)."""
    table = listing(HOST_COLUMNS, _host_rows(_sorted_hosts(audit)), title=f"audit {audit.id}", width=10_000)
    parts: list[RenderableType] = [table or Text(f"audit {audit.id}")]
    parts.append(render_details(audit, max_diff_lines=max_diff_lines))
    for fmt, path in (reports or {}).items():
        parts.append(Text(f"{fmt} report: {path}"))
    return Group(*parts)


def print_audit(audit: Audit, console: Console, *, reports: Mapping[str, Path] | None = None) -> None:
    print_listing(console, HOST_COLUMNS, _host_rows(_sorted_hosts(audit)), title=f"audit {audit.id}")
    console.print(render_details(audit))
    for fmt, path in (reports or {}).items():
        print_path(console, f"{fmt} report:", path)


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
