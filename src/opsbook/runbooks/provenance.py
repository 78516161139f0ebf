"""Who ran what from which code: operator, repository commit, tool versions."""

from __future__ import annotations

import getpass
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from opsbook import __version__


def operator() -> str:
    """$USER if set, else the login name from the password database."""
    user = os.environ.get("USER", "").strip()
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid-{os.getuid()}"


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
