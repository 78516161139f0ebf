"""Calling podman with the project's own configuration.

podman here needs two configuration files that the project carries instead of /etc:
``lab/podman/containers.conf`` (runc, ulimits within the hard limits) and a ``storage.conf``
generated under ``.opsbook/podman/`` (overlay, image and container storage inside the project).
Every process that calls podman, ansible or molecule must see both through the environment
returned by :func:`podman_env`, or it will not find the lab's images and containers.
The variables themselves come from :mod:`opsbook.base.environment`, which the runner uses too.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from opsbook.base import environment
from opsbook.errors import OpsbookError
from opsbook.paths import ProjectPaths, project_paths

INSTALL_HINT = "install it: apt-get install -y podman runc"


def containers_conf_path(paths: ProjectPaths) -> Path:
    return environment.containers_conf_path(paths.root)


def podman_state_dir(paths: ProjectPaths) -> Path:
    return environment.podman_state_dir(paths.state_root)


def storage_conf_path(paths: ProjectPaths) -> Path:
    return environment.storage_conf_path(paths.state_root)


storage_conf_text = environment.storage_conf_text


def ensure_storage_conf(paths: ProjectPaths) -> Path:
    """Write ``.opsbook/podman/storage.conf`` unless it already holds the expected text."""
    return environment.ensure_storage_conf(paths.state_root)


def podman_vars(paths: ProjectPaths | None = None) -> dict[str, str]:
    """Only the two variables podman needs (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF); the lab
    cannot work without the project's containers.conf, so its absence is an error here."""
    paths = paths or project_paths()
    containers_conf = containers_conf_path(paths)
    if not containers_conf.is_file():
        raise OpsbookError(
            f"{containers_conf} is missing: it carries podman's settings for this machine.",
            hint="restore it from git: git checkout lab/podman/containers.conf",
        )
    return environment.podman_vars(paths.root, paths.state_root)


def podman_env(paths: ProjectPaths | None = None) -> dict[str, str]:
    """``os.environ`` plus the project's podman configuration variables."""
    env = dict(os.environ)
    env.update(podman_vars(paths))
    return env


def export_lines(variables: Mapping[str, str]) -> list[str]:
    """``export NAME=value`` lines a POSIX shell can ``eval``."""
    return [f"export {name}={shlex.quote(value)}" for name, value in sorted(variables.items())]


def podman_executable() -> str:
    exe = shutil.which("podman")
    if exe is None:
        raise OpsbookError(
            "podman is not installed; the lab's Linux hosts are podman containers.", hint=INSTALL_HINT
        )
    return exe


def podman(
    *args: str,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    timeout: float | None = 300,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``podman ARGS`` with the project's configuration; output is captured as text.

    With ``check`` (the default) a non-zero exit raises :class:`OpsbookError` naming the
    command and podman's own message.
    """
    cmd = [podman_executable(), *args]
    try:
        proc = subprocess.run(
            cmd,
            env=dict(env) if env is not None else podman_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input_text,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OpsbookError(
            f"podman {_short(args)} did not finish within {timeout:.0f} s.",
            hint="check `podman ps -a` (with `eval $(opsbook lab env)`) and the machine's load",
        ) from exc
    if check and proc.returncode != 0:
        said = _last_lines(proc.stderr or proc.stdout)
        raise OpsbookError(
            f"podman {_short(args)} failed (exit {proc.returncode}): {said}",
            hint="run it by hand after `eval $(opsbook lab env)` to see everything podman says",
        )
    return proc


def _short(args: Sequence[str], limit: int = 6) -> str:
    shown = " ".join(shlex.quote(a) for a in args[:limit])
    return shown + (" …" if len(args) > limit else "")


def _last_lines(text: str, count: int = 3) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-count:]) if lines else "(no output)"
