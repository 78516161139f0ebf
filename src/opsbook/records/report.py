"""The service report's sentences, each derived from what happened on each host.

What a report may say depends on how far the run went: a check-mode plan, a plan the operator
declined or that failed before consent changed nothing, so it never says a fault "persists",
never lists a change as made and never pre-states a verified repair. A run that applied changes
lists them with the commands that made them; a procedure without a post-check says it has none
instead of "changes nothing". Pure: plain data in, a :class:`ServiceReport` out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from opsbook.errors import OpsbookError
from opsbook.records.model import CheckRow, Consent, HostRecord, ServiceReport

#: opsbook_net_push's status when it applied, failed the post-check and restored the backup
ROLLED_BACK = "rolled_back"


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


@dataclass(frozen=True)
class ReportFacts:
    problem: str
    follow_up: str
    hosts: Mapping[str, HostRecord]
    mode: str
    verifies: bool
    changes_hosts: bool
    consent: Consent
    run_id: str
    runbook: str
    knowledge_page: str
    outcome: str
    rollback: str = ""
    #: a real (non-check) run of the playbook happened; False when only a plan ran
    real_run: bool = True
    #: a changing run's admission (the record's ``change``): ticket, windows, --force, backups
    change: Mapping[str, Any] | None = None
    #: the customer context's display name (used when no host names its customer)
    customer: str = ""

    @property
    def applied(self) -> bool:
        """The real (non-check) run happened: hosts may have been changed."""
        return (
            self.mode == "apply"
            and self.real_run
            and self.consent.given != "declined"
            and self.outcome != "refused"
        )

    def not_applied_reason(self) -> str:
        if self.mode == "check":
            return "check mode"
        if self.consent.given == "declined":
            return "the operator declined after the plan"
        if self.outcome == "timeout":
            return "the check-mode plan reached the timeout before consent"
        if self.outcome == "interrupted":
            return "the check-mode plan was interrupted (SIGINT/SIGTERM) before consent"
        return "the check-mode plan failed before consent"


def _rolled_back(rec: HostRecord) -> bool:
    return str(rec.checks.post.get("status", "")) == ROLLED_BACK


def _applied_not_rolled_back(rec: HostRecord) -> bool:
    """A network push that sent its lines and then failed without a verified rollback (its steps)."""
    steps = [str(s) for s in rec.checks.post.get("steps", [])]
    return (
        str(rec.checks.post.get("status", "")) == "failed"
        and any(s.startswith("apply:") for s in steps)
        and not any(s.startswith("rollback verified") for s in steps)
    )


def mode_text(facts: ReportFacts, *, plan_only: bool) -> str:
    if facts.mode == "check":
        return "check mode: a plan only, nothing was changed"
    if plan_only:
        return f"plan only: {facts.not_applied_reason()}; nothing was changed"
    return "applied" if facts.changes_hosts else "run (read-only: this runbook changes nothing)"


def _actions(host: str, rec: HostRecord, facts: ReportFacts, plan_only: bool) -> list[str]:
    lines = _plan_actions(host, rec, facts) if plan_only else _applied_actions(host, rec, facts)
    if rec.status == "timeout":
        lines.append(
            f"{host}: stopped at the runbook's timeout while running '{rec.interrupted_task}'; "
            "that task may still be running on the host: check it before re-running"
            if rec.interrupted_task
            else f"{host}: stopped at the runbook's timeout"
        )
    if rec.status == "interrupted":
        lines.append(
            f"{host}: interrupted (SIGINT/SIGTERM) while running '{rec.interrupted_task}'; "
            "that task may still be running on the host: check it before re-running"
            if rec.interrupted_task
            else f"{host}: interrupted (SIGINT/SIGTERM)"
        )
    return lines


def _plan_actions(host: str, rec: HostRecord, facts: ReportFacts) -> list[str]:
    planned = [c["task"] for c in rec.planned]
    would = f"the plan would change: {', '.join(planned)}" if planned else "the plan found nothing to change"
    if facts.mode == "check":
        return [f"{host}: check mode only, nothing changed; {would}"]
    return [f"{host}: nothing was changed ({facts.not_applied_reason()}); {would}"]


def _applied_actions(host: str, rec: HostRecord, facts: ReportFacts) -> list[str]:
    lines = [f"{host}: {a}" for a in rec.findings.get("actions", [])]
    changed = [c["task"] for c in rec.changes]
    if changed and not lines:
        lines.append(f"{host}: changed: {', '.join(changed)}")
    if _rolled_back(rec):
        backup = rec.checks.pre.get("backup_commit") or "the pre-change backup"
        lines.append(f"{host}: the change was applied, failed its post-check and was rolled back to {backup}")
    elif _applied_not_rolled_back(rec):
        backup = rec.checks.pre.get("backup_commit") or "the pre-change backup"
        lines.append(
            f"{host}: the change was applied and opsbook could NOT roll it back (see the cause); "
            f"if the device is not on its backup {backup}: opsbook net restore {host} {backup}"
        )
    elif not changed and not lines:
        if rec.status in ("timeout", "interrupted"):
            lines.append(f"{host}: no change recorded before the run was stopped")
        elif rec.status in ("failed", "unreachable"):
            how = "failed" if rec.status == "failed" else "became unreachable"
            lines.append(f"{host}: no change was made before it {how}")
        elif facts.changes_hosts:
            lines.append(f"{host}: nothing needed changing; no change made")
        else:
            lines.append(f"{host}: no change made (read-only)")
    return lines


def _verified(host: str, rec: HostRecord, facts: ReportFacts, plan_only: bool) -> str:
    if rec.status == "timeout":
        return f"{host}: NOT verified — the run was stopped at the runbook's timeout"
    if rec.status == "interrupted":
        return f"{host}: NOT verified — the run was interrupted (SIGINT/SIGTERM)"
    if rec.status in ("failed", "unreachable"):
        reasons = "; ".join(f"{f['task']}: {f['msg']}" for f in rec.failures) or rec.status
        if plan_only:
            return f"{host}: NOT fixed — the plan {rec.status} here, nothing was changed: {reasons}"
        if _rolled_back(rec):
            return f"{host}: NOT fixed — rolled back, the device is as it was before: {reasons}"
        if not facts.changes_hosts:
            return f"{host}: FAILED — {rec.status}: {reasons}"
        return f"{host}: NOT fixed — {rec.status}: {reasons}"
    if plan_only:
        return f"{host}: not verified — nothing was changed ({facts.not_applied_reason()})"
    if rec.checks.verified is True:
        after = _short(rec.checks.post)
        return f"{host}: verified" + (f" — after: {after}" if after else "")
    if rec.checks.verified is False:
        found = f": {_short(rec.checks.post)}" if rec.checks.post else ""
        if not facts.changes_hosts:
            return f"{host}: NOT verified — the runbook's own check did not pass{found}"
        return f"{host}: NOT verified — the fault persists{found}"
    if not facts.changes_hosts:
        return f"{host}: evidence collected; this runbook changes nothing, so there is no fix to verify"
    if facts.verifies:
        return f"{host}: NOT verified — the playbook reported no post-check"
    if rec.changes:
        return (
            f"{host}: {len(rec.changes)} change(s) applied; not verified here — "
            "this procedure has no post-check of its own (see Follow-up)"
        )
    return f"{host}: nothing needed changing, so there is no fix to verify"


def _status(rec: HostRecord, plan_only: bool) -> str:
    """A plan's recap says "changed" for what it would change: the report says so."""
    if plan_only and rec.status == "changed":
        return "would change (plan only)"
    if plan_only and rec.status == "ok":
        return "ok (plan only)"
    return rec.status


