"""What IOS ``show`` commands print, computed from a :class:`DeviceState`."""

from __future__ import annotations

import re

from opsbook.lab.devices import acl_seq
from opsbook.lab.devices.clockfmt import ios_change_stamp, ios_clock, ios_log_stamp, ios_uptime
from opsbook.lab.devices.config import Node, render_config, render_subtree
from opsbook.lab.devices.device import DeviceState
from opsbook.lab.devices.editing import parse_vlan_list
from opsbook.lab.devices.hardware import ios_image_file, mac_for
from opsbook.lab.devices.interfaces import short_interface

_CRYPTO = """\
This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.

A summary of U.S. laws governing Cisco cryptographic products may be found at:
http://www.cisco.com/wwl/export/crypto/tool/stqrg.html

If you require further assistance please contact us by sending email to
export@cisco.com.
"""


def show_version(dev: DeviceState) -> str:
    spec, hw = dev.spec, dev.hw
    image = ios_image_file(spec, hw)
    software = f"{hw.family}-UNIVERSALK9-M"
    host = dev.hostname()
    head = (
        f"Cisco IOS Software, {hw.family} Software ({software}), Version {spec.version}, "
        "RELEASE SOFTWARE (fc2)\n"
        "Technical Support: http://www.cisco.com/techsupport\n"
        "Copyright (c) 1986-2021 by Cisco Systems, Inc.\n"
        "Compiled Tue 09-Mar-21 02:39 by prod_rel_team\n\n"
    )
    uptime = (
        f"{host} uptime is {ios_uptime(dev.uptime_seconds())}\n"
        "System returned to ROM by power-on\n"
        f"System restarted at {ios_change_stamp(dev.booted_at)}\n"
        f'System image file is "{image}"\n'
        "Last reload reason: power-on\n\n\n\n"
    )
    mac = ":".join(re.findall("..", mac_for(hw, 0).replace(".", "")))
    gig = sum(1 for p in hw.ports if p.startswith("GigabitEthernet"))
    fast = sum(1 for p in hw.ports if p.startswith("FastEthernet"))
    if hw.role == "switch":
        body = (
            "ROM: Bootstrap program is " + hw.family + " boot loader\n"
            f"BOOTLDR: {hw.family} Boot Loader ({hw.family}-HBOOT-M) Version 15.2(3r)E1, "
            "RELEASE SOFTWARE (fc1)\n\n" + uptime + _CRYPTO + "\n"
            f"cisco {spec.model} (APM86XXX) processor (revision D0) with 524288K bytes of memory.\n"
            f"Processor board ID {spec.serial}\n"
            "Last reset from power-on\n"
            "1 Virtual Ethernet interface\n"
            + (f"{fast} FastEthernet interface\n" if fast else "")
            + f"{gig} Gigabit Ethernet interfaces\n"
            "The password-recovery mechanism is enabled.\n\n"
            "512K bytes of flash-simulated non-volatile configuration memory.\n"
            f"Base ethernet MAC Address       : {mac}\n"
            "Motherboard assembly number     : 73-15505-03\n"
            "Model revision number           : D0\n"
            "Motherboard revision number     : A0\n"
            f"Model number                    : {spec.model}\n"
            f"System serial number            : {spec.serial}\n"
            "Top Assembly Part Number        : 68-4630-03\n"
            "Version ID                      : V03\n\n\n"
            "Switch Ports Model                     SW Version            SW Image\n"
            "------ ----- -----                     ----------            ----------\n"
            f"*    1 {len(hw.ports):<5} {spec.model:<25} {spec.version:<21} {software}\n\n\n"
            "Configuration register is 0xF\n"
        )
    else:
        body = (
            "ROM: System Bootstrap, Version 15.0(1r)M16, RELEASE SOFTWARE (fc1)\n\n" + uptime + _CRYPTO + "\n"
            f"Cisco {spec.model} (revision 1.0) with 483328K/40960K bytes of memory.\n"
            f"Processor board ID {spec.serial}\n"
            f"{gig} Gigabit Ethernet interfaces\n"
            "DRAM configuration is 64 bits wide with parity enabled.\n"
            "255K bytes of non-volatile configuration memory.\n"
            "250880K bytes of ATA System CompactFlash 0 (Read/Write)\n\n"
            "Configuration register is 0x2102\n"
        )
    return head + body


