"""Truthful records (issue 12.3): per runbook and per outcome, what the record and the service
report may say and may not say. These documents go to customers.

Each case runs the real engine on the repository's runbook with a scripted runner
(test_records_support.py): applied, planned (check mode), declined, failed, rolled back, nothing to do.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_records_support import MATRIX, SCRIPTS, project_with_repo_runbooks, run_scenario
from test_runbook_support import FakeRunner, ScriptedUi, failed, stats

from opsbook.paths import ProjectPaths
from opsbook.records import provenance
from opsbook.records.model import Record
from opsbook.results import TaskResult
from opsbook.runbooks.engine import Engine, RunRequest

READ_ONLY = ("collect-evidence", "high-load")
#: what the old reports said whatever happened
OLD_SIGN_OFF = "Verified together with the customer after the repair."


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectPaths:
    monkeypatch.setenv("USER", "root")
    monkeypatch.setenv("OPSBOOK_OPERATOR", "Jana Keller")
    return project_with_repo_runbooks(tmp_path / "project")


def _markdown(project: ProjectPaths, record: Record) -> str:
    return (project.runs / record.id / "service-report.md").read_text()


def _all_text(record: Record) -> str:
    report = record.service_report
    return "\n".join(
        [
            *report.action_taken,
            *report.result_verified,
            *report.follow_up,
            *report.commands_applied,
            report.sign_off,
            report.mode_text,
        ]
    )


@pytest.mark.parametrize(("name", "outcome"), MATRIX, ids=[f"{n}-{o}" for n, o in MATRIX])
def test_the_report_says_only_what_happened(project: ProjectPaths, name: str, outcome: str) -> None:
    record = run_scenario(project, name, outcome, FakeRunner)
    report = record.service_report
    text = _all_text(record)
    markdown = _markdown(project, record)
    host = SCRIPTS[name].host
    changing = name not in READ_ONLY

    # every report: who, for whom, no pre-printed claims, measurements as a table, never "{}"
    assert record.operator == "Jana Keller"
    assert report.customer == "ACME Logistics GmbH" and "| Customer | ACME Logistics GmbH |" in markdown
    assert OLD_SIGN_OFF not in markdown
    assert ": {}" not in markdown and "before: {" not in markdown
    if report.checks:
        assert "| Host | Measurement | Before | After |" in markdown
    else:
        assert "No measurements were reported by the runbook." in markdown

    if outcome in ("planned", "declined"):
        assert "fault persists" not in text and ": verified" not in text and "Repair verified" not in text
        assert report.commands_applied == [] and "## Changes applied" not in markdown
        assert all(row.after == "" for row in report.checks), "no 'after' for what was never applied"
        assert "nothing was changed" in report.sign_off.lower()
        assert report.parts_changed == ["None replaced."]
        assert "| changed |" not in markdown, "a plan's hosts would change; they were not changed"
    if outcome == "planned":
        assert record.outcome == "planned" and report.mode_text.startswith("check mode")
        assert report.action_taken[0].startswith(f"{host}: check mode only, nothing changed")
        assert report.result_verified == [f"{host}: not verified — nothing was changed (check mode)"]
        if changing and SCRIPTS[name].changes:
            assert "the plan would change" in report.action_taken[0]
    if outcome == "declined":
        assert record.outcome == "refused" and record.consent.given == "declined"
        assert report.mode_text == "plan only: the operator declined after the plan; nothing was changed"
        assert report.action_taken[0].startswith(f"{host}: nothing was changed (the operator declined")
        assert report.result_verified == [
            f"{host}: not verified — nothing was changed (the operator declined after the plan)"
        ]
        assert not any("Re-run" in line or "ESCALATE" in line for line in report.follow_up)

    if outcome == "applied":
        assert record.outcome == "ok" and record.exit_code == 0
        assert "NOT" not in text and "fault persists" not in text
        for task, _, result in SCRIPTS[name].changes:
            [line] = [c for c in report.commands_applied if f"{host}: {task} — " in c]
            for command in result.get("commands", []):
                assert command in line
            if isinstance(result.get("cmd"), list):
                assert " ".join(result["cmd"]) in line
        if name == "audit-fix":
            assert "changes nothing" not in text, (
                "audit-fix applied changes: it must not say it changes nothing"
            )
            assert report.result_verified == [
                f"{host}: 3 change(s) applied; not verified here — "
                "this procedure has no post-check of its own (see Follow-up)"
            ]
            assert "not verified by a post-check" in report.sign_off
            assert any("module ansible.builtin.template" in c for c in report.commands_applied)
        elif changing:
            assert report.result_verified[0].startswith(f"{host}: verified — after: ")
            assert report.sign_off.startswith("Repair verified by the runbook's post-check")
            assert {r.name for r in report.checks if r.before} == set(SCRIPTS[name].pre)
            assert {r.name for r in report.checks if r.after} == set(SCRIPTS[name].post_fixed)
        else:
            assert report.commands_applied == []
            assert report.sign_off == "Evidence collected; nothing was changed and nothing was repaired."

    if outcome == "failed":
        assert record.outcome == "failed" and record.exit_code == 5
        assert ": verified" not in text and "Repair verified" not in text
        label = "NOT fixed" if changing else "FAILED"
        assert report.result_verified == [f"{host}: {label} — failed: Post-check: non-zero return code"]
        assert "NOT complete" in report.sign_off
        assert any("opsbook history rerun" in line for line in report.follow_up)
        # what did change before the failure is listed as applied (it happened)
        assert len(report.commands_applied) == len(SCRIPTS[name].changes)

    if outcome == "rolled-back":
        backup = SCRIPTS[name].pre["backup_commit"]
        assert record.outcome == "failed"
        assert f"{host}: the change was applied, failed its post-check and was rolled back to {backup}" in (
            report.action_taken
        )
        assert report.result_verified[0].startswith(f"{host}: NOT fixed — rolled back")
        assert ": verified" not in text and "NOT complete" in report.sign_off

    if outcome == "nothing-to-do":
        assert record.outcome == "ok"
        assert report.commands_applied == [] and "fault persists" not in text
        assert report.sign_off == "Nothing needed changing: nothing was repaired."
        if name == "audit-fix":
            assert report.result_verified == [
                f"{host}: nothing needed changing, so there is no fix to verify"
            ]
            assert report.action_taken == [f"{host}: nothing needed changing; no change made"]
        else:
            assert report.result_verified[0].startswith(f"{host}: verified")


def test_check_mode_of_an_up_interface_never_says_the_fault_persists(project: ProjectPaths) -> None:
    """The issue's example: network-interface-down --check (and declined) on an up/up interface."""
    SCRIPTS["network-interface-down"].pre["status"] = "up"
    try:
        for outcome in ("planned", "declined"):
            record = run_scenario(project, "network-interface-down", outcome, FakeRunner)
            markdown = _markdown(project, record)
            assert "NOT verified" not in markdown and "fault persists" not in markdown
            assert "| sw1 | status | up |  |" in markdown
    finally:
        SCRIPTS["network-interface-down"].pre["status"] = "administratively down"


