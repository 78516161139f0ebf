"""The Huawei VRP dialect: user view ``<host>``, system view ``[host]``, sub-views ``[host-…]``.

``display`` works in every view; ``system-view`` enters configuration, ``quit`` goes up one
view, ``return`` (or Ctrl+Z) goes back to the user view, ``undo`` removes, ``save`` asks
``Are you sure to continue?[Y/N]:``. Secrets are stored the way VRP shows them: local-user
passwords as ``irreversible-cipher``, SNMP communities as ``cipher %^%#…%^%#``. The grammars are
in :mod:`~opsbook.lab.devices.vrp_grammar`; how a line is resolved and dispatched is the shared
:mod:`~opsbook.lab.devices.core`.
"""

from __future__ import annotations

import re
from typing import ClassVar

from opsbook.lab.devices import vrp_show as show
from opsbook.lab.devices.clockfmt import vrp_stamp
from opsbook.lab.devices.config import Node
from opsbook.lab.devices.core import Edit, ModalSession, Show
from opsbook.lab.devices.device import DeviceState, LinkState
from opsbook.lab.devices.editing import format_vlan_list, parse_vlan_list, remove_line, set_line
from opsbook.lab.devices.grammar import Grammar, Match, ParseError, caret_line, tokenize
from opsbook.lab.devices.interfaces import is_logical
from opsbook.lab.devices.passwords import derive_salt, vrp_cipher, vrp_irreversible
from opsbook.lab.devices.session import Reply
from opsbook.lab.devices.vrp_grammar import DISPLAY_GRAMMAR, MODES, USER_GRAMMAR, view_suffix

#: Commands that print from the device alone.
_SHOWS: dict[str, Show] = {
    "noop": lambda dev: "",
    "display_version": show.display_version,
    "display_current": show.display_current,
    "display_saved": show.display_saved,
    "display_ip_int_brief": show.display_ip_interface_brief,
    "display_int_brief": show.display_interface_brief,
    "display_vlan": show.display_vlan,
    "display_clock": show.display_clock,
    "display_logbuffer": show.display_logbuffer,
    "display_esn": show.display_esn,
    "display_device": show.display_device,
    "display_elabel": show.display_elabel,
}


def _area_id(word: str) -> str:
    if word.isdigit():
        value = int(word)
        return ".".join(str((value >> s) & 0xFF) for s in (24, 16, 8, 0))
    return word


