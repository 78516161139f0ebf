"""A finished run for the terminal: the per-host recap table, failures, diffs, exit code. Pure:
:class:`RunResult` in, rich renderables out.

Identifiers are never cut: host names, run ids and paths are printed whole at any width and
when piped — the count columns fold first, and paths stand on their own lines.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from opsbook.render.diffs import DiffKind, diff_line_kind
from opsbook.render.terminal import print_path
from opsbook.results import HostSummary, RunResult, TaskResult, TaskStatus

_DIFF_STYLES: dict[DiffKind, str] = {"head": "bold", "hunk": "cyan", "add": "green", "del": "red", "ctx": ""}

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


_COUNTS = ("ok", "changed", "failed", "unreachable", "skipped")


class HostRecap:
    """The per-host recap: a table when the host names fit whole beside the counts, else one
    block per host (its name whole on a line, the counts on the next). Never cuts a host name."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        self.extra = [n for n in ("rescued", "ignored") if any(getattr(s, n) for s in result.hosts.values())]

    def _counts(self, summary: HostSummary) -> list[int]:
        counts = [summary.ok, summary.changed, summary.failures, summary.dark, summary.skipped]
        return counts + [getattr(summary, name) for name in self.extra]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        names = [*_COUNTS, *self.extra]
        longest = max((len(h) for h in self.result.hosts), default=4)
        needed = longest + 1 + len("unreachable") + sum(len(n) + 1 for n in names)
        if needed <= options.max_width:
            yield recap_table(self.result, self.extra)
            return
        yield Text(f"PLAY RECAP · {self.result.label or self.result.playbook}", style="italic")
        for host, summary in self.result.hosts.items():
            status = summary.status
            yield Text(host, style="bold", no_wrap=True, overflow="ignore")
            yield Text.assemble(
                "  ",
                (status.value, _STATUS_STYLE[status]),
                *(f" · {name} {n}" for name, n in zip(names, self._counts(summary), strict=True)),
            )


def recap_table(result: RunResult, extra: list[str] | None = None) -> Table:
    """One row per host: the play recap's counts (host names never cut: the counts fold first)."""
    if extra is None:
        extra = [n for n in ("rescued", "ignored") if any(getattr(s, n) for s in result.hosts.values())]
    table = Table(
        title=f"PLAY RECAP · {result.label or result.playbook}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    longest = max((len(h) for h in result.hosts), default=4)
    table.add_column("host", no_wrap=True, min_width=max(longest, 4))
    table.add_column("status", no_wrap=True, min_width=len("unreachable"))
    for name in (*_COUNTS, *extra):
        table.add_column(name, justify="right", overflow="fold")
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
        text.append(line.rstrip("\n") + "\n", style=_DIFF_STYLES[diff_line_kind(line)])
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
    """The run id line. Print it with ``soft_wrap=True`` (as :func:`print_recap` does) so that
    no width cuts or wraps the run id."""
    mode = " (check mode)" if result.check else ""
    return Text.assemble(
        ("run ", "dim"),
        (result.run_id, "bold"),
        (" · ", "dim"),
        (result.status, "green" if result.status == "successful" else "red"),
        (f" (rc {result.rc}){mode}", "dim"),
    )


def render(result: RunResult, *, show_diff: bool = False) -> RenderableType:
    """Everything ``opsbook run`` prints after a run, but the footer (see :func:`print_recap`)."""
    parts: list[RenderableType] = []
    if result.hosts:
        parts.append(HostRecap(result))
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
    return Group(*parts)


def print_recap(console: Console, result: RunResult, *, show_diff: bool = False) -> None:
    """Print the recap, then the run id and the artifacts path whole (never wrapped or cut, at any
    width and when piped)."""
    console.print(render(result, show_diff=show_diff))
    console.print(footer(result), soft_wrap=True, highlight=False)
    print_path(console, "artifacts", result.artifact_dir)
