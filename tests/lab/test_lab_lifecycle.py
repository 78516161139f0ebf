"""lab up / status / down: idempotent, exact clean-up, refusing taken ports, cleaning up when interrupted.

Besides the session lab, these tests make their own small labs on free ports they look for
(other labs and test sessions run on this machine at the same time).
"""

from __future__ import annotations

import json
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from opsbook import lab as lab_api
from opsbook.errors import OpsbookError
from opsbook.lab.handle import LabHandle
from opsbook.lab.podman import podman
from opsbook.lab.ports import port_is_free
from opsbook.lab.state import lab_dir, state_path
from opsbook.paths import project_paths

pytestmark = pytest.mark.lab

OPSBOOK = str(Path(sys.executable).parent / "opsbook")


def _labelled_containers(name: str, env: dict[str, str]) -> list[str]:
    proc = podman("ps", "--all", "--quiet", "--filter", f"label=opsbook.lab={name}", env=env)
    return proc.stdout.split()


def _pid_alive(pid: int) -> bool:
    """A live process (a zombie waiting for init to reap it counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _free_block(count: int) -> int:
    """The first port of ``count`` consecutive free loopback ports (20000-29999)."""
    for _ in range(200):
        base = random.randrange(20000, 30000 - count)
        if all(port_is_free(p) for p in range(base, base + count)):
            return base
    raise AssertionError("no block of free ports found")


@pytest.fixture
def scratch_lab() -> Iterator[str]:
    """A name for a lab a test makes itself; removed afterwards whatever happens."""
    name = "opsbook-scratch"
    lab_api.down(name)
    yield name
    lab_api.down(name)


def test_status_lists_hosts_and_devices(lab: LabHandle) -> None:
    proc = subprocess.run(
        [OPSBOOK, "lab", "status", "--name", lab.name], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for host in lab.hosts:
        assert host in proc.stdout
        assert str(lab.host_ports[host]) in proc.stdout
        assert lab.container_id(host)[:12] in proc.stdout
    lines = proc.stdout.splitlines()
    for device in lab.devices:
        row = next(line for line in lines if f" {device.name} " in line)
        assert device.platform in row and str(device.port) in row and "yes" in row
    assert "running" in proc.stdout
    assert lab.sh(lab.hosts[0], "true").returncode == 0


def test_up_again_with_the_same_shape_is_a_quick_no_op(lab: LabHandle) -> None:
    shape = lab.state.shape
    started = time.monotonic()
    result = lab_api.up(
        lab.name,
        hosts=shape.hosts,
        devices=shape.devices,
        ssh_port_base=shape.ssh_port_base,
        device_port_base=shape.device_port_base,
    )
    assert time.monotonic() - started < 10
    assert not result.created
    assert [h.container_id for h in result.state.hosts] == [h.container_id for h in lab.state.hosts]
    assert result.state.device_pid == lab.state.device_pid


def test_up_with_another_shape_asks_for_down_first(lab: LabHandle) -> None:
    shape = lab.state.shape
    with pytest.raises(OpsbookError) as err:
        lab_api.up(
            lab.name,
            hosts=shape.hosts + 1,
            devices=shape.devices,
            ssh_port_base=shape.ssh_port_base,
            device_port_base=shape.device_port_base,
        )
    assert "already up" in err.value.message
    assert err.value.hint == f"take it down first: opsbook lab down --name {lab.name}"


def test_down_removes_exactly_what_up_made_and_is_idempotent(scratch_lab: str) -> None:
    paths = project_paths()
    base = _free_block(2)
    result = lab_api.up(
        scratch_lab, hosts=1, devices=1, ssh_port_base=base, device_port_base=base + 1, paths=paths
    )
    state = result.state
    env = lab_api.podman_env(paths)
    ids = [h.container_id for h in state.hosts]
    assert _labelled_containers(scratch_lab, env) == [i[:12] for i in ids]
    assert state.device_pid is not None and _pid_alive(state.device_pid)
    assert not port_is_free(base) and not port_is_free(base + 1)
    inventory = Path(state.inventory_dir)
    assert inventory == lab_dir(paths, scratch_lab) / "inventory"
    assert (inventory / "hosts.yml").is_file()

    assert lab_api.down(scratch_lab, paths=paths) is not None
    assert _labelled_containers(scratch_lab, env) == []
    for container_id in ids:
        assert podman("container", "exists", container_id, env=env, check=False).returncode == 1
    assert not _pid_alive(state.device_pid)
    assert port_is_free(base) and port_is_free(base + 1)
    assert not lab_dir(paths, scratch_lab).exists()
    assert lab_api.down(scratch_lab, paths=paths) is None  # again: nothing to do


@pytest.mark.parametrize("offset", [1, 3], ids=["host-port", "device-port"])
def test_a_taken_port_is_named_and_nothing_is_left_behind(scratch_lab: str, offset: int) -> None:
    paths = project_paths()
    env = lab_api.podman_env(paths)
    base = _free_block(4)  # hosts on base, base+1; devices on base+2, base+3
    taken = base + offset
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", taken))
        sock.listen()
        with pytest.raises(OpsbookError) as err:
            lab_api.up(
                scratch_lab, hosts=2, devices=2, ssh_port_base=base, device_port_base=base + 2, paths=paths
            )
    assert f"port(s) {taken} on 127.0.0.1 already in use" in err.value.message
    assert _labelled_containers(scratch_lab, env) == []
    assert not state_path(paths, scratch_lab).exists()
    assert all(port_is_free(p) for p in range(base, base + 4))


def test_an_interrupted_up_removes_what_it_had_started(scratch_lab: str) -> None:
    paths = project_paths()
    env = lab_api.podman_env(paths)
    state_file = state_path(paths, scratch_lab)
    base = _free_block(3)
    command = [OPSBOOK, "lab", "up", "--name", scratch_lab, "--hosts", "3", "--devices", "0"]
    proc = subprocess.Popen(
        [*command, "--ssh-port-base", str(base)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 120
    started = False
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            started = any(h["container_id"] for h in json.loads(state_file.read_text())["hosts"])
        except (OSError, ValueError, KeyError):
            started = False
        if started:
            proc.send_signal(signal.SIGTERM)
            break
        time.sleep(0.02)
    output, _ = proc.communicate(timeout=300)
    assert started, output
    assert proc.returncode == 130, output
    assert "interrupted" in output
    assert _labelled_containers(scratch_lab, env) == []
    assert not lab_dir(paths, scratch_lab).exists()
    assert all(port_is_free(p) for p in range(base, base + 3))
