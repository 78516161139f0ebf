#!/usr/bin/python
# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""evidence_bundle: write a redacted evidence bundle (tar.gz) from command outputs and files."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: evidence_bundle
short_description: Write a redacted evidence bundle (tar.gz) from command outputs and configuration files
description:
  - Used by the C(collect-evidence) runbook on the controller. Takes the output of a batch of
    read-only commands (sections marked C(@@@opsbook-evidence-begin NAME) and
    C(@@@opsbook-evidence-end NAME RC)) and a base64 tar.gz of files read on a host, redacts
    secrets in every text, and writes one tar.gz with C(ROOT/commands/NAME.txt) and
    C(ROOT/files/PATH).
  - The inputs are C(no_log) parameters, so unredacted content never reaches logs or run
    artifacts; only the redacted bundle is written.
  - Binary files (a NUL byte, or not UTF-8) and files over O(max_file_bytes) are left out and
    listed in RV(left_out).
version_added: "0.1.0"
author:
  - opsbook contributors
options:
  dest:
    description: Path of the tar.gz to write (its folder must exist).
    type: path
    required: true
  root:
    description: Top folder inside the archive (the host name).
    type: str
    required: true
  commands_output:
    description: The combined output of the commands, in marked sections.
    type: str
    default: ""
  files_archive:
    description: A base64-encoded tar.gz of the files to include (paths as stored by tar).
    type: str
    default: ""
  known_secrets:
    description:
      - Secret values known on the controller (opsbook passes C(opsbook_known_secrets) — secret
        parameters, password-like extra variables, the register's vault values). Every occurrence
        is replaced by C(********) before any other rule, wherever it stands.
    type: list
    elements: str
    default: []
  extra_redactions:
    description:
      - More rules, applied after the built-in ones.
      - Each has C(pattern) (a Python regular expression) and C(replace).
    type: list
    elements: dict
    default: []
  max_file_bytes:
    description: Files larger than this are left out.
    type: int
    default: 524288
  mode:
    description: Permissions of the written bundle.
    type: str
    default: "0600"
notes:
  - "Built-in redactions: private key blocks; lines C(key = value) / C(key: value) whose key names
    a password, passphrase, secret, token, API key, private key, credential, SNMP community or
    PSK; C(requirepass)-style directives; credentials in URLs; C(--password=) style arguments."
  - Supports check mode (the bundle is built in memory but not written).
"""

EXAMPLES = r"""
- name: Pack the bundle on the controller
  evidence_bundle:
    dest: "{{ opsbook_run_dir }}/evidence/{{ inventory_hostname }}.tar.gz"
    root: "{{ inventory_hostname }}"
    commands_output: "{{ collected.stdout }}"
    files_archive: "{{ files.stdout }}"
  delegate_to: localhost
"""

RETURN = r"""
dest:
  description: The bundle written.
  returned: always
  type: str
sha256:
  description: SHA-256 of the bundle.
  returned: always
  type: str
size:
  description: Size of the bundle in bytes.
  returned: always
  type: int
commands:
  description: Names of the command outputs in the bundle.
  returned: always
  type: list
  elements: str
failed_commands:
  description: Commands that exited non-zero (their output, with the exit code, is in the bundle).
  returned: always
  type: list
  elements: str
files:
  description: Paths of the files in the bundle.
  returned: always
  type: list
  elements: str
left_out:
  description: Files left out, with the reason.
  returned: always
  type: list
  elements: str
redactions:
  description: How many replacements the redaction made in all.
  returned: always
  type: int
"""

import base64
import binascii
import hashlib
import io
import os
import re
import tarfile
import tempfile
import time
from collections.abc import Iterable, Sequence
from typing import Any

from ansible.module_utils.basic import AnsibleModule

#: Applied in this order to every command output and file.
REDACTIONS: tuple[tuple[str, str], ...] = (
    (
        r"-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----",
        r"-----[\1PRIVATE KEY REDACTED]-----",
    ),
    (
        r"(?im)^(\s*[#;]?\s*[\w.-]*(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key"
        r"|credential|community|psk)[\w.-]*\s*[=:]\s*)\S.*$",
        r"\1********",
    ),
    (
        r"(?im)^(\s*(?:requirepass|masterauth|rpcsecret|secret|password|community)\s+)[^\s=:].*$",
        r"\1********",
    ),
    (r"(?i)([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@", r"\1********@"),
    (r"(?i)(--?(?:password|passwd|token|secret)[= ])\S+", r"\1********"),
)
BEGIN = "@@@opsbook-evidence-begin "
END = "@@@opsbook-evidence-end "


def redact(text: str, rules: Iterable[tuple[str, str]]) -> tuple[str, int]:
    """``text`` with every rule applied in order, and the number of replacements made."""
    total = 0
    for pattern, replace in rules:
        text, count = re.subn(pattern, replace, text)
        total += count
    return text, total


def parse_sections(output: str) -> list[tuple[str, str, int]]:
    """(name, text, exit code) per marked section, in order; an unterminated section has rc -1."""
    sections: list[tuple[str, str, int]] = []
    name: str | None = None
    lines: list[str] = []
    for line in output.splitlines():
        if line.startswith(BEGIN):
            if name is not None:
                sections.append((name, "\n".join(lines), -1))
            name, lines = line[len(BEGIN) :].strip(), []
        elif line.startswith(END) and name is not None:
            parts = line[len(END) :].split()
            rc = int(parts[-1]) if parts and parts[-1].lstrip("-").isdigit() else -1
            sections.append((name, "\n".join(lines), rc))
            name, lines = None, []
        elif name is not None:
            lines.append(line)
    if name is not None:
        sections.append((name, "\n".join(lines), -1))
    return sections


def safe_member_path(name: str) -> str | None:
    """A relative path without ``..`` (None when the name cannot be made safe)."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def read_files(archive_b64: str, max_bytes: int) -> tuple[list[tuple[str, str]], list[str]]:
    """Text files from a base64 tar.gz: (path, text) pairs and the skipped ones with reasons."""
    if not archive_b64.strip():
        return [], []
    try:
        raw = base64.b64decode(archive_b64.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"files_archive is not base64: {exc}") from None
    files: list[tuple[str, str]] = []
    skipped: list[str] = []
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:*") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            path = safe_member_path(member.name)
            if path is None:
                skipped.append(f"{member.name}: unsafe path")
                continue
            if member.size > max_bytes:
                skipped.append(f"/{path}: {member.size} bytes, over the limit")
                continue
            handle = tar.extractfile(member)
            data = handle.read() if handle is not None else b""
            if b"\x00" in data:
                skipped.append(f"/{path}: binary")
                continue
            try:
                files.append((path, data.decode("utf-8")))
            except UnicodeDecodeError:
                skipped.append(f"/{path}: not UTF-8 text")
    return sorted(files), skipped


def build_bundle(root: str, entries: Sequence[tuple[str, str]]) -> bytes:
    """A tar.gz of (relative path, text) entries under ``root``."""
    buffer = io.BytesIO()
    now = int(time.time())
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path, text in entries:
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"{root}/{path}")
            info.size = len(data)
            info.mtime = now
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def known_rules(secrets: Iterable[str]) -> list[tuple[str, str]]:
    """One literal rule per known secret value, longest first (a secret holding another goes whole)."""
    values = sorted({str(s) for s in secrets if s and str(s).strip("*")}, key=lambda s: (-len(s), s))
    return [(re.escape(value), "********") for value in values]


