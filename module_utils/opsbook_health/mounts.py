# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""Mounts: which filesystems hold data, and their space and inode checks (pure)."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, NamedTuple

from .status import OK, classify, human_bytes, level_suffix, percent, result

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


def _usage_result(
    check: str,
    mount: Mount,
    pct: float | None,
    *,
    used: str,
    thresholds: tuple[float | None, float | None],
    details: Mapping[str, Any],
    no_size: str,
) -> dict[str, Any]:
    """A filesystems/inodes result: ``pct`` used against (warn, crit); no size at all is OK."""
    warn, crit = thresholds
    mount_result = partial(
        result, check, item=mount.mount_point, unit="%", warn=warn, crit=crit, details=details
    )
    if pct is None:
        return mount_result(OK, f"{mount.mount_point} {no_size} ({mount.fstype})")
    status = classify(pct, warn, crit)
    return mount_result(
        status, f"{mount.mount_point} {pct:g}% {used}{level_suffix(status, warn, crit, '%')}", value=pct
    )


def check_filesystem(mount: Mount, usage: FsUsage, thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    usable = usage.used_bytes + usage.avail_bytes
    details = {
        "fstype": mount.fstype,
        "source": mount.source,
        "size_bytes": usage.size_bytes,
        "used_bytes": usage.used_bytes,
        "avail_bytes": usage.avail_bytes,
    }
    return _usage_result(
        "filesystems",
        mount,
        percent(usage.used_bytes, usable),
        used=f"used ({human_bytes(usage.used_bytes)} of {human_bytes(usable)})",
        thresholds=(thresholds["fs_warn_pct"], thresholds["fs_crit_pct"]),
        details=details,
        no_size="has no size",
    )


def check_inodes(mount: Mount, usage: FsUsage, thresholds: Mapping[str, float | None]) -> dict[str, Any]:
    details = {"fstype": mount.fstype, "inodes_total": usage.inodes_total, "inodes_used": usage.inodes_used}
    return _usage_result(
        "inodes",
        mount,
        percent(usage.inodes_used, usage.inodes_total),
        used=f"inodes used ({usage.inodes_used} of {usage.inodes_total})",
        thresholds=(thresholds["inode_warn_pct"], thresholds["inode_crit_pct"]),
        details=details,
        no_size="has no fixed inode table",
    )
