"""The self-contained HTML report: customer → host → findings with their diffs.

One file, inline CSS and a small inline script for filtering (status, customer, free text);
nothing is fetched from anywhere. Without JavaScript every host is shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from opsbook.audit.model import DISPLAY_ORDER, HOST_SEVERITY, Audit, FindingKind, HostAudit
from opsbook.render.diffs import diff_line_kind

_ORDER = {s: i for i, s in enumerate(HOST_SEVERITY)}


@dataclass(frozen=True)
class DiffLine:
    kind: str  # add, del, hunk, head, ctx
    text: str


def diff_lines(diff: str) -> list[DiffLine]:
    lines: list[DiffLine] = []
    for line in diff.splitlines():
        lines.append(DiffLine(diff_line_kind(line), line))
    return lines


def _host_view(host: HostAudit) -> dict[str, Any]:
    counts = {k.value: len(host.of_kind(k)) for k in FindingKind}
    search = " ".join(
        [host.host, host.customer, host.status.value]
        + [f"{f.task} {f.resource} {f.item} {f.reason}" for f in host.findings]
    ).lower()
    oldest = min((f.since for f in host.drift if f.since), default="")
    return {
        "host": host,
        "counts": counts,
        "search": search,
        "oldest": oldest,
        "findings": [(f, diff_lines(f.diff)) for f in host.findings],
    }


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("opsbook.audit", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(audit: Audit) -> str:
    by_customer: dict[str, list[HostAudit]] = defaultdict(list)
    for host in audit.hosts:
        by_customer[host.customer or "(no customer)"].append(host)
    customers = []
    for name in sorted(by_customer):
        hosts = sorted(by_customer[name], key=lambda h: (_ORDER[h.status], h.host))
        statuses: dict[str, int] = defaultdict(int)
        for host in hosts:
            statuses[host.status.value] += 1
        customers.append({"name": name, "hosts": [_host_view(h) for h in hosts], "statuses": dict(statuses)})
    # host tiles count hosts by status; these count findings, and on how many hosts (a drifted host
    # with one unverifiable check is "drifted", and still has an unverifiable check to show)
    labels = {FindingKind.DRIFT: "drift findings", FindingKind.UNVERIFIABLE: "unverifiable checks"}
    findings = {
        kind.value: {
            "label": label,
            "count": sum(len(h.of_kind(kind)) for h in audit.hosts),
            "hosts": sum(1 for h in audit.hosts if h.of_kind(kind)),
        }
        for kind, label in labels.items()
    }
    template = _environment().get_template("audit.html.j2")
    return template.render(
        audit=audit,
        counts=audit.counts(),
        findings=findings,
        customers=customers,
        statuses=[s.value for s in DISPLAY_ORDER],
        total=len(audit.hosts),
    )
