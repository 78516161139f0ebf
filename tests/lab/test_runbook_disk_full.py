"""Runbook disk-full on a real lab host whose small /var/log (and /srv/data) filesystem is full."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_runbook_labkit import df_used_percent, fill_to, opsbook, opsbook_interactive

from opsbook.lab.handle import LabHandle

LINE = "2026-11-27T10:00:00 app[42]: served GET /api/items in 12ms status=200"
APP_LOGROTATE = "/var/log/app/*.log {\\n  rotate 4\\n  compress\\n  missingok\\n  notifempty\\n}\\n"


@pytest.fixture
def full_var_log(lab: LabHandle) -> Iterator[str]:
    """/var/log at ≥ 97 %: an active log, rotated uncompressed logs, and a data file in between."""
    host = lab.hosts[0]
    lab.sh(
        host,
        "mkdir -p /var/log/app && cd /var/log/app && "
        f"yes '{LINE}' | head -c 90M > app.log.1 && "
        f"yes '{LINE}' | head -c 50M > app.log && "
        "head -c 40M /dev/urandom > state.db && "
        f"printf '{APP_LOGROTATE}' > /etc/logrotate.d/app",
    )
    fill_to(lab, host, "/var/log", 97, "/var/log/app/app.log.2", text=True)
    yield host
    lab.sh(host, "rm -rf /var/log/app /etc/logrotate.d/app")


def test_disk_full_frees_var_log_below_the_threshold_with_a_record(lab: LabHandle, full_var_log: str) -> None:
    host = full_var_log
    assert df_used_percent(lab, host, "/var/log") >= 97
    data_sum = lab.sh(host, "sha256sum /var/log/app/state.db").stdout.split()[0]

    # the command, in a terminal: it shows the plan, asks, and is answered "y"
    run = opsbook_interactive(
        lab,
        "runbook", "run", "disk-full", "--limit", host, "--ticket", "INC-1", "-i", str(lab.inventory),
        answers=[(r"as planned\?", "y")],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "Plan (check mode: nothing has changed yet)" in run.output
    assert "Compress each rotated log" in run.output

    # the fault is gone for real
    assert df_used_percent(lab, host, "/var/log") < 90
    assert lab.sh(host, "sha256sum /var/log/app/state.db").stdout.split()[0] == data_sum
    assert (
        lab.sh(
            host, "test -s /var/log/app/app.log.2.gz -o -s /var/log/app/app.log.3.gz", check=False
        ).returncode
        == 0
    )

    # and the record says so
    record = run.record
    assert record is not None and run.record_path is not None
    assert record.ticket == "INC-1" and record.outcome == "ok" and record.targets == [host]
    assert [r.purpose for r in record.runs] == ["plan", "apply"]
    assert record.consent.given == "prompt"
    checks = record.hosts[host].checks
    assert checks.verified is True
    assert checks.pre["used_percent"] >= 97
    assert checks.post["used_percent"] < 90
    assert checks.post["freed_bytes"] > 100 * 1024 * 1024
    planned = [c["task"] for c in record.hosts[host].planned]
    assert "Compress each rotated log" in planned and "Force the log rotation" in planned
    actions = record.service_report.action_taken
    assert any("compressed" in a and "app.log.1" in a for a in actions), actions
    assert any(a.startswith(f"{host}: freed ") for a in actions), actions
    report = (run.record_path.parent / "service-report.md").read_text()
    assert "INC-1" in report and "## Result verified" in report and f"{host}: verified" in report
    assert "freed" in report
    html = (run.record_path.parent / "service-report.html").read_text()
    assert "freed" in html and "INC-1" in html


@pytest.fixture
def full_srv_data(lab: LabHandle) -> Iterator[str]:
    """/srv/data at ≥ 97 % with data only (nothing a runbook may reduce)."""
    host = lab.hosts[-1]
    lab.sh(host, "mkdir -p /srv/data/db && head -c 20M /dev/urandom > /srv/data/db/table.1")
    fill_to(lab, host, "/srv/data", 97, "/srv/data/db/table.2", text=False)
    yield host
    lab.sh(host, "rm -rf /srv/data/db")


def test_disk_full_never_deletes_data_and_escalates(lab: LabHandle, full_srv_data: str) -> None:
    host = full_srv_data
    before = lab.sh(host, "sha256sum /srv/data/db/table.1 /srv/data/db/table.2").stdout
    run = opsbook(
        lab,
        "runbook", "run", "disk-full", "--limit", host, "--ticket", "INC-2", "-i", str(lab.inventory),
        "-p", "path=/srv/data", "--yes", "--no-progress",
    )  # fmt: skip
    assert run.exit_code == 6, run.output  # not verified: escalate
    assert lab.sh(host, "sha256sum /srv/data/db/table.1 /srv/data/db/table.2").stdout == before
    assert df_used_percent(lab, host, "/srv/data") >= 97
    record = run.record
    assert record is not None and record.outcome == "not-verified"
    assert record.hosts[host].checks.verified is False
    # table.1 looks like a rotated log by name, but it is not under /var/log: never touched
    assert not record.hosts[host].changes
    follow_up = " ".join(record.service_report.follow_up)
    assert "ESCALATE" in follow_up and "never deletes" in follow_up and "/srv/data/db" in follow_up
    assert "Escalate as described in runbooks/disk-full.md" in follow_up


def test_disk_full_plans_a_full_root_filesystem(lab: LabHandle) -> None:
    """Issue 10: `disk-full --check -p path=/` — the most common incident — failed its plan
    ("List the largest files": sort got SIGPIPE from head on a big filesystem)."""
    host = lab.hosts[0]
    run = opsbook(
        lab,
        "runbook", "run", "disk-full", "--limit", host, "-i", str(lab.inventory),
        "-p", "path=/", "--check", "--no-progress",
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "FAILED" not in run.output
    record = run.record
    assert record is not None and record.outcome == "planned"
    checks = record.hosts[host].checks
    assert checks.pre["filesystem"] == "/" and checks.post["filesystem"] == "/"
    assert record.hosts[host].failures == []
    cause = " ".join(record.service_report.cause)
    assert "/ filled up to" in cause and "the largest entries on it: /" in cause
    # a plan says nothing was done
    assert not any("freed" in a for a in record.service_report.action_taken)


@pytest.fixture
def big_log_at_mount_root(lab: LabHandle) -> Iterator[str]:
    """/var/log filled by a 235 MB rotated log at the mount's root, beside two empty folders."""
    host = lab.hosts[1]
    lab.sh(
        host,
        f"yes '{LINE}' | head -c 235M > /var/log/app.log.1 && mkdir -p /var/log/aaa-empty /var/log/zzz-empty",
    )
    yield host
    lab.sh(host, "rm -rf /var/log/app.log.1 /var/log/app.log.1.gz /var/log/aaa-empty /var/log/zzz-empty")


