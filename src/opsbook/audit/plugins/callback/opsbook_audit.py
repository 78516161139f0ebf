"""Ansible callback used by ``opsbook audit``: what ansible-runner's events do not say.

ansible-runner's events carry neither a task's *effective* ``check_mode`` (after templating and
inheritance from blocks, roles and plays) nor whether it is a handler, and a skipped task's event
carries no result at all — so nobody could tell "skipped because ``when: ansible_os_family ==
'RedHat'``" from "skipped because check mode cannot simulate it". For every task result (and
every skipped loop item) this plugin appends one JSON line to the file named by
``$OPSBOOK_AUDIT_TASKS``. Without that variable it does nothing: harmless in every other run.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ansible.playbook.handler import Handler
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: opsbook_audit
type: aggregate
short_description: records effective check_mode, handler flag and skip reasons for opsbook audit
description:
  - Appends one JSON line per task result and skipped loop item to the file named by OPSBOOK_AUDIT_TASKS.
  - Does nothing when OPSBOOK_AUDIT_TASKS is not set.
"""

ENV = "OPSBOOK_AUDIT_TASKS"
_SKIP_KEYS = ("msg", "skip_reason", "false_condition")


def _censored_skip(result: Any) -> dict[str, str]:
    """A no_log task's skip reason: ansible censors the whole result, but the reason ("Conditional
    result was False", the condition's text, "No items in the list") is ansible's own wording, not
    the task's data. Read from the unified result ansible keeps beside the censored one; only these
    two fields, never the module's message."""
    utr = getattr(result, "_CallbackTaskResult__utr", None)
    found: dict[str, str] = {}
    for key in ("skip_reason", "false_condition"):
        value = getattr(utr, key, None)
        if value not in (None, ""):
            found[key] = str(value)
    return found


class CallbackModule(CallbackBase):  # type: ignore[misc]  # ansible ships no type information
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "opsbook_audit"
    CALLBACK_NEEDS_ENABLED = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._path = os.environ.get(ENV, "")

    def _write(self, result: Any, kind: str) -> None:
        if not self._path:
            return
        task = result.task
        check_mode = getattr(task, "check_mode", None)
        line: dict[str, Any] = {
            "kind": kind,
            "task_uuid": str(task._uuid),
            "host": result.host.get_name(),
            "handler": isinstance(task, Handler),
            "check_mode": check_mode if isinstance(check_mode, bool) else None,
        }
        if kind in ("skipped", "item_skipped"):
            res = result.result
            skip = {k: str(res[k]) for k in _SKIP_KEYS if res.get(k) not in (None, "")}
            if "skip_reason" not in skip and res.get("skipped_reason"):
                skip["skip_reason"] = str(res["skipped_reason"])
            if "censored" in res:
                skip.update(_censored_skip(result))
            line["skip"] = skip
            if kind == "item_skipped":
                loop_var = str(res.get("ansible_loop_var", "item"))
                label = res.get("_ansible_item_label", res.get(loop_var))
                line["item"] = label if isinstance(label, str | int | float | bool) else str(label)
        with open(self._path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")

    def v2_runner_on_ok(self, result: Any) -> None:
        self._write(result, "ok")

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._write(result, "failed")

    def v2_runner_on_skipped(self, result: Any) -> None:
        self._write(result, "skipped")

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._write(result, "unreachable")

    def v2_runner_item_on_skipped(self, result: Any) -> None:
        self._write(result, "item_skipped")
