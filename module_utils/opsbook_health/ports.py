# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""Listening sockets from /proc/net and the expected-ports check (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .status import CRIT, OK, result

TCP_LISTEN = "0A"
UDP_UNCONNECTED = "07"


class Listener(NamedTuple):
    proto: str  # tcp | udp
    address: str
    port: int
    inode: str


def decode_proc_address(hex_address: str) -> str:
    """/proc/net address (hex, host byte order per 32-bit word) to text."""
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return ".".join(str(b) for b in raw[::-1])
    words = [raw[i : i + 4][::-1] for i in range(0, len(raw), 4)]
    data = b"".join(words)
    groups = [data[i : i + 2].hex() for i in range(0, 16, 2)]
    if data[:12] == b"\x00" * 10 + b"\xff\xff":
        return "::ffff:" + ".".join(str(b) for b in data[12:])
    # shortest form as in RFC 5952, without importing ipaddress (keeps the module small and fast)
    text = ":".join(g.lstrip("0") or "0" for g in groups)
    best_start, best_len, start = -1, 0, -1
    for i in range(9):
        if i < 8 and groups[i] == "0000":
            start = i if start < 0 else start
        elif start >= 0:
            if i - start > best_len:
                best_start, best_len = start, i - start
            start = -1
    if best_len >= 2:
        head = ":".join(g.lstrip("0") or "0" for g in groups[:best_start])
        tail = ":".join(g.lstrip("0") or "0" for g in groups[best_start + best_len :])
        text = f"{head}::{tail}"
    return text


def parse_proc_net(text: str, proto: str) -> list[Listener]:
    """Listening sockets from /proc/net/{tcp,tcp6,udp,udp6}: TCP in LISTEN, UDP bound and unconnected."""
    listeners = []
    want_state = TCP_LISTEN if proto.startswith("tcp") else UDP_UNCONNECTED
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or fields[3] != want_state:
            continue
        local_addr, _, local_port = fields[1].partition(":")
        _, _, remote_port = fields[2].partition(":")
        if want_state == UDP_UNCONNECTED and int(remote_port, 16) != 0:
            continue
        listeners.append(Listener(proto[:3], decode_proc_address(local_addr), int(local_port, 16), fields[9]))
    return listeners


def parse_expected_port(spec: str) -> tuple[str | None, int]:
    """``22`` → (None, 22); ``tcp/443`` → ("tcp", 443). Raises ValueError on anything else."""
    text = str(spec).strip().lower()
    proto: str | None = None
    if "/" in text:
        proto, _, text = text.partition("/")
        if proto not in ("tcp", "udp"):
            raise ValueError(f"expected_ports entry {spec!r}: protocol must be tcp or udp")
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"expected_ports entry {spec!r}: give a port 1-65535, optionally as tcp/N or udp/N")
    return proto, int(text)


def check_ports(
    listeners: Sequence[Listener], processes: Mapping[str, str], expected: Sequence[str]
) -> dict[str, Any]:
    entries = sorted(
        {(lst.proto, lst.address, lst.port, processes.get(lst.inode, "")) for lst in listeners},
        key=lambda e: (e[0], e[2], e[1]),
    )
    ports = [{"proto": p, "address": a, "port": n, "process": proc} for p, a, n, proc in entries]
    open_set = {(p, n) for p, _, n, _ in entries}
    missing = []
    for spec in expected:
        proto, port = parse_expected_port(spec)
        protos = (proto,) if proto else ("tcp", "udp")
        if not any((p, port) in open_set for p in protos):
            missing.append(spec)
    summary = {proto: sorted({n for p, n in open_set if p == proto}) for proto in ("tcp", "udp")}
    listing = "; ".join(f"{p} {','.join(str(n) for n in summary[p])}" for p in ("tcp", "udp") if summary[p])
    details = {"listening": ports, "missing": missing, "expected": list(expected)}
    count = len(open_set)
    if missing:
        message = f"expected port{'s' if len(missing) != 1 else ''} not listening: {', '.join(missing)}"
        message += f" (listening: {listing or 'nothing'})"
        return result("ports", CRIT, message, value=count, unit="ports", details=details)
    message = f"listening: {listing}" if listing else "nothing listening"
    return result("ports", OK, message, value=count, unit="ports", details=details)
