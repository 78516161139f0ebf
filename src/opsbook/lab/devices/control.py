"""Start, stop and check the background process that serves a lab's devices.

:func:`start_devices` checks every port first (a taken port is an error naming it, and
nothing is started), writes ``devices.json``, starts ``python -m opsbook.lab.devices serve``
detached (its own session, not a child of the caller), and returns once every port answers
with an SSH banner. :func:`stop_devices` ends that process by the pid it recorded, after
checking the pid still belongs to it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from opsbook.base.files import atomic_write
from opsbook.errors import OpsbookError
from opsbook.lab import ports
from opsbook.lab.devices.server import READY_FILE, ensure_host_key
from opsbook.lab.devices.spec import DeviceSpec, read_specs, validate_specs, write_specs
from opsbook.lab.devices.store import LOG_FILE, PID_FILE, SPECS_FILE

HOST = "127.0.0.1"


def port_is_free(port: int) -> bool:
    """Whether the device server could bind the port (it sets SO_REUSEADDR)."""
    return ports.port_is_free(port, HOST, reuse=True)


def ssh_banner(port: int, timeout: float = 1.0) -> bool:
    """True when ``127.0.0.1:port`` answers with an SSH version banner."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            return sock.recv(64).startswith(b"SSH-2.0-")
    except OSError:
        return False


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return raw.decode(errors="replace").split("\0")


def _is_ours(pid: int, state_dir: Path) -> bool:
    """The pid is alive (not a zombie) and is the device server of this state_dir."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
        return False
    args = _cmdline(pid)
    if "opsbook.lab.devices" not in args or "--state-dir" not in args:
        return False
    index = args.index("--state-dir") + 1
    return index < len(args) and args[index] == str(state_dir)


def _read_pid(state_dir: Path) -> int | None:
    try:
        data = json.loads((state_dir / PID_FILE).read_text(encoding="utf-8"))
        return int(data["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running_pid(state_dir: Path | str) -> int | None:
    """The pid of this lab's device server when it is running."""
    state = Path(state_dir).resolve()
    pid = _read_pid(state)
    return pid if pid is not None and _is_ours(pid, state) else None


def start_devices(specs: list[DeviceSpec], state_dir: Path | str) -> int:
    """Serve ``specs`` from one background process; return its pid once every port speaks SSH."""
    state = Path(state_dir).resolve()
    validate_specs(specs)
    if not specs:
        raise OpsbookError("no devices to start")
    existing = running_pid(state)
    if existing is not None:
        try:
            same = read_specs(state / SPECS_FILE) == specs
        except OpsbookError:
            same = False
        if same and all(ssh_banner(s.port) for s in specs):
            return existing
        raise OpsbookError(
            f"the devices of {state} are already running (pid {existing}) with other settings",
            hint="stop them first (opsbook lab down)",
        )
    for spec in specs:
        if not port_is_free(spec.port):
            raise OpsbookError(
                f"port {spec.port} on {HOST} is already in use (wanted by device {spec.name})",
                hint="free the port or start the lab with other ports",
            )
    state.mkdir(parents=True, exist_ok=True)
    write_specs(state / SPECS_FILE, specs)
    ensure_host_key(state)
    (state / READY_FILE).unlink(missing_ok=True)
    pid = _spawn(state)
    atomic_write(
        state / PID_FILE, json.dumps({"pid": pid, "ports": [s.port for s in specs]}) + "\n", mode=0o644
    )
    try:
        _wait_ready(state, pid, specs)
    except BaseException:
        _terminate(pid, state)
        (state / PID_FILE).unlink(missing_ok=True)
        raise
    return pid


def _spawn(state: Path) -> int:
    """Start the server detached: the helper forks it off and prints its pid."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.run(
        [sys.executable, "-m", "opsbook.lab.devices", "serve", "--state-dir", str(state), "--detach"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0 or not proc.stdout.strip().isdigit():
        raise OpsbookError(f"the device server did not start: {(proc.stderr or proc.stdout).strip()[-2000:]}")
    return int(proc.stdout.strip())


def _log_tail(state: Path, lines: int = 5) -> str:
    try:
        text = (state / LOG_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def _wait_ready(state: Path, pid: int, specs: list[DeviceSpec]) -> None:
    deadline = time.monotonic() + 20 + 0.2 * len(specs)
    pending = list(specs)
    while time.monotonic() < deadline:
        if not _is_ours(pid, state):
            tail = _log_tail(state)
            marker = "error: "
            reason = tail.rsplit(marker, 1)[1] if marker in tail else tail or "no output"
            raise OpsbookError(
                f"the device server stopped while starting: {reason}", hint=f"see {state / LOG_FILE}"
            )
        if (state / READY_FILE).exists():
            pending = [s for s in pending if not ssh_banner(s.port)]
            if not pending:
                return
        time.sleep(0.05)
    names = ", ".join(f"{s.name} (port {s.port})" for s in pending[:5])
    raise OpsbookError(f"lab devices did not answer SSH in time: {names}", hint=f"see {state / LOG_FILE}")


def _terminate(pid: int, state: Path, timeout: float = 10.0) -> None:
    if not _is_ours(pid, state):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_ours(pid, state):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while _is_ours(pid, state) and time.monotonic() < deadline + 5:
        time.sleep(0.05)


def stop_devices(state_dir: Path | str) -> None:
    """Stop this lab's device server (no error when it is not running). State files stay."""
    state = Path(state_dir).resolve()
    pid = _read_pid(state)
    if pid is not None:
        _terminate(pid, state)
    (state / PID_FILE).unlink(missing_ok=True)
    (state / READY_FILE).unlink(missing_ok=True)


def device_status(state_dir: Path | str) -> dict[str, bool]:
    """Device name → True when its server is running and its port answers SSH."""
    state = Path(state_dir).resolve()
    try:
        specs = read_specs(state / SPECS_FILE)
    except OpsbookError:
        return {}
    alive = running_pid(state) is not None
    return {spec.name: alive and ssh_banner(spec.port) for spec in specs}
