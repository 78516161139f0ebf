"""Stopping a running ansible-playbook *and everything it started* (Linux ``/proc``).

ansible-runner stops a run (timeout, cancel) by SIGKILLing ansible-playbook's process group.
Since ansible-core 2.19 every worker process calls ``setsid()`` (or ``setpgid``): workers and the
modules they run (a ``command: sleep 600``) live in groups of their own and would survive as
orphans. :func:`stop_process_tree` freezes ansible-playbook (so it forks no new worker) and kills
every descendant's process group; ansible-runner's own kill then ends ansible-playbook itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

_PROC = Path("/proc")


def _stat(pid_dir: Path) -> tuple[int, int] | None:
    """(ppid, pgid) of one /proc entry, or None if it vanished."""
    try:
        raw = (pid_dir / "stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2 :].split()  # after "pid (comm) ": state ppid pgrp session …
    return int(fields[1]), int(fields[2])


def children_map() -> dict[int, list[int]]:
    """Every live process's children, by parent pid."""
    children: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit() and (stat := _stat(entry)) is not None:
            children.setdefault(stat[0], []).append(int(entry.name))
    return children


def descendants(pid: int) -> list[int]:
    """All processes below ``pid`` (children, grandchildren …), parents before their children."""
    tree = children_map()
    found: list[int] = []
    queue = list(tree.get(pid, []))
    while queue:
        child = queue.pop(0)
        found.append(child)
        queue.extend(tree.get(child, []))
    return found


def stop_process_tree(root: int) -> list[int]:
    """Freeze ``root`` (SIGSTOP) and SIGKILL the process group of each of its descendants.

    ``root`` itself is left stopped for its owner to kill (ansible-runner does). Never touches the
    caller's own process group. Returns the process groups killed.
    """
    try:
        os.kill(root, signal.SIGSTOP)
        root_group = os.getpgid(root)
    except ProcessLookupError:
        return []
    spared = {root_group, os.getpgrp()}
    killed: list[int] = []
    for pid in descendants(root):
        try:
            group = os.getpgid(pid)
        except ProcessLookupError:
            continue
        if group in spared or group in killed:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
            killed.append(group)
    return killed
