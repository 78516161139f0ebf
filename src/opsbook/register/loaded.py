"""What reading a register gives: hosts, groups, and every place that defines variables.

Built by :func:`opsbook.register.loader.load_register`; nodes keep their YAML positions so that
every problem names its file, line and column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from opsbook.register.problems import Problem
from opsbook.register.yamlnodes import Node


@dataclass(slots=True)
class Entry:
    """One variable definition: where its key and value are, and the value itself."""

    key: str
    key_node: Node
    value_node: Node
    value: Any


@dataclass(slots=True)
class VarsBlock:
    """One place that defines variables for a host or a group."""

    path: Path
    scope: Literal["host", "group"]
    name: str
    origin: Literal["inline", "file"]
    node: Node
    entries: dict[str, Entry] = field(default_factory=dict)


@dataclass(slots=True)
class Group:
    name: str
    parents: set[str] = field(default_factory=set)
    children: set[str] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)
    inline_vars: list[VarsBlock] = field(default_factory=list)
    file_vars: list[VarsBlock] = field(default_factory=list)
    #: given a body (``name:`` followed by a mapping) somewhere, not only named
    defined: bool = False
    #: every place the group's name appears as a key in an inventory file
    mentions: list[tuple[Path, Node]] = field(default_factory=list)
    #: child group → where it is listed under this group
    child_at: dict[str, tuple[Path, Node]] = field(default_factory=dict)


@dataclass(slots=True)
class HostDef:
    """Where a host appears in an inventory file, and under which group."""

    path: Path
    node: Node
    group: str = ""


@dataclass(slots=True)
class Host:
    name: str
    groups: set[str] = field(default_factory=set)
    defined_at: list[HostDef] = field(default_factory=list)
    inline_vars: list[VarsBlock] = field(default_factory=list)
    file_vars: list[VarsBlock] = field(default_factory=list)


@dataclass
class LoadedRegister:
    """Everything read from the inventory sources, plus the problems met while reading."""

    sources: list[Path]
    groups: dict[str, Group] = field(default_factory=dict)
    hosts: dict[str, Host] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: group_vars / host_vars files whose group or host the inventory does not define.
    orphan_vars: list[VarsBlock] = field(default_factory=list)
    #: dynamic inventory sources (plugin configs) that the check does not read.
    dynamic_sources: list[Path] = field(default_factory=list)
    #: (scope, name) of group_vars / host_vars with a file that could not be parsed.
    unreadable_vars: set[tuple[str, str]] = field(default_factory=set)
    #: every group_vars / host_vars file read → (scope, name) of the group or host it is for.
    vars_owner: dict[Path, tuple[Literal["host", "group"], str]] = field(default_factory=dict)

    def group(self, name: str) -> Group:
        group = self.groups.get(name)
        if group is None:
            group = self.groups[name] = Group(name)
        return group

    def blocks(self) -> Iterable[VarsBlock]:
        """Every vars block: inline and file, groups then hosts."""
        for group in self.groups.values():
            yield from group.inline_vars
            yield from group.file_vars
        for host in self.hosts.values():
            yield from host.inline_vars
            yield from host.file_vars
