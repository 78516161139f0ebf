"""``opsbook run PLAYBOOK`` without ``--check``: a playbook run as a change, through the one flow.

A playbook is read-only when every play in it says so (``vars: {opsbook_read_only: true}``,
e.g. health.yml) or when a read-only runbook wraps it; such runs go straight to the runner as
before. Any other playbook may change hosts, so ``opsbook run`` runs it as a built-in runbook,
``run-<playbook>``, through the runbook engine: ticket, window and freeze, a lock per target,
a check-mode plan, consent (or ``--yes``), the real run, and a record in the history. A playbook
that a changing runbook wraps is refused here: its runbook holds the typed parameters and the
safety (``opsbook runbook run NAME``).

Plain ``ansible-playbook`` is untouched: nothing here is part of a playbook.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from opsbook.errors import UsageError
from opsbook.runbooks.engine import Engine, Prepared, RunRequest
from opsbook.runbooks.loader import check_runbook, runbook_files
from opsbook.runbooks.model import Category, Report, Risk, Runbook, Targets
from opsbook.runbooks.params import resolve_params

READ_ONLY_VAR = "opsbook_read_only"
#: the built-in runbook of a playbook run is ``run-<playbook>``
RUN_PREFIX = "run-"
#: where the record points the operator (the flow and its refusals)
KNOWLEDGE_PAGE = "docs/changes.md"
#: the flow's own bound; --limit narrows it (a playbook run is a roll-out, not a single fix)
MAX_HOSTS = 10_000


def _plays(playbook: Path) -> list[Mapping[str, Any]]:
    try:
        data = yaml.safe_load(playbook.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []  # the runner reports a broken playbook with its own file:line message
    return [p for p in data if isinstance(p, Mapping)] if isinstance(data, list) else []


def declared_read_only(playbook: Path) -> bool:
    """Every play of the playbook declares ``vars: {opsbook_read_only: true}``."""
    plays = _plays(playbook)
    return bool(plays) and all(
        isinstance(p.get("vars"), Mapping) and p["vars"].get(READ_ONLY_VAR) is True for p in plays
    )


def host_pattern(playbook: Path) -> str:
    """The union of the plays' ``hosts:`` (what the run can touch); ``all`` when it cannot be told."""
    patterns: list[str] = []
    for play in _plays(playbook):
        hosts = play.get("hosts")
        if "import_playbook" in play or "ansible.builtin.import_playbook" in play:
            return "all"
        items = hosts if isinstance(hosts, list) else [hosts]
        for item in items:
            if not isinstance(item, str) or not item.strip() or "{" in item:
                return "all"
            patterns.extend(part.strip() for part in re.split(r"[:,]", item) if part.strip())
    unique = list(dict.fromkeys(patterns))
    return ":".join(unique) if unique else "all"


def wrapping_runbook(playbook: Path, runbooks_dir: Path, playbooks_dir: Path) -> Runbook | None:
    """The valid runbook whose ``playbook:`` is this file, if any."""
    target = playbook.resolve()
    for path in runbook_files(runbooks_dir):
        runbook, problems = check_runbook(path, playbooks_dir)
        if runbook is not None and not problems and (playbooks_dir / runbook.playbook).resolve() == target:
            return runbook
    return None


def relative_name(playbook: Path, playbooks_dir: Path) -> str:
    """``site.yml``, ``emergency/disk-full.yml``, or the path itself when outside playbooks/."""
    try:
        return playbook.resolve().relative_to(playbooks_dir.resolve()).as_posix()
    except ValueError:
        return str(playbook.resolve())


def playbook_runbook(playbook: Path, playbooks_dir: Path) -> Runbook:
    """The built-in runbook that runs ``playbook`` as a change."""
    relative = relative_name(playbook, playbooks_dir)
    stem = re.sub(r"\.ya?ml$", "", Path(relative).name if Path(relative).is_absolute() else relative)
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "playbook"
    return Runbook(
        name=f"{RUN_PREFIX}{slug}",
        title=f"Change made by running playbook {relative}",
        category=Category.CHANGE,
        summary="A playbook run through the change flow: check-mode plan, consent, the real run.",
        playbook=relative,
        targets=Targets(pattern=host_pattern(playbook), max_hosts=MAX_HOSTS),
        risk=Risk.CHANGING,
        verifies=False,
        report=Report(
            problem="Change {{ runbook }} on {{ targets | join(', ') }} (ticket {{ ticket }}).",
            follow_up="Confirm with `opsbook audit --limit {{ targets | join(',') }}` that the hosts comply.",
        ),
    )


class PlaybookEngine(Engine):
    """The runbook engine with a playbook's built-in runbook and ``opsbook run``'s own options."""

    def __init__(
        self,
        *args: Any,
        playbook: Path,
        extravars: Mapping[str, Any] | None = None,
        tags: str | None = None,
        forks: int | None = None,
        timeout: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.playbook = playbook
        self.extravars = dict(extravars or {})
        self.options = {k: v for k, v in (("tags", tags), ("forks", forks)) if v is not None}
        self.timeout = timeout

    def knowledge_page(self, runbook: Runbook) -> str:
        return KNOWLEDGE_PAGE

    def prepare(self, request: RunRequest) -> Prepared:
        wrapper = wrapping_runbook(self.playbook, self.runbooks_dir, self.playbooks_dir)
        if wrapper is not None and wrapper.risk is not Risk.READ_ONLY:
            raise UsageError(
                f"{relative_name(self.playbook, self.playbooks_dir)} is the playbook of runbook "
                f"{wrapper.name}, which checks its parameters and makes it safe; nothing was run",
                hint=f"opsbook runbook run {wrapper.name} --limit HOST "
                f"(its parameters: opsbook runbook show {wrapper.name})",
            )
        runbook = playbook_runbook(self.playbook, self.playbooks_dir)
        return Prepared(
            runbook,
            resolve_params(runbook, {}),
            *self.resolve(request, runbook),
            extravars=self.extravars,
            runner_options=self.options,
            timeout=self.timeout or 0,
            what=f"opsbook run {runbook.playbook}",
        )


def is_read_only(playbook: Path, runbooks_dir: Path, playbooks_dir: Path) -> bool:
    """May ``opsbook run`` run it without the change flow (it changes no host)?"""
    if declared_read_only(playbook):
        return True
    wrapper = wrapping_runbook(playbook, runbooks_dir, playbooks_dir)
    return wrapper is not None and wrapper.risk is Risk.READ_ONLY
