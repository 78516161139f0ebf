"""Every help screen reads cleanly at 80 columns: no type noise, no eaten placeholders."""

from __future__ import annotations

import re

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from opsbook.cli import app


def _commands() -> list[list[str]]:
    """Every command path of the CLI: [], ["lab"], ["lab", "up"], …"""
    root = get_command(app)
    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        paths.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(root, [])
    return paths


COMMANDS = _commands()


def test_the_cli_has_its_jobs() -> None:
    tops = {tuple(p) for p in COMMANDS if len(p) == 1}
    assert {("health",), ("run",), ("audit",), ("runbook",), ("history",), ("net",), ("lab",)} <= tops


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "opsbook")
def test_help_has_no_type_noise_or_eaten_placeholders(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    text = result.output
    assert "<bool>" not in text
    assert not re.search(r"<list\[|<int range>|<float range>|<str>|<Path>|<text>", text), text
    # markdown help eats <placeholder> as an HTML tag: "health-<run id>.json" became "health-.json"
    assert not re.search(r"[-/_]\.(json|html|cfg)\b|//\)", text), text
    assert not re.search(r"Usage: .*\{[a-z_]+\}", text), text


def test_flags_show_no_type_and_options_show_their_metavar() -> None:
    result = CliRunner().invoke(app, ["health", "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"})
    line = next(ln for ln in result.output.splitlines() if "--help" in ln)
    assert "bool" not in line.lower()
    inventory = next(ln for ln in result.output.splitlines() if "--inventory" in ln)
    assert "PATH" in inventory
