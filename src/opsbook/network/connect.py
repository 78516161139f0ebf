"""Device sessions over SSH (netmiko) and a thread pool that runs one job per device.

The pool is the Nornir model: one thread per device connection, up to ``workers`` at once;
SSH waiting dominates, so threads beat one Ansible fork per device. Every job's outcome is kept
(value or error), and one device's failure never stops the others.

:class:`Session` is the small interface the rest of opsbook uses; :class:`NetmikoSession` is the
real one. Errors: :class:`ConnectError` (cannot connect or log in), :class:`SessionLost` (the
connection broke mid-session), :class:`CommandRejected` (the device refused a command).
"""

from __future__ import annotations

import contextlib
import re
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from netmiko import ConnectHandler
from netmiko.exceptions import (
    ConfigInvalidException,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadTimeout,
)

from opsbook.errors import OpsbookError
from opsbook.network.inventory import NetDevice
from opsbook.network.platforms import platform
from opsbook.network.redact import scrub

T = TypeVar("T")

#: what a refused command looks like on each platform
ERROR_PATTERNS: dict[str, str] = {
    "cisco_ios": r"(?m)^\s*(% ?(Invalid|Incomplete|Ambiguous|Unknown|Error|Bad)"
    r"|Command authorization failed)",
    "huawei_vrp": r"(?m)^\s*Error:",
}

DEFAULT_WORKERS = 50


class NetError(OpsbookError):
    """A device-level problem (the message never contains a secret)."""


class ConnectError(NetError):
    """Could not connect or log in."""


class SessionLost(NetError):
    """The connection broke during the session."""


class CommandRejected(NetError):
    """The device answered a command with an error."""


class Session(Protocol):
    device: NetDevice

    def running_config(self) -> str: ...

    def show(self, command: str) -> str: ...

    def configure(self, lines: Sequence[str], *, revert_minutes: int | None = None) -> str: ...

    def exec(self, command: str) -> str: ...

    def save(self) -> str: ...

    def close(self) -> None: ...


Connector = Callable[[NetDevice], Session]


@dataclass(frozen=True)
class ConnectOptions:
    timeout: float = 15.0
    read_timeout: float = 30.0


def _lost(device: NetDevice, exc: BaseException, doing: str) -> SessionLost:
    return SessionLost(scrub(f"{device.name}: connection lost while {doing}: {exc}", device.secrets()))


_NETMIKO_LOST: tuple[type[BaseException], ...] = (OSError, EOFError, socket.timeout)


