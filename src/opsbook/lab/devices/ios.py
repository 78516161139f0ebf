"""The Cisco IOS dialect: exec / enable / config modes and sub-modes, show commands, saving.

Modes and prompts: ``host>`` (user exec), ``host#`` (privileged exec), ``host(config)#`` and
sub-modes named after the block being edited (``config-if``, ``config-line``,
``config-router``, ``config-ext-nacl``, ``config-vlan`` …). A line a sub-mode does not know
falls through to the enclosing mode, as on a real device (``interface Gi1/0/2`` typed inside
``interface Gi1/0/1`` moves to the new interface; ``hostname x`` returns to global config).
"""

from __future__ import annotations

import re
from functools import partial
from typing import ClassVar

from opsbook.lab.devices import acl_seq
from opsbook.lab.devices import ios_show as show
from opsbook.lab.devices.auth import ios_enable_ok
from opsbook.lab.devices.clockfmt import ios_log_stamp
from opsbook.lab.devices.config import Node, parse_config
from opsbook.lab.devices.device import DeviceState, LinkState
from opsbook.lab.devices.editing import (
    format_vlan_list,
    open_block,
    parse_vlan_list,
    remove_line,
    set_banner,
    set_line,
)
from opsbook.lab.devices.grammar import Grammar, Match, ParseError, caret_line, tokenize
from opsbook.lab.devices.interfaces import is_logical, normalize_interface
from opsbook.lab.devices.passwords import derive_salt, type7_encode
from opsbook.lab.devices.pipes import PipeError, apply_filters, split_pipes
from opsbook.lab.devices.session import CliSession, Reply
from opsbook.network.secrets import md5_crypt

_NO_ARCHIVE = "%Error: Rollback Confirmed Change needs the archive feature: configure 'archive' and 'path'\n"
_ALREADY_PENDING = (
    "%Error: Rollback Confirmed Change already pending: 'configure confirm' or 'configure revert now' first\n"
)


def _iface(name: str) -> str | None:
    return normalize_interface(name, "cisco_ios")


_EXEC_USER = [
    ("enable", "enable"),
    ("enable <int>", "enable"),
    ("exit", "exit"),
    ("logout", "exit"),
    ("quit", "exit"),
    ("terminal length <int>", "term_length"),
    ("terminal width <int>", "term_width"),
    ("terminal monitor", "noop"),
    ("terminal no monitor", "noop"),
    ("show version", "show_version"),
    ("show clock", "show_clock"),
    ("show clock detail", "show_clock"),
    ("show privilege", "show_privilege"),
    ("show users", "show_users"),
    ("show inventory", "show_inventory"),
    ("show vlan", "show_vlan"),
    ("show vlan brief", "show_vlan_brief"),
    ("show ip interface brief", "show_ip_int_brief"),
    ("show ip interface", "show_ip_int"),
    ("show ipv6 interface", "noop"),
    ("show ipv6 interface brief", "noop"),
    ("show lldp", "lldp_off"),
    ("show lldp neighbors <rest?>", "lldp_off"),
    ("show cdp", "cdp_off"),
    ("show cdp neighbors <rest?>", "cdp_off"),
    ("show interfaces", "show_interfaces"),
    ("show interfaces <iface>", "show_interface"),
    ("show interfaces status", "show_int_status"),
    ("show interfaces description", "show_int_desc"),
    ("show history", "noop"),
    ("ping <rest>", "ping"),
]
_EXEC_PRIV = [
    *_EXEC_USER,
    ("disable", "disable"),
    ("show running-config", "show_run"),
    ("show running-config all", "show_run"),
    ("show running-config full", "show_run"),
    ("show running-config interface <iface>", "show_run_int"),
    ("show startup-config", "show_start"),
    ("show logging", "show_logging"),
    ("show archive", "show_archive"),
    ("show archive config rollback timer", "show_rollback"),
    ("show access-lists", "show_acl"),
    ("show ip access-lists", "show_acl"),
    ("show memory statistics", "show_memory"),
    ("show processes cpu", "show_cpu"),
    ("show processes cpu sorted", "show_cpu"),
    ("dir", "dir"),
    ("dir <word>", "dir"),
    ("configure", "configure_ask"),
    ("configure terminal", "configure"),
    ("configure terminal revert timer <int>", "configure_revert"),
    ("configure confirm", "confirm"),
    ("configure revert now", "revert_now"),
    ("configure revert timer <int>", "revert_reset"),
    ("copy running-config startup-config", "copy_run_start"),
    ("copy startup-config running-config", "copy_start_run"),
    ("copy <word> <word>", "copy_other"),
    ("write", "write"),
    ("write memory", "write"),
    ("write terminal", "show_run"),
    ("write erase", "write_erase"),
    ("reload", "reload"),
    ("clear logging", "clear_logging"),
]

_COMMON = [("exit", "exit"), ("end", "end"), ("do <rest>", "do")]