def _config_header(dev: DeviceState, body: str) -> str:
    lines = body.split("\n")
    stamps: list[str] = []
    if dev.last_change is not None:
        when, who = dev.last_change
        stamps.append(f"! Last configuration change at {ios_change_stamp(when)} by {who}")
    if dev.last_save is not None:
        when, who = dev.last_save
        stamps.append(f"! NVRAM config last updated at {ios_change_stamp(when)} by {who}")
    if stamps:
        lines = [lines[0], *stamps, "!", *lines[1:]]
    return "\n".join(lines)


def show_running_config(dev: DeviceState) -> str:
    body = _config_header(dev, render_config(dev.running, "cisco_ios")) + "end\n"
    return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n{body}"


def show_running_interface(dev: DeviceState, node: Node) -> str:
    body = render_subtree(node, "cisco_ios") + "end\n"
    return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n!\n{body}"


def show_startup_config(dev: DeviceState) -> str:
    body = render_config(dev.startup, "cisco_ios") + "end\n"
    return f"Using {len(body)} out of 524288 bytes\n{body}"


def _address(node: Node) -> str | None:
    for child in node.children:
        match = re.match(r"^ip address (\S+) (\S+)$", child.text)
        if match:
            return f"{match[1]} {match[2]}"
    return None


def show_ip_interface_brief(dev: DeviceState) -> str:
    out = ["Interface              IP-Address      OK? Method Status                Protocol"]
    for name, node in dev.interfaces():
        state = dev.link_state(name, node)
        addr = _address(node)
        ip = addr.split()[0] if addr else "unassigned"
        method = "NVRAM" if addr else "unset"
        out.append(f"{name:<23}{ip:<16}YES {method:<7}{state.status:<22}{state.protocol}")
    return "\n".join(out) + "\n"


def show_ip_interface(dev: DeviceState) -> str:
    out: list[str] = []
    for name, node in dev.interfaces():
        state = dev.link_state(name, node)
        out.append(f"{name} is {state.status}, line protocol is {state.protocol}")
        addr = _address(node)
        if addr is None:
            out.append("  Internet protocol processing disabled")
            continue
        ip, mask = addr.split()
        out += [
            f"  Internet address is {ip}/{_prefix_len(mask)}",
            "  Broadcast address is 255.255.255.255",
            "  MTU is 1500 bytes",
            "  Outgoing access list is not set",
            "  Inbound  access list is not set",
            "  Proxy ARP is enabled",
        ]
    return "\n".join(out) + "\n"


def _description(node: Node) -> str:
    for child in node.children:
        if child.text.startswith("description "):
            return child.text[len("description ") :]
    return ""


def _prefix_len(mask: str) -> int:
    return sum(bin(int(octet)).count("1") for octet in mask.split("."))