class NetmikoSession:
    """A netmiko connection to one device."""

    def __init__(self, device: NetDevice, options: ConnectOptions | None = None) -> None:
        self.device = device
        self.options = options or ConnectOptions()
        self._platform = platform(device.platform)
        try:
            self._conn: Any = ConnectHandler(
                device_type=self._platform.netmiko_type,
                host=device.host,
                port=device.port,
                username=device.username,
                password=device.password,
                secret=device.secret,
                fast_cli=True,
                conn_timeout=self.options.timeout,
                auth_timeout=self.options.timeout,
                banner_timeout=self.options.timeout,
                read_timeout_override=None,
                use_keys=False,
                allow_agent=False,
                ssh_strict=False,
                system_host_keys=False,
                alt_host_keys=False,
            )
            if self._platform.name == "cisco_ios" and not self._conn.check_enable_mode():
                self._conn.enable()
            # two netmiko behaviours replaced on this connection (see the methods' docstrings)
            if self._platform.name == "huawei_vrp":
                setattr(self._conn, "check_config_mode", self._vrp_check_config_mode)  # noqa: B010
            self._read_channel = self._conn.read_channel
            setattr(self._conn, "read_channel", self._read_channel_or_eof)  # noqa: B010
        except NetmikoAuthenticationException as exc:
            raise ConnectError(
                f"{device.name}: login refused for user {device.username!r} at {device.host}:{device.port}",
                hint="check ansible_user / ansible_password in the inventory",
            ) from exc
        except NetmikoTimeoutException as exc:
            raise ConnectError(
                scrub(
                    f"{device.name}: timed out connecting to {device.host}:{device.port}", device.secrets()
                ),
                hint="is the device up and the port right (opsbook lab status)?",
            ) from exc
        except _NETMIKO_LOST as exc:
            raise ConnectError(
                scrub(
                    f"{device.name}: cannot connect to {device.host}:{device.port}: {exc}", device.secrets()
                ),
                hint="is the device up and the port right (opsbook lab status)?",
            ) from exc
        except Exception as exc:  # paramiko raises many types when the peer goes away
            raise ConnectError(
                scrub(
                    f"{device.name}: cannot connect to {device.host}:{device.port}: {exc}", device.secrets()
                )
            ) from exc

    def _read_channel_or_eof(self) -> str:
        """netmiko keeps reading a closed channel until its timeout (30 s); stop at once instead."""
        out: str = self._read_channel()
        channel = self._conn.remote_conn
        if not out and channel is not None and (channel.closed or channel.eof_received):
            raise EOFError("the device closed the connection")
        return out

    def _vrp_check_config_mode(
        self, check_string: str = "]", pattern: str = "", force_regex: bool = False
    ) -> bool:
        """netmiko's Huawei probe waits for output to stop (2 s); read up to the prompt instead."""
        self._conn.write_channel(self._conn.RETURN)
        output: str = self._conn.read_until_pattern(pattern=r"[>\]]\s*$")
        return output.rstrip().endswith("]")

    def _guard(self, doing: str, func: Callable[[], str]) -> str:
        try:
            return func()
        except ConfigInvalidException as exc:
            self._leave_config_mode()
            raise CommandRejected(
                scrub(
                    f"{self.device.name}: the device rejected a command while {doing}: {exc}",
                    self.device.secrets(),
                )
            ) from exc
        except ReadTimeout as exc:
            raise _lost(self.device, exc, doing) from exc
        except (OSError, EOFError, ValueError) as exc:
            raise _lost(self.device, exc, doing) from exc
        except Exception as exc:
            if type(exc).__module__.startswith(("paramiko", "netmiko")):
                raise _lost(self.device, exc, doing) from exc
            raise

    def _leave_config_mode(self) -> None:
        try:
            if self._conn.check_config_mode():
                self._conn.exit_config_mode()
        except Exception:  # best effort: the caller reports the original error
            return

    def show(self, command: str) -> str:
        out: str = self._guard(
            f"running {command!r}",
            lambda: self._conn.send_command(command, read_timeout=self.options.read_timeout),
        )
        return out

    def running_config(self) -> str:
        return self.show(self._platform.show_running)

    def exec(self, command: str) -> str:
        """An exec-mode command whose output is checked for the platform's error marker."""
        out = self.show(command)
        if re.search(ERROR_PATTERNS[self._platform.name], out):
            raise CommandRejected(
                scrub(
                    f"{self.device.name}: {command!r} was refused: {out.strip()[:300]}", self.device.secrets()
                )
            )
        return out

    def configure(self, lines: Sequence[str], *, revert_minutes: int | None = None) -> str:
        """Send configuration lines in config mode and leave it again.

        ``revert_minutes`` (IOS only): enter with ``configure terminal revert timer N``; the device
        restores the previous configuration after N minutes unless ``configure confirm`` follows.
        """

        def run() -> str:
            if revert_minutes is not None:
                if not self._platform.has_revert_timer:
                    raise NetError(f"{self.device.name}: {self._platform.name} has no revert timer")
                self._conn.config_mode(config_command=f"configure terminal revert timer {revert_minutes}")
                entered = False
            else:
                entered = True
            out: str = self._conn.send_config_set(
                list(lines),
                enter_config_mode=entered,
                exit_config_mode=True,
                error_pattern=ERROR_PATTERNS[self._platform.name],
                read_timeout=self.options.read_timeout,
            )
            return out

        return self._guard("applying configuration", run)

    def save(self) -> str:
        def run() -> str:
            if self._platform.name == "huawei_vrp":
                out: str = self._conn.save_config(cmd="save", confirm=True, confirm_response="y")
            else:
                out = self._conn.save_config()
            return out

        return self._guard("saving the configuration", run)

    def close(self) -> None:
        """Log out and close the SSH connection.

        Not netmiko's ``disconnect()``: its clean-up probes for config mode by waiting for
        output to stop (2 s per VRP device). Leave config mode (sessions never stay in it),
        send the logout command and close the transport.
        """
        with contextlib.suppress(Exception):  # the peer may be gone; closing must not hide the result
            self._conn.write_channel(self._platform.exit_section + self._conn.RETURN)
        try:
            self._conn.paramiko_cleanup()
        except Exception:
            return


def netmiko_connector(options: ConnectOptions | None = None) -> Connector:
    def connect(device: NetDevice) -> Session:
        return NetmikoSession(device, options)

    return connect


def connect_retry(
    connector: Connector, device: NetDevice, *, attempts: int = 3, delay: float = 1.0
) -> Session:
    """Connect, retrying a few times (after a dropped session the device may need a moment)."""
    last: NetError | None = None
    for attempt in range(attempts):
        try:
            return connector(device)
        except NetError as exc:
            last = exc
            if attempt + 1 < attempts:
                time.sleep(delay)
    assert last is not None
    raise last


# --------------------------------------------------------------------------------------------
# The pool
# --------------------------------------------------------------------------------------------


@dataclass
class Outcome[T]:
    device: NetDevice
    value: T | None = None
    error: NetError | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def unreachable(self) -> bool:
        return isinstance(self.error, ConnectError)


def run_many[T](
    devices: Iterable[NetDevice],
    job: Callable[[NetDevice], T],
    *,
    workers: int = DEFAULT_WORKERS,
    on_done: Callable[[Outcome[T]], None] | None = None,
) -> list[Outcome[T]]:
    """Run ``job`` for every device in a thread pool; outcomes in input order.

    A job raising :class:`NetError` (or any :class:`OpsbookError`) gives an outcome with that
    error; other exceptions propagate (they are bugs).
    """
    items = list(devices)
    if not items:
        return []

    def one(device: NetDevice) -> Outcome[T]:
        start = time.perf_counter()
        try:
            value = job(device)
        except NetError as exc:
            outcome: Outcome[T] = Outcome(device, error=exc)
        except OpsbookError as exc:
            outcome = Outcome(device, error=NetError(exc.message, hint=exc.hint))
        else:
            outcome = Outcome(device, value=value)
        outcome.seconds = time.perf_counter() - start
        if on_done is not None:
            on_done(outcome)
        return outcome

    with ThreadPoolExecutor(
        max_workers=max(1, min(workers, len(items))), thread_name_prefix="opsbook-net"
    ) as pool:
        return list(pool.map(one, items))


def with_session[T](connector: Connector, job: Callable[[Session], T]) -> Callable[[NetDevice], T]:
    """Wrap a session job into a device job that connects, runs and always disconnects."""

    def run(device: NetDevice) -> T:
        session = connector(device)
        try:
            return job(session)
        finally:
            session.close()

    return run
