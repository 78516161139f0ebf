"""What the ``opsbook_audit`` callback recorded beside a run (``audit-tasks.jsonl``).

ansible-runner's events do not carry a task's effective ``check_mode``, whether it is a handler,
or why a task was skipped; the callback (``opsbook/audit/plugins/callback``) writes those, one
JSON line per task result and skipped loop item. :func:`parse_task_meta` is pure;
:func:`load_task_meta` reads the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

META_FILE = "audit-tasks.jsonl"
#: the environment variable the callback reads (see the plugin)
META_ENV = "OPSBOOK_AUDIT_TASKS"
CALLBACK_DIR = Path(__file__).parent / "plugins" / "callback"


@dataclass
class SkipInfo:
    msg: str = ""
    skip_reason: str = ""
    false_condition: str = ""

    @property
    def empty(self) -> bool:
        return not (self.msg or self.skip_reason or self.false_condition)


@dataclass
class TaskMeta:
    """One task on one host, as the callback saw it."""

    #: the task's effective check_mode; None when unknown (not recorded).
    check_mode: bool | None = None
    handler: bool = False
    skip: SkipInfo | None = None
    #: skipped loop items: label → why
    item_skips: dict[str, SkipInfo] = field(default_factory=dict)


def meta_key(task_uuid: str, host: str) -> tuple[str, str]:
    return (task_uuid, host)


def _skip(data: Any) -> SkipInfo:
    if not isinstance(data, Mapping):
        return SkipInfo()
    return SkipInfo(
        msg=str(data.get("msg", "")),
        skip_reason=str(data.get("skip_reason", "")),
        false_condition=str(data.get("false_condition", "")),
    )


def parse_task_meta(lines: Iterable[str]) -> dict[tuple[str, str], TaskMeta]:
    """The callback's JSON lines → TaskMeta per (task uuid, host). Broken lines are ignored."""
    metas: dict[tuple[str, str], TaskMeta] = {}
    for line in lines:
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if not isinstance(data, dict) or "task_uuid" not in data or "host" not in data:
            continue
        meta = metas.setdefault(meta_key(str(data["task_uuid"]), str(data["host"])), TaskMeta())
        check_mode = data.get("check_mode")
        if isinstance(check_mode, bool):
            meta.check_mode = check_mode
        meta.handler = meta.handler or bool(data.get("handler"))
        kind = data.get("kind")
        if kind == "skipped":
            meta.skip = _skip(data.get("skip"))
        elif kind == "item_skipped":
            meta.item_skips[str(data.get("item", ""))] = _skip(data.get("skip"))
    return metas


def load_task_meta(path: Path) -> dict[tuple[str, str], TaskMeta]:
    """The callback's file, or an empty mapping when it does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return parse_task_meta(text.splitlines())


def callback_env(meta_file: Path) -> dict[str, str]:
    """Environment that loads the callback and points it at ``meta_file`` (ansible-runner appends
    its own callback folder to ``ANSIBLE_CALLBACK_PLUGINS``)."""
    return {"ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_DIR), META_ENV: str(meta_file)}
