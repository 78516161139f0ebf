"""Periodic inspection against the real lab: problems caused on a host are reported, then gone.

One host gets its small dedicated filesystem /srv/data filled past the critical threshold and a
systemd unit that fails; `opsbook health` (the real CLI, the real playbook, host_health over SSH)
runs, both problems are fixed, and it runs again. The devices (IOS over network_cli, VRP over
netmiko) must show reachable with their version.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from opsbook.lab.handle import LabHandle
from opsbook.runner import run_playbook

BROKEN_UNIT = "opsbook-broken"
FILL_FILE = "/srv/data/opsbook-fill"


@dataclass
class Inspection:
    rc: int
    report: dict[str, Any]
    stderr: str

    def host(self, name: str) -> dict[str, Any]:
        return next(h for h in self.report["hosts"] if h["name"] == name)

    def check(self, host: str, check: str, item: str = "") -> dict[str, Any]:
        return next(c for c in self.host(host)["checks"] if c["check"] == check and c["item"] == item)


def run_health(lab: LabHandle, out: Path, *extra_inventories: Path) -> Inspection:
    inventories = [arg for inv in (lab.inventory, *extra_inventories) for arg in ("-i", str(inv))]
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "opsbook"), "health", *inventories, "--json-out", str(out)],
        cwd=lab.root,
        env=lab.ansible_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert out.exists(), f"no report written (rc {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return Inspection(proc.returncode, json.loads(out.read_text()), proc.stderr)


def fill_to(lab: LabHandle, host: str, percent: int) -> None:
    """Fill /srv/data on ``host`` to about ``percent`` % of its size (tmpfs: fallocate is instant)."""
    size_blocks, block = lab.sh(host, "stat -f -c '%b %S' /srv/data").stdout.split()
    target = int(size_blocks) * int(block) * percent // 100
    lab.sh(host, f"fallocate -l {target} {FILL_FILE}")


@dataclass
class Runs:
    sick: Inspection
    fixed: Inspection
    target: str
    #: the host whose host_health_thresholds came from an extra inventory in the first run
    tuned: str


@pytest.fixture(scope="module")
def runs(lab: LabHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    target, tuned = lab.hosts[0], lab.hosts[1]
    out = tmp_path_factory.mktemp("health")
    # an inventory variable for one host, as host_vars would give it: "/" warns from 1 % used
    overrides = out / "thresholds.yml"
    overrides.write_text(
        f"all:\n  hosts:\n    {tuned}:\n      host_health_thresholds: {{fs_warn_pct: 1, fs_crit_pct: 99.9}}\n"
    )
    try:
        fill_to(lab, target, 95)
        lab.sh(target, f"systemd-run --unit={BROKEN_UNIT} /bin/false; sleep 1")
        assert "failed" in lab.sh(target, f"systemctl is-failed {BROKEN_UNIT}", check=False).stdout
        sick = run_health(lab, out / "sick.json", overrides)
    finally:
        lab.sh(target, f"rm -f {FILL_FILE}; systemctl reset-failed {BROKEN_UNIT}", check=False)
    fixed = run_health(lab, out / "fixed.json")
    yield Runs(sick, fixed, target, tuned)


def test_filled_filesystem_is_crit_on_that_host_only(runs: Runs, lab: LabHandle) -> None:
    data = runs.sick.check(runs.target, "filesystems", "/srv/data")
    assert data["status"] == "CRIT", data
    assert data["value"] >= 90
    for other in lab.hosts[1:]:
        assert runs.sick.check(other, "filesystems", "/srv/data")["status"] == "OK"
    assert runs.sick.host(runs.target)["status"] == "CRIT"
    assert runs.sick.rc == 2  # findings


def test_failed_unit_is_reported(runs: Runs, lab: LabHandle) -> None:
    units = runs.sick.check(runs.target, "systemd")
    assert units["status"] == "CRIT"
    assert f"{BROKEN_UNIT}.service" in units["details"]["failed"]
    for other in lab.hosts[1:]:
        assert runs.sick.check(other, "systemd")["details"]["failed"] == []


def test_fixed_problems_are_no_longer_reported(runs: Runs) -> None:
    assert runs.fixed.check(runs.target, "filesystems", "/srv/data")["status"] == "OK"
    units = runs.fixed.check(runs.target, "systemd")
    assert units["status"] == "OK"
    assert units["details"]["failed"] == []


def test_thresholds_from_the_inventory_apply_to_that_host_only(runs: Runs) -> None:
    tuned = runs.sick.check(runs.tuned, "filesystems", "/")
    assert tuned["threshold"] == {"warn": 1.0, "crit": 99.9}
    assert tuned["status"] == "WARN", tuned
    assert runs.sick.check(runs.tuned, "inodes", "/")["threshold"] == {"warn": 80.0, "crit": 90.0}
    assert runs.sick.check(runs.target, "filesystems", "/")["threshold"] == {"warn": 80.0, "crit": 90.0}
    assert runs.fixed.check(runs.tuned, "filesystems", "/")["threshold"] == {"warn": 80.0, "crit": 90.0}


def test_lab_tmpfs_data_mounts_are_inspected(runs: Runs, lab: LabHandle) -> None:
    for host in lab.hosts:
        items = {c["item"] for c in runs.fixed.host(host)["checks"] if c["check"] == "filesystems"}
        assert {"/", "/srv/data", "/var/log"} <= items
        assert "/run" not in items
        assert "/dev/shm" not in items


def test_every_check_of_the_bundle_is_reported_for_every_host(runs: Runs, lab: LabHandle) -> None:
    expected = {"filesystems", "inodes", "memory", "swap", "load", "systemd", "time_sync", "reboot"}
    expected |= {"security_updates", "ports"}
    for host in lab.hosts:
        row = runs.fixed.host(host)
        assert row["reachable"] is True
        assert {c["check"] for c in row["checks"]} == expected
    ssh = runs.fixed.check(lab.hosts[0], "ports")
    assert any(p["port"] == 22 and p["proto"] == "tcp" for p in ssh["details"]["listening"])


def test_devices_show_reachable_and_version(runs: Runs, lab: LabHandle) -> None:
    devices = {h["name"]: h for h in runs.fixed.report["hosts"] if h["kind"] == "device"}
    assert set(devices) == set(lab.device_names)
    for record in lab.state.devices:
        row = devices[record.name]
        assert row["reachable"] is True, row
        assert row["status"] == "OK", row
        assert record.version in row["device"]["version"]
        assert row["device"]["uptime"]
        assert row["device"]["via"] == ("ansible" if record.platform == "cisco_ios" else "netmiko")
    assert runs.fixed.report["summary"]["devices"] == len(lab.devices)


def test_report_holds_no_device_password(runs: Runs, lab: LabHandle) -> None:
    text = json.dumps(runs.sick.report) + json.dumps(runs.fixed.report) + runs.sick.stderr
    for device in lab.devices:
        assert device.password not in text


def test_health_playbook_changes_nothing_even_in_check_mode(lab: LabHandle) -> None:
    result = run_playbook("health", inventory=[lab.inventory], limit="linux", check=True)
    bundle = [t for t in result.tasks if t.action.endswith("host_health")]
    assert {t.host for t in bundle} == set(lab.hosts)
    assert all(t.status.value == "ok" for t in bundle), [(t.host, t.msg) for t in bundle]
    assert all(t.result.get("checks") for t in bundle)  # it really ran under --check
    assert result.changed_tasks() == []
