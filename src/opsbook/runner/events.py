"""ansible-runner events → the result model. Pure functions: events in, results out.

Which events count:

- ``runner_on_ok`` / ``_failed`` / ``_skipped`` / ``_unreachable``: one :class:`TaskResult`
  each (a task on a host). A loop task's final event carries every item in ``res.results``;
  those become the task's :attr:`TaskResult.items` (the ``runner_item_on_*`` events repeat
  the same data one by one and only feed live progress).
- ``runner_on_failed`` with ``ignore_errors`` is status ok (changed if it changed), flagged
  ``ignore_errors=True``: ansible's recap counts it as ok + ignored, not as a failure.
- ``runner_on_start`` without its final event: the task was running on that host when the run
  stopped (:attr:`ConvertedRun.interrupted`).
- ``playbook_on_stats`` (the recap) gives the per-host :class:`HostSummary`. A run that ended
  before the recap (timeout, cancel, crash) gets summaries counted from its task results the
  way the recap counts them.

Secrets: every known secret value is masked anywhere in the events before conversion; a
``no_log`` result (``res`` is ansible's ``{"censored": …}``) keeps nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opsbook.results import HostSummary, ItemResult, TaskResult, TaskStatus
from opsbook.runner.redaction import normalize_secrets, redact, strip_ansi

FINAL_EVENTS = frozenset({"runner_on_ok", "runner_on_failed", "runner_on_skipped", "runner_on_unreachable"})
_STATS_KEYS = ("ok", "changed", "failures", "dark", "skipped", "rescued", "ignored")


@dataclass
class ConvertedRun:
    tasks: list[TaskResult] = field(default_factory=list)
    hosts: dict[str, HostSummary] = field(default_factory=dict)
    #: the recap (playbook_on_stats) was seen: ansible got to the end of the playbook.
    finished: bool = False
    plays: list[str] = field(default_factory=list)
    #: host → task started there (``runner_on_start``) with no final event: the run stopped under it.
    interrupted: dict[str, str] = field(default_factory=dict)


def convert_events(
    events: Iterable[Mapping[str, Any]], *, secrets: Iterable[str] = (), check: bool = False
) -> ConvertedRun:
    """Turn a run's events (in any order; sorted by ``counter``) into task results and host summaries."""
    keys = normalize_secrets(secrets)
    ordered = sorted(events, key=lambda e: int(e.get("counter", 0) or 0))
    run = ConvertedRun()
    started: dict[tuple[str, str], str] = {}
    for raw in ordered:
        name = raw.get("event", "")
        if name not in FINAL_EVENTS and name not in (
            "playbook_on_stats",
            "playbook_on_play_start",
            "runner_on_start",
        ):
            continue
        event: Mapping[str, Any] = redact(raw, keys) if keys else raw
        data = event.get("event_data") or {}
        key = (str(data.get("host", "")), str(data.get("task_uuid", "")))
        if name == "runner_on_start":
            started[key] = str(data.get("task", ""))
        elif name == "playbook_on_play_start":
            run.plays.append(str(data.get("name", "")))
        elif name == "playbook_on_stats":
            run.hosts = summaries_from_stats(data)
            run.finished = True
        else:
            started.pop(key, None)
            run.tasks.append(task_result(name, data, check=check))
    if not run.finished:
        run.hosts = summaries_from_tasks(run.tasks)
        run.interrupted = {host: task for (host, _uuid), task in started.items() if host}
    return run


def task_result(event: str, data: Mapping[str, Any], *, check: bool = False) -> TaskResult:
    """One final runner event (``runner_on_*``) → one :class:`TaskResult`. ``data`` is its event_data."""
    res = data.get("res")
    res = dict(res) if isinstance(res, Mapping) else {}
    censored = "censored" in res
    ignored = event == "runner_on_failed" and bool(data.get("ignore_errors"))
    status = _status(event, changed=bool(res.get("changed")), ignored=ignored)
    raw_items = res.get("results") if not censored else None
    items = (
        [_item(r, status) for r in raw_items if isinstance(r, Mapping)] if isinstance(raw_items, list) else []
    )
    if censored:
        diff: list[dict[str, Any]] = []
        result: dict[str, Any] = {"censored": res["censored"]}
        msg = ""
    else:
        diff = [d for i in items for d in i.diff] if items else normalize_diff(res.get("diff"))
        result = _clean(res, drop=("diff", "results") if items else ("diff",))
        msg = _message(res)
    return TaskResult(
        host=str(data.get("host", "")),
        task=str(data.get("task", "")),
        action=str(data.get("resolved_action") or data.get("task_action") or ""),
        status=status,
        play=str(data.get("play", "")),
        role=str(data.get("role", "") or ""),
        task_uuid=str(data.get("task_uuid", "")),
        task_path=str(data.get("task_path", "")),
        check_mode=check,
        ignore_errors=ignored,
        no_log=censored,
        diff=diff,
        result=result,
        msg=msg,
        start=str(data.get("start") or ""),
        end=str(data.get("end") or ""),
        duration=float(data.get("duration") or 0.0),
        items=items,
    )


