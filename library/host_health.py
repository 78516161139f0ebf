#!/usr/bin/python
# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""host_health: the periodic-inspection bundle, every check in one module call."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: host_health
short_description: Inspect a Linux host in one call (disk, inodes, memory, load, units, time, updates, ports)
description:
  - Runs a bundle of read-only health checks on a Linux host and classifies each one as
    C(OK), C(WARN), C(CRIT) or C(UNKNOWN) against thresholds.
  - "Checks: filesystem usage and inode usage per data mount, memory and swap use, load per
    core, failed systemd units, time synchronisation, reboot required, pending security updates
    (apt) and listening TCP/UDP ports."
  - One call returns every check, so an inspection costs one round trip per host instead of one
    per check.
  - The module never changes the host and always returns C(changed=false). A check that cannot
    run on the host is C(UNKNOWN), never C(OK); a failing check does not stop the others.
  - "Data mounts: every mounted filesystem except pseudo filesystems (proc, sysfs, cgroup, devpts,
    ...), read-only image filesystems (squashfs, iso9660, erofs, ...), memory filesystems (tmpfs,
    ramfs) mounted under /dev, /run, /sys or /proc, overlay mounts other than C(/) (container
    runtime layers), mounts a container runtime makes for its containers (under
    /var/lib/docker, /var/lib/containers, /var/lib/kubelet/pods ...), bind mounts of single
    files and read-only tmpfs. So a tmpfs at /srv/data, /var/log or /tmp is a data mount, /run
    and /dev/shm are not. Network filesystems (nfs, cifs,
    ceph, glusterfs, fuse.sshfs ...) are skipped unless O(include_network_mounts=true), because
    C(statvfs) on a hung server blocks. Several mounts of one filesystem (bind mounts) are
    reported once."
version_added: "0.1.0"
author:
  - opsbook contributors
options:
  checks:
    description:
      - The checks to run. Default is all of them.
      - V(filesystems) and V(inodes) give one result per data mount; the others one result each.
    type: list
    elements: str
    choices: [filesystems, inodes, memory, swap, load, systemd, time_sync, reboot, security_updates, ports]
    default: [filesystems, inodes, memory, swap, load, systemd, time_sync, reboot, security_updates, ports]
  thresholds:
    description:
      - Warning and critical thresholds. Give only the keys you change; the others keep their
        defaults. A value reaching (>=) C(*_warn*) is C(WARN), reaching C(*_crit*) is C(CRIT).
      - Each value is a number (percent, count, ...), or V(null) to switch that level off. A
        value that is not a number, a negative value, an unknown key or a warning threshold above
        its critical threshold is an error.
    type: dict
    default: {}
    suboptions:
      fs_warn_pct:
        description: Filesystem space used, percent of the space non-root users can use (as C(df)).
        type: raw
        default: 80
      fs_crit_pct:
        description: Filesystem space used, percent, critical.
        type: raw
        default: 90
      inode_warn_pct:
        description: Inodes used, percent. Filesystems without a fixed inode table (btrfs) are C(OK).
        type: raw
        default: 80
      inode_crit_pct:
        description: Inodes used, percent, critical.
        type: raw
        default: 90
      mem_warn_pct:
        description: Memory used, percent of C(MemTotal), counting C(MemAvailable) as free.
        type: raw
        default: 90
      mem_crit_pct:
        description: Memory used, percent, critical.
        type: raw
        default: 95
      swap_warn_pct:
        description: Swap used, percent of C(SwapTotal). A host without swap is C(OK).
        type: raw
        default: 50
      swap_crit_pct:
        description: Swap used, percent, critical.
        type: raw
        default: 80
      load_per_core_warn:
        description: Load average (window O(load_window)) divided by the CPUs this process may run on.
        type: raw
        default: 1.0
      load_per_core_crit:
        description: Load per core, critical.
        type: raw
        default: 2.0
      failed_units_warn:
        description: Number of failed systemd units (after O(ignore_units)).
        type: raw
        default: 1
      failed_units_crit:
        description: Number of failed systemd units, critical. The default makes any failed unit critical.
        type: raw
        default: 1
      time_offset_warn_ms:
        description: Absolute clock offset from the time source, milliseconds (known with chrony only).
        type: raw
        default: 100
      time_offset_crit_ms:
        description: Absolute clock offset, milliseconds, critical.
        type: raw
        default: 1000
      security_updates_warn:
        description: Number of packages with a pending update from a security suite.
        type: raw
        default: 1
      security_updates_crit:
        description: Number of pending security updates, critical. Off by default.
        type: raw
      apt_lists_max_age_days:
        description:
          - Package lists older than this many days make the security-update check at least
            C(WARN), because its count may be too low.
        type: raw
        default: 7
  load_window:
    description: Which load average the load check classifies (1, 5 or 15 minutes); all three are returned.
    type: int
    choices: [1, 5, 15]
    default: 5
  exclude_mounts:
    description: Mount points to leave out, as shell patterns (C(fnmatch)), for example V(/mnt/backup*).
    type: list
    elements: str
    default: []
  include_network_mounts:
    description: Also inspect network filesystems (nfs, cifs, ceph, glusterfs, fuse.sshfs ...).
    type: bool
    default: false
  ignore_units:
    description:
      - Failed systemd units to ignore, as shell patterns, for example
        V(systemd-networkd-wait-online.service).
    type: list
    elements: str
    default: []
  expected_ports:
    description:
      - Ports that must be listening. V(22) means TCP or UDP port 22, V(tcp/443) and V(udp/123)
        name the protocol. A missing port is C(CRIT). Without this option the port check only
        lists what listens.
    type: list
    elements: str
    default: []
  update_cache:
    description:
      - Run C(apt-get update) before counting security updates. Off by default so that the
        inspection stays strictly read-only; skipped in check mode.
    type: bool
    default: false
  command_timeout:
    description:
      - Seconds each helper command (systemctl, apt-get, chronyc) may take before its check is
        C(UNKNOWN).
    type: int
    default: 30
