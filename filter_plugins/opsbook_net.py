"""Filters for the network templates and playbooks (the same functions opsbook's Python side uses).

netmask      "10.0.0.1/24" -> "10.0.0.1 255.255.255.0" (an address with a mask is returned as is)
wildcard     "10.0.0.0/24" -> "10.0.0.0 0.0.0.255"
net_stored   a running configuration as the backup store keeps it: volatile lines removed,
             secrets redacted (argument: the platform, e.g. cisco_ios)
net_redact   secrets redacted (argument: the platform)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opsbook.network.backup import stored_form
from opsbook.network.redact import redact
from opsbook.network.render import netmask, wildcard


def net_stored(text: str, platform: str = "cisco_ios") -> str:
    return stored_form(str(text), platform)


def net_redact(text: str, platform: str = "cisco_ios") -> str:
    return redact(str(text), platform)


class FilterModule:
    """opsbook network filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"netmask": netmask, "wildcard": wildcard, "net_stored": net_stored, "net_redact": net_redact}
