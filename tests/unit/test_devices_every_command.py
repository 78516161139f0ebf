"""Every command template of both dialects, typed in its mode, plain and negated: an answer, never a crash."""

from __future__ import annotations

import pytest

from opsbook.lab.devices import ios, ios_grammar, vrp, vrp_grammar
from opsbook.lab.devices.device import DeviceState
from opsbook.lab.devices.initial import initial_config
from opsbook.lab.devices.session import CliSession
from opsbook.lab.devices.spec import DeviceSpec, Platform

FILL = {"<word>": "x1", "<int>": "10", "<rest>": "a b", "<rest?>": ""}
IFACE = {"cisco_ios": "GigabitEthernet1/0/5", "huawei_vrp": "GigabitEthernet0/0/2"}


def _line(pattern: str, platform: str) -> str:
    words = [IFACE[platform] if w == "<iface>" else FILL.get(w, w) for w in pattern.split()]
    return " ".join(w for w in words if w)


SPECS = {
    platform: DeviceSpec(name="d1", platform=platform, port=3401, username="admin", password="Lab-Pass-1")
    for platform in ("cisco_ios", "huawei_vrp")
}
CONFIGS = {platform: initial_config(spec) for platform, spec in SPECS.items()}


def _session(platform: Platform) -> CliSession:
    spec, config = SPECS[platform], CONFIGS[platform]
    dev = DeviceState(spec, config.copy(), config.copy(), booted_at=0.0, clock=lambda: 1_764_237_600.0)
    if platform == "huawei_vrp":
        return vrp.VrpSession(dev, "admin")
    return ios.IosSession(dev, "admin")


IOS_CASES = [
    *[([], p) for p, _ in ios_grammar.EXEC_PRIV],
    *[(["configure terminal"], p) for p, _ in ios_grammar.GLOBAL],
    *[(["configure terminal", "interface Gi1/0/6"], p) for p, _ in ios_grammar.IF],
    *[(["configure terminal", "line vty 0 4"], p) for p, _ in ios_grammar.LINE],
    *[(["configure terminal", "ip access-list extended T"], p) for p, _ in ios_grammar.ACL],
    *[(["configure terminal", "vlan 30"], p) for p, _ in ios_grammar.VLAN],
    *[(["configure terminal", "router bgp 1"], p) for p, _ in ios_grammar.ROUTER],
    *[(["configure terminal", "router bgp 1", "address-family ipv4"], p) for p, _ in ios_grammar.AF],
    *[(["configure terminal", "archive"], p) for p, _ in ios_grammar.ARCHIVE],
]
VRP_CASES = [
    *[([], p) for p, _ in vrp_grammar.USER],
    *[(["system-view"], p) for p, _ in vrp_grammar.SYSTEM],
    *[(["system-view", "interface g0/0/2"], p) for p, _ in vrp_grammar.INTERFACE],
    *[(["system-view", "aaa"], p) for p, _ in vrp_grammar.AAA],
    *[(["system-view", "acl 3001"], p) for p, _ in vrp_grammar.ACL],
    *[(["system-view", "user-interface vty 0 4"], p) for p, _ in vrp_grammar.UI],
    *[(["system-view", "vlan 30"], p) for p, _ in vrp_grammar.VLAN],
    *[(["system-view", "ospf 1"], p) for p, _ in vrp_grammar.OSPF],
    *[(["system-view", "ospf 1", "area 0"], p) for p, _ in vrp_grammar.AREA],
    *[(["system-view", "bgp 1"], p) for p, _ in vrp_grammar.BGP],
]


def _exercise(platform: Platform, setup: list[str], pattern: str) -> None:
    negation = "undo " if platform == "huawei_vrp" else "no "
    line = _line(pattern, platform)
    session = _session(platform)
    for step in setup:
        output = session.handle(step).output
        assert "rror" not in output and "Invalid" not in output
    for typed in (line, negation + line) if setup else (line,):
        reply = session.handle(typed)
        for _ in range(5):  # answer questions (save, reload …); "a" also ends a banner started with "a"
            if not session.pending_question():
                break
            reply = session.handle("y" if "[Y/N]" in (reply.prompt or "") else "a")
        assert not session.pending_question()
        assert isinstance(reply.output, str)
        if reply.close:
            break
        session.prompt()


@pytest.mark.parametrize(("setup", "pattern"), IOS_CASES)
def test_every_ios_command(setup: list[str], pattern: str) -> None:
    _exercise("cisco_ios", setup, pattern)


@pytest.mark.parametrize(("setup", "pattern"), VRP_CASES)
def test_every_vrp_command(setup: list[str], pattern: str) -> None:
    _exercise("huawei_vrp", setup, pattern)