notes:
  - Supports check mode; the result is the same with and without it.
  - "Time sync: C(chronyc tracking) when chrony is installed (gives the offset), else the
    kernel's clock discipline state (C(adjtimex), what C(timedatectl) reports as
    NTPSynchronized), else C(timedatectl show). Not synchronised is C(CRIT); undeterminable is
    C(WARN)."
  - "Reboot required: C(/var/run/reboot-required) on Debian and Ubuntu, C(needs-restarting -r) where
    it exists, else C(UNKNOWN)."
  - "Security updates: apt only. C(apt-get -s dist-upgrade) (a simulation, no lock taken) counts
    packages whose candidate comes from a C(*-security) suite. Without package lists, or without
    a security suite among them, the check is C(UNKNOWN)."
  - Listening ports are read from C(/proc/net/tcp), C(tcp6), C(udp), C(udp6); the owning process
    is named when the module runs as root.
  - "Status order, best to worst: OK, UNKNOWN, WARN, CRIT. The overall status is the worst."
requirements:
  - Linux with /proc; Python 3.9 or later on the host.
"""

EXAMPLES = r"""
- name: Inspect the host with the default thresholds
  host_health:
  register: health

- name: Inspect with thresholds from the inventory, only disk and memory
  host_health:
    checks: [filesystems, inodes, memory]
    thresholds: "{{ host_health_thresholds | default({}) }}"
    exclude_mounts: ["/mnt/iso*"]

- name: Require ssh and nginx to listen, ignore a known-flaky unit
  host_health:
    expected_ports: ["tcp/22", "tcp/80"]
    ignore_units: ["systemd-networkd-wait-online.service"]

- name: Fail the play when anything is critical
  ansible.builtin.assert:
    that: health.status != 'CRIT'
    fail_msg: "{{ health.checks | selectattr('status', 'eq', 'CRIT') | map(attribute='message') | list }}"
"""

RETURN = r"""
status:
  description: Overall status, the worst of all checks (OK < UNKNOWN < WARN < CRIT).
  returned: always
  type: str
  sample: WARN
summary:
  description: Number of check results per status.
  returned: always
  type: dict
  sample: {"OK": 9, "WARN": 1, "CRIT": 0, "UNKNOWN": 1}
checks:
  description: One entry per check and item (one per mount for filesystems and inodes).
  returned: always
  type: list
  elements: dict
  contains:
    check:
      description: The check's name, one of O(checks).
      type: str
      sample: filesystems
    item:
      description: What was checked within the check (the mount point for filesystems and inodes), else empty.
      type: str
      sample: /srv/data
    status:
      description: OK, WARN, CRIT or UNKNOWN.
      type: str
      sample: CRIT
    value:
      description: The measured value (percent, load per core, count, milliseconds), null when unknown.
      type: raw
      sample: 93.4
    unit:
      description: Unit of RV(checks[].value).
      type: str
      sample: "%"
    threshold:
      description: The warning and critical thresholds applied (null when a level is off or does not apply).
      type: dict
      sample: {"warn": 80.0, "crit": 90.0}
    message:
      description: One line for a human.
      type: str
      sample: "/srv/data 93.4% used (46.7 MiB of 50.0 MiB), critical at 90%"
    details:
      description: The check's raw data (bytes, inode counts, unit names, ports, package names ...).
      type: dict
      sample: {"size_bytes": 52428800, "used_bytes": 48968089, "fstype": "tmpfs"}
thresholds:
  description: The thresholds applied, defaults merged with O(thresholds).
  returned: always
  type: dict
  sample: {"fs_warn_pct": 80.0, "fs_crit_pct": 90.0, "security_updates_crit": null}
