"""Who ran what from which code: the operator's identity, repository commit, tool versions."""

from __future__ import annotations

import getpass
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from opsbook import __version__


@dataclass(frozen=True)
class Operator:
    name: str
    #: where the name came from: OPSBOOK_OPERATOR, SUDO_USER, USER, git user.name or login
    source: str


#: accounts that say nothing about who the operator is
_ANONYMOUS = frozenset({"root", "ansible", "opsbook", ""})


def operator(root: Path | None = None) -> Operator:
    """Who ran it: the first name known of ``$OPSBOOK_OPERATOR``, ``$SUDO_USER`` (the person behind
    sudo), ``$USER`` unless it is root, git's ``user.name`` in the project, then the login name.

    "root" only when nothing else names the person.
    """
    for variable in ("OPSBOOK_OPERATOR", "SUDO_USER", "USER"):
        value = os.environ.get(variable, "").strip()
        if value and value not in _ANONYMOUS:
            return Operator(value, variable)
    name = _git(root or Path.cwd(), "config", "user.name")
    if name:
        return Operator(name, "git user.name")
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = f"uid-{os.getuid()}"
    return Operator(login, "login")


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def repository(root: Path) -> dict[str, Any]:
    """The commit the runbook ran from, and whether tracked files differed from it."""
    commit = _git(root, "rev-parse", "HEAD")
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    return {
        "opsbook": __version__,
        "ansible_core": _version("ansible-core"),
        "ansible_runner": _version("ansible-runner"),
        "python": platform.python_version(),
    }
