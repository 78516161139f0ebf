"""Starting and stopping the device server: taken ports, idempotence, persistence, cleanup."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from device_helpers import free_ports, specs_for
from netmiko import ConnectHandler

from opsbook.errors import OpsbookError
from opsbook.lab.devices import (
    device_status,
    read_running_config,
    running_pid,
    start_devices,
    stop_devices,
)
from opsbook.lab.devices.control import port_is_free, ssh_banner
from opsbook.lab.devices.store import PID_FILE

pytestmark = pytest.mark.lab


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def test_a_taken_port_is_named_and_nothing_is_left_running(tmp_path: Path) -> None:
    ports = free_ports(2, 3441)
    specs = specs_for(ports, ["cisco_ios", "huawei_vrp"], prefix="ctl")
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", ports[1]))
        blocker.listen()
        with pytest.raises(OpsbookError) as err:
            start_devices(specs, tmp_path)
    assert f"port {ports[1]} on 127.0.0.1 is already in use" in str(err.value)
    assert "ctl-rt01" in str(err.value)
    assert running_pid(tmp_path) is None
    assert not (tmp_path / PID_FILE).exists()
    assert port_is_free(ports[0])


def test_start_is_idempotent_status_tracks_the_server_and_stop_leaves_nothing(tmp_path: Path) -> None:
    specs = specs_for(free_ports(2, 3441), ["cisco_ios", "huawei_vrp"], prefix="ctl")
    pid = start_devices(specs, tmp_path)
    try:
        assert _alive(pid) and running_pid(tmp_path) == pid
        assert start_devices(specs, tmp_path) == pid
        assert device_status(tmp_path) == {"ctl-sw01": True, "ctl-rt01": True}
        other = specs_for([s.port for s in specs], ["huawei_vrp", "cisco_ios"], prefix="ctl")
        with pytest.raises(OpsbookError, match="already running"):
            start_devices(other, tmp_path)
    finally:
        stop_devices(tmp_path)
    assert not _alive(pid)
    assert running_pid(tmp_path) is None
    assert device_status(tmp_path) == {"ctl-sw01": False, "ctl-rt01": False}
    assert all(port_is_free(s.port) and not ssh_banner(s.port) for s in specs)
    stop_devices(tmp_path)  # stopping twice is fine


def test_configuration_survives_a_restart(tmp_path: Path) -> None:
    specs = specs_for(free_ports(1, 3441), ["cisco_ios"], prefix="ctl")
    spec = specs[0]
    start_devices(specs, tmp_path)
    try:
        with ConnectHandler(
            device_type="cisco_ios",
            host="127.0.0.1",
            port=spec.port,
            username="admin",
            password=spec.password,
        ) as conn:
            conn.send_config_set(["hostname ctl-renamed", "ntp server 192.0.2.124"])
    finally:
        stop_devices(tmp_path)
    assert "hostname ctl-renamed\n" in read_running_config(tmp_path, spec.name)
    start_devices(specs, tmp_path)
    try:
        with ConnectHandler(
            device_type="cisco_ios",
            host="127.0.0.1",
            port=spec.port,
            username="admin",
            password=spec.password,
        ) as conn:
            assert conn.find_prompt() == "ctl-renamed#"
            assert "ntp server 192.0.2.124" in conn.send_command("show running-config | include ntp")
            assert "%SYS-5-CONFIG_I" in conn.send_command("show logging | include CONFIG_I")
    finally:
        stop_devices(tmp_path)
