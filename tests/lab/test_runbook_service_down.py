"""Runbook service-down on a real systemd service in a lab host (python3 -m http.server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_runbook_labkit import opsbook, opsbook_interactive

from opsbook.lab.handle import LabHandle

UNIT = """[Unit]
Description=opsbook test web service
[Service]
ExecStart={exec_start}
Restart=no
"""


def _install(lab: LabHandle, host: str, name: str, exec_start: str) -> None:
    lab.sh(
        host,
        f"mkdir -p /srv/www && echo hello > /srv/www/index.html && "
        f"cat > /etc/systemd/system/{name}.service <<'EOF'\n{UNIT.format(exec_start=exec_start)}EOF\n"
        "systemctl daemon-reload",
    )


@pytest.fixture
def crashed_web(lab: LabHandle) -> Iterator[str]:
    """A web service that was killed (SIGKILL): failed, port closed."""
    host = lab.hosts[0]
    _install(
        lab, host, "rb-web", "/usr/bin/python3 -m http.server 8088 --bind 127.0.0.1 --directory /srv/www"
    )
    lab.sh(host, "systemctl start rb-web && sleep 1 && systemctl kill -s KILL rb-web && sleep 1")
    yield host
    lab.sh(host, "systemctl stop rb-web; rm -f /etc/systemd/system/rb-web.service; systemctl daemon-reload; "
           "systemctl reset-failed rb-web", check=False)  # fmt: skip


def test_service_down_restarts_and_verifies_port_and_http(lab: LabHandle, crashed_web: str) -> None:
    host = crashed_web
    assert lab.sh(host, "systemctl is-active rb-web", check=False).stdout.strip() == "failed"
    run = opsbook(
        lab,
        "runbook", "run", "service-down", "--limit", host, "--ticket", "INC-20", "-i", str(lab.inventory),
        "-p", "service=rb-web", "-p", "port=8088", "-p", "url=http://127.0.0.1:8088/",
        "--yes", "--no-progress",
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert (
        lab.sh(
            host,
            "python3 -c \"import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:8088/').read().decode())\"",
        ).stdout.strip()
        == "hello"
    )
    record = run.record
    assert record is not None and record.outcome == "ok"
    checks = record.hosts[host].checks
    assert checks.pre["active_state"] == "failed" and checks.pre["port_open"] is False
    assert checks.post["active_state"] == "active" and checks.post["http_status"] == 200
    assert checks.verified is True
    assert [c["task"] for c in record.hosts[host].planned] == ["Restart the service (attempt 1)"]
    assert any("restarted rb-web.service 1 time(s)" in a for a in record.service_report.action_taken)
    assert any("result signal" in c for c in record.service_report.cause)


@pytest.fixture
def broken_web(lab: LabHandle) -> Iterator[str]:
    """A service that exits at once on every start."""
    host = lab.hosts[-1]
    _install(lab, host, "rb-broken", "/usr/bin/python3 -c 'import sys; print(\"bad config\"); sys.exit(3)'")
    yield host
    lab.sh(host, "rm -f /etc/systemd/system/rb-broken.service; systemctl daemon-reload; "
           "systemctl reset-failed rb-broken", check=False)  # fmt: skip


def test_service_down_escalates_when_the_service_does_not_come_back(lab: LabHandle, broken_web: str) -> None:
    host = broken_web
    run = opsbook(
        lab,
        "runbook", "run", "service-down", "--limit", host, "--ticket", "INC-21", "-i", str(lab.inventory),
        "-p", "service=rb-broken", "-p", "port=8089", "-p", "attempts=2", "-p", "backoff=1s",
        "--yes", "--no-progress",
    )  # fmt: skip
    assert run.exit_code == 6, run.output  # not verified: escalate
    record = run.record
    assert record is not None and record.outcome == "not-verified"
    assert record.hosts[host].checks.post["restart_attempts"] == 2
    assert record.hosts[host].checks.verified is False
    escalation = " ".join(record.service_report.follow_up)
    assert (
        "ESCALATE" in escalation and "rb-broken.service" in escalation and "after 2 restart(s)" in escalation
    )
    assert "bad config" in escalation  # the last log lines travel with the escalation
    assert "did NOT come back" in " ".join(record.service_report.action_taken)


def test_service_down_does_not_restart_a_healthy_service(lab: LabHandle) -> None:
    host = lab.hosts[0]
    run = opsbook(
        lab,
        "runbook", "run", "service-down", "--limit", host, "-i", str(lab.inventory),
        "-p", "service=ssh", "-p", "port=22", "--yes", "--no-progress",
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    record = run.record
    assert record is not None
    assert record.hosts[host].planned == [] and record.hosts[host].changes == []
    assert "nothing restarted" in record.service_report.action_taken[0]


def test_a_plan_never_runs_the_config_test_command(lab: LabHandle, crashed_web: str) -> None:
    """Issue 10: declining at the y/N of service-down after a plan whose `config_test` parameter
    was a command — the command had already run on the host during the plan."""
    host = crashed_web
    marker = "/tmp/opsbook-config-test-ran"
    lab.sh(host, f"rm -f {marker}")
    run = opsbook_interactive(
        lab,
        "runbook", "run", "service-down", "--limit", host, "-i", str(lab.inventory),
        "-p", "service=rb-web", "-p", "port=8088", "-p", f"config_test=touch {marker}",
        answers=[(r"as planned\?", "n")],
    )  # fmt: skip
    assert run.exit_code == 3, run.output  # declined
    assert lab.sh(host, f"test -e {marker}", check=False).returncode == 1, "the plan ran the config test"
    assert lab.sh(host, "systemctl is-active rb-web", check=False).stdout.strip() == "failed"
    record = run.record
    assert record is not None and record.outcome == "refused"
    # the plan did not run it, so it reports no result of it
    assert record.hosts[host].checks.pre["config_test"] not in ("passed", "FAILED")
    assert not any("restarted" in a for a in record.service_report.action_taken)


def test_the_port_is_reported_not_checked_when_none_was_given(lab: LabHandle) -> None:
    """Issue 12: service-down reported `port_open=true` when no port was given."""
    host = lab.hosts[0]
    run = opsbook(
        lab,
        "runbook", "run", "service-down", "--limit", host, "-i", str(lab.inventory),
        "-p", "service=ssh", "--yes", "--no-progress",
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    record = run.record
    assert record is not None
    checks = record.hosts[host].checks
    assert checks.pre["port_open"] == "not checked" and checks.post["port_open"] == "not checked"
    assert checks.pre["http_status"] == "not checked"
