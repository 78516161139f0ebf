"""Secrets out of configuration text, by named per-platform rules.

Every rule replaces the secret *and* its encoding word (IOS type digit ``0/5/7/8/9``, VRP
``cipher`` / ``simple`` / ``irreversible-cipher``) with :data:`REDACTED`, keeping the rest of the
line, so that a redacted backup still shows *that* a secret is configured and where, and so that
a plain-text secret in the intended configuration and its hash on the device redact to the same
line (compliance compares redacted lines; see :mod:`opsbook.network.compliance`).

After the named rules, a safety net redacts the value after any ``password`` / ``secret`` /
``cipher`` / ``shared-key`` / ``key-string`` word that no rule handled. Each rule is unit-tested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from opsbook.network.platforms import PlatformName, platform

REDACTED = "<redacted>"


@dataclass(frozen=True)
class Rule:
    """One redaction rule: ``pattern`` is searched in a line (under ``parent`` when given) and
    replaced by ``replace`` (which refers to the kept groups)."""

    name: str
    pattern: re.Pattern[str]
    replace: str
    parent: re.Pattern[str] | None = None


def _rule(name: str, keep: str, enc: str, *, value: str = r"\S+", parent: str | None = None) -> Rule:
    # a negated line ("no …" / "undo …", as remediation prints it) carries the same secret
    keep = re.sub(r"^\^(\\s[*+])", r"^\1(?:(?:no|undo) )?", keep)
    pattern = rf"(?P<keep>{keep}){enc} (?P<val>{value})"
    return Rule(name, re.compile(pattern), rf"\g<keep> {REDACTED}", re.compile(parent) if parent else None)


#: IOS encoding type before a secret (0 plain, 5/8/9 hashes, 7 reversible)
_IOS = r"(?: (?P<enc>[0-9]))?"
#: VRP encoding word before a secret
_VRP = r"(?: (?P<enc>cipher|simple|irreversible-cipher|plain))?"
_NONE = ""

RULES: dict[PlatformName, tuple[Rule, ...]] = {
    "cisco_ios": (
        _rule("enable-secret", r"^\s*enable (?:secret|password)(?: level \d+)?", _IOS),
        _rule("username-secret", r"^\s*username \S+\b.*? (?:secret|password)", _IOS),
        _rule("snmp-community", r"^\s*snmp-server community", _NONE),
        _rule(
            "snmp-host-community",
            r"^\s*snmp-server host \S+(?: vrf \S+)?(?: (?:informs|traps))?"
            r"(?: version (?:1|2c|3 (?:auth|noauth|priv)))?",
            _NONE,
            value=r"(?!version\b)\S+",
        ),
        _rule("snmp-user-auth", r"\bauth (?:md5|sha)", _NONE),
        _rule("snmp-user-priv", r"\bpriv (?:des|3des|aes(?: \d+)?)", _NONE),
        _rule("tacacs-key", r"^\s*(?:tacacs|radius)-server (?:host \S+ .*?)?key", _IOS),
        _rule("aaa-server-key", r"^\s+key", _IOS, parent=r"^(?:tacacs|radius) server "),
        _rule("key-string", r"\bkey-string", _IOS),
        _rule("ospf-auth-key", r"^\s*ip ospf authentication-key", _IOS),
        _rule("ospf-md5-key", r"^\s*ip ospf message-digest-key \d+ md5", _IOS),
        _rule("bgp-neighbor-password", r"^\s*neighbor \S+ password", _IOS),
        _rule("isakmp-key", r"^\s*crypto isakmp key", _IOS),
        _rule("pre-shared-key", r"^\s*pre-shared-key(?: local| remote)?", _IOS),
        _rule("ppp-password", r"^\s*ppp (?:chap|pap) .*?password", _IOS),
        _rule("line-password", r"^\s+password", _IOS, parent=r"^line "),
    ),
    "huawei_vrp": (
        _rule("local-user-password", r"^\s*local-user \S+ password", _VRP),
        _rule("snmp-agent-community", r"^\s*snmp-agent community (?:read|write)", _VRP),
        _rule(
            "snmp-agent-usm-auth",
            r"^\s*snmp-agent usm-user .*?\bauthentication-mode (?:md5|sha|sha2-256)",
            _VRP,
        ),
        _rule(
            "snmp-agent-usm-priv",
            r"^\s*snmp-agent usm-user .*?\bprivacy-mode (?:des56|3des168|aes128|aes192|aes256)",
            _VRP,
        ),
        _rule("snmp-agent-securityname", r"\bsecurityname", _VRP),
        _rule("hwtacacs-shared-key", r"^\s*hwtacacs-server shared-key", _VRP),
        _rule("radius-shared-key", r"^\s*radius-server shared-key", _VRP),
        _rule("super-password", r"^\s*super password(?: level \d+)?", _VRP),
        _rule("user-interface-password", r"^\s*set authentication password", _VRP),
        _rule(
            "routing-auth-key", r"\bauthentication-mode (?:md5|hmac-md5|hmac-sha256|keychain)(?: \d+)?", _VRP
        ),
        _rule("routing-auth-simple", r"\bauthentication-mode simple", _VRP),
        _rule("pre-shared-key", r"^\s*pre-shared-key", _VRP),
        _rule("bgp-peer-password", r"^\s*peer \S+ password", _VRP),
    ),
}

#: the safety net never takes these for a secret value
_KEYWORDS_AFTER = ("complexity-check", "encryption", "recovery", "prompt", "policy")
_NOT_REDACTED = rf"(?!{re.escape(REDACTED)})(?!(?:{'|'.join(_KEYWORDS_AFTER)})\b)\S+"

#: the safety net: a value after one of these words, where no named rule applied.
_SAFETY_NET: dict[PlatformName, Rule] = {
    "cisco_ios": _rule(
        "safety-net", r"\b(?:password|secret|key-string|shared-key|community)", _IOS, value=_NOT_REDACTED
    ),
    "huawei_vrp": _rule(
        "safety-net",
        r"\b(?:password|secret|shared-key|community|cipher|irreversible-cipher)",
        _VRP,
        value=_NOT_REDACTED,
    ),
}


#: every rule above needs one of these words in the line: a quick test before the rules
_TRIGGER = re.compile(r"password|secret|community|key|auth|priv|cipher|securityname|snmp-server host")


def redact_line(line: str, platform_name: str, parent: str = "") -> tuple[str, list[str]]:
    """One line redacted, and the names of the rules that applied (empty: nothing secret)."""
    name = platform(platform_name).name
    applied: list[str] = []
    if not _TRIGGER.search(line):
        return line, applied
    for rule in RULES[name]:
        if rule.parent is not None and not rule.parent.search(parent):
            continue
        if rule.pattern.search(line):  # matched (an already redacted value counts too)
            applied.append(rule.name)
            line = rule.pattern.sub(rule.replace, line)
    if not applied:
        net = _SAFETY_NET[name]
        new = net.pattern.sub(net.replace, line)
        if new != line:
            applied.append(net.name)
            line = new
    return line, applied


def redact(text: str, platform_name: str) -> str:
    """The whole configuration with every secret replaced by :data:`REDACTED`."""
    out: list[str] = []
    parent = ""
    for line in text.split("\n"):
        if line and not line[0].isspace():
            parent = line
        out.append(redact_line(line, platform_name, parent)[0])
    return "\n".join(out)


def secret_values(line: str, platform_name: str, parent: str = "") -> list[tuple[str, str]]:
    """The (encoding, value) pairs of the secrets in one line, in order (encoding "" = none given)."""
    name = platform(platform_name).name
    found: list[tuple[int, str, str]] = []
    if not _TRIGGER.search(line):
        return []
    work = line
    for rule in RULES[name]:
        if rule.parent is not None and not rule.parent.search(parent):
            continue
        for match in rule.pattern.finditer(work):
            found.append((match.start("val"), match.groupdict().get("enc") or "", match.group("val")))
        work = rule.pattern.sub(rule.replace, work)
    if not found:
        net = _SAFETY_NET[name]
        for match in net.pattern.finditer(work):
            found.append((match.start("val"), match.groupdict().get("enc") or "", match.group("val")))
    return [(enc, val) for _, enc, val in sorted(found)]


def redact_lines(lines: Iterable[str], platform_name: str) -> list[str]:
    """Indented lines (a tree printed line by line) redacted, each with its top-level parent."""
    out: list[str] = []
    parent = ""
    for line in lines:
        if line and not line[0].isspace():
            parent = line
        out.append(redact_line(line, platform_name, parent)[0])
    return out


def is_secret_line(line: str, platform_name: str, parent: str = "") -> bool:
    return bool(redact_line(line, platform_name, parent)[1])


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace known secret values (from the inventory) anywhere in free text: the last line of
    defence for messages and logs that may quote device output."""
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text
