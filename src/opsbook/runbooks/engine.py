"""Run a runbook: validate → resolve targets → plan → confirm → run → post-check → record.

Nothing touches a host before the parameters and targets pass. Changing and destructive
runbooks first run in check mode and show, per host, what would change; then they ask
(y/N, or a typed confirmation for destructive ones) unless ``--yes`` was given. Without a
terminal and without ``--yes`` they refuse before running anything. Every run that reached
the runner leaves a record, a service report and a history entry; the run's artifacts are
scanned for the secret parameter values afterwards.

The terminal (``Ui``) and the runner are passed in, so the flow is testable without a lab.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from opsbook.base.clock import now_iso as now
from opsbook.base.ids import new_run_id
from opsbook.errors import OpsbookError, UsageError
from opsbook.paths import ProjectPaths
from opsbook.results import RunResult, TaskStatus
from opsbook.runbooks import provenance
from opsbook.runbooks.exitcodes import ExitCode, RefusedError
from opsbook.runbooks.findings import Change, HostFindings, collect_findings, host_changes, host_failures
from opsbook.runbooks.history import History
from opsbook.runbooks.loader import find_runbook
from opsbook.runbooks.model import Risk, Runbook
from opsbook.runbooks.params import ResolvedParams, resolve_params
from opsbook.runbooks.records import (
    Consent,
    ConsentGiven,
    ConsentLevel,
    HostChecks,
    HostRecord,
    Mode,
    Outcome,
    Purpose,
    Record,
    RunRef,
    SecretScan,
    write_record,
)
from opsbook.runbooks.report import build_service_report, render_reports, render_text
from opsbook.runbooks.secrets import purge_secrets, redact
from opsbook.runbooks.targets import Target, check_constraints, default_inventory, resolve_targets

RunFn = Callable[..., RunResult]
Resolver = Callable[[Sequence[Path], str, str | None], list[Target]]


class Ui(Protocol):
    """What the engine needs from a terminal (the CLI's rich console, or a script in tests)."""

    progress: bool

    def info(self, text: str) -> None: ...

    def warn(self, text: str) -> None: ...

    def interactive(self) -> bool: ...

    def confirm(self, question: str) -> bool: ...

    def ask(self, prompt: str) -> str: ...

    def show_plan(self, plan: Sequence[HostPlan]) -> None: ...


@dataclass(frozen=True)
class HostPlan:
    host: str
    status: str
    changes: list[Change]
    failures: list[dict[str, str]]


@dataclass(frozen=True)
class RunRequest:
    name: str
    params: Mapping[str, str] = field(default_factory=dict)
    limit: str | None = None
    check: bool = False
    yes: bool = False
    ticket: str | None = None
    inventory: Sequence[Path] | None = None
    rerun_of: str | None = None


@dataclass(frozen=True)
class Prepared:
    runbook: Runbook
    params: ResolvedParams
    inventory: list[Path]
    targets: list[Target]


@dataclass
class _Session:
    """One run in progress: what was asked, what was prepared, what ran so far."""

    request: RunRequest
    prepared: Prepared
    run_id: str
    run_dir: Path
    started: str
    runs: list[tuple[Purpose, RunResult]] = field(default_factory=list)
    plan: RunResult | None = None

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.prepared.targets]

    @property
    def secret_values(self) -> list[str]:
        return self.prepared.params.secret_values()


@dataclass(frozen=True)
class RunOutcome:
    exit_code: ExitCode
    record: Record | None = None
    record_path: Path | None = None
    reports: tuple[Path, Path] | None = None


def consent_required(runbook: Runbook, check: bool) -> ConsentLevel:
    if check or runbook.risk is Risk.READ_ONLY:
        return "none"
    return "typed" if runbook.risk is Risk.DESTRUCTIVE else "yes-no"


def confirmation_token(runbook: Runbook, targets: Sequence[Target]) -> tuple[str, str]:
    """What a destructive run's operator must type, and the question that says so."""
    environments = {t.environment for t in targets}
    if runbook.confirmation == "environment" and len(environments) == 1 and "" not in environments:
        env = environments.pop()
        return env, f"This is DESTRUCTIVE on {len(targets)} host(s) in {env}. Type the environment name"
    count = str(len(targets))
    return count, f"This is DESTRUCTIVE on {count} host(s). Type the number of targets"


