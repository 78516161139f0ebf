"""Removing known secret values from any data: pure functions, no I/O.

A *secret* is a string the caller knows must never be shown or stored (a password parameter,
a token). Every occurrence of it — a whole value or part of a longer string, in keys and in
values, at any depth — is replaced by :data:`MASK`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "********"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def normalize_secrets(secrets: Iterable[object]) -> tuple[str, ...]:
    """Unique, non-empty secret strings, longest first (so a secret containing another is masked whole).

    Values made only of ``*`` are dropped: they are already indistinguishable from the mask.
    """
    unique = {str(s) for s in secrets if s is not None and str(s).strip("*")}
    return tuple(sorted(unique, key=lambda s: (-len(s), s)))


def redact_text(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact(value: Any, secrets: Iterable[str]) -> Any:
    """A copy of ``value`` (JSON-like data) with every secret masked; other types pass unchanged."""
    keys = normalize_secrets(secrets)
    if not keys:
        return value
    return _redact(value, keys)


def _redact(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        return {
            (redact_text(k, secrets) if isinstance(k, str) else k): _redact(v, secrets)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(v, secrets) for v in value]
    return value


def secret_forms(secret: str) -> tuple[bytes, ...]:
    """Every byte form a secret takes in an artifact: raw UTF-8 and as escaped inside JSON strings."""
    forms = {
        secret.encode(),
        json.dumps(secret)[1:-1].encode(),
        json.dumps(secret, ensure_ascii=False)[1:-1].encode(),
    }
    return tuple(sorted((f for f in forms if f), key=lambda f: (-len(f), f)))


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)
