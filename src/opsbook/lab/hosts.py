"""The lab's Linux hosts: podman containers booting systemd, reachable over SSH on 127.0.0.1.

Each host gets two small dedicated filesystems (tmpfs) so that "disk full" is real:
``/srv/data`` (64 MiB) and ``/var/log`` (256 MiB, seeded with the image's /var/log).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import paramiko

from opsbook.errors import OpsbookError
from opsbook.lab.image import ADMIN_USER
from opsbook.lab.podman import podman
from opsbook.lab.ports import LOOPBACK
from opsbook.lab.state import HostRecord

LABEL_LAB = "opsbook.lab"
LABEL_ROLE = "opsbook.role"
SMALL_FILESYSTEMS: dict[str, str] = {"/srv/data": "64m", "/var/log": "256m"}
READY_STATES = ("running", "degraded")
BOOT_TIMEOUT = 180.0


def run_args(lab: str, host: HostRecord, image: str) -> list[str]:
    """The ``podman run`` arguments that start one lab host."""
    args = [
        "run",
        "--detach",
        "--name",
        host.name,
        "--hostname",
        host.name,
        "--systemd=always",
        "--publish",
        f"{LOOPBACK}:{host.ssh_port}:22",
        "--label",
        f"{LABEL_LAB}={lab}",
        "--label",
        f"{LABEL_ROLE}=host",
    ]
    for mount, size in SMALL_FILESYSTEMS.items():
        args += ["--tmpfs", f"{mount}:rw,size={size},mode=0755"]
    return [*args, image, "/sbin/init"]


def existing_containers(names: Iterable[str], env: Mapping[str, str]) -> list[str]:
    """Which of ``names`` already exist as containers (a leftover blocks ``podman run``)."""
    return [n for n in names if podman("container", "exists", n, env=env, check=False).returncode == 0]


def start_container(lab: str, host: HostRecord, image: str, public_key: str, env: Mapping[str, str]) -> str:
    """Start the container and authorise the lab key for the admin user; returns the container id."""
    proc = podman(*run_args(lab, host, image), env=env, timeout=120)
    container_id = proc.stdout.strip().splitlines()[-1]
    host.container_id = container_id
    podman(
        "exec",
        "-i",
        container_id,
        "install",
        "-m",
        "0600",
        "-o",
        ADMIN_USER,
        "-g",
        ADMIN_USER,
        "/dev/stdin",
        f"/home/{ADMIN_USER}/.ssh/authorized_keys",
        env=env,
        input_text=public_key + "\n",
    )
    # A container has no serial of its own (DMI shows the machine's): the lab's synthetic serial
    # goes where an operator records one, which is what `opsbook inventory reconcile` reads.
    podman(
        "exec",
        "-i",
        container_id,
        "sh",
        "-c",
        "mkdir -p /etc/opsbook && cat > /etc/opsbook/asset_serial && chmod 0644 /etc/opsbook/asset_serial",
        env=env,
        input_text=host.serial + "\n",
    )
    return container_id


def wait_booted(
    host: HostRecord,
    env: Mapping[str, str],
    timeout: float = BOOT_TIMEOUT,
    cancel: threading.Event | None = None,
) -> None:
    """Wait until systemd reports running (or degraded) inside the container.

    ``systemctl is-system-running --wait`` blocks until the boot is over: one podman exec per try.
    """
    deadline = time.monotonic() + timeout
    state = "unknown"
    while time.monotonic() < deadline and not (cancel and cancel.is_set()):
        try:
            proc = podman(
                "exec",
                host.container_id,
                "systemctl",
                "is-system-running",
                "--wait",
                env=env,
                check=False,
                timeout=max(1.0, min(30.0, deadline - time.monotonic())),
            )
        except OpsbookError:  # this try timed out: the boot is still going on
            continue
        state = proc.stdout.strip() or "unknown"
        if state in READY_STATES:
            return
        if state not in ("initializing", "starting", "unknown", "offline"):
            break
        time.sleep(0.2)
    raise OpsbookError(
        f"lab host {host.name} did not boot: systemd says {state!r}.",
        hint=f"look inside: podman exec {host.name} systemctl --failed  (after `eval $(opsbook lab env)`)",
    )


def ssh_check(port: int, key_path: Path, user: str = ADMIN_USER, timeout: float = 10.0) -> str:
    """Log in with the lab key and run ``hostname``; returns its output. Raises on any failure."""
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # lab hosts get new keys at each boot
    try:
        client.connect(
            LOOPBACK,
            port=port,
            username=user,
            key_filename=str(key_path),
            look_for_keys=False,
            allow_agent=False,
            timeout=timeout,
            banner_timeout=timeout,
            auth_timeout=timeout,
        )
        _stdin, stdout, _stderr = client.exec_command("hostname", timeout=timeout)
        output = stdout.read().decode("utf-8", errors="replace").strip()
        if stdout.channel.recv_exit_status() != 0:
            raise OpsbookError(f"`hostname` failed over SSH on port {port}")
        return output
    finally:
        client.close()


def wait_ssh(
    host: HostRecord, key_path: Path, timeout: float = 60.0, cancel: threading.Event | None = None
) -> None:
    """Wait until SSH on the host's port accepts the lab key."""
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline and not (cancel and cancel.is_set()):
        try:
            ssh_check(host.ssh_port, key_path)
            return
        except (OSError, paramiko.SSHException, EOFError, OpsbookError) as exc:
            last = str(exc) or type(exc).__name__
        time.sleep(0.5)
    raise OpsbookError(
        f"lab host {host.name}: SSH on {LOOPBACK}:{host.ssh_port} does not accept the lab key ({last}).",
        hint=f"look inside: podman exec {host.name} systemctl status ssh  (after `eval $(opsbook lab env)`)",
    )


def remove_containers(container_ids: Iterable[str], env: Mapping[str, str]) -> None:
    """Remove containers by id; ids already gone are fine."""
    ids = [cid for cid in container_ids if cid]
    if ids:
        podman("rm", "--force", "--ignore", "--time", "0", *ids, env=env, timeout=180)


def container_states(container_ids: Iterable[str], env: Mapping[str, str]) -> dict[str, str]:
    """Container id → podman state ("running", "exited", …); ids that no longer exist → "missing"."""
    ids = [cid for cid in container_ids if cid]
    states = dict.fromkeys(ids, "missing")
    if not ids:
        return states
    proc = podman("ps", "--all", "--format", "json", env=env, check=False)
    return states | parse_ps_json(proc.stdout, set(ids))


def parse_ps_json(text: str, wanted: set[str]) -> dict[str, str]:
    """Container id → state from ``podman ps --all --format json``, for the ids in ``wanted``."""
    try:
        rows = json.loads(text or "[]")
    except ValueError:
        return {}
    found: dict[str, str] = {}
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and row.get("Id") in wanted:
            found[str(row["Id"])] = str(row.get("State", "unknown")).lower()
    return found
