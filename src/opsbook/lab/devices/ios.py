"""The Cisco IOS dialect: exec / enable / config modes and sub-modes, show commands, saving.

Modes and prompts: ``host>`` (user exec), ``host#`` (privileged exec), ``host(config)#`` and
sub-modes named after the block being edited (``config-if``, ``config-line``,
``config-router``, ``config-ext-nacl``, ``config-vlan`` …). A line a sub-mode does not know
falls through to the enclosing mode, as on a real device (``interface Gi1/0/2`` typed inside
``interface Gi1/0/1`` moves to the new interface; ``hostname x`` returns to global config).
The grammars are in :mod:`~opsbook.lab.devices.ios_grammar`; how a line is resolved and
dispatched is the shared :mod:`~opsbook.lab.devices.core`.
"""

from __future__ import annotations

from typing import ClassVar

from opsbook.lab.devices import acl_seq
from opsbook.lab.devices import ios_edits as edits
from opsbook.lab.devices import ios_show as show
from opsbook.lab.devices.auth import ios_enable_ok
from opsbook.lab.devices.clockfmt import ios_log_stamp
from opsbook.lab.devices.core import Edit, ModalSession, Show
from opsbook.lab.devices.device import DeviceState, LinkState
from opsbook.lab.devices.editing import set_banner
from opsbook.lab.devices.grammar import Grammar, Match, ParseError, caret_line, tokenize
from opsbook.lab.devices.interfaces import is_logical
from opsbook.lab.devices.ios_grammar import EXEC_PRIV_GRAMMAR, EXEC_USER_GRAMMAR, MODES, mode_name
from opsbook.lab.devices.session import Reply

_NO_ARCHIVE = "%Error: Rollback Confirmed Change needs the archive feature: configure 'archive' and 'path'\n"
_ALREADY_PENDING = (
    "%Error: Rollback Confirmed Change already pending: 'configure confirm' or 'configure revert now' first\n"
)

#: Exec commands that print from the device alone.
_SHOWS: dict[str, Show] = {
    "noop": lambda dev: "",
    "show_version": show.show_version,
    "show_clock": show.show_clock,
    "show_inventory": show.show_inventory,
    "show_ip_int_brief": show.show_ip_interface_brief,
    "show_ip_int": show.show_ip_interface,
    "lldp_off": lambda dev: "% LLDP is not enabled\n",
    "cdp_off": lambda dev: "% CDP is not enabled\n",
    "show_int_status": show.show_interfaces_status,
    "show_int_desc": show.show_interfaces_description,
    "show_run": show.show_running_config,
    "show_start": show.show_startup_config,
    "show_logging": show.show_logging,
    "show_archive": show.show_archive,
    "show_rollback": show.show_rollback_timer,
    "show_acl": show.show_access_lists,
    "show_memory": show.show_memory_statistics,
    "show_cpu": show.show_processes_cpu,
    "dir": show.show_dir,
}


