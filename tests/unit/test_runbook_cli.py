"""``opsbook runbook list | check | show | run``: output and exit codes, in a throw-away project.

These stop before the runner (validation, targets, consent), so no playbook runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_runbook_support import make_project

from opsbook.paths import ProjectPaths
from opsbook.runbooks.exitcodes import ExitCode


def _cli(project: ProjectPaths, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPSBOOK_PROJECT": str(project.root), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from opsbook.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        check=False,
    )


def test_list_shows_every_runbook_with_its_risk(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    done = _cli(project, "runbook", "list")
    assert done.returncode == 0, done.stderr
    for name, risk in (("demo-fix", "changing"), ("demo-wipe", "destructive"), ("demo-look", "read-only")):
        assert name in done.stdout and risk in done.stdout


def test_list_and_check_flag_an_invalid_runbook(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    broken = project.runbooks / "demo-look.yml"
    broken.write_text(broken.read_text().replace("risk: read-only", "risk: readonly"))
    listing = _cli(project, "runbook", "list")
    assert listing.returncode == ExitCode.USAGE and "INVALID" in listing.stdout
    check = _cli(project, "runbook", "check")
    assert check.returncode == ExitCode.USAGE
    assert (
        "runbooks/demo-look.yml:8: risk: Input should be 'read-only', 'changing' or 'destructive'"
        in check.stdout
    )
    assert str(tmp_path) not in check.stdout  # paths relative to the project


def test_show_prints_parameters_and_the_knowledge_page(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    done = _cli(project, "runbook", "show", "demo-fix")
    assert done.returncode == 0, done.stderr
    assert "threshold" in done.stdout and "min 50; max 99" in done.stdout.replace("default 90; ", "")
    assert "one of gentle, thorough" in done.stdout
    assert "Escalation" in done.stdout


def test_run_with_a_bad_parameter_exits_2_and_runs_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    done = _cli(
        project, "runbook", "run", "demo-fix", "-p", "threshold=101", "-p", "mood=x", "--limit", "web1"
    )
    assert done.returncode == ExitCode.USAGE
    assert "threshold: 101 is above the maximum 99" in done.stderr
    assert "mood: unknown parameter" in done.stderr
    assert not project.runs.exists()


def test_run_without_a_terminal_and_without_yes_refuses(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    done = _cli(project, "runbook", "run", "demo-wipe", "--limit", "web1", stdin="1\n")
    assert done.returncode == ExitCode.REFUSED
    assert "needs your confirmation, but there is no terminal to ask on; nothing was run" in done.stderr
    assert "pass --yes" in done.stderr
    assert not project.runs.exists()


def test_run_on_no_matching_host_exits_4(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    done = _cli(project, "runbook", "run", "demo-fix", "--limit", "ghost", "--yes")
    assert done.returncode == ExitCode.TARGETS
    assert "no hosts match 'linux' within --limit 'ghost'" in done.stderr


def test_unknown_runbook_exits_2(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    done = _cli(project, "runbook", "run", "nope")
    assert done.returncode == ExitCode.USAGE
    assert "no runbook named 'nope'" in done.stderr
