"""The one change flow in the engine: ticket, window and freeze, lock, plan without commands.

The runner is scripted (test_runbook_support); runbook files, Ansible's inventory code, the
windows, the flock locks, records and the history are real.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from test_runbook_support import FakeRunner, ScriptedUi, fixed_and_verified, make_project

from opsbook.change.gate import ChangeRefused
from opsbook.change.lock import TargetBusy, new_holder, target_locks
from opsbook.paths import ProjectPaths
from opsbook.records.history import History
from opsbook.runbooks.engine import Engine, RunRequest
from opsbook.runbooks.exitcodes import ExitCode

THURSDAY_NOON = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
SUNDAY_NIGHT = {"days": ["sun"], "start": "02:00", "end": "06:00", "timezone": "Europe/Berlin"}

RESTART = """\
title: Restart the demo service
category: emergency
summary: Tests its configuration, restarts it.
playbook: demo.yml
targets:
  pattern: linux
risk: changing
parameters:
  config_test:
    type: str
    regex: "[A-Za-z0-9 ./_=:-]+"
    command: true
    help: Command that tests the configuration.
    var: demo_config_test
  unit:
    type: str
    default: demo
    help: The unit.
report:
  problem: Demo down.
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectPaths:
    monkeypatch.setenv("USER", "alice")
    paths = make_project(tmp_path / "project")
    host_vars = paths.root / "inventory" / "host_vars"
    host_vars.mkdir()
    (host_vars / "db1.yml").write_text(
        yaml.safe_dump({"asset_maintenance_window": SUNDAY_NIGHT}, default_style='"')
    )
    (paths.runbooks / "demo-restart.yml").write_text(RESTART)
    (paths.runbooks / "demo-restart.md").write_text((paths.runbooks / "demo-fix.md").read_text())
    return paths


def engine_for(
    paths: ProjectPaths, ui: ScriptedUi, now: datetime = THURSDAY_NOON
) -> tuple[Engine, FakeRunner]:
    runner = FakeRunner(paths, fixed_and_verified)
    return Engine(paths, ui, runner=runner, clock=lambda: now), runner


# ---- issue 10 item 2: a plan never runs a user-supplied command --------------------------------


def test_a_declined_plan_never_received_the_command_parameter(project: ProjectPaths) -> None:
    ui = ScriptedUi(answers=["n"])
    engine, runner = engine_for(project, ui)
    outcome = engine.run(RunRequest("demo-restart", limit="web1", params={"config_test": "touch /tmp/pwned"}))
    assert runner.purposes() == ["plan"]
    assert "demo_config_test" not in runner.calls[0]["extravars"]
    assert runner.calls[0]["extravars"]["unit"] == "demo"
    assert any("does not run parameter config_test (a command)" in s for s in ui.said)
    assert outcome.exit_code is ExitCode.REFUSED


def test_the_command_parameter_reaches_only_the_real_run_after_consent(project: ProjectPaths) -> None:
    engine, runner = engine_for(project, ScriptedUi(answers=["y"]))
    engine.run(RunRequest("demo-restart", limit="web1", params={"config_test": "nginx -t"}))
    assert runner.purposes() == ["plan", "apply"]
    assert "demo_config_test" not in runner.calls[0]["extravars"]
    assert runner.calls[1]["extravars"]["demo_config_test"] == "nginx -t"


def test_check_mode_never_receives_the_command_parameter(project: ProjectPaths) -> None:
    engine, runner = engine_for(project, ScriptedUi(tty=False))
    engine.run(RunRequest("demo-restart", limit="web1", check=True, params={"config_test": "nginx -t"}))
    assert runner.purposes() == ["check"] and "demo_config_test" not in runner.calls[0]["extravars"]


def test_command_is_only_for_str_parameters(tmp_path: Path) -> None:
    from opsbook.runbooks.model import Parameter  # noqa: PLC0415

    with pytest.raises(ValueError, match="only for str parameters"):
        Parameter(type="int", help="x", command=True)  # type: ignore[arg-type]


# ---- windows and freezes ------------------------------------------------------------------------


def test_outside_the_maintenance_window_a_change_is_refused_before_anything_runs(
    project: ProjectPaths,
) -> None:
    engine, runner = engine_for(project, ScriptedUi(tty=False))
    with pytest.raises(ChangeRefused) as err:
        engine.run(RunRequest("demo-fix", limit="db1", yes=True))
    assert "db1 is outside its maintenance window (sun 02:00-06:00 Europe/Berlin)" in str(err.value)
    assert "--force 'REASON'" in str(err.value)
    assert err.value.exit_code == ExitCode.REFUSED
    assert runner.calls == []
    assert not project.runs.exists() or not any(project.runs.iterdir())


def test_force_with_a_reason_applies_and_the_record_says_so(project: ProjectPaths) -> None:
    ui = ScriptedUi(tty=False)
    engine, runner = engine_for(project, ui)
    outcome = engine.run(RunRequest("demo-fix", limit="db1", yes=True, force="disk at 99%, P1 INC-9"))
    assert runner.purposes() == ["plan", "apply"]
    record = outcome.record
    assert record is not None and record.change is not None
    assert record.change.forced == "disk at 99%, P1 INC-9"
    assert record.change.overridden["db1"].startswith("outside its maintenance window (sun 02:00-06:00")
    assert record.change.locks == ["db1"]
    assert any("db1 is outside its maintenance window" in s for s in ui.said)
    [row] = History(project.state).entries()
    assert row.id == record.id


