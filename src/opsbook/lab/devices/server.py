"""The SSH side: one asyncio event loop serving every device, one port each on 127.0.0.1.

Each device is a :class:`DeviceRuntime` (state + its files + injected faults). Each SSH
connection authenticates against the device's running configuration (its local users),
gets an interactive shell (or runs an ``exec`` command), and feeds lines to a dialect
session. Input is echoed as a device echoes it; answers use ``\\r\\n``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncssh
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from opsbook.base.files import atomic_write
from opsbook.errors import OpsbookError
from opsbook.lab.devices import dialects
from opsbook.lab.devices.device import Clock
from opsbook.lab.devices.faults import Faults, matches, read_faults
from opsbook.lab.devices.interfaces import normalize_interface
from opsbook.lab.devices.lines import CTRL_Z, LineReader
from opsbook.lab.devices.session import CliSession, Reply
from opsbook.lab.devices.spec import DeviceSpec
from opsbook.lab.devices.store import HOST_KEY_FILE, DeviceStore

log = logging.getLogger("opsbook.lab.devices")

READY_FILE = "devices.ready"
TICK_SECONDS = 0.25


# Every lab device presents the same host key, derived from this constant. A new key per lab
# would break clients that remember keys: Ansible network_cli (paramiko) records them in
# ~/.ssh/known_hosts even with host_key_checking=False, and then refuses a lab re-created on
# the same port ("host key mismatch"). The simulator is not a security boundary.
HOST_KEY_SEED = b"opsbook lab simulated network device host key v1"


def lab_host_key() -> bytes:
    """The lab's Ed25519 host key in OpenSSH private key format."""
    seed = hashlib.sha256(HOST_KEY_SEED).digest()
    key = Ed25519PrivateKey.from_private_bytes(seed)
    return key.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption())


def ensure_host_key(state_dir: Path) -> Path:
    """Write the lab host key into ``state_dir`` (same key for every lab, see above)."""
    path = Path(state_dir) / HOST_KEY_FILE
    key = lab_host_key()
    if not path.exists() or path.read_bytes() != key:
        atomic_write(path, key.decode(), mode=0o600)
    return path


class DeviceRuntime:
    """One device inside the server."""

    def __init__(self, spec: DeviceSpec, state_dir: Path, clock: Clock) -> None:
        self.spec = spec
        self.store = DeviceStore(state_dir, spec)
        self.state = self.store.load(clock)
        self.faults = Faults()
        self._faults_stat: tuple[int, int, int] | None = None
        self._fired = 0

    def refresh(self) -> None:
        """Take in outside edits of the state files and the current faults."""
        self.store.reload_if_changed(self.state)
        try:
            st = self.store.faults_path.stat()
            stat: tuple[int, int, int] | None = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stat = None
        if stat == self._faults_stat:
            return
        self._faults_stat = stat
        try:
            faults = read_faults(self.store.faults_path)
        except OpsbookError as exc:
            log.error("%s: ignoring faults: %s", self.spec.name, exc)
            faults = Faults()
        self.faults = faults
        self._fired = 0
        links = frozenset(normalize_interface(name, self.spec.platform) or name for name in faults.links_down)
        if links != self.state.links_down:
            before = self.state.link_states()
            self.state.links_down = links
            for name, new in self.state.link_states().items():
                if before.get(name) not in (None, new):
                    dialects.log_link(self.state, name, before[name], new)
            self.persist()

    def fire(self) -> bool:
        """May a drop/reject fault fire now? (``times`` limits it per faults version.)"""
        if self.faults.times is not None and self._fired >= self.faults.times:
            return False
        self._fired += 1
        return True

    def persist(self) -> None:
        self.store.persist(self.state)


class _Auth(asyncssh.SSHServer):
    def __init__(self, runtime: DeviceRuntime) -> None:
        self._runtime = runtime
        self._conn: Any = None

    def connection_made(self, conn: Any) -> None:
        self._conn = conn

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        runtime = self._runtime
        runtime.refresh()
        if runtime.faults.refuse_login:
            return False
        privilege = dialects.login(runtime.state, username, password)
        if privilege is None:
            log.info("%s: login refused for %r", runtime.spec.name, username)
            return False
        self._conn.set_extra_info(opsbook_privilege=privilege)
        return True


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _handle(runtime: DeviceRuntime, session: CliSession, line: str) -> Reply:
    """The session's answer; a bug in the simulator answers with an error, not a dead session."""
    try:
        return session.handle(line)
    except Exception:
        log.exception("%s: simulator error on %r", runtime.spec.name, line)
        return Reply(output="%Error: internal error in the lab device simulator (see devices.log)\n")