_GLOBAL = [
    *_COMMON,
    ("hostname <word>", "line"),
    ("interface <iface>", "interface"),
    ("vlan <int>", "vlan"),
    ("default interface <iface>", "default_interface"),
    ("ip access-list standard <word>", "block"),
    ("ip access-list extended <word>", "block"),
    ("ip access-list resequence <word> <int> <int>", "acl_resequence"),
    ("ip route <rest>", "line"),
    ("ip domain-name <word>", "line"),
    ("ip domain name <word>", "line"),
    ("ip domain-lookup", "line"),
    ("ip domain lookup", "line"),
    ("ip name-server <rest>", "line"),
    ("ip default-gateway <word>", "line"),
    ("ip ssh <rest>", "line"),
    ("ip http server", "line"),
    ("ip http secure-server", "line"),
    ("ip http <rest>", "line"),
    ("ip routing", "line"),
    ("ip cef", "line"),
    ("ip forward-protocol <rest>", "line"),
    ("ip scp server enable", "line"),
    ("ip dhcp <rest>", "line"),
    ("ip tacacs <rest>", "line"),
    ("ip radius <rest>", "line"),
    ("ip prefix-list <rest>", "line"),
    ("ip multicast-routing <rest?>", "line"),
    ("ip igmp <rest>", "line"),
    ("ip source-route", "line"),
    ("ip classless", "line"),
    ("ip subnet-zero", "line"),
    ("ip nat <rest>", "line"),
    ("ip arp <rest>", "line"),
    ("ip device <rest>", "line"),
    ("ipv6 <rest>", "line"),
    ("username <word> <rest>", "username"),
    ("enable secret <rest>", "enable_secret"),
    ("enable password <rest>", "enable_password"),
    ("service <rest>", "line"),
    ("logging <rest>", "line"),
    ("snmp-server <rest>", "line"),
    ("ntp server <rest>", "line"),
    ("ntp <rest>", "line"),
    ("clock timezone <rest>", "line"),
    ("clock summer-time <rest>", "line"),
    ("banner motd <rest>", "banner"),
    ("banner login <rest>", "banner"),
    ("banner exec <rest>", "banner"),
    ("banner incoming <rest>", "banner"),
    ("line con <int>", "block"),
    ("line console <int>", "line_con"),
    ("line vty <int> <int>", "block"),
    ("line vty <int>", "block"),
    ("line aux <int>", "block"),
    ("router ospf <int>", "block"),
    ("router bgp <int>", "block"),
    ("router eigrp <rest>", "block"),
    ("router rip", "block"),
    ("aaa new-model", "line"),
    ("aaa authentication <rest>", "line"),
    ("aaa authorization <rest>", "line"),
    ("aaa accounting <rest>", "line"),
    ("aaa session-id <rest>", "line"),
    ("aaa group server <word> <word>", "block"),
    ("archive", "block"),
    ("spanning-tree <rest>", "line"),
    ("access-list <int> <rest>", "line"),
    ("boot-start-marker", "line"),
    ("boot-end-marker", "line"),
    ("boot <rest>", "line"),
    ("version <word>", "line"),
    ("vtp <rest>", "line"),
    ("errdisable <rest>", "line"),
    ("cdp <rest>", "line"),
    ("lldp <rest>", "line"),
    ("system <rest>", "line"),
    ("crypto <rest>", "line"),
    ("class-map <rest>", "block"),
    ("policy-map <word>", "block"),
    ("route-map <rest>", "block"),
    ("key chain <word>", "block"),
    ("tacacs server <word>", "block"),
    ("radius server <word>", "block"),
    ("tacacs-server <rest>", "line"),
    ("radius-server <rest>", "line"),
    ("mac address-table <rest>", "line"),
    ("port-channel <rest>", "line"),
    ("udld <rest>", "line"),
    ("vrf definition <word>", "block"),
    ("alias <rest>", "line"),
    ("control-plane", "block"),
    ("license <rest>", "line"),
    ("login <rest>", "line"),
    ("file prompt <rest>", "line"),
    ("archive", "block"),
]

