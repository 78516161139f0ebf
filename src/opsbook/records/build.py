"""One run's record, built from what happened: secrets purged first, then written once and indexed.

The job that ran (the runbook engine, the audit fix, a network push) hands in plain facts
(:class:`RunFacts`): what was asked, the runner's results, the consent and its verdict. This
module

1. masks every known secret value still on disk in the run's folders (and notes where one was),
2. builds the record and its service report from those facts, masked again in memory,
3. writes ``record.json``, ``service-report.md`` and ``service-report.html`` — each once —
4. and indexes the run in the history with the sha256 of every file in its folders,

all under the history's write lock, so that ``history verify`` never sees a half-written run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsbook.base.clock import now_iso
from opsbook.base.files import atomic_write
from opsbook.records import provenance
from opsbook.records.findings import HostFindings, collect_findings, host_changes, host_failures
from opsbook.records.history import History, HistoryDamaged
from opsbook.records.model import (
    RECORD_FILE,
    REPORT_HTML,
    REPORT_MD,
    ChangeControl,
    Consent,
    HostChecks,
    HostRecord,
    Mode,
    Outcome,
    Purpose,
    Record,
    RunRef,
    SecretScan,
    to_json,
)
from opsbook.records.render import render_html, render_markdown
from opsbook.records.report import ReportFacts, build_service_report, render_text
from opsbook.results import RunResult
from opsbook.runner.artifacts import redact_artifacts, scan_for_secrets
from opsbook.runner.redaction import redact, redact_text


@dataclass(frozen=True)
class RunbookFacts:
    """What the record needs to know about the procedure that ran (plain data, no job import)."""

    name: str
    #: name, title, category, risk, playbook (and knowledge_page): shown at the top of the report
    summary: Mapping[str, str]
    #: the procedure's playbook reports a post-check (``verified``) for the fault it fixes
    verifies: bool
    #: the procedure may change hosts (risk changing or destructive)
    changes_hosts: bool
    #: the runbook's report texts (sandboxed Jinja2: params, targets, ticket, runbook)
    problem: str
    follow_up: str = ""
    rollback: str = ""
    secret_params: Sequence[str] = ()


@dataclass(frozen=True)
class RunFacts:
    """Everything one run did, as the job saw it."""

    run_id: str
    run_dir: Path
    state_dir: Path
    project_root: Path
    started: str
    runbook: RunbookFacts
    mode: Mode
    consent: Consent
    #: every runner run in order (the plan, the real run) and the one whose results count
    runs: Sequence[tuple[Purpose, RunResult]]
    final: RunResult
    outcome: Outcome
    exit_code: int
    summary: str
    #: the exit code when a secret value is found in the run's files
    leak_exit_code: int
    #: targets in order, each with its register fields (asset_*)
    targets: Sequence[tuple[str, Mapping[str, Any]]]
    params: Mapping[str, Any] = field(default_factory=dict)
    inventory: Sequence[str] = ()
    ticket: str | None = None
    limit: str | None = None
    rerun_of: str | None = None
    secret_values: Sequence[str] = ()
    #: a changing run's admission and locks (opsbook.change; the record's ``change``)
    change: Mapping[str, Any] = field(default_factory=dict)
    #: the customer context's display name, for reports whose hosts name no customer
    customer: str = ""

    @property
    def plan(self) -> RunResult | None:
        return next((r for purpose, r in self.runs if purpose == "plan"), None)


@dataclass(frozen=True)
class Written:
    record: Record
    record_path: Path
    reports: tuple[Path, Path]


#: a run stopped before its end (runner status → the status of each host it had not finished)
STOPPED = {"timeout": "timeout", "canceled": "interrupted"}


def host_records(facts: RunFacts) -> dict[str, HostRecord]:
    """Per target: recap status and counters, register fields, planned and applied changes, checks."""
    final, plan = facts.final, facts.plan
    findings = collect_findings(final)
    if facts.mode == "check":
        planned, applied = host_changes(final), {}
    else:
        planned = host_changes(plan) if plan is not None else {}
        applied = host_changes(final) if final is not plan else {}
    failures = host_failures(final)
    hosts: dict[str, HostRecord] = {}
    for name, asset in facts.targets:
        found = findings.get(name, HostFindings())
        summary_row = final.hosts.get(name)
        stats = {
            k: v for k, v in (summary_row.to_dict() if summary_row else {}).items() if isinstance(v, int)
        }
        status = final.host_status(name).value if final.for_host(name) or summary_row else "not-run"
        stopped = final.status in STOPPED and status not in ("failed", "unreachable")
        hosts[name] = HostRecord(
            status=STOPPED[final.status] if stopped else status,
            interrupted_task=final.interrupted.get(name, ""),
            stats=stats,
            asset=dict(asset),
            planned=[c.to_dict() for c in planned.get(name, [])],
            changes=[c.to_dict() for c in applied.get(name, [])],
            failures=failures.get(name, []),
            checks=HostChecks(pre=found.pre, post=found.post, verified=found.verified),
            findings=found.to_dict(),
        )
    return hosts


def build_record(facts: RunFacts, *, ended: str, scan: SecretScan, exit_code: int) -> Record:
    """The record of the run, every secret value masked."""
    runbook = facts.runbook
    hosts = host_records(facts)
    context = {
        "params": dict(facts.params),
        "targets": [name for name, _ in facts.targets],
        "ticket": facts.ticket or "",
        "runbook": runbook.name,
    }
    operator = provenance.operator(facts.project_root)
    service = build_service_report(
        ReportFacts(
            problem=render_text(runbook.problem, context, runbook=runbook.name, field="problem"),
            follow_up=render_text(runbook.follow_up, context, runbook=runbook.name, field="follow_up"),
            hosts=hosts,
            mode=facts.mode,
            verifies=runbook.verifies,
            changes_hosts=runbook.changes_hosts,
            consent=facts.consent,
            run_id=facts.run_id,
            runbook=runbook.name,
            knowledge_page=runbook.summary.get("knowledge_page", f"runbooks/{runbook.name}.md"),
            outcome=facts.outcome,
            rollback=runbook.rollback,
            real_run=any(purpose == "apply" for purpose, _ in facts.runs),
            change=dict(facts.change) if facts.change else None,
            customer=facts.customer,
        )
    )
    record = Record(
        id=facts.run_id,
        runbook=dict(runbook.summary),
        ticket=facts.ticket,
        operator=operator.name,
        operator_source=operator.source,
        started=facts.started,
        ended=ended,
        mode=facts.mode,
        rerun_of=facts.rerun_of,
        params=dict(facts.params),
        secret_params=list(runbook.secret_params),
        inventory=list(facts.inventory),
        limit=facts.limit,
        targets=[name for name, _ in facts.targets],
        repository=provenance.repository(facts.project_root),
        versions=provenance.versions(),
        consent=facts.consent,
        runs=[
            RunRef(
                run_id=r.run_id,
                purpose=purpose,
                status=r.status,
                rc=r.rc,
                artifact_dir=str(r.artifact_dir),
                started=r.started,
                ended=r.ended,
            )
            for purpose, r in facts.runs
        ],
        hosts=hosts,
        outcome=facts.outcome,
        exit_code=exit_code,
        summary=facts.summary,
        secret_scan=scan,
        service_report=service,
        change=ChangeControl.model_validate(dict(facts.change)) if facts.change else None,
    )
    return Record.model_validate(redact(record.model_dump(mode="json"), facts.secret_values))


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def purge_run_folders(facts: RunFacts) -> SecretScan:
    """Mask known secret values in every file of the run's folders; say where one was found."""
    roots = run_folders(facts)
    found = [Path(r.artifact_dir) / leak for _, r in facts.runs for leak in r.secret_leaks]
    for root in roots:
        found.extend(root / relative for relative in scan_for_secrets(root, facts.secret_values))
        redact_artifacts(root, facts.secret_values)
    return SecretScan(
        scanned=[_relative(p, facts.state_dir) for p in roots],
        leaks=sorted({_relative(p, facts.state_dir) for p in found}),
        secrets_checked=len(facts.secret_values),
    )


def run_folders(facts: RunFacts) -> list[Path]:
    return sorted({facts.run_dir, *(Path(r.artifact_dir) for _, r in facts.runs)})


def write_run(facts: RunFacts, history: History) -> Written:
    """Purge, build, write once, index: the end of every recorded run."""
    with history.writing():
        scan = purge_run_folders(facts)
        code = facts.leak_exit_code if scan.leaks else facts.exit_code
        record = build_record(facts, ended=now_iso(), scan=scan, exit_code=code)
        texts = {
            RECORD_FILE: to_json(record),
            REPORT_MD: render_markdown(record),
            REPORT_HTML: render_html(record),
        }
        for name, text in texts.items():
            # the record is masked already; this catches a secret that a template put back together
            atomic_write(facts.run_dir / name, redact_text(text, facts.secret_values))
        record_path = facts.run_dir / RECORD_FILE
        try:
            history.append(record, record_path, folders=run_folders(facts))
        except HistoryDamaged as exc:
            raise HistoryDamaged(
                f"run {record.id}: {record_path} is written but not indexed — {exc.message}", hint=exc.hint
            ) from None
    return Written(record, record_path, (facts.run_dir / REPORT_MD, facts.run_dir / REPORT_HTML))
