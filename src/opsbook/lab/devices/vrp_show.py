"""What Huawei VRP ``display`` commands print, computed from a :class:`DeviceState`."""

from __future__ import annotations

import re
import time

from opsbook.lab.devices.clockfmt import vrp_log_stamp, vrp_stamp, vrp_uptime
from opsbook.lab.devices.config import Node, render_config, render_subtree
from opsbook.lab.devices.device import DeviceState
from opsbook.lab.devices.editing import parse_vlan_list
from opsbook.lab.devices.hardware import mac_for


def vrp_release(version: str) -> str:
    """``V200R010C10SPC700`` → ``5.170`` (the VRP kernel version printed before it)."""
    match = re.match(r"^V(\d)00R(\d{3})", version)
    if not match:
        return "5.170"
    return f"{5 if match[1] == '2' else 8}.{70 + int(match[2]) * 10}"


def display_version(dev: DeviceState) -> str:
    spec = dev.spec
    uptime = vrp_uptime(dev.uptime_seconds())
    family = dev.hw.family
    return (
        "Huawei Versatile Routing Platform Software\n"
        f"VRP (R) software, Version {vrp_release(spec.version)} ({family} {spec.version})\n"
        "Copyright (C) 2011-2018 HUAWEI TECH CO., LTD\n"
        f"Huawei {spec.model} Router uptime is {uptime}\n"
        "BKP 0 version information:\n"
        "1. PCB      Version  : AR01BAK2C VER.B\n"
        "2. If Supporting PoE : No\n"
        f"3. Board    Type     : {spec.model}\n"
        "4. MPU Slot Quantity : 1\n"
        "5. LPU Slot Quantity : 6\n\n"
        f"MPU 0(Master) : uptime is {uptime}\n"
        "SDRAM Memory Size    : 2048    M bytes\n"
        "Flash 0 Memory Size  : 2048    M bytes\n"
        "MPU version information :\n"
        "1. PCB      Version  : AR01SRU2C VER.A\n"
        "2. MAB      Version  : 0\n"
        f"3. Board    Type     : {spec.model}\n"
        "4. CPLD0    Version  : 100\n"
        "5. BootROM  Version  : 0\n"
    )


def _header(dev: DeviceState, saved: bool) -> str:
    lines = [f"!Software Version {dev.spec.version}"]
    if dev.last_change is not None and not saved:
        lines.append(
            f"!Last configuration was updated at {vrp_stamp(dev.last_change[0])} by {dev.last_change[1]}"
        )
    if dev.last_save is not None:
        lines.append(f"!Last configuration was saved at {vrp_stamp(dev.last_save[0])} by {dev.last_save[1]}")
    return "\n".join(lines) + "\n"


def display_current(dev: DeviceState) -> str:
    return _header(dev, False) + render_config(dev.running, "huawei_vrp") + "return\n"


def display_saved(dev: DeviceState) -> str:
    return _header(dev, True) + render_config(dev.startup, "huawei_vrp") + "return\n"


def display_block(node: Node) -> str:
    return "#\n" + render_subtree(node, "huawei_vrp") + "return\n"


def _address(node: Node) -> tuple[str, int] | None:
    for child in node.children:
        match = re.match(r"^ip address (\S+) (\S+)$", child.text)
        if match:
            mask = match[2]
            length = int(mask) if mask.isdigit() else sum(bin(int(o)).count("1") for o in mask.split("."))
            return match[1], length
    return None


def _description(node: Node) -> str:
    for child in node.children:
        if child.text.startswith("description "):
            return child.text[len("description ") :]
    return ""


def _phy(status: str) -> str:
    return {"up": "up", "down": "down"}.get(status, "*down")


def _protocol(name: str, protocol: str) -> str:
    spoof = name.startswith(("LoopBack", "NULL"))
    return protocol + ("(s)" if spoof and protocol == "up" else "")


