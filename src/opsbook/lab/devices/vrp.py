"""The Huawei VRP dialect: user view ``<host>``, system view ``[host]``, sub-views ``[host-…]``.

``display`` works in every view; ``system-view`` enters configuration, ``quit`` goes up one
view, ``return`` (or Ctrl+Z) goes back to the user view, ``undo`` removes, ``save`` asks
``Are you sure to continue?[Y/N]:``. Secrets are stored the way VRP shows them: local-user
passwords as ``irreversible-cipher``, SNMP communities as ``cipher %^%#…%^%#``.
"""

from __future__ import annotations

import re
from functools import partial
from typing import ClassVar

from opsbook.lab.devices import vrp_show as show
from opsbook.lab.devices.clockfmt import vrp_stamp
from opsbook.lab.devices.config import Node
from opsbook.lab.devices.device import DeviceState, LinkState
from opsbook.lab.devices.editing import format_vlan_list, open_block, parse_vlan_list, remove_line, set_line
from opsbook.lab.devices.grammar import Grammar, Match, ParseError, caret_line, tokenize
from opsbook.lab.devices.interfaces import is_logical, normalize_interface
from opsbook.lab.devices.passwords import derive_salt, vrp_cipher, vrp_irreversible
from opsbook.lab.devices.pipes import PipeError, apply_filters, split_pipes
from opsbook.lab.devices.session import CliSession, Reply


def _iface(name: str) -> str | None:
    return normalize_interface(name, "huawei_vrp")


