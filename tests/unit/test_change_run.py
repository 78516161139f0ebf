"""`opsbook run PLAYBOOK` without --check is a change: ticket, window, consent, lock, history (issue 12.2).

The command line is real (typer), and so are the project, Ansible's inventory code, the change
flow, records and history; only ansible-runner is scripted (test_runbook_support.FakeRunner).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from test_runbook_support import FakeRunner, fixed_and_verified, make_project
from typer.testing import CliRunner

from opsbook.cli import app
from opsbook.cli.runbook import TerminalUi
from opsbook.errors import OpsbookError
from opsbook.paths import ProjectPaths, project_paths
from opsbook.records.history import History
from opsbook.records.model import read_record
from opsbook.results import HostSummary, RunResult
from opsbook.runbooks.playbook import declared_read_only, host_pattern, is_read_only, playbook_runbook

READ_ONLY = """\
- name: Look
  hosts: linux
  gather_facts: false
  vars:
    opsbook_read_only: true
  tasks:
    - name: Look
      ansible.builtin.ping:
"""
CLOSED = {"days": ["mon"], "start": "00:00", "end": "00:01", "timezone": "Pacific/Kiritimati"}


@dataclass
class DirectRuns:
    """Stands in for the runner when ``opsbook run`` runs a playbook directly (no change flow)."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, playbook: str, **kwargs: Any) -> RunResult:
        self.calls.append({"playbook": playbook, **kwargs})
        return RunResult(
            run_id="direct",
            playbook=playbook,
            artifact_dir=Path("."),
            status="successful",
            rc=0,
            check=kwargs["check"],
            limit=kwargs["limit"],
            hosts={"web1": HostSummary(host="web1", ok=1)},
        )


@pytest.fixture
def direct(monkeypatch: pytest.MonkeyPatch) -> DirectRuns:
    runs = DirectRuns()
    monkeypatch.setattr("opsbook.cli.run.run_playbook", runs)
    return runs


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ProjectPaths, FakeRunner]:
    for name in ("OPSBOOK_CUSTOMER", "OPSBOOK_LAB", "ANSIBLE_INVENTORY"):
        monkeypatch.delenv(name, raising=False)
    make_project(tmp_path / "project")
    playbooks = tmp_path / "project" / "playbooks"
    (playbooks / "look.yml").write_text(READ_ONLY)
    (playbooks / "change.yml").write_text((playbooks / "demo.yml").read_text())
    monkeypatch.setenv("OPSBOOK_PROJECT", str(tmp_path / "project"))
    monkeypatch.chdir(tmp_path / "project")
    monkeypatch.setenv("USER", "alice")
    paths = project_paths()  # the CLI's own: the project in its customer context
    runner = FakeRunner(paths, fixed_and_verified)
    monkeypatch.setattr("opsbook.runner.run_playbook", runner)
    return paths, runner


@dataclass
class Done:
    exit_code: int
    output: str


def _run(*args: str) -> Done:
    """``opsbook run ARGS`` as ``main()`` runs it: an OpsbookError becomes its message and exit code."""
    result = CliRunner().invoke(app, ["run", *args])
    if isinstance(result.exception, OpsbookError):
        return Done(result.exception.exit_code, result.output + str(result.exception))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Done(result.exit_code, result.output)


def test_a_changing_run_without_a_ticket_is_refused(project: tuple[ProjectPaths, FakeRunner]) -> None:
    paths, runner = project
    done = _run("change", "--limit", "web1", "--yes")
    assert done.exit_code == 3
    assert "opsbook run change.yml changes hosts and needs the ticket it serves" in done.output
    assert "--ticket ID" in done.output
    assert runner.calls == [] and History(paths.state).entries() == []


def test_a_changing_run_without_consent_is_refused(project: tuple[ProjectPaths, FakeRunner]) -> None:
    _, runner = project
    done = _run("change", "--limit", "web1", "--ticket", "CHG-1")  # no terminal, no --yes
    assert done.exit_code == 3
    assert "needs your confirmation, but there is no terminal to ask on; nothing was run" in done.output
    assert runner.calls == []


def test_a_changing_run_outside_the_window_is_refused_unless_forced(
    project: tuple[ProjectPaths, FakeRunner],
) -> None:
    paths, runner = project
    host_vars = paths.root / "inventory" / "host_vars"
    host_vars.mkdir()
    (host_vars / "web1.yml").write_text(
        yaml.safe_dump({"asset_maintenance_window": CLOSED}, default_style='"')
    )
    refused = _run("change", "--limit", "web1", "--ticket", "CHG-1", "--yes")
    assert refused.exit_code == 3
    assert "web1 is outside its maintenance window (mon 00:00-00:01 Pacific/Kiritimati)" in refused.output
    assert runner.calls == []
    forced = _run(
        "change", "--limit", "web1", "--ticket", "CHG-1", "--yes", "--force", "P1: site down, approved"
    )
    assert forced.exit_code == 0, forced.output
    [entry] = History(paths.state).entries()
    record = read_record(paths.runs / entry.id / "record.json")
    assert record.change is not None and record.change.forced == "P1: site down, approved"


