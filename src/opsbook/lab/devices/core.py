"""The session and dispatch core both dialects share.

A :class:`ModalSession` is outside configuration (IOS exec, VRP user view) or inside it, at a
path of blocks (``["interface Gi1/0/1"]``, ``["ospf 1", "area 0.0.0.0"]``). One line is
resolved the way devices do it: from the innermost mode outwards, so a line the sub-mode does not
know falls through to the enclosing one (and leaves the sub-mode); a leading ``no`` / ``undo``
negates it; output filters (``| include …``) apply to what a command prints.

A dialect (:mod:`~opsbook.lab.devices.ios`, :mod:`~opsbook.lab.devices.vrp`) brings the rest:
its grammars (:class:`Modes`), prompts and error texts, and its commands as methods —
``_x_<action>`` for commands that act on the session (exec commands, mode changes) and
``_c_<action>`` / ``_u_<action>`` for configuration lines, plain and negated, which get an
:class:`Edit` and answer ``True`` when the configuration changed, or a :class:`Reply` of their own.
Lines without a method of their own are set or removed as they are (:meth:`ModalSession.set_text`,
:meth:`ModalSession.remove_text`).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from opsbook.lab.devices.config import Node
from opsbook.lab.devices.device import DeviceState
from opsbook.lab.devices.editing import open_block, remove_line, set_line
from opsbook.lab.devices.grammar import Grammar, Match, ParseError, tokenize
from opsbook.lab.devices.interfaces import is_logical
from opsbook.lab.devices.lines import CTRL_Z
from opsbook.lab.devices.pipes import PipeError, apply_filters, split_pipes
from opsbook.lab.devices.session import CliSession, Reply

#: What a show command prints, from the device alone.
Show = Callable[[DeviceState], str]


@dataclass(frozen=True)
class Modes:
    """A dialect's configuration grammars: the top mode, the sub-modes, and the catch-all."""

    top: Grammar
    by_mode: Mapping[str, Grammar]
    #: a sub-mode without a grammar of its own takes any line its enclosing modes do not know
    generic: Grammar
    #: the key into ``by_mode`` for a block (``"interface Gi1/0/1"`` → ``"config-if"``)
    mode_of: Callable[[str], str]

    def grammar_for(self, path: list[str]) -> Grammar | None:
        if not path:
            return self.top
        return self.by_mode.get(self.mode_of(path[-1]))


@dataclass
class Edit:
    """One configuration line to apply in the mode it was resolved in."""

    match: Match
    parent: Node  # the block the line goes into
    text: str  # the canonical line
    offset: int  # where the line starts after a ``no`` / ``undo`` (for error carets)


