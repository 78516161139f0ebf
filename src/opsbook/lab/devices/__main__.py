"""``python -m opsbook.lab.devices serve --state-dir DIR [--detach]``: the device server.

Normally started by :func:`opsbook.lab.devices.start_devices`. With ``--detach`` it forks,
prints the server's pid and returns at once; the server runs in its own session with its
output in ``DIR/devices.log``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from opsbook.errors import OpsbookError
from opsbook.lab.devices.server import READY_FILE, DeviceServer
from opsbook.lab.devices.spec import read_specs
from opsbook.lab.devices.store import LOG_FILE, SPECS_FILE


def _serve(state: Path) -> int:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    try:
        specs = read_specs(state / SPECS_FILE)
        asyncio.run(DeviceServer(specs, state).run(state / READY_FILE))
    except OpsbookError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 3
    return 0


def _detach(state: Path) -> int:
    """Fork the server into its own session; print its pid."""
    log_path = state / LOG_FILE
    pid = os.fork()
    if pid:
        print(pid, flush=True)
        return 0
    os.setsid()
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.close(null)
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    code = _serve(state)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m opsbook.lab.devices")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the devices listed in STATE_DIR/devices.json")
    serve.add_argument("--state-dir", required=True, type=Path)
    serve.add_argument("--detach", action="store_true", help="fork into the background, print the pid")
    args = parser.parse_args(argv)
    state = args.state_dir.resolve()
    if args.detach:
        return _detach(state)
    return _serve(state)


if __name__ == "__main__":
    sys.exit(main())
