"""Consent to a change: which level a run needs (none, y/N, typed) and asking for it.

Changing runbooks ask y/N after their plan; destructive ones want the environment name (or the
target count) typed. ``--yes`` gives consent in advance (automation). Every answer is recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from opsbook.base.clock import now_iso as now
from opsbook.records.model import Consent, ConsentGiven, ConsentLevel
from opsbook.runbooks.model import Risk, Runbook
from opsbook.runbooks.targets import Target


class Asker(Protocol):
    """The part of the engine's terminal that asks."""

    def warn(self, text: str) -> None: ...

    def confirm(self, question: str) -> bool: ...

    def ask(self, prompt: str) -> str: ...


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


def ask_consent(
    ui: Asker, runbook: Runbook, targets: Sequence[Target], required: ConsentLevel, yes: bool
) -> Consent:
    """Consent at the level required, from --yes or from the operator's answer."""
    if required == "typed":
        token, question = confirmation_token(runbook, targets)
        if yes:
            return Consent(required="typed", given="--yes", expected=token, at=now())
        answer = ui.ask(f"{question} ({token!r}) to proceed")
        given: ConsentGiven = "prompt" if answer.strip() == token else "declined"
        if given == "declined":
            ui.warn(f"you typed {answer.strip()!r}, not {token!r}: not confirmed, nothing changed")
        return Consent(required="typed", given=given, expected=token, at=now())
    if yes:
        return Consent(required="yes-no", given="--yes", at=now())
    agreed = ui.confirm(f"Apply runbook {runbook.name} to {len(targets)} host(s) as planned?")
    return Consent(required="yes-no", given="prompt" if agreed else "declined", at=now())
