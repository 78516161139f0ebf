#!/usr/bin/python
# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""opsbook_net_push: safe push of the intended configuration, or restore of a backup, to one device."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: opsbook_net_push
short_description: Safely push a network device's intended configuration, or restore a stored backup
description:
  - The same procedure as C(opsbook net push) / C(opsbook net restore), for runbooks - back up the
    running configuration, compute the remediation (hier_config), refuse changes to the management
    interface or ACL unless allowed, apply it (Cisco IOS inside C(configure terminal revert timer)),
    post-check on a fresh connection (reachable, compliant, C(net_post_checks)), then confirm and
    save - or roll back to the backup and verify it.
  - Connects with netmiko from the controller (delegate to localhost), so it serves Cisco IOS and
    Huawei VRP alike. Needs the opsbook Python package.
  - In check mode it only reads the device and returns the plan (C(changed) = there is something
    to apply); nothing is written, not even the backup.
  - Fails when the push was refused, rolled back or failed; the result says what happened, step by
    step. Output is redacted.
version_added: "0.1.0"
author:
  - opsbook contributors
options:
  mode:
    description: V(push) the intended configuration, or V(restore) a stored backup.
    type: str
    choices: [push, restore]
    default: push
  variables:
    description: The device's C(net_*) variables (intended configuration, management protection, post-checks).
    type: dict
    default: {}
  backup:
    description:
      - For V(restore) - the backup to restore, a commit id, a date (C(2026-12-03), the last
        backup of that day, UTC) or C(latest) (C(@1) too).
      - Other C(@N) move with every backup and are refused; C(opsbook net restore) takes them
        with C(--as-of).
    type: str
    default: "@1"
  allow_mgmt:
    description: Allow changes to the management interface (C(net_mgmt_interface)) or ACL (C(net_mgmt_acl)).
    type: bool
    default: false
  revert_minutes:
    description: IOS revert timer while the change is post-checked.
    type: int
    default: 5
  store:
    description: The backup store (default C($OPSBOOK_NETBACKUP) or the project's C(.opsbook/netbackup)).
    type: path
extends_documentation_fragment:
  - opsbook_net.device
  - opsbook_net.connection
"""

EXAMPLES = r"""
- name: Push the intended configuration safely
  opsbook_net_push:
    device: "{{ inventory_hostname }}"
    platform: "{{ netmiko_device_type | default(ansible_network_os) }}"
    host: "{{ ansible_host }}"
    port: "{{ ansible_port }}"
    username: "{{ ansible_user }}"
    password: "{{ ansible_password }}"
    variables: >-
      {{ dict(q('ansible.builtin.varnames', '^net_')
         | zip(q('ansible.builtin.vars', *q('ansible.builtin.varnames', '^net_')))) }}
  delegate_to: localhost
"""

RETURN = r"""
status:
  description: unchanged, planned (check mode), refused, applied, rolled_back or failed.
  type: str
  returned: always
commands:
  description: The remediation (redacted).
  type: list
  elements: str
  returned: always
rollback:
  description: The commands that undo it (redacted).
  type: list
  elements: str
  returned: always
steps:
  description: What was done, in order.
  type: list
  elements: str
  returned: always
backup_commit:
  description: The pre-change backup's commit in the store ("" when unchanged or check mode).
  type: str
  returned: always
"""

from pathlib import Path
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.opsbook_net import OPSBOOK_IMPORT_ERROR, argument_spec, missing_opsbook, net_device

if not OPSBOOK_IMPORT_ERROR:  # else main() fails naming what is missing
    from opsbook.errors import OpsbookError
    from opsbook.network.backup import BackupStore, default_store
    from opsbook.network.connect import netmiko_connector
    from opsbook.network.inventory import resolve_net_vars, secrets_in_vars
    from opsbook.network.push import PushOptions, PushStatus, apply, prepare, prepare_restore
    from opsbook.network.render import render_device
    from opsbook.paths import project_paths


def main() -> None:
    module = AnsibleModule(
        argument_spec=argument_spec(
            {
                "mode": {"type": "str", "choices": ["push", "restore"], "default": "push"},
                # not no_log: Ansible would mask every value of it; its secrets are masked below
                "variables": {"type": "dict", "default": {}},
                "backup": {"type": "str", "default": "@1"},
                "allow_mgmt": {"type": "bool", "default": False},
                "revert_minutes": {"type": "int", "default": 5},
                "store": {"type": "path"},
            },
            connection=True,
        ),
        supports_check_mode=True,
    )
    if missing := missing_opsbook():
        module.fail_json(msg=missing)
        return
    params: dict[str, Any] = module.params
    module.no_log_values.update(secrets_in_vars(params["variables"] or {}))
    try:
        name = params["device"]
        variables = resolve_net_vars(name, params["variables"] or {})
        device = net_device(params, variables=variables)
        store = BackupStore(Path(params["store"]) if params["store"] else default_store(project_paths()))
        connector = netmiko_connector()
        write = not module.check_mode
        if params["mode"] == "restore":
            prepared = prepare_restore(
                device,
                store=store,
                connector=connector,
                ref=params["backup"],
                allow_mgmt=params["allow_mgmt"],
                backup=write,
            )
        else:
            intended = render_device(name, device.platform, variables)
            prepared = prepare(
                device,
                intended,
                store=store,
                connector=connector,
                allow_mgmt=params["allow_mgmt"],
                backup=write,
            )
        result = prepared.result
        if write and prepared.actionable:
            result = apply(
                prepared,
                store=store,
                connector=connector,
                options=PushOptions(revert_minutes=params["revert_minutes"]),
            )
    except OpsbookError as exc:
        module.fail_json(msg=str(exc))
        return
    data = result.to_dict()
    data.pop("device", None)
    diff = {"prepared": "\n".join(result.commands) + "\n"} if result.commands else {}
    changed = result.status in (PushStatus.APPLIED, PushStatus.ROLLED_BACK) or (
        module.check_mode and result.status is PushStatus.PLANNED
    )
    if result.status in (PushStatus.REFUSED, PushStatus.ROLLED_BACK, PushStatus.FAILED):
        module.fail_json(
            msg=f"{name}: {result.status.value}: {result.error}", changed=changed, diff=diff, **data
        )
        return
    module.exit_json(changed=changed, diff=diff, **data)


if __name__ == "__main__":
    main()
