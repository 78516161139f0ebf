# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""Documentation the opsbook network modules share (``extends_documentation_fragment``).

``opsbook_net.device``: which device; ``opsbook_net.connection``: how to reach it over SSH. The
argument specs they document are in module_utils/opsbook_net.py (DEVICE_OPTIONS, CONNECTION_OPTIONS).
"""

from __future__ import annotations


class ModuleDocFragment:
    DEVICE = r"""
options:
  device:
    description: The device name (inventory_hostname).
    type: str
    required: true
  platform:
    description: C(cisco_ios) or C(huawei_vrp), or an alias (C(cisco.ios.ios), C(huawei)).
    type: str
    required: true
"""

    CONNECTION = r"""
options:
  host:
    description: Address to connect to.
    type: str
    required: true
  port:
    description: SSH port.
    type: int
    default: 22
  username:
    description: Login user.
    type: str
    required: true
  password:
    description: Login password.
    type: str
    required: true
  secret:
    description: IOS enable secret (default the password).
    type: str
"""
