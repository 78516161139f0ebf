"""The Huawei VRP dialect as pure logic: views, display output, undo, save, secrets."""

from __future__ import annotations

import re

from ntc_templates.parse import parse_output

from opsbook.lab.devices.auth import vrp_login
from opsbook.lab.devices.config import render_config
from opsbook.lab.devices.device import DeviceState
from opsbook.lab.devices.initial import initial_config
from opsbook.lab.devices.session import Reply
from opsbook.lab.devices.spec import DeviceSpec
from opsbook.lab.devices.vrp import VrpSession


def make(privilege: int = 15) -> tuple[VrpSession, DeviceState]:
    now = 1_764_237_600.0
    spec = DeviceSpec(
        name="rt01",
        platform="huawei_vrp",
        port=3402,
        username="admin",
        password="Lab-Pass-1",
        privilege=privilege,
    )
    config = initial_config(spec)
    dev = DeviceState(spec, config, config.copy(), booted_at=now - 9 * 86400 - 7200, clock=lambda: now)
    return VrpSession(dev, "admin", "127.0.0.1", privilege), dev


def run(session: VrpSession, *lines: str) -> Reply:
    reply = Reply()
    for line in lines:
        reply = session.handle(line)
    return reply


def out(session: VrpSession, *lines: str) -> str:
    return run(session, *lines).output


def config_text(dev: DeviceState) -> str:
    return render_config(dev.running, "huawei_vrp")


def test_views_and_prompts() -> None:
    s, _ = make()
    seen = [s.prompt()]
    for line in [
        "system-view",
        "interface g0/0/1",
        "quit",
        "aaa",
        "user-interface vty 0 4",
        "acl 3000",
        "acl number 2000",
        "vlan 10",
        "ospf 1",
        "area 0",
        "return",
    ]:
        assert "Error" not in out(s, line), line
        seen.append(s.prompt())
    assert seen == [
        "<rt01>",
        "[rt01]",
        "[rt01-GigabitEthernet0/0/1]",
        "[rt01]",
        "[rt01-aaa]",
        "[rt01-ui-vty0-4]",
        "[rt01-acl-adv-3000]",
        "[rt01-acl-basic-2000]",
        "[rt01-vlan10]",
        "[rt01-ospf-1]",
        "[rt01-ospf-1-area-0.0.0.0]",
        "<rt01>",
    ]
    assert run(s, "quit").close


def test_display_version_parses_with_ntc_templates() -> None:
    s, _ = make()
    text = out(s, "display version")
    parsed = parse_output(platform="huawei_vrp", command="display version", data=text)
    assert parsed == [
        {
            "vrp_version": "5.170",
            "product_version": "AR2200 V200R010C10SPC700",
            "model": "AR2220E",
            "uptime": "1 week, 2 days, 2 hours, 0 minute",
            "patch_version": "",
        }
    ]
    assert out(s, "display esn") == f"ESN of master: {s.device.spec.serial}\n"


def test_errors_carry_a_caret() -> None:
    s, _ = make()
    assert out(s, "foo") == "      ^\nError: Unrecognized command found at '^' position.\n"
    assert out(s, "display versoin") == " " * 18 + "^\nError: Unrecognized command found at '^' position.\n"
    run(s, "system-view")
    assert out(s, "interface").endswith("Error: Incomplete command found at '^' position.\n")
    assert "Error: Wrong parameter" in out(s, "interface GigabitEthernet0/0/9")


def test_display_current_configuration_and_include() -> None:
    s, _ = make()
    text = out(s, "display current-configuration")
    assert text.startswith("!Software Version V200R010C10SPC700\n#\n sysname rt01\n#\n")
    assert text.endswith("#\nreturn\n")
    assert out(s, "dis cur | include sysname") == " sysname rt01\n"
    assert out(s, "display current-configuration | begin ^user-interface").startswith(
        "user-interface con 0\n"
    )
    assert out(s, "display current-configuration interface GigabitEthernet0/0/1") == (
        "#\ninterface GigabitEthernet0/0/1\n description uplink-isp\n"
        " ip address 198.51.100.2 255.255.255.252\n traffic-filter inbound acl 3000\n#\nreturn\n"
    )


