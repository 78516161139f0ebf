"""Scheduling the audit: systemd units (written into a temporary unit folder, a fake systemctl), cron."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsbook.audit import schedule as sched
from opsbook.cli import app
from opsbook.errors import OpsbookError, UsageError


class FakeSystemctl:
    def __init__(self, rc: int = 0) -> None:
        self.calls: list[list[str]] = []
        self.rc = rc

    def __call__(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(args))
        return subprocess.CompletedProcess(
            ["systemctl", *args], self.rc, "", "unit not found" if self.rc else ""
        )


def make(backend: str = "systemd", name: str = "audit", limit: str | None = "web*") -> sched.Schedule:
    return sched.Schedule(
        name=name,
        job="audit",
        daily="02:00",
        project="/srv/ops book",
        command=sched.audit_command(limit=limit, executable="/venv/bin/opsbook"),
        limit=limit,
        backend=backend,
    )


def test_parse_daily() -> None:
    assert sched.parse_daily("2:05") == (2, 5)
    assert sched.parse_daily("23:59") == (23, 59)
    for bad in ("24:00", "2", "02:60", "noon"):
        with pytest.raises(UsageError):
            sched.parse_daily(bad)


def test_units_run_the_audit_daily_and_accept_drift_as_success() -> None:
    schedule = make()
    service = sched.render_service(schedule)
    timer = sched.render_timer(schedule)
    assert "ExecStart=/venv/bin/opsbook audit --format table,json,html,junit --limit 'web*'" in service
    assert "WorkingDirectory=/srv/ops book" in service and "SuccessExitStatus=2" in service
    assert "OnCalendar=*-*-* 02:00:00" in timer and "Unit=opsbook-audit.service" in timer
    assert "Persistent=true" in timer and "WantedBy=timers.target" in timer


def test_cron_entry() -> None:
    line = sched.render_cron(make("cron")).splitlines()[3]
    assert line.startswith(
        "0 2 * * * root cd '/srv/ops book' && OPSBOOK_PROJECT='/srv/ops book' /venv/bin/opsbook audit"
    )
    assert line.endswith("2>&1")


def test_install_list_remove_systemd(tmp_path: Path) -> None:
    fake = FakeSystemctl()
    done = sched.install(make(), unit_dir=tmp_path, cron_dir=tmp_path / "cron", systemctl=fake)
    assert sorted(p.name for p in done.files) == ["opsbook-audit.service", "opsbook-audit.timer"]
    assert fake.calls == [["daemon-reload"], ["enable", "--now", "opsbook-audit.timer"]]
    (listed,) = sched.list_schedules(unit_dir=tmp_path, cron_dir=tmp_path / "cron")
    assert (listed.name, listed.daily, listed.limit, listed.backend) == ("audit", "02:00", "web*", "systemd")
    removed = sched.remove("audit", unit_dir=tmp_path, cron_dir=tmp_path / "cron", systemctl=fake)
    assert sorted(p.name for p in removed) == ["opsbook-audit.service", "opsbook-audit.timer"]
    assert ["disable", "--now", "opsbook-audit.timer"] in fake.calls
    assert list(tmp_path.iterdir()) == []


def test_install_reports_a_failing_systemctl(tmp_path: Path) -> None:
    with pytest.raises(OpsbookError, match=r"systemctl daemon-reload failed: unit not found"):
        sched.install(make(), unit_dir=tmp_path, cron_dir=tmp_path, systemctl=FakeSystemctl(rc=1))


def test_install_cron_and_never_touch_foreign_files(tmp_path: Path) -> None:
    done = sched.install(make("cron"), unit_dir=tmp_path / "units", cron_dir=tmp_path)
    assert [p.name for p in done.files] == ["opsbook-audit"]
    (tmp_path / "opsbook-other").write_text("0 1 * * * root true\n")
    assert [s.name for s in sched.list_schedules(unit_dir=tmp_path / "units", cron_dir=tmp_path)] == ["audit"]
    with pytest.raises(OpsbookError, match="not written by opsbook"):
        sched.install(make("cron", name="other"), unit_dir=tmp_path / "units", cron_dir=tmp_path)
    sched.remove("audit", unit_dir=tmp_path / "units", cron_dir=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["opsbook-other"]


def test_systemd_detection(tmp_path: Path) -> None:
    assert not sched.systemd_running(tmp_path)
    (tmp_path / "run" / "systemd" / "system").mkdir(parents=True)
    assert sched.systemd_running(tmp_path)


def test_cli_install_list_remove(tmp_path: Path) -> None:
    runner = CliRunner()
    units, cron = tmp_path / "units", tmp_path / "cron"
    cron.mkdir()
    result = runner.invoke(
        app,
        ["schedule", "install", "audit", "--daily", "02:00", "--limit", "web01", "--backend", "cron",
         "--cron-dir", str(cron), "--unit-dir", str(units)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "opsbook-audit" in result.output
    text = (cron / "opsbook-audit").read_text()
    assert "audit --format table,json,html,junit --limit web01" in text
    listed = runner.invoke(app, ["schedule", "list", "--cron-dir", str(cron), "--unit-dir", str(units)])
    assert "web01" in listed.output and "cron" in listed.output
    bad = runner.invoke(app, ["schedule", "install", "audit", "--daily", "25:00", "--cron-dir", str(cron)])
    assert bad.exit_code == 1 and "not a time of day" in bad.output
    gone = runner.invoke(
        app, ["schedule", "remove", "audit", "--cron-dir", str(cron), "--unit-dir", str(units)]
    )
    assert gone.exit_code == 0 and not (cron / "opsbook-audit").exists()
