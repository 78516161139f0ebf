"""Classification of health runs into the report: recorded lab run + device results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsbook.health.classify import DeviceProbe, report_from_run
from opsbook.health.devices import device_row, parse_version_output, uptime_seconds
from opsbook.health.model import HealthReport, Status, worst
from opsbook.results import HostSummary, RunResult

FIXTURES = Path(__file__).parent / "fixtures" / "health"


def recorded_run() -> RunResult:
    """A real run of playbooks/health.yml on a lab: host01 with /srv/data filled and a failed
    unit, host02 with a broken threshold (warn above crit), ghost unreachable (closed port)."""
    return RunResult.from_dict(json.loads((FIXTURES / "run-linux-lab.json").read_text()))


# --- Linux hosts -------------------------------------------------------------------------------------


def test_recorded_run_gives_one_row_per_host():
    report = report_from_run(recorded_run())
    assert [h.name for h in report.hosts] == ["healthdev-ghost", "healthdev-host01", "healthdev-host02"]
    assert all(h.kind == "linux" for h in report.hosts)


def test_filled_filesystem_and_failed_unit_are_crit_on_that_host():
    host = next(h for h in report_from_run(recorded_run()).hosts if h.name == "healthdev-host01")
    assert host.reachable
    assert host.status is Status.CRIT
    data = next(c for c in host.checks if c.check == "filesystems" and c.item == "/srv/data")
    assert data.status is Status.CRIT
    assert data.value > 90
    assert (data.warn, data.crit) == (80.0, 90.0)
    units = next(c for c in host.checks if c.check == "systemd")
    assert units.status is Status.CRIT
    assert units.details["failed"] == ["opsbook-broken.service"]
    log = next(c for c in host.checks if c.check == "filesystems" and c.item == "/var/log")
    assert log.status is Status.OK


def test_unreachable_host_is_crit_and_not_reachable():
    ghost = next(h for h in report_from_run(recorded_run()).hosts if h.name == "healthdev-ghost")
    assert ghost.status is Status.CRIT
    assert ghost.reachable is False
    assert "Connection refused" in ghost.error
    assert [c.check for c in ghost.checks] == ["reachable"]


def test_failed_module_is_unknown_with_its_message():
    host02 = next(h for h in report_from_run(recorded_run()).hosts if h.name == "healthdev-host02")
    assert host02.status is Status.UNKNOWN
    assert host02.reachable is True
    assert "fs_warn_pct (95.0) is above fs_crit_pct (90.0)" in host02.error


def test_host_status_is_never_better_than_its_worst_check():
    run = recorded_run()
    task = next(t for t in run.tasks if t.host == "healthdev-host01")
    task.result["status"] = "OK"  # a lying overall status
    host = next(h for h in report_from_run(run).hosts if h.name == "healthdev-host01")
    assert host.status is Status.CRIT


def test_host_in_the_recap_without_a_result_is_unknown_not_ok():
    run = RunResult(run_id="r1", playbook="health.yml", artifact_dir=Path("/x"), status="successful", rc=0)
    run.hosts["lonely"] = HostSummary(host="lonely", skipped=1)
    (row,) = report_from_run(run).hosts
    assert row.status is Status.UNKNOWN
    assert row.error == "no health result for this host"


def test_report_round_trips_through_json():
    report = report_from_run(recorded_run())
    data = json.loads(json.dumps(report.to_dict()))
    again = HealthReport.from_dict(data)
    assert again.to_dict() == report.to_dict()
    assert data["kind"] == "opsbook-health"
    assert data["summary"] == {"hosts": 3, "devices": 0, "OK": 0, "UNKNOWN": 1, "WARN": 0, "CRIT": 2}
    assert data["exit_code"] == 2


# --- network devices ---------------------------------------------------------------------------------


def test_ios_show_version_parsed():
    info = parse_version_output((FIXTURES / "show-version-ios.txt").read_text())
    assert info.version == "15.2(7)E4"
    assert info.uptime == "1 year, 2 weeks, 3 days, 4 hours, 5 minutes"
    assert info.uptime_seconds == 365 * 86400 + 17 * 86400 + 4 * 3600 + 300


def test_iosxe_and_vrp_versions_parsed():
    xe = parse_version_output((FIXTURES / "show-version-iosxe.txt").read_text())
    assert (xe.version, xe.uptime_seconds) == ("16.09.04", 42 * 60)
    vrp = parse_version_output((FIXTURES / "display-version-vrp.txt").read_text())
    assert vrp.version == "5.170 (S5720 V200R011C10SPC500)"
    assert vrp.uptime == "0 week, 2 days, 22 hours, 11 minutes"
    assert vrp.uptime_seconds == 2 * 86400 + 22 * 3600 + 11 * 60


@pytest.mark.parametrize(
    ("text", "seconds"), [("5 minutes", 300), ("1 day, 1 second", 86401), ("soon", None)]
)
def test_uptime_seconds(text, seconds):
    assert uptime_seconds(text) == seconds


def test_device_rows_ok_unknown_and_unreachable():
    ok = device_row("sw01", "cisco_ios", "ansible", (FIXTURES / "show-version-ios.txt").read_text())
    assert (ok.status, ok.reachable, ok.device.version) == (Status.OK, True, "15.2(7)E4")
    odd = device_row("sw02", "cisco_ios", "ansible", "% Invalid input detected at '^' marker.")
    assert (odd.status, odd.reachable) == (Status.UNKNOWN, True)
    down = device_row(
        "rt01", "huawei_vrp", "netmiko", None, "not reachable: cannot connect to 127.0.0.1:2302"
    )
    assert (down.status, down.reachable) == (Status.CRIT, False)
    assert down.error == "not reachable: cannot connect to 127.0.0.1:2302"


def network_run() -> RunResult:
    """A real run of playbooks/health.yml (limit network) on a lab: healthdev-sw01 (IOS) answers,
    healthdev-sw09 (IOS) has nothing on its port; the VRP devices rt01 / rt09 are skipped by the
    playbook (no network_cli plugin for VRP) and read over netmiko by opsbook health."""
    return RunResult.from_dict(json.loads((FIXTURES / "run-network-lab.json").read_text()))


def test_devices_from_ansible_tasks_and_netmiko_probes_merge_into_one_report():
    probes = [
        DeviceProbe("healthdev-rt01", "huawei_vrp", (FIXTURES / "display-version-vrp-lab.txt").read_text()),
        DeviceProbe(
            "healthdev-rt09", "huawei_vrp", None, "not reachable: healthdev-rt09: timed out connecting"
        ),
    ]
    report = report_from_run(network_run(), probes)
    devices = {d.name: d for d in report.devices}
    assert list(devices) == ["healthdev-rt01", "healthdev-rt09", "healthdev-sw01", "healthdev-sw09"]
    assert report.linux == []
    sw01 = devices["healthdev-sw01"]
    assert (sw01.status, sw01.reachable, sw01.device.via) == (Status.OK, True, "ansible")
    assert sw01.device.version == "15.2(7)E4"
    assert sw01.device.uptime_seconds > 0
    sw09 = devices["healthdev-sw09"]
    assert (sw09.status, sw09.reachable) == (Status.CRIT, False)
    assert "Unable to connect to port 2759" in sw09.error
    rt01 = devices["healthdev-rt01"]
    assert (rt01.status, rt01.device.via, rt01.device.platform) == (Status.OK, "netmiko", "huawei_vrp")
    assert rt01.device.version == "5.170 (AR2200 V200R010C10SPC700)"
    assert rt01.device.uptime == "2 weeks, 2 days, 2 hours, 34 minutes"
    assert (devices["healthdev-rt09"].status, devices["healthdev-rt09"].reachable) == (Status.CRIT, False)


def test_device_skipped_by_the_playbook_and_read_by_nobody_is_unknown():
    devices = {d.name: d for d in report_from_run(network_run()).devices}
    assert devices["healthdev-rt01"].status is Status.UNKNOWN
    assert "no way to read" in devices["healthdev-rt01"].error


def test_worst_and_exit_code():
    assert worst([]) is Status.OK
    assert worst([Status.OK, Status.UNKNOWN]) is Status.UNKNOWN
    report = HealthReport(run_id="r")
    assert report.exit_code == 0
    report.hosts.append(
        device_row("sw01", "cisco_ios", "ansible", (FIXTURES / "show-version-ios.txt").read_text())
    )
    assert report.exit_code == 0
    report.hosts.append(device_row("sw02", "cisco_ios", "ansible", None, "down"))
    assert report.exit_code == 2
