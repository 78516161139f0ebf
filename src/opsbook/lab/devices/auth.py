"""Who may log in, and at which privilege: read from the device's running configuration.

IOS: ``username NAME [privilege N] secret 5 <md5-crypt>`` (or ``password 7 …`` /
``password 0 …``). VRP: ``local-user NAME password irreversible-cipher …``, ``local-user NAME
privilege level N`` and ``local-user NAME service-type … ssh …`` under ``aaa``.
"""

from __future__ import annotations

import re

from opsbook.lab.devices.config import Node
from opsbook.lab.devices.passwords import type7_decode, verify_md5_crypt, verify_vrp_irreversible


def check_secret(password: str, kind: str, value: str) -> bool:
    """``kind`` is the IOS password type: 0 (plain), 5 (MD5-crypt), 7 (reversible)."""
    if kind == "5":
        return verify_md5_crypt(password, value)
    if kind == "7":
        return type7_decode(value) == password
    if kind == "0":
        return value == password
    return False


def ios_login(config: Node, username: str, password: str) -> int | None:
    """The user's privilege level when the password is right, else None."""
    for node in config.children:
        match = re.match(
            r"^username (\S+)(?: privilege (\d+))?.* (secret|password) (?:(\d) )?(\S+)$", node.text
        )
        if not match or match[1] != username:
            continue
        kind = match[4] or "0"
        if check_secret(password, kind, match[5]):
            return int(match[2] or 1)
        return None
    return None


def ios_enable_ok(config: Node, password: str) -> bool | None:
    """True/False for the enable secret; None when no enable secret or password is set."""
    for word in ("secret", "password"):
        for node in config.children:
            match = re.match(rf"^enable {word} (?:(\d) )?(\S+)$", node.text)
            if match:
                return check_secret(password, match[1] or "0", match[2])
    return None


def vrp_login(config: Node, username: str, password: str) -> int | None:
    aaa = config.child("aaa")
    if aaa is None:
        return None
    prefix = f"local-user {username} "
    lines = [c.text[len(prefix) :] for c in aaa.children if c.text.startswith(prefix)]
    secret = next((line for line in lines if line.startswith("password ")), None)
    if secret is None:
        return None
    words = secret.split()
    ok = (
        verify_vrp_irreversible(password, words[2])
        if len(words) == 3 and words[1] in ("irreversible-cipher", "cipher")
        else len(words) == 3 and words[1] == "simple" and words[2] == password
    )
    if not ok:
        return None
    service = next((line for line in lines if line.startswith("service-type ")), "")
    if "ssh" not in service.split():
        return None
    level = next((line for line in lines if line.startswith("privilege level ")), "privilege level 0")
    return int(level.split()[2])
