"""Runbook network-interface-down on the lab's simulated Cisco IOS and Huawei VRP devices."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko import ConnectHandler
from test_runbook_labkit import opsbook, opsbook_interactive

from opsbook.lab.devices import clear_faults, set_faults
from opsbook.lab.handle import LabDevice, LabHandle
from opsbook.lab.state import devices_dir
from opsbook.network.backup import BackupStore
from opsbook.paths import project_paths


def _device(lab: LabHandle, platform: str) -> LabDevice:
    found = lab.devices_of(platform)
    assert found, f"the lab has no {platform} device"
    return found[0]


def _session(device: LabDevice) -> ConnectHandler:
    conn = ConnectHandler(**device.netmiko_params(), secret=device.password, fast_cli=True)
    if device.platform == "cisco_ios":
        conn.enable()
    return conn


def _configure(device: LabDevice, interface: str, command: str) -> None:
    conn = _session(device)
    try:
        conn.send_config_set([f"interface {interface}", command])
    finally:
        conn.disconnect()


def _state(device: LabDevice, interface: str) -> str:
    conn = _session(device)
    try:
        if device.platform == "huawei_vrp":
            out = conn.send_command(f"display interface {interface}")
            status = re.search(r"current state : (.+)", out)
            protocol = re.search(r"Line protocol current state : (\S+)", out)
            assert status and protocol, out
            return f"{status.group(1).strip().lower()}/{protocol.group(1).lower()}"
        out = conn.send_command(f"show interfaces {interface}")
        match = re.search(r"is (up|down|administratively down), line protocol is (up|down)", out)
        assert match, out
        return f"{match.group(1)}/{match.group(2)}"
    finally:
        conn.disconnect()


@pytest.fixture
def ios_port_shut(lab: LabHandle) -> Iterator[LabDevice]:
    device = _device(lab, "cisco_ios")
    _configure(device, "GigabitEthernet1/0/2", "shutdown")
    yield device
    _configure(device, "GigabitEthernet1/0/2", "no shutdown")


def test_ios_interface_is_bounced_only_after_the_typed_confirmation(
    lab: LabHandle, ios_port_shut: LabDevice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    device = ios_port_shut
    store = tmp_path / "netbackup"
    monkeypatch.setenv("OPSBOOK_NETBACKUP", str(store))
    assert _state(device, "GigabitEthernet1/0/2") == "administratively down/down"
    run = opsbook_interactive(
        lab,
        "runbook", "run", "network-interface-down", "--limit", device.name, "-p", "interface=Gi1/0/2",
        "--ticket", "INC-50", "-i", str(lab.inventory),
        answers=[(r"Type the environment name \('lab'\)", "lab")],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "Bounce the interface Gi1/0/2" in run.output  # the plan said it would
    assert _state(device, "GigabitEthernet1/0/2") == "up/up"
    record = run.record
    assert record is not None and record.outcome == "ok"
    assert record.consent.required == "typed" and record.consent.given == "prompt"
    assert record.consent.expected == "lab"
    host = record.hosts[device.name]
    assert host.checks.pre["status"] == "administratively down"
    assert host.checks.post["status"] == "up" and host.checks.verified is True
    assert "shut down in the configuration" in " ".join(record.service_report.cause)
    assert any("bounced GigabitEthernet1/0/2" in a for a in record.service_report.action_taken)
    assert any("save once the customer confirms (write memory)" in f for f in record.service_report.follow_up)
    # Issue 10: the configuration was backed up first — before the bounce, as it was then
    backup = BackupStore(store)
    entries = backup.history(device.name)
    assert len(entries) == 1, entries
    block = re.search(r"^interface GigabitEthernet1/0/2\n((?: .*\n)*)", backup.show(device.name), re.M)
    assert block and " shutdown" in block.group(1).splitlines(), "the backup is not the pre-bounce config"
    actions = record.service_report.action_taken
    first_backup = next(i for i, a in enumerate(actions) if "backed up the running configuration" in a)
    first_bounce = next(i for i, a in enumerate(actions) if "bounced GigabitEthernet1/0/2" in a)
    assert first_backup < first_bounce, actions
    assert host.checks.pre["backup"] == entries[0].commit


def test_a_wrong_confirmation_changes_nothing(lab: LabHandle, ios_port_shut: LabDevice) -> None:
    device = ios_port_shut
    run = opsbook_interactive(
        lab,
        "runbook", "run", "network-interface-down", "--limit", device.name, "-p", "interface=Gi1/0/2",
        "-i", str(lab.inventory),
        answers=[(r"Type the environment name", "production")],
    )  # fmt: skip
    assert run.exit_code == 3, run.output
    assert _state(device, "GigabitEthernet1/0/2") == "administratively down/down"
    assert run.record is not None and run.record.outcome == "refused"
    assert run.record.hosts[device.name].changes == []


@pytest.fixture
def vrp_port_shut(lab: LabHandle) -> Iterator[LabDevice]:
    device = _device(lab, "huawei_vrp")
    _configure(device, "GigabitEthernet0/0/1", "shutdown")
    yield device
    _configure(device, "GigabitEthernet0/0/1", "undo shutdown")


def test_vrp_interface_is_bounced_and_verified(lab: LabHandle, vrp_port_shut: LabDevice) -> None:
    device = vrp_port_shut
    assert _state(device, "GigabitEthernet0/0/1").startswith("administratively down")
    run = opsbook(
        lab,
        "runbook", "run", "network-interface-down", "--limit", device.name, "-p", "interface=GE0/0/1",
        "--ticket", "INC-51", "-i", str(lab.inventory), "--yes", "--no-progress",
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert _state(device, "GigabitEthernet0/0/1") == "up/up"
    record = run.record
    assert record is not None and record.hosts[device.name].checks.verified is True
    assert record.consent.given == "--yes"


@pytest.fixture
def ios_link_lost(lab: LabHandle) -> Iterator[LabDevice]:
    device = _device(lab, "cisco_ios")
    state_dir = devices_dir(project_paths(), lab.name)
    set_faults(state_dir, device.name, links_down=["Gi1/0/3"])
    yield device
    clear_faults(state_dir, device.name)


def test_a_lost_link_is_escalated_after_one_bounce(lab: LabHandle, ios_link_lost: LabDevice) -> None:
    device = ios_link_lost
    run = opsbook(
        lab,
        "runbook", "run", "network-interface-down", "--limit", device.name, "-p", "interface=Gi1/0/3",
        "-p", "settle=2s", "--ticket", "INC-52", "-i", str(lab.inventory), "--yes", "--no-progress",
    )  # fmt: skip
    assert run.exit_code == 6, run.output
    record = run.record
    assert record is not None and record.outcome == "not-verified"
    host = record.hosts[device.name]
    assert host.checks.pre["status"] == "down" and host.checks.post["bounced"] is True
    escalation = " ".join(record.service_report.follow_up)
    assert "physical or far-end problem" in escalation and "lab / lab / loopback" in escalation


def test_the_management_interface_is_never_bounced(lab: LabHandle) -> None:
    device = _device(lab, "cisco_ios")
    run = opsbook(
        lab,
        "runbook", "run", "network-interface-down", "--limit", device.name, "-p", "interface=FastEthernet0",
        "-p", "force=true", "-i", str(lab.inventory), "--yes", "--no-progress",
    )  # fmt: skip
    assert run.exit_code == 5, run.output
    assert _state(device, "FastEthernet0") == "up/up"
    record = run.record
    assert record is not None and [r.purpose for r in record.runs] == ["plan"]
    message = record.hosts[device.name].failures[0]["msg"]
    assert "management interface" in message and "this runbook never bounces it" in message
    # Issue 12: the refusal suggested an `allow_mgmt` parameter that the runbook rejects
    assert "allow_mgmt" not in run.output and "allow_mgmt" not in message
