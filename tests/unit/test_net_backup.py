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
    assert store.diff("sw01", "@2", "@1", as_of=store.head()) == diff
    assert first and store.diff("sw01", first[:8]) == diff
    assert "192.0.2.1" in store.show("sw01", "@2", as_of=store.head())


def test_bad_references_are_usage_errors(tmp_path: Path) -> None:
    store = BackupStore(tmp_path / "s")
    store.save({"sw01": ("cisco_ios", CONFIG)})
    with pytest.raises(UsageError, match="no backup @5"):
        store.resolve("sw01", "@5", as_of=store.head())
    with pytest.raises(UsageError, match="moves with every backup"):
        store.resolve("sw01", "@2")
    with pytest.raises(UsageError, match="only goes with @N"):
        store.resolve("sw01", "latest", as_of=store.head())
    with pytest.raises(UsageError, match="not a commit id"):
        store.resolve("sw01", "@1", as_of="HEAD~1")
    with pytest.raises(UsageError, match="no backup made at or before"):
        store.resolve("sw01", "2001-01-01")
    with pytest.raises(UsageError, match="not a valid date"):
        store.resolve("sw01", "2026-13-45")
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


def test_a_printed_reference_keeps_naming_the_same_backup(tmp_path: Path) -> None:
    """Issue 12: "@2" meant two different commits minutes apart. A listing is printed "as of"
    the store's newest commit; its commit ids, dates and @N (with --as-of) never shift."""
    store = BackupStore(tmp_path / "s")
    day1 = datetime(2026, 12, 1, 8, 0, 0, tzinfo=UTC)
    day2 = datetime(2026, 12, 2, 8, 0, 0, tzinfo=UTC)
    first = store.save({"sw01": ("cisco_ios", CONFIG)}, when=day1)
    second = store.save({"sw01": ("cisco_ios", CONFIG.replace("192.0.2.1", "192.0.2.2"))}, when=day2)
    printed_as_of = store.head()
    printed = {f"@{i}": e.commit for i, e in enumerate(store.history("sw01"), 1)}
    assert printed == {"@1": second, "@2": first}
    # another backup is made after the listing was printed
    third = store.save({"sw01": ("cisco_ios", CONFIG.replace("192.0.2.1", "192.0.2.3"))})
    assert third and store.history("sw01")[1].commit == second  # the bare position moved
    for ref, commit in printed.items():
        assert store.resolve("sw01", ref, as_of=printed_as_of) == commit
        assert commit and store.resolve("sw01", commit[:12]) == commit
    assert store.resolve("sw01", "2026-12-01") == first
    assert store.resolve("sw01", "2026-12-02T07:59") == first
    assert store.resolve("sw01", "2026-12-02T08:00Z") == second
    assert store.resolve("sw01", "latest") == third
    assert "192.0.2.1" in store.show("sw01", "@2", as_of=printed_as_of)
