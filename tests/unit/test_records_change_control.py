"""The service report's Change control section: each sentence from the record's admission."""

from __future__ import annotations

from typing import Any

from opsbook.records.model import Consent, HostRecord
from opsbook.records.report import ReportFacts, build_service_report

WINDOW = "inside its maintenance window (Sat 02:00-06:00 Asia/Shanghai)"
CLOSED = "outside its maintenance window (next: Sat 02:00 Asia/Shanghai)"


def _facts(change: dict[str, Any] | None, *, mode: str = "apply", given: str = "--yes") -> ReportFacts:
    host = HostRecord(status="changed", changes=[{"task": "Write sshd_config", "action": "template"}])
    return ReportFacts(
        problem="p",
        follow_up="",
        hosts={"web01": host},
        mode=mode,
        verifies=False,
        changes_hosts=True,
        consent=Consent(required="yes-no", given=given),  # type: ignore[arg-type]
        run_id="20261203T020000Z-demo-abcdef",
        runbook="demo",
        knowledge_page="runbooks/demo.md",
        outcome="ok",
        change=change,
    )


def test_ticket_window_and_backups_are_stated_as_recorded() -> None:
    report = build_service_report(
        _facts(
            {
                "ticket": "CHG-1234",
                "windows": {"web01": WINDOW},
                "backups": {"web01": ["Write sshd_config: /etc/ssh/sshd_config.1234.2026-12-03@02:01~"]},
            }
        )
    )
    assert "Ticket: CHG-1234." in report.change_control
    assert f"web01: {WINDOW}." in report.change_control
    assert any("/etc/ssh/sshd_config.1234.2026-12-03@02:01~" in line for line in report.change_control)
    assert not any("Forced" in line for line in report.change_control)


def test_force_names_the_reason_and_the_closed_window() -> None:
    report = build_service_report(
        _facts(
            {
                "ticket": "INC-7",
                "windows": {"web01": CLOSED},
                "forced": "payment outage, approved by duty manager",
                "overridden": {"web01": CLOSED + " (--force)"},
            }
        )
    )
    forced = [line for line in report.change_control if line.startswith("Forced")]
    assert forced == [
        f"Forced outside its window or freeze on web01 ({CLOSED} (--force)); "
        "the reason given: payment outage, approved by duty manager."
    ]
    assert f"web01: {CLOSED}." not in report.change_control  # said once, with the override


def test_no_backup_claim_when_none_was_made_and_none_for_a_plan() -> None:
    applied = build_service_report(_facts({"ticket": "CHG-1", "windows": {}}))
    assert "No file backup copy was made by this run (see the runbook for its own backups)." in (
        applied.change_control
    )
    declined = build_service_report(
        _facts({"ticket": "CHG-1", "backups": {"web01": ["x: /etc/x~"]}}, given="declined")
    )
    assert not any("backup" in line.lower() for line in declined.change_control)


def test_read_only_runs_have_no_change_control_section() -> None:
    report = build_service_report(_facts(None))
    assert report.change_control == []


def test_the_customer_comes_from_the_hosts_else_from_the_context() -> None:
    facts = _facts(None)
    assert build_service_report(facts).customer == ""
    from_context = ReportFacts(**{**facts.__dict__, "customer": "ACME Logistics"})
    assert build_service_report(from_context).customer == "ACME Logistics"
    host = HostRecord(status="ok", asset={"asset_customer_name": "Northwind Bank"})
    named = ReportFacts(**{**from_context.__dict__, "hosts": {"db01": host}})
    assert build_service_report(named).customer == "Northwind Bank"
