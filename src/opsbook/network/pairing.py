"""Pairing secret lines of two configurations without showing them.

A target line (intended, or a stored backup whose secrets are redacted) and a running line are
the same when they read the same once redacted and their secrets match
(:func:`~opsbook.network.secrets.same_secret`) or cannot be checked (hashes the device keeps).
Used by compliance (a plain-text intended secret equals its hash on the device) and by
remediation and restore (a redacted backup line keeps the device's secret).
"""

from __future__ import annotations

from hier_config import HConfig, HConfigChild

from opsbook.network.redact import REDACTED, redact_line, secret_values
from opsbook.network.secrets import same_secret


def _verdict(target: str, running: str, platform_name: str, parent: str) -> bool | None:
    """Do the secrets of two lines (equal once redacted) match? None: cannot tell."""
    pairs = list(
        zip(
            secret_values(target, platform_name, parent),
            secret_values(running, platform_name, parent),
            strict=False,
        )
    )
    verdicts = [None if REDACTED in (a[1], b[1]) else same_secret(a, b) for a, b in pairs]
    if any(v is False for v in verdicts):
        return False
    if verdicts and all(v is True for v in verdicts):
        return True
    return None


def match_secrets(
    target: HConfig | HConfigChild,
    running: HConfig | HConfigChild,
    platform_name: str,
    unrestorable: list[str] | None = None,
    parent: str = "",
) -> None:
    """Give each target secret line the text of the running line that holds the same secret.

    Lines are paired one to one under the same parent when they are equal once redacted and
    their secrets match (:func:`~opsbook.network.secrets.same_secret`) or cannot be checked
    (hashes the device keeps). A paired target line takes the running line's text, so that a
    plain-text secret equals its own hash. Target lines holding :data:`REDACTED` (a stored backup)
    that pair with nothing are removed and listed in ``unrestorable``.
    """
    used: set[int] = set()
    by_mask: dict[str, list[HConfigChild]] = {}
    for child in running.children:
        mask = redact_line(child.text, platform_name, parent or child.text)[0]
        if mask != child.text:
            by_mask.setdefault(mask, []).append(child)
    for child in list(target.children):
        context = parent or child.text
        mask = redact_line(child.text, platform_name, context)[0]
        partner: HConfigChild | None = running.get_child(equals=child.text)
        secret = mask != child.text or REDACTED in child.text
        if secret and (partner is None or id(partner) in used):
            partner = None
            fallback: HConfigChild | None = None
            for candidate in by_mask.get(mask, []):
                if id(candidate) in used:
                    continue
                verdict = _verdict(child.text, candidate.text, platform_name, context)
                if verdict is True:
                    partner = candidate
                    break
                if verdict is None and fallback is None:
                    fallback = candidate
            partner = partner or fallback
            if partner is not None:
                child.text = partner.text
        if partner is not None:
            used.add(id(partner))
            if child.children:
                match_secrets(child, partner, platform_name, unrestorable, context)
            continue
        if unrestorable is not None:
            _drop_redacted(child, unrestorable)


def _drop_redacted(node: HConfigChild, unrestorable: list[str]) -> None:
    if REDACTED in node.text:
        unrestorable.append(node.text)
        node.delete()
        return
    for child in list(node.children):
        _drop_redacted(child, unrestorable)
