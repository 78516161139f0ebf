#!/usr/bin/python
# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""opsbook_net_compliance: per-feature compliance of a device's running configuration."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: opsbook_net_compliance
short_description: Check a network device's running configuration against its intended one, per feature
description:
  - Renders the device's intended configuration from opsbook's templates and the device's C(net_*)
    variables, and compares it with the running configuration feature by feature (hostname, aaa,
    ntp, logging, snmp, vlans, acls, interfaces, banner), the same way C(opsbook net compliance)
    does - parent/child aware, abbreviations, defaults and order normalised where the platform
    allows.
  - A check module. It never changes anything. C(changed=true) means the device differs from its
    intended configuration (what would change), with one diff per drifted feature; an audit runs
    it in check mode like every other desired-state task.
  - Runs on the controller (delegate to localhost); needs the opsbook Python package. Output is
    redacted - no secret is returned.
version_added: "0.1.0"
author:
  - opsbook contributors
options:
  config:
    description: The raw running configuration.
    type: str
    required: true
  variables:
    description: The device's C(net_*) variables (see docs/network.md).
    type: dict
    required: true
extends_documentation_fragment:
  - opsbook_net.device
notes:
  - The secrets among O(variables) (passwords, secrets, keys, SNMP communities) are masked in
    everything Ansible logs or returns; the comparison result is redacted by opsbook's rules.
"""

EXAMPLES = r"""
- name: Check compliance per feature
  opsbook_net_compliance:
    device: "{{ inventory_hostname }}"
    platform: "{{ ansible_network_os }}"
    config: "{{ net_running.stdout[0] }}"
    variables: "{{ net_vars }}"
  delegate_to: localhost
"""

RETURN = r"""
status:
  description: C(compliant) or C(drifted).
  type: str
  returned: success
drifted_features:
  description: Features that differ.
  type: list
  elements: str
  returned: success
features:
  description: Per feature - C(compliant), C(missing) and C(extra) lines (redacted).
  type: dict
  returned: success
"""

from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.opsbook_net import OPSBOOK_IMPORT_ERROR, argument_spec, missing_opsbook

if not OPSBOOK_IMPORT_ERROR:  # else main() fails naming what is missing
    from opsbook.errors import OpsbookError
    from opsbook.network.compliance import DeviceStatus, check_device
    from opsbook.network.inventory import secrets_in_vars
    from opsbook.network.platforms import platform
    from opsbook.network.render import render_device


def main() -> None:
    module = AnsibleModule(
        argument_spec=argument_spec(
            {
                "config": {"type": "str", "required": True, "no_log": True},
                # not no_log: Ansible would then mask every value of it (addresses, names) in the
                # output; the secrets among them are masked below instead
                "variables": {"type": "dict", "required": True},
            }
        ),
        supports_check_mode=True,
    )
    if missing := missing_opsbook():
        module.fail_json(msg=missing)
        return
    device = module.params["device"]
    module.no_log_values.update(secrets_in_vars(module.params["variables"]))
    try:
        plat = platform(module.params["platform"]).name
        intended = render_device(device, plat, module.params["variables"])
    except OpsbookError as exc:
        module.fail_json(msg=str(exc))
        return
    result = check_device(device, plat, module.params["config"], intended.features)
    diff: list[dict[str, Any]] = [
        {
            "before": f.actual,
            "after": f.intended,
            "before_header": f"{device} {f.feature} (running)",
            "after_header": f"{device} {f.feature} (intended)",
        }
        for f in result.features
        if not f.compliant
    ]
    module.exit_json(
        changed=result.status is DeviceStatus.DRIFTED,
        status=result.status.value,
        drifted_features=result.drifted_features,
        features={
            f.feature: {"compliant": f.compliant, "missing": f.missing, "extra": f.extra}
            for f in result.features
        },
        diff=diff,
    )


if __name__ == "__main__":
    main()
