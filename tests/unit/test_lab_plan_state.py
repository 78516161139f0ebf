"""Planning a lab (names, ports, serials) and its state file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsbook.errors import OpsbookError, UsageError
from opsbook.lab.plan import plan_devices, plan_hosts, validate_name, validate_shape
from opsbook.lab.state import LabShape, LabState, load_state, save_state, state_path
from opsbook.paths import ProjectPaths

SHAPE = LabShape(hosts=3, devices=3, ssh_port_base=2201, device_port_base=2301)


def test_hosts_are_numbered_with_consecutive_ports() -> None:
    hosts = plan_hosts("opsbook", SHAPE)
    assert [h.name for h in hosts] == ["opsbook-host01", "opsbook-host02", "opsbook-host03"]
    assert [h.ssh_port for h in hosts] == [2201, 2202, 2203]
    assert all(h.serial.startswith("LAB") and len(h.serial) == 12 for h in hosts)
    assert len({h.serial for h in hosts}) == 3
    assert plan_hosts("opsbook", SHAPE)[0].serial == hosts[0].serial  # stable
    assert plan_hosts("other", SHAPE)[0].serial != hosts[0].serial


def test_devices_alternate_ios_switch_and_vrp_router() -> None:
    devices = plan_devices("opsbook", SHAPE, password="pw")
    assert [(d.name, d.platform, d.port) for d in devices] == [
        ("opsbook-sw01", "cisco_ios", 2301),
        ("opsbook-rt01", "huawei_vrp", 2302),
        ("opsbook-sw02", "cisco_ios", 2303),
    ]
    assert all(d.password == "pw" and d.username == "admin" and d.hostname == d.name for d in devices)
    assert devices[0].serial.startswith("FOC") and len(devices[0].serial) == 11
    assert devices[1].serial.startswith("2102") and len(devices[1].serial) == 20


@pytest.mark.parametrize("name", ["Opsbook", "a", "x_y", "-lab", "lab-", "a" * 40, "la b"])
def test_bad_lab_names_are_usage_errors(name: str) -> None:
    with pytest.raises(UsageError):
        validate_name(name)


def test_good_lab_names_pass() -> None:
    assert validate_name("opsbook-test") == "opsbook-test"


@pytest.mark.parametrize(
    "shape",
    [
        LabShape(-1, 0, 2201, 2301),
        LabShape(0, 0, 2201, 2301),
        LabShape(41, 0, 2201, 2301),
        LabShape(1, 41, 2201, 2301),
    ],
)
def test_bad_shapes_are_usage_errors(shape: LabShape) -> None:
    with pytest.raises(UsageError):
        validate_shape(shape)


def test_shape_description_names_the_port_ranges() -> None:
    assert SHAPE.describe() == "3 host(s) on SSH ports 2201-2203, 3 device(s) on ports 2301-2303"
    assert LabShape(2, 0, 4201, 2301).describe() == "2 host(s) on SSH ports 4201-4202"
    assert LabShape(0, 1, 4201, 2301).describe() == "1 device(s) on port 2301"


def test_state_round_trips_through_its_file(tmp_path: Path) -> None:
    paths = ProjectPaths(tmp_path)
    state = LabState(
        name="opsbook",
        shape=SHAPE,
        created="2025-01-31",
        image="localhost/x:1",
        hosts=plan_hosts("opsbook", SHAPE),
        devices=plan_devices("opsbook", SHAPE, password="pw"),
        device_pid=1234,
        complete=True,
    )
    state.hosts[0].container_id = "abc"
    path = save_state(paths, state)
    assert path == tmp_path / ".opsbook" / "lab" / "opsbook" / "state.json"
    assert path.stat().st_mode & 0o777 == 0o600  # it holds the device password
    assert load_state(paths, "opsbook") == state
    assert state.ports == [2201, 2202, 2203, 2301, 2302, 2303]
    assert json.loads(path.read_text())["version"] == 1


def test_no_state_file_means_the_lab_is_not_up(tmp_path: Path) -> None:
    assert load_state(ProjectPaths(tmp_path), "opsbook") is None


def test_a_broken_state_file_is_a_clear_error(tmp_path: Path) -> None:
    paths = ProjectPaths(tmp_path)
    path = state_path(paths, "opsbook")
    path.parent.mkdir(parents=True)
    path.write_text('{"name": "opsbook"}', encoding="utf-8")
    with pytest.raises(OpsbookError, match="not a valid lab state file"):
        load_state(paths, "opsbook")
