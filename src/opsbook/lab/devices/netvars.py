"""The ``net_*`` inventory variables of a lab device: its intended configuration.

The contract between the simulated devices and the network features: a freshly started lab
device is compliant. The variables are derived (:func:`opsbook.network.derive.derive_vars`)
from the very configuration the simulator starts the device with
(:func:`opsbook.lab.devices.initial.initial_config`), and the secrets are then put back in
plain text from the device's spec (the way an operator writes them in the register), so that
compliance checks them against the device's hashes rather than copying the hashes.

The lab inventory generator merges ``lab_net_vars(spec)`` into each device's host_vars. It lives
in the lab, not in ``opsbook.network``: the lab may use the network part (here its ``derive``), the
network part never uses the lab.
"""

from __future__ import annotations

from typing import Any

from opsbook.lab.devices.config import render_config
from opsbook.lab.devices.initial import initial_config
from opsbook.lab.devices.spec import DeviceSpec
from opsbook.network.derive import derive_vars


def lab_net_vars(spec: DeviceSpec) -> dict[str, Any]:
    """The net_* variables under which the device's initial configuration is compliant."""
    config = render_config(initial_config(spec), spec.platform)
    data = derive_vars(config, spec.platform)
    if spec.platform == "cisco_ios" and "net_enable_secret" in data:
        data["net_enable_secret"] = spec.enable_secret
    for user in data.get("net_local_users", []):
        if user.get("name") == spec.username:
            user["secret"] = spec.password
    for community in data.get("net_snmp_communities", []):
        community["name"] = spec.snmp_community
    return data
