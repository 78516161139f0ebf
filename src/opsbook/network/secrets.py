"""Is a device's stored secret the intended one? Without ever printing either.

The intended configuration holds secrets in plain text; a device shows them encoded: IOS type 0
(plain), 7 (reversible), 5 (MD5-crypt), 8/9 (PBKDF2/scrypt); VRP ``simple`` (plain), ``cipher``
and ``irreversible-cipher`` (proprietary). :func:`same_secret` answers True / False where the
encoding can be checked (plain, type 7, type 5) and None where it cannot (the caller then goes
by the rest of the line: the secret is present, its value unverifiable).
"""

from __future__ import annotations

import hashlib

#: the alphabet of crypt(3) salts and hashes
ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_TYPE7_XLAT = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"
_PLAIN = frozenset({"", "0", "simple", "plain"})


def type7_encode(password: str, seed: int = 2) -> str:
    """Cisco type 7: a two-digit seed, then each character XOR the public key, in hex."""
    seed %= 16
    key = _TYPE7_XLAT
    encoded = "".join(f"{ord(char) ^ ord(key[(seed + i) % len(key)]):02X}" for i, char in enumerate(password))
    return f"{seed:02d}{encoded}"


def type7_decode(encoded: str) -> str | None:
    """Cisco type 7 back to plain text ("02" is the empty password); None if malformed."""
    if len(encoded) < 2 or len(encoded) % 2 or not encoded[:2].isdigit():
        return None
    try:
        data = bytes.fromhex(encoded[2:])
    except ValueError:
        return None
    seed = int(encoded[:2])
    return "".join(chr(b ^ ord(_TYPE7_XLAT[(seed + i) % len(_TYPE7_XLAT)])) for i, b in enumerate(data))


def _to64(value: int, count: int) -> str:
    out = []
    for _ in range(count):
        out.append(ITOA64[value & 0x3F])
        value >>= 6
    return "".join(out)


def md5_crypt(password: str, salt: str) -> str:
    """MD5-crypt (``$1$salt$hash``), the algorithm of IOS type 5 secrets."""
    pw, salt_b, magic = password.encode(), salt.encode()[:8], b"$1$"
    alt = hashlib.md5(pw + salt_b + pw).digest()
    ctx = pw + magic + salt_b
    for i in range(len(pw), 0, -16):
        ctx += alt[: min(16, i)]
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
    encoded = "".join(
        _to64((final[a] << 16) | (final[b] << 8) | final[c], 4)
        for a, b, c in ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5))
    )
    return f"$1${salt_b.decode()}${encoded}{_to64(final[11], 2)}"


def _plain(encoding: str, value: str) -> str | None:
    if encoding in _PLAIN and not value.startswith(("$1$", "$8$", "$9$", "%^%#", "%$%$")):
        return value
    if encoding == "7":
        return type7_decode(value)
    return None


def same_secret(a: tuple[str, str], b: tuple[str, str]) -> bool | None:
    """Do two (encoding, value) secrets hold the same plain text? None: cannot tell."""
    if a == b:
        return True
    plain_a, plain_b = _plain(*a), _plain(*b)
    if plain_a is not None and plain_b is not None:
        return plain_a == plain_b
    for plain, (_, hashed) in ((plain_a, b), (plain_b, a)):
        if plain is not None and hashed.startswith("$1$"):
            parts = hashed.split("$")
            return len(parts) == 4 and md5_crypt(plain, parts[2]) == hashed
    return None
