"""Password forms the simulated devices store and check.

IOS: type 5 (MD5-crypt, ``$1$salt$hash``, what ``enable secret`` / ``username … secret`` store)
and type 7 (the reversible ``password 7 …``); both algorithms are the network package's
(:mod:`opsbook.network.secrets`), the code that checks intended secrets against devices.
VRP: an ``irreversible-cipher`` string of the shape ``$1c$…$`` (salted SHA-256 here; the real
algorithm is not public) and ``%^%#…%^%#`` ciphers for SNMP communities. Salts are derived from
a caller-given seed so initial configs are reproducible.
"""

from __future__ import annotations

import base64
import hashlib

from opsbook.network.secrets import ITOA64, md5_crypt, type7_decode, type7_encode

__all__ = [
    "derive_salt",
    "type7_decode",
    "type7_encode",
    "verify_md5_crypt",
    "verify_vrp_irreversible",
    "vrp_cipher",
    "vrp_irreversible",
]


def derive_salt(seed: str, length: int = 4) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(ITOA64[b % 64] for b in digest[:length])


def verify_md5_crypt(password: str, hashed: str) -> bool:
    parts = hashed.split("$")
    if len(parts) != 4 or parts[1] != "1":
        return False
    return md5_crypt(password, parts[2]) == hashed


def vrp_irreversible(password: str, salt: str) -> str:
    digest = password.encode()
    for _ in range(200):
        digest = hashlib.sha256(salt.encode() + digest).digest()
    return f"$1c${salt}${base64.b64encode(digest).decode().rstrip('=')}$"


def verify_vrp_irreversible(password: str, cipher: str) -> bool:
    parts = cipher.split("$")
    if len(parts) != 5 or parts[1] != "1c":
        return False
    return vrp_irreversible(password, parts[2]) == cipher


def vrp_cipher(plain: str, salt: str) -> str:
    """A ``%^%#…%^%#`` cipher text: opaque, stable for a given salt, never the plain text."""
    digest = hashlib.sha256((salt + "\0" + plain).encode()).digest()
    body = base64.b64encode(digest).decode().rstrip("=").replace("/", "!").replace("+", "*")
    return f"%^%#{salt}{body}%^%#"
