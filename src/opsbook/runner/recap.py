"""A finished run for the terminal: the per-host recap table, failures, diffs, exit code. Pure:
:class:`RunResult` in, rich renderables out."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from opsbook.results import RunResult, TaskResult, TaskStatus

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_HOSTS_FAILED = 2

_STATUS_STYLE = {
    TaskStatus.OK: "green",
    TaskStatus.CHANGED: "yellow",
    TaskStatus.FAILED: "bold red",
    TaskStatus.UNREACHABLE: "bold magenta",
    TaskStatus.SKIPPED: "cyan",
}


def exit_code(result: RunResult) -> int:
    """0: every host fine. 2: ansible ran and hosts failed or were unreachable.
    1: anything else — timeout, canceled, or ansible stopped before its recap (syntax error …)."""
    if result.status in ("timeout", "canceled"):
        return EXIT_ERROR
    if result.failed_hosts():
        return EXIT_HOSTS_FAILED
    if result.status == "successful":
        return EXIT_OK
    return EXIT_ERROR


def recap_table(result: RunResult) -> Table:
    """One row per host: the play recap's counts."""
    extra = [name for name in ("rescued", "ignored") if any(getattr(s, name) for s in result.hosts.values())]
    table = Table(
        title=f"PLAY RECAP · {result.label or result.playbook}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("host")
    table.add_column("status")
    for name in ("ok", "changed", "failed", "unreachable", "skipped", *extra):
        table.add_column(name, justify="right")
    for host, summary in result.hosts.items():
        status = summary.status
        counts = [summary.ok, summary.changed, summary.failures, summary.dark, summary.skipped]
        counts += [getattr(summary, name) for name in extra]
        table.add_row(
            host,
            Text(status.value, style=_STATUS_STYLE[status]),
            *(Text(str(n), style="dim" if not n else "") for n in counts),
        )
    return table


def problem_lines(result: RunResult) -> list[Text]:
    """One line per failed or unreachable task: host, task, message."""
    lines = []
    for task in result.tasks:
        if task.status in (TaskStatus.FAILED, TaskStatus.UNREACHABLE):
            msg = " ".join(task.msg.split()) or "(no message)"
            lines.append(
                Text.assemble(
                    (f"{task.status.value}: ", _STATUS_STYLE[task.status]),
                    (task.host, "bold"),
                    (f" · {task.task}: ", ""),
                    (msg[:300], ""),
                )
            )
    return lines


def diff_text(task: TaskResult) -> Text:
    """A task's diff entries as a coloured unified diff."""
    text = Text()
    for line in _diff_lines(task.diff):
        style = ""
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        text.append(line.rstrip("\n") + "\n", style=style)
    return text


def _diff_lines(entries: list[dict[str, Any]]) -> Iterator[str]:
    for entry in entries:
        if "prepared" in entry:
            yield from str(entry["prepared"]).splitlines()
            continue
        if "before" not in entry and "after" not in entry:
            continue
        before, after = _as_text(entry.get("before", "")), _as_text(entry.get("after", ""))
        yield from difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile=f"before: {entry['before_header']}" if entry.get("before_header") else "before",
            tofile=f"after: {entry['after_header']}" if entry.get("after_header") else "after",
            lineterm="",
        )


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def diffs(result: RunResult) -> list[RenderableType]:
    """A heading and a diff for every task that reported one."""
    blocks: list[RenderableType] = []
    for task in result.tasks:
        if task.diff:
            blocks.append(Text.assemble(("diff ", "dim"), (task.host, "bold"), f" · {task.task}"))
            blocks.append(diff_text(task))
    return blocks


def footer(result: RunResult) -> Text:
    mode = " (check mode)" if result.check else ""
    return Text.assemble(
        ("run ", "dim"),
        (result.run_id, "bold"),
        (" · ", "dim"),
        (result.status, "green" if result.status == "successful" else "red"),
        (f" (rc {result.rc}){mode}", "dim"),
        ("\nartifacts ", "dim"),
        (str(result.artifact_dir), ""),
    )


def render(result: RunResult, *, show_diff: bool = False) -> RenderableType:
    """Everything ``opsbook run`` prints after a run (stdout)."""
    parts: list[RenderableType] = []
    if result.hosts:
        parts.append(recap_table(result))
    parts.extend(problem_lines(result))
    if show_diff:
        parts.extend(diffs(result))
    if result.error:
        parts.append(Text(result.error, style="red"))
    for host, task in sorted(result.interrupted.items()):
        parts.append(
            Text(
                f"{host}: stopped while running '{task}'; it may still be running on the host", style="yellow"
            )
        )
    parts.append(footer(result))
    return Group(*parts)