def show_interface(dev: DeviceState, name: str, node: Node) -> str:
    state = dev.link_state(name, node)
    hw = dev.hw
    index = hw.ports.index(name) + 1 if name in hw.ports else 100
    mac = mac_for(hw, index)
    desc = _description(node)
    addr = _address(node)
    line_state = {"up": "(connected)", "down": "(notconnect)"}.get(state.status, "(disabled)")
    kind = (
        "Gigabit Ethernet"
        if "Gigabit" in name
        else ("Fast Ethernet" if "Fast" in name else name.rstrip("0123456789/."))
    )
    up_seconds = int(dev.uptime_seconds()) if state.protocol == "up" else 0
    packets_in = up_seconds * 3
    packets_out = up_seconds * 4
    out = [f"{name} is {state.status}, line protocol is {state.protocol} {line_state}"]
    out.append(f"  Hardware is {kind}, address is {mac} (bia {mac})")
    if desc:
        out.append(f"  Description: {desc}")
    if addr:
        ip, mask = addr.split()
        out.append(f"  Internet address is {ip}/{_prefix_len(mask)}")
    speed = 100000 if "Fast" in name else 1000000
    out += [
        f"  MTU 1500 bytes, BW {speed} Kbit/sec, DLY 10 usec,",
        "     reliability 255/255, txload 1/255, rxload 1/255",
        "  Encapsulation ARPA, loopback not set",
        "  Keepalive set (10 sec)",
    ]
    if state.protocol == "up":
        out.append(f"  Full-duplex, {speed // 1000}Mb/s, media type is 10/100/1000BaseTX")
    else:
        out.append("  Auto-duplex, Auto-speed, media type is 10/100/1000BaseTX")
    out += [
        "  input flow-control is off, output flow-control is unsupported",
        "  ARP type: ARPA, ARP Timeout 04:00:00",
        "  Last input 00:00:01, output 00:00:00, output hang never",
        '  Last clearing of "show interface" counters never',
        "  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: 0",
        "  Queueing strategy: fifo",
        "  Output queue: 0/40 (size/max)",
        f"  5 minute input rate {1000 if up_seconds else 0} bits/sec, {2 if up_seconds else 0} packets/sec",
        f"  5 minute output rate {2000 if up_seconds else 0} bits/sec, {3 if up_seconds else 0} packets/sec",
        f"     {packets_in} packets input, {packets_in * 300} bytes, 0 no buffer",
        f"     Received {packets_in // 10} broadcasts ({packets_in // 20} multicasts)",
        "     0 runts, 0 giants, 0 throttles",
        "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored",
        "     0 watchdog, 0 multicast, 0 pause input",
        "     0 input packets with dribble condition detected",
        f"     {packets_out} packets output, {packets_out * 250} bytes, 0 underruns",
        "     0 output errors, 0 collisions, 1 interface resets",
        "     0 unknown protocol drops",
        "     0 babbles, 0 late collision, 0 deferred",
        "     0 lost carrier, 0 no carrier, 0 pause output",
        "     0 output buffer failures, 0 output buffers swapped out",
    ]
    return "\n".join(out) + "\n"


def _switchport(node: Node) -> tuple[str, str]:
    """(mode, vlan) of a switch port: ("trunk", "trunk") / ("access", "10")."""
    mode, vlan = "access", "1"
    for child in node.children:
        if child.text == "switchport mode trunk":
            mode = "trunk"
        elif child.text.startswith("switchport access vlan "):
            vlan = child.text.rsplit(" ", 1)[1]
        elif child.text == "no switchport":
            mode = "routed"
    return mode, ("trunk" if mode == "trunk" else ("routed" if mode == "routed" else vlan))


def show_interfaces_status(dev: DeviceState) -> str:
    out = ["", "Port      Name               Status       Vlan       Duplex  Speed Type"]
    for name, node in dev.interfaces():
        if name not in dev.hw.ports:
            continue
        state = dev.link_state(name, node)
        status = {"up": "connected", "down": "notconnect"}.get(state.status, "disabled")
        _, vlan = _switchport(node)
        if name == dev.hw.mgmt:
            vlan = "routed"
        duplex, speed = ("a-full", "a-1000") if state.status == "up" else ("auto", "auto")
        if "Fast" in name and state.status == "up":
            speed = "a-100"
        out.append(
            f"{short_interface(name, 'cisco_ios'):<10}{_description(node)[:18]:<19}{status:<13}"
            f"{vlan:<11}{duplex:>6} {speed:>6} 10/100/1000BaseTX"
        )
    return "\n".join(out) + "\n"


