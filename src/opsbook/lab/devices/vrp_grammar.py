"""The Huawei VRP command grammars: ``display`` (every view), user view, system view, sub-views.

Each table lists ``(template, action)``; :mod:`opsbook.lab.devices.vrp` implements the actions.
``view_suffix`` names the view a block opens (the prompt's ``[host-GigabitEthernet0/0/1]``).
"""

from __future__ import annotations

from functools import partial

from opsbook.lab.devices.core import Modes
from opsbook.lab.devices.grammar import Grammar
from opsbook.lab.devices.interfaces import normalize_interface

_iface = partial(normalize_interface, platform="huawei_vrp")


DISPLAY = [
    ("display version", "display_version"),
    ("display current-configuration", "display_current"),
    ("display current-configuration interface <iface>", "display_current_int"),
    ("display saved-configuration", "display_saved"),
    ("display startup", "display_startup"),
    ("display this", "display_this"),
    ("display ip interface brief", "display_ip_int_brief"),
    ("display interface brief", "display_int_brief"),
    ("display interface", "display_interfaces"),
    ("display interface <iface>", "display_interface"),
    ("display vlan", "display_vlan"),
    ("display clock", "display_clock"),
    ("display users", "display_users"),
    ("display logbuffer", "display_logbuffer"),
    ("display esn", "display_esn"),
    ("display device", "display_device"),
    ("display elabel", "display_elabel"),
    ("display history-command", "noop"),
]
COMMON = [*DISPLAY, ("quit", "quit"), ("return", "return")]
USER = [
    *COMMON,
    ("screen-length <int> temporary", "noop"),
    ("undo screen-length temporary", "noop"),
    ("screen-width <int>", "noop"),
    ("terminal monitor", "noop"),
    ("undo terminal monitor", "noop"),
    ("system-view", "system_view"),
    ("save", "save"),
    ("save <word>", "save"),
    ("reboot", "reboot"),
    ("ping <rest>", "ping"),
]
SYSTEM = [
    *COMMON,
    ("sysname <word>", "line"),
    ("interface <iface>", "interface"),
    ("vlan <int>", "vlan"),
    ("vlan batch <rest>", "vlan_batch"),
    ("aaa", "block"),
    ("acl <int>", "acl"),
    ("acl number <int>", "acl"),
    ("user-interface vty <int> <int>", "block"),
    ("user-interface con <int>", "block"),
    ("user-interface console <int>", "ui_con"),
    ("info-center <rest>", "line"),
    ("ntp-service <rest>", "line"),
    ("snmp-agent", "line"),
    ("snmp-agent community read <rest>", "community"),
    ("snmp-agent community write <rest>", "community"),
    ("snmp-agent <rest>", "line"),
    ("clock timezone <rest>", "line"),
    ("header login information <rest>", "line"),
    ("header shell information <rest>", "line"),
    ("ip route-static <rest>", "line"),
    ("stelnet server enable", "line"),
    ("ssh user <rest>", "line"),
    ("ssh <rest>", "line"),
    ("ospf <int>", "block"),
    ("ospf <int> router-id <word>", "block"),
    ("bgp <int>", "block"),
    ("stp <rest>", "line"),
    ("dhcp enable", "line"),
    ("lldp enable", "line"),
    ("ip vpn-instance <word>", "block"),
    ("telnet server enable", "line"),
    ("save", "save"),
]
INTERFACE = [
    *COMMON,
    ("description <rest>", "line"),
    ("ip address <rest>", "line"),
    ("shutdown", "line"),
    ("port link-type <word>", "line"),
    ("port default vlan <int>", "line"),
    ("port trunk allow-pass vlan <rest>", "line"),
    ("port trunk pvid vlan <int>", "line"),
    ("traffic-filter inbound acl <rest>", "line"),
    ("traffic-filter outbound acl <rest>", "line"),
    ("mtu <int>", "line"),
    ("speed <word>", "line"),
    ("duplex <word>", "line"),
    ("negotiation auto", "line"),
    ("ospf <rest>", "line"),
    ("dhcp select <rest>", "line"),
    ("arp <rest>", "line"),
    ("ipv6 <rest>", "line"),
    ("stp <rest>", "line"),
    ("lldp <rest>", "line"),
]
AAA = [
    *COMMON,
    ("local-user <word> password <rest>", "local_user_password"),
    ("local-user <word> <rest>", "line"),
    ("authentication-scheme <word>", "line"),
    ("authorization-scheme <word>", "line"),
    ("accounting-scheme <word>", "line"),
    ("domain <word>", "line"),
]
ACL = [
    *COMMON,
    ("rule <int> <rest>", "rule"),
    ("rule <rest>", "rule"),
    ("description <rest>", "line"),
    ("step <int>", "line"),
]
UI = [
    *COMMON,
    ("authentication-mode <word>", "line"),
    ("protocol inbound <word>", "line"),
    ("acl <int> inbound", "line"),
    ("acl <int> outbound", "line"),
    ("idle-timeout <int> <rest?>", "line"),
    ("user privilege level <int>", "line"),
    ("screen-length <int>", "line"),
    ("history-command <rest>", "line"),
    ("set authentication password <rest>", "line"),
]
VLAN = [*COMMON, ("description <rest>", "line"), ("name <word>", "line")]
OSPF = [
    *COMMON,
    ("area <word>", "area"),
    ("import-route <rest>", "line"),
    ("default-route-advertise <rest?>", "line"),
    ("silent-interface <rest>", "line"),
]
AREA = [*COMMON, ("network <rest>", "line"), ("authentication-mode <rest>", "line")]
BGP = [
    *COMMON,
    ("peer <rest>", "line"),
    ("router-id <word>", "line"),
    ("ipv4-family <rest>", "block"),
    ("network <rest>", "line"),
    ("import-route <rest>", "line"),
]


DISPLAY_GRAMMAR = Grammar(DISPLAY, _iface)
USER_GRAMMAR = Grammar(USER, _iface)
MODES = Modes(
    top=Grammar(SYSTEM, _iface),
    by_mode={
        "interface": Grammar(INTERFACE, _iface),
        "aaa": Grammar(AAA, _iface),
        "acl": Grammar(ACL, _iface),
        "user-interface": Grammar(UI, _iface),
        "vlan": Grammar(VLAN, _iface),
        "ospf": Grammar(OSPF, _iface),
        "area": Grammar(AREA, _iface),
        "bgp": Grammar(BGP, _iface),
    },
    generic=Grammar([*COMMON, ("<rest>", "line")], _iface),
    mode_of=lambda block: block.split()[0],
)


def view_suffix(path: list[str]) -> str:
    """The part after ``host-`` in ``[host-GigabitEthernet0/0/1]``."""
    text = path[-1]
    words = text.split()
    if words[0] == "interface":
        return words[1]
    if words[0] == "acl":
        number = int(words[-1])
        kind = "basic" if number < 3000 else ("adv" if number < 4000 else "L2")
        return f"acl-{kind}-{number}"
    if words[0] == "user-interface":
        return "ui-console0" if words[1] == "con" else f"ui-vty{words[2]}-{words[3]}"
    if words[0] == "vlan":
        return f"vlan{words[1]}"
    if words[0] == "ospf":
        return f"ospf-{words[1]}"
    if words[0] == "area" and len(path) > 1:
        return f"{view_suffix(path[:-1])}-area-{words[1]}"
    if words[0] == "bgp":
        return "bgp"
    if words[0] == "ip" and words[1] == "vpn-instance":
        return f"vpn-instance-{words[2]}"
    return words[0]
