"""The device configuration model: parse, render, edit (pure functions, both platforms)."""

from __future__ import annotations

import pytest

from opsbook.lab.devices.config import Node, find_path, parse_config, render_config
from opsbook.lab.devices.editing import (
    format_vlan_list,
    line_key,
    open_block,
    parse_vlan_list,
    remove_line,
    set_line,
)
from opsbook.lab.devices.initial import initial_config
from opsbook.lab.devices.spec import DeviceSpec


def _spec(platform: str) -> DeviceSpec:
    return DeviceSpec(name="sw01", platform=platform, port=3401, username="admin", password="Lab-Pass-1")  # type: ignore[arg-type]


@pytest.mark.parametrize("platform", ["cisco_ios", "huawei_vrp"])
def test_initial_config_round_trips_through_text(platform: str) -> None:
    tree = initial_config(_spec(platform))
    text = render_config(tree, platform)
    assert parse_config(text, platform).lines() == tree.lines()
    assert render_config(parse_config(text, platform), platform) == text


def test_ios_parse_ignores_show_output_header_separators_and_end() -> None:
    text = (
        "Building configuration...\n\nCurrent configuration : 120 bytes\n!\n"
        "! Last configuration change at 10:00:00 UTC Thu Nov 27 2025 by admin\n!\n"
        "hostname sw01\n!\ninterface Gi1\n description up\n!\nend\n"
    )
    assert parse_config(text, "cisco_ios").lines() == [
        "hostname sw01",
        "interface Gi1",
        "interface Gi1 || description up",
    ]


def test_ios_banner_body_keeps_text_lines_and_delimiter_forms() -> None:
    tree = parse_config(
        "banner motd ^C\nline one\n  line two\n^C\nbanner login #hi there#\nhostname x\n", "cisco_ios"
    )
    motd = tree.child("banner motd ^C")
    login = tree.child("banner login ^C")
    assert motd is not None and motd.body == ["line one", "  line two"]
    assert login is not None and login.body == ["hi there"]
    assert "banner motd ^C\nline one\n  line two\n^C\n" in render_config(tree, "cisco_ios")


def test_ios_render_puts_bang_between_blocks_but_runs_lines_and_acls_together() -> None:
    tree = parse_config(
        "hostname a\ninterface Gi1\n shutdown\ninterface Gi2\n shutdown\n"
        "ip access-list standard A\n permit any\nip access-list standard B\n deny any\n"
        "line con 0\n exec-timeout 5 0\nline vty 0 4\n login\n",
        "cisco_ios",
    )
    text = render_config(tree, "cisco_ios")
    assert "interface Gi1\n shutdown\n!\ninterface Gi2" in text
    assert " permit any\nip access-list standard B" in text
    assert " exec-timeout 5 0\nline vty 0 4" in text


def test_vrp_parse_takes_each_group_first_line_as_top_level() -> None:
    text = (
        "#\n sysname rt01\n#\naaa\n local-user a privilege level 15\n#\n"
        " snmp-agent\n snmp-agent sys-info contact x\n#\nreturn\n"
    )
    tree = parse_config(text, "huawei_vrp")
    assert [n.text for n in tree.children] == [
        "sysname rt01",
        "aaa",
        "snmp-agent",
        "snmp-agent sys-info contact x",
    ]
    aaa = tree.child("aaa")
    assert aaa is not None and [c.text for c in aaa.children] == ["local-user a privilege level 15"]


def test_vrp_render_indents_global_lines_and_groups_by_keyword() -> None:
    text = (
        "#\n sysname r\n#\n snmp-agent\n snmp-agent sys-info contact x\n#\n"
        "interface NULL0\n#\nvlan 10\nvlan 20\n#\n"
    )
    assert render_config(parse_config(text, "huawei_vrp"), "huawei_vrp") == text


def test_find_path_walks_blocks() -> None:
    tree = parse_config("router bgp 1\n address-family ipv4\n  neighbor x activate\n", "cisco_ios")
    node = find_path(tree, ["router bgp 1", "address-family ipv4"])
    assert node is not None and node.children[0].text == "neighbor x activate"
    assert find_path(tree, ["router bgp 2"]) is None