def _commands(host: str, rec: HostRecord) -> list[str]:
    lines = []
    for change in rec.changes:
        commands = [c for c in change.get("commands", "").splitlines() if c.strip()]
        how = "; ".join(commands) if commands else f"module {change['action']}"
        lines.append(f"{host}: {change['task']} — {how}")
    return lines


def check_rows(host: str, rec: HostRecord, plan_only: bool) -> list[CheckRow]:
    """The host's measurements as rows; ``after`` stays empty when nothing was applied."""
    pre, post = rec.checks.pre, ({} if plan_only else rec.checks.post)
    names = [*pre, *(k for k in post if k not in pre)]
    return [
        CheckRow(
            host=host,
            name=str(name),
            before=_short(pre[name]) if name in pre else "",
            after=_short(post[name]) if name in post else "",
        )
        for name in names
    ]


def sign_off(facts: ReportFacts, plan_only: bool) -> str:
    hosts = list(facts.hosts.values())
    if facts.mode == "check":
        return "Plan only (check mode): nothing was changed and nothing was repaired."
    if plan_only:
        return f"Nothing was changed and nothing was repaired: {facts.not_applied_reason()}."
    if facts.outcome not in ("ok",):
        return (
            f"The work is NOT complete (outcome: {facts.outcome}): see Result verified and Follow-up. "
            "Signing acknowledges this report, not a repair."
        )
    if not facts.changes_hosts:
        return "Evidence collected; nothing was changed and nothing was repaired."
    if not any(h.changes for h in hosts):
        return "Nothing needed changing: nothing was repaired."
    if facts.verifies and all(h.checks.verified is True for h in hosts):
        return "Repair verified by the runbook's post-check; to be confirmed together with the customer."
    return (
        "Changes applied but not verified by a post-check: "
        "verify them together with the customer before signing."
    )


