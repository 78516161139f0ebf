"""Live progress of a run, on stderr (stdout stays clean for JSON and the recap): the CLI's
handlers for the runner's callbacks (:mod:`opsbook.runner.callbacks`).

:class:`ProgressState` is the pure part: it folds events into counters and returns plain-text
notes. Three sinks show it: :class:`LiveProgress` (a rich live display on a terminal),
:class:`LineProgress` (one plain line per play / task / failure when stderr is not a terminal),
:class:`NullProgress` (quiet: tests, ``--json``). :func:`make_progress` picks one. A sink is
handed to the runner as ``run_playbook(..., **sink.handlers())``: ``status`` opens the display
when the run starts and closes it on the final status, ``event`` feeds it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol, Self, TypedDict

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from opsbook.runner import RunStatus
from opsbook.runner.redaction import normalize_secrets, redact_text

_TASK_DONE = {
    "runner_on_ok": "ok",
    "runner_on_failed": "failed",
    "runner_on_skipped": "skipped",
    "runner_on_unreachable": "unreachable",
}


@dataclass
class ProgressState:
    """What the run is doing now and how it went so far. Feed it events with :meth:`apply`."""

    secrets: tuple[str, ...] = ()
    play: str = ""
    task: str = ""
    #: hosts that started / finished the current task
    task_started: set[str] = field(default_factory=set)
    task_done: set[str] = field(default_factory=set)
    hosts_seen: set[str] = field(default_factory=set)
    hosts_failed: set[str] = field(default_factory=set)
    hosts_unreachable: set[str] = field(default_factory=set)
    ok: int = 0
    changed: int = 0
    failed: int = 0
    skipped: int = 0
    unreachable: int = 0
    finished: bool = False

    def _text(self, value: Any) -> str:
        text = " ".join(str(value or "").split())
        return redact_text(text, self.secrets) if self.secrets else text

    def apply(self, event: Mapping[str, Any]) -> list[str]:
        """Update from one ansible-runner event; return the plain-text notes worth a line of their own."""
        name = event.get("event", "")
        data = event.get("event_data") or {}
        host = self._text(data.get("host"))
        if name == "playbook_on_play_start":
            self.play = self._text(data.get("name"))
            self.task = ""
            self.task_started.clear()
            self.task_done.clear()
            return [f"PLAY {self.play}"]
        if name == "playbook_on_task_start":
            self.task = self._text(data.get("name") or data.get("task"))
            self.task_started.clear()
            self.task_done.clear()
            return [f"TASK {self.task}"]
        if name == "runner_on_start":
            self.task_started.add(host)
            self.hosts_seen.add(host)
            return []
        if name in _TASK_DONE:
            return self._task_done(_TASK_DONE[name], host, data)
        if name == "playbook_on_stats":
            self.finished = True
            processed = data.get("processed")
            if isinstance(processed, Mapping):
                self.hosts_seen.update(self._text(h) for h in processed)
            return [f"RECAP {self.summary()}"]
        return []

    def _task_done(self, outcome: str, host: str, data: Mapping[str, Any]) -> list[str]:
        self.task_done.add(host)
        self.hosts_seen.add(host)
        raw = data.get("res")
        res: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        if outcome == "failed" and data.get("ignore_errors"):
            outcome = "ok"
        if outcome == "ok":
            if res.get("changed"):
                self.changed += 1
            else:
                self.ok += 1
            return []
        if outcome == "skipped":
            self.skipped += 1
            return []
        msg = "" if "censored" in res else self._text(res.get("msg"))
        if outcome == "failed":
            self.failed += 1
            self.hosts_failed.add(host)
        else:
            self.unreachable += 1
            self.hosts_unreachable.add(host)
        return [f"  {outcome}: {host}" + (f": {msg[:200]}" if msg else "")]

    def summary(self) -> str:
        return (
            f"{len(self.hosts_seen)} hosts, {len(self.hosts_failed)} failed, "
            f"{len(self.hosts_unreachable)} unreachable · tasks: {self.ok} ok, {self.changed} changed, "
            f"{self.failed} failed, {self.skipped} skipped, {self.unreachable} unreachable"
        )


class ProgressSink(Protocol):
    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def event(self, event: Mapping[str, Any]) -> None: ...

    def status(self, status: RunStatus) -> None: ...

    def handlers(self) -> RunHandlers: ...


class RunHandlers(TypedDict):
    """The keyword arguments ``run_playbook`` takes for its callbacks."""

    on_event: Callable[[Mapping[str, Any]], None]
    on_status: Callable[[RunStatus], None]


class _Sink:
    """What every sink does with the runner's status: open on "starting" (with that run's title
    and fresh counters: one sink may show several runs, e.g. a runbook's plan and its run),
    close on the final status."""

    title: str
    #: the title given when the sink was made; else each run's own
    fixed_title: str = ""
    state: ProgressState | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def event(self, event: Mapping[str, Any]) -> None:
        return None

    def status(self, status: RunStatus) -> None:
        if status.status == "starting":
            self.title = self.fixed_title or status.title
            if self.state is not None:
                self.state = ProgressState(secrets=self.state.secrets)
            self.__enter__()
        elif status.final:
            self.__exit__(None, None, None)

    def handlers(self) -> RunHandlers:
        return {"on_event": self.event, "on_status": self.status}


class NullProgress(_Sink):
    """Shows nothing (``progress=False``)."""

    title = ""


class LineProgress(_Sink):
    """One plain line per play, task, failure and the recap: for logs and pipes."""

    def __init__(self, console: Console, state: ProgressState, title: str = "") -> None:
        self.console = console
        self.state: ProgressState = state
        self.title = self.fixed_title = title

    def __enter__(self) -> Self:
        if self.title:
            self._print(f"RUN {self.title}")
        return self

    def event(self, event: Mapping[str, Any]) -> None:
        for note in self.state.apply(event):
            self._print(note)

    def _print(self, line: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        self.console.print(f"[{stamp}] {line}", markup=False, highlight=False, soft_wrap=True)


class LiveProgress(_Sink):
    """A live display on a terminal: current play and task, hosts done / failed / unreachable."""

    def __init__(self, console: Console, state: ProgressState, title: str = "") -> None:
        self.console = console
        self.state: ProgressState = state
        self.title = self.fixed_title = title
        self._spinner = Spinner("dots")
        self._started = time.monotonic()
        self._live = Live(console=console, get_renderable=self.render, refresh_per_second=4, transient=True)

    def __enter__(self) -> Self:
        # The display (and its refresh thread) starts with the first event, once ansible-playbook
        # is running: forking it from a multi-threaded process is what Python warns against.
        self._started = time.monotonic()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live.is_started:
            self._live.stop()

    def event(self, event: Mapping[str, Any]) -> None:
        if not self._live.is_started:
            self._live.start()
        for note in self.state.apply(event):
            if note.startswith("  "):  # a failure / unreachable host: keep it above the live lines
                self._live.console.print(Text(note.strip(), style="red"), highlight=False)

    def render(self) -> RenderableType:
        s = self.state
        elapsed = int(time.monotonic() - self._started)
        head = Table.grid(padding=(0, 1))
        head.add_row(
            self._spinner,
            Text.assemble(
                (self.title + "  " if self.title else "", "bold"),
                ("PLAY ", "dim"),
                (s.play or "…", "cyan"),
                ("  TASK ", "dim"),
                (s.task or "…", "bold"),
                (f"  {len(s.task_done)}/{len(s.task_started)} hosts" if s.task_started else "", "dim"),
            ),
        )
        counts = Text.assemble(
            ("  hosts ", "dim"),
            (f"{len(s.hosts_seen)} seen", ""),
            (" · ", "dim"),
            (f"{len(s.hosts_failed)} failed", "red" if s.hosts_failed else ""),
            (" · ", "dim"),
            (f"{len(s.hosts_unreachable)} unreachable", "magenta" if s.hosts_unreachable else ""),
            ("   tasks ", "dim"),
            (f"{s.ok} ok", "green"),
            (" · ", "dim"),
            (f"{s.changed} changed", "yellow"),
            (" · ", "dim"),
            (f"{s.failed} failed", "red" if s.failed else ""),
            (" · ", "dim"),
            (f"{s.skipped} skipped", "cyan"),
            (f"   {elapsed // 60:02d}:{elapsed % 60:02d}", "dim"),
        )
        return Group(head, counts)


def make_progress(
    enabled: bool, *, console: Console | None = None, secrets: Iterable[str] = (), title: str = ""
) -> ProgressSink:
    """The right sink: nothing when disabled, a live display on a terminal, plain lines otherwise."""
    if not enabled:
        return NullProgress()
    out = console or Console(stderr=True)
    state = ProgressState(secrets=normalize_secrets(secrets))
    if out.is_terminal:
        return LiveProgress(out, state, title)
    return LineProgress(out, state, title)
