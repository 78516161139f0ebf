"""A lock per target for changing runs: ``<state>/locks/<target>.lock``, taken with ``flock``.

A changing run takes the locks of all its targets (sorted, all or none) before its plan and
keeps them until its record is written; read-only runs and check-mode plans take none, so they
may overlap anything. The kernel releases a ``flock`` when its holder exits, however it exits
(return, exception, SIGKILL), so a lock can never outlive its process. The file keeps the holder
(run id, pid, user, since, what): a second run is refused with that holder named; a file still
naming a holder whose lock the kernel already released is a stale lock of a dead (or killed)
run, taken over and reported.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import os
import re
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from opsbook.base.clock import now_iso
from opsbook.errors import OpsbookError

LOCK_DIR = "locks"
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


class TargetBusy(OpsbookError):
    """Another changing run holds a target's lock; nothing was run."""

    exit_code = 10  # ExitCode.LOCKED (opsbook.runbooks.exitcodes)


@dataclass(frozen=True)
class Holder:
    run_id: str
    pid: int
    user: str
    since: str
    what: str
    machine: str = ""

    def describe(self) -> str:
        where = f" on {self.machine}" if self.machine and self.machine != socket.gethostname() else ""
        return f"run {self.run_id} ({self.what}) by {self.user}, pid {self.pid}{where}, since {self.since}"


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def new_holder(run_id: str, what: str) -> Holder:
    return Holder(run_id, os.getpid(), current_user(), now_iso(), what, socket.gethostname())


def lock_path(folder: Path, target: str) -> Path:
    """One file per target; names that are not plain file names get a hash suffix."""
    safe = _SAFE.sub("_", target)
    if safe != target or safe.startswith("."):
        safe = f"{safe.lstrip('.')}-{hashlib.sha256(target.encode()).hexdigest()[:8]}"
    return folder / LOCK_DIR / f"{safe}.lock"


def _read_holder(fd: int) -> Holder | None:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = os.read(fd, 65536)
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
        return Holder(**{k: data[k] for k in Holder.__dataclass_fields__ if k in data})
    except (ValueError, TypeError, KeyError):
        return None


def _write_holder(fd: int, holder: Holder) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (json.dumps(asdict(holder)) + "\n").encode())
    os.fsync(fd)


@dataclass
class Held:
    """The locks one run holds, and the stale ones it took over (for the record)."""

    targets: list[str]
    taken_over: list[str]


def _open(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


@contextmanager
def target_locks(state: Path, targets: Sequence[str], holder: Holder) -> Iterator[Held]:
    """Hold the locks of all ``targets`` for the ``with`` block, or raise :class:`TargetBusy`."""
    held: list[tuple[str, int]] = []
    taken_over: list[str] = []
    try:
        for target in sorted(set(targets)):
            path = lock_path(state, target)
            try:
                fd = _open(path)
            except OSError as exc:
                raise OpsbookError(
                    f"cannot create the lock file {path}: {exc.strerror}; nothing was run",
                    hint="check that the state folder is writable and not full",
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                other = _read_holder(fd)
                os.close(fd)
                who = other.describe() if other else "another changing run (it is still starting)"
                raise TargetBusy(
                    f"{target} is being changed by {who}; nothing was run",
                    hint=f"wait for that run to end (`opsbook history list`) and try again; lock file {path}",
                ) from None
            held.append((target, fd))
            stale = _read_holder(fd)
            if stale is not None:
                taken_over.append(f"{target}: {stale.describe()} ended without releasing its lock")
            _write_holder(fd, holder)
        yield Held([t for t, _ in held], taken_over)
    finally:
        for _, fd in reversed(held):
            try:
                os.ftruncate(fd, 0)
            finally:
                os.close(fd)  # closing the last descriptor releases the flock
