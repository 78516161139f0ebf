"""Where things live: the project (the Ansible repository) and opsbook's own state folder.

The project root is the folder holding ``ansible.cfg`` and ``playbooks/``. It is found from
``$OPSBOOK_PROJECT``, else by walking up from the current directory, else from this package's
own location (an editable install inside the repository).
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class ProjectPaths:
    """Every well-known location of one project. Build with :func:`project_paths`."""

    root: Path

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
    def runbooks(self) -> Path:
        return self.root / "runbooks"

    @property
    def state(self) -> Path:
        """opsbook's own state (ignored by git): runs, lab state, podman storage, caches."""
        return self.root / ".opsbook"

    @property
    def runs(self) -> Path:
        return self.state / "runs"

    @property
    def lab_state(self) -> Path:
        return self.state / "lab"

    @property
    def reports(self) -> Path:
        return self.state / "reports"


def project_paths(start: Path | None = None) -> ProjectPaths:
    return ProjectPaths(find_project_root(start))
