"""Live progress: the state folded from recorded events, the plain-line and live sinks."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from opsbook.cli.progress import (
    LineProgress,
    LiveProgress,
    NullProgress,
    ProgressState,
    make_progress,
)
from opsbook.runner import RunStatus

EVENTS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "fixtures" / "runner" / "demo-events.json").read_text()
)
CANARY = "CANARY-s3cr3t-42"


def test_state_after_the_whole_run() -> None:
    state = ProgressState()
    for event in EVENTS:
        state.apply(event)
    assert state.finished
    assert state.play == "Runner demo"
    assert state.task == "Only alpha gets here"
    assert state.hosts_seen == {"alpha", "beta", "gamma"}
    assert state.hosts_failed == {"beta"}
    assert state.hosts_unreachable == {"gamma"}
    # ignored failures count as ok, as in ansible's recap
    assert (state.ok, state.changed, state.failed, state.skipped, state.unreachable) == (9, 4, 1, 3, 1)


def test_state_tracks_hosts_started_and_done_for_the_current_task() -> None:
    state = ProgressState()
    loop_start = next(i for i, e in enumerate(EVENTS) if e["event_data"].get("name") == "Loop over items")
    for event in EVENTS[: loop_start + 3]:  # the task start and two runner_on_start events
        state.apply(event)
    assert state.task == "Loop over items"
    assert state.task_started == {"alpha", "beta"}
    assert state.task_done == set()


def test_notes_name_plays_tasks_failures_and_the_recap() -> None:
    state = ProgressState()
    notes = [n for e in EVENTS for n in state.apply(e)]
    assert notes[:3] == ["PLAY Runner demo", "TASK Read-only probe", notes[2]]
    assert notes[2].startswith("  unreachable: gamma: Task failed: Data could not be sent")
    assert "  failed: beta: deliberate failure" in notes
    assert notes[-1] == (
        "RECAP 3 hosts, 1 failed, 1 unreachable · tasks: 9 ok, 4 changed, 1 failed, 3 skipped, 1 unreachable"
    )


def test_notes_mask_secrets() -> None:
    event = {"event": "runner_on_failed", "event_data": {"host": "h", "res": {"msg": f"bad {CANARY}"}}}
    assert ProgressState(secrets=(CANARY,)).apply(event) == ["  failed: h: bad ********"]
    censored = {"event": "runner_on_failed", "event_data": {"host": "h", "res": {"censored": "x"}}}
    assert ProgressState().apply(censored) == ["  failed: h"]


def test_line_progress_prints_plain_timestamped_lines() -> None:
    out = io.StringIO()
    sink = LineProgress(Console(file=out, force_terminal=False, width=200), ProgressState(), title="demo")
    with sink:
        for event in EVENTS:
            sink.event(event)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("] RUN demo")
    assert lines[1].endswith("] PLAY Runner demo")
    assert sum("TASK " in line for line in lines) == 9
    assert "\x1b[" not in out.getvalue()


def test_live_progress_renders_the_current_task_and_counts() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    sink = LiveProgress(console, ProgressState(), title="demo")
    with sink:
        for event in EVENTS:
            sink.event(event)
        frame = Console(file=io.StringIO(), width=200, force_terminal=False)
        frame.print(sink.render())
        text = frame.file.getvalue()  # type: ignore[attr-defined]
    assert "TASK Only alpha gets here" in text
    assert "3 seen · 1 failed · 1 unreachable" in text
    assert "9 ok · 4 changed · 1 failed · 3 skipped" in text
    assert "deliberate failure" in out.getvalue()  # failures are printed above the live lines


def test_make_progress_picks_the_sink() -> None:
    assert isinstance(make_progress(False), NullProgress)
    tty = Console(file=io.StringIO(), force_terminal=True)
    pipe = Console(file=io.StringIO(), force_terminal=False)
    assert isinstance(make_progress(True, console=tty), LiveProgress)
    assert isinstance(make_progress(True, console=pipe), LineProgress)


def test_the_sink_is_driven_by_the_runner_callbacks() -> None:
    """The runner calls on_status("starting"), on_event per event, then a final on_status: the
    display opens, shows and closes with them — the runner itself draws nothing."""
    out = io.StringIO()
    sink = make_progress(True, console=Console(file=out, force_terminal=False, width=200))
    handlers = sink.handlers()
    handlers["on_status"](RunStatus("starting", "r1", "site (plan)", Path("/runs/r1")))
    for event in EVENTS:
        handlers["on_event"](event)
    handlers["on_status"](RunStatus("failed", "r1", "site (plan)", Path("/runs/r1"), final=True))
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("] RUN site (plan)")
    assert lines[-1].endswith(
        "] RECAP 3 hosts, 1 failed, 1 unreachable · tasks: 9 ok, 4 changed, "
        "1 failed, 3 skipped, 1 unreachable"
    )


def test_the_live_display_stops_on_the_final_status() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    sink = make_progress(True, console=console)
    assert isinstance(sink, LiveProgress)
    sink.status(RunStatus("starting", "r1", "demo", Path("/r")))
    sink.event(EVENTS[0])
    assert sink._live.is_started
    sink.status(RunStatus("error", "r1", "demo", Path("/r"), final=True))
    assert not sink._live.is_started


def test_the_runner_imports_no_screen_library() -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = "import sys, opsbook.runner; print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_one_sink_shows_each_run_with_its_own_title_and_counts() -> None:
    """A runbook runs its plan and then the real run through one terminal: each is announced
    with its own title and counted from zero."""
    out = io.StringIO()
    sink = make_progress(True, console=Console(file=out, force_terminal=False, width=200))
    for title in ("disk-full (plan)", "disk-full"):
        sink.status(RunStatus("starting", "r", title, Path("/r")))
        for event in EVENTS:
            sink.event(event)
        sink.status(RunStatus("failed", "r", title, Path("/r"), final=True))
    lines = out.getvalue().splitlines()
    assert [line.split("] ", 1)[1] for line in lines if "] RUN " in line] == [
        "RUN disk-full (plan)",
        "RUN disk-full",
    ]
    recaps = [line.split("] ", 1)[1] for line in lines if "] RECAP " in line]
    assert len(recaps) == 2 and recaps[0] == recaps[1]
