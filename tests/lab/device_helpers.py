"""Helpers for lab tests that need their own simulated devices (free ports, start/stop around a block).

Test code, kept out of the opsbook package: lab tests import it as ``device_helpers`` (pytest puts
tests/lab on the import path).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from opsbook.errors import OpsbookError
from opsbook.lab.devices.control import port_is_free, start_devices, stop_devices
from opsbook.lab.devices.spec import DeviceSpec, Platform


def free_ports(count: int, start: int = 3401, end: int = 20000) -> list[int]:
    """``count`` consecutive free ports on 127.0.0.1, the first at or after ``start``."""
    port = start
    while port + count <= end:
        block = list(range(port, port + count))
        taken = next((p for p in block if not port_is_free(p)), None)
        if taken is None:
            return block
        port = taken + 1
    raise OpsbookError(f"no {count} consecutive free ports between {start} and {end}")


def specs_for(
    ports: list[int], platforms: list[Platform], *, prefix: str = "t", revert_minute_seconds: float = 60.0
) -> list[DeviceSpec]:
    """One spec per port: ``{prefix}-sw01`` (IOS) / ``{prefix}-rt01`` (VRP) …, user admin."""
    specs: list[DeviceSpec] = []
    counters: dict[str, int] = {"cisco_ios": 0, "huawei_vrp": 0}
    for port, platform in zip(ports, platforms, strict=True):
        counters[platform] += 1
        role = "sw" if platform == "cisco_ios" else "rt"
        specs.append(
            DeviceSpec(
                name=f"{prefix}-{role}{counters[platform]:02d}",
                platform=platform,
                port=port,
                username="admin",
                password="Lab-Pass-1",
                revert_minute_seconds=revert_minute_seconds,
            )
        )
    return specs


@contextlib.contextmanager
def running_devices(
    make_specs: Callable[[list[int]], list[DeviceSpec]],
    count: int,
    state_dir: Path,
    *,
    start: int = 3401,
    attempts: int = 5,
) -> Iterator[list[DeviceSpec]]:
    """Start devices on free ports (retrying when another test grabbed them), stop them after."""
    port = start
    for _ in range(attempts):
        specs = make_specs(free_ports(count, port))
        try:
            start_devices(specs, state_dir)
        except OpsbookError as exc:
            if "already in use" not in str(exc):
                raise
            port = max(s.port for s in specs) + 1
            continue
        try:
            yield specs
        finally:
            stop_devices(state_dir)
        return
    raise OpsbookError(f"could not find {count} free ports for lab devices")