def _status(event: str, *, changed: bool, ignored: bool) -> TaskStatus:
    if event == "runner_on_unreachable":
        return TaskStatus.UNREACHABLE
    if event == "runner_on_skipped":
        return TaskStatus.SKIPPED
    if event == "runner_on_failed" and not ignored:
        return TaskStatus.FAILED
    return TaskStatus.CHANGED if changed else TaskStatus.OK


def _item(res: Mapping[str, Any], task_status: TaskStatus) -> ItemResult:
    if "censored" in res:
        return ItemResult(item="(censored)", status=task_status, result={"censored": res["censored"]})
    loop_var = str(res.get("ansible_loop_var", "item"))
    label = res.get("_ansible_item_label", res.get(loop_var))
    if res.get("unreachable"):
        status = TaskStatus.UNREACHABLE
    elif res.get("failed"):
        status = TaskStatus.FAILED
    elif res.get("skipped") or "skip_reason" in res:  # ansible leaves "skipped" out of loop items
        status = TaskStatus.SKIPPED
    elif res.get("changed"):
        status = TaskStatus.CHANGED
    else:
        status = TaskStatus.OK
    result = _clean(res, drop=("diff", "ansible_loop_var", loop_var))
    return ItemResult(
        item=label, status=status, msg=_message(res), diff=normalize_diff(res.get("diff")), result=result
    )


def _message(res: Mapping[str, Any]) -> str:
    msg = res.get("msg", "")
    if not msg and res.get("skip_reason"):
        msg = res["skip_reason"]
    return msg if isinstance(msg, str) else str(msg)


def _clean(res: Mapping[str, Any], *, drop: Iterable[str]) -> dict[str, Any]:
    """The module's return values without ansible's internal ``_ansible_*`` keys and ``drop``."""
    dropped = set(drop)
    return {k: v for k, v in res.items() if k not in dropped and not str(k).startswith("_ansible")}


def normalize_diff(diff: Any) -> list[dict[str, Any]]:
    """A module's ``diff`` (one dict, a list of dicts, or nothing) as a list of dicts."""
    if isinstance(diff, Mapping):
        return [dict(diff)]
    if isinstance(diff, list):
        return [dict(d) for d in diff if isinstance(d, Mapping)]
    return []


def summaries_from_stats(data: Mapping[str, Any]) -> dict[str, HostSummary]:
    """The recap (``playbook_on_stats`` event_data) → one :class:`HostSummary` per host, sorted by name."""
    hosts: set[str] = set()
    for key in (*_STATS_KEYS, "processed"):
        counts = data.get(key)
        if isinstance(counts, Mapping):
            hosts.update(str(h) for h in counts)
    summaries: dict[str, HostSummary] = {}
    for host in sorted(hosts):
        values = {}
        for key in _STATS_KEYS:
            counts = data.get(key)
            values[key] = int(counts.get(host, 0)) if isinstance(counts, Mapping) else 0
        summaries[host] = HostSummary(host=host, **values)
    return summaries


def summaries_from_tasks(tasks: Iterable[TaskResult]) -> dict[str, HostSummary]:
    """Host summaries counted from task results as ansible's recap counts them (ok includes changed)."""
    summaries: dict[str, HostSummary] = {}
    for task in tasks:
        summary = summaries.setdefault(task.host, HostSummary(host=task.host))
        if task.status in (TaskStatus.OK, TaskStatus.CHANGED):
            summary.ok += 1
            summary.changed += task.status is TaskStatus.CHANGED
            summary.ignored += task.ignore_errors
        elif task.status is TaskStatus.FAILED:
            summary.failures += 1
        elif task.status is TaskStatus.UNREACHABLE:
            summary.dark += 1
        else:
            summary.skipped += 1
    return dict(sorted(summaries.items()))


def output_tail(stdout: str, lines: int = 20) -> str:
    """The last non-empty lines of ansible's output, colour codes removed: why a run stopped early."""
    text = strip_ansi(stdout).replace("\r\n", "\n").replace("\r", "\n")
    kept = [line.rstrip() for line in text.split("\n") if line.strip()]
    return "\n".join(kept[-lines:])
