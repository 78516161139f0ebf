"""The customer context: which register (inventory) a command works on, and where its state lives.

A *context* is a named register. Three kinds (docs/context.md):

- a **customer**: a folder ``inventory/<name>/`` (its display name, optionally, in
  ``inventory/<name>/.customer.yml``: ``display_name: ACME Logistics``; a hidden file, so that
  neither Ansible nor the register reader takes it for inventory);
- a **lab**: ``opsbook`` (the default lab, ``inventory/lab/``; ``lab`` is another name for it) or
  any lab brought up with ``opsbook lab up --name NAME`` (``.opsbook/lab/NAME/inventory``);
- an **inventory** named by ``$ANSIBLE_INVENTORY`` or ansible.cfg that is neither: its name is
  ``inventory-<hash of its paths>``.

Which one, first match wins::

    opsbook --customer NAME …      the flag
    $OPSBOOK_CUSTOMER              a customer or lab name
    $OPSBOOK_LAB                   a lab name (also honoured by `opsbook lab`)
    $ANSIBLE_INVENTORY             inventory paths (comma-separated), like ansible-playbook
    opsbook use NAME               remembered in .opsbook/context.json
    ansible.cfg                    its [defaults] inventory: the default lab

Every context keeps its own state in ``.opsbook/customers/<name>/`` (:attr:`ProjectPaths.state`):
runs, audits, history, network backups, reports. ``-i`` on a command changes only the inventory
it reads, never the state folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from opsbook.base.clock import now_iso
from opsbook.base.files import atomic_write
from opsbook.errors import OpsbookError, UsageError
from opsbook.paths import DEFAULT_LAB, ProjectPaths, ansible_cfg_inventory, find_project_root

CUSTOMER_FILE = ".customer.yml"
REMEMBERED_FILE = "context.json"
LAB_ALIAS = "lab"  # inventory/lab is the default lab's folder: `--customer lab` is that lab
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_CUSTOMER_FILE = 64 * 1024

Kind = Literal["customer", "lab", "inventory"]
#: where the choice came from, highest precedence first
SOURCES = (
    "--customer",
    "$OPSBOOK_CUSTOMER",
    "$OPSBOOK_LAB",
    "$ANSIBLE_INVENTORY",
    "opsbook use",
    "ansible.cfg",
)


class ContextError(UsageError):
    """The context named cannot be used (unknown, ambiguous, unreadable); nothing was touched."""


class NoTargetsError(OpsbookError):
    """A command found nothing to work on: never a silent success (exit 4, as runbooks' "no targets")."""

    exit_code = 4


@dataclass(frozen=True)
class Context:
    """One customer context: its name, kind, register and state folder."""

    name: str
    kind: Kind
    display_name: str
    inventories: tuple[Path, ...]
    #: where the choice came from (one of :data:`SOURCES`)
    source: str
    root: Path

    @property
    def paths(self) -> ProjectPaths:
        return ProjectPaths(self.root, customer=self.name, inventory_sources=self.inventories)

    @property
    def state(self) -> Path:
        return self.paths.state

    def describe(self) -> str:
        """e.g. ``customer acme (ACME Logistics), from $OPSBOOK_CUSTOMER``."""
        shown = f" ({self.display_name})" if self.display_name != self.name else ""
        return f"{self.kind} {self.name}{shown}, from {self.source}"


def check_name(name: str, source: str) -> str:
    if not NAME_RE.match(name):
        raise ContextError(
            f"{source} {name!r} is not a customer name",
            hint="customer names are folders inventory/NAME/ or lab names: lower-case letters, digits, "
            "'-' and '_' (see `opsbook use --list`)",
        )
    return name


def _display_name(folder: Path, name: str) -> str:
    path = folder / CUSTOMER_FILE
    if not path.is_file():
        return name
    if path.stat().st_size > MAX_CUSTOMER_FILE:
        raise ContextError(f"{path}: larger than {MAX_CUSTOMER_FILE} bytes", hint="it holds one display_name")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ContextError(f"{where}: not valid YAML ({exc.problem})", hint="fix the line named") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContextError(f"{path}: cannot be read ({exc})") from exc
    if data is None:
        return name
    value = data.get("display_name") if isinstance(data, dict) else None
    if not isinstance(value, str) or not value.strip() or set(data) - {"display_name"}:
        raise ContextError(
            f"{path}:1:1: expected only `display_name: <text>`",
            hint="e.g. display_name: ACME Logistics",
        )
    return value.strip()


def _lab_inventory(paths: ProjectPaths, name: str) -> Path | None:
    """A lab's inventory folder, when the lab exists (the default lab always does)."""
    if name == DEFAULT_LAB:
        return paths.lab_inventory
    state = paths.lab_dir(name) / "state.json"
    if not state.is_file():
        return None
    try:
        recorded = json.loads(state.read_text(encoding="utf-8")).get("inventory_dir")
    except (OSError, ValueError, AttributeError):
        recorded = None
    return Path(recorded) if isinstance(recorded, str) and recorded else paths.lab_inventory_dir(name)


def lookup(root: Path, name: str, source: str) -> Context | None:
    """The context called ``name`` (a customer folder or a lab), None when there is none."""
    check_name(name, source)
    paths = ProjectPaths(root)
    if name == LAB_ALIAS:
        name = DEFAULT_LAB
    folder = paths.inventory / name
    customer = folder.is_dir() and name != LAB_ALIAS
    lab = _lab_inventory(paths, name)
    if customer and lab is not None:
        raise ContextError(
            f"{source} {name!r} is both a customer (inventory/{name}/) and a lab (.opsbook/lab/{name}/)",
            hint=f"take the lab down and bring it up under another name: opsbook lab down --name {name}",
        )
    if customer:
        return Context(name, "customer", _display_name(folder, name), (folder.resolve(),), source, root)
    if lab is not None:
        return Context(name, "lab", name, (lab,), source, root)
    return None


def _require(root: Path, name: str, source: str) -> Context:
    found = lookup(root, name, source)
    if found is None:
        known = ", ".join(c.name for c in declared(root)) or "none"
        raise ContextError(
            f"{source} names {name!r}, which is neither a customer (inventory/{name}/) nor a lab that is up",
            hint=f"known contexts: {known}; a customer is a folder inventory/NAME/, a lab comes from "
            f"`opsbook lab up --name {name}`",
        )
    return found


def _from_sources(root: Path, sources: list[Path], source: str) -> Context:
    """The context whose register these inventory paths are, else an ad-hoc ``inventory-<hash>``."""
    resolved = tuple(p.resolve() for p in sources)
    for known in declared(root):
        if tuple(p.resolve() for p in known.inventories) == resolved:
            return Context(known.name, known.kind, known.display_name, known.inventories, source, root)
    digest = hashlib.sha256("\n".join(str(p) for p in resolved).encode()).hexdigest()[:8]
    shown = ", ".join(str(p) for p in resolved)
    return Context(f"inventory-{digest}", "inventory", shown, resolved, source, root)


def remembered_path(root: Path) -> Path:
    return ProjectPaths(root).state_root / REMEMBERED_FILE


def remembered(root: Path) -> str | None:
    """The name `opsbook use` remembered, if any."""
    path = remembered_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ContextError(f"{path} is not readable ({exc})", hint="opsbook use --clear") from exc
    name = data.get("customer") if isinstance(data, dict) else None
    if not isinstance(name, str):
        raise ContextError(f"{path} names no customer", hint="opsbook use --clear, then opsbook use NAME")
    return name


def remember(root: Path, name: str) -> Context:
    """`opsbook use NAME`: check the name, then remember it for this project."""
    found = _require(root, name, "opsbook use")
    text = json.dumps({"customer": found.name, "since": now_iso()}, indent=1) + "\n"
    atomic_write(remembered_path(root), text)
    return found


def forget(root: Path) -> bool:
    """`opsbook use --clear`; True when something was remembered."""
    path = remembered_path(root)
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed


def resolve(root: Path, *, flag: str | None = None, env: Mapping[str, str] | None = None) -> Context:
    """The context, by :data:`SOURCES`' precedence (the flag first, ansible.cfg last)."""
    env = os.environ if env is None else env
    if flag:
        return _require(root, flag, "--customer")
    if env.get("OPSBOOK_CUSTOMER", "").strip():
        return _require(root, env["OPSBOOK_CUSTOMER"].strip(), "$OPSBOOK_CUSTOMER")
    lab = env.get("OPSBOOK_LAB", "").strip()
    if lab:
        check_name(lab, "$OPSBOOK_LAB")
        name = DEFAULT_LAB if lab == LAB_ALIAS else lab
        # a lab that is not up yet is still its context: `opsbook lab up` creates it
        inventory = _lab_inventory(ProjectPaths(root), name) or ProjectPaths(root).lab_inventory_dir(name)
        return Context(name, "lab", name, (inventory,), "$OPSBOOK_LAB", root)
    ansible = [p.strip() for p in env.get("ANSIBLE_INVENTORY", "").split(",") if p.strip()]
    if ansible:
        return _from_sources(root, [(root / p) for p in ansible], "$ANSIBLE_INVENTORY")
    chosen = remembered(root)
    if chosen is not None:
        return _require(root, chosen, "opsbook use")
    return _from_sources(root, ansible_cfg_inventory(root), "ansible.cfg")


def declared(root: Path) -> list[Context]:
    """Every context that exists: customer folders, the default lab, labs that are up."""
    paths = ProjectPaths(root)
    names: list[str] = []
    if paths.inventory.is_dir():
        names += [d.name for d in sorted(paths.inventory.iterdir()) if d.is_dir() and NAME_RE.match(d.name)]
    names = [n for n in names if n != LAB_ALIAS] + [DEFAULT_LAB]
    if paths.lab_state.is_dir():
        names += [d.name for d in sorted(paths.lab_state.iterdir()) if (d / "state.json").is_file()]
    found: dict[str, Context] = {}
    for name in names:
        if name in found or not NAME_RE.match(name):
            continue
        try:
            context = lookup(root, name, "inventory")
        except ContextError:  # one customer's broken .customer.yml never blocks another's work
            continue
        if context is not None:
            found[name] = context
    return list(found.values())


# The CLI's --customer: chosen once in `opsbook`'s callback, seen by every project_paths() of
# the process and (through $OPSBOOK_CUSTOMER) by the processes it starts (ansible, modules).
_active: list[Context] = []


def activate(context: Context) -> None:
    _active.append(context)
    os.environ["OPSBOOK_CUSTOMER"] = context.name


def deactivate(previous_env: str | None) -> None:
    if _active:
        _active.pop()
    if previous_env is None:
        os.environ.pop("OPSBOOK_CUSTOMER", None)
    else:
        os.environ["OPSBOOK_CUSTOMER"] = previous_env


def current(root: Path) -> Context:
    """The context of this process for the project at ``root``."""
    for context in reversed(_active):
        if context.root == root:
            return context
    return resolve(root)


def _owner(paths: ProjectPaths) -> Context | None:
    """The context these paths were built for, when it can be named."""
    if paths.customer is None:
        return None
    in_force = current(paths.root)
    if in_force.name == paths.customer:
        return in_force
    try:
        return lookup(paths.root, paths.customer, "context")
    except ContextError:
        return None


#: sources of a context someone chose on purpose (not ansible.cfg's default, not an ad-hoc path)
CHOSEN = frozenset({"--customer", "$OPSBOOK_CUSTOMER", "$OPSBOOK_LAB", "opsbook use"})


def check_sources(sources: Sequence[Path | str] | None, *, root: Path | None = None) -> None:
    """Refuse ``-i`` naming another customer's register while a customer was chosen.

    The state goes to the chosen customer: another customer's devices would land in its backup
    store, history and reports. ``-i`` of anything else (a scratch inventory) is fine.
    """
    if not sources:
        return
    root = root or find_project_root()
    chosen = current(root)
    if chosen.source not in CHOSEN:
        return
    given = [_given_path(root, s) for s in sources]
    for other in declared(root):
        if other.name == chosen.name:
            continue
        for source in given:
            if any(source == p.resolve() or source.is_relative_to(p.resolve()) for p in other.inventories):
                raise ContextError(
                    f"-i {source} is the register of {other.kind} {other.name}, but the context is "
                    f"{chosen.describe()}: its results would be kept as {chosen.name}'s",
                    hint=f"work on it as that customer: opsbook --customer {other.name} … (without -i)",
                )


def _given_path(root: Path, source: Path | str) -> Path:
    path = Path(source).expanduser()
    if path.is_absolute():
        return path.resolve()
    here = Path.cwd() / path
    return (here if here.exists() else root / path).resolve()


def display_name(paths: ProjectPaths) -> str:
    """The customer's display name for records and reports (``.customer.yml``), else its name."""
    owner = _owner(paths)
    if owner is not None:
        return owner.display_name
    return paths.customer or ""


def require_targets(
    count: int,
    what: str,
    *,
    sources: Sequence[Path | str] | None = None,
    limit: str | None = None,
    paths: ProjectPaths | None = None,
) -> None:
    """Refuse (exit 4) when a command found nothing to work on; names the register and its context.

    ``sources``: the ``-i`` the command was given (None: the context's register).
    """
    if count > 0:
        return
    where = f" matching --limit {limit!r}" if limit else ""
    if sources:
        register = "the inventory " + ", ".join(str(p) for p in sources)
    else:
        here = paths or current(find_project_root()).paths
        owner = _owner(here)
        shown = ", ".join(str(p) for p in here.inventories)
        register = f"the register of {owner.describe()} ({shown})" if owner else f"the inventory {shown}"
    raise NoTargetsError(
        f"no {what}{where} in {register}: nothing was done",
        hint="choose the customer (opsbook --customer NAME, or opsbook use NAME; opsbook use --list "
        "shows them), pass -i INVENTORY, or start the lab (opsbook lab up)",
    )
