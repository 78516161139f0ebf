"""Ansible callback used by tests/lab/test_roles_molecule.py: one JSON line per task result.

Enabled with ANSIBLE_CALLBACKS_ENABLED=opsbook_task_record and ANSIBLE_CALLBACK_PLUGINS pointing
here; it appends to the file named by OPSBOOK_TASK_RECORD. Each line holds the host, task name,
action, status (ok / changed / skipped / failed / unreachable) and, for skips, the reason Ansible
gave (so that a test can tell "skipped in check mode" from "condition false").
"""

from __future__ import annotations

import json
import os
from typing import Any

from ansible.playbook.handler import Handler
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: opsbook_task_record
type: aggregate
short_description: write one JSON line per task result (opsbook tests)
description: Appends task results to the file named by OPSBOOK_TASK_RECORD.
requirements: []
"""


class CallbackModule(CallbackBase):  # type: ignore[misc]
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "opsbook_task_record"
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, result: Any, status: str) -> None:
        path = os.environ.get("OPSBOOK_TASK_RECORD")
        if not path:
            return
        res = dict(result._result)
        task = result._task
        line = {
            "host": result._host.get_name(),
            "task": task.get_name(),
            "action": task.action,
            "handler": isinstance(task, Handler),
            "status": status,
            "check_mode": bool(res.get("_ansible_check_mode", False)),
            "msg": str(res.get("msg", ""))[:500],
            "skip_reason": str(res.get("skip_reason", res.get("skipped_reason", ""))),
            "false_condition": str(res.get("false_condition", "")),
            "items_skipped": [
                {
                    "msg": str(item.get("msg", ""))[:200],
                    "skip_reason": str(item.get("skip_reason", "")),
                    "false_condition": str(item.get("false_condition", "")),
                }
                for item in res.get("results", []) or []
                if isinstance(item, dict) and item.get("skipped")
            ],
        }
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")

    def v2_runner_on_ok(self, result: Any) -> None:
        self._write(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_skipped(self, result: Any) -> None:
        self._write(result, "skipped")

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._write(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._write(result, "unreachable")