def test_inside_the_window_no_force_is_needed(project: ProjectPaths) -> None:
    sunday_3am_berlin = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    engine, _ = engine_for(project, ScriptedUi(tty=False), now=sunday_3am_berlin)
    outcome = engine.run(RunRequest("demo-fix", limit="db1", yes=True))
    assert outcome.record is not None and outcome.record.change is not None
    assert outcome.record.change.forced is None
    assert outcome.record.change.windows == {
        "db1": "inside its maintenance window (sun 02:00-06:00 Europe/Berlin)"
    }


def test_a_freeze_refuses_even_inside_the_window(project: ProjectPaths) -> None:
    freeze = [{"start": "2026-12-01", "end": "2026-12-31", "reason": "year-end closing"}]
    (project.root / "inventory" / "host_vars" / "web1.yml").write_text(
        yaml.safe_dump({"opsbook_change_freezes": freeze})
    )
    engine, runner = engine_for(project, ScriptedUi(tty=False))
    with pytest.raises(ChangeRefused, match=r"web1 is inside the change freeze 2026-12-01 … 2026-12-31"):
        engine.run(RunRequest("demo-fix", limit="web1", yes=True))
    assert runner.calls == []


def test_read_only_and_check_runs_ignore_windows(project: ProjectPaths) -> None:
    engine, runner = engine_for(project, ScriptedUi(tty=False))
    engine.run(RunRequest("demo-fix", limit="db1", check=True))
    assert runner.purposes() == ["check"]


# ---- tickets ------------------------------------------------------------------------------------


def test_a_non_emergency_change_needs_a_ticket(project: ProjectPaths) -> None:
    engine, runner = engine_for(project, ScriptedUi(answers=["lab"]))
    with pytest.raises(ChangeRefused, match="runbook demo-wipe changes hosts and needs the ticket it serves"):
        engine.run(RunRequest("demo-wipe", limit="web1"))
    assert runner.calls == []
    outcome = engine.run(RunRequest("demo-wipe", limit="web1", ticket="CHG-7"))
    assert outcome.record is not None and outcome.record.ticket == "CHG-7"
    assert outcome.record.change is not None and outcome.record.change.ticket_required is True


def test_an_emergency_runbook_may_run_before_its_ticket_exists(project: ProjectPaths) -> None:
    engine, _ = engine_for(project, ScriptedUi(tty=False))
    outcome = engine.run(RunRequest("demo-fix", limit="web1", yes=True))
    assert outcome.exit_code is ExitCode.OK
    assert outcome.record is not None and outcome.record.change is not None
    assert outcome.record.change.ticket_required is False


def test_a_ticket_that_is_not_an_id_is_refused_everywhere(project: ProjectPaths) -> None:
    engine, runner = engine_for(project, ScriptedUi(tty=False))
    with pytest.raises(ChangeRefused, match="is not a ticket id"):
        engine.run(RunRequest("demo-look", limit="web1", ticket="{{ 7*7 }}"))
    assert runner.calls == []


# ---- locks (issue 10 item 3) --------------------------------------------------------------------


def test_a_second_change_of_a_locked_host_is_refused_naming_the_holder(project: ProjectPaths) -> None:
    engine, runner = engine_for(project, ScriptedUi(tty=False))
    with target_locks(project.state, ["web1"], new_holder("run-first", "runbook disk-full")):
        with pytest.raises(TargetBusy) as err:
            engine.run(RunRequest("demo-fix", limit="web1,web2", yes=True))
        assert "web1 is being changed by run run-first (runbook disk-full) by " in str(err.value)
        assert runner.calls == []
        # read-only runs and plans may overlap a change
        engine.run(RunRequest("demo-look", limit="web1"))
        engine.run(RunRequest("demo-fix", limit="web1", check=True))
    assert runner.purposes() == ["apply", "check"]
    # released: the next change goes ahead, and releases its own locks at the end
    outcome = engine.run(RunRequest("demo-fix", limit="web1,web2", yes=True))
    assert outcome.record is not None and outcome.record.change is not None
    assert outcome.record.change.locks == ["web1", "web2"]
    with target_locks(project.state, ["web1", "web2"], new_holder("run-after", "x")) as held:
        assert held.taken_over == []


def test_the_lock_is_released_when_the_run_fails(project: ProjectPaths) -> None:
    def explode(purpose: str, host: str) -> list:  # type: ignore[type-arg]
        raise RuntimeError("the runner crashed")

    engine = Engine(
        project, ScriptedUi(tty=False), runner=FakeRunner(project, explode), clock=lambda: THURSDAY_NOON
    )
    with pytest.raises(RuntimeError):
        engine.run(RunRequest("demo-fix", limit="web1", yes=True))
    with target_locks(project.state, ["web1"], new_holder("run-after", "x")) as held:
        assert held.taken_over == []


# ---- backups of what a change overwrote ---------------------------------------------------------


def test_the_record_lists_the_backup_copies_the_change_made(project: ProjectPaths) -> None:
    from opsbook.results import TaskResult, TaskStatus  # noqa: PLC0415

    def with_backup(purpose: str, host: str) -> list[TaskResult]:
        tasks = fixed_and_verified(purpose, host)
        if purpose == "apply":
            tasks.append(
                TaskResult(
                    host=host,
                    task="Configure sshd",
                    action="ansible.builtin.template",
                    status=TaskStatus.CHANGED,
                    result={"backup_file": "/etc/ssh/sshd_config.1234.2026-12-03@10:00:00~"},
                )
            )
        return tasks

    engine = Engine(
        project, ScriptedUi(tty=False), runner=FakeRunner(project, with_backup), clock=lambda: THURSDAY_NOON
    )
    outcome = engine.run(RunRequest("demo-fix", limit="web1", yes=True))
    assert outcome.record is not None and outcome.record.change is not None
    assert outcome.record.change.backups == {
        "web1": ["Configure sshd: /etc/ssh/sshd_config.1234.2026-12-03@10:00:00~"]
    }
