"""Fault tests on the real lab (issue 10.9), continued from tests/lab/test_faults.py:

- a device dropped mid-push: the lab device's simulated SSH server closes the connection in the
  middle of `opsbook net push` (fault injection, src/opsbook/lab/devices/faults.py); the push ends
  on its backup — the device's running configuration is the pre-change one again — and the record
  says so (rolled back to the backup commit), never "ok"; and a device whose SSH server is killed
  mid-push (it cannot be rolled back then): the record says so and keeps the backup commit, and
  `opsbook net restore DEVICE COMMIT` brings the pre-change configuration back;
- the controller's disk full: the lab's state folder is a small tmpfs; a change that ran there is
  recorded, then the tmpfs is filled and the next change is refused before any host is touched,
  with the folder named; the earlier record and the history stay intact.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko import ConnectHandler
from test_faults import MARK, PLAYBOOK
from test_runbook_labkit import CliRun, _cli_env, _finish, opsbook

from opsbook.lab.devices import (
    clear_faults,
    read_running_config,
    read_startup_config,
    set_faults,
    start_devices,
)
from opsbook.lab.devices.spec import read_specs
from opsbook.lab.devices.store import SPECS_FILE
from opsbook.lab.handle import LabHandle
from opsbook.lab.state import devices_dir
from opsbook.network.push import configs_equal
from opsbook.paths import project_paths
from opsbook.records.model import read_record

#: drift on the lab's IOS device: what the push then sets right (the logging line comes after the
#: ntp line in the push, so some lines are applied before the connection drops)
DRIFT = ["ntp server 203.0.113.9", "no logging host 192.0.2.50"]


def _push(lab: LabHandle, device: str, ticket: str) -> CliRun:
    return opsbook(
        lab, "net", "push", "--limit", device, "-i", str(lab.inventory), "--ticket", ticket, "--yes"
    )


def test_a_device_dropped_mid_push_ends_on_its_backup(lab: LabHandle) -> None:
    device = lab.devices_of("cisco_ios")[0]
    state = devices_dir(project_paths(), lab.name)
    with ConnectHandler(**device.netmiko_params()) as session:
        session.send_config_set(DRIFT)
    drifted = read_running_config(state, device.name)
    startup = read_startup_config(state, device.name)
    set_faults(state, device.name, drop_on_command="^logging host", times=1)
    try:
        dropped = _push(lab, device.name, "CHG-930")
    finally:
        clear_faults(state, device.name)
    try:
        assert dropped.exit_code not in (0, 6), dropped.output  # never success, never "just not verified"
        record = dropped.record
        assert record is not None, dropped.output
        assert record.outcome == "failed", (record.outcome, record.summary)
        host = record.hosts[device.name]
        assert host.status == "failed"
        assert configs_equal(read_running_config(state, device.name), drifted, device.platform)
        assert read_startup_config(state, device.name) == startup  # nothing saved
        backup = str(host.checks.pre.get("backup_commit", ""))
        assert backup, host.checks.pre  # the pre-change backup was stored first
        assert host.checks.post.get("status") == "rolled_back", host.checks.post
        report = record.service_report
        assert any(
            line.startswith(
                f"{device.name}: the change was applied, failed its post-check and was rolled back"
            )
            and backup in line
            for line in report.action_taken
        ), report.action_taken
        assert any("connection lost" in str(c) for c in report.cause) or "connection lost" in str(
            host.findings
        ), (
            report.cause,
            host.findings,
        )
        assert not any("verified" in line and "NOT" not in line for line in report.result_verified)
    finally:
        fixed = _push(lab, device.name, "CHG-931")  # the lab device back to its intended configuration
    assert fixed.exit_code == 0, fixed.output


VRP_DRIFT = ["ntp-service unicast-server 203.0.113.9", "undo info-center loghost 192.0.2.50"]


def test_a_device_killed_mid_push_is_named_with_the_backup_to_restore(lab: LabHandle, tmp_path: Path) -> None:
    device = lab.devices_of("huawei_vrp")[0]  # no revert timer: only opsbook could roll it back
    state = devices_dir(project_paths(), lab.name)
    specs = read_specs(state / SPECS_FILE)
    with ConnectHandler(**device.netmiko_params()) as session:
        session.send_config_set(VRP_DRIFT)
    drifted = read_running_config(state, device.name)
    set_faults(state, device.name, latency_ms=300)  # a slow device: the push takes seconds
    killer = subprocess.Popen(  # kill the device server as soon as the push has changed something
        [sys.executable, "-c", (
            "import sys, time; from pathlib import Path\n"
            "from opsbook.lab.devices import read_running_config, stop_devices\n"
            f"state, name, drifted = Path({str(state)!r}), {device.name!r}, Path(sys.argv[1]).read_text()\n"
            "for _ in range(3000):\n"
            "    if read_running_config(state, name) != drifted:\n"
            "        stop_devices(state); sys.exit(0)\n"
            "    time.sleep(0.05)\n"
            "sys.exit(3)\n"
        ), str(_write(tmp_path / "drifted.cfg", drifted))],
    )  # fmt: skip
    try:
        pushed = _push(lab, device.name, "CHG-932")
    finally:
        killer.wait(timeout=300)
        clear_faults(state, device.name)
        start_devices(specs, state)  # the device is back (half changed: nobody rolled it back)
    try:
        assert killer.returncode == 0, "the device was not killed mid-push"
        assert pushed.exit_code not in (0, 6), pushed.output
        record = pushed.record
        assert record is not None and record.outcome == "failed", pushed.output
        host = record.hosts[device.name]
        assert host.status == "failed"
        backup = str(host.checks.pre.get("backup_commit", ""))
        assert backup, host.checks.pre
        report = record.service_report
        assert any("device unreachable after the change" in line for line in report.cause), report.cause
        assert (
            f"{device.name}: the change was applied and opsbook could NOT roll it back (see the cause); "
            f"if the device is not on its backup {backup}: opsbook net restore {device.name} {backup}"
        ) in report.action_taken, report.action_taken  # it said "no change was made before it failed"
        assert not any("verified" in line and "NOT" not in line for line in report.result_verified)
        assert not configs_equal(read_running_config(state, device.name), drifted, device.platform)
        restored = opsbook(
            lab, "net", "restore", device.name, backup, "-i", str(lab.inventory),
            "--ticket", "CHG-933", "--yes",
        )  # fmt: skip
        assert restored.exit_code == 0, restored.output
        assert configs_equal(read_running_config(state, device.name), drifted, device.platform)
    finally:
        fixed = _push(lab, device.name, "CHG-934")  # the lab device back to its intended configuration
    assert fixed.exit_code == 0, fixed.output


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def full_state(lab: LabHandle) -> Iterator[Path]:
    """The lab context's state folder on an 80 MiB tmpfs (room for the preflight's 64 MiB)."""
    state = project_paths().state_root / "customers" / lab.name
    state.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=80m", "tmpfs", str(state)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert mounted.returncode == 0, f"this test mounts a tmpfs and needs root: {mounted.stderr}"
    try:
        yield state
    finally:
        subprocess.run(["umount", "-l", str(state)], check=False)


def _in_lab_context(lab: LabHandle, *args: str) -> CliRun:
    env = _cli_env(lab) | {"OPSBOOK_LAB": lab.name}
    done = subprocess.run(
        [sys.executable, "-c", "from opsbook.cli import main; main()", *args],
        cwd=lab.root, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return _finish(done.returncode, done.stdout + done.stderr)


def test_a_full_state_folder_refuses_the_run_before_any_host_is_touched(
    lab: LabHandle, full_state: Path, tmp_path: Path
) -> None:
    host = lab.hosts[2]
    playbook = tmp_path / "faults.yml"
    playbook.write_text(PLAYBOOK)
    run = ["run", str(playbook), "--limit", host, "-i", str(lab.inventory), "--yes", "--ticket"]
    lab.sh(host, f"rm -f {MARK}")
    try:
        first = _in_lab_context(lab, *run, "CHG-940")
        assert first.exit_code == 0, first.output
        assert first.record_path is not None and full_state in first.record_path.parents
        assert lab.sh(host, f"cat {MARK}").stdout == "changed by CHG-940\n"
        record_bytes = first.record_path.read_bytes()

        subprocess.run(["sh", "-c", f"head -c 200M /dev/zero > {full_state}/filler"], check=False)
        full = _in_lab_context(lab, *run, "CHG-941")
        assert full.exit_code != 0, full.output
        assert "Traceback" not in full.output, full.output
        assert str(full_state) in full.output and "full" in full.output, full.output
        assert lab.sh(host, f"cat {MARK}").stdout == "changed by CHG-940\n"  # the host was not touched
        assert first.record_path.read_bytes() == record_bytes
        assert read_record(first.record_path).id == first.record.id  # type: ignore[union-attr]
        (full_state / "filler").unlink()
        verify = _in_lab_context(lab, "history", "verify")
        assert verify.exit_code == 0 and "history intact" in verify.output, verify.output
        listed = _in_lab_context(lab, "history", "list")
        assert first.record.id in listed.output  # type: ignore[union-attr]
    finally:
        lab.sh(host, f"rm -f {MARK}", check=False)
