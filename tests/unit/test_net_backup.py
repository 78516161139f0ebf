"""The backup store: one commit per run, who/when in the message, history, diff, no secrets."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from opsbook.errors import UsageError
from opsbook.network.backup import BackupStore

CANARY = "Canary-Secret-4411"
CONFIG = f"""Building configuration...
! Last configuration change at 10:00:00 UTC Mon Jan 1 2024
hostname sw01
enable secret 5 {CANARY}
snmp-server community {CANARY}x RO
ntp server 192.0.2.1
"""


def test_save_commits_redacted_normalised_configs_with_who_and_when(tmp_path: Path) -> None:
    store = BackupStore(tmp_path / "netbackup")
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    commit = store.save({"sw01": ("cisco_ios", CONFIG)}, who="alice@jump1", when=when)
    assert commit
    text = (tmp_path / "netbackup" / "sw01.cfg").read_text()
    assert CANARY not in text and "Last configuration change" not in text
    assert "enable secret <redacted>" in text
    entry = store.history("sw01")[0]
    assert entry.who == "alice@jump1"
    assert entry.when.startswith("2024-05-06T07:08:09")
    assert "by alice@jump1 at 2024-05-06T07:08:09Z" in entry.subject


def test_unchanged_config_makes_no_commit_and_volatile_lines_do_not_count(tmp_path: Path) -> None:
    store = BackupStore(tmp_path / "s")
    assert store.save({"sw01": ("cisco_ios", CONFIG)})
    again = CONFIG.replace("10:00:00", "11:11:11")
    assert store.save({"sw01": ("cisco_ios", again)}) is None
    assert len(store.history("sw01")) == 1


def test_diff_between_two_backups(tmp_path: Path) -> None:
    store = BackupStore(tmp_path / "s")
    first = store.save({"sw01": ("cisco_ios", CONFIG)})
    store.save({"sw01": ("cisco_ios", CONFIG.replace("192.0.2.1", "192.0.2.2"))})
    diff = store.diff("sw01")
    assert "-ntp server 192.0.2.1" in diff and "+ntp server 192.0.2.2" in diff
    assert store.diff("sw01", "@2", "@1") == diff
    assert first and store.diff("sw01", first[:8]) == diff
    assert "192.0.2.1" in store.show("sw01", "@2")


def test_bad_references_are_usage_errors(tmp_path: Path) -> None:
    store = BackupStore(tmp_path / "s")
    store.save({"sw01": ("cisco_ios", CONFIG)})
    with pytest.raises(UsageError, match="no backup @5"):
        store.resolve("sw01", "@5")
    with pytest.raises(UsageError, match="not a backup id"):
        store.resolve("sw01", "HEAD; rm -rf /")
    with pytest.raises(UsageError, match="only one backup"):
        store.diff("sw01")
    with pytest.raises(UsageError, match="cannot be a backup file name"):
        store.path("../etc/passwd")


def test_canary_is_in_no_git_object(tmp_path: Path) -> None:
    store = BackupStore(tmp_path / "s")
    store.save(
        {
            "sw01": ("cisco_ios", CONFIG),
            "rt01": ("huawei_vrp", f" local-user a password irreversible-cipher {CANARY}\n"),
        }
    )
    store.save({"sw01": ("cisco_ios", CONFIG.replace("sw01", "sw01-new"))})
    objects = subprocess.run(
        ["git", "-C", str(store.root), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout
    assert objects and CANARY.encode() not in objects
    for path in (tmp_path / "s").rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
