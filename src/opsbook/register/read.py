"""The one inventory reader: every job (audit, health, runbooks, network, run) reads the register here.

:func:`read_register` reads the inventory files once — never a host — with the check's bounded
YAML loader, merges every host's variables in Ansible's order and checks them. The result, a
:class:`Register`, answers what the jobs ask:

- :meth:`Register.ensure_sound` — refuse (:class:`~opsbook.register.check.RegisterError`, listing
  every problem as ``file:line:column: rule: message → fix``) before anything else happens;
- :meth:`Register.select` — the hosts a pattern and ``--limit`` mean, resolved by Ansible's own
  inventory code (``InventoryManager``) on the groups and hosts read here;
- :meth:`Register.hostvars` / :meth:`Register.inventory_data` — each host's merged variables, in
  the shape of ``ansible-inventory --list`` (a unit test compares them with it);
- :func:`partition_valid` — for read-only jobs: the targets whose own and inherited data are
  sound, and the skipped ones with their problems;
- :func:`read_scope` — all of it for one job: the hosts it works on (pattern within ``--limit``),
  refused, or for a read-only job partitioned, before any connection or run folder.

Which inventory paths a command uses when ``-i`` is not given is decided in one place,
:func:`opsbook.register.sources.default_inventory` (the customer context's register).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsbook.errors import UsageError
from opsbook.register.check import CheckResult, RegisterError, check
from opsbook.register.findings import Owner
from opsbook.register.merge import Merger
from opsbook.register.problems import Problem
from opsbook.register.yamlnodes import to_python

_UNREADABLE = "unsupported-inventory"


@dataclass
class Register:
    """One register, read and checked. Build it with :func:`read_register`.

    Sources the register cannot read — INI files, scripts, inventory plugin configs such as
    NetBox's — are *unchecked*: when a caller accepts them (``unchecked_ok``), Ansible's own
    ``InventoryManager`` reads every source for patterns and variables, as ``ansible-playbook``
    will; otherwise an INI or script source refuses like any problem of the whole register.
    """

    sources: list[Path]
    result: CheckResult
    #: accept INI/script sources (read by Ansible, not checked): runbook targets
    unchecked_ok: bool = False
    _ansible: Any = field(default=None, repr=False)

    @property
    def problems(self) -> list[Problem]:
        if self.unchecked_ok:
            return [p for p in self.result.problems if p.rule != _UNREADABLE]
        return self.result.problems

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def unchecked(self) -> bool:
        """Some source is read by Ansible only (plugin configs always; INI/scripts when accepted)."""
        loaded = self.result.register
        return bool(loaded.dynamic_sources) or (
            self.unchecked_ok and any(p.rule == _UNREADABLE for p in self.result.problems)
        )

    @property
    def hosts(self) -> list[str]:
        if self.unchecked:
            return sorted(h.name for h in self._ansible_inventory()[0].get_hosts("all"))
        return sorted(self.result.register.hosts)

    @property
    def merger(self) -> Merger:
        if self.result.merger is None:
            self.result.merger = Merger(self.result.register)
        return self.result.merger

    def ensure_sound(self) -> None:
        """Raise :class:`RegisterError` (listing every problem) when the register has any."""
        if self.problems:
            raise RegisterError(self.problems, self.sources)

    def groups_of(self, host: str) -> list[str]:
        """Every group of ``host``, direct or inherited (``all`` included), in precedence order."""
        if host not in self.result.register.hosts:
            return ["all"]
        return self.merger.host_groups(host)

    def hostvars(self, host: str) -> dict[str, Any]:
        """The host's merged variables (plain values, Jinja left as text, as ansible-inventory)."""
        if self.unchecked:
            manager, variables = self._ansible_inventory()
            found = manager.get_host(host)
            values = variables.get_vars(host=found, include_hostvars=False) if found else {}
            return {str(k): _plain_ansible(v) for k, v in values.items()}
        return {key: to_python(r.entry.value_node, vault=True) for key, r in self.result.merged[host].items()}

    def inventory_data(self, hosts: Sequence[str] | None = None) -> dict[str, Any]:
        """``ansible-inventory --list`` JSON of the register, limited to ``hosts`` (default: all)."""
        chosen = set(self.hosts if hosts is None else hosts)
        data: dict[str, Any] = {"_meta": {"hostvars": {h: self.hostvars(h) for h in sorted(chosen)}}}
        if self.unchecked:
            manager = self._ansible_inventory()[0]
            groups = {n: ({h.name for h in g.hosts}, {c.name for c in g.child_groups})
                      for n, g in manager.groups.items()}  # fmt: skip
        else:
            groups = {n: (g.hosts, g.children) for n, g in self.result.register.groups.items()}
        for name, (members, children) in sorted(groups.items()):
            entry: dict[str, Any] = {}
            if members & chosen:
                entry["hosts"] = sorted(members & chosen)
            if children:
                entry["children"] = sorted(children)
            data[name] = entry
        return data

    def select(self, pattern: str = "all", limit: str | None = None) -> list[str]:
        """The hosts ``pattern`` within ``limit`` mean to Ansible (its own pattern code), sorted.

        Refuses a register with problems that concern all of it (a broken inventory file, a cycle
        of groups): nobody can say which hosts a pattern means there.
        """
        self.ensure_whole()
        if pattern in ("all", "*") and not limit:
            return self.hosts
        with _quiet_ansible():
            manager = self._ansible_inventory()[0] if self.unchecked else self._manager()
            manager.subset(limit or None)
            try:
                return sorted(h.name for h in manager.get_hosts(pattern))
            finally:
                manager.subset(None)

    def ensure_whole(self) -> None:
        """Raise :class:`RegisterError` for the problems that concern the whole register."""
        whole = self.global_problems()
        if whole:
            raise RegisterError(whole, self.sources)

    def global_problems(self) -> list[Problem]:
        """Problems no single host or group owns (broken inventory files, cycles of groups)."""
        return [p for p in self.problems if self.result.owners.get(p) is None]

    def problems_of(self, host: str) -> list[Problem]:
        """Problems of ``host``'s own data and of every group it inherits from."""
        owners: set[Owner] = {("host", host), *(("group", g) for g in self.groups_of(host))}
        return [p for p in self.problems if self.result.owners.get(p) in owners]

    def _manager(self) -> Any:
        """Ansible's InventoryManager filled with the groups and hosts read here (not parsed again)."""
        from ansible.inventory.manager import InventoryManager  # noqa: PLC0415 - ansible only for patterns
        from ansible.parsing.dataloader import DataLoader  # noqa: PLC0415

        manager = InventoryManager(loader=DataLoader(), sources=None, parse=False)
        inventory = manager._inventory  # filled from the register, not parsed again
        register = self.result.register
        for name in register.groups:
            inventory.add_group(name)
        for name, group in register.groups.items():
            for child in group.children:
                if child != "all":
                    inventory.add_child(name, child)
        for name, host in register.hosts.items():
            for group_name in sorted(host.groups):
                inventory.add_host(name, group=group_name)
        inventory.reconcile_inventory()
        return manager

    def _ansible_inventory(self) -> tuple[Any, Any]:
        """(InventoryManager, VariableManager) of Ansible parsing every source (unchecked sources)."""
        if self._ansible is None:
            from ansible.inventory.manager import InventoryManager  # noqa: PLC0415
            from ansible.parsing.dataloader import DataLoader  # noqa: PLC0415
            from ansible.vars.manager import VariableManager  # noqa: PLC0415

            loader = DataLoader()
            manager = InventoryManager(loader=loader, sources=[str(s) for s in self.sources])
            self._ansible = (manager, VariableManager(loader=loader, inventory=manager))
        return self._ansible  # type: ignore[no-any-return]


