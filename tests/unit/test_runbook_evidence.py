"""The evidence_bundle module (playbooks/emergency/library): redaction, sections, files, bundle."""

from __future__ import annotations

import base64
import importlib.util
import io
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

MODULE = Path(__file__).parents[2] / "playbooks" / "emergency" / "library" / "evidence_bundle.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("evidence_bundle", MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


eb = _load()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password = hunter2", "password = ********"),
        ("db_password: hunter2", "db_password: ********"),
        ("  API_KEY=abc123", "  API_KEY=********"),
        ("# secret_token = old", "# secret_token = ********"),
        ("snmp_community: public", "snmp_community: ********"),
        ("requirepass s3cr3t", "requirepass ********"),
        ("masterauth s3cr3t", "masterauth ********"),
        ("url = postgres://app:pw123@db1/app", "url = postgres://app:********@db1/app"),
        ("/usr/bin/app --password=pw123 --user x", "/usr/bin/app --password=******** --user x"),
        ("mysql -u root --password pw123", "mysql -u root --password ********"),
        ("host = db1", "host = db1"),
        ("listen 80;", "listen 80;"),
    ],
)
def test_redaction_rules(text: str, expected: str) -> None:
    assert eb.redact(text, eb.REDACTIONS)[0] == expected


def test_private_key_blocks_are_removed_whole() -> None:
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\nAAAA\n-----END OPENSSH PRIVATE KEY-----"
    text, count = eb.redact(f"before\n{key}\nafter", eb.REDACTIONS)
    assert text == "before\n-----[OPENSSH PRIVATE KEY REDACTED]-----\nafter"
    assert count == 1


def test_sections_are_parsed_with_their_exit_codes() -> None:
    output = (
        "@@@opsbook-evidence-begin uname\nLinux x 6.1\n@@@opsbook-evidence-end uname 0\n"
        "@@@opsbook-evidence-begin dmesg\ndmesg: read kernel buffer failed\n@@@opsbook-evidence-end dmesg 1\n"
        "@@@opsbook-evidence-begin cut\npartial"
    )
    assert eb.parse_sections(output) == [
        ("uname", "Linux x 6.1", 0),
        ("dmesg", "dmesg: read kernel buffer failed", 1),
        ("cut", "partial", -1),
    ]


def _tar(files: dict[str, bytes]) -> str:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return base64.b64encode(buffer.getvalue()).decode()


def test_binary_large_and_unsafe_files_are_left_out() -> None:
    archive = _tar(
        {
            "etc/app.conf": b"password = x\n",
            "etc/blob": b"\x00\x01",
            "etc/latin": "caf\u00e9".encode("latin-1"),
            "etc/big": b"a" * 100,
            "../escape": b"x",
        }
    )
    files, left_out = eb.read_files(archive, max_bytes=50)
    assert files == [("etc/app.conf", "password = x\n")]
    assert sorted(left_out) == [
        "../escape: unsafe path",
        "/etc/big: 100 bytes, over the limit",
        "/etc/blob: binary",
        "/etc/latin: not UTF-8 text",
    ]


def test_the_bundle_holds_redacted_commands_and_files() -> None:
    params = {
        "root": "web1",
        "commands_output": (
            "@@@opsbook-evidence-begin processes\napp --token=abc\n@@@opsbook-evidence-end processes 0\n"
        ),
        "files_archive": _tar({"etc/app.conf": b"token: abc\nport: 80\n"}),
        "extra_redactions": [{"pattern": "port: 80", "replace": "port: [redacted]"}],
        "max_file_bytes": 1000,
    }
    data, result = eb.make(params)
    assert result["commands"] == ["processes"] and result["files"] == ["/etc/app.conf"]
    assert result["redactions"] == 3
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        contents = {m.name: tar.extractfile(m).read().decode() for m in tar.getmembers()}  # type: ignore[union-attr]
    assert contents == {
        "web1/commands/processes.txt": "app --token=********\n",
        "web1/files/etc/app.conf": "token: ********\nport: [redacted]\n",
    }
