"""Building a run's record (issue 11.5): secrets purged from the run's folders first, then the
record and the two service reports written once each, then indexed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_runbook_support import ScriptedUi, make_engine, make_project

from opsbook.paths import ProjectPaths
from opsbook.records import build
from opsbook.records.history import History
from opsbook.runbooks.engine import RunRequest
from opsbook.runbooks.exitcodes import ExitCode


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectPaths:
    monkeypatch.setenv("OPSBOOK_OPERATOR", "Jana Keller")
    return make_project(tmp_path / "project")


def test_secrets_are_purged_first_then_each_file_is_written_once(
    project: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = "canary-build-0451"
    calls: list[tuple[str, str]] = []
    real_write, real_redact = build.atomic_write, build.redact_artifacts

    def write(path: Path, data: Any, **kw: Any) -> Path:
        calls.append(("write", Path(path).name))
        return real_write(path, data, **kw)

    def purge(root: Path, secrets: Any) -> list[str]:
        calls.append(("purge", root.name))
        return real_redact(root, secrets)

    def index(self: History, record: Any, record_path: Path, **kw: Any) -> Any:
        calls.append(("index", record.id))
        return real_append(self, record, record_path, **kw)

    real_append = History.append
    monkeypatch.setattr(build, "atomic_write", write)
    monkeypatch.setattr(build, "redact_artifacts", purge)
    monkeypatch.setattr(History, "append", index)
    engine, _ = make_engine(project, ScriptedUi(tty=False), artifact_text=f"debug: {canary}")
    outcome = engine.run(RunRequest("demo-fix", limit="web1", yes=True, params={"token": canary}))
    record = outcome.record
    assert record is not None and outcome.exit_code is ExitCode.SECRET_LEAK
    assert calls == [
        ("purge", record.id),
        ("purge", f"{record.id}-plan"),
        ("write", "record.json"),
        ("write", "service-report.md"),
        ("write", "service-report.html"),
        ("index", record.id),
    ]
    # the record on disk is the final one: the leak and exit code 8 are in it, written that once
    on_disk = (project.runs / record.id / "record.json").read_text()
    assert '"exit_code": 8' in on_disk and f"runs/{record.id}/stdout" in on_disk
    assert canary not in on_disk
    assert History(project.state).verify() == []
