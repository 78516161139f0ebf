"""The lock per target: one changing run per host; the holder named; a killed holder's lock reclaimed.

Real flock locks on real files; the other holder is a real second process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from opsbook.change.lock import Holder, TargetBusy, lock_path, new_holder, target_locks
from opsbook.runbooks.exitcodes import ExitCode

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from opsbook.change.lock import new_holder, target_locks
    holder = new_holder("run-other", "runbook disk-full")
    with target_locks(Path(sys.argv[1]), sys.argv[2].split(","), holder):
        print("held", flush=True)
        time.sleep(60)
    """
)


def _holder_process(state: Path, targets: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state), targets], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_changing_run_is_refused_naming_the_holder(tmp_path: Path) -> None:
    other = _holder_process(tmp_path, "web1")
    try:
        with (
            pytest.raises(TargetBusy) as err,
            target_locks(tmp_path, ["web2", "web1"], new_holder("run-mine", "x")),
        ):
            pytest.fail("the lock of web1 was given twice")
        text = str(err.value)
        assert "web1 is being changed by run run-other (runbook disk-full) by " in text
        assert f"pid {other.pid}, since 20" in text and "nothing was run" in text
        assert err.value.exit_code == ExitCode.LOCKED
        # all or none: web2 was released again when web1 was refused
        with target_locks(tmp_path, ["web2"], new_holder("run-3", "x")) as held:
            assert held.targets == ["web2"] and held.taken_over == []
    finally:
        other.kill()
        other.wait()


def test_a_killed_holders_lock_is_reclaimed_and_reported(tmp_path: Path) -> None:
    other = _holder_process(tmp_path, "web1")
    os.kill(other.pid, signal.SIGKILL)
    other.wait()
    with target_locks(tmp_path, ["web1"], new_holder("run-next", "x")) as held:
        assert held.targets == ["web1"]
        [note] = held.taken_over
        assert note.startswith("web1: run run-other (runbook disk-full) by ") and f"pid {other.pid}" in note
        assert "ended without releasing its lock" in note


def test_locks_are_released_on_every_exit_path(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), target_locks(tmp_path, ["web1"], new_holder("run-1", "x")):
        raise RuntimeError("the run failed")
    with target_locks(tmp_path, ["web1"], new_holder("run-2", "x")) as held:
        assert held.taken_over == []  # released cleanly: nothing stale
    assert lock_path(tmp_path, "web1").read_text() == ""


def test_the_same_process_cannot_take_a_held_lock_twice(tmp_path: Path) -> None:
    with (
        target_locks(tmp_path, ["web1"], new_holder("run-1", "first")),
        pytest.raises(TargetBusy, match="run run-1 \\(first\\)"),
        target_locks(tmp_path, ["web1"], new_holder("run-2", "second")),
    ):
        pass


def test_odd_target_names_get_safe_distinct_files(tmp_path: Path) -> None:
    a, b = lock_path(tmp_path, "../etc/x"), lock_path(tmp_path, "..-etc-x")
    assert a.parent == b.parent == tmp_path / "locks" and a != b
    assert lock_path(tmp_path, "web1.example.com").name == "web1.example.com.lock"


def test_holder_description() -> None:
    holder = Holder("r1", 42, "alice", "2026-12-03T09:00:00+00:00", "opsbook run site.yml")
    assert (
        holder.describe() == "run r1 (opsbook run site.yml) by alice, pid 42, since 2026-12-03T09:00:00+00:00"
    )
