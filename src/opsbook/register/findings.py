"""What the check's rules share: the problems found so far, and whose data each one is about.

Every rule module (:mod:`~opsbook.register.rules_assets`, :mod:`~opsbook.register.rules_hosts`,
:mod:`~opsbook.register.rules_groups`) adds its problems here. A problem may name its *owner*,
the host or group whose data it is about (``("host", "web01")``, ``("group", "linux")``): read-only
jobs skip the hosts whose own or inherited data has a problem and go on with the rest
(:func:`opsbook.register.read.partition_valid`). A problem without an owner (a broken inventory
file, a cycle of groups) concerns the whole register.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from opsbook.register.loader import Entry, VarsBlock
from opsbook.register.merge import Resolved
from opsbook.register.problems import Problem, display_path
from opsbook.register.yamlnodes import Node, mark

Owner = tuple[Literal["host", "group"], str]


def at(block: VarsBlock | Path, node: Node | None, rule: str, message: str, fix: str) -> Problem:
    """A problem at ``node`` (or the file's first line) in the file of ``block``."""
    path = block if isinstance(block, Path) else block.path
    if node is None:
        return Problem(path, 1, 1, rule, message, fix)
    m = mark(node)
    return Problem(path, m.line, m.column, rule, message, fix)


def where(resolved: Resolved | Entry, path: Path) -> str:
    """``file:line`` of a variable's value, for messages that point at a second place."""
    entry = resolved.entry if isinstance(resolved, Resolved) else resolved
    return f"{display_path(path)}:{mark(entry.value_node).line}"


def owner_of(block: VarsBlock) -> Owner:
    return (block.scope, block.name)


@dataclass
class Findings:
    """The problems found so far (one per rule and place), with their owners."""

    problems: list[Problem] = field(default_factory=list)
    owners: dict[Problem, Owner | None] = field(default_factory=dict)
    #: entries whose asset value failed validation (no order/duplicate checks on them)
    invalid: set[int] = field(default_factory=set)
    _seen: dict[tuple[str, Path, int, int], Problem] = field(default_factory=dict)

    def add(self, problem: Problem, owner: Owner | None = None) -> None:
        key = (problem.rule, problem.path, problem.line, problem.column)
        if key not in self._seen:
            self._seen[key] = problem
            self.problems.append(problem)
            self.owners[problem] = owner

    def replace(self, problem: Problem, owner: Owner | None = None) -> None:
        """Put ``problem`` in place of the one already found at its rule and place."""
        key = (problem.rule, problem.path, problem.line, problem.column)
        old = self._seen.pop(key, None)
        if old is not None:
            self.problems = [p for p in self.problems if p is not old]
            self.owners.pop(old, None)
        self.add(problem, owner)