_IF = [
    *_COMMON,
    ("description <rest>", "line"),
    ("ip address <rest>", "line"),
    ("ip access-group <word> in", "line"),
    ("ip access-group <word> out", "line"),
    ("ip helper-address <word>", "line"),
    ("ip ospf <rest>", "line"),
    ("ip nat <rest>", "line"),
    ("ip proxy-arp", "line"),
    ("ip redirects", "line"),
    ("ip unreachables", "line"),
    ("ip mtu <int>", "line"),
    ("ip dhcp <rest>", "line"),
    ("ip verify <rest>", "line"),
    ("ip pim <rest>", "line"),
    ("ip igmp <rest>", "line"),
    ("ip vrf <rest>", "line"),
    ("ip policy <rest>", "line"),
    ("ip flow <rest>", "line"),
    ("ip tcp <rest>", "line"),
    ("ip directed-broadcast", "line"),
    ("ipv6 <rest>", "line"),
    ("shutdown", "line"),
    ("switchport", "line"),
    ("switchport mode <word>", "line"),
    ("switchport access vlan <int>", "line"),
    ("switchport trunk native vlan <int>", "line"),
    ("switchport trunk allowed vlan <rest>", "allowed_vlan"),
    ("switchport trunk encapsulation <word>", "line"),
    ("switchport nonegotiate", "line"),
    ("switchport voice vlan <int>", "line"),
    ("switchport port-security <rest?>", "line"),
    ("speed <word>", "line"),
    ("duplex <word>", "line"),
    ("mtu <int>", "line"),
    ("bandwidth <int>", "line"),
    ("channel-group <int> mode <word>", "line"),
    ("spanning-tree <rest>", "line"),
    ("standby <rest>", "line"),
    ("vrrp <rest>", "line"),
    ("encapsulation <rest>", "line"),
    ("service-policy <rest>", "line"),
    ("load-interval <int>", "line"),
    ("negotiation auto", "line"),
    ("cdp enable", "line"),
    ("lldp <rest>", "line"),
    ("storm-control <rest>", "line"),
    ("power inline <rest>", "line"),
    ("logging event <rest>", "line"),
    ("media-type <word>", "line"),
    ("keepalive <rest?>", "line"),
    ("delay <int>", "line"),
    ("carrier-delay <rest>", "line"),
    ("vrf forwarding <word>", "line"),
    ("tunnel <rest>", "line"),
    ("snmp trap <rest>", "line"),
    ("udld <rest>", "line"),
    ("authentication <rest>", "line"),
    ("dot1x <rest>", "line"),
    ("mab", "line"),
    ("flowcontrol <rest>", "line"),
    ("mls <rest>", "line"),
    ("auto qos <rest>", "line"),
    ("srr-queue <rest>", "line"),
    ("priority-queue out", "line"),
    ("mop enabled", "line"),
]
_LINE = [
    *_COMMON,
    ("exec-timeout <int> <int>", "line"),
    ("exec-timeout <int>", "line"),
    ("login <rest?>", "line"),
    ("password <rest>", "line_password"),
    ("transport input <rest>", "line"),
    ("transport output <rest>", "line"),
    ("transport preferred <word>", "line"),
    ("access-class <word> in <rest?>", "line"),
    ("access-class <word> out", "line"),
    ("ipv6 access-class <rest>", "line"),
    ("logging synchronous <rest?>", "line"),
    ("privilege level <int>", "line"),
    ("length <int>", "line"),
    ("width <int>", "line"),
    ("session-timeout <int>", "line"),
    ("stopbits <int>", "line"),
    ("exec", "line"),
    ("history <rest>", "line"),
]
_ACL = [
    *_COMMON,
    ("permit <rest>", "acl"),
    ("deny <rest>", "acl"),
    ("remark <rest>", "acl"),
    ("<int> permit <rest>", "acl"),
    ("<int> deny <rest>", "acl"),
    ("<int> remark <rest>", "acl"),
    ("<int>", "acl"),
]
_VLAN = [*_COMMON, ("name <word>", "line"), ("state <word>", "line"), ("shutdown", "line")]
_ROUTER = [
    *_COMMON,
    ("network <rest>", "line"),
    ("router-id <word>", "line"),
    ("neighbor <rest>", "line"),
    ("passive-interface <rest>", "line"),
    ("redistribute <rest>", "line"),
    ("default-information <rest>", "line"),
    ("address-family <rest>", "block"),
    ("bgp <rest>", "line"),
    ("timers <rest>", "line"),
    ("area <rest>", "line"),
    ("log-adjacency-changes <rest?>", "line"),
    ("maximum-paths <int>", "line"),
    ("distance <rest>", "line"),
    ("auto-summary", "line"),
    ("version <int>", "line"),
    ("default-metric <rest>", "line"),
    ("summary-address <rest>", "line"),
]
_AF = [
    *_COMMON,
    ("neighbor <rest>", "line"),
    ("network <rest>", "line"),
    ("redistribute <rest>", "line"),
    ("maximum-paths <rest>", "line"),
    ("aggregate-address <rest>", "line"),
    ("exit-address-family", "exit"),
]
_ARCHIVE = [
    *_COMMON,
    ("path <rest>", "line"),
    ("maximum <int>", "line"),
    ("write-memory", "line"),
    ("time-period <int>", "line"),
    ("log <rest>", "line"),
]

