"""Schedules of inspection, audit and network backup: daily, weekly, monthly, per customer, no overlap."""

from __future__ import annotations

import fcntl
import json
import shlex
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsbook.cli import app
from opsbook.errors import UsageError
from opsbook.schedules import backends
from opsbook.schedules import model as sched

FLOCK = "/usr/bin/flock"


@pytest.mark.parametrize(
    ("reader", "value", "calendar", "cron", "spoken"),
    [
        (sched.daily, "02:00", "*-*-* 02:00:00", "0 2 * * *", "daily at 02:00"),
        (sched.weekly, "mon@02:30", "Mon *-*-* 02:30:00", "30 2 * * 1", "weekly on Monday at 02:30"),
        (sched.weekly, "sunday 23:05", "Sun *-*-* 23:05:00", "5 23 * * 0", "weekly on Sunday at 23:05"),
        (sched.monthly, "1@04:00", "*-*-01 04:00:00", "0 4 1 * *", "monthly on day 1 at 04:00"),
        (sched.monthly, "28 00:15", "*-*-28 00:15:00", "15 0 28 * *", "monthly on day 28 at 00:15"),
    ],
)
def test_cadences(reader: object, value: str, calendar: str, cron: str, spoken: str) -> None:
    cadence = reader(value)  # type: ignore[operator]
    assert cadence.on_calendar() == calendar
    assert cadence.cron_fields() == cron
    assert cadence.describe() == spoken
    assert sched.parse_cadence(cadence.spec()) == cadence


@pytest.mark.parametrize(
    ("reader", "value", "message"),
    [
        (sched.weekly, "moon@02:00", "is not a weekday"),
        (sched.weekly, "02:00", "expected DAY@HH:MM"),
        (sched.monthly, "31@02:00", "is not 1 to 28"),
        (sched.monthly, "0@02:00", "is not 1 to 28"),
        (sched.monthly, "1@25:00", "is not a time of day"),
    ],
)
def test_bad_cadences_are_refused(reader: object, value: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        reader(value)  # type: ignore[operator]


def test_exactly_one_cadence() -> None:
    with pytest.raises(UsageError, match="exactly one"):
        sched.choose_cadence(daily_at="02:00", weekly_at="mon@02:00", monthly_at=None)
    with pytest.raises(UsageError, match="exactly one"):
        sched.choose_cadence(daily_at=None, weekly_at=None, monthly_at=None)


def test_every_job_runs_in_its_customer_context() -> None:
    health = sched.job_command("health", customer="acme", limit="web*", executable="ob")
    assert health == ["ob", "--customer", "acme", "health", "--limit", "web*"]
    assert sched.job_command("net-backup", customer="nw", executable="ob") == [
        "ob",
        "--customer",
        "nw",
        "net",
        "backup",
    ]
    with pytest.raises(UsageError, match="audit only"):
        sched.job_command("health", customer="acme", scopes=["linux"])
    with pytest.raises(UsageError, match="unknown job"):
        sched.job_command("patch", customer="acme")


def _schedule(job: str, customer: str, state: Path, command: list[str] | None = None) -> sched.Schedule:
    return sched.Schedule(
        name=f"{customer}-{job}",
        job=job,
        when="weekly mon 02:00",
        project="/srv/ops",
        customer=customer,
        state=str(state),
        command=command or sched.job_command(job, customer=customer, executable="/v/opsbook"),
    )


def test_health_and_backup_units_and_their_success_codes(tmp_path: Path) -> None:
    health = backends.render_service(_schedule("health", "acme", tmp_path), FLOCK)
    assert "SuccessExitStatus=2" in health, "exit 2 = findings: the inspection worked"
    backup = backends.render_service(_schedule("net-backup", "acme", tmp_path), FLOCK)
    assert "SuccessExitStatus" not in backup, "a device that failed its backup is a failed unit"
    assert "/v/opsbook --customer acme net backup" in backup
    timer = backends.render_timer(_schedule("health", "acme", tmp_path))
    assert "OnCalendar=Mon *-*-* 02:00:00" in timer


def test_two_customers_locks_and_logs_never_mix(tmp_path: Path) -> None:
    acme = _schedule("audit", "acme", tmp_path / "customers" / "acme")
    northwind = _schedule("audit", "northwind", tmp_path / "customers" / "northwind")
    assert acme.lock != northwind.lock and acme.log != northwind.log
    assert acme.lock == tmp_path / "customers" / "acme" / "schedules" / "audit.lock"


def test_the_lock_refuses_an_overlapping_run_and_lets_the_next_one_through(tmp_path: Path) -> None:
    """The real flock(1) around the real command line a schedule runs."""
    marker = tmp_path / "ran"
    schedule = _schedule(
        "audit", "acme", tmp_path, command=["sh", "-c", f"echo run >> {shlex.quote(str(marker))}"]
    )
    schedule.lock.parent.mkdir(parents=True)
    with schedule.lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # the previous run is still going
        busy = subprocess.run(schedule.locked_command(backends.flock_path()), check=False, timeout=30)
        assert busy.returncode == sched.BUSY_EXIT
        assert not marker.exists(), "the overlapping run did not start"
    free = subprocess.run(schedule.locked_command(backends.flock_path()), check=False, timeout=30)
    assert free.returncode == 0
    assert marker.read_text() == "run\n"


def test_schedules_written_before_contexts_are_still_listed(tmp_path: Path) -> None:
    old = {
        "name": "audit",
        "job": "audit",
        "daily": "02:00",
        "project": "/srv/ops",
        "command": ["opsbook", "audit"],
    }
    (tmp_path / "opsbook-audit").write_text(sched.MARKER + json.dumps(old) + "\n0 2 * * * root true\n")
    (listed,) = backends.list_schedules(unit_dir=tmp_path / "none", cron_dir=tmp_path)
    assert listed.when == "daily 02:00" and listed.cadence.describe() == "daily at 02:00"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "ansible.cfg").write_text("[defaults]\ninventory = inventory/lab\n")
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "inventory" / "lab").mkdir(parents=True)
    for name in ("acme", "northwind"):
        (tmp_path / "inventory" / name).mkdir()
        (tmp_path / "inventory" / name / "hosts.yml").write_text("all: {}\n")
    for var in ("OPSBOOK_CUSTOMER", "OPSBOOK_LAB", "ANSIBLE_INVENTORY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPSBOOK_PROJECT", str(tmp_path))
    (tmp_path / "cron").mkdir()
    return tmp_path