def test_sysname_undo_and_interface_state() -> None:
    s, dev = make()
    run(
        s,
        "system-view",
        "sysname edge-rt",
        "interface GigabitEthernet0/0/2",
        "undo shutdown",
        "description lan",
    )
    assert s.prompt() == "[edge-rt-GigabitEthernet0/0/2]"
    assert out(s, "display interface GigabitEthernet0/0/2").startswith(
        "GigabitEthernet0/0/2 current state : UP\nLine protocol current state : UP\n"
    )
    run(s, "shutdown", "quit", "interface LoopBack5", "ip address 10.5.5.5 32", "quit")
    assert "Administratively DOWN" in out(s, "display interface GigabitEthernet0/0/2")
    assert "interface LoopBack5\n ip address 10.5.5.5 32\n" in config_text(dev)
    run(s, "undo interface LoopBack5", "interface g0/0/2", "undo description", "quit", "undo sysname")
    text = config_text(dev)
    assert "LoopBack5" not in text and "description lan" not in text
    assert s.prompt() == "[HUAWEI]"
    assert "Wrong parameter" in out(s, "undo interface GigabitEthernet0/0/1")
    logs = out(s, "display logbuffer")
    assert "Interface GigabitEthernet0/0/2 has turned into DOWN state." in logs
    assert 'Command="sysname edge-rt"' in logs


def test_save_asks_and_only_yes_saves() -> None:
    s, dev = make()
    run(s, "system-view", "sysname saved-rt", "return")
    question = run(s, "save")
    assert question.output == "The current configuration will be written to the device.\n"
    assert question.prompt == "  Are you sure to continue?[Y/N]:"
    assert "sysname saved-rt" not in out(s, "n", "display saved-configuration")
    assert "Save the configuration successfully." in out(s, "save", "y")
    assert "sysname saved-rt" in out(s, "display saved-configuration")
    assert dev.startup.lines() == dev.running.lines()


def test_vlans_batch_and_views() -> None:
    s, dev = make()
    run(s, "system-view", "vlan batch 30 to 32", "vlan 40", "description NEW", "quit")
    assert " vlan batch 10 20 30 to 32 40\n" in config_text(dev)
    assert "vlan 40\n description NEW\n" in config_text(dev)
    run(s, "undo vlan 40", "undo vlan batch 31")
    text = config_text(dev)
    assert " vlan batch 10 20 30 32\n" in text and "vlan 40" not in text
    assert "32   enable  default" in out(s, "display vlan")


def test_acl_rules_are_numbered_in_steps_of_five_and_undone_by_number() -> None:
    s, dev = make()
    run(s, "system-view", "acl 3000", "rule permit tcp destination-port eq 22", "rule 7 permit udp")
    acl = dev.running.child("acl number 3000")
    assert acl is not None
    assert [c.text for c in acl.children] == [
        "description WAN-IN",
        "rule 5 permit tcp destination-port eq 443",
        "rule 7 permit udp",
        "rule 10 permit icmp",
        "rule 15 deny ip",
        "rule 20 permit tcp destination-port eq 22",
    ]
    run(s, "undo rule 7")
    assert "rule 7" not in config_text(dev)


def test_secrets_are_stored_as_ciphers_and_logins_follow_the_config() -> None:
    s, dev = make()
    run(
        s,
        "system-view",
        "aaa",
        "local-user ops password irreversible-cipher Rotated-2",
        "local-user ops privilege level 3",
        "local-user ops service-type ssh",
        "quit",
        "snmp-agent community read Canary-Community acl 2000",
    )
    text = config_text(dev)
    assert "Rotated-2" not in text and "Canary-Community" not in text
    assert re.search(r"local-user ops password irreversible-cipher \$1c\$\S+\$", text)
    assert re.search(r"snmp-agent community read cipher %\^%#\S+%\^%# acl 2000", text)
    assert vrp_login(dev.running, "ops", "Rotated-2") == 3
    assert vrp_login(dev.running, "ops", "wrong") is None
    run(s, "undo snmp-agent community read Canary-Community")
    assert config_text(dev).count("snmp-agent community read") == 1


def test_low_privilege_users_cannot_configure() -> None:
    s, _ = make(privilege=1)
    assert "Error: Unrecognized command" in out(s, "system-view")
    assert s.prompt() == "<rt01>"
    assert "Huawei Versatile Routing Platform Software" in out(s, "display version")


def test_display_works_in_every_view_and_display_this_shows_the_view() -> None:
    s, _ = make()
    run(s, "system-view", "interface GigabitEthernet0/0/0")
    assert out(s, "display this").startswith(
        "#\ninterface GigabitEthernet0/0/0\n description OOB management\n"
    )
    assert "LoopBack0" in out(s, "display ip interface brief")
    assert s.rejected("save").output == "Error: Failed to pass the authorization.\n"
