"""``opsbook inventory check``: every problem of a register at once, each with its place and fix.

:func:`check_register` is what every opsbook command that runs a playbook calls first: it
reads the inventory files only (no host is contacted) and returns the problems; an empty list
means the register is sound.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from opsbook.base.gc import gc_paused
from opsbook.errors import OpsbookError
from opsbook.register.findings import Findings, Owner
from opsbook.register.keys import allowed_keys
from opsbook.register.loader import LoadedRegister, load_register
from opsbook.register.merge import Merger, Resolved
from opsbook.register.problems import Problem
from opsbook.register.rules_assets import check_block
from opsbook.register.rules_groups import check_group_cycles, check_orphans, check_undefined_groups
from opsbook.register.rules_hosts import check_host, check_host_names, check_unique


@dataclass
class CheckResult:
    """A loaded register, its merged host variables and every problem found, each with the host
    or group whose data it is about (``None``: the whole register)."""

    register: LoadedRegister
    merged: dict[str, dict[str, Resolved]]
    problems: list[Problem] = field(default_factory=list)
    owners: dict[Problem, Owner | None] = field(default_factory=dict)
    merger: Merger | None = None

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
    findings = Findings()
    for problem in register.problems:
        # a hostile file (alias bomb, size, depth) concerns the whole register, wherever it is
        owner = None if problem.rule == "yaml-limits" else register.vars_owner.get(problem.path)
        findings.add(problem, owner)
    check_group_cycles(findings, register)
    merger = Merger(register)
    merged = {name: merger.host_vars(name) for name in register.hosts}
    for block in register.blocks():
        check_block(findings, block, allowed)
    for block in register.orphan_vars:
        check_block(findings, block, allowed)
    check_orphans(findings, register)
    check_undefined_groups(findings, register)
    check_host_names(findings, register)
    for name, host in register.hosts.items():
        check_host(findings, register, merger, host, merged[name])
    check_unique(findings, register, merged)
    problems = sorted(set(findings.problems))
    owners = {p: findings.owners.get(p) for p in problems}
    return CheckResult(register, merged, problems, owners, merger)


def format_problems(problems: Iterable[Problem], base: Path | None = None) -> list[str]:
    """Each problem as ``file:line:column: RULE: message → fix``."""
    return [p.render(base) for p in problems]
