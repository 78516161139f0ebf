"""What a runbook's playbook reports about each host, and what changed there.

Runbook playbooks report through ``ansible.builtin.set_stats`` with ``per_host: true`` under
the key ``opsbook``::

    - name: Report space before
      ansible.builtin.set_stats:
        per_host: true
        data:
          opsbook:
            pre: {used_percent: 97}
            actions: ["vacuumed the journal to 16M"]
            verified: true

Known keys: ``pre`` / ``post`` (measurements, mappings), ``verified`` (bool: the post-check
passed), ``cause`` (str), ``actions`` / ``findings`` / ``follow_up`` / ``evidence`` (lists of
str), ``parts`` (list of {part, removed_serial, installed_serial}), ``escalate`` (str: why and
to whom). Several set_stats tasks merge: mappings update, lists extend, scalars are replaced.
Everything here is pure: RunResult in, plain data out.
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass, field
from typing import Any

from opsbook.base.model import Serial
from opsbook.results import RunResult, TaskResult, TaskStatus

STATS_KEY = "opsbook"
LIST_KEYS = ("actions", "findings", "follow_up", "evidence", "parts")
MAP_KEYS = ("pre", "post")


@dataclass
class HostFindings(Serial):
    pre: dict[str, Any] = field(default_factory=dict)
    post: dict[str, Any] = field(default_factory=dict)
    verified: bool | None = None
    cause: str = ""
    escalate: str = ""
    actions: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    follow_up: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, data: dict[str, Any]) -> None:
        for key, value in data.items():
            if key in MAP_KEYS and isinstance(value, dict):
                getattr(self, key).update(value)
            elif key in LIST_KEYS:
                items = value if isinstance(value, list) else [value]
                getattr(self, key).extend(items if key == "parts" else [str(i) for i in items])
            elif key == "verified":
                self.verified = _truthy(value)
            elif key in ("cause", "escalate"):
                setattr(self, key, str(value))


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "on")
    return bool(value)


def _stats_data(task: TaskResult) -> dict[str, Any] | None:
    stats = task.result.get("ansible_stats")
    if not isinstance(stats, dict):
        return None
    data = stats.get("data")
    if not isinstance(data, dict):
        return None
    payload = data.get(STATS_KEY)
    return payload if isinstance(payload, dict) else None


def collect_findings(result: RunResult) -> dict[str, HostFindings]:
    """Per host, the merged ``opsbook`` set_stats data, in task order."""
    findings: dict[str, HostFindings] = {}
    for task in result.tasks:
        if task.status not in (TaskStatus.OK, TaskStatus.CHANGED):
            continue
        payload = _stats_data(task)
        if payload is not None:
            findings.setdefault(task.host, HostFindings()).merge(payload)
    return findings


def render_diff(entry: dict[str, Any]) -> str:
    """One ansible diff entry as text: ``prepared`` as is, before/after as a unified diff."""
    if "prepared" in entry:
        return str(entry["prepared"])
    before, after = entry.get("before", ""), entry.get("after", "")
    if not isinstance(before, str) or not isinstance(after, str):
        before, after = repr(before), repr(after)
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=str(entry.get("before_header", "before")),
        tofile=str(entry.get("after_header", "after")),
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass(frozen=True)
class Change(Serial):
    task: str
    action: str
    diff: str
    #: the commands the task ran or sent (one per line), when its module says: ``cmd`` of
    #: command/shell, ``commands`` of network modules; empty for modules that only edit state
    commands: str = ""


def _commands(result: dict[str, Any]) -> list[str]:
    listed = result.get("commands")
    if isinstance(listed, list):
        return [str(c) for c in listed]
    cmd = result.get("cmd")
    if isinstance(cmd, list):
        return [shlex.join(str(c) for c in cmd)]
    if isinstance(cmd, str) and cmd.strip():
        return [cmd.strip()]
    return []


def task_commands(task: TaskResult) -> list[str]:
    """The commands a task ran (its items' too, for a loop task)."""
    found = _commands(task.result)
    for item in task.items:
        if item.status is TaskStatus.CHANGED:
            found.extend(_commands(item.result))
    return found


def host_changes(result: RunResult) -> dict[str, list[Change]]:
    """Per host, the tasks that changed (or would change, in check mode), with diffs and commands."""
    changes: dict[str, list[Change]] = {}
    for task in result.changed_tasks():
        diff = "".join(render_diff(d) for d in task.diff)
        commands = "\n".join(task_commands(task))
        changes.setdefault(task.host, []).append(Change(task.task, task.action, diff, commands))
    return changes


def host_failures(result: RunResult) -> dict[str, list[dict[str, str]]]:
    """Per host, the failed or unreachable tasks (not ignored) with their messages."""
    failures: dict[str, list[dict[str, str]]] = {}
    for task in result.tasks:
        if task.status in (TaskStatus.FAILED, TaskStatus.UNREACHABLE) and not task.ignore_errors:
            failures.setdefault(task.host, []).append(
                {"task": task.task, "status": task.status.value, "msg": _failure_message(task)}
            )
    return failures


def _failure_message(task: TaskResult) -> str:
    """The task's message, with the first line of stderr when the message alone says little."""
    message = task.msg.strip()
    stderr = task.result.get("stderr")
    if isinstance(stderr, str) and stderr.strip():
        first = stderr.strip().splitlines()[0][:200]
        if first not in message:
            message = f"{message} ({first})" if message else first
    return message