host:
  description: Facts the checks used.
  returned: always
  type: dict
  contains:
    cpus:
      description: CPUs this process may run on (the load check's divisor).
      type: int
      sample: 2
    uptime_seconds:
      description: Seconds since boot, from /proc/uptime.
      type: float
      sample: 86400.5
    kernel:
      description: Kernel release.
      type: str
      sample: 6.1.0-28-amd64
"""

import ctypes
import ctypes.util
import fnmatch
import glob
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from ansible.module_utils.basic import AnsibleModule

OK = "OK"
WARN = "WARN"
CRIT = "CRIT"
UNKNOWN = "UNKNOWN"
#: Best to worst. UNKNOWN ranks above OK: a check that could not run is never "fine".
SEVERITY = {OK: 0, UNKNOWN: 1, WARN: 2, CRIT: 3}

ALL_CHECKS = (
    "filesystems",
    "inodes",
    "memory",
    "swap",
    "load",
    "systemd",
    "time_sync",
    "reboot",
    "security_updates",
    "ports",
)

#: Single source of the default thresholds (DOCUMENTATION repeats them; a unit test keeps both equal).
DEFAULT_THRESHOLDS: dict[str, float | None] = {
    "fs_warn_pct": 80.0,
    "fs_crit_pct": 90.0,
    "inode_warn_pct": 80.0,
    "inode_crit_pct": 90.0,
    "mem_warn_pct": 90.0,
    "mem_crit_pct": 95.0,
    "swap_warn_pct": 50.0,
    "swap_crit_pct": 80.0,
    "load_per_core_warn": 1.0,
    "load_per_core_crit": 2.0,
    "failed_units_warn": 1.0,
    "failed_units_crit": 1.0,
    "time_offset_warn_ms": 100.0,
    "time_offset_crit_ms": 1000.0,
    "security_updates_warn": 1.0,
    "security_updates_crit": None,
    "apt_lists_max_age_days": 7.0,
}

#: (warn key, crit key) pairs: warn must not exceed crit.
THRESHOLD_PAIRS = (
    ("fs_warn_pct", "fs_crit_pct"),
    ("inode_warn_pct", "inode_crit_pct"),
    ("mem_warn_pct", "mem_crit_pct"),
    ("swap_warn_pct", "swap_crit_pct"),
    ("load_per_core_warn", "load_per_core_crit"),
    ("failed_units_warn", "failed_units_crit"),
    ("time_offset_warn_ms", "time_offset_crit_ms"),
    ("security_updates_warn", "security_updates_crit"),
)

# ---------------------------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------------------------


def worst(statuses: Iterable[str]) -> str:
    """The worst status of several (OK when there are none)."""
    result = OK
    for status in statuses:
        if SEVERITY[status] > SEVERITY[result]:
            result = status
    return result


def classify(value: float | None, warn: float | None, crit: float | None) -> str:
    """Higher is worse: CRIT at or above ``crit``, WARN at or above ``warn``; None disables a level."""
    if value is None:
        return UNKNOWN
    if crit is not None and value >= crit:
        return CRIT
    if warn is not None and value >= warn:
        return WARN
    return OK


def result(
    check: str,
    status: str,
    message: str,
    *,
    item: str = "",
    value: float | int | bool | None = None,
    unit: str = "",
    warn: float | None = None,
    crit: float | None = None,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One check result, in the shape RETURN documents."""
    return {
        "check": check,
        "item": item,
        "status": status,
        "value": value,
        "unit": unit,
        "threshold": {"warn": warn, "crit": crit},
        "message": message,
        "details": dict(details or {}),
    }


def validate_thresholds(thresholds: Mapping[str, float | None]) -> list[str]:
    """Problems with a thresholds dict (unknown keys, negative values, warn above crit)."""
    problems = []
    for key in sorted(set(thresholds) - set(DEFAULT_THRESHOLDS)):
        problems.append(f"unknown threshold {key!r}; known: {', '.join(sorted(DEFAULT_THRESHOLDS))}")
    for key, value in sorted(thresholds.items()):
        if value is not None and value < 0:
            problems.append(f"threshold {key} must not be negative (got {value})")
    for warn_key, crit_key in THRESHOLD_PAIRS:
        warn_value, crit_value = thresholds.get(warn_key), thresholds.get(crit_key)
        if warn_value is not None and crit_value is not None and warn_value > crit_value:
            problems.append(f"{warn_key} ({warn_value}) is above {crit_key} ({crit_value})")
    return problems


def merge_thresholds(overrides: Mapping[str, float | None] | None) -> dict[str, float | None]:
    """Defaults with the given keys replaced (None values in ``overrides`` switch a level off)."""
    merged = dict(DEFAULT_THRESHOLDS)
    merged.update(overrides or {})
    return merged


def coerce_thresholds(raw: Mapping[str, Any] | None) -> tuple[dict[str, float | None], list[str]]:
    """Numbers (or numeric strings from templating) to floats; None stays None (level off)."""
    values: dict[str, float | None] = {}
    problems = []
    for key, value in (raw or {}).items():
        if value is None:
            values[key] = None
            continue
        try:
            if isinstance(value, bool):
                raise TypeError
            values[key] = float(value)
        except (TypeError, ValueError):
            problems.append(f"threshold {key} must be a number or null (got {value!r})")
    return merge_thresholds(values), problems


def human_bytes(count: float) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PiB"  # pragma: no cover - unreachable, the loop returns at TiB


def fmt_num(value: float | None) -> str:
    if value is None:
        return "off"
    return f"{value:g}"


def level_suffix(status: str, warn: float | None, crit: float | None, unit: str = "", what: str = "") -> str:
    """``", critical at 90%"`` for a CRIT, ``", warning at 80%"`` for a WARN, "" otherwise."""
    if status == CRIT and crit is not None:
        return f", {what}critical at {fmt_num(crit)}{unit}"
    if status == WARN and warn is not None:
        return f", {what}warning at {fmt_num(warn)}{unit}"
    return ""


# ---------------------------------------------------------------------------------------------
# Mounts
# ---------------------------------------------------------------------------------------------

#: Kernel and virtual filesystems that hold no user data.
PSEUDO_FSTYPES = frozenset(
    [
        "autofs",
        "binfmt_misc",
        "bpf",
        "cgroup",
        "cgroup2",
        "configfs",
        "debugfs",
        "devpts",
        "devtmpfs",
        "efivarfs",
        "fuse.gvfsd-fuse",
        "fuse.lxcfs",
        "fuse.portal",
        "fusectl",
        "hugetlbfs",
        "mqueue",
        "nsfs",
        "proc",
        "pstore",
        "rpc_pipefs",
        "securityfs",
        "selinuxfs",
        "sysfs",
        "tracefs",
    ]
)
#: Read-only images: always 100 % full by construction.
IMAGE_FSTYPES = frozenset({"squashfs", "iso9660", "udf", "erofs", "cramfs"})
#: Memory-backed filesystems: data mounts unless they hold runtime state (see RUNTIME_PREFIXES).
MEMORY_FSTYPES = frozenset({"tmpfs", "ramfs"})
RUNTIME_PREFIXES = ("/dev", "/run", "/sys", "/proc", "/var/run", "/var/lock")
#: Container runtimes' own mounts (per-container /dev/shm, secrets, layers): not the host's data.
CONTAINER_RUNTIME_PATTERNS = (
    "/var/lib/docker/*",
    "/var/lib/containers/*",
    "/run/containers/*",
    "/var/lib/kubelet/pods/*",
    "*/overlay-containers/*/userdata/*",
)
NETWORK_FSTYPES = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "fuse.glusterfs", "9p", "afs", "lustre"}
)


