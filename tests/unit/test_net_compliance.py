"""Compliance per feature: equivalent configurations never drift; real differences always do."""

from __future__ import annotations

from opsbook.network.compliance import DeviceCompliance, DeviceStatus, check_device, to_task_results
from opsbook.network.redact import REDACTED
from opsbook.network.remediation import plan
from opsbook.network.secrets import md5_crypt
from opsbook.results import TaskStatus

RUNNING_IOS = f"""Building configuration...
!
hostname sw01
enable secret 5 {md5_crypt("Enable-Pass1", "abcd")}
username admin privilege 15 secret 5 {md5_crypt("Admin-Pass1", "wxyz")}
ip access-list extended EDGE
 permit tcp any any eq 22
 deny ip any any
interface GigabitEthernet0/1
 description users
 switchport access vlan 10
 switchport mode access
interface GigabitEthernet0/2
 shutdown
interface Vlan1
 no ip address
 shutdown
ntp server 192.0.2.1
ntp server 192.0.2.2
logging 192.0.2.50
snmp-server community s3cret-RO RO
banner motd ^C
Authorised access only
^C
end
"""

INTENDED_IOS = {
    "hostname": "hostname sw01\n",
    "aaa": "enable secret Enable-Pass1\nusername admin privilege 15 secret Admin-Pass1\n",
    # other order, other spelling
    "ntp": "ntp server 192.0.2.2\nntp server 192.0.2.1\n",
    "logging": "logging host 192.0.2.50\n",
    "snmp": "snmp-server community s3cret-RO ro\n",
    "acls": "ip access-list ext EDGE\n permit tcp any any eq 22\n deny ip any any\n",
    "interfaces": "int gi0/1\n switchport mode access\n desc users\n sw access vlan 10\n no shutdown\n",
    "banner": "banner motd #\nAuthorised access only\n#\n",
}


def _feature(result, name):  # type: ignore[no-untyped-def]
    return next(f for f in result.features if f.feature == name)


def test_equivalent_ios_config_is_compliant() -> None:
    result = check_device("sw01", "cisco_ios", RUNNING_IOS, INTENDED_IOS)
    assert result.status is DeviceStatus.COMPLIANT, [(f.feature, f.missing, f.extra) for f in result.features]
    assert [f.feature for f in result.features] == list(INTENDED_IOS)


def test_undeclared_interfaces_without_configuration_are_not_drift() -> None:
    """An unused port (down or not) and the default Vlan1 carry no configuration."""
    result = check_device("sw01", "cisco_ios", RUNNING_IOS, INTENDED_IOS)
    assert _feature(result, "interfaces").compliant
    assert "GigabitEthernet0/2" not in _feature(result, "interfaces").actual


def test_undeclared_interfaces_with_configuration_are_extra() -> None:
    """Issue 12: an undeclared SVI was invisible to compliance. Undeclared logical interfaces
    (SVI, loopback, sub-interface) are extra as a whole; an undeclared physical port is extra
    for the configuration it carries (not for being shut down), and the plan negates only that."""
    running = RUNNING_IOS.replace(
        "ntp server 192.0.2.1\n",
        "interface Vlan20\n ip address 10.20.0.1 255.255.255.0\n"
        "interface GigabitEthernet0/3\n description by hand\n switchport access vlan 20\n shutdown\n"
        "ntp server 192.0.2.1\n",
    )
    result = check_device("sw01", "cisco_ios", running, INTENDED_IOS)
    intf = _feature(result, "interfaces")
    assert result.drifted_features == ["interfaces"]
    assert intf.missing == []
    assert intf.extra == [
        "interface Vlan20",
        " ip address 10.20.0.1 255.255.255.0",
        "interface GigabitEthernet0/3",
        " description by hand",
        " switchport access vlan 20",
    ]
    p = plan("sw01", "cisco_ios", running, INTENDED_IOS)
    lines = p.send_lines()
    assert "no interface Vlan20" in lines
    assert "no interface GigabitEthernet0/3" not in lines  # a physical port is never removed
    gi3 = lines.index("interface GigabitEthernet0/3")
    assert set(lines[gi3 + 1 : gi3 + 3]) == {"no description by hand", "no switchport access vlan 20"}
    assert "no shutdown" not in lines
    assert p.features == ["interfaces"]


def test_undeclared_vrp_vlanif_is_extra() -> None:
    running = "sysname rt01\ninterface Vlanif30\n ip address 10.30.0.1 255.255.255.0\n"
    intended = {
        "hostname": "sysname rt01\n",
        "interfaces": "interface GigabitEthernet0/0/1\n description x\n",
    }
    intf = _feature(check_device("rt01", "huawei_vrp", running, intended), "interfaces")
    assert intf.extra == ["interface Vlanif30", " ip address 10.30.0.1 255.255.255.0"]
    assert "undo interface Vlanif30" in plan("rt01", "huawei_vrp", running, intended).send_lines()


def test_missing_and_extra_lines_are_reported_per_feature_with_parents() -> None:
    running = RUNNING_IOS.replace(" description users\n", " description hacked\n").replace(
        "ntp server 192.0.2.2\n", "ntp server 203.0.113.66\n"
    )
    result = check_device("sw01", "cisco_ios", running, INTENDED_IOS)
    assert result.status is DeviceStatus.DRIFTED
    assert result.drifted_features == ["ntp", "interfaces"]
    ntp = _feature(result, "ntp")
    assert ntp.missing == ["ntp server 192.0.2.2"]
    assert ntp.extra == ["ntp server 203.0.113.66"]
    intf = _feature(result, "interfaces")
    assert intf.missing == ["interface GigabitEthernet0/1", " description users"]
    assert intf.extra == ["interface GigabitEthernet0/1", " description hacked"]