class VrpSession(ModalSession):
    platform = "huawei_vrp"
    negation = "undo"
    modes = MODES
    shows: ClassVar[dict[str, Show]] = _SHOWS
    pipes_in_config = True
    ctrl_z_anywhere = True

    def prompt(self) -> str:
        host = self.device.hostname()
        if not self.configuring:
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

    def parse_error(self, err: ParseError, line: str, offset: int = 0) -> Reply:
        caret = caret_line(self.prompt(), err.position + offset)
        kind = {"incomplete": "Incomplete", "ambiguous": "Ambiguous"}.get(err.kind, "Unrecognized")
        return Reply(output=f"{caret}\nError: {kind} command found at '^' position.\n")

    def wrong(self, position: int) -> Reply:
        return Reply(
            output=f"{caret_line(self.prompt(), position)}\nError: Wrong parameter found at '^' position.\n"
        )

    def exec_grammar(self) -> Grammar:
        return USER_GRAMMAR

    def anywhere(self, command: str) -> Grammar | None:
        tokens = tokenize(command)
        if tokens and "display".startswith(tokens[0].text.lower()) and len(tokens[0].text) >= 3:
            return DISPLAY_GRAMMAR
        return None

    def is_session_action(self, action: str) -> bool:
        return action in ("quit", "return") or action.startswith("display")

    def leave_config(self) -> Reply:
        return self._x_return(None)

    def log_link(self, name: str, old: LinkState, new: LinkState) -> None:
        log_link(self.device, name, old, new)

    def after_edit(self, line: str) -> None:
        self.device.add_log(
            f"%%01SHELL/5/CMDRECORD(s)[0]:Recorded command information. (Task=VT0, Ip={self.peer}, "
            f'VpnName=, User={self.user}, AuthenticationMethod="Local-user", Command="{line.strip()}")'
        )

    # --- user view and display ------------------------------------------------------------------
    def _x_quit(self, m: Match | None) -> Reply:
        if not self.configuring:
            return Reply(close=True)
        if self.path:
            self.path.pop()
        else:
            self.configuring = False
        return Reply()

    def _x_return(self, m: Match | None) -> Reply:
        if self.configuring:
            self.configuring = False
            self.path = []
        return Reply()

    def _x_system_view(self, m: Match) -> Reply:
        if self.privilege < 3:
            return self.parse_error(ParseError("invalid", 0), "")
        self.configuring = True
        self.path = []
        return Reply(output="Enter system view, return user view with Ctrl+Z.\n")

    def _x_display_current_int(self, m: Match) -> Reply:
        node = self.device.interface_node(m.args[0])
        if node is None:
            return self.wrong(len("display current-configuration interface "))
        return Reply(output=show.display_block(node))

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
        if self.configuring and self.path:
            node = self.parent()
            return Reply(output=show.display_block(node))
        return Reply(output=show.display_current(self.device))

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

    def _x_display_users(self, m: Match) -> Reply:
        return Reply(output=show.display_users(self.device, self.user, self.peer))

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
            return self.parse_error(ParseError("invalid", 0), "")
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
    def _c_save(self, e: Edit) -> Reply:
        return self._x_save(e.match)

    _u_save = _c_save

    def _c_acl(self, e: Edit) -> bool:
        return self.enter(e, f"acl number {e.match.args[0]}")

    def _u_acl(self, e: Edit) -> bool:
        return self.remove_text(e, f"acl number {e.match.args[0]}")

    def _c_ui_con(self, e: Edit) -> bool:
        return self.enter(e, f"user-interface con {e.match.args[0]}")

    def _u_ui_con(self, e: Edit) -> bool:
        return self.remove_text(e, f"user-interface con {e.match.args[0]}")

    def _c_area(self, e: Edit) -> bool:
        return self.enter(e, f"area {_area_id(e.match.args[0])}")

    def _u_area(self, e: Edit) -> bool:
        return self.remove_text(e, f"area {_area_id(e.match.args[0])}")

    def _c_block(self, e: Edit) -> bool:
        return self.enter(e, _block_text(e.text))

    def _u_block(self, e: Edit) -> bool:
        return self.remove_text(e, _block_text(e.text))

    def _c_interface(self, e: Edit) -> Reply | bool:
        if not self.may_configure_interface(e.match.args[0]):
            return self.wrong(e.offset + len("interface "))
        return self.enter(e)

    def _u_interface(self, e: Edit) -> Reply | bool:
        if not is_logical(e.match.args[0], "huawei_vrp"):
            return self.wrong(e.offset + len("interface "))
        return self.remove_text(e)

    def _c_vlan(self, e: Edit) -> bool:
        changed = self.enter(e)
        return self._batch(e.parent, [int(e.match.args[0])], add=True) or changed

    def _u_vlan(self, e: Edit) -> bool:
        return self._batch(e.parent, [int(e.match.args[0])], add=False)

    def _c_vlan_batch(self, e: Edit) -> Reply | bool:
        return self._vlan_batch(e, add=True)

    def _u_vlan_batch(self, e: Edit) -> Reply | bool:
        return self._vlan_batch(e, add=False)

    def _vlan_batch(self, e: Edit, *, add: bool) -> Reply | bool:
        vlans = parse_vlan_list(e.match.args[0])
        if vlans is None:
            return self.wrong(e.offset + len("vlan batch "))
        return self._batch(e.parent, vlans, add=add)

    def _c_community(self, e: Edit) -> bool:
        return self.set_text(e, self._community(e.match))

    def _u_community(self, e: Edit) -> bool:
        if not e.match.args:
            return self.remove_text(e)
        return self.remove_text(e, self._community(e.match).split(" acl ")[0])

    def _c_local_user_password(self, e: Edit) -> bool:
        return self.set_text(e, self._local_user_password(e.match))

    def _c_rule(self, e: Edit) -> bool:
        return self._rule(e.parent, e.match)

    def _u_rule(self, e: Edit) -> Reply | bool:
        if not e.match.args or not e.match.args[0].isdigit():
            return self.parse_error(ParseError("incomplete", e.offset + len(e.text)), e.text)
        return self.remove_text(e, f"rule {e.match.args[0]}")

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


def _block_text(text: str) -> str:
    """``ospf 1 router-id 1.1.1.1`` is stored as the block ``ospf 1``."""
    if text.startswith("ospf ") and " router-id " in text:
        return " ".join(text.split()[:2])
    return text


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