def test_set_line_replaces_by_key_in_place() -> None:
    tree = parse_config("hostname a\nntp server 1.1.1.1\nlogging host 2.2.2.2\n", "cisco_ios")
    assert set_line(tree, "hostname b", "cisco_ios")
    assert tree.children[0].text == "hostname b"
    assert not set_line(tree, "hostname b", "cisco_ios")
    assert set_line(tree, "ntp server 3.3.3.3", "cisco_ios")
    assert [n.text for n in tree.children] == [
        "hostname b",
        "ntp server 1.1.1.1",
        "ntp server 3.3.3.3",
        "logging host 2.2.2.2",
    ]


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("ip address 10.0.0.1 255.0.0.0", "ip address"),
        ("ip address 10.0.0.2 255.0.0.0 secondary", "ip address 10.0.0.2 255.0.0.0 secondary"),
        ("username bob privilege 15 secret 5 $1$x$y", "username bob"),
        ("snmp-server community public RO", "snmp-server community public"),
        ("access-class MGMT in", "access-class in"),
        ("no ip domain-lookup", "ip domain-lookup"),
        ("no shutdown", "shutdown"),
    ],
)
def test_ios_line_keys(line: str, key: str) -> None:
    assert line_key(line, "cisco_ios") == key


def test_vrp_line_keys() -> None:
    assert line_key("local-user a password irreversible-cipher x", "huawei_vrp") == "local-user a password"
    assert line_key("undo shutdown", "huawei_vrp") == "shutdown"
    assert line_key("rule 5 permit", "huawei_vrp") == "rule 5"


def test_new_interfaces_and_vlans_go_in_number_order() -> None:
    tree = parse_config(
        "vlan 10\nvlan 30\ninterface Loopback0\ninterface GigabitEthernet1/0/1\ninterface Vlan1\n",
        "cisco_ios",
    )
    open_block(tree, "vlan 20", "cisco_ios")
    open_block(tree, "interface GigabitEthernet1/0/2", "cisco_ios")
    open_block(tree, "interface Loopback1", "cisco_ios")
    assert [n.text for n in tree.children] == [
        "vlan 10",
        "vlan 20",
        "vlan 30",
        "interface Loopback0",
        "interface Loopback1",
        "interface GigabitEthernet1/0/1",
        "interface GigabitEthernet1/0/2",
        "interface Vlan1",
    ]


def test_ios_interface_lines_take_their_usual_place() -> None:
    tree = parse_config(
        "interface Gi1\n switchport mode access\n shutdown\n spanning-tree portfast\n", "cisco_ios"
    )
    block = tree.child("interface Gi1")
    assert block is not None
    set_line(block, "description new", "cisco_ios")
    set_line(block, "ip access-group X in", "cisco_ios")
    assert [c.text for c in block.children] == [
        "description new",
        "switchport mode access",
        "ip access-group X in",
        "shutdown",
        "spanning-tree portfast",
    ]


def test_remove_line_by_exact_text_key_and_word_prefix() -> None:
    tree = parse_config(
        "ntp server 1.1.1.1 prefer\nusername bob privilege 15 secret 5 $1$a$b\n"
        "interface Loopback0\n ip address 1.1.1.1 255.255.255.255\n",
        "cisco_ios",
    )
    assert remove_line(tree, "ntp server 1.1.1.1", "cisco_ios")
    assert remove_line(tree, "username bob", "cisco_ios")
    loop = tree.child("interface Loopback0")
    assert loop is not None and remove_line(loop, "ip address", "cisco_ios")
    assert remove_line(tree, "interface Loopback0", "cisco_ios")
    assert tree.children == []
    assert not remove_line(tree, "ntp server 9.9.9.9", "cisco_ios")


def test_negating_a_default_on_feature_records_the_no_form() -> None:
    tree = Node("")
    assert remove_line(tree, "ip domain-lookup", "cisco_ios")
    assert [n.text for n in tree.children] == ["no ip domain-lookup"]
    assert not remove_line(tree, "ip domain-lookup", "cisco_ios")
    assert set_line(tree, "ip domain-lookup", "cisco_ios")
    assert [n.text for n in tree.children] == ["ip domain-lookup"]


def test_vlan_lists_parse_and_format_per_platform() -> None:
    assert parse_vlan_list("10,20,30-32") == [10, 20, 30, 31, 32]
    assert parse_vlan_list("10 20 30 to 32") == [10, 20, 30, 31, 32]
    assert parse_vlan_list("10-x") is None
    assert parse_vlan_list("5000") is None
    assert format_vlan_list([10, 11, 20, 30, 31, 32], "cisco_ios") == "10,11,20,30-32"
    assert format_vlan_list([10, 11, 20, 30, 31, 32], "huawei_vrp") == "10 to 11 20 30 to 32"