def test_with_ticket_and_consent_it_plans_applies_and_leaves_a_history_entry(
    project: tuple[ProjectPaths, FakeRunner],
) -> None:
    paths, runner = project
    done = _run("change", "--limit", "web1,web2", "--ticket", "CHG-2", "--yes", "-e", "x=1", "--tags", "t1")
    assert done.exit_code == 0, done.output
    assert runner.purposes() == ["plan", "apply"]
    assert runner.calls[0]["check"] is True and runner.calls[1]["check"] is False
    assert runner.calls[1]["extravars"]["x"] == "1" and runner.calls[1]["tags"] == "t1"
    assert runner.calls[1]["timeout"] is None  # opsbook run has no timeout unless --timeout
    assert "Plan (check mode: nothing has changed yet)" in done.output
    [entry] = History(paths.state).entries()
    assert entry.ticket == "CHG-2" and entry.outcome == "ok"
    record = read_record(paths.runs / entry.id / "record.json")
    assert record.runbook["name"] == "run-change" and record.runbook["playbook"] == "change.yml"
    assert record.consent.given == "--yes" and record.targets == ["web1", "web2"]
    assert record.change is not None and record.change.locks == ["web1", "web2"]
    assert "Ticket: CHG-2." in record.service_report.change_control
    report = next((paths.runs / entry.id).glob("service-report*.md")).read_text()
    assert "## Change control" in report and "- Ticket: CHG-2." in report
    history = CliRunner().invoke(app, ["history", "list"], catch_exceptions=False, env={"COLUMNS": "250"})
    assert entry.id in history.output


def test_check_and_read_only_playbooks_run_directly_without_ticket(
    project: tuple[ProjectPaths, FakeRunner], direct: DirectRuns
) -> None:
    paths, runner = project
    assert _run("change", "--check", "--limit", "web1").exit_code == 0
    assert _run("look", "--limit", "web1").exit_code == 0
    assert [c["check"] for c in direct.calls] == [True, False] and runner.calls == []
    assert History(paths.state).entries() == []


def test_a_playbook_that_a_changing_runbook_wraps_points_to_the_runbook(
    project: tuple[ProjectPaths, FakeRunner],
) -> None:
    _, runner = project
    done = _run("demo", "--ticket", "INC-1", "--yes")
    assert done.exit_code == 2
    assert "demo.yml is the playbook of runbook demo-fix" in done.output
    assert "opsbook runbook run demo-fix" in done.output
    assert runner.calls == []


def test_read_only_detection_and_host_pattern(tmp_path: Path) -> None:
    look = tmp_path / "look.yml"
    look.write_text(READ_ONLY)
    assert declared_read_only(look)
    two = tmp_path / "two.yml"
    two.write_text(
        READ_ONLY
        + READ_ONLY.replace("hosts: linux", "hosts: web:db").replace(
            "    opsbook_read_only: true\n", "    x: 1\n"
        )
    )
    assert not declared_read_only(two)
    assert host_pattern(two) == "linux:web:db"
    templated = tmp_path / "t.yml"
    templated.write_text(READ_ONLY.replace("hosts: linux", "hosts: '{{ target }}'"))
    assert host_pattern(templated) == "all"
    assert playbook_runbook(two, tmp_path).name == "run-two"
    assert not is_read_only(two, tmp_path / "runbooks", tmp_path)


def test_a_playbook_run_cannot_be_rerun_from_its_record(project: tuple[ProjectPaths, FakeRunner]) -> None:
    paths, runner = project
    assert _run("change", "--limit", "web1", "--ticket", "CHG-3", "--yes").exit_code == 0
    [entry] = History(paths.state).entries()
    result = CliRunner().invoke(app, ["history", "rerun", entry.id, "--yes"])
    assert isinstance(result.exception, OpsbookError)
    assert "was an `opsbook run` of a playbook" in str(result.exception)
    assert runner.purposes() == ["plan", "apply"]  # nothing ran again


def test_rerun_uses_the_engine_of_the_recorded_runbook(project: tuple[ProjectPaths, FakeRunner]) -> None:
    from opsbook.audit.fix import FixEngine  # noqa: PLC0415
    from opsbook.cli.change import rerun_engine  # noqa: PLC0415
    from opsbook.runbooks.engine import Engine  # noqa: PLC0415

    paths, _ = project
    ui = TerminalUi(Console())
    assert type(rerun_engine(paths, ui, "audit-fix")) is FixEngine
    assert type(rerun_engine(paths, ui, "disk-full")) is Engine


def test_the_repositorys_read_only_playbooks_need_no_ticket_and_site_yml_is_a_change() -> None:
    root = Path(__file__).resolve().parents[2]
    playbooks, runbooks = root / "playbooks", root / "runbooks"
    for name in (
        "health.yml",
        "network/backup.yml",
        "network/compliance.yml",
        "emergency/collect-evidence.yml",
    ):
        assert is_read_only(playbooks / name, runbooks, playbooks), name
    for name in ("site.yml", "emergency/disk-full.yml", "network/push.yml"):
        assert not is_read_only(playbooks / name, runbooks, playbooks), name


def test_json_prints_the_record_on_stdout(project: tuple[ProjectPaths, FakeRunner]) -> None:
    result = CliRunner().invoke(
        app,
        ["run", "change", "--limit", "web1", "--ticket", "CHG-4", "--yes", "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["ticket"] == "CHG-4" and record["runbook"]["name"] == "run-change"
    assert record["change"]["locks"] == ["web1"]
