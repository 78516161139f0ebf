"""Checking a path argument before it is used: what is wrong with it, in words, or nothing.

Every path a user gives (``-i``, a playbook, a folder) is checked with :func:`path_problem`
before anything reads it, so that ``-i /dev/null``, a FIFO, a missing or unreadable file is a
clear sentence rather than a traceback from deep inside a reader. Callers turn the sentence
into their own error (this module imports nothing of opsbook's).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Literal

Want = Literal["file", "folder", "file or folder"]


def path_problem(path: Path, want: Want = "file or folder") -> str | None:
    """None when ``path`` is an existing, readable ``want``; else what is wrong with it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            return f"{path} is a link to {os.readlink(path)}, which does not exist"
        return f"{path} does not exist"
    except NotADirectoryError:
        return f"{path} does not exist (a part of it is a file, not a folder)"
    except PermissionError:
        return f"{path} cannot be reached: permission denied on a folder above it"
    except OSError as exc:
        return f"{path} cannot be read: {exc.strerror or exc}"
    mode = info.st_mode
    is_file, is_dir = stat.S_ISREG(mode), stat.S_ISDIR(mode)
    if not (is_file or is_dir):
        kind = _special_kind(mode)
        return f"{path} is {kind}, not a {want}"
    if want == "file" and not is_file:
        return f"{path} is a folder, not a file"
    if want == "folder" and not is_dir:
        return f"{path} is a file, not a folder"
    if not os.access(path, os.R_OK | (os.X_OK if is_dir else 0)):
        return f"{path} is not readable (permission denied)"
    return None


def _special_kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"
