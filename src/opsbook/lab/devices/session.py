"""What every CLI session shares: replies, questions, and link-change logging.

A session turns one input line into a :class:`Reply` (text to print, and what to prompt
next). It is pure: the SSH server echoes input, writes the reply and the prompt, and
closes the channel when asked to.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from opsbook.lab.devices.device import DeviceState, LinkState


@dataclass
class Reply:
    output: str = ""
    prompt: str | None = None  # a question instead of the usual prompt ("" = print nothing)
    hide_input: bool = False  # the next line is a secret: do not echo it
    close: bool = False  # close the connection after the output
    not_understood: bool = False  # a parse error: IOS prints it as it is, output filters or not


Handler = Callable[[str], Reply]


class CliSession(ABC):
    platform: str = ""

    def __init__(self, device: DeviceState, user: str, peer: str = "127.0.0.1") -> None:
        self.device = device
        self.user = user
        self.peer = peer
        self._pending: Handler | None = None

    @abstractmethod
    def prompt(self) -> str: ...

    @abstractmethod
    def login_banner(self) -> str: ...

    @abstractmethod
    def execute(self, line: str) -> Reply: ...

    @abstractmethod
    def rejected(self, line: str) -> Reply:
        """The answer to a command refused by command authorization (fault injection)."""

    def handle(self, line: str) -> Reply:
        """One line of input (without its line ending)."""
        self.tick()
        if self._pending is not None:
            handler, self._pending = self._pending, None
            return handler(line)
        return self.execute(line)

    def tick(self) -> None:
        if self.device.tick():
            self.log_rollback()

    def log_rollback(self) -> None:  # noqa: B027 - optional hook, platforms without revert timers skip it
        """Called after a revert timer rolled the configuration back."""

    def ask(self, question: str, handler: Handler, *, output: str = "", hide: bool = False) -> Reply:
        self._pending = handler
        return Reply(output=output, prompt=question, hide_input=hide)

    def pending_question(self) -> bool:
        return self._pending is not None

    def track_links(self, change: Callable[[], Reply]) -> Reply:
        """Run a configuration change and log every interface whose state it changed."""
        before = self.device.link_states()
        reply = change()
        after = self.device.link_states()
        for name, state in after.items():
            old = before.get(name)
            if old is not None and old != state:
                self.log_link(name, old, state)
        return reply

    @abstractmethod
    def log_link(self, name: str, old: LinkState, new: LinkState) -> None:
        """Platform-specific link messages."""
