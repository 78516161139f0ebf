"""``opsbook inventory check``: every problem of a register at once, each with its place and fix.

:func:`check_register` is what every opsbook command that runs a playbook calls first: it
reads the inventory files only (no host is contacted) and returns the problems; an empty list
means the register is sound.
"""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import ipaddress
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from opsbook.errors import OpsbookError
from opsbook.register.keys import AllowedKeys, allowed_keys
from opsbook.register.loader import Entry, Host, LoadedRegister, VarsBlock, load_register
from opsbook.register.merge import Merger, Resolved
from opsbook.register.problems import Problem, display_path
from opsbook.register.schema import (
    ASSET_FIELDS,
    DATE_ORDER,
    REQUIRED_FIELDS,
    AssetVars,
    MaintenanceWindow,
    PartReplacement,
)
from opsbook.register.yamlnodes import Node, ScalarNode, find, find_key, is_sexagesimal, mark

_ASSET_FIELD_SET = frozenset(ASSET_FIELDS)
_TYPE_ERRORS = frozenset(
    {
        "string_type",
        "int_type",
        "float_type",
        "bool_type",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "int_from_float",
        "int_parsing",
        "none_required",
    }
)
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
_UNIQUE_FIELDS = {
    "asset_id": "duplicate-asset-id",
    "asset_serial": "duplicate-serial",
    "asset_mgmt_address": "duplicate-mgmt-address",
}


@dataclass
class CheckResult:
    """A loaded register, its merged host variables and every problem found."""

    register: LoadedRegister
    merged: dict[str, dict[str, Resolved]]
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def default_roles_dirs(paths: Sequence[Path | str]) -> list[Path]:
    """The ``roles/`` of the project that holds the first inventory source, if any."""
    if not paths:
        return []
    start = Path(paths[0]).resolve()
    for folder in (start, *start.parents):
        if (folder / "ansible.cfg").is_file() and (folder / "roles").is_dir():
            return [folder / "roles"]
    return []


def check_register(paths: Sequence[Path | str], *, roles_dirs: Sequence[Path] | None = None) -> list[Problem]:
    """Every problem of the register made of the inventory sources ``paths``; ``[]`` when sound.

    Reads files only, never contacts a host. Role arguments allowed as variables are read from
    ``roles_dirs`` (default: the ``roles/`` of the project holding ``paths[0]``).
    """
    return check(paths, roles_dirs=roles_dirs).problems


class RegisterError(OpsbookError):
    """The register is broken: nothing may run against it. ``problems`` lists every problem."""

    def __init__(self, problems: Sequence[Problem], sources: Sequence[Path | str]) -> None:
        shown = [p.render() for p in problems[:_SHOWN]]
        more = f"\n  … and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        where = " ".join(f"-i {s}" for s in sources)
        super().__init__(
            f"the asset register has {len(problems)} problem(s); no host was touched:\n  "
            + "\n  ".join(shown)
            + more,
            hint=f"fix them (all listed by: opsbook inventory check {where}) and run again",
        )
        self.problems = list(problems)


_SHOWN = 20


