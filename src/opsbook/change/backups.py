"""The backups a change made of what it overwrote, as its modules reported them.

Ansible's file modules with ``backup: true`` (template, copy, lineinfile, blockinfile, …) return
``backup_file``: the copy of the file as it was, kept on the target next to it. The record lists
every such copy per host (``change.backups``), so that the operator knows where the old file is.
"""

from __future__ import annotations

from opsbook.results import RunResult


def backups_made(result: RunResult) -> dict[str, list[str]]:
    """host → ``task: backup path`` for every backup copy the run's tasks (and loop items) made."""
    found: dict[str, list[str]] = {}
    for task in result.tasks:
        returns = [task.result, *(item.result for item in task.items)]
        for values in returns:
            path = values.get("backup_file") if isinstance(values, dict) else None
            if isinstance(path, str) and path:
                found.setdefault(task.host, []).append(f"{task.task}: {path}")
    return found
