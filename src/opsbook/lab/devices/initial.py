"""The configuration a device has when it is first created: realistic, per platform.

Every feature the network issue audits is present: hostname, local users with secrets,
AAA, NTP, logging, SNMP, interfaces (with an out-of-band management interface), VLANs,
a management ACL bound to the vty lines, a banner. Addresses are documentation ranges.
"""

from __future__ import annotations

from opsbook.lab.devices.config import Node, parse_config
from opsbook.lab.devices.hardware import Hardware, hardware_for
from opsbook.lab.devices.passwords import derive_salt, vrp_cipher, vrp_irreversible
from opsbook.lab.devices.spec import DeviceSpec
from opsbook.network.secrets import md5_crypt


def mgmt_address(spec: DeviceSpec) -> str:
    return f"192.0.2.{10 + spec.port % 240}"


def initial_config(spec: DeviceSpec) -> Node:
    hw = hardware_for(spec)
    text = _vrp(spec, hw) if spec.platform == "huawei_vrp" else _ios(spec, hw)
    return parse_config(text, spec.platform)


def _ios(spec: DeviceSpec, hw: Hardware) -> str:
    enable = md5_crypt(spec.enable_secret, derive_salt(f"{spec.name}/enable"))
    user = md5_crypt(spec.password, derive_salt(f"{spec.name}/{spec.username}"))
    lines = [
        "version " + ".".join(spec.version.split(".")[:2]).split("(")[0],
        "no service pad",
        "service timestamps debug datetime msec",
        "service timestamps log datetime msec",
        "service password-encryption",
        f"hostname {spec.hostname}",
        "boot-start-marker",
        "boot-end-marker",
        "logging buffered 16384 informational",
        f"enable secret 5 {enable}",
        f"username {spec.username} privilege {spec.privilege} secret 5 {user}",
        "aaa new-model",
        "aaa authentication login default local",
        "aaa authorization exec default local",
        "aaa session-id common",
        "clock timezone UTC 0 0",
        "no ip domain-lookup",
        "ip domain-name lab.example.net",
        "archive",
        " path flash:archive",
        " maximum 10",
    ]
    if hw.role == "switch":
        lines += [
            "spanning-tree mode rapid-pvst",
            "spanning-tree extend system-id",
            "vlan 10",
            " name USERS",
            "vlan 20",
            " name SERVERS",
            "vlan 99",
            " name NATIVE",
        ]
    for port in hw.ports:
        lines.append(f"interface {port}")
        lines += _ios_port(spec, hw, port)
    if hw.role == "switch":
        lines += ["interface Vlan1", " no ip address", " shutdown"]
        lines += ["ip default-gateway 192.0.2.1"]
    else:
        lines += ["ip route 0.0.0.0 0.0.0.0 198.51.100.1"]
    lines += [
        "no ip http server",
        "no ip http secure-server",
        "ip ssh version 2",
        "ip access-list standard MGMT-ACCESS",
        " permit 192.0.2.0 0.0.0.255",
        " deny any log",
        "ip access-list extended USERS-IN",
        " permit udp any any eq bootps",
        " permit ip 10.10.0.0 0.0.0.255 any",
        " deny ip any any log",
        "logging host 192.0.2.50",
        f"snmp-server community {spec.snmp_community} RO MGMT-ACCESS",
        "snmp-server location Lab DC1 rack A1",
        "snmp-server contact noc@example.net",
        "banner motd ^C",
        "Authorised access only. Activity on this device is logged.",
        "^C",
        "line con 0",
        " exec-timeout 10 0",
        "line vty 0 4",
        " access-class MGMT-ACCESS in",
        " exec-timeout 10 0",
        " transport input ssh",
        "line vty 5 15",
        " access-class MGMT-ACCESS in",
        " exec-timeout 10 0",
        " transport input ssh",
        "ntp server 192.0.2.123",
    ]
    return "\n".join(lines) + "\n"


