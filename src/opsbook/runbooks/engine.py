"""Run a runbook — the one change flow (docs/changes.md): validate → resolve targets → ticket,
maintenance window and change freeze → lock per target → plan → confirm → run → post-check → record.

Runbooks, ``opsbook run`` (:mod:`.playbook`), ``audit --fix`` and ``net push``/``restore`` all run
here. Nothing touches a host before the parameters, targets, ticket and windows pass. Changing and destructive
runbooks first run in check mode and show, per host, what would change; then they ask
(y/N, or a typed confirmation for destructive ones) unless ``--yes`` was given. Without a
terminal and without ``--yes`` they refuse before running anything. Every run that reached
the runner leaves a record, a service report and a history entry; the run's artifacts are
scanned for the secret parameter values afterwards.

The terminal (``Ui``) and the runner are passed in, so the flow is testable without a lab.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from opsbook.base.clock import now_iso as now
from opsbook.base.clock import utc_now
from opsbook.base.ids import new_run_id
from opsbook.change.backups import backups_made
from opsbook.change.gate import admit, check_ticket
from opsbook.change.lock import new_holder, target_locks
from opsbook.context import display_name
from opsbook.errors import OpsbookError, UsageError
from opsbook.paths import ProjectPaths
from opsbook.records.build import RunbookFacts, RunFacts, write_run
from opsbook.records.findings import Change, collect_findings, host_changes, host_failures
from opsbook.records.history import History
from opsbook.records.model import Consent, ConsentLevel, Outcome, Purpose, Record
from opsbook.register import ensure_register_sound
from opsbook.results import RunResult
from opsbook.runbooks.consent import ask_consent, consent_required
from opsbook.runbooks.exitcodes import ExitCode, RefusedError
from opsbook.runbooks.loader import find_runbook
from opsbook.runbooks.model import Category, Risk, Runbook
from opsbook.runbooks.params import ResolvedParams, resolve_params
from opsbook.runbooks.targets import Target, check_constraints, default_inventory, resolve_targets
from opsbook.runbooks.verdict import outcome_of, plan_blocks
from opsbook.runner.statedir import preflight_state

if TYPE_CHECKING:
    from opsbook.runner.callbacks import RunStatus

RunFn = Callable[..., RunResult]
Resolver = Callable[[Sequence[Path], str, str | None], list[Target]]


class Ui(Protocol):
    """What the engine needs from a terminal (the CLI's rich console, or a script in tests).

    ``on_event`` / ``on_status`` are handed to the runner as its callbacks
    (:mod:`opsbook.runner.callbacks`): the live display is the terminal's, not the runner's."""

    def on_event(self, event: Mapping[str, Any]) -> None: ...

    def on_status(self, status: RunStatus) -> None: ...

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
    #: --force REASON: change outside a maintenance window or during a freeze (recorded)
    force: str | None = None


@dataclass(frozen=True)
class Prepared:
    runbook: Runbook
    params: ResolvedParams
    inventory: list[Path]
    targets: list[Target]
    #: extra variables besides the parameters (``opsbook run -e``), given to every run
    extravars: Mapping[str, Any] = field(default_factory=dict)
    #: more runner options (``opsbook run``: tags, forks)
    runner_options: Mapping[str, Any] = field(default_factory=dict)
    #: the runner's timeout in seconds when not the runbook's (``opsbook run --timeout``; 0: none)
    timeout: int | None = None
    #: what the operator ran, in their words (messages, lock holders)
    what: str = ""

    @property
    def changes_hosts(self) -> bool:
        return self.runbook.risk is not Risk.READ_ONLY

    @property
    def ticket_required(self) -> bool:
        """Every change needs its ticket; an emergency runbook may run before the ticket exists."""
        return self.runbook.category is not Category.EMERGENCY


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
    #: the change's admission (ticket, windows, --force) and locks, for the record (opsbook.change)
    change: dict[str, Any] = field(default_factory=dict)

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


def plan_withheld(runbook: Runbook, given: Mapping[str, Any]) -> list[str]:
    """Parameters (given a value) that a check-mode plan must not receive: commands run on the target."""
    return [n for n, p in runbook.parameters.items() if p.command and n in given]


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
        clock: Callable[[], datetime] = utc_now,
        runner_options: Mapping[str, Any] | None = None,
        inventory_check: Callable[[Sequence[Path]], None] | None = ensure_register_sound,
    ) -> None:
        self.paths = paths
        #: the register check a change passes before any host (None: a test's scratch inventory)
        self.inventory_check = inventory_check
        self.clock = clock
        #: options for every runner call of this engine (``net push --workers``: forks)
        self.runner_options = dict(runner_options or {})
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
        return Prepared(runbook, params, *self.resolve(request, runbook))

    def resolve(self, request: RunRequest, runbook: Runbook) -> tuple[list[Path], list[Target]]:
        """The inventory and the runbook's targets within --limit, its constraints checked."""
        inventory = [Path(p).resolve() for p in request.inventory] if request.inventory else []
        inventory = inventory or default_inventory(self.paths.root)
        targets = self.resolver(inventory, runbook.targets.pattern, request.limit)
        check_constraints(targets, runbook.targets, request.limit, runbook.name)
        return inventory, targets

    def run(self, request: RunRequest) -> RunOutcome:
        """The change flow: ticket, window and freeze, lock, plan, consent, apply, verify, record.

        Read-only runbooks and ``--check`` runs take no lock and need no window; a ticket, when
        given, is checked everywhere. Every refusal happens before anything runs.
        """
        prepared = self.prepare(request)
        # a read-only or full state folder: refused before any lock file, plan or host (docs/running.md)
        preflight_state(self.paths.runs)
        runbook = prepared.runbook
        what = prepared.what or f"runbook {runbook.name}"
        # a damaged history would only be found at the record, after the run acted: refuse now
        self.history.check()
        required = consent_required(runbook, request.check)
        if required != "none" and not request.yes and not self.ui.interactive():
            raise RefusedError(
                f"{what} is {runbook.risk.value} and needs your confirmation, "
                "but there is no terminal to ask on; nothing was run",
                hint="run it from a terminal, or pass --yes to confirm in advance (automation)",
            )
        changing = prepared.changes_hosts and not request.check
        if changing and self.inventory_check is not None:
            # a change refuses any problem of the register (read-only work skips bad hosts instead)
            self.inventory_check(prepared.inventory)
        if not changing:
            request = replace(request, ticket=check_ticket(request.ticket, required=False, what=what))
            run_id = new_run_id(label=runbook.name)
            return self._flow(_Session(request, prepared, run_id, self.paths.runs / run_id, now()), required)
        admission = admit(
            {t.name: {**t.asset, **t.settings} for t in prepared.targets},
            what=what,
            ticket=request.ticket,
            ticket_required=prepared.ticket_required,
            force=request.force,
            now=self.clock(),
        )
        request = replace(request, ticket=admission.ticket)
        for host, why in admission.overridden.items():
            self.ui.warn(f"{host} is {why}")
        run_id = new_run_id(label=runbook.name)
        session = _Session(request, prepared, run_id, self.paths.runs / run_id, now())
        session.change = admission.to_record()
        with target_locks(self.paths.state, session.names, new_holder(run_id, what)) as held:
            session.change |= {"locks": held.targets, "stale_locks": held.taken_over}
            for note in held.taken_over:
                self.ui.warn(f"took over a stale lock: {note}")
            return self._flow(session, required)

    def _flow(self, session: _Session, required: ConsentLevel) -> RunOutcome:
        request, prepared = session.request, session.prepared
        runbook, targets, run_id = prepared.runbook, prepared.targets, session.run_id
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
        stop = plan_blocks(plan, names)
        if stop is not None:
            return self._finish(session, plan, Consent(required=required, given="not-needed"), stop)
        consent = ask_consent(self.ui, runbook, targets, required, request.yes)
        if consent.given == "declined":
            summary = "the operator declined after the plan; nothing was changed"
            return self._finish(session, plan, consent, ("refused", ExitCode.REFUSED, summary))
        final = self._run_playbook(session, "apply")
        return self._finish(session, final, consent)

    def _run_playbook(self, session: _Session, purpose: Purpose) -> RunResult:
        prepared = session.prepared
        runbook = prepared.runbook
        variables = prepared.params.extravars()
        if purpose != "apply":
            # a plan runs nothing a user supplied: command parameters reach only the real run
            for name in plan_withheld(runbook, prepared.params.values):
                variables.pop(runbook.parameters[name].var or name, None)
                self.ui.info(
                    f"the {purpose} does not run parameter {name} (a command): only the real run does"
                )
        result = self.runner()(
            str(self.playbooks_dir / runbook.playbook),
            inventory=prepared.inventory,
            limit=",".join(session.names),
            extravars={
                **prepared.extravars,
                **variables,
                "opsbook_run_id": session.run_id,
                "opsbook_run_dir": str(session.run_dir),
                "opsbook_ticket": session.request.ticket or "",
            },
            check=purpose != "apply",
            diff=True,
            timeout=runbook.timeout_seconds if prepared.timeout is None else (prepared.timeout or None),
            **{**self.runner_options, **prepared.runner_options},
            on_event=self.ui.on_event,
            on_status=self.ui.on_status,
            secrets=tuple(session.secret_values),
            runs_dir=self.paths.runs,  # the record's folder and the runner's artifacts stay together
            run_id=f"{session.run_id}-plan" if purpose == "plan" else session.run_id,
            label=runbook.name if purpose == "apply" else f"{runbook.name} ({purpose})",
        )
        session.runs.append((purpose, result))
        if purpose == "apply" and session.change:
            session.change["backups"] = backups_made(result)
        if purpose == "plan":
            session.plan = result
        return result

    def _plan_view(self, plan: RunResult, names: Sequence[str]) -> list[HostPlan]:
        changes = host_changes(plan)
        failures = host_failures(plan)
        return [
            HostPlan(h, plan.host_status(h).value, changes.get(h, []), failures.get(h, [])) for h in names
        ]

    def _finish(
        self,
        session: _Session,
        final: RunResult,
        consent: Consent,
        verdict: tuple[Outcome, ExitCode, str] | None = None,
    ) -> RunOutcome:
        request, prepared = session.request, session.prepared
        runbook = prepared.runbook
        if verdict is None:
            findings = collect_findings(final)
            verdict = outcome_of(runbook, final, session.names, findings, request.check)
        outcome, code, summary = verdict
        facts = RunFacts(
            run_id=session.run_id,
            run_dir=session.run_dir,
            state_dir=self.paths.state,
            project_root=self.paths.root,
            started=session.started,
            runbook=RunbookFacts(
                name=runbook.name,
                summary={**runbook.summary_dict(), "knowledge_page": self.knowledge_page(runbook)},
                verifies=runbook.verifies,
                changes_hosts=runbook.risk is not Risk.READ_ONLY,
                problem=runbook.report.problem,
                follow_up=runbook.report.follow_up,
                rollback=runbook.rollback.playbook if runbook.rollback else "",
                secret_params=[n for n in runbook.secret_params() if n in prepared.params.values],
            ),
            mode="check" if request.check else "apply",
            consent=consent,
            runs=session.runs,
            final=final,
            outcome=outcome,
            exit_code=int(code),
            summary=summary,
            leak_exit_code=int(ExitCode.SECRET_LEAK),
            targets=[(t.name, t.asset) for t in prepared.targets],
            params=prepared.params.redacted(),
            inventory=[str(p) for p in prepared.inventory],
            ticket=request.ticket,
            limit=request.limit,
            rerun_of=request.rerun_of,
            secret_values=session.secret_values,
            change=session.change,
            customer=display_name(self.paths) if self.paths.customer else "",
        )
        written = write_run(facts, self.history)
        if written.record.secret_scan.leaks:
            self.ui.warn(
                "a secret value was found in the run's files (now masked there): "
                + ", ".join(written.record.secret_scan.leaks)
                + " — the run is flagged: rotate the secret and find out how it got there"
            )
        return RunOutcome(
            exit_code=ExitCode(written.record.exit_code),
            record=written.record,
            record_path=written.record_path,
            reports=written.reports,
        )


def rerun_request(
    record: Record, *, failed_only: bool, params: Mapping[str, str], yes: bool, force: str | None = None
) -> RunRequest:
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
        force=force,
    )
