"""described_command: ``ansible.builtin.command`` that says, as its diff, what it does.

The emergency playbooks' changing steps are commands (``gzip``, ``journalctl --vacuum-size``,
``logrotate``, ``apt-get clean``). A command's result has no diff, so a check-mode plan could only
name the task. This action runs ``ansible.builtin.command`` unchanged (same arguments, same
check-mode rule: with ``creates``/``removes`` check mode reports whether it would run) and, when the
command changed (or would change) the host, adds ``describe`` as the task's diff, e.g.
``compress /var/log/app/app.log.1 (90.0 MB)``. The runbook engine shows that diff in the plan and
keeps it in the record. Used by playbooks in this folder (Ansible loads ``action_plugins/`` next to
a playbook).

    - name: Compress each rotated log
      described_command:
        argv: [gzip, -f, --, "{{ item.path }}"]
        removes: "{{ item.path }}"
        describe: "compress {{ item.path }} ({{ item.size | human_readable }})"
      loop: "{{ disk_full_rotated_files }}"
"""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):  # type: ignore[misc]  # ansible's classes are untyped
    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        args = dict(self._task.args)
        describe = str(args.pop("describe", "") or "").strip()
        result.update(
            self._execute_module(module_name="ansible.legacy.command", module_args=args, task_vars=task_vars)
        )
        self._remove_tmp_path(self._connection._shell.tmpdir)
        if result.get("changed") and describe:
            result["diff"] = {"prepared": describe + "\n"}
        return result
