"""The ``ansible_*`` connection variables opsbook relies on: their types and ranges.

Any ``ansible_*`` variable may appear in a register (keys.py), but the ones opsbook itself
reads to reach a host or a device — by Ansible, netmiko or the lab — must be usable: a port
is a whole number 1…65535, an address or user is one word of text, a connection or network
OS names a plugin. A wrong one is refused by the check, before any host is contacted, instead
of failing later inside a run (or, for a device, inside netmiko). Jinja values are left to
Ansible (not validated here). Secret values (passwords) are never repeated in a message.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from opsbook.register.loader import Entry, VarsBlock

_FQCN = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+$")
_WORD = re.compile(r"^\S+$")
_BOOL_TEXT = frozenset({"yes", "no", "true", "false", "on", "off", "y", "n", "1", "0"})

#: Short connection plugin names Ansible resolves (ansible-core's own and the common collections').
CONNECTIONS = (
    "ssh",
    "paramiko",
    "paramiko_ssh",
    "local",
    "winrm",
    "psrp",
    "network_cli",
    "netconf",
    "httpapi",
    "libssh",
    "docker",
    "podman",
    "buildah",
    "chroot",
    "lxc",
    "lxd",
    "kubectl",
)
#: Short ansible_network_os names of the network collections in the ``ansible`` package.
NETWORK_OS = (
    "ios",
    "iosxr",
    "nxos",
    "eos",
    "junos",
    "vyos",
    "ce",
    "routeros",
    "fortios",
    "asa",
    "aireos",
    "dellos10",
    "enos",
    "icx",
    "netvisor",
    "slxos",
    "voss",
    "exos",
    "edgeos",
    "frr",
)


@dataclass(frozen=True, slots=True)
class ConnectionProblem:
    """One bad connection variable: the entry, the rule (wrong-type / invalid-value), message, fix."""

    entry: Entry
    rule: str
    message: str
    fix: str


def _text(value: Any) -> bool:
    return isinstance(value, str)


def describe(value: Any, secret: bool = False) -> str:
    """A value in words for a message (``secret``: its type only, never the value)."""
    if secret:
        return "a number" if isinstance(value, int | float) and not isinstance(value, bool) else "not text"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"the text '{value}'"


def _port(entry: Entry) -> Iterator[ConnectionProblem]:
    value = entry.value
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None:
        yield ConnectionProblem(
            entry,
            "wrong-type",
            f"ansible_port must be a whole number, not {describe(value)}",
            "write the SSH (or device) port as a number, e.g. ansible_port: 22",
        )
    elif not 1 <= number <= 65535:
        yield ConnectionProblem(
            entry,
            "invalid-value",
            f"ansible_port {number} is outside 1…65535",
            "use the port the host listens on (22 for SSH)",
        )


def _word(
    name: str, example: str, *, secret: bool = False, one_word: bool = True
) -> Callable[[Entry], Iterator[ConnectionProblem]]:
    def check(entry: Entry) -> Iterator[ConnectionProblem]:
        value = entry.value
        if not _text(value):
            fix = f"quote it: {name}: '{value}'" if isinstance(value, int | float) and not secret else example
            if secret:
                fix = f"quote the value of {name} (and keep it in a vault)"
            yield ConnectionProblem(
                entry, "wrong-type", f"{name} must be text, not {describe(value, secret)}", fix
            )
        elif not secret and one_word and not _WORD.match(value):
            yield ConnectionProblem(
                entry, "invalid-value", f"{name} must be one word without spaces, not '{value}'", example
            )

    return check


def _host(entry: Entry) -> Iterator[ConnectionProblem]:
    problems = list(
        _word("ansible_host", "write an address or DNS name, e.g. ansible_host: 192.0.2.10")(entry)
    )
    if problems:
        yield from problems
        return
    value = str(entry.value)
    if "://" in value or "/" in value or len(value) > 253:
        yield ConnectionProblem(
            entry,
            "invalid-value",
            f"ansible_host '{value}' is not an address or host name",
            "write an address or DNS name without scheme or path, e.g. ansible_host: 192.0.2.10",
        )


def _named(name: str, known: tuple[str, ...], what: str) -> Callable[[Entry], Iterator[ConnectionProblem]]:
    def check(entry: Entry) -> Iterator[ConnectionProblem]:
        value = entry.value
        if not _text(value):
            yield ConnectionProblem(
                entry, "wrong-type", f"{name} must be text, not {describe(value)}", f"name a {what}"
            )
            return
        plain = value.strip()
        if plain in known or _FQCN.match(plain):
            return
        close = difflib.get_close_matches(plain, known, n=2, cutoff=0.6)
        fix = (
            ("did you mean " + " or ".join(close) + "?") if close else f"use one of {', '.join(known[:6])} …"
        )
        yield ConnectionProblem(
            entry,
            "invalid-value",
            f"{name} '{value}' is not a known {what}",
            fix + " (or a fully qualified name such as ansible.netcommon.network_cli)",
        )

    return check


def _boolean(name: str) -> Callable[[Entry], Iterator[ConnectionProblem]]:
    def check(entry: Entry) -> Iterator[ConnectionProblem]:
        value = entry.value
        if isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in _BOOL_TEXT):
            return
        yield ConnectionProblem(
            entry, "wrong-type", f"{name} must be true or false, not {describe(value)}", f"write {name}: true"
        )

    return check


#: The variables checked, and how. Documented in docs/register.md ("Connection variables").
CHECKS: dict[str, Callable[[Entry], Iterator[ConnectionProblem]]] = {
    "ansible_port": _port,
    "ansible_host": _host,
    "ansible_user": _word("ansible_user", "write the login name, e.g. ansible_user: admin"),
    "ansible_connection": _named("ansible_connection", CONNECTIONS, "connection plugin"),
    "ansible_network_os": _named("ansible_network_os", NETWORK_OS, "network OS"),
    "ansible_become": _boolean("ansible_become"),
    "ansible_become_user": _word("ansible_become_user", "write a user name, e.g. ansible_become_user: root"),
    "ansible_python_interpreter": _word(
        "ansible_python_interpreter", "write a path, e.g. /usr/bin/python3", one_word=False
    ),
    "ansible_ssh_private_key_file": _word(
        "ansible_ssh_private_key_file", "write the key file's path", one_word=False
    ),
    "ansible_password": _word("ansible_password", "", secret=True),
    "ansible_become_password": _word("ansible_become_password", "", secret=True),
}


def connection_problems(block: VarsBlock) -> Iterator[ConnectionProblem]:
    """The bad connection variables of one vars block (Jinja values are Ansible's to judge)."""
    for key, check in CHECKS.items():
        entry = block.entries.get(key)
        if entry is None or (isinstance(entry.value, str) and ("{{" in entry.value or "{%" in entry.value)):
            continue
        yield from check(entry)
