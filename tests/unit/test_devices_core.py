"""The session/dispatch core both dialects share (opsbook.lab.devices.core), seen through each
dialect: how a line is resolved across modes, negation, mode changes, output filters."""

from __future__ import annotations

import pytest

from opsbook.lab.devices.core import ModalSession
from opsbook.lab.devices.device import DeviceState
from opsbook.lab.devices.initial import initial_config
from opsbook.lab.devices.ios import IosSession
from opsbook.lab.devices.spec import DeviceSpec, Platform
from opsbook.lab.devices.vrp import VrpSession

ENTER = {"cisco_ios": "configure terminal", "huawei_vrp": "system-view"}


def _session(platform: Platform) -> ModalSession:
    spec = DeviceSpec(name="d1", platform=platform, port=3401, username="admin", password="Lab-Pass-1")
    config = initial_config(spec)
    dev = DeviceState(spec, config, config.copy(), booted_at=0.0, clock=lambda: 1_764_237_600.0)
    cls = IosSession if platform == "cisco_ios" else VrpSession
    return cls(dev, "admin", "127.0.0.1", 15)


def _feed(session: ModalSession, *lines: str) -> str:
    return "".join(session.handle(line).output for line in lines)


@pytest.mark.parametrize(
    ("platform", "sub_mode", "global_line", "stored"),
    [
        ("cisco_ios", "interface GigabitEthernet1/0/3", "hostname core9", "hostname core9"),
        ("huawei_vrp", "interface GigabitEthernet0/0/2", "sysname core9", "sysname core9"),
    ],
)
def test_a_line_the_sub_mode_does_not_know_falls_through_and_leaves_it(
    platform: Platform, sub_mode: str, global_line: str, stored: str
) -> None:
    s = _session(platform)
    _feed(s, ENTER[platform], sub_mode)
    assert s.path == [sub_mode]
    assert _feed(s, global_line) == ""
    assert s.path == []
    assert s.device.running.child(stored) is not None


@pytest.mark.parametrize(("platform", "alone"), [("cisco_ios", "no"), ("huawei_vrp", "undo")])
def test_negation_alone_is_incomplete_and_changes_nothing(platform: Platform, alone: str) -> None:
    s = _session(platform)
    _feed(s, ENTER[platform])
    before = s.device.running.lines()
    assert "ncomplete" in _feed(s, alone)
    assert s.device.running.lines() == before


@pytest.mark.parametrize(
    ("platform", "blocks", "up"),
    [
        ("cisco_ios", ["router bgp 1", "address-family ipv4"], "exit"),
        ("huawei_vrp", ["ospf 1", "area 0"], "quit"),
    ],
)
def test_leaving_a_mode_goes_up_one_level_from_where_the_session_is(
    platform: Platform, blocks: list[str], up: str
) -> None:
    s = _session(platform)
    _feed(s, ENTER[platform], *blocks)
    assert len(s.path) == 2
    _feed(s, up)
    assert len(s.path) == 1 and s.configuring
    _feed(s, "\x1a")
    assert (s.path, s.configuring) == ([], False)


def test_ios_prints_a_parse_error_unfiltered_and_vrp_filters_it() -> None:
    ios = _session("cisco_ios")
    assert "% Invalid input detected" in _feed(ios, "show bogus | include nothing-matches")
    vrp = _session("huawei_vrp")
    assert _feed(vrp, "display bogus | include nothing-matches") == ""


def test_vrp_filters_output_in_the_system_view_and_ios_filters_what_do_runs() -> None:
    vrp = _session("huawei_vrp")
    _feed(vrp, "system-view")
    shown = _feed(vrp, "display current-configuration | include sysname")
    assert shown.strip() == "sysname d1"
    ios = _session("cisco_ios")
    _feed(ios, "configure terminal")
    assert _feed(ios, "do show running-config | include ^hostname").strip() == "hostname d1"