_MODES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^interface \S+\.\d+"), "config-subif"),
    (re.compile(r"^interface "), "config-if"),
    (re.compile(r"^line "), "config-line"),
    (re.compile(r"^router "), "config-router"),
    (re.compile(r"^address-family "), "config-router-af"),
    (re.compile(r"^ip access-list standard "), "config-std-nacl"),
    (re.compile(r"^ip access-list extended "), "config-ext-nacl"),
    (re.compile(r"^vlan \d+$"), "config-vlan"),
    (re.compile(r"^archive$"), "config-archive"),
    (re.compile(r"^class-map "), "config-cmap"),
    (re.compile(r"^policy-map "), "config-pmap"),
    (re.compile(r"^class "), "config-pmap-c"),
    (re.compile(r"^route-map "), "config-route-map"),
    (re.compile(r"^key chain "), "config-keychain"),
    (re.compile(r"^aaa group server tacacs\+ "), "config-sg-tacacs+"),
    (re.compile(r"^aaa group server radius "), "config-sg-radius"),
    (re.compile(r"^tacacs server "), "config-server-tacacs"),
    (re.compile(r"^radius server "), "config-radius-server"),
    (re.compile(r"^vrf definition "), "config-vrf"),
    (re.compile(r"^control-plane$"), "config-cp"),
]


def mode_name(block: str) -> str:
    for pattern, name in _MODES:
        if pattern.match(block):
            return name
    return "config-" + block.split(maxsplit=1)[0]


class _Grammars:
    exec_user = Grammar(_EXEC_USER, _iface)
    exec_priv = Grammar(_EXEC_PRIV, _iface)
    config = Grammar(_GLOBAL, _iface)
    by_mode: ClassVar[dict[str, Grammar]] = {
        "config-if": Grammar(_IF, _iface),
        "config-subif": Grammar(_IF, _iface),
        "config-line": Grammar(_LINE, _iface),
        "config-std-nacl": Grammar(_ACL, _iface),
        "config-ext-nacl": Grammar(_ACL, _iface),
        "config-vlan": Grammar(_VLAN, _iface),
        "config-router": Grammar(_ROUTER, _iface),
        "config-router-af": Grammar(_AF, _iface),
        "config-archive": Grammar(_ARCHIVE, _iface),
    }
    generic = Grammar([*_COMMON, ("<rest>", "line")], _iface)


