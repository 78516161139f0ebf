"""A run's verdict: outcome, exit code and the one-line summary the record and the screen show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from opsbook.records.findings import HostFindings
from opsbook.records.model import Outcome
from opsbook.results import RunResult, TaskStatus
from opsbook.runbooks.exitcodes import ExitCode
from opsbook.runbooks.model import Risk, Runbook


def outcome_of(
    runbook: Runbook,
    final: RunResult,
    names: Sequence[str],
    findings: Mapping[str, HostFindings],
    check: bool,
) -> tuple[Outcome, ExitCode, str]:
    failed = [h for h in names if final.host_status(h) in (TaskStatus.FAILED, TaskStatus.UNREACHABLE)]
    if final.status == "timeout":
        return "timeout", ExitCode.TIMEOUT, f"stopped at the runbook's timeout ({runbook.timeout})"
    if final.status == "canceled":
        return interrupted(final, "ansible was stopped; hosts may have been changed by the tasks that ran")
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


def plan_blocks(plan: RunResult, names: Sequence[str]) -> tuple[Outcome, ExitCode, str] | None:
    if plan.status == "timeout":
        return "timeout", ExitCode.TIMEOUT, "the check-mode plan reached the timeout; nothing was changed"
    if plan.status == "canceled":
        return interrupted(plan, "the check-mode plan was stopped; nothing was changed")
    failed = [h for h in names if plan.host_status(h) in (TaskStatus.FAILED, TaskStatus.UNREACHABLE)]
    if failed or plan.status != "successful":
        where = ", ".join(failed) or "before reaching any host"
        return "failed", ExitCode.FAILED, f"the check-mode plan failed ({where}); nothing was changed"
    return None


def interrupted(run: RunResult, what: str) -> tuple[Outcome, ExitCode, str]:
    """A run canceled by SIGINT / SIGTERM: outcome ``interrupted``, exit 130 / 143 as a shell has it."""
    by = run.canceled_by or "a signal"
    code = ExitCode.TERMINATED if run.canceled_by == "SIGTERM" else ExitCode.INTERRUPTED
    return "interrupted", code, f"interrupted by {by}: {what}"