class ModalSession(CliSession):
    negation: ClassVar[str]
    modes: ClassVar[Modes]
    #: action → show function: commands that print from the device and change nothing
    shows: ClassVar[Mapping[str, Show]] = {}
    #: whether output filters apply in configuration too (VRP) or only outside it (IOS)
    pipes_in_config: ClassVar[bool] = False
    #: whether Ctrl-Z leaves configuration from anywhere (VRP) or only inside it (IOS)
    ctrl_z_anywhere: ClassVar[bool] = False
    #: whether output filters apply to a parse error's answer too (VRP) or not (IOS)
    filter_errors: ClassVar[bool] = True

    def __init__(self, device: DeviceState, user: str, peer: str = "127.0.0.1", privilege: int = 15) -> None:
        super().__init__(device, user, peer)
        self.privilege = privilege
        self.configuring = False
        self.path: list[str] = []

    # --- what a dialect says ----------------------------------------------------------------------
    @abstractmethod
    def parse_error(self, err: ParseError, line: str, offset: int = 0) -> Reply:
        """The device's answer to a line it cannot parse (``offset``: where ``line`` starts)."""

    @abstractmethod
    def exec_grammar(self) -> Grammar:
        """The commands outside configuration."""

    @abstractmethod
    def leave_config(self) -> Reply: ...

    @abstractmethod
    def is_session_action(self, action: str) -> bool:
        """Actions that move between modes or run exec commands: done at the current depth."""

    def anywhere(self, command: str) -> Grammar | None:
        """A grammar that takes this command in every mode (VRP ``display``), else None."""
        return None

    def after_edit(self, line: str) -> None:
        """Called after every configuration line that was applied (VRP records commands)."""

    # --- dispatch ---------------------------------------------------------------------------------
    def execute(self, line: str) -> Reply:
        if not line.strip():
            return Reply()
        if line.strip() == CTRL_Z and (self.configuring or self.ctrl_z_anywhere):
            return self.leave_config()
        if self.configuring and not self.pipes_in_config:
            return self.configure(line)
        return self.filtered(line, self._route)

    def _route(self, command: str) -> Reply:
        grammar = self.anywhere(command)
        if grammar is not None:
            return self.run(grammar, command)
        if self.configuring:
            return self.configure(command)
        return self.run(self.exec_grammar(), command)

    def filtered(self, line: str, command: Callable[[str], Reply]) -> Reply:
        """Run ``command`` on the line without its output filters, then filter what it printed."""
        try:
            text, filters = split_pipes(line, self.platform)
        except PipeError as exc:
            return self.parse_error(ParseError("invalid", exc.offset), line)
        reply = command(text)
        if filters and reply.output and (self.filter_errors or not reply.not_understood):
            reply.output = apply_filters(reply.output, filters)
        return reply

    def run(self, grammar: Grammar, command: str) -> Reply:
        match = grammar.match(command)
        if isinstance(match, ParseError):
            return self.not_understood(match, command)
        return self.action(match)

    def not_understood(self, err: ParseError, line: str, offset: int = 0) -> Reply:
        reply = self.parse_error(err, line, offset)
        reply.not_understood = True
        return reply

    def action(self, match: Match) -> Reply:
        show = self.shows.get(match.action)
        if show is not None:
            return Reply(output=show(self.device))
        reply = getattr(self, f"_x_{match.action}")(match)
        assert isinstance(reply, Reply)
        return reply

    def run_exec(self, line: str) -> Reply:
        """An exec command typed in configuration (IOS ``do``): run as if outside it."""
        saved, self.configuring = self.configuring, False
        try:
            return self.filtered(line, lambda command: self.run(self.exec_grammar(), command))
        finally:
            self.configuring = saved

    # --- configuration ----------------------------------------------------------------------------
    def configure(self, line: str) -> Reply:
        tokens = tokenize(line)
        negate, body, offset = False, line, 0
        if tokens[0].text.lower() == self.negation:
            if len(tokens) == 1:
                return self.not_understood(ParseError("incomplete", len(line)), line)
            negate, offset = True, tokens[1].start
            body = line[offset:]
        first_error: ParseError | None = None
        for level in range(len(self.path), -1, -1):
            grammar = self.modes.grammar_for(self.path[:level])
            if grammar is None:
                if isinstance(self.modes.top.match(body), Match):
                    continue
                grammar = self.modes.generic
            if negate:
                grammar = grammar.negated()
            match = grammar.match(body)
            if isinstance(match, Match):
                if self.is_session_action(match.action):
                    return self.track_links(partial(self.action, match))
                self.path = self.path[:level]
                return self.track_links(partial(self._edit, match, negate, offset, line))
            if first_error is None:
                first_error = match
        assert first_error is not None
        return self.not_understood(first_error, body, offset)

    def _edit(self, match: Match, negate: bool, offset: int, line: str) -> Reply:
        edit = Edit(match, self.parent(), match.text, offset)
        method = getattr(self, f"_{'u' if negate else 'c'}_{match.action}", None)
        if method is None:
            method = self.remove_text if negate else self.set_text
        result = method(edit)
        if isinstance(result, Reply):
            return result
        assert isinstance(result, bool)
        if result:
            self.device.changed(self.user)
        self.after_edit(line)
        return Reply()

    def parent(self) -> Node:
        """The block the current mode edits (opened on the way, as the device does)."""
        node = self.device.running
        for text in self.path:
            node, _ = open_block(node, text, self.platform)
        return node

    def set_text(self, edit: Edit, text: str | None = None) -> bool:
        return set_line(edit.parent, edit.text if text is None else text, self.platform)

    def remove_text(self, edit: Edit, text: str | None = None) -> bool:
        return remove_line(edit.parent, edit.text if text is None else text, self.platform)

    def enter(self, edit: Edit, text: str | None = None) -> bool:
        """Open a block (``interface …``, ``acl number …``) and make it the current mode."""
        block = edit.text if text is None else text
        _, changed = open_block(edit.parent, block, self.platform)
        self.path.append(block)
        return changed

    def may_configure_interface(self, name: str) -> bool:
        """Existing interfaces, and logical ones (loopbacks, VLAN interfaces …) that may be created."""
        return self.device.interface_node(name) is not None or is_logical(name, self.platform)