class IosSession(CliSession):
    platform = "cisco_ios"

    def __init__(self, device: DeviceState, user: str, peer: str = "127.0.0.1", privilege: int = 15) -> None:
        super().__init__(device, user, peer)
        self.privilege = privilege
        self.enabled = privilege >= 15
        self.configuring = False
        self.path: list[str] = []
        self.term_length = 24
        self.term_width = 80
        self._changed_in_config = False

    # --- prompts and banners ----------------------------------------------------------------
    def prompt(self) -> str:
        host = self.device.hostname()
        if self.configuring:
            name = mode_name(self.path[-1]) if self.path else "config"
            return f"{host[:20]}({name})#"
        return f"{host}{'#' if self.enabled else '>'}"

    def login_banner(self) -> str:
        node = self.device.running.child("banner motd ^C")
        if node is None or node.body is None:
            return "\n"
        return "\n" + "\n".join(node.body) + "\n\n"

    def rejected(self, line: str) -> Reply:
        return Reply(output="Command authorization failed.\n")

    # --- errors -------------------------------------------------------------------------------
    def error(self, err: ParseError, line: str, offset: int = 0) -> Reply:
        if err.kind == "incomplete":
            return Reply(output="% Incomplete command.\n\n")
        if err.kind == "ambiguous":
            return Reply(output=f'% Ambiguous command:  "{line.strip()}"\n')
        return self.invalid(err.position + offset)

    def invalid(self, position: int) -> Reply:
        return Reply(
            output=f"{caret_line(self.prompt(), position)}\n% Invalid input detected at '^' marker.\n\n"
        )

    # --- dispatch -----------------------------------------------------------------------------
    def execute(self, line: str) -> Reply:
        if not line.strip():
            return Reply()
        if line.strip() == "\x1a" and self.configuring:  # Ctrl-Z
            return self._leave_config()
        if self.configuring:
            return self._config(line)
        return self._exec(line)

    def _exec(self, line: str) -> Reply:
        try:
            command, filters = split_pipes(line, "cisco_ios")
        except PipeError as exc:
            return self.invalid(exc.offset)
        grammar = _Grammars.exec_priv if self.enabled else _Grammars.exec_user
        match = grammar.match(command)
        if isinstance(match, ParseError):
            return self.error(match, command)
        reply = getattr(self, f"_x_{match.action}")(match)
        assert isinstance(reply, Reply)
        if filters and reply.output:
            reply.output = apply_filters(reply.output, filters)
        return reply

    # --- exec commands ------------------------------------------------------------------------
    def _x_noop(self, m: Match) -> Reply:
        return Reply()

    def _x_enable(self, m: Match) -> Reply:
        if self.enabled:
            return Reply()
        state = ios_enable_ok(self.device.running, "")
        if state is None:
            return Reply(output="% No password set\n")
        return self.ask("Password: ", self._enable_password, hide=True)

    def _enable_password(self, password: str) -> Reply:
        if ios_enable_ok(self.device.running, password):
            self.enabled = True
            return Reply()
        return Reply(output="% Bad secrets\n\n")

    def _x_disable(self, m: Match) -> Reply:
        self.enabled = False
        return Reply()

    def _x_exit(self, m: Match) -> Reply:
        return Reply(close=True)

    def _x_term_length(self, m: Match) -> Reply:
        self.term_length = int(m.args[0])
        return Reply()

    def _x_term_width(self, m: Match) -> Reply:
        self.term_width = int(m.args[0])
        return Reply()

    def _x_show_version(self, m: Match) -> Reply:
        return Reply(output=show.show_version(self.device))

    def _x_show_clock(self, m: Match) -> Reply:
        return Reply(output=show.show_clock(self.device))

    def _x_show_privilege(self, m: Match) -> Reply:
        level = 15 if self.enabled else self.privilege
        return Reply(output=f"Current privilege level is {level}\n")

    def _x_show_users(self, m: Match) -> Reply:
        return Reply(output=show.show_users(self.device, self.user, self.peer))

    def _x_show_inventory(self, m: Match) -> Reply:
        return Reply(output=show.show_inventory(self.device))

    def _x_show_vlan(self, m: Match) -> Reply:
        if self.device.hw.role != "switch":
            return self.invalid(len(m.words[0]) + 1)
        return Reply(output=show.show_vlan(self.device, brief=False))

    def _x_show_vlan_brief(self, m: Match) -> Reply:
        if self.device.hw.role != "switch":
            return self.invalid(len(m.words[0]) + 1)
        return Reply(output=show.show_vlan(self.device, brief=True))

    def _x_show_ip_int_brief(self, m: Match) -> Reply:
        return Reply(output=show.show_ip_interface_brief(self.device))

    def _x_show_ip_int(self, m: Match) -> Reply:
        return Reply(output=show.show_ip_interface(self.device))

    def _x_lldp_off(self, m: Match) -> Reply:
        return Reply(output="% LLDP is not enabled\n")

    def _x_cdp_off(self, m: Match) -> Reply:
        return Reply(output="% CDP is not enabled\n")

    def _x_show_interfaces(self, m: Match) -> Reply:
        out = "".join(show.show_interface(self.device, n, node) for n, node in self.device.interfaces())
        return Reply(output=out)

    def _x_show_interface(self, m: Match) -> Reply:
        name = m.args[0]
        node = self.device.interface_node(name)
        if node is None:
            return self.invalid(len("show interfaces "))
        return Reply(output=show.show_interface(self.device, name, node))

    def _x_show_int_status(self, m: Match) -> Reply:
        return Reply(output=show.show_interfaces_status(self.device))

    def _x_show_int_desc(self, m: Match) -> Reply:
        return Reply(output=show.show_interfaces_description(self.device))

    def _x_ping(self, m: Match) -> Reply:
        target = m.args[0].split()[0]
        return Reply(
            output=(
                "Type escape sequence to abort.\n"
                f"Sending 5, 100-byte ICMP Echos to {target}, timeout is 2 seconds:\n"
                "!!!!!\n"
                "Success rate is 100 percent (5/5), round-trip min/avg/max = 1/1/2 ms\n"
            )
        )

    def _x_show_run(self, m: Match) -> Reply:
        return Reply(output=show.show_running_config(self.device))

    def _x_show_run_int(self, m: Match) -> Reply:
        node = self.device.interface_node(m.args[0])
        if node is None:
            return self.invalid(len("show running-config interface "))
        return Reply(output=show.show_running_interface(self.device, node))

    def _x_show_start(self, m: Match) -> Reply:
        return Reply(output=show.show_startup_config(self.device))

    def _x_show_logging(self, m: Match) -> Reply:
        return Reply(output=show.show_logging(self.device))

    def _x_show_archive(self, m: Match) -> Reply:
        return Reply(output=show.show_archive(self.device))

    def _x_show_rollback(self, m: Match) -> Reply:
        return Reply(output=show.show_rollback_timer(self.device))

    def _x_show_acl(self, m: Match) -> Reply:
        return Reply(output=show.show_access_lists(self.device))

    def _x_show_memory(self, m: Match) -> Reply:
        return Reply(output=show.show_memory_statistics(self.device))

    def _x_show_cpu(self, m: Match) -> Reply:
        return Reply(output=show.show_processes_cpu(self.device))

    def _x_dir(self, m: Match) -> Reply:
        return Reply(output=show.show_dir(self.device))

    def _x_clear_logging(self, m: Match) -> Reply:
        return self.ask("Clear logging buffer [confirm]", self._clear_logging_confirm)

    def _clear_logging_confirm(self, answer: str) -> Reply:
        if answer.strip().lower() in ("", "y", "yes"):
            self.device.log.clear()
            self.device.generation += 1
        return Reply()

    def _x_configure_ask(self, m: Match) -> Reply:
        return self.ask("Configuring from terminal, memory, or network [terminal]? ", self._configure_answer)

    def _configure_answer(self, answer: str) -> Reply:
        if answer.strip().lower() in ("", "t", "te", "ter", "term", "terminal"):
            return self._enter_config()
        return Reply(output='?Must be "terminal", "memory" or "network"\n')

    def _x_configure(self, m: Match) -> Reply:
        return self._enter_config()

    def _enter_config(self, prefix: str = "") -> Reply:
        self.configuring = True
        self.path = []
        self._changed_in_config = False
        return Reply(output=prefix + "Enter configuration commands, one per line.  End with CNTL/Z.\n")

    def _archive_path(self) -> str | None:
        archive = self.device.running.child("archive")
        if archive is None:
            return None
        return next((c.text[5:] for c in archive.children if c.text.startswith("path ")), None)

    def _x_configure_revert(self, m: Match) -> Reply:
        minutes = int(m.args[0])
        if not 1 <= minutes <= 120:
            return self.invalid(len("configure terminal revert timer "))
        path = self._archive_path()
        if path is None:
            return Reply(output=_NO_ARCHIVE)
        if self.device.revert is not None:
            return Reply(output=_ALREADY_PENDING)
        self.device.arm_revert(minutes, self.user)
        stamp = ios_log_stamp(self.device.now()).replace(" ", "-").replace(":", "-")
        return self._enter_config(
            f"Rollback Confirmed Change: Backing up current running config to {path}-{stamp}-0\n\n"
        )

    def _x_confirm(self, m: Match) -> Reply:
        if not self.device.confirm():
            return Reply(output="% No Rollback Confirmed Change pending\n")
        self.device.add_log(
            "%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_CONFIRM: User: "
            + self.user
            + ": Confirm the configuration change"
        )
        return Reply()

    def _x_revert_now(self, m: Match) -> Reply:
        if not self.device.revert_now():
            return Reply(output="% No Rollback Confirmed Change pending\n")
        self.log_rollback()
        return Reply(
            output="Rollback Confirmed Change: Rolling back to the configuration before the change\n"
        )

    def _x_revert_reset(self, m: Match) -> Reply:
        if self.device.revert is None:
            return Reply(output="% No Rollback Confirmed Change pending\n")
        self.device.reset_revert(int(m.args[0]))
        return Reply()

    def log_rollback(self) -> None:
        log_rollback(self.device)

    def _x_copy_run_start(self, m: Match) -> Reply:
        return self.ask("Destination filename [startup-config]? ", self._copy_run_start_answer)

    def _copy_run_start_answer(self, answer: str) -> Reply:
        if answer.strip() not in ("", "startup-config", "nvram:startup-config"):
            return Reply(output=f"%Error opening nvram:{answer.strip()} (Permission denied)\n")
        return self._save()

    def _save(self) -> Reply:
        self.device.save(self.user)
        return Reply(output="Building configuration...\n[OK]\n")

    def _x_write(self, m: Match) -> Reply:
        return self._save()

    def _x_write_erase(self, m: Match) -> Reply:
        return Reply(output="%Error: write erase is disabled on this lab device\n")

    def _x_copy_start_run(self, m: Match) -> Reply:
        return self.ask("Destination filename [running-config]? ", self._copy_start_run_answer)

    def _copy_start_run_answer(self, answer: str) -> Reply:
        if answer.strip() not in ("", "running-config", "system:running-config"):
            return Reply(output=f"%Error opening system:{answer.strip()} (Permission denied)\n")
        merge_config(self.device.running, self.device.startup, "cisco_ios")
        self.device.changed(self.user)
        size = len(show.show_startup_config(self.device))
        return Reply(output=f"\n{size} bytes copied in 0.120 secs ({size * 8} bytes/sec)\n")

    def _x_copy_other(self, m: Match) -> Reply:
        return Reply(output=f"%Error opening {m.args[0]} (No such file or directory)\n")

    def _x_reload(self, m: Match) -> Reply:
        if self.device.running.lines() != self.device.startup.lines():
            return self.ask("System configuration has been modified. Save? [yes/no]: ", self._reload_save)
        return self.ask("Proceed with reload? [confirm]", self._reload_confirm)

    def _reload_save(self, answer: str) -> Reply:
        word = answer.strip().lower()
        if word in ("y", "yes"):
            self.device.save(self.user)
        elif word not in ("n", "no"):
            return Reply(output="% Please answer 'yes' or 'no'.\n")
        return self.ask("Proceed with reload? [confirm]", self._reload_confirm)

    def _reload_confirm(self, answer: str) -> Reply:
        if answer.strip().lower() not in ("", "y", "yes"):
            return Reply()
        dev = self.device
        dev.running = dev.startup.copy()
        dev.revert = None
        dev.booted_at = dev.now()
        dev.changed(self.user)
        dev.add_log(
            "%SYS-5-RELOAD: Reload requested by " + self.user + " on vty0. Reload Reason: Reload Command."
        )
        return Reply(output="\nConnection closed by foreign host.\n", close=True)

    # --- configuration mode -------------------------------------------------------------------
    def _leave_config(self) -> Reply:
        self.configuring = False
        self.path = []
        self.device.add_log(f"%SYS-5-CONFIG_I: Configured from console by {self.user} on vty0 ({self.peer})")
        return Reply()

    def _grammar_for(self, path: list[str]) -> Grammar | None:
        if not path:
            return _Grammars.config
        return _Grammars.by_mode.get(mode_name(path[-1]))

    def _config(self, line: str) -> Reply:
        tokens = tokenize(line)
        negate = False
        body = line
        offset = 0
        first = tokens[0].text.lower()
        if first == "no":
            if len(tokens) == 1:
                return Reply(output="% Incomplete command.\n\n")
            negate = True
            offset = tokens[1].start
            body = line[offset:]
        first_error: ParseError | None = None
        for level in range(len(self.path), -1, -1):
            grammar = self._grammar_for(self.path[:level])
            if grammar is None:
                # A sub-mode without a grammar takes any line the global mode does not know.
                if isinstance(_Grammars.config.match(body), Match):
                    continue
                grammar = _Grammars.generic
            if negate:
                grammar = grammar.negated()
            match = grammar.match(body)
            if isinstance(match, Match):
                depth = level
                if level < len(self.path) and match.action in ("exit", "end", "do"):
                    match = _Grammars.generic.match(body)
                    assert isinstance(match, Match)
                    depth = len(self.path)
                self.path = self.path[:depth]
                return self.track_links(partial(self._apply, match, negate, offset))
            if first_error is None:
                first_error = match
        assert first_error is not None
        return self.error(first_error, body, offset)

    def _parent(self) -> Node:
        node = self.device.running
        for text in self.path:
            node, _ = open_block(node, text, "cisco_ios")
        return node

    def _apply(self, m: Match, negate: bool, offset: int) -> Reply:
        action = m.action
        if action == "exit":
            if self.path:
                self.path.pop()
                return Reply()
            return self._leave_config()
        if action == "end":
            return self._leave_config()
        if action == "do":
            saved = self.configuring
            self.configuring = False
            reply = self._exec(m.args[0])
            self.configuring = saved
            return reply
        parent = self._parent()
        text = m.text
        changed = False
        if action == "line_con":
            text = f"line con {m.args[0]}"
            action = "block"
        if negate:
            if action == "interface":
                name = m.args[0]
                if not is_logical(name, "cisco_ios"):
                    return Reply(output="% Removal of physical interfaces is not permitted\n")
            if action == "vlan" and m.args[0] == "1":
                return Reply(output="%Default VLAN 1 may not be deleted.\n")
            if action == "banner":
                text = f"banner {m.words[1]}"
            if action == "allowed_vlan":
                text = "switchport trunk allowed vlan"
            if action == "acl":
                changed = acl_seq.remove(parent, text)
            else:
                changed = remove_line(parent, text, "cisco_ios")
        elif action == "interface":
            name = m.args[0]
            exists = self.device.interface_node(name) is not None
            if not exists and not is_logical(name, "cisco_ios"):
                return self.invalid(offset + len(tokenize(m.words[0])[0].text) + 1)
            _, changed = open_block(parent, text, "cisco_ios")
            self.path.append(text)
        elif action == "vlan":
            if self.device.hw.role != "switch":
                return self.invalid(offset)
            _, changed = open_block(parent, text, "cisco_ios")
            self.path.append(text)
        elif action == "block":
            _, changed = open_block(parent, text, "cisco_ios")
            self.path.append(text)
        elif action == "default_interface":
            node = self.device.interface_node(m.args[0])
            if node is None:
                return self.invalid(offset + len("default interface "))
            changed = bool(node.children)
            node.children.clear()
            self.device.add_log(f"%SYS-5-CONFIG_I: Interface {m.args[0]} set to default configuration")
        elif action == "banner":
            return self._banner(m.words[1], m.args[0])
        elif action == "acl":
            added = acl_seq.add(parent, text)
            if isinstance(added, str):
                return Reply(output=added)
            changed = added
        elif action == "acl_resequence":
            start, step = int(m.args[1]), int(m.args[2])
            changed = acl_seq.resequence(self.device.running, m.args[0], start, step)
        elif action == "allowed_vlan":
            result = self._allowed_vlan(parent, m.args[0])
            if isinstance(result, Reply):
                return result
            changed = result
        elif action == "username":
            changed = set_line(parent, self._hash_username(text), "cisco_ios")
        elif action == "enable_secret":
            changed = set_line(parent, self._hash_enable(m.args[0]), "cisco_ios")
        elif action == "enable_password":
            changed = set_line(parent, self._encrypt_password("enable password", m.args[0]), "cisco_ios")
        elif action == "line_password":
            changed = set_line(parent, self._encrypt_password("password", m.args[0]), "cisco_ios")
        else:
            changed = set_line(parent, text, "cisco_ios")
        if changed:
            self.device.changed(self.user)
        return Reply()

    def _service_encryption(self) -> bool:
        return self.device.running.child("service password-encryption") is not None

    def _encrypt_password(self, prefix: str, value: str) -> str:
        match = re.match(r"^(?:(\d) )?(\S+)$", value)
        if match and match[1] in (None, "0") and self._service_encryption():
            return f"{prefix} 7 {type7_encode(match[2], len(match[2]))}"
        return f"{prefix} {value}"

    def _hash_enable(self, value: str) -> str:
        match = re.match(r"^(?:(\d) )?(\S+)$", value)
        if match and match[1] in (None, "0"):
            salt = derive_salt(f"{self.device.spec.name}/enable/{match[2]}")
            return f"enable secret 5 {md5_crypt(match[2], salt)}"
        return f"enable secret {value}"

    def _hash_username(self, text: str) -> str:
        match = re.match(r"^(username \S+.*? secret) (?:(\d) )?(\S+)$", text)
        if match:
            if match[2] not in (None, "0"):
                return text
            salt = derive_salt(f"{self.device.spec.name}/{text.split()[1]}/{match[3]}")
            return f"{match[1]} 5 {md5_crypt(match[3], salt)}"
        match = re.match(r"^(username \S+.*? password) (?:(\d) )?(\S+)$", text)
        if match and match[2] in (None, "0"):
            return self._encrypt_password(match[1], match[3])
        return text

    def _allowed_vlan(self, parent: Node, spec: str) -> Reply | bool:
        words = spec.split()
        current_line = next(
            (c for c in parent.children if c.text.startswith("switchport trunk allowed vlan ")), None
        )
        current = (
            parse_vlan_list(current_line.text.rsplit(" ", 1)[1]) if current_line else list(range(1, 4095))
        )
        current = current or []
        if words[0] in ("add", "remove", "except") and len(words) == 2:
            vlans = parse_vlan_list(words[1])
            if vlans is None:
                return self.invalid(len("switchport trunk allowed vlan ") + len(words[0]) + 1)
            if words[0] == "add":
                result = sorted(set(current) | set(vlans))
            elif words[0] == "remove":
                result = sorted(set(current) - set(vlans))
            else:
                result = sorted(set(range(1, 4095)) - set(vlans))
        elif words == ["all"]:
            return remove_line(parent, "switchport trunk allowed vlan", "cisco_ios")
        elif words == ["none"]:
            return set_line(parent, "switchport trunk allowed vlan none", "cisco_ios")
        else:
            parsed = parse_vlan_list(spec)
            if parsed is None:
                return self.invalid(len("switchport trunk allowed vlan "))
            result = parsed
        return set_line(
            parent, "switchport trunk allowed vlan " + format_vlan_list(result, "cisco_ios"), "cisco_ios"
        )

    def _banner(self, kind: str, rest: str) -> Reply:
        delim = "^C" if rest.startswith("^C") else rest[0]
        after = rest[len(delim) :]
        if delim in after:
            body = [after.split(delim, 1)[0]]
            if set_banner(self._parent(), kind, body):
                self.device.changed(self.user)
            return Reply()
        collected: list[str] = [after] if after.strip() else []

        def more(line: str) -> Reply:
            if delim in line:
                before = line.split(delim, 1)[0]
                if before:
                    collected.append(before)
                if set_banner(self.device.running, kind, collected):
                    self.device.changed(self.user)
                return Reply()
            collected.append(line)
            return self.ask("", more)

        return self.ask("", more, output=f"Enter TEXT message.  End with the character '{delim}'.\n")

    def log_link(self, name: str, old: LinkState, new: LinkState) -> None:
        log_link(self.device, name, old, new)