_DISPLAY = [
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
_COMMON = [*_DISPLAY, ("quit", "quit"), ("return", "return")]
_USER = [
    *_COMMON,
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
_SYSTEM = [
    *_COMMON,
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
_INTERFACE = [
    *_COMMON,
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
_AAA = [
    *_COMMON,
    ("local-user <word> password <rest>", "local_user_password"),
    ("local-user <word> <rest>", "line"),
    ("authentication-scheme <word>", "line"),
    ("authorization-scheme <word>", "line"),
    ("accounting-scheme <word>", "line"),
    ("domain <word>", "line"),
]
_ACL = [
    *_COMMON,
    ("rule <int> <rest>", "rule"),
    ("rule <rest>", "rule"),
    ("description <rest>", "line"),
    ("step <int>", "line"),
]
_UI = [
    *_COMMON,
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
_VLAN = [*_COMMON, ("description <rest>", "line"), ("name <word>", "line")]
_OSPF = [
    *_COMMON,
    ("area <word>", "area"),
    ("import-route <rest>", "line"),
    ("default-route-advertise <rest?>", "line"),
    ("silent-interface <rest>", "line"),
]
_AREA = [*_COMMON, ("network <rest>", "line"), ("authentication-mode <rest>", "line")]
_BGP = [
    *_COMMON,
    ("peer <rest>", "line"),
    ("router-id <word>", "line"),
    ("ipv4-family <rest>", "block"),
    ("network <rest>", "line"),
    ("import-route <rest>", "line"),
]


class _Grammars:
    user = Grammar(_USER, _iface)
    system = Grammar(_SYSTEM, _iface)
    by_view: ClassVar[dict[str, Grammar]] = {
        "interface": Grammar(_INTERFACE, _iface),
        "aaa": Grammar(_AAA, _iface),
        "acl": Grammar(_ACL, _iface),
        "user-interface": Grammar(_UI, _iface),
        "vlan": Grammar(_VLAN, _iface),
        "ospf": Grammar(_OSPF, _iface),
        "area": Grammar(_AREA, _iface),
        "bgp": Grammar(_BGP, _iface),
    }
    generic = Grammar([*_COMMON, ("<rest>", "line")], _iface)


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


def _area_id(word: str) -> str:
    if word.isdigit():
        value = int(word)
        return ".".join(str((value >> s) & 0xFF) for s in (24, 16, 8, 0))
    return word


class VrpSession(CliSession):
    platform = "huawei_vrp"

    def __init__(self, device: DeviceState, user: str, peer: str = "127.0.0.1", privilege: int = 15) -> None:
        super().__init__(device, user, peer)
        self.privilege = privilege
        self.system = False
        self.path: list[str] = []

    def prompt(self) -> str:
        host = self.device.hostname()
        if not self.system:
            return f"<{host}>"
        if not self.path:
            return f"[{host}]"
        return f"[{host}-{view_suffix(self.path)}]"

    def login_banner(self) -> str:
        return (
            "\nInfo: The max number of VTY users is 10, and the number\n"
            "      of current VTY users on line is 1.\n"
            f"      The current login time is {vrp_stamp(self.device.now())}.\n"
        )

    def rejected(self, line: str) -> Reply:
        return Reply(output="Error: Failed to pass the authorization.\n")

    def error(self, err: ParseError, offset: int = 0) -> Reply:
        caret = caret_line(self.prompt(), err.position + offset)
        kind = {"incomplete": "Incomplete", "ambiguous": "Ambiguous"}.get(err.kind, "Unrecognized")
        return Reply(output=f"{caret}\nError: {kind} command found at '^' position.\n")

    def wrong(self, position: int) -> Reply:
        return Reply(
            output=f"{caret_line(self.prompt(), position)}\nError: Wrong parameter found at '^' position.\n"
        )

    # --- dispatch -------------------------------------------------------------------------------
    def execute(self, line: str) -> Reply:
        if not line.strip():
            return Reply()
        if line.strip() == "\x1a":
            return self._x_return(None)
        try:
            command, filters = split_pipes(line, "huawei_vrp")
        except PipeError as exc:
            return self.error(ParseError("invalid", exc.offset))
        tokens = tokenize(command)
        if tokens and "display".startswith(tokens[0].text.lower()) and len(tokens[0].text) >= 3:
            reply = self._run(Grammar(_DISPLAY, _iface), command)
        elif not self.system:
            reply = self._run(_Grammars.user, command)
        else:
            reply = self._config(command)
        if filters and reply.output:
            reply.output = apply_filters(reply.output, filters)
        return reply

    def _run(self, grammar: Grammar, command: str) -> Reply:
        match = grammar.match(command)
        if isinstance(match, ParseError):
            return self.error(match)
        reply = getattr(self, f"_x_{match.action}")(match)
        assert isinstance(reply, Reply)
        return reply

    # --- user view and display ------------------------------------------------------------------
    def _x_noop(self, m: Match | None) -> Reply:
        return Reply()

    def _x_quit(self, m: Match | None) -> Reply:
        if not self.system:
            return Reply(close=True)
        if self.path:
            self.path.pop()
        else:
            self.system = False
        return Reply()

    def _x_return(self, m: Match | None) -> Reply:
        if self.system:
            self.system = False
            self.path = []
        return Reply()

    def _x_system_view(self, m: Match) -> Reply:
        if self.privilege < 3:
            return self.error(ParseError("invalid", 0))
        self.system = True
        self.path = []
        return Reply(output="Enter system view, return user view with Ctrl+Z.\n")

    def _x_display_version(self, m: Match) -> Reply:
        return Reply(output=show.display_version(self.device))

    def _x_display_current(self, m: Match) -> Reply:
        return Reply(output=show.display_current(self.device))

    def _x_display_current_int(self, m: Match) -> Reply:
        node = self.device.interface_node(m.args[0])
        if node is None:
            return self.wrong(len("display current-configuration interface "))
        return Reply(output=show.display_block(node))

    def _x_display_saved(self, m: Match) -> Reply:
        return Reply(output=show.display_saved(self.device))

    def _x_display_startup(self, m: Match) -> Reply:
        return Reply(
            output=(
                "MainBoard:\n"
                "  Configured startup system software:        flash:/"
                + self.device.spec.version.lower()
                + ".cc\n"
                "  Startup system software:                   flash:/"
                + self.device.spec.version.lower()
                + ".cc\n"
                "  Next startup system software:              flash:/"
                + self.device.spec.version.lower()
                + ".cc\n"
                "  Startup saved-configuration file:          flash:/vrpcfg.zip\n"
                "  Next startup saved-configuration file:     flash:/vrpcfg.zip\n"
            )
        )

    def _x_display_this(self, m: Match) -> Reply:
        if self.system and self.path:
            node = self._parent()
            return Reply(output=show.display_block(node))
        return Reply(output=show.display_current(self.device))

    def _x_display_ip_int_brief(self, m: Match) -> Reply:
        return Reply(output=show.display_ip_interface_brief(self.device))

    def _x_display_int_brief(self, m: Match) -> Reply:
        return Reply(output=show.display_interface_brief(self.device))

    def _x_display_interfaces(self, m: Match) -> Reply:
        return Reply(
            output="\n".join(
                show.display_interface(self.device, n, node) for n, node in self.device.interfaces()
            )
        )

    def _x_display_interface(self, m: Match) -> Reply:
        node = self.device.interface_node(m.args[0])
        if node is None:
            return self.wrong(len("display interface "))
        return Reply(output=show.display_interface(self.device, m.args[0], node))

    def _x_display_vlan(self, m: Match) -> Reply:
        return Reply(output=show.display_vlan(self.device))

    def _x_display_clock(self, m: Match) -> Reply:
        return Reply(output=show.display_clock(self.device))

    def _x_display_users(self, m: Match) -> Reply:
        return Reply(output=show.display_users(self.device, self.user, self.peer))

    def _x_display_logbuffer(self, m: Match) -> Reply:
        return Reply(output=show.display_logbuffer(self.device))

    def _x_display_esn(self, m: Match) -> Reply:
        return Reply(output=show.display_esn(self.device))

    def _x_display_device(self, m: Match) -> Reply:
        return Reply(output=show.display_device(self.device))

    def _x_display_elabel(self, m: Match) -> Reply:
        return Reply(output=show.display_elabel(self.device))

    def _x_ping(self, m: Match) -> Reply:
        target = m.args[0].split()[-1]
        return Reply(
            output=(
                f"  PING {target}: 56  data bytes, press CTRL_C to break\n"
                + "".join(
                    f"    Reply from {target}: bytes=56 Sequence={i} ttl=255 time=1 ms\n" for i in range(1, 6)
                )
                + f"\n  --- {target} ping statistics ---\n"
                "    5 packet(s) transmitted\n    5 packet(s) received\n    0.00% packet loss\n"
                "    round-trip min/avg/max = 1/1/1 ms\n"
            )
        )

    def _x_save(self, m: Match) -> Reply:
        if self.privilege < 3:
            return self.error(ParseError("invalid", 0))
        return self.ask(
            "  Are you sure to continue?[Y/N]:",
            self._save_answer,
            output="The current configuration will be written to the device.\n",
        )

    def _save_answer(self, answer: str) -> Reply:
        word = answer.strip().lower()
        if word in ("y", "yes"):
            self.device.save(self.user)
            self.device.add_log(
                "%%01CFM/4/SAVE(s)[0]:The user chose Y when deciding whether to save the configuration "
                "to the device."
            )
            return Reply(
                output="  Now saving the current configuration to the slot 0.\n"
                "  Save the configuration successfully.\n"
            )
        if word in ("n", "no", ""):
            return Reply()
        return self.ask("  Please input Y or N:", self._save_answer)

    def _x_reboot(self, m: Match) -> Reply:
        return self.ask(
            "Info: The system is comparing the configuration, please wait.\n"
            "System will reboot! Continue ? [y/n]:",
            self._reboot_answer,
        )

    def _reboot_answer(self, answer: str) -> Reply:
        if answer.strip().lower() not in ("y", "yes"):
            return Reply(output="Info: Reboot cancelled.\n")
        dev = self.device
        dev.running = dev.startup.copy()
        dev.booted_at = dev.now()
        dev.changed(self.user)
        return Reply(output="Info: system is rebooting ,please wait...\n", close=True)

    # --- configuration --------------------------------------------------------------------------
    def _grammar_for(self, path: list[str]) -> Grammar | None:
        if not path:
            return _Grammars.system
        return _Grammars.by_view.get(path[-1].split()[0])

    def _config(self, line: str) -> Reply:
        tokens = tokenize(line)
        negate = False
        body = line
        offset = 0
        if tokens[0].text.lower() == "undo":
            if len(tokens) == 1:
                return self.error(ParseError("incomplete", len(line)))
            negate = True
            offset = tokens[1].start
            body = line[offset:]
        first_error: ParseError | None = None
        for level in range(len(self.path), -1, -1):
            grammar = self._grammar_for(self.path[:level])
            if grammar is None:
                if isinstance(_Grammars.system.match(body), Match):
                    continue
                grammar = _Grammars.generic
            if negate:
                grammar = grammar.negated()
            match = grammar.match(body)
            if isinstance(match, Match):
                if match.action in ("quit", "return") or match.action.startswith("display"):
                    return self._run(grammar, body)
                self.path = self.path[:level]
                return self.track_links(partial(self._apply, match, negate, offset, line))
            if first_error is None:
                first_error = match
        assert first_error is not None
        return self.error(first_error, offset)

    def _parent(self) -> Node:
        node = self.device.running
        for text in self.path:
            node, _ = open_block(node, text, "huawei_vrp")
        return node

    def _apply(self, m: Match, negate: bool, offset: int, line: str) -> Reply:
        action = m.action
        if action == "save":
            return self._x_save(m)
        parent = self._parent()
        text = m.text
        if action == "acl":
            text = f"acl number {m.args[0]}"
            action = "block"
        elif action == "ui_con":
            text = f"user-interface con {m.args[0]}"
            action = "block"
        elif action == "area":
            text = f"area {_area_id(m.args[0])}"
            action = "block"
        elif action == "block" and text.startswith("ospf ") and " router-id " in text:
            text = " ".join(text.split()[:2])
        changed = False
        if negate:
            result = self._undo(parent, action, text, m, offset)
            if isinstance(result, Reply):
                return result
            changed = result
        elif action == "interface":
            name = m.args[0]
            if self.device.interface_node(name) is None and not is_logical(name, "huawei_vrp"):
                return self.wrong(offset + len("interface "))
            _, changed = open_block(parent, text, "huawei_vrp")
            self.path.append(text)
        elif action in ("block", "vlan"):
            _, changed = open_block(parent, text, "huawei_vrp")
            self.path.append(text)
            if action == "vlan":
                changed = self._batch(parent, [int(m.args[0])], add=True) or changed
        elif action == "vlan_batch":
            vlans = parse_vlan_list(m.args[0])
            if vlans is None:
                return self.wrong(offset + len("vlan batch "))
            changed = self._batch(parent, vlans, add=True)
        elif action == "community":
            changed = set_line(parent, self._community(m), "huawei_vrp")
        elif action == "local_user_password":
            changed = set_line(parent, self._local_user_password(m), "huawei_vrp")
        elif action == "rule":
            changed = self._rule(parent, m)
        else:
            changed = set_line(parent, text, "huawei_vrp")
        if changed:
            self.device.changed(self.user)
        self.device.add_log(
            f"%%01SHELL/5/CMDRECORD(s)[0]:Recorded command information. (Task=VT0, Ip={self.peer}, "
            f'VpnName=, User={self.user}, AuthenticationMethod="Local-user", Command="{line.strip()}")'
        )
        return Reply()

    def _undo(self, parent: Node, action: str, text: str, m: Match, offset: int) -> Reply | bool:
        if action == "interface" and not is_logical(m.args[0], "huawei_vrp"):
            return self.wrong(offset + len("interface "))
        if action == "vlan":
            return self._batch(parent, [int(m.args[0])], add=False)
        if action == "vlan_batch":
            vlans = parse_vlan_list(m.args[0])
            if vlans is None:
                return self.wrong(offset + len("vlan batch "))
            return self._batch(parent, vlans, add=False)
        if action == "community" and m.args:
            return remove_line(parent, self._community(m).split(" acl ")[0], "huawei_vrp")
        if action == "rule":
            if not m.args or not m.args[0].isdigit():
                return self.error(ParseError("incomplete", offset + len(m.text)))
            return remove_line(parent, f"rule {m.args[0]}", "huawei_vrp")
        return remove_line(parent, text, "huawei_vrp")

    def _batch(self, parent: Node, vlans: list[int], *, add: bool) -> bool:
        line = next((n for n in parent.children if n.text.startswith("vlan batch ")), None)
        current = set(parse_vlan_list(line.text[len("vlan batch ") :]) or []) if line else set()
        wanted = current | set(vlans) if add else current - set(vlans)
        changed = False
        if not add:
            for vlan in vlans:
                changed = remove_line(parent, f"vlan {vlan}", "huawei_vrp") or changed
        if wanted == current:
            return changed
        text = "vlan batch " + format_vlan_list(sorted(wanted), "huawei_vrp")
        if line is None:
            return set_line(parent, text, "huawei_vrp")
        if not wanted:
            parent.children.remove(line)
        else:
            line.text = text
        return True

    def _community(self, m: Match) -> str:
        kind = m.words[2]
        words = m.args[0].split()
        if words[0] == "cipher" and len(words) > 1:
            value, rest = words[1], words[2:]
        else:
            value, rest = words[0], words[1:]
            value = vrp_cipher(value, derive_salt(f"{self.device.spec.name}/snmp/{value}", 6))
        return " ".join([f"snmp-agent community {kind} cipher {value}", *rest])

    def _local_user_password(self, m: Match) -> str:
        user = m.args[0]
        words = m.args[1].split()
        if len(words) >= 2 and words[0] in ("irreversible-cipher", "cipher", "simple"):
            value = words[1]
        else:
            value = words[-1]
        if not value.startswith("$1c$"):
            value = vrp_irreversible(value, derive_salt(f"{self.device.spec.name}/{user}/{value}", 10))
        return f"local-user {user} password irreversible-cipher {value}"

    def _rule(self, parent: Node, m: Match) -> bool:
        if m.args[0].isdigit():
            number, rest = int(m.args[0]), m.args[1]
        else:
            numbers = [int(c.text.split()[1]) for c in parent.children if re.match(r"^rule \d+ ", c.text)]
            number, rest = (max(numbers, default=0) // 5 + 1) * 5, m.args[0]
        text = f"rule {number} {rest}"
        if parent.child(text) is not None:
            return False
        remove_line(parent, f"rule {number}", "huawei_vrp")
        index = len(parent.children)
        for i, child in enumerate(parent.children):
            match = re.match(r"^rule (\d+) ", child.text)
            if match and int(match[1]) > number:
                index = i
                break
            if not match and i >= index:
                break
        parent.children.insert(index, Node(text))
        return True

    def log_link(self, name: str, old: LinkState, new: LinkState) -> None:
        log_link(self.device, name, old, new)


def log_link(dev: DeviceState, name: str, old: LinkState, new: LinkState) -> None:
    """VRP messages for an interface whose state changed."""
    if new.status != old.status:
        state = "UP" if new.status == "up" else "DOWN"
        dev.add_log(f"%%01IFPDT/4/IF_STATE(l)[0]:Interface {name} has turned into {state} state.")
    if new.protocol != old.protocol:
        dev.add_log(
            f"%%01IFNET/4/LINK_STATE(l)[0]:The line protocol IP on the interface {name} has entered "
            f"the {new.protocol.upper()} state."
        )
