"""opsbook health end to end without a lab: a recorded run stands in for the runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import opsbook.cli.health as cli_health
from opsbook.cli import app
from opsbook.errors import OpsbookError, UsageError
from opsbook.health.classify import DeviceProbe, report_from_run
from opsbook.health.inspect import group_members, inspect, read_by_netmiko
from opsbook.health.model import Status
from opsbook.health.render import print_report
from opsbook.network.inventory import NetDevice
from opsbook.paths import ProjectPaths
from opsbook.register import Scope, read_register
from opsbook.results import RunResult

FIXTURES = Path(__file__).parent / "fixtures" / "health"
SOUND = Path(__file__).parent / "fixtures" / "registers" / "valid"


def no_skips(inventory, limit, paths):
    """The register read finds nothing to skip (the fake runner decides what was inspected)."""
    return Scope(read_register([SOUND], roles_dirs=[]), ["web01", "web02"])


def recorded_run() -> RunResult:
    return RunResult.from_dict(json.loads((FIXTURES / "run-linux-lab.json").read_text()))


VRP = NetDevice(name="lab-rt02", platform="huawei_vrp", host="127.0.0.1", port=2302, username="admin",
                password="s3cret-VRP")  # fmt: skip
IOS = NetDevice(name="lab-sw01", platform="cisco_ios", host="127.0.0.1", port=2301, username="admin",
                password="s3cret-IOS", vars={"ansible_network_os": "cisco.ios.ios"})  # fmt: skip


class FakeRunner:
    def __init__(self, run: RunResult) -> None:
        self.run = run
        self.calls: list[dict] = []

    def __call__(self, playbook, **kwargs):
        self.calls.append({"playbook": playbook, **kwargs})
        return self.run


def test_inspect_runs_the_playbook_probes_other_devices_and_writes_json(tmp_path):
    runner = FakeRunner(recorded_run())
    probed: list[list[str]] = []

    def prober(devices):
        probed.append([d.name for d in devices])
        return [
            DeviceProbe(d.name, d.platform, (FIXTURES / "display-version-vrp.txt").read_text())
            for d in devices
        ]

    report, path = inspect(
        inventory=["inv"],
        limit="lab-*",
        paths=ProjectPaths(tmp_path),
        runner=runner,
        prober=prober,
        devices=lambda inventory, limit, paths: ([IOS], [VRP]),
        scope_reader=no_skips,
    )
    (call,) = runner.calls
    assert call["playbook"] == "health"
    assert call["inventory"] == ["inv"]
    assert call["limit"] == "lab-*"
    assert set(call["secrets"]) == {"s3cret-VRP", "s3cret-IOS"}
    assert probed == [["lab-rt02"]]
    assert path == tmp_path / ".opsbook" / "reports" / f"health-{runner.run.run_id}.json"
    written = json.loads(path.read_text())
    assert written == report.to_dict()
    assert [h["name"] for h in written["hosts"]][-1] == "lab-rt02"
    assert "s3cret" not in path.read_text()


def test_inspect_refuses_a_run_that_never_started(tmp_path):
    run = recorded_run()
    run.tasks, run.hosts, run.status, run.error = [], {}, "failed", "ERROR! the playbook could not be parsed"
    with pytest.raises(OpsbookError, match="could not be parsed"):
        inspect(
            paths=ProjectPaths(tmp_path),
            runner=FakeRunner(run),
            prober=lambda d: [],
            devices=lambda inventory, limit, paths: ([], []),
            scope_reader=no_skips,
        )


def test_inspect_with_nothing_to_inspect_is_an_error_naming_the_limit(tmp_path):
    run = recorded_run()
    run.tasks, run.hosts, run.status = [], {}, "successful"
    with pytest.raises(OpsbookError, match="--limit 'nosuch'"):
        inspect(
            limit="nosuch",
            paths=ProjectPaths(tmp_path),
            runner=FakeRunner(run),
            prober=lambda d: [],
            devices=lambda inventory, limit, paths: ([], []),
            scope_reader=no_skips,
        )


def test_bad_inventory_input_exits_1_not_2_which_means_findings(tmp_path):
    def broken(inventory, limit, paths):
        raise UsageError("sw01: variable ansible_password is vault-encrypted", hint="keep it elsewhere")

    with pytest.raises(OpsbookError) as caught:
        inspect(
            paths=ProjectPaths(tmp_path),
            runner=FakeRunner(recorded_run()),
            prober=lambda d: [],
            devices=broken,
            scope_reader=no_skips,
        )
    assert caught.value.exit_code == 1
    assert "vault-encrypted" in str(caught.value)


def test_group_members_follow_children_and_netmiko_selection():
    data = {
        "all": {"children": ["network", "linux"]},
        "network": {"children": ["ios", "vrp"]},
        "ios": {"hosts": ["sw01"]},
        "vrp": {"hosts": ["rt02"]},
        "linux": {"hosts": ["host01"]},
    }
    assert group_members(data, "network") == {"sw01", "rt02"}
    assert read_by_netmiko({"ansible_network_os": "cisco.ios.ios"}) is False
    assert read_by_netmiko({"netmiko_device_type": "huawei"}) is True


def test_table_shows_each_host_and_the_devices():
    report = report_from_run(
        recorded_run(), [DeviceProbe("lab-rt02", "huawei_vrp", None, "not reachable: refused")]
    )
    console = Console(record=True, width=160)
    print_report(report, console)
    text = console.export_text()
    assert "healthdev-host01  CRIT" in text
    assert "/srv/data" in text
    assert "1 failed unit: opsbook-broken.service" in text
    assert "Network devices" in text
    assert "not reachable: refused" in text
    assert "3 hosts, 1 device: 1 UNKNOWN, 3 CRIT  overall CRIT" in text


def test_problems_only_hides_ok_rows_and_ok_hosts_but_keeps_the_summary():
    report = report_from_run(recorded_run())
    sick = next(h for h in report.linux if h.name == "healthdev-host01")
    healthy = next(h for h in report.linux if h.name == "healthdev-host02")
    healthy.status = Status.OK
    for row in healthy.checks:
        row.status = Status.OK
    console = Console(record=True, width=160)
    print_report(report, console, problems_only=True)
    text = console.export_text()
    assert f"{sick.name}  CRIT" in text
    assert "healthdev-host02" not in text
    assert "1 host(s)/device(s) all OK, not shown (--problems-only)" in text
    assert "systemd" in text and "time_sync" in text  # the CRIT rows
    assert "inodes" not in text and "memory" not in text  # every inodes and memory row is OK
    assert "overall CRIT" in text


def test_host_names_and_items_are_whole_at_80_columns():
    report = report_from_run(recorded_run())
    report.linux[0].name = "pay-gateway-prod-db-replica-07.dc2.acme-bank.example"
    console = Console(record=True, width=80)
    print_report(report, console)
    text = console.export_text()
    assert "pay-gateway-prod-db-replica-07.dc2.acme-bank.example" in text
    assert "/srv/data" in text


def _fake_inspect(tmp_path, status_ok=False):
    report = report_from_run(recorded_run())
    if status_ok:
        report.hosts = [h for h in report.hosts if h.name == "healthdev-host01"]
        for check in report.hosts[0].checks:
            check.status = Status.OK
        report.hosts[0].status = Status.OK

    def fake(**kwargs):
        path = kwargs.get("json_out") or tmp_path / "health.json"
        path.write_text(json.dumps(report.to_dict()))
        return report, path

    return fake


def test_cli_prints_tables_and_exits_2_on_findings(tmp_path, monkeypatch):
    monkeypatch.setattr(cli_health, "inspect", _fake_inspect(tmp_path))
    result = CliRunner().invoke(app, ["health", "--limit", "healthdev-*"])
    assert result.exit_code == 2
    assert "healthdev-ghost  CRIT" in result.stdout
    assert f"report:\n  {tmp_path / 'health.json'}\n" in result.stderr


def test_cli_json_format_prints_the_report_and_exits_0_when_all_ok(tmp_path, monkeypatch):
    monkeypatch.setattr(cli_health, "inspect", _fake_inspect(tmp_path, status_ok=True))
    out = tmp_path / "out.json"
    result = CliRunner().invoke(app, ["health", "--format", "json", "--json-out", str(out)])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["status"] == "OK"
    assert json.loads(out.read_text())["status"] == "OK"


def test_cli_rejects_an_unknown_format():
    result = CliRunner().invoke(app, ["health", "--format", "xml"])
    assert result.exit_code == 2
    assert "xml" in result.output
