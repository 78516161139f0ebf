"""Remediation: safe ordering, replacement not negation, scoped to managed features, mgmt protection."""

from __future__ import annotations

from opsbook.network.redact import REDACTED
from opsbook.network.remediation import management_touches, plan, restore_plan, to_running
from opsbook.network.secrets import md5_crypt

IOS = """hostname sw01
ip access-list extended OLD-IN
 deny ip any any
interface GigabitEthernet0/1
 description users
 ip access-group OLD-IN in
interface GigabitEthernet0/2
 switchport access vlan 10
line vty 0 4
 transport input ssh
"""


def _index(lines: list[str], text: str) -> int:
    return next(i for i, line in enumerate(lines) if line.strip() == text)


def test_acl_is_created_before_it_is_bound_and_removed_after_it_is_unbound() -> None:
    intended = {
        "acls": "ip access-list extended NEW-IN\n permit tcp any any eq 22\n",
        "interfaces": "interface GigabitEthernet0/1\n description users\n ip access-group NEW-IN in\n",
    }
    p = plan("sw01", "cisco_ios", IOS, intended)
    lines = p.send_lines()
    assert _index(lines, "ip access-list extended NEW-IN") < _index(lines, "ip access-group NEW-IN in")
    assert _index(lines, "no ip access-group OLD-IN in") < _index(lines, "no ip access-list extended OLD-IN")
    assert lines[-1] == "no ip access-list extended OLD-IN"
    # the rollback is safe too: the old ACL exists again before it is bound
    back = p.rollback_lines()
    assert _index(back, "ip access-list extended OLD-IN") < _index(back, "ip access-group OLD-IN in")
    assert _index(back, "no ip access-group NEW-IN in") < _index(back, "no ip access-list extended NEW-IN")


def test_vlan_is_created_before_ports_use_it() -> None:
    intended = {
        "vlans": "vlan 30\n name NEW\n",
        "interfaces": "interface GigabitEthernet0/2\n switchport access vlan 30\n",
    }
    lines = plan("sw01", "cisco_ios", IOS, intended).send_lines()
    assert _index(lines, "vlan 30") < _index(lines, "switchport access vlan 30")
    assert "no switchport access vlan 10" not in [line.strip() for line in lines]  # replaced, not negated


def test_single_valued_commands_are_replaced_not_negated() -> None:
    p = plan("sw01", "cisco_ios", IOS, {"hostname": "hostname sw02\n"})
    assert p.commands == ["hostname sw02"]
    vrp = "#\n sysname rt01\n#\ninterface GigabitEthernet0/0/1\n description old\n#\n"
    p = plan(
        "rt01",
        "huawei_vrp",
        vrp,
        {"hostname": "sysname rt02\n", "interfaces": "interface GigabitEthernet0/0/1\n description new\n"},
    )
    assert p.send_lines() == ["sysname rt02", "interface GigabitEthernet0/0/1", "description new", "quit"]


def test_unmanaged_features_and_sections_are_left_alone() -> None:
    p = plan("sw01", "cisco_ios", IOS, {"hostname": "hostname sw01\n"})
    assert p.empty
    assert not any(
        "line vty" in c for c in plan("sw01", "cisco_ios", IOS, {"ntp": "ntp server 192.0.2.1\n"}).commands
    )


def test_vrp_negation_uses_undo_and_quit() -> None:
    vrp = "#\n ntp-service unicast-server 192.0.2.1\n#\nacl number 3001\n rule 5 deny ip\n#\n"
    p = plan("rt01", "huawei_vrp", vrp, {"ntp": "ntp-service unicast-server 192.0.2.2\n", "acls": ""})
    assert "undo ntp-service unicast-server 192.0.2.1" in p.commands
    assert "undo acl number 3001" in p.commands
    assert p.commands.index("undo acl number 3001") == len(p.commands) - 1


def test_matching_secret_is_not_pushed_again_and_a_new_one_is_never_shown() -> None:
    running = f"username admin privilege 15 secret 5 {md5_crypt('Right-Pass', 'salt')}\n"
    assert plan(
        "sw01", "cisco_ios", running, {"aaa": "username admin privilege 15 secret Right-Pass\n"}
    ).empty
    p = plan("sw01", "cisco_ios", running, {"aaa": "username admin privilege 15 secret New-Pass\n"})
    assert p.commands == ["username admin privilege 15 secret New-Pass"]  # sent to the device as is
    assert p.redacted_commands() == [f"username admin privilege 15 secret {REDACTED}"]
    assert all("New-Pass" not in line and "Right-Pass" not in line for line in p.redacted_rollback())


def test_restore_keeps_redacted_secrets_that_are_still_on_the_device() -> None:
    running = (
        "hostname sw02\nusername admin privilege 15 secret 5 $1$salt$abcdefabcdefabcdefabcd\n"
        "ntp server 192.0.2.9\n"
    )
    backup = (
        f"hostname sw01\nusername admin privilege 15 secret {REDACTED}\n"
        f"username gone privilege 1 secret {REDACTED}\nntp server 192.0.2.1\n"
    )
    p = restore_plan("sw01", "cisco_ios", running, backup)
    assert p.commands == ["no ntp server 192.0.2.9", "hostname sw01", "ntp server 192.0.2.1"]
    assert p.unrestorable == [f"username gone privilege 1 secret {REDACTED}"]


def test_rollback_to_the_live_backup() -> None:
    before = "hostname sw01\nntp server 192.0.2.1\n"
    after = "hostname sw01\nntp server 192.0.2.1\nntp server 192.0.2.2\n"
    assert to_running("sw01", "cisco_ios", after, before).commands == ["no ntp server 192.0.2.2"]


def test_management_interface_and_acl_changes_are_detected() -> None:
    lines = [
        "ip access-list standard MGMT-ACCESS",
        "  30 permit 198.51.100.0 0.0.0.255",
        "  exit",
        "interface FastEthernet0",
        "  description changed",
        "  exit",
        "interface GigabitEthernet1/0/2",
        "  description users",
        "  exit",
        "snmp-server community x RO MGMT-ACCESS",
        "ntp server 192.0.2.1",
    ]
    hits = management_touches(lines, "cisco_ios", mgmt_interface="Fa0", mgmt_acl="MGMT-ACCESS")
    assert "ip access-list standard MGMT-ACCESS" in hits
    assert "interface FastEthernet0" in hits
    assert "interface FastEthernet0 / description changed" in hits
    assert "snmp-server community x RO MGMT-ACCESS" in hits
    assert not any("GigabitEthernet1/0/2" in h or "ntp" in h for h in hits)
    assert management_touches(lines[6:9], "cisco_ios", mgmt_interface="Fa0", mgmt_acl="MGMT-ACCESS") == []


def test_vrp_management_acl_by_number() -> None:
    lines = ["acl number 2000", "  rule 15 permit source 198.51.100.0 0.0.0.255", "  quit", "acl number 3000"]
    hits = management_touches(lines, "huawei_vrp", mgmt_interface="GigabitEthernet0/0/0", mgmt_acl="2000")
    assert hits == [
        "acl number 2000",
        "acl number 2000 / rule 15 permit source 198.51.100.0 0.0.0.255",
    ]  # leaving the section ("quit") is not a change of its own
