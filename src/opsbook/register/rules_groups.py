"""Rules for groups: a group named but defined nowhere (a typo), cycles of groups, and
group_vars / host_vars for groups and hosts the inventory does not define.

A cycle concerns the whole register (no owner): Ansible cannot place the hosts of a cycle, so
no job may go on with any of them.
"""

from __future__ import annotations

import difflib

from opsbook.register.findings import Findings, at
from opsbook.register.loader import LoadedRegister

_IMPLICIT = frozenset({"all", "ungrouped"})


def check_undefined_groups(findings: Findings, register: LoadedRegister) -> None:
    """A group only ever named (``name:`` with nothing below), never given hosts, children or vars."""
    if register.dynamic_sources or inventory_unread(register):
        return  # an inventory plugin or a file that could not be read may define it
    defined = [g.name for g in register.groups.values() if _has_content(register, g.name)]
    for group in register.groups.values():
        if group.name in _IMPLICIT or _has_content(register, group.name) or not group.mentions:
            continue
        path, node = group.mentions[0]
        close = difflib.get_close_matches(
            group.name, [d for d in defined if d != group.name], n=1, cutoff=0.75
        )
        fix = (
            f"did you mean {close[0]}?"
            if close
            else (f"define it (with hosts:, children: or vars:) or remove '{group.name}'")
        )
        findings.add(
            at(
                path,
                node,
                "undefined-group",
                f"group '{group.name}' is named here but defined nowhere "
                "(no hosts, children, vars or group_vars)",
                fix,
            )
        )


def inventory_unread(register: LoadedRegister) -> bool:
    """An inventory file (not a vars file) could not be read: its hosts and groups are unknown."""
    return any(
        p.rule in ("unsupported-inventory", "yaml-syntax", "yaml-limits")
        and p.path not in register.vars_owner
        for p in register.problems
    )


def _has_content(register: LoadedRegister, name: str) -> bool:
    group = register.groups[name]
    return group.defined or bool(group.hosts or group.children or group.inline_vars or group.file_vars)


def check_group_cycles(findings: Findings, register: LoadedRegister) -> None:
    """Every cycle of child groups (``a`` → ``b`` → ``a``), reported once at the edge that closes it."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(register.groups):
        if state.get(start):
            continue
        path: list[str] = [start]
        iterators = [iter(sorted(register.groups[start].children))]
        state[start] = 1
        while iterators:
            child = next(iterators[-1], None)
            if child is None:
                state[path.pop()] = 2
                iterators.pop()
                continue
            if state.get(child) == 1:
                _report_cycle(findings, register, [*path[path.index(child) :], child])
                continue
            if state.get(child) == 2 or child not in register.groups:
                continue
            state[child] = 1
            path.append(child)
            iterators.append(iter(sorted(register.groups[child].children)))


def _report_cycle(findings: Findings, register: LoadedRegister, cycle: list[str]) -> None:
    parent, child = cycle[-2], cycle[-1]
    place = register.groups[parent].child_at.get(child)
    path, node = place if place else (register.sources[0], None)
    chain = " → ".join(cycle)
    findings.add(
        at(
            path,
            node,
            "group-cycle",
            f"groups form a cycle: {chain} (a group cannot contain itself; Ansible cannot place these hosts)",
            f"remove '{child}' from the children of '{parent}'",
        )
    )


def check_orphans(findings: Findings, register: LoadedRegister) -> None:
    """group_vars / host_vars files whose group or host the inventory does not define."""
    if register.dynamic_sources or inventory_unread(register):
        return  # hosts and groups may come from the sources not read
    for block in register.orphan_vars:
        names = list(register.hosts if block.scope == "host" else register.groups)
        close = difflib.get_close_matches(block.name, names, n=1, cutoff=0.75)
        kind = "host" if block.scope == "host" else "group"
        fix = f"did you mean {close[0]}? rename the file" if close else f"remove it or add the {kind}"
        findings.add(
            at(
                block.path,
                None,
                "orphan-vars",
                f"{block.scope}_vars for {kind} '{block.name}', which the inventory does not define",
                fix,
            ),
            (block.scope, block.name),
        )
