"""EOL data: prefix matching at version boundaries, and every entry sourced."""

from __future__ import annotations

import datetime as dt

import pytest

from opsbook.errors import OpsbookError
from opsbook.register.eol import load_eol_table, parse_eol_data


@pytest.mark.parametrize(
    ("os_name", "version", "key"),
    [
        ("debian", "10.13", "10"),
        ("debian", "10", "10"),
        ("ubuntu", "22.04", "22.04"),
        ("cisco_ios", "15.2(4)M11", "15.2(4)M"),
        ("cisco_ios", "15.2(7)E8", "15.2(7)E"),
        ("cisco_iosxe", "17.12.4", "17.12"),
        ("cisco_iosxe", "17.9.5", "17.9"),
        ("huawei_vrp", "V200R019C10SPC800", "V200R019"),
        ("postgresql", "14.13", "14"),
    ],
)
def test_version_prefix_matches_at_a_boundary(os_name: str, version: str, key: str) -> None:
    entry = load_eol_table().lookup(os_name, version)
    assert entry is not None
    assert entry.version == key


@pytest.mark.parametrize(
    ("os_name", "version"),
    [("debian", "100"), ("debian", "1"), ("cisco_iosxe", "17.90"), ("nosuchos", "1"), ("debian", None)],
)
def test_no_match(os_name: str, version: str | None) -> None:
    assert load_eol_table().lookup(os_name, version) is None


def test_every_entry_has_a_source_and_a_date() -> None:
    table = load_eol_table()
    assert {"debian", "ubuntu", "rhel", "centos", "cisco_ios", "cisco_iosxe", "huawei_vrp"} <= set(
        table.entries
    )
    for versions in table.entries.values():
        for entry in versions.values():
            assert entry.source.strip()
            assert isinstance(entry.eol, dt.date)


def test_entry_without_source_is_rejected() -> None:
    with pytest.raises(OpsbookError, match="needs eol: and source:"):
        parse_eol_data({"debian": {"12": {"eol": "2028-06-30"}}}, "test")
