"""Real netmiko (cisco_ios, huawei) and paramiko against the simulated devices, with faults."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest
from device_helpers import running_devices, specs_for
from netmiko import ConnectHandler
from ntc_templates.parse import parse_output

from opsbook.lab.devices import (
    DeviceSpec,
    clear_faults,
    read_running_config,
    read_startup_config,
    set_faults,
    write_running_config,
)

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def devices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, DeviceSpec, DeviceSpec]]:
    state = tmp_path_factory.mktemp("devices-netmiko")
    with running_devices(
        lambda ports: specs_for(ports, ["cisco_ios", "huawei_vrp"], prefix="nm", revert_minute_seconds=1.0),
        2,
        state,
        start=3401,
    ) as specs:
        yield state, specs[0], specs[1]


@pytest.fixture(autouse=True)
def _no_faults(devices: tuple[Path, DeviceSpec, DeviceSpec]) -> Iterator[None]:
    yield
    clear_faults(devices[0])


def connect(spec: DeviceSpec, **extra: object) -> ConnectHandler:
    return ConnectHandler(
        device_type="cisco_ios" if spec.platform == "cisco_ios" else "huawei",
        host="127.0.0.1",
        port=spec.port,
        username=spec.username,
        password=spec.password,
        **extra,
    )


def test_netmiko_cisco_ios_show_config_and_save(devices: tuple[Path, DeviceSpec, DeviceSpec]) -> None:
    state, ios, _ = devices
    with connect(ios) as conn:
        assert conn.find_prompt() == "nm-sw01#"
        version = conn.send_command("show version")
        parsed = parse_output(platform="cisco_ios", command="show version", data=version)[0]
        assert parsed["hostname"] == "nm-sw01" and parsed["serial"] == [ios.serial]
        pushed = conn.send_config_set(
            ["interface GigabitEthernet1/0/9", "description pushed-by-netmiko", "no shutdown"]
        )
        assert "% Invalid" not in pushed
        assert "nm-sw01(config-if)#" in pushed
        section = conn.send_command("show running-config | section GigabitEthernet1/0/9")
        assert section.splitlines() == ["interface GigabitEthernet1/0/9", " description pushed-by-netmiko"]
        assert "description pushed-by-netmiko" not in read_startup_config(state, ios.name)
        assert "[OK]" in conn.save_config()
    assert " description pushed-by-netmiko\n" in read_startup_config(state, ios.name)
    assert " description pushed-by-netmiko\n" in read_running_config(state, ios.name)


def test_netmiko_huawei_display_system_view_and_save(devices: tuple[Path, DeviceSpec, DeviceSpec]) -> None:
    state, _, vrp = devices
    with connect(vrp) as conn:
        assert conn.find_prompt() == "<nm-rt01>"
        version = conn.send_command("display version")
        parsed = parse_output(platform="huawei_vrp", command="display version", data=version)[0]
        assert parsed["model"] == "AR2220E"
        pushed = conn.send_config_set(
            ["interface GigabitEthernet0/0/2", "description pushed-by-netmiko", "undo shutdown"]
        )
        assert "[nm-rt01-GigabitEthernet0/0/2]" in pushed and "Error" not in pushed
        assert (
            conn.send_command("display current-configuration | include pushed-by")
            == " description pushed-by-netmiko"
        )
        saved = conn.save_config()
        assert "Save the configuration successfully." in saved
    assert " description pushed-by-netmiko\n" in read_startup_config(state, vrp.name)


def test_invalid_input_reaches_netmiko_error_checks(devices: tuple[Path, DeviceSpec, DeviceSpec]) -> None:
    _, ios, vrp = devices
    with connect(ios) as conn:
        assert "% Invalid input detected at '^' marker." in conn.send_command("show nonsense")
    with connect(vrp) as conn:
        assert "Error: Unrecognized command found at '^' position." in conn.send_command("display nonsense")


def test_rejected_command_is_refused_and_not_applied(devices: tuple[Path, DeviceSpec, DeviceSpec]) -> None:
    state, ios, _ = devices
    set_faults(state, ios.name, reject_command=r"^snmp-server location")
    with connect(ios) as conn:
        out = conn.send_config_set(["snmp-server location rejected-room", "snmp-server contact accepted@x"])
    assert "Command authorization failed." in out
    running = read_running_config(state, ios.name)
    assert "rejected-room" not in running and "snmp-server contact accepted@x" in running


def test_connection_dropped_mid_push_keeps_earlier_lines_only(
    devices: tuple[Path, DeviceSpec, DeviceSpec],
) -> None:
    state, ios, _ = devices
    set_faults(state, ios.name, drop_on_command=r"^description second", times=1)
    with pytest.raises(Exception), connect(ios, read_timeout_override=3) as conn:  # noqa: B017 - OSError or netmiko's
        conn.send_config_set(
            ["interface Gi1/0/10", "description first", "interface Gi1/0/11", "description second"]
        )
    running = read_running_config(state, ios.name)
    assert "interface GigabitEthernet1/0/10\n description first\n" in running
    assert "description second" not in running
    with connect(ios) as conn:  # the fault fired its one time: the device answers again
        assert conn.find_prompt() == "nm-sw01#"


def test_drop_after_commands_counts_lines_per_session(devices: tuple[Path, DeviceSpec, DeviceSpec]) -> None:
    state, _, vrp = devices
    set_faults(state, vrp.name, drop_after_commands=1)
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        "127.0.0.1", port=vrp.port, username=vrp.username, password=vrp.password, look_for_keys=False
    )
    try:
        shell = client.invoke_shell()
        shell.send(b"display clock\n")
        time.sleep(0.3)
        assert b"Time Zone" in shell.recv(65536)
        shell.send(b"display esn\n")
        deadline = time.monotonic() + 5
        while not shell.closed and not shell.exit_status_ready() and time.monotonic() < deadline:
            if shell.recv_ready():
                assert b"ESN" not in shell.recv(65536)
            time.sleep(0.05)
        assert not client.get_transport().is_active()  # type: ignore[union-attr]
    finally:
        client.close()


def test_latency_slows_every_answer(devices: tuple[Path, DeviceSpec, DeviceSpec]) -> None:
    state, ios, _ = devices
    with connect(ios) as conn:
        set_faults(state, ios.name, latency_ms=400)
        start = time.monotonic()
        conn.send_command("show clock")
        assert time.monotonic() - start >= 0.4


def test_links_down_fault_shows_on_the_interface(devices: tuple[Path, DeviceSpec, DeviceSpec]) -> None:
    state, ios, _ = devices
    set_faults(state, ios.name, links_down=["Gi1/0/4"])
    with connect(ios) as conn:
        first = conn.send_command("show interfaces GigabitEthernet1/0/4").splitlines()[0]
        assert first == "GigabitEthernet1/0/4 is down, line protocol is down (notconnect)"
        assert "changed state to down" in conn.send_command("show logging | include 1/0/4")


def test_refused_login(devices: tuple[Path, DeviceSpec, DeviceSpec]) -> None:
    state, ios, _ = devices
    set_faults(state, ios.name, refuse_login=True)
    with pytest.raises(Exception, match=r"(?i)authentication"):
        connect(ios, conn_timeout=5, auth_timeout=5)


def test_drift_written_to_the_state_file_shows_on_the_device(
    devices: tuple[Path, DeviceSpec, DeviceSpec],
) -> None:
    state, _, vrp = devices
    text = read_running_config(state, vrp.name)
    write_running_config(
        state, vrp.name, text.replace(" info-center loghost 192.0.2.50", " info-center loghost 203.0.113.99")
    )
    with connect(vrp) as conn:
        assert (
            conn.send_command("display current-configuration | include loghost")
            == " info-center loghost 203.0.113.99"
        )


def test_revert_timer_rolls_back_after_a_dropped_session(
    devices: tuple[Path, DeviceSpec, DeviceSpec],
) -> None:
    state, ios, _ = devices
    # revert_minute_seconds=1.0: "revert timer 2" runs out after two seconds
    with connect(ios) as conn:
        out = conn.send_config_set(
            ["snmp-server location during-change"], config_mode_command="configure terminal revert timer 2"
        )
        assert "Rollback Confirmed Change: Backing up current running config" in out
        assert "during-change" in conn.send_command("show running-config | include location")
    deadline = time.monotonic() + 10
    while "during-change" in read_running_config(state, ios.name) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "during-change" not in read_running_config(state, ios.name)
    with connect(ios) as conn:
        assert "ROLLBK_CNFMD_CHG_ROLLBACK" in conn.send_command("show logging | include ROLLBK")


def test_exec_channel_runs_one_command(devices: tuple[Path, DeviceSpec, DeviceSpec]) -> None:
    _, ios, _ = devices
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        "127.0.0.1", port=ios.port, username=ios.username, password=ios.password, look_for_keys=False
    )
    try:
        _, stdout, _ = client.exec_command("show running-config | include ^hostname")
        assert stdout.read().decode().strip() == "hostname nm-sw01"
    finally:
        client.close()