def make(params: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    rules = known_rules(params.get("known_secrets") or []) + list(REDACTIONS)
    rules += [(str(r["pattern"]), str(r["replace"])) for r in params["extra_redactions"]]
    root = safe_member_path(params["root"]) or "host"
    entries: list[tuple[str, str]] = []
    total = 0
    commands, failed = [], []
    for name, text, rc in parse_sections(params["commands_output"]):
        clean_name = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "command"
        body, count = redact(text + ("" if text.endswith("\n") else "\n"), rules)
        total += count
        if rc != 0:
            failed.append(name)
            body += f"--- exit code {rc} ---\n"
        entries.append((f"commands/{clean_name}.txt", body))
        commands.append(name)
    files, skipped = read_files(params["files_archive"], params["max_file_bytes"])
    for path, text in files:
        body, count = redact(text, rules)
        total += count
        entries.append((f"files/{path}", body))
    data = build_bundle(root, entries)
    result = {
        "commands": commands,
        "failed_commands": failed,
        "files": [f"/{p}" for p, _ in files],
        "left_out": skipped,
        "redactions": total,
    }
    return data, result


def write_atomic(dest: str, data: bytes, mode: int) -> None:
    folder = os.path.dirname(os.path.abspath(dest))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".evidence-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "dest": {"type": "path", "required": True},
            "root": {"type": "str", "required": True},
            "commands_output": {"type": "str", "default": "", "no_log": True},
            "files_archive": {"type": "str", "default": "", "no_log": True},
            "known_secrets": {"type": "list", "elements": "str", "default": [], "no_log": True},
            "extra_redactions": {"type": "list", "elements": "dict", "default": []},
            "max_file_bytes": {"type": "int", "default": 524288},
            "mode": {"type": "str", "default": "0600"},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        mode = int(str(params["mode"]), 8)
        data, result = make(params)
    except (ValueError, re.error, tarfile.TarError) as exc:
        module.fail_json(msg=f"cannot build the evidence bundle: {exc}")
    dest = str(params["dest"])
    if not os.path.isdir(os.path.dirname(os.path.abspath(dest))):
        module.fail_json(msg=f"folder of {dest} does not exist")
    if not module.check_mode:
        write_atomic(dest, data, mode)
    module.exit_json(
        changed=True,
        dest=dest,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        **result,
    )


if __name__ == "__main__":
    main()
