"""`opsbook net` listings: stable backup references through the command line, --json on every
listing, identifiers never cut or wrapped at 80 columns or piped."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from opsbook.cli.net import app
from opsbook.cli.netviews import print_compliance, print_facts
from opsbook.network.backup import BackupStore
from opsbook.network.compliance import DeviceCompliance, DeviceStatus
from opsbook.network.connect import Outcome
from opsbook.network.facts import DeviceFacts
from opsbook.network.inventory import NetDevice

CONFIG = "hostname core-sw01\nntp server 192.0.2.1\n"


@pytest.fixture
def store(tmp_path: Path) -> BackupStore:
    store = BackupStore(tmp_path / "netbackup")
    store.save({"core-sw01": ("cisco_ios", CONFIG)}, reason="backup")
    store.save({"core-sw01": ("cisco_ios", CONFIG.replace("192.0.2.1", "192.0.2.2"))}, reason="backup")
    return store


def _run(*args: str, columns: int = 80) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})
    return result.exit_code, result.output


def test_a_printed_listing_keeps_naming_the_same_backups(store: BackupStore) -> None:
    """Issue 12: `@N` shifted after every backup. The printed listing's commit ids, and its @N
    together with the --as-of it prints, still name the same configuration later."""
    code, listing = _run("backups", "core-sw01", "--store", str(store.root), "--json")
    assert code == 0, listing
    printed = json.loads(listing)
    as_of = printed["as_of"][:12]
    code, before = _run("diff", "core-sw01", "@2", "@1", "--as-of", as_of, "--store", str(store.root))
    assert code == 0 and "+ntp server 192.0.2.2" in before

    store.save({"core-sw01": ("cisco_ios", CONFIG.replace("192.0.2.1", "192.0.2.3"))}, reason="backup")

    code, after = _run("diff", "core-sw01", "@2", "@1", "--as-of", as_of, "--store", str(store.root))
    assert code == 0 and after == before
    old, new = printed["backups"][1]["commit"][:12], printed["backups"][0]["commit"][:12]
    assert _run("diff", "core-sw01", old, new, "--store", str(store.root))[1] == before
    # a bare @N no longer silently means something else: it is refused with what to do
    result = CliRunner().invoke(app, ["diff", "core-sw01", "@2", "@1", "--store", str(store.root)])
    assert result.exit_code != 0
    assert "moves with every backup" in str(result.exception)


def test_backups_listing_shows_whole_commit_ids_and_dates_at_80_columns(store: BackupStore) -> None:
    code, text = _run("backups", "core-sw01", "--store", str(store.root), columns=80)
    assert code == 0
    for entry in store.history("core-sw01"):
        assert entry.commit[:12] in text
        assert entry.when.replace("+00:00", "Z") in text
    assert f"as of {store.head()[:12]}" in text
    assert all(len(line) <= 80 for line in text.splitlines() if "│" in line)


def test_backups_json_lists_full_commit_ids_with_the_as_of(store: BackupStore) -> None:
    code, text = _run("backups", "core-sw01", "--store", str(store.root), "--json")
    data = json.loads(text)
    assert code == 0
    assert data["as_of"] == store.head()
    assert [b["commit"] for b in data["backups"]] == [e.commit for e in store.history("core-sw01")]
    assert all(re.fullmatch(r"[0-9a-f]{40}", b["commit"]) for b in data["backups"])


def test_backups_as_of_reprints_an_earlier_listing(store: BackupStore) -> None:
    as_of = store.head()
    store.save({"core-sw01": ("cisco_ios", CONFIG.replace("192.0.2.1", "192.0.2.9"))}, reason="backup")
    code, text = _run("backups", "core-sw01", "--store", str(store.root), "--as-of", as_of[:12], "--json")
    data = json.loads(text)
    assert code == 0 and data["as_of"] == as_of and len(data["backups"]) == 2


def test_unknown_device_has_no_backups(store: BackupStore) -> None:
    result = CliRunner().invoke(app, ["backups", "nope", "--store", str(store.root)])
    assert result.exit_code != 0 and "no backup stored" in str(result.exception)


def _console(width: int) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=width, highlight=False, color_system=None), buffer


def test_facts_and_compliance_listings_keep_serials_names_and_versions_whole_at_80_columns() -> None:
    device = NetDevice("customer-site-core-switch-0001", "cisco_ios", "127.0.0.1", 22, "u", "p")
    facts = DeviceFacts(
        device.name,
        "cisco_ios",
        "Cisco",
        "C9300-48P-A-EXTENDED",
        "FOC2318Y0QX-LONG-SERIAL",
        "17.9.5a",
        "core1",
    )
    out, buffer = _console(80)
    print_facts(out, [Outcome(device, facts)])
    text = buffer.getvalue()
    for value in (device.name, facts.serial, facts.model, facts.version):
        assert value in text
    assert all(len(line) <= 80 for line in text.splitlines())

    result = DeviceCompliance(device.name, "cisco_ios", DeviceStatus.DRIFTED, features=[])
    out, buffer = _console(80)
    print_compliance([result], out)
    assert device.name in buffer.getvalue()
