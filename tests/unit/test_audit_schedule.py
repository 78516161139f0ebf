"""Scheduling the audit: systemd units (written into a temporary unit folder, a fake systemctl), cron."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsbook.cli import app
from opsbook.errors import OpsbookError, UsageError
from opsbook.schedules import backends
from opsbook.schedules import model as sched

FLOCK = "/usr/bin/flock"


class FakeSystemctl:
    def __init__(self, rc: int = 0) -> None:
        self.calls: list[list[str]] = []
        self.rc = rc

    def __call__(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(args))
        return subprocess.CompletedProcess(
            ["systemctl", *args], self.rc, "", "unit not found" if self.rc else ""
        )


def make(
    backend: str = "systemd", name: str = "audit", limit: str | None = "web*", state: str = "/srv/st"
) -> sched.Schedule:
    return sched.Schedule(
        name=name,
        job="audit",
        when="daily 02:00",
        project="/srv/ops book",
        customer="acme",
        state=state,
        command=sched.job_command("audit", customer="acme", limit=limit, executable="/venv/bin/opsbook"),
        limit=limit,
        backend=backend,
    )


def test_parse_daily() -> None:
    assert sched.daily("2:05").at == "02:05"
    assert sched.daily("23:59").at == "23:59"
    for bad in ("24:00", "2", "02:60", "noon"):
        with pytest.raises(UsageError):
            sched.daily(bad)


def test_units_run_the_audit_daily_and_accept_drift_as_success() -> None:
    schedule = make()
    service = backends.render_service(schedule, FLOCK)
    timer = backends.render_timer(schedule)
    assert (
        "ExecStart=/usr/bin/flock --nonblock --conflict-exit-code 75 /srv/st/schedules/audit.lock "
        "/venv/bin/opsbook --customer acme audit --format table,json,html,junit --limit 'web*'"
    ) in service
    assert "WorkingDirectory=/srv/ops book" in service and "SuccessExitStatus=2" in service
    assert "OnCalendar=*-*-* 02:00:00" in timer and "Unit=opsbook-audit.service" in timer
    assert "Persistent=true" in timer and "WantedBy=timers.target" in timer


def test_cron_entry() -> None:
    line = backends.render_cron(make("cron"), flock=FLOCK).splitlines()[3]
    assert line.startswith(
        "0 2 * * * root cd '/srv/ops book' && OPSBOOK_PROJECT='/srv/ops book' /usr/bin/flock --nonblock "
        "--conflict-exit-code 75 /srv/st/schedules/audit.lock /venv/bin/opsbook --customer acme audit"
    )
    assert line.endswith(">> /srv/st/schedules/audit.log 2>&1")


def test_install_list_remove_systemd(tmp_path: Path) -> None:
    fake = FakeSystemctl()
    done = backends.install(
        make(state=str(tmp_path / "st")),
        unit_dir=tmp_path,
        cron_dir=tmp_path / "cron",
        systemctl=fake,
        flock=FLOCK,
    )
    assert sorted(p.name for p in done.files) == ["opsbook-audit.service", "opsbook-audit.timer"]
    assert fake.calls == [["daemon-reload"], ["enable", "--now", "opsbook-audit.timer"]]
    (listed,) = backends.list_schedules(unit_dir=tmp_path, cron_dir=tmp_path / "cron")
    assert (listed.name, listed.when, listed.limit, listed.backend) == (
        "audit",
        "daily 02:00",
        "web*",
        "systemd",
    )
    assert listed.customer == "acme"
    removed = backends.remove("audit", unit_dir=tmp_path, cron_dir=tmp_path / "cron", systemctl=fake)
    assert sorted(p.name for p in removed) == ["opsbook-audit.service", "opsbook-audit.timer"]
    assert ["disable", "--now", "opsbook-audit.timer"] in fake.calls
    assert sorted(p.name for p in tmp_path.iterdir()) == ["st"], "only the customer's lock folder stays"


def test_install_reports_a_failing_systemctl(tmp_path: Path) -> None:
    with pytest.raises(OpsbookError, match=r"systemctl daemon-reload failed: unit not found"):
        backends.install(
            make(state=str(tmp_path / "st")),
            unit_dir=tmp_path,
            cron_dir=tmp_path,
            systemctl=FakeSystemctl(rc=1),
        )


def test_install_cron_and_never_touch_foreign_files(tmp_path: Path) -> None:
    state, units, cron = str(tmp_path / "st"), tmp_path / "units", tmp_path / "cron"
    cron.mkdir()
    done = backends.install(make("cron", state=state), unit_dir=units, cron_dir=cron, flock=FLOCK)
    assert [p.name for p in done.files] == ["opsbook-audit"]
    (cron / "opsbook-other").write_text("0 1 * * * root true\n")
    assert [s.name for s in backends.list_schedules(unit_dir=units, cron_dir=cron)] == ["audit"]
    with pytest.raises(OpsbookError, match="not written by opsbook"):
        backends.install(make("cron", name="other", state=state), unit_dir=units, cron_dir=cron, flock=FLOCK)
    backends.remove("audit", unit_dir=units, cron_dir=cron)
    assert [p.name for p in cron.iterdir()] == ["opsbook-other"]


def test_systemd_detection(tmp_path: Path) -> None:
    assert not backends.systemd_running(tmp_path)
    (tmp_path / "run" / "systemd" / "system").mkdir(parents=True)
    assert backends.systemd_running(tmp_path)


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
    assert "opsbook-opsbook-audit" in result.output, "default name: CUSTOMER-JOB"
    text = (cron / "opsbook-opsbook-audit").read_text()
    assert "--customer opsbook audit --format table,json,html,junit --limit web01" in text
    listed = runner.invoke(app, ["schedule", "list", "--cron-dir", str(cron), "--unit-dir", str(units)])
    assert "web01" in listed.output and "cron" in listed.output
    bad = runner.invoke(app, ["schedule", "install", "audit", "--daily", "25:00", "--cron-dir", str(cron)])
    assert bad.exit_code == 2 and "not a time of day" in bad.output
    gone = runner.invoke(
        app, ["schedule", "remove", "opsbook-audit", "--cron-dir", str(cron), "--unit-dir", str(units)]
    )
    assert gone.exit_code == 0 and not (cron / "opsbook-opsbook-audit").exists()