def _ios_port(spec: DeviceSpec, hw: Hardware, port: str) -> list[str]:
    if port == hw.mgmt:
        return [
            " description OOB management",
            f" ip address {mgmt_address(spec)} 255.255.255.0",
        ]
    if hw.role == "router":
        index = hw.ports.index(port)
        if index == 1:
            return [" description uplink-isp", " ip address 198.51.100.2 255.255.255.252"]
        return [" no ip address", " shutdown"]
    number = int(port.rsplit("/", 1)[1])
    if number == 1:
        return [
            " description uplink-core",
            " switchport trunk native vlan 99",
            " switchport trunk allowed vlan 10,20,99",
            " switchport mode trunk",
        ]
    if number in (2, 3):
        return [
            f" description users-{number - 1}",
            " switchport access vlan 10",
            " switchport mode access",
            " ip access-group USERS-IN in",
            " spanning-tree portfast",
        ]
    if number == 4:
        return [
            " description server-1",
            " switchport access vlan 20",
            " switchport mode access",
            " spanning-tree portfast",
        ]
    return [" shutdown"]


def _vrp(spec: DeviceSpec, hw: Hardware) -> str:
    user = vrp_irreversible(spec.password, derive_salt(f"{spec.name}/{spec.username}", 10))
    community = vrp_cipher(spec.snmp_community, derive_salt(f"{spec.name}/snmp", 6))
    lines = [
        "#",
        f" sysname {spec.hostname}",
        "#",
        " clock timezone UTC add 00:00:00",
        "#",
        " info-center loghost 192.0.2.50",
        "#",
        "vlan batch 10 20",
        "#",
        "aaa",
        " authentication-scheme default",
        " authorization-scheme default",
        " accounting-scheme default",
        " domain default",
        " domain default_admin",
        f" local-user {spec.username} password irreversible-cipher {user}",
        f" local-user {spec.username} privilege level {spec.privilege}",
        f" local-user {spec.username} service-type terminal ssh",
        "#",
        "acl number 2000",
        " description MGMT-ACCESS",
        " rule 5 permit source 192.0.2.0 0.0.0.255",
        " rule 10 deny",
        "#",
        "acl number 3000",
        " description WAN-IN",
        " rule 5 permit tcp destination-port eq 443",
        " rule 10 permit icmp",
        " rule 15 deny ip",
        "#",
        "vlan 10",
        " description USERS",
        "vlan 20",
        " description SERVERS",
        "#",
    ]
    for port in hw.ports:
        lines.append(f"interface {port}")
        index = hw.ports.index(port)
        if port == hw.mgmt:
            lines += [" description OOB management", f" ip address {mgmt_address(spec)} 255.255.255.0"]
        elif index == 1:
            lines += [
                " description uplink-isp",
                " ip address 198.51.100.2 255.255.255.252",
                " traffic-filter inbound acl 3000",
            ]
        else:
            lines += [" shutdown"]
        lines.append("#")
    lines += [
        "interface Vlanif10",
        " description users-gateway",
        " ip address 10.10.0.1 255.255.255.0",
        "#",
        "interface NULL0",
        "#",
        "interface LoopBack0",
        " ip address 203.0.113.1 255.255.255.255",
        "#",
        " snmp-agent",
        f" snmp-agent community read cipher {community} acl 2000",
        " snmp-agent sys-info contact noc@example.net",
        " snmp-agent sys-info location Lab DC1 rack B2",
        " snmp-agent sys-info version v2c v3",
        "#",
        " stelnet server enable",
        f" ssh user {spec.username}",
        f" ssh user {spec.username} authentication-type password",
        f" ssh user {spec.username} service-type stelnet",
        "#",
        " ntp-service unicast-server 192.0.2.123",
        "#",
        ' header login information "Authorised access only. Activity on this device is logged."',
        "#",
        "user-interface con 0",
        " authentication-mode aaa",
        "user-interface vty 0 4",
        " acl 2000 inbound",
        " authentication-mode aaa",
        " protocol inbound ssh",
        "#",
        " ip route-static 0.0.0.0 0.0.0.0 198.51.100.1",
        "#",
    ]
    return "\n".join(lines) + "\n"