def show_interfaces_description(dev: DeviceState) -> str:
    out = ["Interface                      Status         Protocol Description"]
    for name, node in dev.interfaces():
        state = dev.link_state(name, node)
        status = "admin down" if state.status.startswith("admin") else state.status
        short = short_interface(name, "cisco_ios")
        out.append(f"{short:<31}{status:<15}{state.protocol:<9}{_description(node)}".rstrip())
    return "\n".join(out) + "\n"


def show_vlan(dev: DeviceState, brief: bool) -> str:
    names: dict[int, str] = {1: "default"}
    for node in dev.running.children:
        match = re.match(r"^vlan (\d+)$", node.text)
        if match:
            vlan = int(match[1])
            names[vlan] = f"VLAN{vlan:04d}"
            for child in node.children:
                if child.text.startswith("name "):
                    names[vlan] = child.text[5:]
    ports: dict[int, list[str]] = {vlan: [] for vlan in names}
    for name, node in dev.interfaces():
        if name not in dev.hw.ports or name == dev.hw.mgmt:
            continue
        mode, vlan_text = _switchport(node)
        if mode == "access" and vlan_text.isdigit() and int(vlan_text) in ports:
            ports[int(vlan_text)].append(short_interface(name, "cisco_ios"))
    out = [
        "",
        "VLAN Name                             Status    Ports",
        "---- -------------------------------- --------- -------------------------------",
    ]
    for vlan in sorted(names):
        members = ports[vlan]
        chunks = [", ".join(members[i : i + 4]) for i in range(0, len(members), 4)] or [""]
        out.append(f"{vlan:<5}{names[vlan][:32]:<33}{'active':<10}{chunks[0]}".rstrip())
        out.extend(f"{'':48}{chunk}" for chunk in chunks[1:])
    for vlan, name in (
        (1002, "fddi-default"),
        (1003, "token-ring-default"),
        (1004, "fddinet-default"),
        (1005, "trnet-default"),
    ):
        out.append(f"{vlan:<5}{name:<33}act/unsup")
    if not brief:
        out += [
            "",
            "VLAN Type  SAID       MTU   Parent RingNo BridgeNo Stp  BrdgMode Trans1 Trans2",
            "---- ----- ---------- ----- ------ ------ -------- ---- -------- ------ ------",
        ]
        out.extend(
            f"{vlan:<5}enet  {100000 + vlan:<10} 1500  -      -      -        -    -        0      0"
            for vlan in sorted(names)
        )
    return "\n".join(out) + "\n"


def show_logging(dev: DeviceState) -> str:
    entries = [f"{ios_log_stamp(ts)}: {msg}" for ts, msg in dev.log]
    head = (
        "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, "
        "0 overruns, xml disabled, filtering disabled)\n\n"
        "No Active Message Discriminator.\n\n\n\n"
        "No Inactive Message Discriminator.\n\n\n"
        "    Console logging: level debugging, 0 messages logged, xml disabled,\n"
        "                     filtering disabled\n"
        "    Monitor logging: level debugging, 0 messages logged, xml disabled,\n"
        "                     filtering disabled\n"
        f"    Buffer logging:  level informational, {len(entries)} messages logged, xml disabled,\n"
        "                    filtering disabled\n"
        "    Exception Logging: size (4096 bytes)\n"
        "    Count and timestamp logging messages: disabled\n"
        "    Persistent logging: disabled\n\n"
        "No active filter modules.\n\n"
        "    Trap logging: level informational, 0 message lines logged\n"
    )
    for node in dev.running.children:
        if node.text.startswith("logging host "):
            head += f"        Logging to {node.text.split()[2]}  (udp port 514, audit disabled,\n"
            head += "              link up),\n"
    head += "\nLog Buffer (16384 bytes):\n\n"
    return head + "".join(f"{entry}\n" for entry in entries)


