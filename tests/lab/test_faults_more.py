"""Fault tests on the real lab (issue 10.9), continued from tests/lab/test_faults.py:

- a device dropped mid-push: the lab device's simulated SSH server closes the connection in the
  middle of `opsbook net push` (fault injection, src/opsbook/lab/devices/faults.py); the push ends
  on its backup — the device's running configuration is the pre-change one again — and the record
  says so (rolled back to the backup commit), never "ok";
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

from opsbook.lab.devices import clear_faults, read_running_config, read_startup_config, set_faults
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
