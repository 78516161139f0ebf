"""``opsbook audit --fix --limit HOST``: apply the desired state for real, recorded like a runbook run.

The fix is the one change flow (docs/changes.md) with a built-in runbook, ``audit-fix``: a
ticket (``--ticket``), the maintenance window (or ``--force REASON``), a lock per host, a check-mode
plan of ``site.yml`` (the drift, shown per host with its diffs), a y/N confirmation (or
``--yes``), the real run, then the engine's record (``.opsbook/runs/<id>/record.json``), service
report and history entry (``opsbook history list`` shows it). Only the runbook definition lives
here; records and history are the runbook engine's.
"""

from __future__ import annotations

from opsbook.runbooks.engine import Engine, Prepared, RunRequest
from opsbook.runbooks.model import Category, Report, Risk, Runbook, Targets
from opsbook.runbooks.params import resolve_params

FIX_NAME = "audit-fix"
#: the playbook that holds the desired state (the audit runs it in check mode)
FIX_PLAYBOOK = "site.yml"
#: at most this many hosts per fix (a fix is for the hosts an audit named, not a fleet roll-out)
FIX_MAX_HOSTS = 10
#: where an operator reads about the built-in runbook (it has no runbooks/audit-fix.md)
FIX_KNOWLEDGE_PAGE = "docs/audit.md#fixing-drift---fix"

FIX_RUNBOOK = Runbook(
    name=FIX_NAME,
    title="Fix configuration drift: apply the desired state (site.yml) to the hosts an audit named",
    category=Category.AUDIT,
    summary="Check-mode plan of site.yml, confirmation, the real run; the next audit confirms compliance.",
    playbook=FIX_PLAYBOOK,
    targets=Targets(pattern="linux", max_hosts=FIX_MAX_HOSTS, require_limit=True),
    risk=Risk.CHANGING,
    timeout="60m",
    verifies=False,
    report=Report(
        problem="Configuration drift found by opsbook audit on {{ targets | join(', ') }}.",
        follow_up="Run `opsbook audit --limit {{ targets | join(',') }}` to confirm the hosts are compliant.",
    ),
)


class FixEngine(Engine):
    """The runbook engine with the built-in ``audit-fix`` runbook instead of ``runbooks/*.yml``."""

    def prepare(self, request: RunRequest) -> Prepared:
        runbook = FIX_RUNBOOK
        return Prepared(
            runbook, resolve_params(runbook, {}), *self.resolve(request, runbook), what="opsbook audit --fix"
        )

    def knowledge_page(self, runbook: Runbook) -> str:
        return FIX_KNOWLEDGE_PAGE
