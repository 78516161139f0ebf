"""The run history: the hash chain detects edited, removed and unindexed records and rows."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest
from test_records_support import cli
from test_runbook_support import ScriptedUi, failed, fixed_and_verified, make_engine, make_project

from opsbook.errors import OpsbookError
from opsbook.paths import ProjectPaths, project_paths
from opsbook.records.history import History, chain_hash
from opsbook.results import TaskResult
from opsbook.runbooks.engine import RunRequest, rerun_request
from opsbook.runbooks.exitcodes import ExitCode


def in_context(root: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectPaths:
    """The project's paths in the context the CLI resolves (ansible.cfg's register)."""
    for name in ("OPSBOOK_CUSTOMER", "OPSBOOK_LAB", "ANSIBLE_INVENTORY", "OPSBOOK_OPERATOR", "SUDO_USER"):
        monkeypatch.delenv(name, raising=False)
    return project_paths(make_project(root).root)


@pytest.fixture
def three_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ProjectPaths, list[str]]:
    monkeypatch.setenv("USER", "bob")
    project = in_context(tmp_path / "project", monkeypatch)
    engine, _ = make_engine(project, ScriptedUi(tty=False))
    ids = []
    for host in ("web1", "web2", "db1"):
        outcome = engine.run(RunRequest("demo-fix", limit=host, yes=True, ticket=f"INC-{host}"))
        assert outcome.record is not None
        ids.append(outcome.record.id)
    return project, ids


def _problems(project: ProjectPaths) -> list[str]:
    return [str(i) for i in History(project.state).verify()]


def test_an_untouched_history_verifies(three_runs: tuple[ProjectPaths, list[str]]) -> None:
    project, ids = three_runs
    entries = History(project.state).entries()
    assert [e.id for e in entries] == ids
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == "0" * 64
    assert entries[1].prev_hash == entries[0].hash and entries[2].prev_hash == entries[1].hash
    assert _problems(project) == []


def test_an_edited_record_is_detected(three_runs: tuple[ProjectPaths, list[str]]) -> None:
    project, ids = three_runs
    path = project.runs / ids[1] / "record.json"
    data = json.loads(path.read_text())
    data["outcome"] = "ok"
    data["operator"] = "mallory"
    path.write_text(json.dumps(data, indent=2))
    assert _problems(project) == [
        f"{ids[1]}: record edited: runs/{ids[1]}/record.json differs from the indexed hash"
    ]


def test_a_removed_record_is_detected(three_runs: tuple[ProjectPaths, list[str]]) -> None:
    project, ids = three_runs
    (project.runs / ids[0] / "record.json").unlink()
    assert _problems(project) == [f"{ids[0]}: record removed: runs/{ids[0]}/record.json is missing"]


def _sql(project: ProjectPaths, statement: str, *args: object) -> None:
    conn = sqlite3.connect(project.state / "history.sqlite")
    conn.execute(statement, args)
    conn.commit()
    conn.close()


def test_a_removed_index_row_breaks_the_chain(three_runs: tuple[ProjectPaths, list[str]]) -> None:
    project, ids = three_runs
    _sql(project, "DELETE FROM runs WHERE id = ?", ids[1])
    problems = _problems(project)
    assert f"{ids[2]}: index rows before #3 were removed (expected #2)" in problems
    assert f"{ids[2]}: chain broken: the previous index row was removed or edited" in problems
    assert f"{ids[1]}: record not in the history index: runs/{ids[1]}/record.json" in problems


def test_an_edited_index_row_is_detected(three_runs: tuple[ProjectPaths, list[str]]) -> None:
    project, ids = three_runs
    _sql(project, "UPDATE runs SET outcome = 'ok', ticket = 'INC-X' WHERE id = ?", ids[0])
    assert _problems(project) == [f"{ids[0]}: index row edited: its chain hash does not match its contents"]


def test_removing_the_newest_run_entirely_is_detected_by_the_head(
    three_runs: tuple[ProjectPaths, list[str]],
) -> None:
    project, ids = three_runs
    _sql(project, "DELETE FROM runs WHERE id = ?", ids[2])
    (project.runs / ids[2] / "record.json").unlink()
    assert _problems(project) == ["(head): the newest runs were removed: head is #3, index ends at #2"]


def test_a_rebuilt_row_with_a_fresh_hash_still_breaks_the_next_link(
    three_runs: tuple[ProjectPaths, list[str]],
) -> None:
    project, ids = three_runs
    history = History(project.state)
    first = history.entries()[0]
    forged = first.__class__(**{**first.__dict__, "ticket": "INC-forged"})
    _sql(
        project, "UPDATE runs SET ticket = ?, hash = ? WHERE id = ?", "INC-forged", chain_hash(forged), ids[0]
    )
    assert _problems(project) == [f"{ids[1]}: chain broken: the previous index row was removed or edited"]


def test_verify_waits_while_a_run_writes_its_record(three_runs: tuple[ProjectPaths, list[str]]) -> None:
    project, _ = three_runs
    history = History(project.state)
    results: list[list[str]] = []
    with history.writing():
        reader = threading.Thread(target=lambda: results.append([str(i) for i in history.verify()]))
        reader.start()
        reader.join(timeout=0.3)
        assert reader.is_alive() and results == []  # blocked: a record may be half-way indexed
    reader.join(timeout=10)
    assert results == [[]]


def test_get_accepts_a_unique_prefix(three_runs: tuple[ProjectPaths, list[str]]) -> None:
    project, ids = three_runs
    history = History(project.state)
    assert history.get(ids[0]).id == ids[0]
    with pytest.raises(OpsbookError, match="no run 'nope'"):
        history.get("nope")


def test_cli_history_verify_exits_9_when_tampered(three_runs: tuple[ProjectPaths, list[str]]) -> None:
    project, ids = three_runs
    done = cli(project, "history", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "history intact: 3 run(s)" in done.stdout
    (project.runs / ids[1] / "record.json").write_text("{}")
    done = cli(project, "history", "verify")
    assert done.returncode == ExitCode.HISTORY_BROKEN
    assert f"{ids[1]}: record edited" in done.stdout


def test_cli_history_list_and_show(three_runs: tuple[ProjectPaths, list[str]]) -> None:
    project, ids = three_runs
    listing = cli(project, "history", "list", "--ticket", "INC-web2")
    assert listing.returncode == 0 and ids[1] in listing.stdout and ids[0] not in listing.stdout
    shown = cli(project, "history", "show", ids[2][:30])
    assert shown.returncode == 0, shown.stderr
    assert "Service report" in shown.stdout and "INC-db1" in shown.stdout
    raw = cli(project, "history", "show", ids[0], "--json")
    assert json.loads(raw.stdout)["id"] == ids[0]


def test_cli_rerun_refuses_an_edited_record(three_runs: tuple[ProjectPaths, list[str]]) -> None:
    project, ids = three_runs
    path = project.runs / ids[0] / "record.json"
    path.write_text(path.read_text().replace('"web1"', '"db1"'))
    done = cli(project, "history", "rerun", ids[0], "--yes")
    assert done.returncode == 1
    assert "was edited or removed since it was indexed; not re-running it" in done.stderr


def test_cli_rerun_failed_with_nothing_failed_says_so(three_runs: tuple[ProjectPaths, list[str]]) -> None:
    project, ids = three_runs
    done = cli(project, "history", "rerun", ids[0], "--failed", "--yes")
    assert done.returncode == 1
    assert "has no failed or unreachable host; nothing to re-run" in done.stderr


def test_rerun_failed_runs_only_the_failed_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "carol")
    project = make_project(tmp_path / "project")

    def web2_fails_once(purpose: str, host: str) -> list[TaskResult]:
        if purpose == "apply" and host == "web2" and not calls:
            calls.append(host)
            return [failed(host, "Rotate logs", "busy")]
        return fixed_and_verified(purpose, host)

    calls: list[str] = []
    engine, runner = make_engine(project, ScriptedUi(tty=False), web2_fails_once)
    first = engine.run(RunRequest("demo-fix", limit="web1,web2", yes=True, ticket="INC-9"))
    assert first.exit_code is ExitCode.FAILED and first.record is not None
    second = engine.run(rerun_request(first.record, failed_only=True, params={}, yes=True))
    assert second.exit_code is ExitCode.OK and second.record is not None
    assert runner.calls[-1]["limit"] == "web2"
    assert second.record.rerun_of == first.record.id and second.record.ticket == "INC-9"
    assert History(project.state).verify() == []