class Mount(NamedTuple):
    mount_point: str
    fstype: str
    source: str
    device: str  # major:minor
    root: str  # the path inside the filesystem that is mounted here ("/" unless a bind mount)
    options: tuple[str, ...]


_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


def unescape_mount_field(text: str) -> str:
    r"""/proc/self/mountinfo escapes space, tab, newline and backslash as \040, \011, \012, \134."""
    return _OCTAL_ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), text)


def parse_mountinfo(text: str) -> list[Mount]:
    """Parse /proc/self/mountinfo (see proc(5)); malformed lines are skipped."""
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields = left.split()
        tail = right.split()
        if len(fields) < 6 or len(tail) < 2:
            continue
        mounts.append(
            Mount(
                mount_point=unescape_mount_field(fields[4]),
                fstype=tail[0],
                source=unescape_mount_field(tail[1]),
                device=fields[2],
                root=unescape_mount_field(fields[3]),
                options=tuple(fields[5].split(",")),
            )
        )
    return mounts


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def mount_skip_reason(mount: Mount, exclude: Sequence[str] = (), include_network: bool = False) -> str:
    """Why a mount is not a data mount, or "" when it is one."""
    fstype = mount.fstype
    if any(fnmatch.fnmatchcase(mount.mount_point, pattern) for pattern in exclude):
        return "excluded"
    if fstype in PSEUDO_FSTYPES:
        return "pseudo filesystem"
    if any(fnmatch.fnmatchcase(mount.mount_point, pattern) for pattern in CONTAINER_RUNTIME_PATTERNS):
        return "container runtime"
    if fstype in IMAGE_FSTYPES:
        return "read-only image"
    if fstype in MEMORY_FSTYPES:
        if any(_under(mount.mount_point, prefix) for prefix in RUNTIME_PREFIXES):
            return "runtime tmpfs"
        if "ro" in mount.options:
            return "read-only tmpfs"
    if fstype == "overlay" and mount.mount_point != "/":
        return "container layer"
    if (fstype in NETWORK_FSTYPES or fstype.startswith("fuse.")) and not include_network:
        return "network filesystem"
    return ""


