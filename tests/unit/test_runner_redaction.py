"""Masking known secret values in data and finding / purging them in a run's files."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from opsbook.runner.artifacts import redact_artifacts, sanitize_command_file, scan_for_secrets
from opsbook.runner.redaction import MASK, normalize_secrets, redact, redact_text, secret_forms

SECRET = "hunter2-Pa$$"


def test_redact_masks_whole_values_parts_and_keys_at_any_depth() -> None:
    data = {
        "password": SECRET,
        "line": f"login with {SECRET} now",
        SECRET: "as a key",
        "nested": [{"deep": (SECRET, 3, None, True)}],
    }
    assert redact(data, [SECRET]) == {
        "password": MASK,
        "line": f"login with {MASK} now",
        MASK: "as a key",
        "nested": [{"deep": [MASK, 3, None, True]}],
    }


def test_redact_leaves_the_input_unchanged_and_passes_through_without_secrets() -> None:
    data = {"a": SECRET}
    redact(data, [SECRET])
    assert data == {"a": SECRET}
    assert redact(data, []) is data


def test_a_secret_containing_another_is_masked_whole() -> None:
    assert redact_text("x=abcdef", normalize_secrets(["abc", "abcdef"])) == f"x={MASK}"


def test_normalize_secrets_drops_empty_and_mask_like_values() -> None:
    assert normalize_secrets(["", None, "**", "b", "aa", "b"]) == ("aa", "b")


def test_secret_forms_include_the_json_escaped_form() -> None:
    forms = secret_forms('quo"te-ü')
    assert 'quo"te-ü'.encode() in forms
    assert b'quo\\"te-\\u00fc' in forms
    assert 'quo\\"te-ü'.encode() in forms


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_scan_finds_raw_and_json_escaped_secrets_and_reports_paths_only(tmp_path: Path) -> None:
    secret = 'p"ssw-ü'
    write(tmp_path / "stdout", f"ok: token={secret}\n")
    write(tmp_path / "job_events" / "1-a.json", json.dumps({"msg": secret}))
    write(tmp_path / "job_events" / "2-b.json", json.dumps({"msg": "clean"}))
    write(tmp_path / "status", "successful")
    found = scan_for_secrets(tmp_path, [secret])
    assert found == ["job_events/1-a.json", "stdout"]
    assert scan_for_secrets(tmp_path, []) == []
    assert scan_for_secrets(tmp_path / "missing", [secret]) == []


def test_redact_artifacts_purges_every_form_and_keeps_permissions(tmp_path: Path) -> None:
    secret = 'p"ssw-ü'
    out = write(tmp_path / "stdout", f"token={secret}\n", mode=0o600)
    event = write(tmp_path / "job_events" / "1-a.json", json.dumps({"msg": f"x {secret}"}), mode=0o640)
    untouched = write(tmp_path / "rc", "0")
    before = untouched.stat().st_mtime_ns
    assert redact_artifacts(tmp_path, [secret]) == ["job_events/1-a.json", "stdout"]
    assert out.read_text() == f"token={MASK}\n"
    assert json.loads(event.read_text()) == {"msg": f"x {MASK}"}
    assert stat.S_IMODE(event.stat().st_mode) == 0o640
    assert untouched.stat().st_mtime_ns == before
    assert scan_for_secrets(tmp_path, [secret]) == []
    assert not list(tmp_path.rglob("*.opsbook-tmp"))


def test_sanitize_command_file_drops_the_operators_environment(tmp_path: Path) -> None:
    command = {
        "command": ["ansible-playbook", "-e", f"pw={SECRET}", "site.yml"],
        "cwd": "/project",
        "env": {
            "HOME": "/root",
            "GITHUB_TOKEN": "ghp_x",
            "ANSIBLE_CONFIG": "/project/ansible.cfg",
            "CONTAINERS_CONF": "/project/lab/podman/containers.conf",
            "PATH": "/usr/bin",
            "MY_VAR": "kept because opsbook passed it",
        },
    }
    path = write(tmp_path / "command", json.dumps(command))
    sanitize_command_file(tmp_path, keep_env={"MY_VAR"}, secrets=[SECRET])
    data = json.loads(path.read_text())
    assert sorted(data["env"]) == ["ANSIBLE_CONFIG", "CONTAINERS_CONF", "MY_VAR", "PATH"]
    assert data["command"][2] == f"pw={MASK}"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_sanitize_command_file_ignores_a_missing_or_odd_file(tmp_path: Path) -> None:
    sanitize_command_file(tmp_path)
    write(tmp_path / "command", "not json")
    sanitize_command_file(tmp_path, secrets=["x"])
    assert (tmp_path / "command").read_text() == "not json"
