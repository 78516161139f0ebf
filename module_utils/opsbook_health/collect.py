# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""I/O: reads the host and feeds the pure checks; every check guarded."""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from .mounts import check_filesystem, check_inodes, fs_usage_from_statvfs, parse_mountinfo, select_data_mounts
from .ports import Listener, check_ports, parse_proc_net
from .resources import (
    check_failed_units,
    check_load,
    check_memory,
    check_swap,
    parse_failed_units,
    parse_loadavg,
    parse_meminfo,
)
from .status import SEVERITY, UNKNOWN, WARN, result, worst
from .timesync import (
    check_time_chrony,
    check_time_kernel,
    check_time_timedatectl,
    parse_chronyc_tracking,
    parse_key_values,
)
from .updates import check_reboot, check_security_updates, parse_apt_simulation


def read_text(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def which(name: str) -> str | None:
    for directory in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        candidate = os.path.join(directory, name)
        if os.access(candidate, os.X_OK):
            return candidate
    return None


class CommandResult(NamedTuple):
    rc: int
    out: str
    err: str


def run(argv: Sequence[str], timeout: int) -> CommandResult:
    """Run a read-only helper command in the C locale; a timeout is rc 124, like timeout(1)."""
    env = dict(os.environ, LC_ALL="C", LANG="C", SYSTEMD_PAGER="", PAGER="cat")
    try:
        proc = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return CommandResult(124, "", f"{argv[0]} timed out after {timeout}s")
    except OSError as exc:
        return CommandResult(127, "", str(exc))
    return CommandResult(proc.returncode, proc.stdout, proc.stderr)


def first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0].strip() if lines else ""


def collect_mounts(
    params: Mapping[str, Any], thresholds: Mapping[str, float | None], checks: Sequence[str]
) -> list[dict[str, Any]]:
    mounts, skipped = select_data_mounts(
        parse_mountinfo(read_text("/proc/self/mountinfo")),
        exclude=params["exclude_mounts"],
        include_network=params["include_network_mounts"],
    )
    results: list[dict[str, Any]] = []
    for mount in mounts:
        try:
            usage = fs_usage_from_statvfs(os.statvfs(mount.mount_point))
        except OSError as exc:
            for check in ("filesystems", "inodes"):
                if check in checks:
                    results.append(
                        result(
                            check,
                            UNKNOWN,
                            f"{mount.mount_point}: statvfs failed: {exc}",
                            item=mount.mount_point,
                        )
                    )
            continue
        if "filesystems" in checks:
            results.append(check_filesystem(mount, usage, thresholds))
        if "inodes" in checks:
            results.append(check_inodes(mount, usage, thresholds))
    if not mounts:
        for check in ("filesystems", "inodes"):
            if check in checks:
                results.append(result(check, UNKNOWN, "no data mounts found", details={"skipped": skipped}))
    return results


