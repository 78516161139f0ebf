"""``opsbook history`` output people copy (issue 12.4): ``#N`` and ``last``, ``--json``, and run
ids, dates and paths never cut or wrapped — at 80 columns or piped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_records_support import cli
from test_runbook_support import ScriptedUi, make_engine, make_project

from opsbook.errors import OpsbookError
from opsbook.paths import ProjectPaths, project_paths
from opsbook.records.history import History
from opsbook.runbooks.engine import RunRequest


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectPaths:
    for name in ("OPSBOOK_CUSTOMER", "OPSBOOK_LAB", "ANSIBLE_INVENTORY", "SUDO_USER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPSBOOK_OPERATOR", "Jana Keller")
    # a deep folder: the record's path is far longer than 80 columns
    return project_paths(make_project(tmp_path / ("customer-project-" + "x" * 60) / "opsbook").root)


@pytest.fixture
def ids(project: ProjectPaths) -> list[str]:
    engine, _ = make_engine(project, ScriptedUi(tty=False))
    found = []
    for host, ticket in (("web1", "INC-1"), ("web2", "INC-2"), ("web1", "INC-3")):
        outcome = engine.run(RunRequest("demo-fix", limit=host, yes=True, ticket=ticket))
        assert outcome.record is not None
        found.append(outcome.record.id)
    return found


def test_get_takes_the_hash_number_a_bare_number_and_last(project: ProjectPaths, ids: list[str]) -> None:
    history = History(project.state)
    assert history.get("#2").id == ids[1]
    assert history.get("2").id == ids[1]
    assert history.get("last").id == ids[2]
    assert history.get(ids[0][:20] + ids[0][20:]).id == ids[0]
    with pytest.raises(OpsbookError, match="no run #9 in the history"):
        history.get("#9")


@pytest.mark.parametrize("columns", [80, None], ids=["80-columns", "piped"])
def test_list_keeps_ids_and_dates_whole(project: ProjectPaths, ids: list[str], columns: int | None) -> None:
    done = cli(project, "history", "list", columns=columns)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    entries = History(project.state).entries()
    for entry in entries:
        assert any(entry.id in line for line in lines), (entry.id, done.stdout)
        assert any(entry.started in line for line in lines), (entry.started, done.stdout)
    assert "#3" in done.stdout
    assert "…" not in done.stdout


def test_list_json(project: ProjectPaths, ids: list[str]) -> None:
    done = cli(project, "history", "list", "--json", "--ticket", "INC-2", columns=80)
    assert done.returncode == 0, done.stderr
    [run] = json.loads(done.stdout)
    assert run["id"] == ids[1] and run["seq"] == 2 and run["ticket"] == "INC-2"
    assert run["operator"] == "Jana Keller" and run["targets"] == ["web2"]
    assert f"runs/{ids[1]}/service-report.md" in run["files"]


@pytest.mark.parametrize("ref", ["#1", "1", "last"])
def test_show_accepts_the_listing_number_and_last(project: ProjectPaths, ids: list[str], ref: str) -> None:
    done = cli(project, "history", "show", ref, columns=80)
    assert done.returncode == 0, done.stderr
    expected = ids[2] if ref == "last" else ids[0]
    assert f"| Run | `{expected}` |" in done.stdout
    # the record's path whole on a line of its own, however narrow the console
    record = str(project.runs / expected / "record.json")
    assert record in [line.strip() for line in done.stdout.splitlines()]


def test_show_json_is_the_record(project: ProjectPaths, ids: list[str]) -> None:
    done = cli(project, "history", "show", "#2", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == ids[1]


def test_verify_json(project: ProjectPaths, ids: list[str]) -> None:
    report = project.runs / ids[0] / "service-report.md"
    report.write_text(report.read_text() + "\nedited\n")
    done = cli(project, "history", "verify", "--json")
    assert done.returncode == 9
    result = json.loads(done.stdout)
    assert result["intact"] is False and result["runs"] == 3
    assert result["problems"] == [
        {
            "run": ids[0],
            "problem": f"file edited: runs/{ids[0]}/service-report.md differs from the indexed hash",
        }
    ]
