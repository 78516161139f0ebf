"""Password forms the simulated devices store and check.

IOS: type 5 (MD5-crypt, ``$1$salt$hash``, what ``enable secret`` / ``username … secret`` store)
and type 7 (the reversible ``password 7 …``). VRP: an ``irreversible-cipher`` string of the
shape ``$1c$…$`` (salted SHA-256 here; the real algorithm is not public) and ``%^%#…%^%#``
ciphers for SNMP communities. Salts are derived from a caller-given seed so initial configs
are reproducible.
"""

from __future__ import annotations

import base64
import hashlib

from opsbook.network.secrets import md5_crypt

_ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_TYPE7_KEY = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"


def derive_salt(seed: str, length: int = 4) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ITOA64[b % 64] for b in digest[:length])


def verify_md5_crypt(password: str, hashed: str) -> bool:
    parts = hashed.split("$")
    if len(parts) != 4 or parts[1] != "1":
        return False
    return md5_crypt(password, parts[2]) == hashed


def type7_encode(password: str, seed: int = 2) -> str:
    seed %= 16
    out = f"{seed:02d}"
    for i, char in enumerate(password):
        out += f"{ord(char) ^ ord(_TYPE7_KEY[(seed + i) % len(_TYPE7_KEY)]):02X}"
    return out


def type7_decode(encoded: str) -> str | None:
    try:
        seed = int(encoded[:2])
        data = bytes.fromhex(encoded[2:])
    except ValueError:
        return None
    return "".join(chr(b ^ ord(_TYPE7_KEY[(seed + i) % len(_TYPE7_KEY)])) for i, b in enumerate(data))


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