def change_control(facts: ReportFacts, plan_only: bool) -> list[str]:
    """The change's admission in sentences, each from the record: ticket, window or freeze per host,
    --force and its reason, and the backup copies the run made (only when it applied)."""
    change = facts.change or {}
    if not change:
        return []
    lines: list[str] = []
    ticket = change.get("ticket")
    lines.append(f"Ticket: {ticket}." if ticket else "No ticket was given (none is required for this run).")
    overridden: Mapping[str, str] = change.get("overridden") or {}
    for host, window in (change.get("windows") or {}).items():
        if host not in overridden:
            lines.append(f"{host}: {window}.")
    if change.get("forced"):
        hosts = ", ".join(f"{h} ({why})" for h, why in overridden.items()) or "no host"
        lines.append(f"Forced outside its window or freeze on {hosts}; the reason given: {change['forced']}.")
    elif overridden:
        lines.extend(f"{h}: {why} — not enforced for this host." for h, why in overridden.items())
    backups: Mapping[str, list[str]] = change.get("backups") or {}
    if not plan_only:
        if any(backups.values()):
            for host, copies in backups.items():
                lines.extend(f"{host}: backup copy made before the change — {copy}" for copy in copies)
        elif facts.changes_hosts:
            lines.append("No file backup copy was made by this run (see the runbook for its own backups).")
    return lines


def _customer(hosts: Mapping[str, HostRecord]) -> str:
    names: list[str] = []
    for rec in hosts.values():
        name = str(rec.asset.get("asset_customer_name") or rec.asset.get("asset_customer") or "")
        if name and name not in names:
            names.append(name)
    return ", ".join(names)


def build_service_report(facts: ReportFacts) -> ServiceReport:
    plan_only = not facts.applied
    cause: list[str] = []
    actions: list[str] = []
    parts: list[str] = []
    verified: list[str] = []
    commands: list[str] = []
    checks: list[CheckRow] = []
    follow: list[str] = []
    if plan_only and facts.changes_hosts:
        follow.append(
            f"Nothing was changed. To apply: opsbook runbook run {facts.runbook} (without --check)"
            if facts.mode == "check"
            else f"Nothing was changed ({facts.not_applied_reason()}); run the runbook again to apply it."
        )
    elif facts.follow_up:
        follow.append(facts.follow_up)
    for host, rec in facts.hosts.items():
        found = rec.findings
        if found.get("cause"):
            cause.append(f"{host}: {found['cause']}")
        cause.extend(f"{host}: {line}" for line in found.get("findings", []))
        actions.extend(_actions(host, rec, facts, plan_only))
        if not plan_only:
            commands.extend(_commands(host, rec))
            parts.extend(f"{host}: {_short(part)}" for part in found.get("parts", []))
            follow.extend(f"{host}: {line}" for line in found.get("follow_up", []))
            if found.get("escalate"):
                follow.append(f"{host}: ESCALATE — {found['escalate']}")
        verified.append(_verified(host, rec, facts, plan_only))
        checks.extend(check_rows(host, rec, plan_only))
    if facts.outcome in ("failed", "timeout", "interrupted") and not plan_only:
        follow.append(f"Re-run the failed hosts: opsbook history rerun {facts.run_id} --failed")
    if facts.outcome == "not-verified":
        follow.append(f"Escalate as described in {facts.knowledge_page} (Escalation).")
    if (
        facts.rollback
        and facts.outcome in ("failed", "not-verified", "timeout", "interrupted")
        and not plan_only
    ):
        follow.append(
            f"If the change must be undone: opsbook run {facts.rollback} --limit {','.join(facts.hosts)}"
        )
    return ServiceReport(
        problem=facts.problem,
        cause=cause or ["Not determined by the runbook; see the findings in record.json."],
        action_taken=actions or ["None."],
        parts_changed=parts or ["None replaced."],
        result_verified=verified or ["No host was reached."],
        follow_up=follow or ["None."],
        mode_text=mode_text(facts, plan_only=plan_only),
        customer=_customer(facts.hosts) or facts.customer,
        commands_applied=commands,
        checks=checks,
        sign_off=sign_off(facts, plan_only),
        host_status={host: _status(rec, plan_only) for host, rec in facts.hosts.items()},
        change_control=change_control(facts, plan_only),
    )
