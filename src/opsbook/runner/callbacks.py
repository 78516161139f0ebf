"""What the runner tells its caller while a run goes: events and status changes, never a screen.

The pattern of ansible-runner's own ``event_handler`` / ``status_handler``: the caller passes
functions; the runner calls them and draws nothing. The CLI's live display and line log
(:mod:`opsbook.cli.progress`) are such handlers; a test or a job passes its own or none.

- ``on_event(event)``: every ansible-runner event (a dict), known secrets already masked, in order.
- ``on_status(status)``: a :class:`RunStatus` when the run is about to start (``"starting"``),
  when ansible-playbook runs (``"running"``), and once at the end — always, also when the run
  raised — with the final status (``successful``, ``failed``, ``timeout``, ``canceled`` or
  ``error``) and ``final=True``.

A handler that raises never stops a run: the runner stops calling it and goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RunStatus:
    status: str
    run_id: str
    #: what the run is, in words (the caller's label, else the playbook's name)
    title: str
    artifact_dir: Path
    #: the last status of this run: the display may close
    final: bool = False


EventHandler = Callable[[Mapping[str, Any]], None]
StatusHandler = Callable[[RunStatus], None]
