"""The service report: the catalogue's service form filled from a run record (Markdown and HTML)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from opsbook.errors import OpsbookError
from opsbook.runbooks.records import REPORT_HTML, REPORT_MD, HostRecord, Record, ServiceReport, atomic_write


def render_text(template: str, context: Mapping[str, Any], *, runbook: str, field: str) -> str:
    """A runbook's report text (Jinja2, sandboxed, undefined names are errors)."""
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
    try:
        return env.from_string(template).render(**context).strip()
    except jinja2.TemplateError as exc:
        raise OpsbookError(
            f"runbooks/{runbook}.yml report.{field}: {exc}",
            hint="report texts may use params.NAME, targets, ticket and runbook",
        ) from None


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_short(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_short(v) for v in value)
    return json.dumps(value) if not isinstance(value, str) else value


def build_service_report(
    *,
    problem: str,
    follow_up: str,
    hosts: Mapping[str, HostRecord],
    mode: str,
    verifies: bool,
    run_id: str,
    runbook: str,
    outcome: str,
    rollback: str = "",
) -> ServiceReport:
    cause: list[str] = []
    actions: list[str] = []
    parts: list[str] = []
    verified: list[str] = []
    follow: list[str] = [follow_up] if follow_up else []
    for host, rec in hosts.items():
        found = rec.findings
        if found.get("cause"):
            cause.append(f"{host}: {found['cause']}")
        for line in found.get("findings", []):
            cause.append(f"{host}: {line}")
        if mode == "check":
            planned = [c["task"] for c in rec.planned]
            actions.append(
                f"{host}: check mode only, nothing changed; would change: {', '.join(planned)}"
                if planned
                else f"{host}: check mode only, nothing changed; no change would be needed"
            )
        else:
            reported = found.get("actions", [])
            actions.extend(f"{host}: {a}" for a in reported)
            changed = [c["task"] for c in rec.changes]
            if changed and not reported:
                actions.append(f"{host}: changed: {', '.join(changed)}")
            if not changed and not reported:
                actions.append(
                    f"{host}: no change recorded before the run was stopped"
                    if rec.status == "timeout"
                    else f"{host}: no change made"
                )
        if rec.status == "timeout":
            actions.append(
                f"{host}: stopped at the runbook's timeout while running '{rec.interrupted_task}'; "
                "that task may still be running on the host: check it before re-running"
                if rec.interrupted_task
                else f"{host}: stopped at the runbook's timeout"
            )
        for part in found.get("parts", []):
            parts.append(f"{host}: {_short(part)}")
        if rec.status == "timeout":
            verified.append(f"{host}: NOT verified — the run was stopped at the runbook's timeout")
        elif rec.status in ("failed", "unreachable"):
            reasons = "; ".join(f"{f['task']}: {f['msg']}" for f in rec.failures) or rec.status
            verified.append(f"{host}: NOT fixed — {rec.status}: {reasons}")
        elif rec.checks.verified is True:
            after = _short(rec.checks.post)
            verified.append(f"{host}: verified" + (f" — after: {after}" if after else ""))
        elif rec.checks.verified is False:
            verified.append(
                f"{host}: NOT verified — the fault persists"
                + (f": {_short(rec.checks.post)}" if rec.checks.post else "")
            )
        elif mode == "check":
            verified.append(f"{host}: not verified (check mode)")
        elif not verifies:
            verified.append(
                f"{host}: evidence collected; this runbook changes nothing, so there is no fix to verify"
            )
        else:
            verified.append(f"{host}: NOT verified — the playbook reported no post-check")
        follow.extend(f"{host}: {line}" for line in found.get("follow_up", []))
        if found.get("escalate"):
            follow.append(f"{host}: ESCALATE — {found['escalate']}")
    if outcome in ("failed", "timeout"):
        follow.append(f"Re-run the failed hosts: opsbook history rerun {run_id} --failed")
    if outcome == "not-verified":
        follow.append(f"Escalate as described in runbooks/{runbook}.md (Escalation).")
    if rollback and outcome in ("failed", "not-verified", "timeout"):
        hosts_text = ",".join(hosts)
        follow.append(f"If the change must be undone: opsbook run {rollback} --limit {hosts_text}")
    if outcome in ("ok", "planned") and not follow:
        follow.append("None.")
    return ServiceReport(
        problem=problem,
        cause=cause or ["Not determined by the runbook; see the findings in record.json."],
        action_taken=actions or ["None."],
        parts_changed=parts or ["None replaced."],
        result_verified=verified or ["No host was reached."],
        follow_up=follow,
    )


def _environment(autoescape: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("opsbook.runbooks", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_reports(record: Record, run_dir: Path) -> tuple[Path, Path]:
    """Write service-report.md and service-report.html next to record.json."""
    context = {"r": record, "report": record.service_report}
    markdown = _environment(False).get_template("service_report.md.j2").render(**context)
    html = _environment(True).get_template("service_report.html.j2").render(**context)
    md_path, html_path = run_dir / REPORT_MD, run_dir / REPORT_HTML
    atomic_write(md_path, markdown)
    atomic_write(html_path, html)
    return md_path, html_path
