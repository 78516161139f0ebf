"""A host's effective variables, merged in Ansible's precedence order, with where each came from.

Order, lowest first (as Ansible's inventory + host_group_vars do, hash_behaviour=replace):
inline group vars of every group (``all`` first, then by depth, ``ansible_group_priority`` and
name), then group_vars files in the same group order, then the host's inline vars, then its
host_vars files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opsbook.register.loader import Entry, LoadedRegister, VarsBlock


@dataclass(frozen=True, slots=True)
class Resolved:
    """The winning definition of one variable for one host."""

    entry: Entry
    block: VarsBlock

    @property
    def value(self) -> Any:
        return self.entry.value


class Merger:
    """Merges the variables of every host of one :class:`LoadedRegister` (group layers cached)."""

    def __init__(self, register: LoadedRegister) -> None:
        self.register = register
        self._depth: dict[str, int] = {}
        self._ancestors: dict[str, frozenset[str]] = {}
        self._layers: dict[tuple[str, ...], dict[str, Resolved]] = {}
        self._host_groups: dict[frozenset[str], list[str]] = {}

    def depth(self, group: str, _seen: frozenset[str] = frozenset()) -> int:
        if group in self._depth:
            return self._depth[group]
        parents = self.register.groups[group].parents if group in self.register.groups else set()
        value = 0
        if group != "all" and group not in _seen:
            value = 1 + max((self.depth(p, _seen | {group}) for p in parents), default=0)
        self._depth[group] = value
        return value

    def ancestors(self, group: str, _seen: frozenset[str] = frozenset()) -> frozenset[str]:
        """The group and every group above it (``all`` included)."""
        cached = self._ancestors.get(group)
        if cached is not None:
            return cached
        result = {group}
        group_obj = self.register.groups.get(group)
        for parent in group_obj.parents if group_obj else ():
            if parent not in _seen:
                result |= self.ancestors(parent, _seen | {group})
        frozen = frozenset(result | {"all"})
        self._ancestors[group] = frozen
        return frozen

    def host_groups(self, host: str) -> list[str]:
        """Every group the host belongs to, directly or through parents, in precedence order."""
        direct = frozenset(self.register.hosts[host].groups)
        cached = self._host_groups.get(direct)
        if cached is None:
            names: set[str] = set()
            for group in direct:
                names |= self.ancestors(group)
            cached = self._host_groups[direct] = sorted(names, key=self._sort_key)
        return cached

    def _priority(self, group: str) -> int:
        for block in self.register.groups[group].inline_vars:
            entry = block.entries.get("ansible_group_priority")
            if entry is not None and isinstance(entry.value, int):
                return entry.value
        return 1

    def _sort_key(self, group: str) -> tuple[int, int, str]:
        return (self.depth(group), self._priority(group), group)

    def _group_layer(self, groups: tuple[str, ...]) -> dict[str, Resolved]:
        layer = self._layers.get(groups)
        if layer is None:
            layer = {}
            for group in groups:
                for block in self.register.groups[group].inline_vars:
                    _apply(layer, block)
            for group in groups:
                for block in self.register.groups[group].file_vars:
                    _apply(layer, block)
            self._layers[groups] = layer
        return layer

    def host_vars(self, host: str) -> dict[str, Resolved]:
        merged = dict(self._group_layer(tuple(self.host_groups(host))))
        host_obj = self.register.hosts[host]
        for block in host_obj.inline_vars:
            _apply(merged, block)
        for block in host_obj.file_vars:
            _apply(merged, block)
        return merged


def _apply(target: dict[str, Resolved], block: VarsBlock) -> None:
    for key, entry in block.entries.items():
        target[key] = Resolved(entry, block)