def _outcome(
    runbook: Runbook,
    final: RunResult,
    names: Sequence[str],
    findings: Mapping[str, HostFindings],
    check: bool,
) -> tuple[Outcome, ExitCode, str]:
    failed = [h for h in names if final.host_status(h) in (TaskStatus.FAILED, TaskStatus.UNREACHABLE)]
    if final.status == "timeout":
        return "timeout", ExitCode.TIMEOUT, f"stopped at the runbook's timeout ({runbook.timeout})"
    if failed:
        return "failed", ExitCode.FAILED, f"{len(failed)} of {len(names)} host(s) failed: {', '.join(failed)}"
    if final.status != "successful" or final.rc != 0:
        return "failed", ExitCode.FAILED, f"the run ended {final.status} (rc {final.rc}); see its artifacts"
    if check:
        changing = [h for h in names if any(t.changed for t in final.for_host(h))]
        return "planned", ExitCode.OK, f"check mode: {len(changing)} of {len(names)} host(s) would change"
    if runbook.verifies:
        unverified = [h for h in names if (findings.get(h) or HostFindings()).verified is not True]
        if unverified:
            return (
                "not-verified",
                ExitCode.NOT_VERIFIED,
                f"the post-check did not pass on {', '.join(unverified)}: escalate",
            )
        done = "done" if runbook.risk is Risk.READ_ONLY else "fixed"
        return "ok", ExitCode.OK, f"{len(names)} host(s) {done} and verified"
    return "ok", ExitCode.OK, f"{len(names)} host(s) done"