def test_acl_entry_order_matters() -> None:
    swapped = RUNNING_IOS.replace(
        " permit tcp any any eq 22\n deny ip any any\n", " deny ip any any\n permit tcp any any eq 22\n"
    )
    result = check_device("sw01", "cisco_ios", swapped, INTENDED_IOS)
    assert result.drifted_features == ["acls"]


def test_wrong_secret_is_drift_and_never_shown() -> None:
    intended = dict(
        INTENDED_IOS, aaa="enable secret Other-Pass9\nusername admin privilege 15 secret Admin-Pass1\n"
    )
    result = check_device("sw01", "cisco_ios", RUNNING_IOS, intended)
    aaa = _feature(result, "aaa")
    assert not aaa.compliant
    assert aaa.missing == [f"enable secret {REDACTED}   (secret value differs)"]
    dumped = str(result.to_dict())
    assert "Other-Pass9" not in dumped and "Enable-Pass1" not in dumped and "$1$abcd$" not in dumped


def test_an_extra_snmp_community_is_drift_although_both_redact_alike() -> None:
    running = RUNNING_IOS.replace(
        "snmp-server community s3cret-RO RO\n",
        "snmp-server community s3cret-RO RO\nsnmp-server community public RO\n",
    )
    result = check_device("sw01", "cisco_ios", running, INTENDED_IOS)
    snmp = _feature(result, "snmp")
    assert snmp.extra == [f"snmp-server community {REDACTED} RO"]
    assert "public" not in str(result.to_dict())


RUNNING_VRP = """!Software Version V200R010C10SPC700
#
 sysname rt01
#
 info-center loghost 192.0.2.50
#
vlan batch 10 20
#
aaa
 authentication-scheme default
 local-user admin password irreversible-cipher $1c$abcdefgh$XYZ$
 local-user admin privilege level 15
#
acl number 2000
 rule 5 permit source 192.0.2.0 0.0.0.255
#
vlan 10
 description USERS
#
interface GigabitEthernet0/0/1
 description uplink
 undo shutdown
 traffic-filter inbound acl 3000
#
 snmp-agent
 snmp-agent community read cipher %^%#abcdef%^%# acl 2000
#
 ntp-service unicast-server 192.0.2.123
#
 header login information "Authorised access only"
#
return
"""

INTENDED_VRP = {
    "hostname": "sysname rt01\n",
    "aaa": (
        "aaa\n local-user admin password irreversible-cipher Admin-Pass1\n"
        " local-user admin privilege level 15\n"
    ),
    "ntp": "ntp-service unicast-server 192.0.2.123\n",
    "logging": "info-center loghost 192.0.2.50\n",
    "snmp": "snmp-agent\nsnmp-agent community read cipher Comm-1 acl 2000\n",
    "vlans": "vlan batch 20 10\nvlan 10\n description USERS\n",
    "acls": "acl 2000\n rule 5 permit source 192.0.2.0 0.0.0.255\n",
    "interfaces": "interface GE0/0/1\n traffic-filter inbound acl 3000\n description uplink\n",
    "banner": 'header login information "Authorised access only"\n',
}


def test_equivalent_vrp_config_is_compliant() -> None:
    result = check_device("rt01", "huawei_vrp", RUNNING_VRP, INTENDED_VRP)
    assert result.status is DeviceStatus.COMPLIANT, [(f.feature, f.missing, f.extra) for f in result.features]


def test_vrp_aaa_only_local_users_are_managed() -> None:
    result = check_device("rt01", "huawei_vrp", RUNNING_VRP, INTENDED_VRP)
    assert "authentication-scheme" not in _feature(result, "aaa").actual


def test_vrp_drift_is_reported() -> None:
    running = RUNNING_VRP.replace("vlan batch 10 20", "vlan batch 10 20 30").replace(
        " ntp-service unicast-server 192.0.2.123", " ntp-service unicast-server 192.0.2.124"
    )
    result = check_device("rt01", "huawei_vrp", running, INTENDED_VRP)
    assert result.drifted_features == ["ntp", "vlans"]
    assert _feature(result, "vlans").extra == ["vlan batch 30"]


def test_unmanaged_features_are_not_checked() -> None:
    result = check_device("rt01", "huawei_vrp", RUNNING_VRP, {"hostname": "sysname rt01\n"})
    assert [f.feature for f in result.features] == ["hostname"]
    assert result.status is DeviceStatus.COMPLIANT


def test_task_results_for_the_audit() -> None:
    running = RUNNING_VRP.replace("sysname rt01", "sysname rt99")
    result = check_device("rt01", "huawei_vrp", running, INTENDED_VRP)
    tasks = to_task_results(result)
    assert len(tasks) == len(INTENDED_VRP)
    hostname = next(t for t in tasks if t.result["feature"] == "hostname")
    assert hostname.status is TaskStatus.CHANGED and hostname.check_mode
    assert hostname.diff[0]["after"] == "sysname rt01\n"
    assert all(t.status is TaskStatus.OK for t in tasks if t is not hostname)


def test_unreachable_device_is_never_compliant_in_task_results() -> None:
    tasks = to_task_results(
        DeviceCompliance("rt01", "huawei_vrp", DeviceStatus.UNREACHABLE, error="timed out")
    )
    assert [t.status for t in tasks] == [TaskStatus.UNREACHABLE]
