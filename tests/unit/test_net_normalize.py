"""Normalisation: volatile lines out, abbreviations expanded, defaults and equivalent forms unified."""

from __future__ import annotations

import pytest

from opsbook.network.normalize import (
    canonical,
    expand_interface,
    expand_keywords,
    strip_volatile,
    vlan_ids,
    vlan_ranges,
)

IOS_HEADER = """Building configuration...

Current configuration : 4242 bytes
!
! Last configuration change at 10:11:12 UTC Mon Mar 4 2024 by admin
! NVRAM config last updated at 10:11:13 UTC Mon Mar 4 2024 by admin
!
version 15.2
hostname sw01
ntp clock-period 17179870
ip access-list extended EDGE
 permit tcp any any eq 22 (12 matches)
 deny ip any any (1 match)
end
"""


def test_ios_volatile_lines_and_counters_are_removed() -> None:
    out = strip_volatile(IOS_HEADER, "cisco_ios")
    assert "Building configuration" not in out
    assert "Current configuration" not in out
    assert "Last configuration change" not in out
    assert "NVRAM config last updated" not in out
    assert "ntp clock-period" not in out
    assert "(12 matches)" not in out and "(1 match)" not in out
    assert " permit tcp any any eq 22\n" in out
    assert out.startswith("!\n") and out.endswith("end\n")


def test_two_backups_differing_only_in_volatile_lines_are_identical() -> None:
    later = IOS_HEADER.replace("10:11:12", "23:59:59").replace("4242", "4301").replace("17179870", "17179999")
    later = later.replace("(12 matches)", "(99 matches)")
    assert strip_volatile(IOS_HEADER, "ios") == strip_volatile(later, "ios")


def test_vrp_volatile_lines_are_removed() -> None:
    text = (
        "!Software Version V200R010C10SPC700\n"
        "!Last configuration was updated at 2024-01-01 10:00:00+00:00\n"
        "#\n sysname rt01\n#\nreturn\n"
    )
    out = strip_volatile(text, "huawei_vrp")
    assert "Software Version" not in out and "Last configuration" not in out
    assert " sysname rt01" in out


@pytest.mark.parametrize(
    ("name", "platform", "full"),
    [
        ("Gi0/1", "cisco_ios", "GigabitEthernet0/1"),
        ("gi1/0/24", "cisco_ios", "GigabitEthernet1/0/24"),
        ("GigabitEthernet0/1", "cisco_ios", "GigabitEthernet0/1"),
        ("Fa0", "cisco_ios", "FastEthernet0"),
        ("Te1/1/1", "cisco_ios", "TenGigabitEthernet1/1/1"),
        ("lo0", "cisco_ios", "Loopback0"),
        ("Vl10", "cisco_ios", "Vlan10"),
        ("Po1", "cisco_ios", "Port-channel1"),
        ("GE0/0/1", "huawei_vrp", "GigabitEthernet0/0/1"),
        ("XGE0/0/1", "huawei_vrp", "XGigabitEthernet0/0/1"),
        ("Eth-Trunk1", "huawei_vrp", "Eth-Trunk1"),
        ("Vlanif10", "huawei_vrp", "Vlanif10"),
        ("LoopBack0", "huawei_vrp", "LoopBack0"),
        ("nonsense", "cisco_ios", "nonsense"),
    ],
)
def test_interface_names_expand(name: str, platform: str, full: str) -> None:
    assert expand_interface(name, platform) == full


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("int Gi0/1", "interface Gi0/1"),
        ("desc uplink to core", "description uplink to core"),
        ("shut", "shutdown"),
        ("no shut", "no shutdown"),
        ("ip add 10.0.0.1 255.255.255.0", "ip address 10.0.0.1 255.255.255.0"),
        ("sw mo acc", "switchport mode access"),
        ("ip access-list ext EDGE", "ip access-list extended EDGE"),
        ("description shut", "description shut"),
    ],
)
def test_ios_keyword_abbreviations_expand(line: str, expected: str) -> None:
    assert expand_keywords(line, "cisco_ios") == expected


def test_canonical_ios_equivalences() -> None:
    short = "int gi0/1\n desc users\n no shut\n duplex auto\nlogging 192.0.2.50\n"
    full = "interface GigabitEthernet0/1\n description users\nlogging host 192.0.2.50\n"
    assert canonical(short, "cisco_ios") == canonical(full, "cisco_ios")


def test_canonical_interface_name_with_space() -> None:
    assert canonical("interface GigabitEthernet 0/1\n", "cisco_ios") == "interface GigabitEthernet0/1\n"


def test_canonical_ios_acl_host_any_and_port_names() -> None:
    a = "ip access-list extended X\n permit tcp 10.0.0.1 0.0.0.0 0.0.0.0 255.255.255.255 eq www\n"
    b = "ip access-list extended X\n permit tcp host 10.0.0.1 any eq 80\n"
    assert canonical(a, "cisco_ios") == canonical(b, "cisco_ios")


def test_canonical_trunk_vlan_list_forms() -> None:
    a = "interface Gi0/1\n switchport trunk allowed vlan 10,20,21,22\n"
    b = "interface GigabitEthernet0/1\n switchport trunk allowed vlan 10,20-22\n"
    assert canonical(a, "cisco_ios") == canonical(b, "cisco_ios")


def test_canonical_banner_delimiters() -> None:
    a = "banner motd ^C\nHello\nWorld\n^C\n"
    b = "banner motd #\nHello\nWorld\n#\n"
    assert canonical(a, "cisco_ios") == canonical(b, "cisco_ios") == a


def test_canonical_vrp_global_commands_are_top_level_and_vlan_batch_splits() -> None:
    text = (
        "#\n sysname rt01\n#\nvlan batch 10 20 to 22\n#\n"
        "interface GE0/0/1\n undo shutdown\n description up\n#\nreturn\n"
    )
    out = canonical(text, "huawei_vrp")
    assert out.splitlines() == [
        "sysname rt01",
        "vlan batch 10",
        "vlan batch 20",
        "vlan batch 21",
        "vlan batch 22",
        "interface GigabitEthernet0/0/1",
        " description up",
    ]


def test_canonical_vrp_acl_short_form() -> None:
    assert canonical("acl 3000\n rule 5 permit ip\n", "huawei_vrp") == canonical(
        "acl number 3000\n rule 5 permit ip\n", "huawei_vrp"
    )


def test_vlan_list_helpers() -> None:
    assert vlan_ids(["10,20-22"]) == [10, 20, 21, 22]
    assert vlan_ids(["10", "20", "to", "22"]) == [10, 20, 21, 22]
    assert vlan_ranges([22, 10, 21, 20]) == "10,20-22"
