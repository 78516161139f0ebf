"""Is a loopback TCP port free? Checked for every port before the lab starts anything."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable

from opsbook.errors import OpsbookError

LOOPBACK = "127.0.0.1"


def port_is_free(port: int, host: str = LOOPBACK, *, reuse: bool = False) -> bool:
    """True when nothing listens on (or holds) ``host:port``: we can bind it ourselves.

    ``reuse``: bind the way a server that sets SO_REUSEADDR does (the lab devices), so that
    connections of an earlier run still in TIME_WAIT do not count as holding the port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if reuse:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def taken_ports(ports: Iterable[int], host: str = LOOPBACK) -> list[int]:
    return [port for port in ports if not port_is_free(port, host)]


def duplicate_ports(ports: Iterable[int]) -> list[int]:
    seen: set[int] = set()
    dups: list[int] = []
    for port in ports:
        if port in seen and port not in dups:
            dups.append(port)
        seen.add(port)
    return dups


def check_ports(ports: Iterable[int], host: str = LOOPBACK) -> None:
    """Raise :class:`OpsbookError` naming every port that is out of range, doubled or taken."""
    wanted = list(ports)
    bad = [port for port in wanted if not 1024 <= port <= 65535]
    if bad:
        raise OpsbookError(
            f"lab port(s) {_join(bad)} out of range: lab ports must be between 1024 and 65535.",
            hint="choose other bases with --ssh-port-base / --device-port-base",
        )
    dups = duplicate_ports(wanted)
    if dups:
        raise OpsbookError(
            f"lab port(s) {_join(dups)} would be used twice: the host and device port ranges overlap.",
            hint="choose --ssh-port-base and --device-port-base further apart",
        )
    taken = taken_ports(wanted, host)
    if taken:
        raise OpsbookError(
            f"port(s) {_join(taken)} on {host} already in use; nothing was started.",
            hint="free the port(s) (`ss -ltnp` shows who holds them) or choose other bases "
            "with --ssh-port-base / --device-port-base",
        )


def _join(ports: Iterable[int]) -> str:
    return ", ".join(str(p) for p in ports)
