"""Which values are secrets (issue 10.7): password-like extra vars, the register's vault values,
and the evidence bundle's redaction of every known value."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret
from test_runbook_evidence import _tar, eb

from opsbook.runner.redaction import MASK
from opsbook.runner.secretvars import (
    fact_cache_dir,
    is_secret_name,
    mask_secret_names,
    secret_extravar_values,
    vault_password_file,
    vault_values,
)

CANARY = "CANARY-vault-91be7d"


@pytest.mark.parametrize(
    "name",
    [
        "db_password",
        "password",
        "mysql_root_passwd",
        "api_token",
        "vault_secret",
        "snmp_community",
        "tls_private_key",
        "ssh_key",
        "dbpassword",
        "wifi-psk",
        "app.credentials",
    ],
)
def test_password_like_names_are_secret(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name", ["path", "threshold", "nginx_port", "keyboard_layout", "monkey", "passenger"]
)
def test_ordinary_names_are_not(name: str) -> None:
    assert not is_secret_name(name)


def test_secret_extra_vars_are_found_at_any_depth_and_masked_in_the_record() -> None:
    extravars = {
        "db_password": "s3cret-pw",
        "path": "/var",
        "api": {"token": "tok-123456", "url": "https://x"},
        "users": [{"name": "a", "passwd": "hunter22"}],
        "short_key": "ab",
    }
    assert sorted(secret_extravar_values(extravars)) == ["hunter22", "s3cret-pw", "tok-123456"]
    assert mask_secret_names(extravars) == {
        "db_password": MASK,
        "path": "/var",
        "api": {"token": MASK, "url": "https://x"},
        "users": [{"name": "a", "passwd": MASK}],
        "short_key": MASK,  # too short to search everywhere, still never recorded
    }


def _encrypt(text: str, password: str) -> str:
    vault = VaultLib([("default", VaultSecret(password.encode()))])
    return vault.encrypt(text.encode()).decode()


@pytest.fixture
def vaulted_register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    password_file = tmp_path / "vault-pass"
    password_file.write_text("letmein\n")
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", str(password_file))
    inventory = tmp_path / "inventory"
    (inventory / "host_vars").mkdir(parents=True)
    block = "\n".join("    " + line for line in _encrypt(CANARY, "letmein").splitlines())
    (inventory / "hosts.yml").write_text("all:\n  hosts:\n    web1:\n")
    (inventory / "host_vars" / "web1.yml").write_text(f"app_db_password: !vault |\n{block}\nport: 5432\n")
    (inventory / "group_vars").mkdir()
    (inventory / "group_vars" / "all.yml").write_text(
        _encrypt("monitoring_token: whole-file-secret\n", "letmein") + "\n"
    )
    return inventory


def test_vault_values_of_the_register_are_known(vaulted_register: Path) -> None:
    assert sorted(vault_values([vaulted_register], None)) == [CANARY, "whole-file-secret"]


def test_without_a_password_file_no_vault_value_is_known(
    vaulted_register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANSIBLE_VAULT_PASSWORD_FILE")
    assert vault_values([vaulted_register], None) == []


def test_the_password_file_comes_from_ansible_cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANSIBLE_VAULT_PASSWORD_FILE", raising=False)
    cfg = tmp_path / "ansible.cfg"
    cfg.write_text("[defaults]\nvault_password_file = secrets/vault-pass ; comment\n")
    assert vault_password_file(cfg) == tmp_path / "secrets" / "vault-pass"


# ---- the evidence bundle redacts every known value before packing -------------------------------


def test_known_secret_values_never_reach_the_bundle() -> None:
    """A value no pattern recognises (a bare line, a DSN, a process argument) is still removed
    when opsbook knows it: the collect-evidence docs promise redaction on the controller."""
    params = {
        "root": "web1",
        "commands_output": (
            f"@@@opsbook-evidence-begin processes\napp --db {CANARY}\n@@@opsbook-evidence-end processes 0\n"
        ),
        "files_archive": _tar(
            {"etc/app/notes.txt": f"{CANARY}\n".encode(), "etc/app/dsn": f"host=db user=x {CANARY}".encode()}
        ),
        "known_secrets": [CANARY, "", "***"],
        "extra_redactions": [],
        "max_file_bytes": 10000,
    }
    data, result = eb.make(params)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        text = "".join(tar.extractfile(m).read().decode() for m in tar.getmembers())  # type: ignore[union-attr]
    assert CANARY not in text
    assert text.count("********") == 3
    assert result["redactions"] == 3
    # and without the known value, the patterns alone would have let it through
    _, plain = eb.make({**params, "known_secrets": []})
    assert plain["redactions"] == 0


def test_an_inventory_file_brings_its_host_vars_and_group_vars(vaulted_register: Path) -> None:
    """-i inventory/hosts.yml: ansible reads host_vars/ and group_vars/ beside it, and so does opsbook."""
    assert sorted(vault_values([vaulted_register / "hosts.yml"], None)) == [CANARY, "whole-file-secret"]


def test_the_fact_cache_folder_is_found_in_ansible_cfg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANSIBLE_CACHE_PLUGIN", raising=False)
    monkeypatch.delenv("ANSIBLE_CACHE_PLUGIN_CONNECTION", raising=False)
    cfg = tmp_path / "ansible.cfg"
    cfg.write_text("[defaults]\nfact_caching = jsonfile\nfact_caching_connection = .opsbook/facts\n")
    assert fact_cache_dir(cfg) == tmp_path / ".opsbook" / "facts"
    cfg.write_text("[defaults]\nfact_caching = memory\n")
    assert fact_cache_dir(cfg) is None
    monkeypatch.setenv("ANSIBLE_CACHE_PLUGIN", "ansible.builtin.jsonfile")
    monkeypatch.setenv("ANSIBLE_CACHE_PLUGIN_CONNECTION", "/var/cache/facts")
    assert fact_cache_dir(cfg) == Path("/var/cache/facts")
