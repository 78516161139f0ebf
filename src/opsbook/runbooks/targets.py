"""Resolve a runbook's targets (its pattern ∩ --limit) from the inventory, and check its constraints.

Resolution uses Ansible's own inventory code, so patterns mean exactly what they mean to
``ansible-playbook``. The engine then passes the resolved names as the runner's limit, so what
runs is exactly what the operator confirmed.
"""

from __future__ import annotations

import configparser
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.manager import VariableManager

from opsbook.errors import UsageError
from opsbook.runbooks.exitcodes import TargetError
from opsbook.runbooks.model import Targets


@dataclass(frozen=True)
class Target:
    name: str
    #: the register's fields of this host (asset_*), as strings, for records and confirmation.
    asset: dict[str, Any] = field(default_factory=dict)

    @property
    def environment(self) -> str:
        return str(self.asset.get("asset_environment", ""))


def default_inventory(root: Path) -> list[Path]:
    """The inventory ansible.cfg names (what the runner uses without -i)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(root / "ansible.cfg", encoding="utf-8")
    value = parser.get("defaults", "inventory", fallback="inventory/lab")
    return [(root / part.strip()).resolve() for part in value.split(",") if part.strip()]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def resolve_targets(inventory: Sequence[Path], pattern: str, limit: str | None) -> list[Target]:
    """Hosts matching ``pattern`` within ``limit``, with their asset_* variables."""
    for source in inventory:
        if not source.exists():
            raise UsageError(
                f"inventory {source} does not exist",
                hint="start the lab (`opsbook lab up`) or pass -i INVENTORY",
            )
    loader = DataLoader()
    manager = InventoryManager(loader=loader, sources=[str(s) for s in inventory])
    if limit:
        manager.subset(limit)
    hosts = manager.get_hosts(pattern)
    variables = VariableManager(loader=loader, inventory=manager)
    targets = []
    for host in hosts:
        hostvars = variables.get_vars(host=host, include_hostvars=False)
        asset = {k: _plain(v) for k, v in hostvars.items() if str(k).startswith("asset_")}
        targets.append(Target(name=host.name, asset=asset))
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
