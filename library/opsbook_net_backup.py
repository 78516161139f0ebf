#!/usr/bin/python
# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""opsbook_net_backup: store network devices' running configurations in opsbook's git backup store."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: opsbook_net_backup
short_description: Store running configurations in the opsbook network backup store (git, redacted)
description:
  - Writes each device's running configuration into the backup store, a git repository with one
    C(<device>.cfg) per device, and commits them in one commit whose message says who ran it and
    when. Volatile lines (timestamps, byte counts, counters) are removed and secrets are redacted
    by per-platform rules before anything is written, so no secret reaches a git object.
  - The same store and the same rules as C(opsbook net backup); C(opsbook net history) and
    C(opsbook net diff) read what this module writes.
  - Runs where the store is (delegate to localhost, run once); needs the opsbook Python package.
  - In check mode nothing is written; C(changed) says whether a commit would be made.
version_added: "0.1.0"
author:
  - opsbook contributors
options:
  store:
    description: Path of the backup store (created when missing).
    type: path
    required: true
  configs:
    description:
      - Device name to its raw running configuration (a string), or to C({platform, config}) when
        devices of several platforms are stored at once.
    type: dict
    required: true
  platform:
    description:
      - Platform of the configurations given as plain strings - C(cisco_ios) or C(huawei_vrp), or
        an alias such as C(cisco.ios.ios).
    type: str
    default: cisco_ios
  reason:
    description: First words of the commit message.
    type: str
    default: backup (ansible)
  who:
    description: Who ran the backup, for the commit message. Default is the controller's user@host.
    type: str
notes:
  - Mark the task C(no_log) - the input holds secrets; the module's output does not.
"""

EXAMPLES = r"""
- name: Store every device's configuration in one commit
  opsbook_net_backup:
    store: "{{ playbook_dir }}/../../.opsbook/netbackup"
    configs: >-
      {{ dict(ansible_play_hosts | zip(ansible_play_hosts
         | map('extract', hostvars, ['net_running', 'stdout', 0]))) }}
  delegate_to: localhost
  run_once: true
  no_log: true
"""

RETURN = r"""
commit:
  description: The commit id, empty when nothing changed (or in check mode).
  type: str
  returned: always
changed_devices:
  description: Devices whose stored configuration changed (would change in check mode).
  type: list
  elements: str
  returned: always
"""

from pathlib import Path
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.opsbook_net import OPSBOOK_IMPORT_ERROR, missing_opsbook

if not OPSBOOK_IMPORT_ERROR:  # else main() fails naming what is missing
    from opsbook.errors import OpsbookError
    from opsbook.network.backup import BackupStore, stored_form
    from opsbook.network.platforms import platform


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "store": {"type": "path", "required": True},
            "configs": {"type": "dict", "required": True, "no_log": True},
            "reason": {"type": "str", "default": "backup (ansible)"},
            "platform": {"type": "str", "default": "cisco_ios"},
            "who": {"type": "str"},
        },
        supports_check_mode=True,
    )
    if missing := missing_opsbook():
        module.fail_json(msg=missing)
        return
    store = BackupStore(Path(module.params["store"]))
    configs: dict[str, tuple[str, str]] = {}
    for device, item in (module.params["configs"] or {}).items():
        entry = {"platform": module.params["platform"], "config": item} if isinstance(item, str) else item
        if not isinstance(entry, dict) or "config" not in entry or "platform" not in entry:
            module.fail_json(
                msg=f"configs.{device}: give the configuration, or a dict with platform and config"
            )
            return
        try:
            configs[str(device)] = (platform(str(entry["platform"])).name, str(entry["config"]))
        except OpsbookError as exc:
            module.fail_json(msg=f"configs.{device}: {exc}")
            return
    changed: list[str] = []
    for device, (plat, text) in sorted(configs.items()):
        target = store.path(device)
        old = target.read_text(encoding="utf-8") if target.exists() else None
        if old != stored_form(text, plat):
            changed.append(device)
    result: dict[str, Any] = {"changed": bool(changed), "changed_devices": changed, "commit": ""}
    if module.check_mode or not changed:
        module.exit_json(**result)
        return
    try:
        commit = store.save(configs, reason=module.params["reason"], who=module.params["who"])
    except OpsbookError as exc:
        module.fail_json(msg=str(exc))
        return
    result["commit"] = commit or ""
    module.exit_json(**result)


if __name__ == "__main__":
    main()
