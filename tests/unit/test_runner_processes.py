"""Stopping a process tree whose children sit in sessions of their own (as ansible's workers do)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from opsbook.runner.processes import descendants, stop_process_tree

# A parent that starts a child in a new session (like an ansible worker), which starts a grandchild.
TREE = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(60); sys.exit(0)
    time.sleep(60); sys.exit(0)
print("ready", flush=True)
time.sleep(60)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_stop_process_tree_kills_descendants_in_other_sessions_and_freezes_the_root() -> None:
    root = subprocess.Popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE, text=True)
    try:
        assert root.stdout is not None and root.stdout.readline() == "ready\n"
        deadline = time.monotonic() + 10
        while len(tree := descendants(root.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(tree) == 2
        child, grandchild = tree
        assert os.getsid(child) == child != os.getsid(root.pid)
        killed = stop_process_tree(root.pid)
        assert killed == [child]
        deadline = time.monotonic() + 5
        while (alive(child) or alive(grandchild)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child) and not alive(grandchild)
        assert Path(f"/proc/{root.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"  # stopped
    finally:
        root.send_signal(signal.SIGKILL)
        root.wait(timeout=10)


def test_stop_process_tree_of_a_gone_process_does_nothing() -> None:
    assert stop_process_tree(2**22 + 12345) == []  # above Linux's largest pid
