# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""What the opsbook network modules share: their device and connection options, the check that
the opsbook package is there, and the device those options describe.

Modules import it as ``ansible.module_utils.opsbook_net``. The options are documented once, in the
doc fragment doc_fragments/opsbook_net.py (``extends_documentation_fragment``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

try:
    from opsbook.network.inventory import NetDevice
    from opsbook.network.platforms import platform

    OPSBOOK_IMPORT_ERROR = ""
except ImportError as exc:  # the controller's Python lacks opsbook
    OPSBOOK_IMPORT_ERROR = str(exc)

#: Which device (doc fragment ``opsbook_net.device``).
DEVICE_OPTIONS: dict[str, dict[str, Any]] = {
    "device": {"type": "str", "required": True},
    "platform": {"type": "str", "required": True},
}

#: How to reach it over SSH (doc fragment ``opsbook_net.connection``).
CONNECTION_OPTIONS: dict[str, dict[str, Any]] = {
    "host": {"type": "str", "required": True},
    "port": {"type": "int", "default": 22},
    "username": {"type": "str", "required": True},
    "password": {"type": "str", "required": True, "no_log": True},
    "secret": {"type": "str", "no_log": True},
}


def argument_spec(
    own: Mapping[str, dict[str, Any]], *, device: bool = True, connection: bool = False
) -> dict[str, dict[str, Any]]:
    """A module's argument spec: the shared options it takes, then its own."""
    spec: dict[str, dict[str, Any]] = {}
    if device:
        spec.update(DEVICE_OPTIONS)
    if connection:
        spec.update(CONNECTION_OPTIONS)
    spec.update(own)
    return spec


def missing_opsbook(import_error: str | None = None) -> str:
    """The failure message when the controller's Python cannot import opsbook ("" when it can).

    Modules import what they need from opsbook only ``if not OPSBOOK_IMPORT_ERROR`` and call this
    first in ``main()``, so a controller without opsbook gets this message, not a traceback.
    """
    error = OPSBOOK_IMPORT_ERROR if import_error is None else import_error
    return f"the opsbook Python package is needed on the controller: {error}" if error else ""


def net_device(
    params: Mapping[str, Any], *, platform_name: str | None = None, variables: Mapping[str, Any] | None = None
) -> NetDevice:
    """The device the shared options describe; the enable secret defaults to the password.

    ``platform_name``: the resolved platform when the caller has it, else resolved here (a bad
    name raises opsbook's UsageError).
    """
    return NetDevice(
        name=params["device"],
        platform=platform_name or platform(params["platform"]).name,
        host=params["host"],
        port=params["port"],
        username=params["username"],
        password=params["password"],
        secret=params["secret"] or params["password"],
        vars=dict(variables or {}),
    )