def collect_systemd(params: Mapping[str, Any], thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    if not os.path.isdir("/run/systemd/system"):
        return result("systemd", UNKNOWN, "systemd is not the init system (no /run/systemd/system)")
    systemctl = which("systemctl")
    if systemctl is None:
        return result("systemd", UNKNOWN, "systemctl not found")
    out = run(
        [systemctl, "list-units", "--state=failed", "--plain", "--no-legend", "--no-pager", "--full"],
        params["command_timeout"],
    )
    if out.rc != 0:
        return result("systemd", UNKNOWN, f"systemctl list-units failed (rc {out.rc}): {first_line(out.err)}")
    return check_failed_units(parse_failed_units(out.out), params["ignore_units"], thresholds)


def adjtimex_state() -> int | None:
    """adjtimex(2) with modes=0 reads the kernel clock state without changing anything."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    libc = ctypes.CDLL(libc_name, use_errno=True)
    buffer = ctypes.create_string_buffer(1024)  # struct timex is ~208 bytes; zeroed modes = read only
    state = int(libc.adjtimex(buffer))
    return None if state < 0 else state


def collect_time(params: Mapping[str, Any], thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    chronyc = which("chronyc")
    if chronyc is not None:
        out = run([chronyc, "-n", "tracking"], params["command_timeout"])
        if out.rc == 0:
            return check_time_chrony(parse_chronyc_tracking(out.out), thresholds)
    try:
        state = adjtimex_state()
    except (OSError, AttributeError):
        state = None
    if state is not None:
        return check_time_kernel(state, thresholds)
    timedatectl = which("timedatectl")
    if timedatectl is not None:
        out = run([timedatectl, "show"], params["command_timeout"])
        if out.rc == 0:
            return check_time_timedatectl(parse_key_values(out.out), thresholds)
    return result(
        "time_sync",
        WARN,
        "sync state unknown: no chronyc, adjtimex or timedatectl answered",
        warn=thresholds["time_offset_warn_ms"],
        crit=thresholds["time_offset_crit_ms"],
    )


def collect_reboot(params: Mapping[str, Any]) -> dict[str, Any]:
    flag = "/var/run/reboot-required"
    packages: list[str] = []
    exists = os.path.exists(flag)
    if exists and os.path.exists(flag + ".pkgs"):
        packages = sorted({line.strip() for line in read_text(flag + ".pkgs").splitlines() if line.strip()})
    debian = os.path.exists("/etc/debian_version")
    rc: int | None = None
    if not exists and not debian:
        tool = which("needs-restarting")
        if tool is not None:
            rc = run([tool, "-r"], params["command_timeout"]).rc
    return check_reboot(exists, packages, debian, rc)


def apt_lists_state(lists_dir: str = "/var/lib/apt/lists") -> tuple[float | None, bool]:
    """(age in days of the newest Release file, whether a security suite's lists are present)."""
    indexes = glob.glob(os.path.join(lists_dir, "*_Packages*"))
    if not indexes:
        return None, False
    releases = glob.glob(os.path.join(lists_dir, "*Release")) or indexes
    newest = max(os.path.getmtime(path) for path in releases)
    has_security = any("security" in os.path.basename(path) for path in indexes)
    return max(0.0, (time.time() - newest) / 86400.0), has_security


def collect_security_updates(
    params: Mapping[str, Any], thresholds: Mapping[str, float | None], *, check_mode: bool
) -> dict[str, Any]:
    apt_get = which("apt-get")
    warn, crit = thresholds["security_updates_warn"], thresholds["security_updates_crit"]
    if apt_get is None:
        return result(
            "security_updates",
            UNKNOWN,
            "apt-get not found: only apt hosts are supported",
            unit="packages",
            warn=warn,
            crit=crit,
        )
    notes = []
    if params["update_cache"] and not check_mode:
        update = run([apt_get, "update", "-qq"], params["command_timeout"])
        if update.rc != 0:
            notes.append(f"apt-get update failed (rc {update.rc}): {first_line(update.err)}")
    age, has_security = apt_lists_state()
    sim = run(
        [
            apt_get,
            "-s",
            "-qq",
            "-o",
            "Debug::NoLocking=true",
            "-o",
            "APT::Get::Show-User-Simulation-Note=false",
            "dist-upgrade",
        ],
        params["command_timeout"],
    )
    if sim.rc != 0:
        return result(
            "security_updates",
            UNKNOWN,
            f"apt-get -s dist-upgrade failed (rc {sim.rc}): {first_line(sim.err)}",
            unit="packages",
            warn=warn,
            crit=crit,
        )
    checked = check_security_updates(parse_apt_simulation(sim.out), age, has_security, thresholds)
    if notes:
        checked["status"] = worst([checked["status"], WARN])
        checked["message"] += "; " + "; ".join(notes)
    return checked


def socket_owners() -> dict[str, str]:
    """Socket inode → process name, for the processes we may look into (all of them as root)."""
    owners: dict[str, str] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
            comm = read_text(f"/proc/{pid}/comm").strip()
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"{fd_dir}/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                owners.setdefault(target[8:-1], comm)
    return owners


def collect_ports(params: Mapping[str, Any]) -> dict[str, Any]:
    listeners: list[Listener] = []
    for name in ("tcp", "tcp6", "udp", "udp6"):
        path = f"/proc/net/{name}"
        if os.path.exists(path):
            listeners.extend(parse_proc_net(read_text(path), name))
    return check_ports(listeners, socket_owners(), params["expected_ports"])


def guarded(check: str, func: Callable[[], Any]) -> list[dict[str, Any]]:
    """Run one check; an unexpected error makes that check UNKNOWN instead of failing the bundle."""
    try:
        produced = func()
    except Exception as exc:  # the bundle must survive one broken check
        return [result(check, UNKNOWN, f"check failed: {type(exc).__name__}: {exc}")]
    return produced if isinstance(produced, list) else [produced]


def summarise(results: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITY, 0)
    for item in results:
        counts[item["status"]] += 1
    return counts


def run_checks(
    params: Mapping[str, Any], thresholds: Mapping[str, float | None], *, check_mode: bool
) -> list[dict[str, Any]]:
    """Every check named in ``params["checks"]``; ``check_mode`` keeps even the apt cache as it is."""
    checks: Sequence[str] = params["checks"]
    results: list[dict[str, Any]] = []
    if "filesystems" in checks or "inodes" in checks:
        results += guarded("filesystems", lambda: collect_mounts(params, thresholds, checks))
    meminfo: dict[str, int] = {}
    if "memory" in checks or "swap" in checks:
        meminfo = parse_meminfo(read_text("/proc/meminfo"))
    if "memory" in checks:
        results += guarded("memory", lambda: check_memory(meminfo, thresholds))
    if "swap" in checks:
        results += guarded("swap", lambda: check_swap(meminfo, thresholds))
    if "load" in checks:
        results += guarded(
            "load",
            lambda: check_load(
                parse_loadavg(read_text("/proc/loadavg")), cpu_count(), params["load_window"], thresholds
            ),
        )
    if "systemd" in checks:
        results += guarded("systemd", lambda: collect_systemd(params, thresholds))
    if "time_sync" in checks:
        results += guarded("time_sync", lambda: collect_time(params, thresholds))
    if "reboot" in checks:
        results += guarded("reboot", lambda: collect_reboot(params))
    if "security_updates" in checks:
        results += guarded(
            "security_updates", lambda: collect_security_updates(params, thresholds, check_mode=check_mode)
        )
    if "ports" in checks:
        results += guarded("ports", lambda: collect_ports(params))
    return results


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def host_facts() -> dict[str, Any]:
    try:
        uptime = float(read_text("/proc/uptime").split()[0])
    except (OSError, ValueError, IndexError):
        uptime = None
    return {"cpus": cpu_count(), "uptime_seconds": uptime, "kernel": os.uname().release}