def test_the_operator_is_never_root_when_a_name_is_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OPSBOOK_OPERATOR", "SUDO_USER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("USER", "root")
    monkeypatch.setenv("SUDO_USER", "jkeller")
    assert provenance.operator(tmp_path) == provenance.Operator("jkeller", "SUDO_USER")
    monkeypatch.setenv("OPSBOOK_OPERATOR", "Jana Keller")
    assert provenance.operator(tmp_path).name == "Jana Keller"
    monkeypatch.delenv("OPSBOOK_OPERATOR")
    monkeypatch.delenv("SUDO_USER")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "config", "user.name", "Pieter de Vries"], check=True)
    assert provenance.operator(tmp_path) == provenance.Operator("Pieter de Vries", "git user.name")
    monkeypatch.setenv("USER", "alice")
    assert provenance.operator(tmp_path) == provenance.Operator("alice", "USER")


def test_a_plan_that_failed_before_consent_says_nothing_was_changed(project: ProjectPaths) -> None:
    def plan_fails(purpose: str, host: str) -> list[TaskResult]:
        return [stats(host, pre={"used_percent": 97}), failed(host, "Measure", "df: not found")]

    engine = Engine(project, ScriptedUi(tty=False), runner=FakeRunner(project, plan_fails))
    outcome = engine.run(RunRequest("disk-full", params={"path": "/"}, limit="web1", yes=True))
    record = outcome.record
    assert record is not None and record.outcome == "failed" and [r.purpose for r in record.runs] == ["plan"]
    report = record.service_report
    assert report.mode_text == "plan only: the check-mode plan failed before consent; nothing was changed"
    assert report.result_verified == [
        "web1: NOT fixed — the plan failed here, nothing was changed: Measure: df: not found"
    ]
    assert report.sign_off.startswith("Nothing was changed and nothing was repaired")
    assert "| Mode | applied |" not in _markdown(project, record)