def _install(project: Path, *args: str) -> tuple[int, str]:
    dirs = ["--backend", "cron", "--cron-dir", str(project / "cron"), "--unit-dir", str(project / "units")]
    result = CliRunner().invoke(app, [*args, *dirs])
    return result.exit_code, result.output


def test_cli_schedules_each_customer_separately(project: Path) -> None:
    code, out = _install(
        project, "--customer", "acme", "schedule", "install", "health", "--weekly", "mon@03:00"
    )
    assert code == 0, out
    code, out = _install(
        project, "-C", "northwind", "schedule", "install", "net-backup", "--monthly", "1@04:00"
    )
    assert code == 0, out
    acme = (project / "cron" / "opsbook-acme-health").read_text().splitlines()[3]
    assert acme.startswith("0 3 * * 1 root ")
    assert "--customer acme health" in acme
    assert str(project / ".opsbook" / "customers" / "acme" / "schedules" / "health.lock") in acme
    northwind = (project / "cron" / "opsbook-northwind-net-backup").read_text().splitlines()[3]
    assert northwind.startswith("0 4 1 * * root ") and "--customer northwind net backup" in northwind
    listed = CliRunner().invoke(
        app,
        ["schedule", "list", "--json", "--cron-dir", str(project / "cron"), "--unit-dir", str(project / "u")],
    )
    rows = {row["name"]: row for row in json.loads(listed.output)}
    assert rows["acme-health"]["customer"] == "acme" and rows["acme-health"]["when"] == "weekly mon 03:00"
    assert rows["northwind-net-backup"]["customer"] == "northwind"


def test_cli_refuses_an_ad_hoc_inventory_and_two_cadences(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = project / "elsewhere.yml"
    other.write_text("all: {}\n")
    monkeypatch.setenv("ANSIBLE_INVENTORY", str(other))
    code, out = _install(project, "schedule", "install", "audit", "--daily", "02:00")
    assert code == 2 and "ad-hoc inventory" in out
    monkeypatch.delenv("ANSIBLE_INVENTORY")
    code, out = _install(project, "schedule", "install", "audit", "--daily", "02:00", "--weekly", "mon@02:00")
    assert code == 2 and "exactly one" in out
    assert list((project / "cron").iterdir()) == []


def test_a_missing_cron_folder_is_named(project: Path) -> None:
    """Before: advice about /etc/cron.d whatever --cron-dir said."""
    missing = project / "no-cron-here"
    result = CliRunner().invoke(
        app,
        ["schedule", "install", "audit", "--daily", "02:00", "--backend", "cron", "--cron-dir", str(missing)],
    )
    assert result.exit_code == 1
    assert f"the cron folder {missing} is available" in " ".join(result.output.split())
    assert not missing.exists()
