"""The Cisco IOS dialect as pure logic: modes, prompts, show output, config edits, saving, revert."""

from __future__ import annotations

import re

import pytest
from ntc_templates.parse import parse_output

from opsbook.lab.devices.auth import ios_login
from opsbook.lab.devices.config import render_config
from opsbook.lab.devices.device import DeviceState
from opsbook.lab.devices.initial import initial_config
from opsbook.lab.devices.ios import IosSession
from opsbook.lab.devices.session import Reply
from opsbook.lab.devices.spec import DeviceSpec


class Clock:
    def __init__(self) -> None:
        self.now = 1_764_237_600.0  # 2025-11-27 10:00:00 UTC

    def __call__(self) -> float:
        return self.now


def make(model: str = "", privilege: int = 15, minute: float = 60.0) -> tuple[IosSession, DeviceState, Clock]:
    clock = Clock()
    spec = DeviceSpec(
        name="sw01",
        platform="cisco_ios",
        port=3401,
        username="admin",
        password="Lab-Pass-1",
        model=model,
        privilege=privilege,
        revert_minute_seconds=minute,
    )
    config = initial_config(spec)
    dev = DeviceState(spec, config, config.copy(), booted_at=clock.now - 12 * 86400 - 3600, clock=clock)
    return IosSession(dev, "admin", "127.0.0.1", privilege), dev, clock


def run(session: IosSession, *lines: str) -> Reply:
    reply = Reply()
    for line in lines:
        reply = session.handle(line)
    return reply


def out(session: IosSession, *lines: str) -> str:
    return run(session, *lines).output


def test_prompts_follow_modes_and_sub_modes() -> None:
    s, _, _ = make()
    seen = [s.prompt()]
    for line, _ in [
        ("configure terminal", None),
        ("interface gi1/0/1", None),
        ("exit", None),
        ("line vty 0 4", None),
        ("router ospf 1", None),
        ("ip access-list extended EDGE", None),
        ("vlan 50", None),
        ("archive", None),
        ("end", None),
        ("disable", None),
    ]:
        run(s, line)
        seen.append(s.prompt())
    assert seen == [
        "sw01#",
        "sw01(config)#",
        "sw01(config-if)#",
        "sw01(config)#",
        "sw01(config-line)#",
        "sw01(config-router)#",
        "sw01(config-ext-nacl)#",
        "sw01(config-vlan)#",
        "sw01(config-archive)#",
        "sw01#",
        "sw01>",
    ]


def test_enable_asks_for_the_secret_without_echo() -> None:
    s, _, _ = make()
    run(s, "disable")
    ask = run(s, "enable")
    assert ask.prompt == "Password: " and ask.hide_input
    assert "% Bad secrets" in out(s, "wrong")
    assert s.prompt() == "sw01>"
    run(s, "enable", "Lab-Pass-1")
    assert s.prompt() == "sw01#"
    assert out(s, "show privilege") == "Current privilege level is 15\n"


def test_enable_without_any_secret_is_refused() -> None:
    s, _, _ = make()
    run(s, "configure terminal", "no enable secret", "end", "disable")
    assert out(s, "enable") == "% No password set\n"


def test_low_privilege_user_starts_in_user_exec_without_config_commands() -> None:
    s, _, _ = make(privilege=1)
    assert s.prompt() == "sw01>"
    assert out(s, "show privilege") == "Current privilege level is 1\n"
    assert "% Invalid input detected at '^' marker." in out(s, "show running-config")
    assert "Cisco IOS Software" in out(s, "show version")


def test_show_version_parses_with_ntc_templates_and_cliconf_regexes() -> None:
    s, dev, _ = make()
    text = out(s, "show version")
    parsed = parse_output(platform="cisco_ios", command="show version", data=text)[0]
    assert parsed["hostname"] == "sw01"
    assert parsed["version"] == "15.2(7)E4"
    assert parsed["hardware"] == ["WS-C2960X-24TS-L"]
    assert parsed["serial"] == [dev.spec.serial]
    assert parsed["uptime"] == "1 week, 5 days, 1 hour, 0 minutes"
    assert parsed["running_image"].endswith(".bin")
    # what Ansible's cisco.ios cliconf looks for
    assert re.search(r"Version (\S+)", text)
    assert re.search(r"^(.+) uptime", text, re.M)
    assert re.search(r'image file is "(.+)"', text)
    match = re.search(r"^[Cc]isco (.+) \(revision", text, re.M)
    assert match and match.group(1).split(" ")[0] == "WS-C2960X-24TS-L"


def test_router_models_have_no_vlan_table() -> None:
    s, _, _ = make(model="CISCO2911/K9")
    assert "% Invalid input detected" in out(s, "show vlan")
    assert "Cisco CISCO2911/K9 (revision 1.0)" in out(s, "show version")
    assert "GigabitEthernet0/1" in out(s, "show ip interface brief")


