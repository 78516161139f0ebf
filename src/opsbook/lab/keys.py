"""The lab's SSH key pair (ed25519), one per lab, kept under ``.opsbook/lab/<name>/ssh/``."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEY_NAME = "id_ed25519"


def ensure_keypair(ssh_dir: Path, comment: str) -> tuple[Path, str]:
    """Return (private key path, public key line), generating the pair if it is missing."""
    private = ssh_dir / KEY_NAME
    public = ssh_dir / f"{KEY_NAME}.pub"
    if private.is_file() and public.is_file():
        return private, public.read_text(encoding="utf-8").strip()
    ssh_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(ssh_dir, 0o700)
    key = Ed25519PrivateKey.generate()
    private_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    public_line = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode("ascii")
        + f" {comment}"
    )
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_bytes)
    public.write_text(public_line + "\n", encoding="utf-8")
    return private, public_line
