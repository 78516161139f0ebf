"""The register is still a plain Ansible inventory: ansible-inventory reads it, and opsbook's
merge of group_vars/host_vars gives every host exactly the asset_* values Ansible gives it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from opsbook.register.check import check
from opsbook.register.schema import ASSET_FIELDS

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "inventory" / "example"
ANSIBLE_INVENTORY = Path(sys.executable).parent / "ansible-inventory"


def _run(*args: str) -> str:
    proc = subprocess.run(
        [str(ANSIBLE_INVENTORY), "-i", str(EXAMPLE), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def listed() -> dict[str, object]:
    data: dict[str, object] = json.loads(_run("--list"))
    return data


def test_graph_shows_customer_site_and_function_groups() -> None:
    graph = _run("--graph")
    for group in (
        "@customer_acme:",
        "@customer_northwind:",
        "@site_fra1:",
        "@site_lon1:",
        "@env_production:",
    ):
        assert group in graph
    assert "@ios:" in graph
    assert "@vrp:" in graph
    assert "acme-fra1-sw01" in graph


def test_list_has_every_host_with_ansibles_merged_asset_values(listed: dict[str, object]) -> None:
    hostvars = listed["_meta"]["hostvars"]  # type: ignore[index]
    result = check([EXAMPLE])
    assert set(hostvars) == set(result.merged)
    for host, merged in result.merged.items():
        ours = {k: r.value for k, r in merged.items() if k in ASSET_FIELDS}
        theirs = {k: v for k, v in hostvars[host].items() if k in ASSET_FIELDS}
        assert ours == theirs, host