def test_unknown_commands_get_a_caret_under_the_problem() -> None:
    s, _, _ = make()
    assert out(s, "shw version") == "       ^\n% Invalid input detected at '^' marker.\n\n"
    run(s, "conf t")
    assert out(s, "foo bar") == "              ^\n% Invalid input detected at '^' marker.\n\n"
    assert out(s, "interface") == "% Incomplete command.\n\n"
    assert out(s, "s") == '% Ambiguous command:  "s"\n'


def test_show_running_config_pipes_and_interface_form() -> None:
    s, _, _ = make()
    assert out(s, "show running-config | include ^hostname") == "hostname sw01\n"
    assert out(s, "sh run | i ntp") == "ntp server 192.0.2.123\n"
    section = out(s, "show running-config | section ^line vty")
    assert section.startswith("line vty 0 4\n access-class MGMT-ACCESS in\n")
    assert out(s, "show run | begin ^ntp") == "ntp server 192.0.2.123\n!\nend\n"
    full = out(s, "show running-config")
    assert full.startswith("Building configuration...\n\nCurrent configuration : ")
    assert full.endswith("!\nend\n")
    interface = out(s, "show running-config interface Gi1/0/4")
    assert "interface GigabitEthernet1/0/4\n description server-1\n" in interface


def test_sub_mode_lines_fall_through_to_the_enclosing_mode() -> None:
    s, dev, _ = make()
    run(
        s,
        "configure terminal",
        "interface GigabitEthernet1/0/5",
        "description first",
        "interface gi1/0/6",
        "desc second",
        "hostname core-sw",
    )
    assert s.prompt() == "core-sw(config)#"
    text = render_config(dev.running, "cisco_ios")
    assert "interface GigabitEthernet1/0/5\n description first\n shutdown\n" in text
    assert "interface GigabitEthernet1/0/6\n description second\n shutdown\n" in text
    assert "hostname core-sw\n" in text


def test_no_removes_lines_and_blocks_but_not_physical_ports_or_vlan_1() -> None:
    s, dev, _ = make()
    run(s, "configure terminal", "interface Loopback9", "ip address 10.9.9.9 255.255.255.255", "exit")
    assert dev.interface_node("Loopback9") is not None
    run(
        s,
        "no interface Loopback9",
        "no vlan 20",
        "no ntp server 192.0.2.123",
        "interface gi1/0/4",
        "no description",
    )
    text = render_config(dev.running, "cisco_ios")
    assert "Loopback9" not in text and "\nvlan 20\n" not in text and "ntp server" not in text
    assert "interface GigabitEthernet1/0/4\n switchport access vlan 20\n" in text
    assert "not permitted" in out(s, "no interface GigabitEthernet1/0/4")
    assert "may not be deleted" in out(s, "no vlan 1")


def test_shutdown_and_links_down_change_interface_state_and_log() -> None:
    s, dev, _ = make()
    assert out(s, "show interfaces Gi1/0/1").startswith(
        "GigabitEthernet1/0/1 is up, line protocol is up (connected)\n"
    )
    run(s, "configure terminal", "interface Gi1/0/1", "shutdown", "end")
    assert out(s, "show interfaces Gi1/0/1").startswith(
        "GigabitEthernet1/0/1 is administratively down, line protocol is down (disabled)\n"
    )
    logs = out(s, "show logging")
    assert "%LINK-5-CHANGED: Interface GigabitEthernet1/0/1, changed state to administratively down" in logs
    assert "%SYS-5-CONFIG_I: Configured from console by admin on vty0 (127.0.0.1)" in logs
    run(s, "configure terminal", "interface Gi1/0/1", "no shutdown", "end")
    dev.links_down = frozenset({"GigabitEthernet1/0/1"})
    assert out(s, "show interfaces Gi1/0/1").startswith(
        "GigabitEthernet1/0/1 is down, line protocol is down (notconnect)\n"
    )
    status = out(s, "show interfaces status | include ^Gi1/0/1 ")
    assert "notconnect" in status
    brief = out(s, "show ip interface brief | include ^FastEthernet0")
    assert brief.split() == ["FastEthernet0", "192.0.2.51", "YES", "NVRAM", "up", "up"]


def test_copy_running_config_asks_for_the_destination_and_saves() -> None:
    s, dev, _ = make()
    run(s, "configure terminal", "hostname saved-sw", "end")
    assert "hostname saved-sw" not in out(s, "show startup-config")
    question = run(s, "copy running-config startup-config")
    assert question.prompt == "Destination filename [startup-config]? "
    assert out(s, "") == "Building configuration...\n[OK]\n"
    assert "hostname saved-sw" in out(s, "show startup-config")
    assert dev.startup.lines() == dev.running.lines()
    assert out(s, "write memory") == "Building configuration...\n[OK]\n"
    assert "! NVRAM config last updated at" in out(s, "show running-config")


