"""The state folder (``.opsbook/``: runs, reports, audits) is checked before any host is touched.

:func:`preflight_state` proves a folder can take a run's records: it exists or can be made, a
file can be created, written, synced and removed in it, and the file system has free space
and inodes left. A read-only or full state folder is then a clear error *before* ansible
starts, not a traceback after 44 tasks ran on a host. Every job that writes under the state
folder (runner, runbook engine, audit, health) calls it first.

:func:`write_failure` turns an ``OSError`` met while writing a record into an error that says
what was written, what was not, and what to do.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from opsbook.errors import OpsbookError

#: Less free space than this and no run starts: a run's artifacts are a few MB, its events more.
MIN_FREE_BYTES = 64 * 1024 * 1024
#: Less free inodes than this and no run starts (a run writes one file per event).
MIN_FREE_INODES = 2000
_PROBE_NAME = ".opsbook-preflight"


class StateFolderError(OpsbookError):
    """The state folder cannot take records: read-only, full, not a folder, no permission."""


def preflight_state(
    folder: Path, *, min_free_bytes: int = MIN_FREE_BYTES, min_free_inodes: int = MIN_FREE_INODES
) -> Path:
    """Check that ``folder`` (made if missing) can take new records; return it.

    Raises :class:`StateFolderError` naming the folder, what is wrong and what to do.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StateFolderError(
            f"State folder {folder} is a file, not a folder: opsbook cannot keep its records there.",
            hint="Move that file away, or point opsbook at another state folder.",
        ) from None
    except OSError as exc:
        raise _error(folder, exc) from None
    probe = folder / f"{_PROBE_NAME}-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"opsbook preflight\n")
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise _error(folder, exc) from None
    finally:
        probe.unlink(missing_ok=True)
    free = shutil.disk_usage(folder).free
    if free < min_free_bytes:
        raise StateFolderError(
            f"State folder {folder} has only {_size(free)} free (a run needs at least "
            f"{_size(min_free_bytes)}): nothing was started.",
            hint=_full_hint(folder),
        )
    stats = os.statvfs(folder)
    if stats.f_files and stats.f_favail < min_free_inodes:
        raise StateFolderError(
            f"State folder {folder} has only {stats.f_favail} free inodes (files) left: nothing was started.",
            hint=_full_hint(folder),
        )
    return folder


def _full_hint(folder: Path) -> str:
    return (
        f"Free space on that file system (see `opsbook history`; run folders you no longer need "
        f"are under {folder}), then run again."
    )


def _error(folder: Path, exc: OSError) -> StateFolderError:
    if exc.errno in (errno.EROFS,):
        return StateFolderError(
            f"State folder {folder} is on a read-only file system: opsbook cannot record a run, so "
            "nothing was started.",
            hint="Remount it read-write or point opsbook at a writable state folder, then run again.",
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StateFolderError(
            f"State folder {folder} is full ({exc.strerror}): nothing was started.",
            hint=_full_hint(folder),
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StateFolderError(
            f"State folder {folder} is not writable for this user ({exc.strerror}): nothing was started.",
            hint=f"Give this user write permission on {folder}, or run as the user who owns it.",
        )
    return StateFolderError(
        f"State folder {folder} cannot take records ({exc.strerror or exc}): nothing was started.",
        hint="Check the folder and its file system, then run again.",
    )


def write_failure(what: Path, exc: OSError, *, done: str, folder: Path | None = None) -> OpsbookError:
    """An error for a record that could not be written: ``done`` says what already happened;
    ``folder`` is the state folder the hint points to (default: the folder of ``what``)."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = (
            _full_hint(folder or what.parent).removesuffix(", then run again.")
            + "; earlier records are intact."
        )
    elif exc.errno == errno.EROFS:
        hint = "The file system became read-only: remount it read-write; earlier records are intact."
    else:
        hint = "Fix the folder's permissions or file system; earlier records are intact."
    return OpsbookError(f"Could not write {what}: {reason}. {done}", hint=hint)


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"