async def serve_shell(runtime: DeviceRuntime, process: Any) -> None:
    """One SSH session: login banner, then line by line until exit or disconnect."""
    conn = process.channel.get_connection()
    user = str(process.get_extra_info("username") or "")
    privilege = int(conn.get_extra_info("opsbook_privilege", 1))
    peername = process.get_extra_info("peername") or ("127.0.0.1", 0)
    runtime.refresh()
    session = dialects.new_session(runtime.state, user, str(peername[0]), privilege)
    if process.command:
        out = []
        for line in str(process.command).splitlines():
            reply = _handle(runtime, session, line)
            out.append(reply.output)
        runtime.persist()
        process.stdout.write(_crlf("".join(out)))
        process.exit(0)
        return
    process.stdout.write(_crlf(session.login_banner() + session.prompt()))
    reader = LineReader()
    count = 0
    hidden = False
    try:
        while True:
            try:
                data = await process.stdin.read(65536)
            except (asyncssh.TerminalSizeChanged, asyncssh.BreakReceived, asyncssh.SignalReceived):
                continue
            if not data:
                break
            for line in reader.feed(data):
                runtime.refresh()
                faults = runtime.faults
                questioned = session.pending_question()
                if line.strip() and not questioned:
                    count += 1
                if faults.latency_ms:
                    await asyncio.sleep(faults.latency_ms / 1000)
                drop = (faults.drop_after_commands is not None and count > faults.drop_after_commands) or (
                    not questioned and line.strip() != "" and matches(faults.drop_on_command, line)
                )
                if drop and runtime.fire():
                    log.info("%s: fault: dropping the connection at %r", runtime.spec.name, line)
                    runtime.persist()
                    conn.abort()
                    return
                echo = "" if hidden else ("^Z" if line == CTRL_Z else line)
                if not questioned and matches(faults.reject_command, line) and runtime.fire():
                    reply = session.rejected(line)
                else:
                    reply = _handle(runtime, session, line)
                hidden = reply.hide_input
                prompt = reply.prompt if reply.prompt is not None else session.prompt()
                runtime.persist()
                if reply.close:
                    process.stdout.write(_crlf(echo + "\n" + reply.output))
                    process.exit(0)
                    return
                process.stdout.write(_crlf(echo + "\n" + reply.output) + prompt)
    except (asyncssh.Error, ConnectionError, BrokenPipeError) as exc:
        log.info("%s: session ended: %s", runtime.spec.name, exc)
    finally:
        runtime.persist()


class DeviceServer:
    """Every device of a lab in one event loop."""

    def __init__(self, specs: list[DeviceSpec], state_dir: Path, clock: Clock = time.time) -> None:
        self.specs = specs
        self.state_dir = Path(state_dir)
        self.clock = clock
        self.runtimes: dict[str, DeviceRuntime] = {}
        self._servers: list[Any] = []
        self._stop = asyncio.Event()

    async def start(self) -> None:
        key = asyncssh.read_private_key(str(ensure_host_key(self.state_dir)))
        for spec in self.specs:
            runtime = DeviceRuntime(spec, self.state_dir, self.clock)
            self.runtimes[spec.name] = runtime
            try:
                server = await asyncssh.create_server(
                    self._auth_factory(runtime),
                    "127.0.0.1",
                    spec.port,
                    server_host_keys=[key],
                    process_factory=self._process_factory(runtime),
                    line_editor=False,
                    encoding="utf-8",
                    errors="replace",
                    keepalive_interval=0,
                    login_timeout=60,
                )
            except OSError as exc:
                await self.close()
                raise OpsbookError(
                    f"port {spec.port} on 127.0.0.1 (device {spec.name}) cannot be used: {exc.strerror}",
                    hint="free the port or give the device another one",
                ) from exc
            self._servers.append(server)

    @staticmethod
    def _auth_factory(runtime: DeviceRuntime) -> Callable[[], _Auth]:
        return lambda: _Auth(runtime)

    @staticmethod
    def _process_factory(runtime: DeviceRuntime) -> Callable[[Any], Any]:
        async def handle(process: Any) -> None:
            await serve_shell(runtime, process)

        return handle

    def stop(self) -> None:
        self._stop.set()

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()
        for runtime in self.runtimes.values():
            runtime.persist()

    async def run(self, ready_file: Path | None = None) -> None:
        """Serve until :meth:`stop` (or SIGTERM/SIGINT), ticking revert timers."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        await self.start()
        if ready_file is not None:
            ports = [s.port for s in self.specs]
            atomic_write(ready_file, json.dumps({"pid": os.getpid(), "ports": ports}) + "\n", mode=0o644)
        log.info("serving %d devices", len(self.specs))
        try:
            while not self._stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), TICK_SECONDS)
                for runtime in self.runtimes.values():
                    runtime.store.reload_if_changed(runtime.state)
                    if dialects.tick(runtime.state):
                        log.info("%s: revert timer expired, configuration rolled back", runtime.spec.name)
                    runtime.persist()
        finally:
            await self.close()
            if ready_file is not None:
                ready_file.unlink(missing_ok=True)
