"""What ``opsbook inventory check`` finds: one :class:`Problem` per broken rule, with its place.

Every problem names the file, line and column (1-based), the rule it breaks (a stable id listed
in :data:`RULES`), what is wrong and how to fix it. The rules are documented in docs/register.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from opsbook.base.model import Serial

#: Every rule the check knows, with a one-line description (docs/register.md lists them).
RULES: dict[str, str] = {
    "yaml-syntax": "the file is not valid YAML",
    "yaml-limits": "a file too large, nested too deep, or with aliases that expand too far (an alias bomb)",
    "duplicate-key": "a key appears twice in the same mapping (YAML keeps only the last one)",
    "inventory-structure": "the inventory or vars file does not have the shape Ansible expects",
    "unsupported-inventory": "an inventory source the check cannot read (INI, scripts)",
    "unknown-key": "a variable that is neither an asset field, an ansible_* variable, a role argument "
    "nor a documented opsbook setting",
    "wrong-type": "a value of the wrong YAML type (e.g. a number where text is expected, "
    "ansible_port: twenty-two)",
    "invalid-value": "a value outside the allowed set, range or format (e.g. ansible_port: 70000)",
    "missing-required": "a host lacks asset_id, asset_kind or asset_customer after merging group_vars",
    "duplicate-asset-id": "two hosts share one asset_id",
    "duplicate-serial": "two hosts share one asset_serial",
    "duplicate-mgmt-address": "two hosts share one asset_mgmt_address",
    "duplicate-host": "one host defined twice (same name twice, names differing only in case, "
    "inline variables in two places, registered in two inventory files, host_vars in two inventories)",
    "bad-date": "a date that is not a real YYYY-MM-DD date",
    "date-order": "dates out of order (purchase after warranty or support end)",
    "maintenance-window": "an invalid maintenance window (days, HH:MM times, time zone)",
    "change-setting": "an opsbook_change_freezes list (start, end, reason) or opsbook_change_window_enforce "
    "value the change flow cannot read",
    "no-customer-group": "a host in no customer_<slug> group",
    "group-mismatch": "asset_customer / asset_site disagree with the host's customer_ / site_ groups",
    "orphan-vars": "host_vars or group_vars for a host or group that the inventory does not define",
    "undefined-group": "a group named as a child but defined nowhere (no hosts, children, vars or "
    "group_vars): a typo",
    "group-cycle": "groups that contain each other (a → b → a); nothing runs against such a register",
}


@dataclass(frozen=True, slots=True, order=True)
class Problem(Serial):
    """One broken rule at one place. Ordered by file, line, column."""

    path: Path
    line: int
    column: int
    rule: str
    message: str
    fix: str = ""

    def render(self, base: Path | None = None) -> str:
        """``file:line:column: RULE: message → fix``, the file relative to ``base`` (default: cwd)."""
        text = f"{display_path(self.path, base)}:{self.line}:{self.column}: {self.rule}: {self.message}"
        return f"{text} → {self.fix}" if self.fix else text


def display_path(path: Path, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the current directory) when it lies inside it."""
    start = base or Path.cwd()
    try:
        rel = os.path.relpath(path, start)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel
