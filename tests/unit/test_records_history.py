"""Tamper-evident history (issue 10.4): the chain covers every file a run wrote, and a damaged
history database is refused with a clear message, never a traceback.

Runs go through the real engine (records, reports, history); only the runner is scripted.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from test_records_support import cli
from test_runbook_support import ScriptedUi, make_engine, make_project

from opsbook.paths import ProjectPaths, project_paths
from opsbook.records.history import Entry, History, HistoryDamaged, chain_hash
from opsbook.runbooks.engine import RunRequest
from opsbook.runbooks.exitcodes import ExitCode


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectPaths:
    for name in ("OPSBOOK_CUSTOMER", "OPSBOOK_LAB", "ANSIBLE_INVENTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPSBOOK_OPERATOR", "Jana Keller")
    return project_paths(make_project(tmp_path / "project").root)


@pytest.fixture
def runs(project: ProjectPaths) -> list[str]:
    engine, _ = make_engine(project, ScriptedUi(tty=False))
    ids = []
    for host in ("web1", "web2"):
        outcome = engine.run(RunRequest("demo-fix", limit=host, yes=True, ticket=f"INC-{host}"))
        assert outcome.record is not None
        ids.append(outcome.record.id)
    return ids


def _problems(project: ProjectPaths) -> list[str]:
    return [str(i) for i in History(project.state).verify()]


def test_every_file_a_run_wrote_is_in_its_history_entry(project: ProjectPaths, runs: list[str]) -> None:
    entry = History(project.state).get(runs[0])
    assert entry.files is not None
    assert set(entry.files) == {
        f"runs/{runs[0]}/service-report.md",
        f"runs/{runs[0]}/service-report.html",
        f"runs/{runs[0]}/result.json",
        f"runs/{runs[0]}/stdout",
        f"runs/{runs[0]}-plan/result.json",
        f"runs/{runs[0]}-plan/stdout",
    }
    assert _problems(project) == []


def test_editing_the_service_report_fails_verify_naming_it(project: ProjectPaths, runs: list[str]) -> None:
    report = project.runs / runs[1] / "service-report.md"
    report.write_text(report.read_text().replace("web2: verified", "web2: verified by the customer"))
    assert _problems(project) == [
        f"{runs[1]}: file edited: runs/{runs[1]}/service-report.md differs from the indexed hash"
    ]


def test_editing_result_json_fails_verify_naming_it(project: ProjectPaths, runs: list[str]) -> None:
    result = project.runs / f"{runs[0]}-plan" / "result.json"
    data = json.loads(result.read_text())
    data["status"] = "failed"
    result.write_text(json.dumps(data))
    assert _problems(project) == [
        f"{runs[0]}: file edited: runs/{runs[0]}-plan/result.json differs from the indexed hash"
    ]


def test_removed_and_added_files_are_named(project: ProjectPaths, runs: list[str]) -> None:
    (project.runs / runs[0] / "service-report.html").unlink()
    (project.runs / runs[0] / "evidence").mkdir()
    (project.runs / runs[0] / "evidence" / "web1.tar.gz").write_bytes(b"planted")
    assert _problems(project) == [
        f"{runs[0]}: file removed: runs/{runs[0]}/service-report.html is missing",
        f"{runs[0]}: file added after the run was indexed: runs/{runs[0]}/evidence/web1.tar.gz",
    ]


def test_rewriting_the_manifest_in_the_index_breaks_the_chain(project: ProjectPaths, runs: list[str]) -> None:
    report = project.runs / runs[0] / "service-report.md"
    report.write_text("forged\n")
    history = History(project.state)
    entry = history.get(runs[0])
    assert entry.files is not None
    forged = {**entry.files, f"runs/{runs[0]}/service-report.md": "0" * 64}
    conn = sqlite3.connect(history.db_path)
    conn.execute("UPDATE runs SET files = ? WHERE id = ?", (json.dumps(forged), runs[0]))
    conn.commit()
    conn.close()
    problems = _problems(project)
    assert f"{runs[0]}: index row edited: its chain hash does not match its contents" in problems


def test_a_history_indexed_before_manifests_still_verifies(project: ProjectPaths) -> None:
    """Schema 1 (no files column): its rows chain as before, and the next run adds the column."""
    history = History(project.state)
    project.state.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(history.db_path)
    conn.execute(
        "CREATE TABLE runs (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, runbook TEXT NOT NULL, "
        "ticket TEXT, operator TEXT NOT NULL, started TEXT NOT NULL, ended TEXT NOT NULL, "
        "mode TEXT NOT NULL, outcome TEXT NOT NULL, exit_code INTEGER NOT NULL, targets TEXT NOT NULL, "
        "record_path TEXT NOT NULL, record_sha256 TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
    )
    record = project.runs / "20261101T020000Z-demo-fix-aaaaaa" / "record.json"
    record.parent.mkdir(parents=True)
    record.write_text("{}\n")
    old = Entry(1, record.parent.name, "demo-fix", "INC-0", "bob", "s", "e", "apply", "ok", 0, ["web1"],
                f"runs/{record.parent.name}/record.json",
                hashlib.sha256(b"{}\n").hexdigest(), "0" * 64, "")  # fmt: skip
    old = Entry(**{**old.__dict__, "hash": chain_hash(old)})
    conn.execute(
        "INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (*(json.dumps(v) if isinstance(v, list) else v for v in list(old.__dict__.values())[:15]),),
    )
    conn.commit()
    conn.close()
    (project.state / "history.head").write_text(f"1 {old.hash}\n")
    assert _problems(project) == []
    engine, _ = make_engine(project, ScriptedUi(tty=False))
    engine.run(RunRequest("demo-fix", limit="web1", yes=True))
    entries = History(project.state).entries()
    assert [e.files is None for e in entries] == [True, False]
    assert _problems(project) == []


def test_cli_verify_names_the_edited_service_report(project: ProjectPaths, runs: list[str]) -> None:
    report = project.runs / runs[0] / "service-report.html"
    report.write_text(report.read_text().replace("Jana Keller", "Someone Else"))
    done = cli(project, "history", "verify")
    assert done.returncode == ExitCode.HISTORY_BROKEN, done.stdout + done.stderr
    assert f"file edited: runs/{runs[0]}/service-report.html" in done.stdout


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"this is not a database, it is a shopping list\n" * 20, id="garbage"),
        pytest.param(lambda data: data[:100] + b"\xff" * 2000 + data[2100:], id="overwritten-pages"),
    ],
)
def test_a_damaged_database_is_a_clear_error_never_a_traceback(
    project: ProjectPaths, runs: list[str], damage: object
) -> None:
    db = project.state / "history.sqlite"
    db.write_bytes(damage(db.read_bytes()))  # type: ignore[operator]
    with pytest.raises(HistoryDamaged) as err:
        History(project.state).verify()
    assert "history.sqlite cannot be read" in str(err.value)
    assert "restore history.sqlite and history.head from your backup" in str(err.value)
    for command in (["history", "verify"], ["history", "list"], ["history", "show", "last"]):
        done = cli(project, *command)
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode == ExitCode.HISTORY_BROKEN, (command, done.stdout, done.stderr)
        assert "history.sqlite cannot be read" in done.stderr


def test_an_emptied_database_is_caught_by_the_head(project: ProjectPaths, runs: list[str]) -> None:
    (project.state / "history.sqlite").write_bytes(b"")
    problems = _problems(project)
    assert "(head): the newest runs were removed: head is #2, index ends at #0" in problems
    assert f"{runs[0]}: record not in the history index: runs/{runs[0]}/record.json" in problems


def test_a_run_on_a_damaged_history_is_refused_before_anything_runs(
    project: ProjectPaths, runs: list[str]
) -> None:
    (project.state / "history.sqlite").write_bytes(b"garbage" * 100)
    before = sorted(project.runs.glob("*/record.json"))
    engine, runner = make_engine(project, ScriptedUi(tty=False))
    with pytest.raises(HistoryDamaged, match="cannot be read") as err:
        engine.run(RunRequest("demo-fix", limit="web1", yes=True, ticket="CHG-1"))
    assert err.value.hint
    assert runner.calls == []  # no plan, no apply: the run never acted on a host
    assert sorted(project.runs.glob("*/record.json")) == before  # no new record either


def test_check_refuses_a_damaged_database_before_anything_runs(
    project: ProjectPaths, runs: list[str]
) -> None:
    history = History(project.state)
    history.check()  # intact: nothing raised
    history.db_path.write_bytes(history.db_path.read_bytes()[:2048])
    with pytest.raises(HistoryDamaged, match="cannot be read"):
        history.check()