def _plain_ansible(value: Any) -> Any:
    """A variable from Ansible's VariableManager as plain data (its text types become str)."""
    if isinstance(value, dict):
        return {str(k): _plain_ansible(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_ansible(v) for v in value]
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


@contextmanager
def _quiet_ansible() -> Iterator[None]:
    """No "could not match supplied host pattern" warnings on stderr: the caller reports an empty
    selection itself."""
    from ansible import constants  # noqa: PLC0415

    before = constants.HOST_PATTERN_MISMATCH
    constants.HOST_PATTERN_MISMATCH = "ignore"
    try:
        yield
    finally:
        constants.HOST_PATTERN_MISMATCH = before


def read_register(
    sources: Sequence[Path | str], *, roles_dirs: Sequence[Path] | None = None, unchecked_ok: bool = False
) -> Register:
    """Read and check the register made of the inventory ``sources`` (files or folders).

    Reads files only. A source that does not exist is a :class:`UsageError` (nothing read).
    ``unchecked_ok``: see :class:`Register`.
    """
    paths = [Path(s) for s in sources]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(
            "inventory source not found: " + ", ".join(missing),
            hint="pass an existing inventory file or folder with -i (a lab's inventory exists once it is up)",
        )
    return Register([p.resolve() for p in paths], check(paths, roles_dirs=roles_dirs), unchecked_ok)


def partition_valid(register: Register, targets: Sequence[str]) -> tuple[list[str], dict[str, list[Problem]]]:
    """For read-only jobs: (targets whose own and inherited data are sound, skipped → its problems).

    A problem of the whole register (a broken inventory file, a cycle of groups) still refuses
    everything (:class:`RegisterError`). Changing jobs refuse any invalid target
    (:func:`read_scope` with ``read_only=False``).
    """
    register.ensure_whole()
    valid: list[str] = []
    skipped: dict[str, list[Problem]] = {}
    for host in targets:
        problems = register.problems_of(host)
        if problems:
            skipped[host] = problems
        else:
            valid.append(host)
    return valid, skipped


@dataclass
class Scope:
    """The hosts a job works on, read from the register: ``targets`` (sound) and ``skipped``."""

    register: Register
    targets: list[str]
    skipped: dict[str, list[Problem]] = field(default_factory=dict)

    @property
    def limit(self) -> str:
        """The targets as an Ansible ``--limit`` (names, comma-separated)."""
        return ",".join(self.targets)

    def inventory_data(self) -> dict[str, Any]:
        """``ansible-inventory --list`` JSON of the targets only."""
        return self.register.inventory_data(self.targets)

    def skipped_lines(self) -> list[str]:
        """One line per skipped host: its first problem as ``file:line:column: rule: message → fix``."""
        lines = []
        for host, problems in sorted(self.skipped.items()):
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            lines.append(f"{host} skipped: its register data has a problem{more}: {problems[0].render()}")
        return lines


def read_scope(
    sources: Sequence[Path | str],
    *,
    limit: str | None = None,
    pattern: str = "all",
    read_only: bool,
    roles_dirs: Sequence[Path] | None = None,
    unchecked_ok: bool = False,
) -> Scope:
    """Read the register and choose the hosts a job works on (``pattern`` within ``limit``).

    Every job calls this before it opens a connection or makes a run folder. Problems of the
    whole register refuse everything (:class:`RegisterError`, every problem with its place).
    ``read_only``: hosts whose own or inherited data has a problem are skipped (listed in
    :attr:`Scope.skipped`) and the rest go on; else any such target refuses the job. A scope
    with no sound target left is refused too. ``unchecked_ok``: see :class:`Register`.
    """
    register = read_register(sources, roles_dirs=roles_dirs, unchecked_ok=unchecked_ok)
    chosen = register.select(pattern, limit)
    targets, skipped = partition_valid(register, chosen)
    if skipped and (not read_only or not targets):
        raise RegisterError(sorted({p for host in skipped for p in skipped[host]}), register.sources)
    return Scope(register, targets, skipped)