def display_ip_interface_brief(dev: DeviceState) -> str:
    states = dev.link_states()
    phys_up = sum(1 for s in states.values() if s.status == "up")
    proto_up = sum(1 for s in states.values() if s.protocol == "up")
    out = [
        "*down: administratively down",
        "^down: standby",
        "(l): loopback",
        "(s): spoofing",
        "(E): E-Trunk down",
        f"The number of interface that is UP in Physical is {phys_up}",
        f"The number of interface that is DOWN in Physical is {len(states) - phys_up}",
        f"The number of interface that is UP in Protocol is {proto_up}",
        f"The number of interface that is DOWN in Protocol is {len(states) - proto_up}",
        "",
        "Interface                         IP Address/Mask      Physical   Protocol  ",
    ]
    for name, node in dev.interfaces():
        state = states[name]
        addr = _address(node)
        ip = f"{addr[0]}/{addr[1]}" if addr else "unassigned"
        out.append(f"{name:<34}{ip:<21}{_phy(state.status):<11}{_protocol(name, state.protocol)}")
    return "\n".join(out) + "\n"


def display_interface_brief(dev: DeviceState) -> str:
    out = [
        "PHY: Physical",
        "*down: administratively down",
        "^down: standby",
        "(l): loopback",
        "(s): spoofing",
        "(b): BFD down",
        "(e): ETHOAM down",
        "(dl): DLDP down",
        "(d): Dampening Suppressed",
        "InUti/OutUti: input utility/output utility",
        "Interface                   PHY   Protocol InUti OutUti   inErrors  outErrors",
    ]
    for name, node in dev.interfaces():
        state = dev.link_state(name, node)
        out.append(
            f"{name:<28}{_phy(state.status):<6}{_protocol(name, state.protocol):<9}"
            f"{'0%':>5}{'0%':>7}{0:>11}{0:>11}"
        )
    return "\n".join(out) + "\n"


def display_interface(dev: DeviceState, name: str, node: Node) -> str:
    state = dev.link_state(name, node)
    hw = dev.hw
    index = hw.ports.index(name) + 1 if name in hw.ports else 100
    mac = mac_for(hw, index).replace(".", "")
    mac = f"{mac[0:4]}-{mac[4:8]}-{mac[8:12]}"
    current = {"up": "UP", "down": "DOWN"}.get(state.status, "Administratively DOWN")
    up_since = vrp_stamp(dev.booted_at)
    out = [
        f"{name} current state : {current}",
        f"Line protocol current state : {state.protocol.upper()}",
    ]
    if state.protocol == "up":
        out.append(f"Last line protocol up time : {up_since}")
    else:
        out.append("Last line protocol up time : -")
    desc = _description(node)
    out.append(f"Description:{desc}")
    out.append("Route Port,The Maximum Transmit Unit is 1500")
    addr = _address(node)
    if addr:
        out.append(f"Internet Address is {addr[0]}/{addr[1]}")
    else:
        out.append("Internet protocol processing : disabled")
    out.append(f"IP Sending Frames' Format is PKTFMT_ETHNT_2, Hardware address is {mac}")
    if name in hw.ports:
        seconds = int(dev.uptime_seconds()) if state.protocol == "up" else 0
        rate_in, rate_out = (2, 3) if seconds else (0, 0)
        out += [
            f"Last physical up time   : {up_since if state.status == 'up' else '-'}",
            f"Current system time: {vrp_stamp(dev.now())}",
            "Port Mode: COMMON COPPER",
            "Speed : 1000,  Loopback: NONE",
            "Duplex: FULL,  Negotiation: ENABLE",
            "Mdi   : AUTO",
            f"Last 300 seconds input rate {1000 if seconds else 0} bits/sec, {rate_in} packets/sec",
            f"Last 300 seconds output rate {2000 if seconds else 0} bits/sec, {rate_out} packets/sec",
            "",
            f"Input:  {seconds * 3} packets, {seconds * 900} bytes",
            f"  Unicast:  {seconds * 3}, Multicast: 0",
            "  Broadcast:  0, Jumbo: 0",
            "  Discard:  0, Total Error: 0",
            "",
            f"Output:  {seconds * 4} packets, {seconds * 1000} bytes",
            f"  Unicast:  {seconds * 4}, Multicast: 0",
            "  Broadcast:  0, Jumbo: 0",
            "  Discard:  0, Total Error: 0",
            "",
            "    Input bandwidth utilization threshold : 100.00%",
            "    Output bandwidth utilization threshold: 100.00%",
            "    Input bandwidth utilization  :    0%",
            "    Output bandwidth utilization :    0%",
        ]
    return "\n".join(out) + "\n"