def ensure_register_sound(paths: Sequence[Path | str], *, roles_dirs: Sequence[Path] | None = None) -> None:
    """Raise :class:`RegisterError` when :func:`check_register` finds anything: the guard every
    opsbook command that runs a playbook calls before starting ansible."""
    problems = check_register(paths, roles_dirs=roles_dirs)
    if problems:
        raise RegisterError(problems, paths)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: loading keeps ~35 node objects per asset alive, and
    collections triggered by those allocations cost more than the whole parse (4x, measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check(
    paths: Sequence[Path | str],
    *,
    roles_dirs: Sequence[Path] | None = None,
    plugins: tuple[str, ...] = (),
) -> CheckResult:
    """Load, merge and check a register; the result keeps all three for reports. ``plugins``:
    inventory plugins whose own host variables are allowed (``netbox.netbox.nb_inventory`` when
    checking an export of a NetBox inventory)."""
    with gc_paused():
        return _check(paths, roles_dirs, plugins)


def _check(
    paths: Sequence[Path | str], roles_dirs: Sequence[Path] | None, plugins: tuple[str, ...]
) -> CheckResult:
    register = load_register(paths)
    dirs = default_roles_dirs(paths) if roles_dirs is None else list(roles_dirs)
    allowed = allowed_keys(dirs[0] if dirs else None, plugins=plugins)
    for extra in dirs[1:]:
        for name, origin in allowed_keys(extra).declared.items():
            allowed.declared.setdefault(name, origin)
    merger = Merger(register)
    merged = {name: merger.host_vars(name) for name in register.hosts}
    problems = _Checker(register, merger, merged, allowed).run()
    return CheckResult(register, merged, problems)


def _at(block: VarsBlock | Path, node: Node | None, rule: str, message: str, fix: str) -> Problem:
    path = block if isinstance(block, Path) else block.path
    if node is None:
        return Problem(path, 1, 1, rule, message, fix)
    m = mark(node)
    return Problem(path, m.line, m.column, rule, message, fix)


def _where(resolved: Resolved | Entry, path: Path) -> str:
    entry = resolved.entry if isinstance(resolved, Resolved) else resolved
    m = mark(entry.value_node)
    return f"{display_path(path)}:{m.line}"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"the text '{value}'"


class _Checker:
    def __init__(
        self,
        register: LoadedRegister,
        merger: Merger,
        merged: dict[str, dict[str, Resolved]],
        allowed: AllowedKeys,
    ) -> None:
        self.register = register
        self.merger = merger
        self.merged = merged
        self.allowed = allowed
        self.problems: list[Problem] = list(register.problems)
        self._seen: set[tuple[str, Path, int, int]] = set()
        #: entries whose asset value failed validation (no order/duplicate checks on them)
        self._invalid: set[int] = set()

    def add(self, problem: Problem) -> None:
        key = (problem.rule, problem.path, problem.line, problem.column)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(problem)

    def run(self) -> list[Problem]:
        for block in self.register.blocks():
            self.check_block(block)
        for block in self.register.orphan_vars:
            self.check_block(block)
        self.check_orphans()
        self.check_host_names()
        for name, host in self.register.hosts.items():
            self.check_host(host, self.merged[name])
        self.check_unique()
        return sorted(set(self.problems))

    # --- one vars block -------------------------------------------------------------------
    def check_block(self, block: VarsBlock) -> None:
        assets: dict[str, Any] = {}
        for key, entry in block.entries.items():
            if key in _ASSET_FIELD_SET:
                if _templated(entry.value):
                    # Jinja is evaluated by Ansible at run time, not here: not validated, not compared
                    self._invalid.add(id(entry))
                    continue
                assets[key] = entry.value
            elif not self.allowed.is_allowed(key):
                self.unknown_key(block, entry)
        if assets:
            try:
                AssetVars.model_validate(assets)
            except ValidationError as exc:
                for error in exc.errors():
                    self.asset_error(block, error)

    def unknown_key(self, block: VarsBlock, entry: Entry) -> None:
        suggestions = self.allowed.suggest(entry.key)
        if suggestions:
            fix = "did you mean " + " or ".join(suggestions) + "?"
        else:
            fix = (
                "remove it, declare it in a role's meta/argument_specs.yml, or add it to "
                "opsbook/register/data/settings.yml if opsbook reads it"
            )
        self.add(
            _at(
                block,
                entry.key_node,
                "unknown-key",
                f"'{entry.key}' is not an asset field, ansible_* variable, role argument or opsbook setting",
                fix,
            )
        )

    def asset_error(self, block: VarsBlock, error: ErrorDetails) -> None:
        loc = tuple(error["loc"])
        field_name = str(loc[0])
        entry = block.entries[field_name]
        self._invalid.add(id(entry))
        kind = error["type"]
        inner = loc[1:]
        root = entry.value_node
        node = find_key(root, inner) if kind == "extra_forbidden" else find(root, inner)
        if kind == "missing" and inner:
            node = find(root, inner[:-1])
        dotted = ".".join(str(p) for p in loc)
        value = error.get("input")
        in_window = field_name == "asset_maintenance_window" and bool(inner)
        if kind == "extra_forbidden":
            names = self._nested_fields(field_name)
            close = difflib.get_close_matches(str(inner[-1]), names, n=1, cutoff=0.6)
            rule = "maintenance-window" if in_window else "unknown-key"
            fix = f"did you mean {close[0]}?" if close else "allowed keys: " + ", ".join(names)
            self.add(_at(block, node, rule, f"'{inner[-1]}' is not a key of {field_name}", fix))
            return
        if kind == "missing":
            listed = ", ".join(self._nested_fields(field_name))
            rule = "maintenance-window" if in_window else "wrong-type"
            self.add(_at(block, node, rule, f"{dotted} is missing", f"give every key: {listed}"))
            return
        if kind == "bad_date":
            self.add(
                _at(block, node, "bad-date", f"{dotted}: {error['msg']}", "write a real date as YYYY-MM-DD")
            )
            return
        if kind in _TYPE_ERRORS:
            rule = "maintenance-window" if in_window else "wrong-type"
            expected = _EXPECTED.get(kind, kind.replace("_type", ""))
            message = f"{dotted} must be {expected}, not {_describe(value)}"
            fix = f"write {expected}"
            if expected == "text" and isinstance(node, ScalarNode) and not isinstance(value, list | dict):
                if is_sexagesimal(node):
                    message += f" (YAML 1.1 reads unquoted {node.value} as a base-60 number)"
                fix = f"quote it: '{node.value}'"
            self.add(_at(block, node, rule, message, fix))
            return
        rule = "maintenance-window" if in_window else "invalid-value"
        message = f"{dotted}: {error['msg']}"
        if kind == "literal_error":
            message = f"{dotted}: {_describe(value)} is not an allowed value"
            expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "").replace(" or ", ", ")
            fix = f"use one of: {expected}"
        elif kind == "bad_slug":
            fix = "use lower-case letters, digits and _ only"
        elif kind == "bad_address":
            fix = "write the management IP address, e.g. 192.0.2.10"
        elif kind in ("window_time", "string_pattern_mismatch") and in_window:
            fix = "write a quoted 24-hour time, e.g. '22:00'"
        elif kind == "window_timezone":
            fix = "use an IANA zone name such as Europe/Berlin or UTC"
        else:
            fix = "correct the value"
        self.add(_at(block, node, rule, message, fix))

    @staticmethod
    def _nested_fields(field_name: str) -> list[str]:
        if field_name == "asset_maintenance_window":
            return list(MaintenanceWindow.model_fields)
        return list(PartReplacement.model_fields)

    # --- files for hosts/groups that do not exist -----------------------------------------
    def check_orphans(self) -> None:
        unread = any(p.rule == "unsupported-inventory" for p in self.register.problems)
        if self.register.dynamic_sources or unread:
            return  # hosts and groups may come from the sources not read
        for block in self.register.orphan_vars:
            names = list(self.register.hosts if block.scope == "host" else self.register.groups)
            close = difflib.get_close_matches(block.name, names, n=1, cutoff=0.75)
            kind = "host" if block.scope == "host" else "group"
            fix = f"did you mean {close[0]}? rename the file" if close else f"remove it or add the {kind}"
            self.add(
                _at(
                    block.path,
                    None,
                    "orphan-vars",
                    f"{block.scope}_vars for {kind} '{block.name}', which the inventory does not define",
                    fix,
                )
            )

    # --- host names -------------------------------------------------------------------------
    def check_host_names(self) -> None:
        by_lower: dict[str, Host] = {}
        for name, host in self.register.hosts.items():
            other = by_lower.setdefault(name.lower(), host)
            if other is not host:
                first = other.defined_at[0]
                where = f"{display_path(first.path)}:{mark(first.node).line}"
                definition = host.defined_at[0]
                self.add(
                    _at(
                        definition.path,
                        definition.node,
                        "duplicate-host",
                        f"host '{name}' differs from '{other.name}' ({where}) only in letter case",
                        "use one spelling for the host everywhere",
                    )
                )
            # Inline vars for one host in two places of one file are ambiguous; in two sources
            # they are an overlay (the lab's podman inventory), which Ansible merges in -i order.
            seen_in: dict[Path, VarsBlock] = {}
            for block in host.inline_vars:
                first_block = seen_in.setdefault(block.path, block)
                if first_block is block:
                    continue
                where = f"{display_path(first_block.path)}:{mark(first_block.node).line}"
                self.add(
                    _at(
                        block,
                        block.node,
                        "duplicate-host",
                        f"variables of host '{name}' are also given at {where}",
                        f"keep them in one place, e.g. host_vars/{name}.yml",
                    )
                )

    # --- one host, merged -----------------------------------------------------------------
    def check_host(self, host: Host, merged: dict[str, Resolved]) -> None:
        groups = self.merger.host_groups(host.name)
        self.check_date_order(merged)
        broken = self.register.unreadable_vars
        if ("host", host.name) in broken or any(("group", g) in broken for g in groups):
            return  # a vars file of this host could not be read: its fields are unknown, not missing
        definition = host.defined_at[0]
        for name in REQUIRED_FIELDS:
            resolved = merged.get(name)
            if resolved is None or resolved.value is None or resolved.value == "":
                self.add(
                    _at(
                        definition.path,
                        definition.node,
                        "missing-required",
                        f"host '{host.name}' has no {name} (not in its host_vars nor in its groups' vars)",
                        f"add {name}: … to host_vars/{host.name}.yml"
                        + (" or to its customer group's group_vars" if name == "asset_customer" else ""),
                    )
                )
        self.check_group_membership(host, merged, groups, "customer", "asset_customer")
        self.check_group_membership(host, merged, groups, "site", "asset_site")

    def check_group_membership(
        self, host: Host, merged: dict[str, Resolved], groups: list[str], kind: str, field_name: str
    ) -> None:
        prefix = f"{kind}_"
        member_of = [g[len(prefix) :] for g in groups if g.startswith(prefix)]
        definition = host.defined_at[0]
        resolved = merged.get(field_name)
        declared = resolved.value if resolved is not None and isinstance(resolved.value, str) else None
        if not member_of:
            if kind == "customer":
                target = f"customer_{declared}" if declared else "customer_<slug>"
                self.add(
                    _at(
                        definition.path,
                        definition.node,
                        "no-customer-group",
                        f"host '{host.name}' is in no customer_ group",
                        f"list it under {target}: hosts: (or a child group of it)",
                    )
                )
            return
        if len(member_of) > 1:
            self.add(
                _at(
                    definition.path,
                    definition.node,
                    "group-mismatch",
                    f"host '{host.name}' is in {len(member_of)} {kind} groups: "
                    + ", ".join(prefix + m for m in member_of),
                    f"keep the host in one {prefix}<slug> group",
                )
            )
            return
        if declared is not None and resolved is not None and declared != member_of[0]:
            if id(resolved.entry) in self._invalid:
                return
            self.add(
                _at(
                    resolved.block,
                    resolved.entry.value_node,
                    "group-mismatch",
                    f"{field_name} '{declared}' of host '{host.name}' disagrees with "
                    f"its group {prefix}{member_of[0]}",
                    f"set {field_name}: {member_of[0]} or move the host to {prefix}{declared}",
                )
            )

    def check_date_order(self, merged: dict[str, Resolved]) -> None:
        for earlier_name, later_name in DATE_ORDER:
            earlier, later = merged.get(earlier_name), merged.get(later_name)
            if earlier is None or later is None:
                continue
            first, second = self._date(earlier), self._date(later)
            if first is None or second is None or first <= second:
                continue
            self.add(
                _at(
                    later.block,
                    later.entry.value_node,
                    "date-order",
                    f"{later_name} {second} is before {earlier_name} {first} "
                    f"({_where(earlier, earlier.block.path)})",
                    f"correct one of the two dates: {later_name} must not be before {earlier_name}",
                )
            )

    def _date(self, resolved: Resolved) -> dt.date | None:
        if id(resolved.entry) in self._invalid or not isinstance(resolved.value, str):
            return None
        try:
            return dt.date.fromisoformat(resolved.value)
        except ValueError:
            return None

    # --- across hosts -------------------------------------------------------------------------
    def check_unique(self) -> None:
        for field_name, rule in _UNIQUE_FIELDS.items():
            seen: dict[str, tuple[str, Resolved]] = {}
            shared: dict[int, list[str]] = {}
            for host_name in sorted(self.register.hosts):
                resolved = self.merged[host_name].get(field_name)
                if resolved is None or resolved.value is None or id(resolved.entry) in self._invalid:
                    continue
                key = _normalise(field_name, resolved.value)
                if field_name == "asset_mgmt_address":
                    # one address, several SSH ports (the lab, port-forwarding jump hosts): distinct endpoints
                    port = self.merged[host_name].get("ansible_port")
                    key = f"{key} port {port.value}" if port is not None else key
                first = seen.get(key)
                if first is None:
                    seen[key] = (host_name, resolved)
                    continue
                first_host, first_resolved = first
                if first_resolved.entry is resolved.entry:
                    shared.setdefault(id(resolved.entry), [first_host]).append(host_name)
                    hosts = shared[id(resolved.entry)]
                    self._replace_shared(rule, field_name, resolved, hosts)
                    continue
                self.add(
                    _at(
                        resolved.block,
                        resolved.entry.value_node,
                        rule,
                        f"{field_name} '{resolved.value}' of host '{host_name}' is also that of host "
                        f"'{first_host}' ({_where(first_resolved, first_resolved.block.path)})",
                        f"give every host its own {field_name}",
                    )
                )

    def _replace_shared(self, rule: str, field_name: str, resolved: Resolved, hosts: list[str]) -> None:
        problem = _at(
            resolved.block,
            resolved.entry.value_node,
            rule,
            f"{field_name} '{resolved.value}' is set in {resolved.block.scope} vars of "
            f"'{resolved.block.name}' and so shared by {len(hosts)} hosts ({', '.join(hosts[:5])}"
            + (", …" if len(hosts) > 5 else "")
            + ")",
            f"set {field_name} per host, in host_vars/<host>.yml",
        )
        key = (problem.rule, problem.path, problem.line, problem.column)
        self.problems = [p for p in self.problems if (p.rule, p.path, p.line, p.column) != key]
        self._seen.discard(key)
        self.add(problem)


def _templated(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _normalise(field_name: str, value: Any) -> str:
    text = str(value).strip()
    if field_name == "asset_mgmt_address":
        if ":" not in text:
            return text  # a valid IPv4 address has one spelling
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            return text
    return text.casefold()


def format_problems(problems: Iterable[Problem], base: Path | None = None) -> list[str]:
    """Each problem as ``file:line:column: RULE: message → fix``."""
    return [p.render(base) for p in problems]
