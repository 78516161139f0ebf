"""Device state on disk and injected faults (files in a tmp dir, no server)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from opsbook.errors import OpsbookError
from opsbook.lab.devices import (
    Faults,
    clear_faults,
    read_faults,
    read_running_config,
    read_startup_config,
    set_faults,
    write_running_config,
)
from opsbook.lab.devices.server import DeviceRuntime
from opsbook.lab.devices.spec import DeviceSpec, read_specs, write_specs
from opsbook.lab.devices.store import DeviceStore, initial_boot_time

SPEC = DeviceSpec(name="sw01", platform="cisco_ios", port=3401, username="admin", password="Lab-Pass-1")


def test_first_load_writes_the_initial_config_as_running_and_startup(tmp_path: Path) -> None:
    dev = DeviceStore(tmp_path, SPEC).load(time.time)
    running = read_running_config(tmp_path, "sw01")
    assert running == read_startup_config(tmp_path, "sw01")
    assert "hostname sw01\n" in running and "snmp-server community opsbook-lab-ro RO MGMT-ACCESS\n" in running
    assert (tmp_path / "devices" / "sw01" / "running.cfg").stat().st_mode & 0o777 == 0o600
    assert 3 * 86400 <= time.time() - dev.booted_at <= 41 * 86400


def test_state_survives_a_reload(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path, SPEC)
    dev = store.load(lambda: 1000.0)
    dev.running.children[0].text = "version 15.9"
    dev.changed("admin")
    dev.add_log("%SYS-5-CONFIG_I: test")
    dev.arm_revert(5, "admin")
    store.persist(dev)
    again = DeviceStore(tmp_path, SPEC).load(lambda: 1000.0)
    assert again.running.lines() == dev.running.lines()
    assert again.startup.lines() != dev.running.lines()
    assert again.log == [(1000.0, "%SYS-5-CONFIG_I: test")]
    assert again.last_change == (1000.0, "admin")
    assert again.revert is not None and again.revert.deadline == 1300.0
    assert again.booted_at == dev.booted_at


def test_outside_edits_of_running_config_are_taken_in(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path, SPEC)
    dev = store.load(time.time)
    assert not store.reload_if_changed(dev)
    text = read_running_config(tmp_path, "sw01").replace("hostname sw01", "hostname drifted")
    write_running_config(tmp_path, "sw01", text)
    assert store.reload_if_changed(dev)
    assert dev.hostname() == "drifted" and dev.last_change is not None and dev.last_change[1] == "file"
    assert not store.reload_if_changed(dev)


def test_write_running_config_refuses_unknown_devices(tmp_path: Path) -> None:
    with pytest.raises(OpsbookError, match="no lab device 'nope'"):
        write_running_config(tmp_path, "nope", "hostname x\n")


def test_faults_are_written_read_merged_and_cleared(tmp_path: Path) -> None:
    DeviceStore(tmp_path, SPEC).load(time.time)
    set_faults(tmp_path, "sw01", latency_ms=200, reject_command="^snmp-server")
    merged = set_faults(tmp_path, "sw01", drop_after_commands=0, times=1)
    assert merged == Faults(drop_after_commands=0, reject_command="^snmp-server", latency_ms=200, times=1)
    path = tmp_path / "devices" / "sw01" / "faults.json"
    assert json.loads(path.read_text()) == {
        "drop_after_commands": 0,
        "reject_command": "^snmp-server",
        "latency_ms": 200,
        "times": 1,
    }
    assert read_faults(path) == merged
    clear_faults(tmp_path)
    assert read_faults(path) == Faults() and not path.exists()


def test_bad_faults_are_refused_with_the_reason(tmp_path: Path) -> None:
    DeviceStore(tmp_path, SPEC).load(time.time)
    with pytest.raises(OpsbookError, match="bad regular expression"):
        set_faults(tmp_path, "sw01", drop_on_command="(")
    path = tmp_path / "devices" / "sw01" / "faults.json"
    path.write_text('{"slow": 1}')
    with pytest.raises(OpsbookError, match="unknown fault"):
        read_faults(path)
    with pytest.raises(OpsbookError, match="no lab device"):
        set_faults(tmp_path, "other", latency_ms=1)


def test_runtime_applies_links_down_and_limits_fault_firing(tmp_path: Path) -> None:
    runtime = DeviceRuntime(SPEC, tmp_path, time.time)
    set_faults(tmp_path, "sw01", links_down=["Gi1/0/2"], drop_on_command="x", times=2)
    runtime.refresh()
    assert runtime.state.links_down == frozenset({"GigabitEthernet1/0/2"})
    assert runtime.state.log[-1][1].endswith(
        "Line protocol on Interface GigabitEthernet1/0/2, changed state to down"
    )
    assert [runtime.fire(), runtime.fire(), runtime.fire()] == [True, True, False]
    set_faults(tmp_path, "sw01", Faults())
    runtime.refresh()
    assert runtime.state.links_down == frozenset() and runtime.fire()


def test_specs_round_trip_through_devices_json(tmp_path: Path) -> None:
    path = tmp_path / "devices.json"
    write_specs(path, [SPEC])
    assert read_specs(path) == [SPEC]
    path.write_text("[{")
    with pytest.raises(OpsbookError, match="not valid JSON"):
        read_specs(path)


def test_initial_boot_time_is_stable_per_name() -> None:
    assert initial_boot_time(SPEC, 10_000_000.0) == initial_boot_time(SPEC, 10_000_000.0)