def select_data_mounts(
    mounts: Sequence[Mount],
    exclude: Sequence[str] = (),
    include_network: bool = False,
    is_dir: Callable[[str], bool] = os.path.isdir,
) -> tuple[list[Mount], dict[str, str]]:
    """The data mounts to inspect, one per filesystem, and the skipped mount points with reasons.

    Bind mounts of single files (a container's /etc/hosts) are skipped. When a filesystem is
    mounted several times (same major:minor), the mount of its root wins, then the shortest path.
    Later mounts on the same mount point hide earlier ones, as in the kernel.
    """
    visible: dict[str, Mount] = {}
    for mount in mounts:
        visible.pop(mount.mount_point, None)
        visible[mount.mount_point] = mount
    skipped: dict[str, str] = {}
    by_device: dict[str, Mount] = {}
    for mount in visible.values():
        reason = mount_skip_reason(mount, exclude, include_network)
        if not reason and not is_dir(mount.mount_point):
            reason = "not a directory"
        if reason:
            skipped[mount.mount_point] = reason
            continue
        current = by_device.get(mount.device)
        if current is None:
            by_device[mount.device] = mount
            continue
        rank_new = (len(mount.root), len(mount.mount_point), mount.mount_point)
        rank_old = (len(current.root), len(current.mount_point), current.mount_point)
        keep, drop = (mount, current) if rank_new < rank_old else (current, mount)
        by_device[mount.device] = keep
        skipped[drop.mount_point] = f"same filesystem as {keep.mount_point}"
    return sorted(by_device.values(), key=lambda m: m.mount_point), skipped


class FsUsage(NamedTuple):
    size_bytes: int
    used_bytes: int
    avail_bytes: int
    inodes_total: int
    inodes_used: int


def fs_usage_from_statvfs(st: Any) -> FsUsage:
    """Space as ``df`` counts it: used / (used + available to non-root) — reserved blocks excluded."""
    frsize = st.f_frsize or st.f_bsize
    size = st.f_blocks * frsize
    used = (st.f_blocks - st.f_bfree) * frsize
    avail = st.f_bavail * frsize
    return FsUsage(size, used, avail, st.f_files, st.f_files - st.f_ffree)


def percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole > 0 else None