def test_revert_timer_rolls_back_unconfirmed_changes_on_time() -> None:
    s, dev, clock = make()
    before = dev.running.lines()
    entered = out(s, "configure terminal revert timer 2")
    assert entered.startswith("Rollback Confirmed Change: Backing up current running config to flash:archive")
    run(s, "hostname temporary", "end")
    assert "Timer value : 2 min" in out(s, "show archive config rollback timer")
    clock.now += 119
    assert s.prompt() == "temporary#" and dev.tick() is False
    clock.now += 2
    run(s, "")  # any input lets the device notice the timer ran out
    assert dev.running.lines() == before
    assert s.prompt() == "sw01#"
    assert "ROLLBK_CNFMD_CHG_ROLLBACK" in out(s, "show logging")
    assert out(s, "show archive config rollback timer") == "%No Rollback Confirmed Change pending\n"


def test_configure_confirm_keeps_the_change_and_revert_now_undoes_it() -> None:
    s, dev, clock = make(minute=1.0)
    run(s, "configure terminal revert timer 1", "hostname kept", "end", "configure confirm")
    clock.now += 300
    assert dev.tick() is False and s.prompt() == "kept#"
    run(s, "configure terminal revert timer 5", "hostname dropped", "end")
    assert out(s, "configure revert now").startswith("Rollback Confirmed Change")
    assert s.prompt() == "kept#"
    assert out(s, "configure confirm") == "% No Rollback Confirmed Change pending\n"


def test_revert_timer_needs_the_archive_feature() -> None:
    s, dev, _ = make()
    run(s, "configure terminal", "no archive", "end")
    assert out(s, "configure terminal revert timer 5").startswith("%Error: Rollback Confirmed Change needs")
    assert dev.revert is None and s.prompt() == "sw01#"


def test_multi_line_banner() -> None:
    s, dev, _ = make()
    run(s, "configure terminal")
    first = run(s, "banner motd #")
    assert first.output == "Enter TEXT message.  End with the character '#'.\n" and first.prompt == ""
    assert run(s, "Line one").prompt == ""
    run(s, "Line two #", "end")
    text = render_config(dev.running, "cisco_ios")
    assert "banner motd ^C\nLine one\nLine two \n^C\n" in text
    assert s.login_banner() == "\nLine one\nLine two \n\n"
    run(s, "configure terminal", "banner login ^CShort^C", "no banner motd", "end")
    text = render_config(dev.running, "cisco_ios")
    assert "banner login ^C\nShort\n^C" in text and "banner motd" not in text


def test_user_secrets_are_stored_hashed_and_work_for_login() -> None:
    s, dev, _ = make()
    run(
        s,
        "configure terminal",
        "username ops privilege 15 secret Rotated-2",
        "username ro password plain1",
        "end",
    )
    text = render_config(dev.running, "cisco_ios")
    assert re.search(r"^username ops privilege 15 secret 5 \$1\$\S+\$\S+$", text, re.M)
    assert re.search(r"^username ro password 7 [0-9A-F]+$", text, re.M)
    assert "Rotated-2" not in text and "plain1" not in text
    assert ios_login(dev.running, "ops", "Rotated-2") == 15
    assert ios_login(dev.running, "ro", "plain1") == 1


def test_trunk_allowed_vlan_add_and_remove() -> None:
    s, dev, _ = make()
    run(s, "configure terminal", "interface Gi1/0/1", "switchport trunk allowed vlan add 30-32", "end")
    assert "switchport trunk allowed vlan 10,20,30-32,99" in render_config(dev.running, "cisco_ios")
    run(s, "configure terminal", "interface Gi1/0/1", "switchport trunk allowed vlan remove 20,31", "end")
    assert "switchport trunk allowed vlan 10,30,32,99" in render_config(dev.running, "cisco_ios")


def test_ctrl_z_do_and_terminal_settings() -> None:
    s, _, _ = make()
    assert run(s, "terminal length 0").output == "" and s.term_length == 0
    run(s, "terminal width 511")
    assert s.term_width == 511
    run(s, "configure terminal", "interface Gi1/0/2")
    assert out(s, "do show run | i ^hostname") == "hostname sw01\n"
    assert s.prompt() == "sw01(config-if)#"
    run(s, "\x1a")
    assert s.prompt() == "sw01#"


def test_reload_restores_the_startup_config_and_closes() -> None:
    s, dev, clock = make()
    run(s, "configure terminal", "hostname unsaved", "end")
    assert run(s, "reload").prompt == "System configuration has been modified. Save? [yes/no]: "
    assert run(s, "no").prompt == "Proceed with reload? [confirm]"
    reply = run(s, "")
    assert reply.close and dev.hostname() == "sw01" and dev.booted_at == clock.now


def test_rejected_commands_look_like_authorization_failures() -> None:
    s, _, _ = make()
    assert s.rejected("show running-config").output == "Command authorization failed.\n"


@pytest.mark.parametrize(
    "command", ["show clock", "show inventory", "show users", "dir", "show access-lists", "show archive"]
)
def test_more_show_commands_answer(command: str) -> None:
    s, _, _ = make()
    text = out(s, command)
    assert text and "% Invalid" not in text
