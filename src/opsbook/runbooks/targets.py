"""Resolve a runbook's targets (its pattern ∩ --limit) from the inventory, and check its constraints.

The register's one reader reads the inventory (:func:`opsbook.register.read_scope`); patterns are
resolved by Ansible's own inventory code, so they mean exactly what they mean to
``ansible-playbook``. The engine then passes the resolved names as the runner's limit, so what
runs is exactly what the operator confirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsbook.paths import project_paths
from opsbook.register import default_inventory as register_default_inventory
from opsbook.register import read_scope
from opsbook.runbooks.exitcodes import TargetError
from opsbook.runbooks.model import Targets


@dataclass(frozen=True)
class Target:
    name: str
    #: the register's fields of this host (asset_*), as strings, for records and confirmation.
    asset: dict[str, Any] = field(default_factory=dict)
    #: the host's change settings (opsbook_change_*: window enforcement, freezes), for the change flow.
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def environment(self) -> str:
        return str(self.asset.get("asset_environment", ""))


def default_inventory(root: Path) -> list[Path]:
    """The customer context's register (what the runner uses without -i; the register's one rule)."""
    return register_default_inventory(project_paths(root))


def resolve_targets(inventory: Sequence[Path], pattern: str, limit: str | None) -> list[Target]:
    """Hosts matching ``pattern`` within ``limit``, with their asset_* variables.

    Read by the register's one reader: a register problem of the whole register or of any target
    refuses (:class:`~opsbook.register.RegisterError`, every problem with its file:line:column)
    before a plan, a connection or a run folder; patterns are resolved by Ansible's own code.
    """
    # INI / script / plugin sources are read by Ansible unchecked; the runner's check refuses an
    # INI or script register before anything runs (its message says how to convert it).
    scope = read_scope(inventory, limit=limit, pattern=pattern, read_only=False, unchecked_ok=True)
    targets = []
    for host in scope.targets:
        hostvars = scope.register.hostvars(host)
        asset = {k: v for k, v in hostvars.items() if k.startswith("asset_")}  # plain data already
        settings = {k: v for k, v in hostvars.items() if k.startswith("opsbook_change_")}
        targets.append(Target(name=host, asset=asset, settings=settings))
    return targets


def check_constraints(
    targets: Sequence[Target], constraints: Targets, limit: str | None, runbook: str
) -> None:
    """Refuse (exit 4) when the targets break the runbook's constraints."""
    if constraints.require_limit and not limit:
        raise TargetError(
            f"runbook {runbook} must be given --limit (it would otherwise run on every host of "
            f"{constraints.pattern!r})",
            hint="name the affected hosts: --limit HOST[,HOST…]",
        )
    if not targets:
        raise TargetError(
            f"no hosts match {constraints.pattern!r}" + (f" within --limit {limit!r}" if limit else ""),
            hint="check the host names with `ansible-inventory --graph` or pass the right -i INVENTORY",
        )
    if len(targets) > constraints.max_hosts:
        raise TargetError(
            f"{len(targets)} hosts match but runbook {runbook} allows at most {constraints.max_hosts}",
            hint="narrow --limit to the affected hosts",
        )
    if constraints.environments is not None:
        wrong = [t for t in targets if t.environment not in constraints.environments]
        if wrong:
            listed = ", ".join(f"{t.name} ({t.environment or 'no asset_environment'})" for t in wrong)
            raise TargetError(
                f"runbook {runbook} may run only in {', '.join(constraints.environments)}; not on {listed}",
                hint="exclude those hosts with --limit, or fix asset_environment in the register",
            )