def display_vlan(dev: DeviceState) -> str:
    vlans: dict[int, str] = {1: "VLAN 0001"}
    for node in dev.running.children:
        if node.text.startswith("vlan batch "):
            for vlan in parse_vlan_list(node.text[len("vlan batch ") :]) or []:
                vlans.setdefault(vlan, f"VLAN {vlan:04d}")
        match = re.match(r"^vlan (\d+)$", node.text)
        if match:
            vlan = int(match[1])
            vlans[vlan] = _description(node) or f"VLAN {vlan:04d}"
    out = [
        f"The total number of vlans is : {len(vlans)}",
        "-" * 80,
        "U: Up;         D: Down;         TG: Tagged;         UT: Untagged;",
        "MP: Vlan-mapping;               ST: Vlan-stacking;",
        "#: ProtocolTransparent-vlan;    *: Management-vlan;",
        "-" * 80,
        "",
        "VID  Type    Ports",
        "-" * 80,
    ]
    out.extend(f"{vlan:<5}common" for vlan in sorted(vlans))
    out += ["", "VID  Status  Property      MAC-LRN Statistics Description", "-" * 80]
    out.extend(f"{vlan:<5}enable  default       enable  disable    {vlans[vlan]}" for vlan in sorted(vlans))
    return "\n".join(out) + "\n"


def display_clock(dev: DeviceState) -> str:
    stamp = vrp_stamp(dev.now())
    day = time.strftime("%A", time.gmtime(dev.now()))
    return f"{stamp}\n{day}\nTime Zone(UTC) : UTC\n"


def display_logbuffer(dev: DeviceState) -> str:
    host = dev.hostname()
    entries = [f"{vrp_log_stamp(ts)} {host} {msg}" for ts, msg in reversed(dev.log)]
    head = (
        "Logging buffer configuration and contents : enabled\n"
        "Allowed max buffer size : 1024\n"
        "Actual buffer size : 512\n"
        "Channel number : 4 , Channel name : logbuffer\n"
        "Dropped messages : 0\n"
        "Overwritten messages : 0\n"
        f"Current messages : {len(entries)}\n\n"
    )
    return head + "".join(f"{entry}\n" for entry in entries)


def display_esn(dev: DeviceState) -> str:
    return f"ESN of master: {dev.spec.serial}\n"


def display_device(dev: DeviceState) -> str:
    model = dev.spec.model
    return (
        f"{model}'s Device status:\n"
        "Slot Sub  Type                   Online    Power    Register     Status   Role  \n" + "-" * 79 + "\n"
        f"0    -    {model:<23}Present   PowerOn  Registered   Normal   Master\n"
    )


def display_elabel(dev: DeviceState) -> str:
    return (
        "/$[Board Integration Version]\n"
        "/$BoardIntegrationVersion=3.0\n\n"
        "[Slot_0]\n"
        "/$[Board Properties]\n"
        f"BoardType={dev.spec.model}\n"
        f"BarCode={dev.spec.serial}\n"
        "Item=02351931\n"
        f"Description=Huawei {dev.spec.model} Router\n"
        "Manufactured=2019-03-01\n"
        "VendorName=Huawei\n"
    )


def display_users(dev: DeviceState, user: str, peer: str) -> str:
    return (
        "  User-Intf    Delay    Type   Network Address     AuthenStatus    AuthorcmdFlag\n"
        f"+ 129 VTY 0   00:00:00  SSH    {peer:<20}pass            no\n"
        f"  Username : {user}\n"
    )
