"""podman with the project's configuration: storage.conf, the environment, clear errors."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from opsbook.errors import OpsbookError
from opsbook.lab import podman as podman_module
from opsbook.lab.podman import (
    ensure_storage_conf,
    export_lines,
    podman,
    podman_env,
    podman_vars,
    storage_conf_text,
)
from opsbook.paths import ProjectPaths


@pytest.fixture
def project(tmp_path: Path) -> ProjectPaths:
    conf = tmp_path / "lab" / "podman" / "containers.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text('[engine]\nruntime = "runc"\n', encoding="utf-8")
    return ProjectPaths(tmp_path)


def test_storage_conf_uses_overlay_inside_the_state_folder(tmp_path: Path) -> None:
    text = storage_conf_text(tmp_path / ".opsbook" / "podman")
    assert 'driver = "overlay"' in text
    assert f'graphroot = "{tmp_path}/.opsbook/podman/storage"' in text
    assert f'runroot = "{tmp_path}/.opsbook/podman/run"' in text
    assert text.splitlines()[1] == "[storage]"


def test_ensure_storage_conf_writes_once(project: ProjectPaths) -> None:
    conf = ensure_storage_conf(project)
    assert conf == project.root / ".opsbook" / "podman" / "storage.conf"
    assert conf.read_text(encoding="utf-8") == storage_conf_text(conf.parent)
    mtime = conf.stat().st_mtime_ns
    assert ensure_storage_conf(project) == conf
    assert conf.stat().st_mtime_ns == mtime


def test_podman_env_adds_both_variables_to_the_environment(project: ProjectPaths) -> None:
    env = podman_env(project)
    assert env["CONTAINERS_CONF"] == str(project.root / "lab" / "podman" / "containers.conf")
    assert env["CONTAINERS_STORAGE_CONF"] == str(project.root / ".opsbook" / "podman" / "storage.conf")
    assert env["PATH"] == os.environ["PATH"]
    assert set(podman_vars(project)) == {"CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF"}


def test_missing_containers_conf_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OpsbookError, match=r"containers\.conf is missing"):
        podman_vars(ProjectPaths(tmp_path))


def test_export_lines_are_shell_safe() -> None:
    lines = export_lines({"B": "/a b/c", "A": "x"})
    assert lines == ["export A=x", "export B='/a b/c'"]
    assert shlex.split(lines[1]) == ["export", "B=/a b/c"]


def test_missing_podman_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(podman_module.shutil, "which", lambda _name: None)
    with pytest.raises(OpsbookError) as err:
        podman("ps", env={})
    assert "podman is not installed" in err.value.message
    assert err.value.hint == "install it: apt-get install -y podman runc"


def test_a_failing_podman_command_is_an_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "podman"
    fake.write_text("#!/bin/sh\necho 'Error: no such container nope' >&2\nexit 125\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(podman_module.shutil, "which", lambda _name: str(fake))
    with pytest.raises(OpsbookError) as err:
        podman("rm", "nope", env={})
    assert "podman rm nope failed (exit 125)" in err.value.message
    assert "no such container nope" in err.value.message
    proc = podman("rm", "nope", env={}, check=False)
    assert isinstance(proc, subprocess.CompletedProcess)
    assert proc.returncode == 125
