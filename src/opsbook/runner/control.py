"""The handlers the runner gives ansible-runner: events in (masked, kept, passed on), cancel out.

- :class:`EventCollector` — ansible-runner's event handler: masks known secrets in each event in
  place (before ansible-runner writes it to ``job_events/`` and ``stdout``), keeps it, and hands
  it to the caller's ``on_event``.
- :class:`Watchdog` — ansible-runner's status handler and cancel callback: the run's timeout and
  SIGINT / SIGTERM stop ansible's whole process tree (see :mod:`opsbook.runner.processes`).
- :func:`signals_set` — SIGINT / SIGTERM set a flag instead of killing opsbook mid-write.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from types import FrameType
from typing import Any

from opsbook.runner.callbacks import EventHandler
from opsbook.runner.processes import stop_process_tree
from opsbook.runner.redaction import redact


class EventCollector:
    """Keeps the events, masks known secrets, notes the files a secret would have reached."""

    def __init__(self, secrets: tuple[str, ...], on_event: EventHandler | None = None) -> None:
        self.secrets = secrets
        self.on_event = on_event
        self.events: list[dict[str, Any]] = []
        self.leaks: set[str] = set()
        #: ansible-playbook's pid, as its callback reports it in every event
        self.ansible_pid: int | None = None

    def handle(self, event: dict[str, Any]) -> bool:
        if self.ansible_pid is None and isinstance(event.get("pid"), int):
            self.ansible_pid = event["pid"]
        if self.secrets:
            masked = redact(event, self.secrets)
            if masked != event:
                if "uuid" in event:
                    self.leaks.add(f"job_events/{event.get('counter')}-{event['uuid']}.json")
                if masked.get("stdout") != event.get("stdout"):
                    self.leaks.add("stdout")
                event.clear()
                event.update(masked)
        self.events.append(event)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # a caller's display problem must never stop a run: go quiet instead
                self.on_event = None
        return True


class Watchdog:
    """Stops the run when ``timeout`` seconds have passed since ansible-playbook started, or on
    SIGINT / SIGTERM — and stops ansible's whole process tree first, which ansible-runner's own
    timeout does not."""

    def __init__(self, timeout: float | None, collector: EventCollector) -> None:
        self.timeout = timeout
        self.collector = collector
        self.interrupted = threading.Event()
        #: names of the signals received (SIGINT, SIGTERM), in order
        self.signals: list[str] = []
        self.timed_out = False
        self._started: float | None = None
        self._stopped = False

    def status_handler(self, data: Mapping[str, Any], runner_config: Any = None) -> None:
        if data.get("status") == "running" and self._started is None:
            self._started = time.monotonic()

    def should_stop(self) -> bool:
        if self.timeout and self._started is not None and time.monotonic() - self._started >= self.timeout:
            self.timed_out = True
        if not (self.timed_out or self.interrupted.is_set()):
            return False
        if not self._stopped:
            self._stopped = True
            if self.collector.ansible_pid is not None:
                stop_process_tree(self.collector.ansible_pid)
        return True


@contextlib.contextmanager
def signals_set(flag: threading.Event, received: list[str] | None = None) -> Iterator[None]:
    """SIGINT / SIGTERM set ``flag`` (the run is then canceled cleanly) instead of killing opsbook
    mid-write, and add their names to ``received``; the previous handlers come back afterwards.
    Only in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.getsignal(sig) for sig in signals}

    def _handler(signum: int, frame: FrameType | None) -> None:
        if received is not None:
            received.append(signal.Signals(signum).name)
        flag.set()

    for sig in signals:
        signal.signal(sig, _handler)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