def test_disk_full_cause_and_plan_name_the_files_by_size(lab: LabHandle, big_log_at_mount_root: str) -> None:
    """Issue 12: the "Cause" named zero-size folders while a 235 MB app.log.1 at the mount's root
    filled it, and the plan showed task names with empty diffs although the docs promise the files."""
    host = big_log_at_mount_root
    before = lab.sh(host, "stat -c '%s %Y' /var/log/app.log.1").stdout
    run = opsbook(
        lab,
        "runbook", "run", "disk-full", "--limit", host, "-i", str(lab.inventory), "--check", "--no-progress",
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    record = run.record
    assert record is not None and record.outcome == "planned"
    cause = " ".join(record.service_report.cause)
    assert "the largest entries on it: /var/log/app.log.1 (235.00 MB)" in cause, cause
    assert "empty" not in cause, cause
    # the plan lists the file it would compress, with its size, on screen and in the record
    assert "compress /var/log/app.log.1 (235.00 MB)" in run.output
    planned = {c["task"]: c["diff"] for c in record.hosts[host].planned}
    assert "compress /var/log/app.log.1 (235.00 MB)" in planned["Compress each rotated log"]
    assert all(diff.strip() for diff in planned.values()), planned
    # and it was only a plan
    assert lab.sh(host, "stat -c '%s %Y' /var/log/app.log.1").stdout == before
