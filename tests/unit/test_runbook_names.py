"""Runbook names are names, not paths (issue 10.6): nothing outside runbooks/ or playbooks/ runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from opsbook.errors import UsageError
from opsbook.runbooks.loader import check_runbook, find_runbook, runbook_path

RUNBOOK = """\
title: Look at the demo
category: audit
summary: Reads things.
playbook: demo.yml
targets:
  pattern: linux
risk: read-only
verifies: false
report:
  problem: Evidence.
"""
PLAYBOOK = "- name: Demo\n  hosts: linux\n  gather_facts: false\n  tasks: []\n"
PAGE = "# demo\n\n" + "".join(
    f"## {s}\n{s}\n\n" for s in ("Symptoms", "Diagnosis", "Procedure", "Escalation", "References")
)
RUNBOOKS = {"demo-fix": RUNBOOK, "demo-look": RUNBOOK, "demo-wipe": RUNBOOK}


def make_project(root: Path) -> None:
    (root / "playbooks").mkdir(parents=True)
    (root / "runbooks").mkdir()
    (root / "playbooks" / "demo.yml").write_text(PLAYBOOK)
    for name, text in RUNBOOKS.items():
        (root / "runbooks" / f"{name}.yml").write_text(text)
        (root / "runbooks" / f"{name}.md").write_text(PAGE)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    make_project(root)
    # a runbook-looking file outside runbooks/: what `../` reached before
    outside = tmp_path / "evil.yml"
    shutil.copy(root / "runbooks" / "demo-look.yml", outside)
    shutil.copy(root / "runbooks" / "demo-look.md", tmp_path / "evil.md")
    (root / "playbooks" / "evil.yml").write_text((root / "playbooks" / "demo.yml").read_text())
    return root


@pytest.mark.parametrize(
    "name",
    [
        "../../evil",
        "../runbooks/demo-look",
        "demo-look.yml",
        "sub/demo-look",
        "/etc/passwd",
        "Demo-Look",
        "",
        "demo-look\n",
    ],
)
def test_a_path_is_refused_as_a_runbook_name(project: Path, name: str) -> None:
    with pytest.raises(UsageError, match="is not a runbook name") as err:
        find_runbook(name, project / "runbooks", project / "playbooks")
    assert err.value.hint.startswith("known runbooks: demo-fix, demo-look, demo-wipe")


def test_the_issue_example_does_not_reach_the_file_outside(project: Path) -> None:
    """`runbook run ../evil` ran runbooks/../evil.yml before."""
    assert (project / "runbooks" / ".." / ".." / "evil.yml").is_file()
    with pytest.raises(UsageError, match="not a runbook name"):
        runbook_path("../../evil", project / "runbooks")


def test_a_symlink_out_of_runbooks_is_no_runbook(project: Path, tmp_path: Path) -> None:
    (project / "runbooks" / "linked.yml").symlink_to(tmp_path / "evil.yml")
    with pytest.raises(UsageError, match="no runbook named 'linked'"):
        runbook_path("linked", project / "runbooks")


def test_a_name_finds_its_runbook(project: Path) -> None:
    assert runbook_path("demo-look", project / "runbooks") == project / "runbooks" / "demo-look.yml"
    assert find_runbook("demo-look", project / "runbooks", project / "playbooks").name == "demo-look"


@pytest.mark.parametrize("playbook", ["../../evil.yml", "/etc/hosts", "../runbooks/demo-look.yml"])
def test_a_runbook_playbook_outside_playbooks_is_a_problem(project: Path, playbook: str) -> None:
    text = RUNBOOK.replace("playbook: demo.yml", f"playbook: {playbook}")
    path = project / "runbooks" / "demo-look.yml"
    path.write_text(text)
    _, problems = check_runbook(path, project / "playbooks")
    assert [p.line for p in problems] == [4]
    assert "is not a playbook file under" in problems[0].message


def test_a_rollback_playbook_outside_playbooks_is_a_problem(project: Path) -> None:
    text = RUNBOOK.replace("risk: read-only", "risk: changing") + "rollback:\n  playbook: ../../evil.yml\n"
    path = project / "runbooks" / "demo-look.yml"
    path.write_text(text)
    _, problems = check_runbook(path, project / "playbooks")
    assert [
        "rollback playbook ../../evil.yml is not a playbook file under" in p.message for p in problems
    ] == [True]
