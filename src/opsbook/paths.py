"""Where things live: the project (the Ansible repository) and opsbook's own state folder.

The project root is the folder holding ``ansible.cfg`` and ``playbooks/``. It is found from
``$OPSBOOK_PROJECT``, else by walking up from the current directory, else from this package's
own location (an editable install inside the repository).

opsbook's state lives under ``.opsbook/``. What belongs to one customer (runs, audits, history,
network backups, reports, schedules' logs) lives in that customer's own folder,
``.opsbook/customers/<name>/`` (:attr:`ProjectPaths.state`); what the whole project shares (labs,
podman storage, caches, the remembered context) stays in ``.opsbook/`` (:attr:`ProjectPaths.state_root`).
Which customer: :mod:`opsbook.context` (docs/context.md).
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path


class ProjectNotFoundError(RuntimeError):
    """Raised when no opsbook project (ansible.cfg + playbooks/) can be found."""


def _is_project(path: Path) -> bool:
    return (path / "ansible.cfg").is_file() and (path / "playbooks").is_dir()


def find_project_root(start: Path | None = None) -> Path:
    env = os.environ.get("OPSBOOK_PROJECT")
    if env:
        root = Path(env).resolve()
        if not _is_project(root):
            raise ProjectNotFoundError(
                f"OPSBOOK_PROJECT={env} does not hold ansible.cfg and playbooks/; "
                "point it at the opsbook repository or unset it."
            )
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _is_project(candidate):
            return candidate
    package_repo = Path(__file__).resolve().parents[2]
    if _is_project(package_repo):
        return package_repo
    raise ProjectNotFoundError(
        "No opsbook project found: run opsbook inside the repository (the folder with "
        "ansible.cfg and playbooks/) or set OPSBOOK_PROJECT."
    )


DEFAULT_LAB = "opsbook"  # the lab whose inventory is inventory/lab (ansible.cfg's default)


@dataclass(frozen=True)
class ProjectPaths:
    """Every well-known location of one project, in one customer context.

    Build with :func:`project_paths` (which resolves the context). ``ProjectPaths(root)`` alone has
    no context: its state is ``.opsbook/`` itself and its inventory is ansible.cfg's (unit tests).
    """

    root: Path
    #: the context's name (a customer or a lab); None: no context
    customer: str | None = None
    #: the context's register (inventory sources); empty: ansible.cfg's inventory
    inventory_sources: tuple[Path, ...] = ()

    @property
    def ansible_cfg(self) -> Path:
        return self.root / "ansible.cfg"

    @property
    def playbooks(self) -> Path:
        return self.root / "playbooks"

    @property
    def roles(self) -> Path:
        return self.root / "roles"

    @property
    def inventory(self) -> Path:
        return self.root / "inventory"

    @property
    def lab_inventory(self) -> Path:
        return self.root / "inventory" / "lab"

    @property
    def inventories(self) -> list[Path]:
        """The context's inventory sources: what every command reads when ``-i`` is not given."""
        return list(self.inventory_sources) or ansible_cfg_inventory(self.root)

    @property
    def runbooks(self) -> Path:
        return self.root / "runbooks"

    @property
    def state_root(self) -> Path:
        """opsbook's own folder (ignored by git): labs, podman storage, caches, the remembered context."""
        return self.root / ".opsbook"

    @property
    def state(self) -> Path:
        """The context's state: runs, audits, history, network backups, reports."""
        if self.customer is None:
            return self.state_root
        return self.state_root / "customers" / self.customer

    @property
    def runs(self) -> Path:
        return self.state / "runs"

    @property
    def lab_state(self) -> Path:
        """Every lab's state (shared by all contexts: a lab is a context of its own)."""
        return self.state_root / "lab"

    def lab_dir(self, name: str) -> Path:
        return self.lab_state / name

    def lab_inventory_dir(self, name: str) -> Path:
        """The default lab writes ``inventory/lab/``; any other lab its own state folder."""
        return self.lab_inventory if name == DEFAULT_LAB else self.lab_dir(name) / "inventory"

    @property
    def reports(self) -> Path:
        return self.state / "reports"


def ansible_cfg_inventory(root: Path) -> list[Path]:
    """``[defaults] inventory`` of the project's ansible.cfg (comma-separated, relative to it)."""
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";", "#"))
    try:
        parser.read(root / "ansible.cfg", encoding="utf-8")
        value = parser.get("defaults", "inventory", fallback="").strip()
    except configparser.Error:
        value = ""
    items = [item.strip() for item in value.split(",") if item.strip()]
    return [(root / item).resolve() for item in items] or [root / "inventory" / "lab"]


def project_paths(start: Path | None = None) -> ProjectPaths:
    """The project's paths in the current customer context (see :mod:`opsbook.context`)."""
    from opsbook.context import current  # noqa: PLC0415  (context builds on this module)

    return current(find_project_root(start)).paths
