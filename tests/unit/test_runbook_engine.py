"""The runbook engine's flow: validate → targets → plan → confirm → run → post-check → record.

The runner is scripted (tests/unit/test_runbook_support.py); everything else is real.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from test_runbook_support import (
    ScriptedUi,
    changed,
    failed,
    fixed_and_verified,
    make_engine,
    make_project,
    stats,
    unreachable,
)

from opsbook.errors import UsageError
from opsbook.paths import ProjectPaths
from opsbook.records.history import History
from opsbook.records.model import read_record
from opsbook.results import TaskResult
from opsbook.runbooks.engine import RunRequest, rerun_request
from opsbook.runbooks.exitcodes import ExitCode, RefusedError, TargetError


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectPaths:
    monkeypatch.setenv("USER", "alice")
    return make_project(tmp_path / "project")


def test_a_changing_runbook_plans_asks_then_applies(project: ProjectPaths) -> None:
    ui = ScriptedUi(answers=["y"])
    engine, runner = make_engine(project, ui)
    outcome = engine.run(RunRequest("demo-fix", limit="web1,web2", ticket="INC-1"))
    assert runner.purposes() == ["plan", "apply"]
    assert runner.calls[0]["check"] is True and runner.calls[0]["diff"] is True
    assert runner.calls[1]["check"] is False
    assert runner.calls[0]["limit"] == "web1,web2" == runner.calls[1]["limit"]
    [plan] = ui.plans
    assert [(p.host, [c.task for c in p.changes]) for p in plan] == [
        ("web1", ["Rotate logs"]),
        ("web2", ["Rotate logs"]),
    ]
    assert ui.asked == ["Apply runbook demo-fix to 2 host(s) as planned?"]
    assert outcome.exit_code is ExitCode.OK
    assert outcome.record is not None and outcome.record.outcome == "ok"
    assert outcome.record.consent.given == "prompt"


def test_declining_after_the_plan_changes_nothing_and_is_recorded(project: ProjectPaths) -> None:
    ui = ScriptedUi(answers=["n"])
    engine, runner = make_engine(project, ui)
    outcome = engine.run(RunRequest("demo-fix", limit="web1"))
    assert runner.purposes() == ["plan"]
    assert outcome.exit_code is ExitCode.REFUSED
    assert outcome.record is not None
    assert outcome.record.outcome == "refused" and outcome.record.consent.given == "declined"
    assert outcome.record.hosts["web1"].planned and not outcome.record.hosts["web1"].changes


def test_without_a_terminal_and_without_yes_nothing_runs(project: ProjectPaths) -> None:
    engine, runner = make_engine(project, ScriptedUi(tty=False))
    with pytest.raises(RefusedError, match="no terminal to ask on; nothing was run") as err:
        engine.run(RunRequest("demo-fix", limit="web1"))
    assert err.value.exit_code == ExitCode.REFUSED
    assert "--yes" in str(err.value)
    assert runner.calls == []


def test_yes_confirms_in_advance_without_a_terminal(project: ProjectPaths) -> None:
    ui = ScriptedUi(tty=False)
    engine, runner = make_engine(project, ui)
    outcome = engine.run(RunRequest("demo-fix", limit="web1", yes=True))
    assert runner.purposes() == ["plan", "apply"]
    assert ui.asked == []
    assert outcome.record is not None and outcome.record.consent.given == "--yes"


def test_a_destructive_runbook_needs_the_environment_typed(project: ProjectPaths) -> None:
    ui = ScriptedUi(answers=["lab"])
    engine, runner = make_engine(project, ui)
    outcome = engine.run(RunRequest("demo-wipe", limit="web*", ticket="CHG-1"))
    assert runner.purposes() == ["plan", "apply"]
    assert "Type the environment name ('lab')" in ui.asked[0]
    assert outcome.record is not None
    assert outcome.record.consent.model_dump() | {"at": ""} == {
        "required": "typed",
        "given": "prompt",
        "expected": "lab",
        "at": "",
    }


def test_a_wrong_typed_confirmation_refuses(project: ProjectPaths) -> None:
    ui = ScriptedUi(answers=["yes"])
    engine, runner = make_engine(project, ui)
    outcome = engine.run(RunRequest("demo-wipe", limit="web*", ticket="CHG-1"))
    assert runner.purposes() == ["plan"]
    assert outcome.exit_code is ExitCode.REFUSED
    assert any("not confirmed, nothing changed" in s for s in ui.said)


def test_mixed_environments_fall_back_to_typing_the_target_count(project: ProjectPaths) -> None:
    ui = ScriptedUi(answers=["3"])
    engine, _ = make_engine(project, ui)
    outcome = engine.run(RunRequest("demo-wipe", limit="linux", ticket="CHG-1"))
    assert "Type the number of targets ('3')" in ui.asked[0]
    assert outcome.exit_code is ExitCode.OK


def test_a_read_only_runbook_runs_once_without_asking(project: ProjectPaths) -> None:
    ui = ScriptedUi(tty=False)

    def evidence(purpose: str, host: str) -> list[TaskResult]:
        return [stats(host, findings=["load 0.3"], evidence=["top.txt"])]

    engine, runner = make_engine(project, ui, evidence)
    outcome = engine.run(RunRequest("demo-look", limit="web1", ticket="INC-7"))
    assert runner.purposes() == ["apply"]
    assert outcome.exit_code is ExitCode.OK
    assert outcome.record is not None and outcome.record.consent.given == "not-needed"
    assert "this runbook changes nothing" in outcome.record.service_report.result_verified[0]
    assert outcome.record.service_report.problem == "Evidence for INC-7."


def test_check_runs_only_in_check_mode(project: ProjectPaths) -> None:
    ui = ScriptedUi(tty=False)
    engine, runner = make_engine(project, ui)
    outcome = engine.run(RunRequest("demo-fix", limit="web1", check=True))
    assert runner.purposes() == ["check"]
    assert [(p.host, [c.task for c in p.changes]) for p in ui.plans[0]] == [("web1", ["Rotate logs"])]
    assert outcome.exit_code is ExitCode.OK
    record = outcome.record
    assert record is not None and record.mode == "check" and record.outcome == "planned"
    assert record.hosts["web1"].planned[0]["task"] == "Rotate logs"
    assert "check mode only, nothing changed" in record.service_report.action_taken[0]


def test_invalid_parameters_stop_before_any_host_is_touched(project: ProjectPaths) -> None:
    engine, runner = make_engine(project, ScriptedUi())
    with pytest.raises(UsageError) as err:
        engine.run(RunRequest("demo-fix", params={"threshold": "200"}, limit="web1"))
    assert err.value.exit_code == ExitCode.USAGE
    assert runner.calls == []


@pytest.mark.parametrize(
    ("name", "limit", "message"),
    [
        ("demo-wipe", None, "must be given --limit"),
        ("demo-fix", "nosuchhost", "no hosts match 'linux' within --limit 'nosuchhost'"),
        ("demo-fix", "sw1", "no hosts match 'linux'"),
        ("demo-fix", "all", "3 hosts match but runbook demo-fix allows at most 3"),
        ("demo-look", "db1", "may run only in lab, test; not on db1 (production)"),
    ],
)
def test_target_constraints_refuse_before_running(
    project: ProjectPaths, name: str, limit: str | None, message: str
) -> None:
    if "at most" in message:
        (project.runbooks / "demo-fix.yml").write_text(
            (project.runbooks / "demo-fix.yml").read_text().replace("max_hosts: 3", "max_hosts: 2")
        )
        message = "3 hosts match but runbook demo-fix allows at most 2"
    engine, runner = make_engine(project, ScriptedUi(answers=["y"]))
    with pytest.raises(TargetError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        engine.run(RunRequest(name, limit=limit))
    assert err.value.exit_code == ExitCode.TARGETS
    assert runner.calls == []


def test_a_failed_host_exits_5_and_rerun_failed_targets_only_it(project: ProjectPaths) -> None:
    def web2_breaks(purpose: str, host: str) -> list[TaskResult]:
        if purpose == "apply" and host == "web2":
            return [stats(host, pre={"used_percent": 97}), failed(host, "Rotate logs", "disk I/O error")]
        if purpose == "apply" and host == "db1":
            return [unreachable(host)]
        return fixed_and_verified(purpose, host)

    engine, _ = make_engine(project, ScriptedUi(answers=["y"]), web2_breaks)
    outcome = engine.run(RunRequest("demo-fix", limit="linux", ticket="INC-3", params={"threshold": "80"}))
    assert outcome.exit_code is ExitCode.FAILED
    record = outcome.record
    assert record is not None
    assert record.outcome == "failed"
    assert record.hosts["web2"].stats["failures"] == 1 and record.hosts["db1"].stats["dark"] == 1
    assert record.failed_hosts() == ["db1", "web2"]
    assert record.hosts["web2"].failures == [
        {"task": "Rotate logs", "status": "failed", "msg": "disk I/O error"}
    ]
    assert any("history rerun" in line for line in record.service_report.follow_up)
    again = rerun_request(record, failed_only=True, params={}, yes=True)
    assert again.limit == "db1,web2"
    assert again.params == {"threshold": "80", "mode": "gentle", "wait": "30"}
    assert again.ticket == "INC-3" and again.rerun_of == record.id


def test_rerun_demands_secrets_again(project: ProjectPaths) -> None:
    engine, _ = make_engine(project, ScriptedUi(answers=["y"]))
    outcome = engine.run(RunRequest("demo-fix", limit="web1", params={"token": "tok-123456"}))
    assert outcome.record is not None
    with pytest.raises(UsageError, match="secret parameter\\(s\\) token, which are never recorded"):
        rerun_request(outcome.record, failed_only=False, params={}, yes=True)
    again = rerun_request(outcome.record, failed_only=False, params={"token": "tok-999999"}, yes=True)
    assert again.params["token"] == "tok-999999"


def test_a_fix_that_does_not_verify_exits_6_and_escalates(project: ProjectPaths) -> None:
    def still_full(purpose: str, host: str) -> list[TaskResult]:
        tasks = [stats(host, pre={"used_percent": 99}), changed(host, "Vacuum journal")]
        if purpose == "apply":
            tasks.append(
                stats(
                    host, post={"used_percent": 98}, verified=False, escalate="data grows; call storage team"
                )
            )
        return tasks

    engine, _ = make_engine(project, ScriptedUi(answers=["y"]), still_full)
    outcome = engine.run(RunRequest("demo-fix", limit="web1"))
    assert outcome.exit_code is ExitCode.NOT_VERIFIED
    report = outcome.record.service_report if outcome.record else None
    assert report is not None
    assert report.result_verified == ["web1: NOT verified — the fault persists: used_percent=98"]
    assert "web1: ESCALATE — data grows; call storage team" in report.follow_up
    assert "Escalate as described in runbooks/demo-fix.md (Escalation)." in report.follow_up


def test_a_failed_run_of_a_runbook_with_rollback_names_the_rollback(project: ProjectPaths) -> None:
    path = project.runbooks / "demo-fix.yml"
    path.write_text(path.read_text().replace("timeout: 5m", "timeout: 5m\nrollback:\n  playbook: demo.yml"))
    engine, _ = make_engine(
        project,
        ScriptedUi(answers=["y"]),
        lambda purpose, host: [] if purpose == "plan" else [failed(host, "x", "y")],
    )
    outcome = engine.run(RunRequest("demo-fix", limit="web1"))
    assert outcome.record is not None
    assert (
        "If the change must be undone: opsbook run demo.yml --limit web1"
        in outcome.record.service_report.follow_up
    )


def test_a_playbook_that_reports_no_post_check_is_not_verified(project: ProjectPaths) -> None:
    engine, _ = make_engine(project, ScriptedUi(answers=["y"]), lambda purpose, host: [changed(host, "x")])
    outcome = engine.run(RunRequest("demo-fix", limit="web1"))
    assert outcome.exit_code is ExitCode.NOT_VERIFIED
    assert outcome.record is not None
    assert "reported no post-check" in outcome.record.service_report.result_verified[0]


def test_a_timeout_exits_7(project: ProjectPaths) -> None:
    engine, runner = make_engine(project, ScriptedUi(answers=["y"]))
    runner.status = "timeout"
    outcome = engine.run(RunRequest("demo-fix", limit="web1"))
    assert runner.purposes() == ["plan"]
    assert outcome.exit_code is ExitCode.TIMEOUT
    assert runner.calls[0]["timeout"] == 300
    record = outcome.record
    assert record is not None and record.outcome == "timeout"
    assert record.hosts["web1"].status == "timeout"
    assert record.failed_hosts() == ["web1"], "rerun --failed re-runs a host stopped at the timeout"
    assert record.service_report.result_verified == [
        "web1: NOT verified — the run was stopped at the runbook's timeout"
    ]


def test_a_timeout_names_the_task_that_may_still_run_on_the_host(project: ProjectPaths) -> None:
    engine, runner = make_engine(project, ScriptedUi(answers=["y"]))
    runner.interrupted = {"web1": "Rotate logs"}
    runner.status = "timeout"
    outcome = engine.run(RunRequest("demo-fix", limit="web1"))
    assert outcome.record is not None
    assert outcome.record.hosts["web1"].interrupted_task == "Rotate logs"
    assert (
        "web1: stopped at the runbook's timeout while running 'Rotate logs'; that task may still be "
        "running on the host: check it before re-running"
    ) in outcome.record.service_report.action_taken


def test_a_failing_plan_stops_before_asking(project: ProjectPaths) -> None:
    def plan_fails(purpose: str, host: str) -> list[TaskResult]:
        return [failed(host, "Probe", "boom")]

    ui = ScriptedUi(answers=["y"])
    engine, runner = make_engine(project, ui, plan_fails)
    outcome = engine.run(RunRequest("demo-fix", limit="web1"))
    assert runner.purposes() == ["plan"] and ui.asked == []
    assert outcome.exit_code is ExitCode.FAILED
    assert outcome.record is not None and "nothing was changed" in outcome.record.summary


def _git_init(root: Path) -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
        ).stdout

    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "init")
    return git("rev-parse", "HEAD").strip()


def test_the_record_holds_everything_issue_4_lists(project: ProjectPaths) -> None:
    commit = _git_init(project.root)
    engine, _ = make_engine(project, ScriptedUi(answers=["y"]))
    outcome = engine.run(
        RunRequest(
            "demo-fix", limit="web1", ticket="INC-1", params={"threshold": "85", "token": "canary-0xC0FFEE"}
        )
    )
    assert outcome.record_path == project.runs / outcome.record.id / "record.json"  # type: ignore[union-attr]
    data = json.loads(outcome.record_path.read_text())  # type: ignore[union-attr]
    assert data["operator"] == "alice"
    assert data["ticket"] == "INC-1"
    assert data["started"] <= data["ended"]
    assert data["runbook"]["name"] == "demo-fix" and data["runbook"]["risk"] == "changing"
    assert data["params"] == {"threshold": 85, "mode": "gentle", "wait": 30, "token": "********"}
    assert data["targets"] == ["web1"]
    assert data["repository"] == {"commit": commit, "dirty": False}
    assert data["versions"]["ansible_core"].startswith("2.") and data["versions"]["opsbook"]
    web1 = data["hosts"]["web1"]
    assert web1["checks"] == {"pre": {"used_percent": 97}, "post": {"used_percent": 40}, "verified": True}
    assert web1["changes"][0]["task"] == "Rotate logs"
    assert "-old\n+new" in web1["changes"][0]["diff"]
    assert web1["asset"]["asset_serial"] == "SN-WEB1"
    assert data["outcome"] == "ok" and data["exit_code"] == 0
    assert [r["purpose"] for r in data["runs"]] == ["plan", "apply"]
    report = data["service_report"]
    assert report["problem"] == "Demo fault above 85% on web1"
    assert report["cause"] == ["web1: logs"]
    assert report["action_taken"] == ["web1: rotated logs"]
    assert report["parts_changed"] == ["None replaced."]
    assert report["result_verified"] == ["web1: verified — after: used_percent=40"]
    assert report["follow_up"] == ["Watch it for a day."]


def test_the_service_report_has_the_catalogue_form_fields(project: ProjectPaths) -> None:
    engine, _ = make_engine(project, ScriptedUi(answers=["y"]))
    outcome = engine.run(RunRequest("demo-fix", limit="web1", ticket="INC-1"))
    assert outcome.reports is not None
    md, html = (p.read_text() for p in outcome.reports)
    for heading in (
        "Problem",
        "Cause",
        "Action taken",
        "Parts / serials changed",
        "Result verified",
        "Follow-up",
        "Sign-off",
    ):
        assert f"## {heading}" in md
        assert f"<h2>{heading}</h2>" in html
    assert "| web1 | A-1 | acme |" in md and "SN-WEB1" in md
    assert "INC-1" in html and "<li>web1: rotated logs</li>" in html


def test_replaced_parts_are_listed_with_serials(project: ProjectPaths) -> None:
    def swap(purpose: str, host: str) -> list[TaskResult]:
        return [
            *fixed_and_verified(purpose, host),
            stats(
                host,
                parts=[{"part": "PSU 1", "removed_serial": "PSU-OLD-1", "installed_serial": "PSU-NEW-9"}],
            ),
        ]

    engine, _ = make_engine(project, ScriptedUi(answers=["y"]), swap)
    outcome = engine.run(RunRequest("demo-fix", limit="web1"))
    assert outcome.record is not None
    assert outcome.record.service_report.parts_changed == [
        "web1: part=PSU 1, removed_serial=PSU-OLD-1, installed_serial=PSU-NEW-9"
    ]


def test_a_secret_never_reaches_record_report_or_history(project: ProjectPaths) -> None:
    canary = "canary-7f3a9b2e"

    def echo_secret(purpose: str, host: str) -> list[TaskResult]:
        # a playbook that (wrongly) puts the secret into a finding
        return [*fixed_and_verified(purpose, host), stats(host, findings=[f"token was {canary}"])]

    engine, _ = make_engine(project, ScriptedUi(answers=["y"]), echo_secret)
    outcome = engine.run(RunRequest("demo-fix", limit="web1", params={"token": canary}))
    assert outcome.exit_code is ExitCode.OK
    for path in project.state.rglob("*"):
        if path.is_file():
            assert canary.encode() not in path.read_bytes(), path
    assert outcome.record is not None and "web1: token was ********" in outcome.record.service_report.cause


def test_the_record_is_masked_even_if_the_runner_did_not_mask(project: ProjectPaths) -> None:
    canary = "canary-1d2c3b4a"

    def echo_secret(purpose: str, host: str) -> list[TaskResult]:
        return [*fixed_and_verified(purpose, host), stats(host, findings=[f"token was {canary}"])]

    engine, _ = make_engine(project, ScriptedUi(answers=["y"]), echo_secret, mask_secrets=False)
    outcome = engine.run(RunRequest("demo-fix", limit="web1", params={"token": canary}))
    record = outcome.record
    assert record is not None and "web1: token was ********" in record.service_report.cause
    # the unmasked result.json files are leaks: flagged, then masked on disk
    assert outcome.exit_code is ExitCode.SECRET_LEAK
    assert f"runs/{record.id}/result.json" in record.secret_scan.leaks
    for path in project.state.rglob("*"):
        if path.is_file():
            assert canary.encode() not in path.read_bytes(), path


def test_a_secret_left_in_the_artifacts_flags_the_run_and_is_masked(project: ProjectPaths) -> None:
    canary = "canary-leak-5150"
    engine, _ = make_engine(project, ScriptedUi(answers=["y"]), artifact_text=f"debug: {canary}")
    outcome = engine.run(RunRequest("demo-fix", limit="web1", params={"token": canary}))
    assert outcome.exit_code is ExitCode.SECRET_LEAK
    record = read_record(outcome.record_path)  # type: ignore[arg-type]
    assert record.exit_code == ExitCode.SECRET_LEAK
    assert f"runs/{record.id}/stdout" in record.secret_scan.leaks
    assert f"runs/{record.id}-plan/stdout" in record.secret_scan.leaks
    assert record.secret_scan.secrets_checked == 1
    for path in project.state.rglob("*"):
        if path.is_file():
            assert canary.encode() not in path.read_bytes(), path
    assert "SECRET FOUND" in (project.runs / record.id / "service-report.md").read_text()


def test_every_run_is_indexed_in_the_history(project: ProjectPaths) -> None:
    engine, _ = make_engine(project, ScriptedUi(answers=["y", "n"]))
    first = engine.run(RunRequest("demo-fix", limit="web1", ticket="INC-1"))
    second = engine.run(RunRequest("demo-fix", limit="web2", ticket="INC-2"))
    entries = History(project.state).entries()
    assert [(e.id, e.outcome, e.ticket) for e in entries] == [
        (first.record.id, "ok", "INC-1"),  # type: ignore[union-attr]
        (second.record.id, "refused", "INC-2"),  # type: ignore[union-attr]
    ]
    assert History(project.state).verify() == []