def show_clock(dev: DeviceState) -> str:
    synced = any(n.text.startswith("ntp server ") for n in dev.running.children)
    return ("" if synced else "*") + ios_clock(dev.now()) + "\n"


def show_inventory(dev: DeviceState) -> str:
    spec = dev.spec
    return f'NAME: "1", DESCR: "{spec.model}"\nPID: {spec.model:<18}, VID: V03  , SN: {spec.serial}\n\n'


def show_access_lists(dev: DeviceState) -> str:
    out: list[str] = []
    for node in dev.running.children:
        match = re.match(r"^ip access-list (standard|extended) (\S+)$", node.text)
        if not match:
            continue
        out.append(f"{match[1].capitalize()} IP access list {match[2]}")
        out.extend(
            f"    {seq} {child.text}"
            for seq, child in zip(acl_seq.numbers(node), node.children, strict=True)
            if seq is not None  # remarks are not listed
        )
    return "\n".join(out) + ("\n" if out else "")


def show_archive(dev: DeviceState) -> str:
    archive = next((n for n in dev.running.children if n.text == "archive"), None)
    path = (
        next((c.text[5:] for c in archive.children if c.text.startswith("path ")), None) if archive else None
    )
    if path is None:
        return "Archive feature not enabled\n"
    return (
        "The maximum archive configurations allowed is 10.\n"
        f"The next archive file will be named {path}-1\n"
        " Archive #  Name\n"
        "   1        \n"
    )


def show_rollback_timer(dev: DeviceState) -> str:
    timer = dev.revert
    if timer is None:
        return "%No Rollback Confirmed Change pending\n"
    left = max(0, int(timer.deadline - dev.now()))
    return (
        f"Time configured(or reset) : {ios_change_stamp(timer.armed_at)}\n"
        "Timer type : Revert\n"
        f"Timer value : {timer.minutes} min\n"
        f"Time remaining : {left // 60:02d}:{left % 60:02d}\n"
        f"User : {timer.user}\n"
    )


def show_dir(dev: DeviceState) -> str:
    image = ios_image_file(dev.spec, dev.hw).split(":", 1)[1].lstrip("/")
    top = image.split("/", 1)[0]
    return (
        "Directory of flash:/\n\n"
        "    2  -rwx         736   Mar 1 1993 00:01:39 +00:00  vlan.dat\n"
        f"    3  drwx         512   Mar 1 1993 00:10:47 +00:00  {top}\n"
        "    4  -rwx        3096   Mar 1 1993 00:20:12 +00:00  multiple-fs\n\n"
        "122185728 bytes total (90754048 bytes free)\n"
    )


def show_memory_statistics(dev: DeviceState) -> str:
    return (
        "                Head    Total(b)     Used(b)     Free(b)   Lowest(b)  Largest(b)\n"
        "Processor    3B0A1C8   362215992   136484432   225731560   222584052   180397360\n"
        "      I/O    7400000    12582912     9063856     3519056     3449904     3505612\n"
    )


def show_processes_cpu(dev: DeviceState) -> str:
    return (
        "CPU utilization for five seconds: 5%/0%; one minute: 6%; five minutes: 6%\n"
        " PID Runtime(ms)     Invoked      uSecs   5Sec   1Min   5Min TTY Process \n"
        "   1           0          13          0  0.00%  0.00%  0.00%   0 Chunk Manager\n"
    )


def show_users(dev: DeviceState, user: str, peer: str) -> str:
    return (
        "    Line       User       Host(s)              Idle       Location\n"
        f"*  1 vty 0     {user:<10} idle                 00:00:00 {peer}\n\n"
        "  Interface    User               Mode         Idle     Peer Address\n\n"
    )


def allowed_vlans(node: Node) -> list[int]:
    for child in node.children:
        if child.text.startswith("switchport trunk allowed vlan "):
            return parse_vlan_list(child.text.rsplit(" ", 1)[1]) or []
    return []
