"""IOS configuration edits that need more than setting a line: secrets stored the way IOS stores
them, trunk VLAN lists, ``copy startup-config running-config``, and IOS log messages. Pure
functions on the configuration tree.
"""

from __future__ import annotations

import re

from opsbook.lab.devices.config import Node, parse_config
from opsbook.lab.devices.device import DeviceState, LinkState
from opsbook.lab.devices.editing import (
    format_vlan_list,
    open_block,
    parse_vlan_list,
    remove_line,
    set_banner,
    set_line,
)
from opsbook.lab.devices.passwords import derive_salt, type7_encode
from opsbook.network.secrets import md5_crypt

_ALLOWED = "switchport trunk allowed vlan"


class BadVlanList(ValueError):
    """A VLAN list that does not parse; ``position`` is where (for the ``^`` marker)."""

    def __init__(self, position: int) -> None:
        super().__init__(f"bad VLAN list at {position}")
        self.position = position


def encrypt_password(running: Node, prefix: str, value: str) -> str:
    """``password x`` → ``password 7 …`` under ``service password-encryption``."""
    match = re.match(r"^(?:(\d) )?(\S+)$", value)
    encrypted = running.child("service password-encryption") is not None
    if match and match[1] in (None, "0") and encrypted:
        return f"{prefix} 7 {type7_encode(match[2], len(match[2]))}"
    return f"{prefix} {value}"


def hash_enable(device_name: str, value: str) -> str:
    """``enable secret x`` → ``enable secret 5 $1$…`` (a given hash stays as it is)."""
    match = re.match(r"^(?:(\d) )?(\S+)$", value)
    if match and match[1] in (None, "0"):
        salt = derive_salt(f"{device_name}/enable/{match[2]}")
        return f"enable secret 5 {md5_crypt(match[2], salt)}"
    return f"enable secret {value}"


def hash_username(running: Node, device_name: str, text: str) -> str:
    """``username u secret x`` hashed (type 5), ``username u password x`` encrypted when asked."""
    match = re.match(r"^(username \S+.*? secret) (?:(\d) )?(\S+)$", text)
    if match:
        if match[2] not in (None, "0"):
            return text
        salt = derive_salt(f"{device_name}/{text.split()[1]}/{match[3]}")
        return f"{match[1]} 5 {md5_crypt(match[3], salt)}"
    match = re.match(r"^(username \S+.*? password) (?:(\d) )?(\S+)$", text)
    if match and match[2] in (None, "0"):
        return encrypt_password(running, match[1], match[3])
    return text


def allowed_vlan(parent: Node, spec: str) -> bool:
    """``switchport trunk allowed vlan [add|remove|except] LIST | all | none``; True when changed.

    Raises :class:`BadVlanList` with the position of a list that does not parse.
    """
    words = spec.split()
    current_line = next((c for c in parent.children if c.text.startswith(_ALLOWED + " ")), None)
    current = parse_vlan_list(current_line.text.rsplit(" ", 1)[1]) if current_line else list(range(1, 4095))
    current = current or []
    if words[0] in ("add", "remove", "except") and len(words) == 2:
        vlans = parse_vlan_list(words[1])
        if vlans is None:
            raise BadVlanList(len(_ALLOWED) + 1 + len(words[0]) + 1)
        if words[0] == "add":
            result = sorted(set(current) | set(vlans))
        elif words[0] == "remove":
            result = sorted(set(current) - set(vlans))
        else:
            result = sorted(set(range(1, 4095)) - set(vlans))
    elif words == ["all"]:
        return remove_line(parent, _ALLOWED, "cisco_ios")
    elif words == ["none"]:
        return set_line(parent, _ALLOWED + " none", "cisco_ios")
    else:
        parsed = parse_vlan_list(spec)
        if parsed is None:
            raise BadVlanList(len(_ALLOWED) + 1)
        result = parsed
    return set_line(parent, f"{_ALLOWED} " + format_vlan_list(result, "cisco_ios"), "cisco_ios")


def log_rollback(dev: DeviceState) -> None:
    dev.add_log(
        "%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_ROLLBACK: Rollback Confirmed Change: "
        "rolled back to the configuration saved when the revert timer was started"
    )


def log_link(dev: DeviceState, name: str, old: LinkState, new: LinkState) -> None:
    """IOS messages for an interface whose state changed."""
    if new.status == "administratively down":
        dev.add_log(f"%LINK-5-CHANGED: Interface {name}, changed state to administratively down")
    elif new.status != old.status:
        dev.add_log(f"%LINK-3-UPDOWN: Interface {name}, changed state to {new.status}")
    if new.protocol != old.protocol:
        dev.add_log(
            f"%LINEPROTO-5-UPDOWN: Line protocol on Interface {name}, changed state to {new.protocol}"
        )


def merge_config(target: Node, source: Node, platform: str) -> None:
    """``copy startup-config running-config``: apply every line of ``source`` onto ``target``."""
    for node in source.children:
        if node.body is not None:
            set_banner(target, node.text.split()[1], node.body)
        elif node.children:
            block, _ = open_block(target, node.text, platform)
            merge_config(block, node, platform)
        else:
            set_line(target, node.text, platform)


def load_text(text: str) -> Node:
    return parse_config(text, "cisco_ios")
