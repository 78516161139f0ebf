"""Which values of a run are secrets, besides the ones a caller names (secret runbook parameters).

- **Password-like extra variables**: a variable (at any depth) whose name has a part such as
  ``password``, ``passwd``, ``secret``, ``token``, ``key``, ``community``, ``credential``,
  ``psk`` — ``-e db_password=…``, ``-e snmp_community=…``, ``-e api={"token": …}``.
  Their values are masked in the recorded extra vars whatever their length, and searched for
  and masked in every artifact when they are at least :data:`MIN_SCRUB_LENGTH` characters long
  (a shorter value would mask unrelated text everywhere; it is still never recorded).
- **Vault values of the register**: ``!vault`` variables and vault-encrypted inventory files,
  decrypted with the vault password file ansible itself would use (``ANSIBLE_VAULT_PASSWORD_FILE``
  or ansible.cfg's ``vault_password_file``). Without a password file ansible cannot decrypt
  them either, so they cannot reach a run's output.
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from opsbook.runner.redaction import MASK

#: Parts of a variable name (split on ``_``, ``-``, ``.``) that make its value a secret.
SECRET_NAME_PARTS = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "passphrase",
        "pwd",
        "pw",
        "secret",
        "secrets",
        "token",
        "tokens",
        "key",
        "apikey",
        "community",
        "credential",
        "credentials",
        "psk",
        "privkey",
    }
)
#: Substrings that make a name secret even inside a longer word (``dbpassword``, ``apitoken``).
_SECRET_SUBSTRINGS = ("password", "passwd", "secret", "token", "apikey", "privatekey")
#: Shorter secret values are masked in the record but not searched for in every artifact.
MIN_SCRUB_LENGTH = 4
_VAULT_HEADER = "$ANSIBLE_VAULT;"


def is_secret_name(name: object) -> bool:
    """True when a variable name says its value is a secret (``db_password``, ``snmp_community``)."""
    text = str(name).lower()
    parts = set(re.split(r"[_\-.\s]+", text))
    return bool(parts & SECRET_NAME_PARTS) or any(s in text for s in _SECRET_SUBSTRINGS)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)


def secret_extravar_values(extravars: Mapping[str, Any]) -> list[str]:
    """Values (every string below a secret-named variable, at any depth) worth scrubbing everywhere."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                if is_secret_name(key):
                    found.extend(s for s in _strings(item) if len(s) >= MIN_SCRUB_LENGTH)
                else:
                    walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(extravars)
    return found


def mask_secret_names(value: Any) -> Any:
    """A copy of ``value`` with the value of every secret-named key replaced by the mask."""
    if isinstance(value, Mapping):
        return {k: (MASK if is_secret_name(k) else mask_secret_names(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_secret_names(v) for v in value]
    return value


# ---- vault values of the register -------------------------------------------------------------


def _ansible_setting(ansible_cfg: Path | None, env_name: str, key: str) -> str:
    """A ``[defaults]`` setting as ansible sees it: the environment variable first, then ansible.cfg."""
    env = os.environ.get(env_name, "").strip()
    if env or ansible_cfg is None or not ansible_cfg.is_file():
        return env
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";", "#"))
    try:
        parser.read(ansible_cfg, encoding="utf-8")
    except configparser.Error:
        return ""
    return parser.get("defaults", key, fallback="").strip()


def _setting_path(ansible_cfg: Path | None, value: str) -> Path | None:
    if not value:
        return None
    path = Path(value).expanduser()
    if path.is_absolute() or ansible_cfg is None:
        return path
    return ansible_cfg.parent / path


def vault_password_file(ansible_cfg: Path | None) -> Path | None:
    """The vault password file ansible would use: ``ANSIBLE_VAULT_PASSWORD_FILE``, else ansible.cfg's."""
    value = _ansible_setting(ansible_cfg, "ANSIBLE_VAULT_PASSWORD_FILE", "vault_password_file")
    return _setting_path(ansible_cfg, value)


def fact_cache_dir(ansible_cfg: Path | None) -> Path | None:
    """The folder of ansible's ``jsonfile`` / ``yaml`` fact cache, if one is configured: a fact
    set with ``cacheable: true`` lands there, outside any run folder, and is purged like one."""
    plugin = _ansible_setting(ansible_cfg, "ANSIBLE_CACHE_PLUGIN", "fact_caching")
    if plugin.split(".")[-1] not in ("jsonfile", "yaml"):
        return None
    value = _ansible_setting(ansible_cfg, "ANSIBLE_CACHE_PLUGIN_CONNECTION", "fact_caching_connection")
    return _setting_path(ansible_cfg, value)


def _vault_blocks(text: str) -> Iterator[tuple[str, bool]]:
    """Every vault ciphertext in an inventory file, and whether it is the whole file (a vaulted
    vars file) or one ``!vault |`` value."""
    if text.lstrip().startswith(_VAULT_HEADER):
        yield text.strip(), True
        return
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() != _VAULT_HEADER.rstrip(";") and not line.strip().startswith(_VAULT_HEADER):
            continue
        indent = len(line) - len(line.lstrip())
        block = [line.strip()]
        for follow in lines[i + 1 :]:
            if not follow.strip() or len(follow) - len(follow.lstrip()) < indent:
                break
            block.append(follow.strip())
        yield "\n".join(block), False


def _inventory_files(sources: Iterable[Path]) -> Iterator[Path]:
    """Every file ansible reads for these sources: the file itself and the ``host_vars/`` and
    ``group_vars/`` beside it, or everything in a folder."""
    seen: set[Path] = set()
    for source in sources:
        folders = [source] if source.is_dir() else [source.parent / "host_vars", source.parent / "group_vars"]
        files = [source] if source.is_file() else []
        for folder in folders:
            if folder.is_dir():
                files += [
                    p
                    for p in sorted(folder.rglob("*"))
                    if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
                ]
        for path in files:
            if path not in seen:
                seen.add(path)
                yield path


def vault_values(sources: Iterable[Path], ansible_cfg: Path | None) -> list[str]:
    """Decrypted values of every vault block in the inventory ``sources`` (files or folders).

    Empty when there is no vault block or no password file; a block the password does not open
    is skipped (ansible will fail on it with its own message).
    """
    blocks: list[tuple[str, bool]] = []
    for path in _inventory_files(sources):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if _VAULT_HEADER in text:
            blocks.extend(_vault_blocks(text))
    password_file = vault_password_file(ansible_cfg)
    if not blocks or password_file is None or not password_file.is_file():
        return []
    from ansible.parsing.dataloader import DataLoader  # noqa: PLC0415 — only when a vault is there
    from ansible.parsing.vault import AnsibleVaultError, VaultLib, get_file_vault_secret  # noqa: PLC0415

    secret = get_file_vault_secret(filename=str(password_file), loader=DataLoader())
    secret.load()
    vault = VaultLib([("default", secret)])
    values: list[str] = []
    for block, whole in blocks:
        try:
            plain = vault.decrypt(block).decode("utf-8", errors="replace")
        except AnsibleVaultError:
            continue
        if not whole:
            values.append(plain)
            continue
        try:  # a vaulted vars file: every value in it is a secret
            values.extend(_strings(yaml.safe_load(plain)))
        except yaml.YAMLError:
            values.extend(line.strip() for line in plain.splitlines())
    return [v for v in values if len(v) >= MIN_SCRUB_LENGTH]
