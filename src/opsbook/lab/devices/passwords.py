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

_ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_TYPE7_KEY = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"


def derive_salt(seed: str, length: int = 4) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ITOA64[b % 64] for b in digest[:length])


def md5_crypt(password: str, salt: str) -> str:
    """FreeBSD MD5-crypt as IOS type 5 uses it: ``$1$<salt>$<22 chars>``."""
    pw = password.encode()
    salt_b = salt.encode()[:8]
    magic = b"$1$"
    ctx = pw + magic + salt_b
    final = hashlib.md5(pw + salt_b + pw).digest()
    remaining = len(pw)
    while remaining > 0:
        ctx += final[: min(16, remaining)]
        remaining -= 16
    i = len(pw)
    while i:
        ctx += b"\x00" if i & 1 else pw[:1]
        i >>= 1
    final = hashlib.md5(ctx).digest()
    for rnd in range(1000):
        step = pw if rnd & 1 else final
        if rnd % 3:
            step += salt_b
        if rnd % 7:
            step += pw
        step += final if rnd & 1 else pw
        final = hashlib.md5(step).digest()

    def to64(value: int, count: int) -> str:
        chars = []
        for _ in range(count):
            chars.append(_ITOA64[value & 0x3F])
            value >>= 6
        return "".join(chars)

    encoded = ""
    for a, b, c in ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)):
        encoded += to64((final[a] << 16) | (final[b] << 8) | final[c], 4)
    encoded += to64(final[11], 2)
    return f"$1${salt_b.decode()}${encoded}"


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