def check_filesystem(mount: Mount, usage: FsUsage, thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    warn, crit = thresholds["fs_warn_pct"], thresholds["fs_crit_pct"]
    usable = usage.used_bytes + usage.avail_bytes
    pct = percent(usage.used_bytes, usable)
    details = {
        "fstype": mount.fstype,
        "source": mount.source,
        "size_bytes": usage.size_bytes,
        "used_bytes": usage.used_bytes,
        "avail_bytes": usage.avail_bytes,
    }
    if pct is None:
        return result(
            "filesystems",
            OK,
            f"{mount.mount_point} has no size ({mount.fstype})",
            item=mount.mount_point,
            unit="%",
            warn=warn,
            crit=crit,
            details=details,
        )
    status = classify(pct, warn, crit)
    message = (
        f"{mount.mount_point} {pct:g}% used ({human_bytes(usage.used_bytes)} of {human_bytes(usable)})"
        f"{level_suffix(status, warn, crit, '%')}"
    )
    return result(
        "filesystems",
        status,
        message,
        item=mount.mount_point,
        value=pct,
        unit="%",
        warn=warn,
        crit=crit,
        details=details,
    )


def check_inodes(mount: Mount, usage: FsUsage, thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    warn, crit = thresholds["inode_warn_pct"], thresholds["inode_crit_pct"]
    details = {"fstype": mount.fstype, "inodes_total": usage.inodes_total, "inodes_used": usage.inodes_used}
    pct = percent(usage.inodes_used, usage.inodes_total)
    if pct is None:
        return result(
            "inodes",
            OK,
            f"{mount.mount_point} has no fixed inode table ({mount.fstype})",
            item=mount.mount_point,
            unit="%",
            warn=warn,
            crit=crit,
            details=details,
        )
    status = classify(pct, warn, crit)
    message = (
        f"{mount.mount_point} {pct:g}% inodes used ({usage.inodes_used} of {usage.inodes_total})"
        f"{level_suffix(status, warn, crit, '%')}"
    )
    return result(
        "inodes",
        status,
        message,
        item=mount.mount_point,
        value=pct,
        unit="%",
        warn=warn,
        crit=crit,
        details=details,
    )


# ---------------------------------------------------------------------------------------------
# Memory, swap, load
# ---------------------------------------------------------------------------------------------


def parse_meminfo(text: str) -> dict[str, int]:
    """/proc/meminfo as bytes per key."""
    values = {}
    for line in text.splitlines():
        key, sep, rest = line.partition(":")
        parts = rest.split()
        if not sep or not parts or not parts[0].isdigit():
            continue
        factor = 1024 if len(parts) > 1 and parts[1].lower() == "kb" else 1
        values[key.strip()] = int(parts[0]) * factor
    return values


def check_memory(meminfo: Mapping[str, int], thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    warn, crit = thresholds["mem_warn_pct"], thresholds["mem_crit_pct"]
    total = meminfo.get("MemTotal", 0)
    if "MemAvailable" in meminfo:
        available = meminfo["MemAvailable"]
    else:  # kernels before 3.14
        available = sum(meminfo.get(k, 0) for k in ("MemFree", "Buffers", "Cached"))
    pct = percent(total - available, total)
    details = {"total_bytes": total, "available_bytes": available}
    if pct is None:
        return result(
            "memory", UNKNOWN, "MemTotal missing from /proc/meminfo", unit="%", warn=warn, crit=crit
        )
    status = classify(pct, warn, crit)
    message = (
        f"{pct:g}% memory used ({human_bytes(total - available)} of {human_bytes(total)})"
        f"{level_suffix(status, warn, crit, '%')}"
    )
    return result("memory", status, message, value=pct, unit="%", warn=warn, crit=crit, details=details)


def check_swap(meminfo: Mapping[str, int], thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    warn, crit = thresholds["swap_warn_pct"], thresholds["swap_crit_pct"]
    total, free = meminfo.get("SwapTotal", 0), meminfo.get("SwapFree", 0)
    details = {"total_bytes": total, "free_bytes": free}
    if total == 0:
        return result(
            "swap", OK, "no swap configured", value=0.0, unit="%", warn=warn, crit=crit, details=details
        )
    pct = percent(total - free, total)
    status = classify(pct, warn, crit)
    message = (
        f"{pct:g}% swap used ({human_bytes(total - free)} of {human_bytes(total)})"
        f"{level_suffix(status, warn, crit, '%')}"
    )
    return result("swap", status, message, value=pct, unit="%", warn=warn, crit=crit, details=details)


def parse_loadavg(text: str) -> tuple[float, float, float]:
    parts = text.split()
    if len(parts) < 3:
        raise ValueError(f"unexpected /proc/loadavg content: {text!r}")
    return float(parts[0]), float(parts[1]), float(parts[2])


def check_load(
    loads: tuple[float, float, float], cpus: int, window: int, thresholds: Mapping[str, float | None]
) -> dict[str, Any]:
    warn, crit = thresholds["load_per_core_warn"], thresholds["load_per_core_crit"]
    cpus = max(cpus, 1)
    per_core = [round(load / cpus, 2) for load in loads]
    value = per_core[{1: 0, 5: 1, 15: 2}[window]]
    status = classify(value, warn, crit)
    message = (
        f"load per core {per_core[0]:g} / {per_core[1]:g} / {per_core[2]:g} (1/5/15 min, {cpus} CPUs)"
        f"{level_suffix(status, warn, crit, what=f'{window}-min load ')}"
    )
    details = {
        "load1": loads[0],
        "load5": loads[1],
        "load15": loads[2],
        "per_core": per_core,
        "cpus": cpus,
        "window": window,
    }
    return result(
        "load", status, message, value=value, unit="per core", warn=warn, crit=crit, details=details
    )


# ---------------------------------------------------------------------------------------------
# systemd
# ---------------------------------------------------------------------------------------------


def parse_failed_units(text: str) -> list[str]:
    """Unit names from ``systemctl list-units --state=failed --plain --no-legend``."""
    units = []
    for line in text.splitlines():
        words = line.replace("\u25cf", " ").replace("*", " ", 1).split()
        if words and "." in words[0]:
            units.append(words[0])
    return units


def check_failed_units(
    units: Sequence[str], ignore: Sequence[str], thresholds: Mapping[str, float | None]
) -> dict[str, Any]:
    warn, crit = thresholds["failed_units_warn"], thresholds["failed_units_crit"]
    ignored = [u for u in units if any(fnmatch.fnmatchcase(u, p) for p in ignore)]
    failed = [u for u in units if u not in ignored]
    status = classify(len(failed), warn, crit)
    if failed:
        message = f"{len(failed)} failed unit{'s' if len(failed) != 1 else ''}: {', '.join(failed)}"
    else:
        message = "no failed units"
    if ignored:
        message += f" ({len(ignored)} ignored)"
    details = {"failed": failed, "ignored": ignored}
    return result(
        "systemd", status, message, value=len(failed), unit="units", warn=warn, crit=crit, details=details
    )


# ---------------------------------------------------------------------------------------------
# Time sync
# ---------------------------------------------------------------------------------------------

#: adjtimex(2) clock state meaning "not synchronised" (STA_UNSYNC set).
TIME_ERROR = 5


def parse_chronyc_tracking(text: str) -> dict[str, Any]:
    """``chronyc tracking``: leap status, stratum, reference, offset in seconds (+ = fast)."""
    data: dict[str, Any] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if key == "Leap status":
            data["leap_status"] = value
        elif key == "Stratum" and value.isdigit():
            data["stratum"] = int(value)
        elif key == "Reference ID":
            data["reference"] = value
        elif key == "System time":
            match = re.match(r"([0-9.]+) seconds (fast|slow)", value)
            if match:
                seconds = float(match.group(1))
                data["offset_seconds"] = seconds if match.group(2) == "fast" else -seconds
    return data


def parse_key_values(text: str) -> dict[str, str]:
    """KEY=VALUE lines (``timedatectl show``, os-release)."""
    data = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            data[key.strip()] = value.strip().strip('"')
    return data


def check_time_chrony(tracking: Mapping[str, Any], thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    warn, crit = thresholds["time_offset_warn_ms"], thresholds["time_offset_crit_ms"]
    details = dict(tracking, source="chronyc tracking")
    leap = tracking.get("leap_status", "")
    if not leap:
        return result(
            "time_sync",
            WARN,
            "chronyc tracking gave no leap status: sync state unknown",
            unit="ms",
            warn=warn,
            crit=crit,
            details=details,
        )
    if leap.lower().startswith("not sync"):
        return result(
            "time_sync",
            CRIT,
            "clock not synchronised (chrony: Leap status Not synchronised)",
            unit="ms",
            warn=warn,
            crit=crit,
            details=details,
        )
    offset = tracking.get("offset_seconds")
    if offset is None:
        return result(
            "time_sync",
            OK,
            f"synchronised (chrony, leap status {leap})",
            unit="ms",
            warn=warn,
            crit=crit,
            details=details,
        )
    offset_ms = round(abs(offset) * 1000.0, 3)
    status = classify(offset_ms, warn, crit)
    message = (
        f"synchronised to {tracking.get('reference', '?')}, offset {offset_ms:g} ms"
        f"{level_suffix(status, warn, crit, ' ms')}"
    )
    return result(
        "time_sync", status, message, value=offset_ms, unit="ms", warn=warn, crit=crit, details=details
    )


def check_time_kernel(state: int, thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    """Classify the adjtimex(2) return value (what timedatectl shows as NTPSynchronized)."""
    warn, crit = thresholds["time_offset_warn_ms"], thresholds["time_offset_crit_ms"]
    details = {"source": "adjtimex", "clock_state": state}
    if state == TIME_ERROR:
        return result(
            "time_sync",
            CRIT,
            "clock not synchronised (kernel clock state TIME_ERROR)",
            value=False,
            warn=warn,
            crit=crit,
            details=details,
        )
    if 0 <= state < TIME_ERROR:
        return result(
            "time_sync",
            OK,
            "synchronised (kernel clock discipline)",
            value=True,
            warn=warn,
            crit=crit,
            details=details,
        )
    return result(
        "time_sync",
        WARN,
        f"sync state unknown (adjtimex returned {state})",
        warn=warn,
        crit=crit,
        details=details,
    )


def check_time_timedatectl(
    props: Mapping[str, str], thresholds: Mapping[str, float | None]
) -> dict[str, Any]:
    warn, crit = thresholds["time_offset_warn_ms"], thresholds["time_offset_crit_ms"]
    details = dict(props, source="timedatectl show")
    synced = props.get("NTPSynchronized")
    if synced == "yes":
        return result(
            "time_sync", OK, "synchronised (timedatectl)", value=True, warn=warn, crit=crit, details=details
        )
    if synced == "no":
        service = "NTP service active" if props.get("NTP") == "yes" else "no NTP service active"
        return result(
            "time_sync",
            CRIT,
            f"clock not synchronised (timedatectl; {service})",
            value=False,
            warn=warn,
            crit=crit,
            details=details,
        )
    return result(
        "time_sync",
        WARN,
        "sync state unknown (timedatectl gave no NTPSynchronized)",
        warn=warn,
        crit=crit,
        details=details,
    )


# ---------------------------------------------------------------------------------------------
# Reboot required
# ---------------------------------------------------------------------------------------------


def check_reboot(
    flag_exists: bool, packages: Sequence[str], debian_family: bool, needs_restarting_rc: int | None
) -> dict[str, Any]:
    if flag_exists:
        names = ", ".join(packages[:10]) + (" ..." if len(packages) > 10 else "")
        message = "reboot required (/var/run/reboot-required)" + (f" by {names}" if names else "")
        return result("reboot", WARN, message, value=True, details={"packages": list(packages)})
    if debian_family:
        return result("reboot", OK, "no reboot required", value=False, details={"packages": []})
    if needs_restarting_rc == 1:
        return result("reboot", WARN, "reboot required (needs-restarting -r)", value=True)
    if needs_restarting_rc == 0:
        return result("reboot", OK, "no reboot required (needs-restarting -r)", value=False)
    return result(
        "reboot", UNKNOWN, "cannot tell: no /var/run/reboot-required convention and no needs-restarting"
    )


# ---------------------------------------------------------------------------------------------
# Security updates (apt)
# ---------------------------------------------------------------------------------------------

_APT_INST = re.compile(
    r"^Inst (?P<name>\S+) (?:\[(?P<old>[^\]]*)\] )?\((?P<new>\S+) (?P<origins>.*?) \[[^\]]*\]\)"
)


class AptUpgrade(NamedTuple):
    package: str
    installed: str
    candidate: str
    origins: tuple[str, ...]

    @property
    def security(self) -> bool:
        for origin in self.origins:
            archive, _, suite = origin.partition("/")
            if suite.endswith("-security") or archive.split(":")[0].lower().endswith("-security"):
                return True
        return False


def parse_apt_simulation(text: str) -> list[AptUpgrade]:
    """``Inst`` lines of ``apt-get -s dist-upgrade``; each origin is ``Label:Version/Suite``."""
    upgrades = []
    for line in text.splitlines():
        match = _APT_INST.match(line)
        if match:
            origins = tuple(o.strip() for o in match.group("origins").split(",") if o.strip())
            upgrades.append(
                AptUpgrade(match.group("name"), match.group("old") or "", match.group("new"), origins)
            )
    return upgrades


def check_security_updates(
    upgrades: Sequence[AptUpgrade],
    lists_age_days: float | None,
    has_security_source: bool,
    thresholds: Mapping[str, float | None],
) -> dict[str, Any]:
    warn, crit = thresholds["security_updates_warn"], thresholds["security_updates_crit"]
    max_age = thresholds["apt_lists_max_age_days"]
    if lists_age_days is None:
        return result(
            "security_updates",
            UNKNOWN,
            "no apt package lists on the host: run apt-get update (or set update_cache)",
            unit="packages",
            warn=warn,
            crit=crit,
        )
    if not has_security_source:
        return result(
            "security_updates",
            UNKNOWN,
            "no security suite in the apt sources: pending security updates cannot be counted",
            unit="packages",
            warn=warn,
            crit=crit,
            details={"upgradable": len(upgrades)},
        )
    security = sorted({u.package for u in upgrades if u.security})
    status = classify(len(security), warn, crit)
    if security:
        names = ", ".join(security[:5]) + (" ..." if len(security) > 5 else "")
        message = f"{len(security)} security update{'s' if len(security) != 1 else ''} pending ({names})"
    else:
        message = "no security updates pending"
    message += f"; {len(upgrades)} upgradable in all"
    age = round(lists_age_days, 1)
    if max_age is not None and lists_age_days > max_age:
        status = worst([status, WARN])
        message += f"; package lists are {age:g} days old (max {fmt_num(max_age)}), the count may be low"
    details = {"security": security, "upgradable": len(upgrades), "lists_age_days": age}
    return result(
        "security_updates",
        status,
        message,
        value=len(security),
        unit="packages",
        warn=warn,
        crit=crit,
        details=details,
    )


# ---------------------------------------------------------------------------------------------
# Listening ports
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# I/O: everything below reads the host
# ---------------------------------------------------------------------------------------------


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
    module: AnsibleModule, params: Mapping[str, Any], thresholds: Mapping[str, float | None]
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
    if params["update_cache"] and not module.check_mode:
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
    module: AnsibleModule, params: Mapping[str, Any], thresholds: Mapping[str, float | None]
) -> list[dict[str, Any]]:
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
        results += guarded("security_updates", lambda: collect_security_updates(module, params, thresholds))
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


def argument_spec() -> dict[str, Any]:
    threshold_options = {
        # raw, not float: an explicit null must reach the module to switch a level off
        key: ({"type": "raw", "default": value} if value is not None else {"type": "raw"})
        for key, value in DEFAULT_THRESHOLDS.items()
    }
    return {
        "checks": {
            "type": "list",
            "elements": "str",
            "choices": list(ALL_CHECKS),
            "default": list(ALL_CHECKS),
        },
        "thresholds": {"type": "dict", "default": {}, "options": threshold_options, "apply_defaults": True},
        "load_window": {"type": "int", "choices": [1, 5, 15], "default": 5},
        "exclude_mounts": {"type": "list", "elements": "str", "default": []},
        "include_network_mounts": {"type": "bool", "default": False},
        "ignore_units": {"type": "list", "elements": "str", "default": []},
        "expected_ports": {"type": "list", "elements": "str", "default": []},
        "update_cache": {"type": "bool", "default": False},
        "command_timeout": {"type": "int", "default": 30},
    }


def main() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params: dict[str, Any] = dict(module.params)
    thresholds, problems = coerce_thresholds(params["thresholds"])
    problems += validate_thresholds(thresholds)
    for spec in params["expected_ports"]:
        try:
            parse_expected_port(spec)
        except ValueError as exc:
            problems.append(str(exc))
    if params["command_timeout"] <= 0:
        problems.append("command_timeout must be a positive number of seconds")
    if problems:
        module.fail_json(msg="host_health: " + "; ".join(problems), changed=False)
    results = run_checks(module, params, thresholds)
    module.exit_json(
        changed=False,
        status=worst(r["status"] for r in results),
        summary=summarise(results),
        checks=results,
        host=host_facts(),
        thresholds=thresholds,
    )


if __name__ == "__main__":
    main()
