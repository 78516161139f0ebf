"""`opsbook lab` on the command line: help, env (also for molecule), bad input refused first."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsbook.cli import app
from opsbook.lab.molecule import molecule_vars
from opsbook.paths import ProjectPaths, project_paths

OPSBOOK = str(Path(sys.executable).parent / "opsbook")
runner = CliRunner()


def test_lab_help_lists_every_command() -> None:
    result = runner.invoke(app, ["lab", "--help"])
    assert result.exit_code == 0
    for command in ("up", "status", "down", "env"):
        assert command in result.output


def test_lab_up_help_names_its_options() -> None:
    result = runner.invoke(app, ["lab", "up", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in ("--hosts", "--devices", "--name", "--ssh-port-base", "--device-port-base"):
        assert option in result.output


def test_lab_env_prints_export_lines_for_podman() -> None:
    result = runner.invoke(app, ["lab", "env"])
    assert result.exit_code == 0
    root = project_paths().root
    assert result.output.splitlines() == [
        f"export CONTAINERS_CONF={root}/lab/podman/containers.conf",
        f"export CONTAINERS_STORAGE_CONF={root}/.opsbook/podman/storage.conf",
    ]


def test_lab_env_molecule_adds_the_image_and_the_apt_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, object] = {}

    def fake_ensure_image(paths: ProjectPaths, env: Mapping[str, str], **_: object) -> str:
        seen["storage"] = env["CONTAINERS_STORAGE_CONF"]
        return "localhost/opsbook-lab-debian12:abc123"

    monkeypatch.setattr("opsbook.lab.molecule.ensure_image", fake_ensure_image)
    paths = ProjectPaths(tmp_path)
    variables = molecule_vars(paths, {"CONTAINERS_STORAGE_CONF": "/x/storage.conf"})
    assert variables == {
        "OPSBOOK_LAB_IMAGE": "localhost/opsbook-lab-debian12:abc123",
        "OPSBOOK_APT_CACHE": str(tmp_path / ".opsbook" / "cache" / "apt"),
    }
    assert (tmp_path / ".opsbook/cache/apt/lists/partial").is_dir()
    assert (tmp_path / ".opsbook/cache/apt/archives/partial").is_dir()
    assert seen["storage"] == "/x/storage.conf", "the image is looked up in the project's podman storage"

    result = runner.invoke(app, ["lab", "env", "--molecule"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "export OPSBOOK_LAB_IMAGE=localhost/opsbook-lab-debian12:abc123" in lines
    assert any(line.startswith("export OPSBOOK_APT_CACHE=") for line in lines)
    assert any(line.startswith("export CONTAINERS_CONF=") for line in lines)


def test_bad_shape_is_a_usage_error_without_traceback() -> None:
    proc = subprocess.run(
        [OPSBOOK, "lab", "up", "--name", "opsbook-unit", "--hosts", "99"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "--hosts 99: a lab has 0 to 40 hosts" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (project_paths().lab_state / "opsbook-unit").exists()


def test_bad_name_is_a_usage_error() -> None:
    proc = subprocess.run(
        [OPSBOOK, "lab", "down", "--name", "Bad_Name"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "lab name 'Bad_Name' is not valid" in proc.stderr


def test_status_of_a_lab_that_is_not_up() -> None:
    result = runner.invoke(app, ["lab", "status", "--name", "opsbook-never-up"])
    assert result.exit_code == 1
    assert "lab opsbook-never-up is not up" in result.output


def test_unknown_lab_command_is_a_usage_error() -> None:
    result = runner.invoke(app, ["lab", "explode"])
    assert result.exit_code == 2