class IosSession(ModalSession):
    platform = "cisco_ios"
    negation = "no"
    modes = MODES
    shows: ClassVar[dict[str, Show]] = _SHOWS
    filter_errors = False

    def __init__(self, device: DeviceState, user: str, peer: str = "127.0.0.1", privilege: int = 15) -> None:
        super().__init__(device, user, peer, privilege)
        self.enabled = self.privilege >= 15
        self.term_length = 24
        self.term_width = 80

    # --- prompts, banners, errors ---------------------------------------------------------------
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

    def parse_error(self, err: ParseError, line: str, offset: int = 0) -> Reply:
        if err.kind == "incomplete":
            return Reply(output="% Incomplete command.\n\n")
        if err.kind == "ambiguous":
            return Reply(output=f'% Ambiguous command:  "{line.strip()}"\n')
        return self.invalid(err.position + offset)

    def invalid(self, position: int) -> Reply:
        return Reply(
            output=f"{caret_line(self.prompt(), position)}\n% Invalid input detected at '^' marker.\n\n"
        )

    def exec_grammar(self) -> Grammar:
        return EXEC_PRIV_GRAMMAR if self.enabled else EXEC_USER_GRAMMAR

    def is_session_action(self, action: str) -> bool:
        return action in ("exit", "end", "do")

    def log_link(self, name: str, old: LinkState, new: LinkState) -> None:
        edits.log_link(self.device, name, old, new)

    # --- exec commands --------------------------------------------------------------------------
    def _x_exit(self, m: Match) -> Reply:
        if not self.configuring:
            return Reply(close=True)
        if self.path:
            self.path.pop()
            return Reply()
        return self.leave_config()

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

    def _x_term_length(self, m: Match) -> Reply:
        self.term_length = int(m.args[0])
        return Reply()

    def _x_term_width(self, m: Match) -> Reply:
        self.term_width = int(m.args[0])
        return Reply()

    def _x_show_privilege(self, m: Match) -> Reply:
        level = 15 if self.enabled else self.privilege
        return Reply(output=f"Current privilege level is {level}\n")

    def _x_show_users(self, m: Match) -> Reply:
        return Reply(output=show.show_users(self.device, self.user, self.peer))

    def _x_show_vlan(self, m: Match) -> Reply:
        if self.device.hw.role != "switch":
            return self.invalid(len(m.words[0]) + 1)
        return Reply(output=show.show_vlan(self.device, brief=False))

    def _x_show_vlan_brief(self, m: Match) -> Reply:
        if self.device.hw.role != "switch":
            return self.invalid(len(m.words[0]) + 1)
        return Reply(output=show.show_vlan(self.device, brief=True))

    def _x_show_interfaces(self, m: Match) -> Reply:
        out = "".join(show.show_interface(self.device, n, node) for n, node in self.device.interfaces())
        return Reply(output=out)

    def _x_show_interface(self, m: Match) -> Reply:
        name = m.args[0]
        node = self.device.interface_node(name)
        if node is None:
            return self.invalid(len("show interfaces "))
        return Reply(output=show.show_interface(self.device, name, node))

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

    def _x_show_run_int(self, m: Match) -> Reply:
        node = self.device.interface_node(m.args[0])
        if node is None:
            return self.invalid(len("show running-config interface "))
        return Reply(output=show.show_running_interface(self.device, node))

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
        edits.log_rollback(self.device)

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
        edits.merge_config(self.device.running, self.device.startup, "cisco_ios")
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

    # --- configuration mode ---------------------------------------------------------------------
    def leave_config(self) -> Reply:
        self.configuring = False
        self.path = []
        self.device.add_log(f"%SYS-5-CONFIG_I: Configured from console by {self.user} on vty0 ({self.peer})")
        return Reply()

    def _x_end(self, m: Match) -> Reply:
        return self.leave_config()

    def _x_do(self, m: Match) -> Reply:
        return self.run_exec(m.args[0])

    def _c_interface(self, e: Edit) -> Reply | bool:
        if not self.may_configure_interface(e.match.args[0]):
            return self.invalid(e.offset + len(tokenize(e.match.words[0])[0].text) + 1)
        return self.enter(e)

    def _u_interface(self, e: Edit) -> Reply | bool:
        if not is_logical(e.match.args[0], "cisco_ios"):
            return Reply(output="% Removal of physical interfaces is not permitted\n")
        return self.remove_text(e)

    def _c_vlan(self, e: Edit) -> Reply | bool:
        if self.device.hw.role != "switch":
            return self.invalid(e.offset)
        return self.enter(e)

    def _u_vlan(self, e: Edit) -> Reply | bool:
        if e.match.args[0] == "1":
            return Reply(output="%Default VLAN 1 may not be deleted.\n")
        return self.remove_text(e)

    def _c_block(self, e: Edit) -> bool:
        return self.enter(e)

    def _c_line_con(self, e: Edit) -> bool:
        return self.enter(e, f"line con {e.match.args[0]}")

    def _u_line_con(self, e: Edit) -> bool:
        return self.remove_text(e, f"line con {e.match.args[0]}")

    def _c_default_interface(self, e: Edit) -> Reply | bool:
        node = self.device.interface_node(e.match.args[0])
        if node is None:
            return self.invalid(e.offset + len("default interface "))
        changed = bool(node.children)
        node.children.clear()
        self.device.add_log(f"%SYS-5-CONFIG_I: Interface {e.match.args[0]} set to default configuration")
        return changed

    def _c_banner(self, e: Edit) -> Reply:
        return self._banner(e.match.words[1], e.match.args[0])

    def _u_banner(self, e: Edit) -> bool:
        return self.remove_text(e, f"banner {e.match.words[1]}")

    def _c_acl(self, e: Edit) -> Reply | bool:
        added = acl_seq.add(e.parent, e.text)
        return Reply(output=added) if isinstance(added, str) else added

    def _u_acl(self, e: Edit) -> bool:
        return acl_seq.remove(e.parent, e.text)

    def _c_acl_resequence(self, e: Edit) -> bool:
        name, start, step = e.match.args[0], int(e.match.args[1]), int(e.match.args[2])
        return acl_seq.resequence(self.device.running, name, start, step)

    def _c_allowed_vlan(self, e: Edit) -> Reply | bool:
        try:
            return edits.allowed_vlan(e.parent, e.match.args[0])
        except edits.BadVlanList as exc:
            return self.invalid(exc.position)

    def _u_allowed_vlan(self, e: Edit) -> bool:
        return self.remove_text(e, "switchport trunk allowed vlan")

    def _c_username(self, e: Edit) -> bool:
        return self.set_text(e, edits.hash_username(self.device.running, self.device.spec.name, e.text))

    def _c_enable_secret(self, e: Edit) -> bool:
        return self.set_text(e, edits.hash_enable(self.device.spec.name, e.match.args[0]))

    def _c_enable_password(self, e: Edit) -> bool:
        return self.set_text(
            e, edits.encrypt_password(self.device.running, "enable password", e.match.args[0])
        )

    def _c_line_password(self, e: Edit) -> bool:
        return self.set_text(e, edits.encrypt_password(self.device.running, "password", e.match.args[0]))

    def _banner(self, kind: str, rest: str) -> Reply:
        delim = "^C" if rest.startswith("^C") else rest[0]
        after = rest[len(delim) :]
        if delim in after:
            body = [after.split(delim, 1)[0]]
            if set_banner(self.parent(), kind, body):
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