class Engine:
    def __init__(
        self,
        paths: ProjectPaths,
        ui: Ui,
        *,
        runner: RunFn | None = None,
        resolver: Resolver = resolve_targets,
        runbooks_dir: Path | None = None,
        playbooks_dir: Path | None = None,
    ) -> None:
        self.paths = paths
        self.ui = ui
        self._runner = runner
        self.resolver = resolver
        self.runbooks_dir = runbooks_dir or paths.runbooks
        self.playbooks_dir = playbooks_dir or paths.playbooks
        self.history = History(paths.state)

    def runner(self) -> RunFn:
        if self._runner is None:
            # imported on first use: the engine is tested with a fake runner and no ansible-runner
            from opsbook import runner  # noqa: PLC0415

            self._runner = runner.run_playbook
        return self._runner

    def knowledge_page(self, runbook: Runbook) -> str:
        """The page (relative to the project) the record points the operator to."""
        return f"runbooks/{runbook.name}.md"

    def prepare(self, request: RunRequest) -> Prepared:
        """Everything that needs no host: runbook, parameters, targets and their constraints."""
        runbook = find_runbook(request.name, self.runbooks_dir, self.playbooks_dir)
        params = resolve_params(runbook, request.params)
        inventory = [Path(p).resolve() for p in request.inventory] if request.inventory else []
        inventory = inventory or default_inventory(self.paths.root)
        targets = self.resolver(inventory, runbook.targets.pattern, request.limit)
        check_constraints(targets, runbook.targets, request.limit, runbook.name)
        return Prepared(runbook, params, inventory, targets)

    def run(self, request: RunRequest) -> RunOutcome:
        prepared = self.prepare(request)
        runbook, targets = prepared.runbook, prepared.targets
        required = consent_required(runbook, request.check)
        if required != "none" and not request.yes and not self.ui.interactive():
            raise RefusedError(
                f"runbook {runbook.name} is {runbook.risk.value} and needs your confirmation, "
                "but there is no terminal to ask on; nothing was run",
                hint="run it from a terminal, or pass --yes to confirm in advance (automation)",
            )
        run_id = new_run_id(label=runbook.name)
        session = _Session(request, prepared, run_id, self.paths.runs / run_id, now())
        names = session.names
        self.ui.info(
            f"runbook {runbook.name} ({runbook.risk.value}) on {len(names)} host(s): {', '.join(names)}"
            f" — run {run_id}"
        )
        if request.check:
            final = self._run_playbook(session, "check")
            self.ui.show_plan(self._plan_view(final, names))
            return self._finish(session, final, Consent(required="none", given="check-only"))
        if required == "none":
            final = self._run_playbook(session, "apply")
            return self._finish(session, final, Consent(required="none", given="not-needed"))
        plan = self._run_playbook(session, "plan")
        self.ui.show_plan(self._plan_view(plan, names))
        stop = self._plan_blocks(plan, names)
        if stop is not None:
            return self._finish(session, plan, Consent(required=required, given="not-needed"), stop)
        consent = self._consent(runbook, targets, required, request.yes)
        if consent.given == "declined":
            summary = "the operator declined after the plan; nothing was changed"
            return self._finish(session, plan, consent, ("refused", ExitCode.REFUSED, summary))
        final = self._run_playbook(session, "apply")
        return self._finish(session, final, consent)

    def _run_playbook(self, session: _Session, purpose: Purpose) -> RunResult:
        runbook = session.prepared.runbook
        params = session.prepared.params
        result = self.runner()(
            str(self.playbooks_dir / runbook.playbook),
            inventory=session.prepared.inventory,
            limit=",".join(session.names),
            extravars={
                **params.extravars(),
                "opsbook_run_id": session.run_id,
                "opsbook_run_dir": str(session.run_dir),
                "opsbook_ticket": session.request.ticket or "",
            },
            check=purpose != "apply",
            diff=True,
            timeout=runbook.timeout_seconds,
            progress=self.ui.progress,
            secrets=tuple(session.secret_values),
            run_id=f"{session.run_id}-plan" if purpose == "plan" else session.run_id,
            label=runbook.name if purpose == "apply" else f"{runbook.name} ({purpose})",
        )
        session.runs.append((purpose, result))
        if purpose == "plan":
            session.plan = result
        return result

    def _plan_view(self, plan: RunResult, names: Sequence[str]) -> list[HostPlan]:
        changes = host_changes(plan)
        failures = host_failures(plan)
        return [
            HostPlan(h, plan.host_status(h).value, changes.get(h, []), failures.get(h, [])) for h in names
        ]

    def _plan_blocks(self, plan: RunResult, names: Sequence[str]) -> tuple[Outcome, ExitCode, str] | None:
        if plan.status == "timeout":
            return "timeout", ExitCode.TIMEOUT, "the check-mode plan reached the timeout; nothing was changed"
        failed = [h for h in names if plan.host_status(h) in (TaskStatus.FAILED, TaskStatus.UNREACHABLE)]
        if failed or plan.status != "successful":
            where = ", ".join(failed) or "before reaching any host"
            return "failed", ExitCode.FAILED, f"the check-mode plan failed ({where}); nothing was changed"
        return None

    def _consent(
        self, runbook: Runbook, targets: Sequence[Target], required: ConsentLevel, yes: bool
    ) -> Consent:
        if required == "typed":
            token, question = confirmation_token(runbook, targets)
            if yes:
                return Consent(required="typed", given="--yes", expected=token, at=now())
            answer = self.ui.ask(f"{question} ({token!r}) to proceed")
            given: ConsentGiven = "prompt" if answer.strip() == token else "declined"
            if given == "declined":
                self.ui.warn(f"you typed {answer.strip()!r}, not {token!r}: not confirmed, nothing changed")
            return Consent(required="typed", given=given, expected=token, at=now())
        if yes:
            return Consent(required="yes-no", given="--yes", at=now())
        agreed = self.ui.confirm(f"Apply runbook {runbook.name} to {len(targets)} host(s) as planned?")
        return Consent(required="yes-no", given="prompt" if agreed else "declined", at=now())

    def _finish(
        self,
        session: _Session,
        final: RunResult,
        consent: Consent,
        verdict: tuple[Outcome, ExitCode, str] | None = None,
    ) -> RunOutcome:
        request, prepared, run_id, run_dir = (
            session.request,
            session.prepared,
            session.run_id,
            session.run_dir,
        )
        runs, plan, secret_values = session.runs, session.plan, session.secret_values
        findings = collect_findings(final)
        if verdict is None:
            verdict = _outcome(prepared.runbook, final, session.names, findings, request.check)
        runbook, targets = prepared.runbook, prepared.targets
        outcome, code, summary = verdict
        mode: Mode = "check" if request.check else "apply"
        planned = host_changes(plan) if plan is not None else {}
        applied = host_changes(final) if final is not plan else {}
        if request.check:
            planned = host_changes(final)
        failures = host_failures(final)
        hosts: dict[str, HostRecord] = {}
        for target in targets:
            found = findings.get(target.name, HostFindings())
            summary_row = final.hosts.get(target.name)
            stats = {
                k: v for k, v in (summary_row.to_dict() if summary_row else {}).items() if isinstance(v, int)
            }
            status = (
                final.host_status(target.name).value
                if final.for_host(target.name) or summary_row
                else "not-run"
            )
            stopped = final.status == "timeout" and status not in ("failed", "unreachable")
            hosts[target.name] = HostRecord(
                status="timeout" if stopped else status,
                interrupted_task=final.interrupted.get(target.name, ""),
                stats=stats,
                asset=target.asset,
                planned=[c.to_dict() for c in planned.get(target.name, [])],
                changes=[c.to_dict() for c in applied.get(target.name, [])],
                failures=failures.get(target.name, []),
                checks=HostChecks(pre=found.pre, post=found.post, verified=found.verified),
                findings=found.to_dict(),
            )
        context = {
            "params": prepared.params.redacted(),
            "targets": [t.name for t in targets],
            "ticket": request.ticket or "",
            "runbook": runbook.name,
        }
        problem = render_text(runbook.report.problem, context, runbook=runbook.name, field="problem")
        follow_up = render_text(runbook.report.follow_up, context, runbook=runbook.name, field="follow_up")
        service = build_service_report(
            problem=problem,
            follow_up=follow_up,
            hosts=hosts,
            mode=mode,
            verifies=runbook.verifies,
            run_id=run_id,
            runbook=runbook.name,
            outcome=outcome,
            rollback=runbook.rollback.playbook if runbook.rollback else "",
        )
        record = Record(
            id=run_id,
            runbook={**runbook.summary_dict(), "knowledge_page": self.knowledge_page(runbook)},
            ticket=request.ticket,
            operator=provenance.operator(),
            started=session.started,
            ended=now(),
            mode=mode,
            rerun_of=request.rerun_of,
            params=prepared.params.redacted(),
            secret_params=[n for n in runbook.secret_params() if n in prepared.params.values],
            inventory=[str(p) for p in prepared.inventory],
            limit=request.limit,
            targets=[t.name for t in targets],
            repository=provenance.repository(self.paths.root),
            versions=provenance.versions(),
            consent=consent,
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
                for purpose, r in runs
            ],
            hosts=hosts,
            outcome=outcome,
            exit_code=int(code),
            summary=summary,
            service_report=service,
        )
        record = Record.model_validate(redact(record.model_dump(mode="json"), secret_values))
        with self.history.writing():
            record_path = write_record(record, run_dir)
            reports = render_reports(record, run_dir)
            scan_roots = sorted({run_dir, *(Path(r.artifact_dir) for _, r in runs)})
            state = self.paths.state.resolve()
            # the runner found (and masked) these in its artifacts; anything still on disk is masked here
            runner_found = [Path(r.artifact_dir) / leak for _, r in runs for leak in r.secret_leaks]
            remaining = purge_secrets(scan_roots, secret_values)
            leaks = sorted({_relative(p, state) for p in [*runner_found, *remaining]})
            scan = SecretScan(
                scanned=[_relative(p, state) for p in scan_roots],
                leaks=leaks,
                secrets_checked=len(secret_values),
            )
            if leaks:
                code = ExitCode.SECRET_LEAK
                self.ui.warn(
                    "a secret value was found in the run's files (now masked there): "
                    + ", ".join(leaks)
                    + " — the run is flagged: rotate the secret and find out how it got there"
                )
            record = record.model_copy(update={"secret_scan": scan, "exit_code": int(code)})
            write_record(record, run_dir)
            reports = render_reports(record, run_dir)
            self.history.append(record, record_path)
        return RunOutcome(exit_code=code, record=record, record_path=record_path, reports=reports)


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base))
    except ValueError:
        return str(path)


def rerun_request(record: Record, *, failed_only: bool, params: Mapping[str, str], yes: bool) -> RunRequest:
    """A new run of the same runbook, parameters and ticket; with failed_only, only the failed hosts."""
    if failed_only:
        hosts = record.failed_hosts()
        if not hosts:
            raise OpsbookError(
                f"run {record.id} has no failed or unreachable host; nothing to re-run",
                hint="drop --failed to re-run it on all its targets",
            )
    else:
        hosts = list(record.targets)
    values: dict[str, str] = {}
    for name, value in record.params.items():
        if name in record.secret_params:
            continue
        values[name] = str(value).lower() if isinstance(value, bool) else str(value)
    missing = [n for n in record.secret_params if n not in params]
    if missing:
        raise UsageError(
            f"run {record.id} used secret parameter(s) {', '.join(missing)}, which are never recorded",
            hint="give them again: " + " ".join(f"-p {n}=…" for n in missing),
        )
    values.update(params)
    return RunRequest(
        name=record.runbook["name"],
        params=values,
        limit=",".join(hosts),
        check=False,
        yes=yes,
        ticket=record.ticket,
        inventory=[Path(p) for p in record.inventory],
        rerun_of=record.id,
    )