def log_rollback(dev: DeviceState) -> None:
    dev.add_log(
        "%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_ROLLBACK: Rollback Confirmed Change: "
        "rolled back to the configuration saved when the revert timer was started"
    )


def log_link(dev: DeviceState, name: str, old: LinkState, new: LinkState) -> None:
    """IOS messages for an interface whose state changed."""
    if new.status == "administratively down":
        dev.add_log(f"%LINK-5-CHANGED: Interface {name}, changed state to administratively down")
    elif new.status != old.status:
        dev.add_log(f"%LINK-3-UPDOWN: Interface {name}, changed state to {new.status}")
    if new.protocol != old.protocol:
        dev.add_log(
            f"%LINEPROTO-5-UPDOWN: Line protocol on Interface {name}, changed state to {new.protocol}"
        )


def merge_config(target: Node, source: Node, platform: str) -> None:
    """``copy startup-config running-config``: apply every line of ``source`` onto ``target``."""
    for node in source.children:
        if node.body is not None:
            set_banner(target, node.text.split()[1], node.body)
        elif node.children:
            block, _ = open_block(target, node.text, platform)
            merge_config(block, node, platform)
        else:
            set_line(target, node.text, platform)


def load_text(text: str) -> Node:
    return parse_config(text, "cisco_ios")
