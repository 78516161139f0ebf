"""docs/register.md's NetBox mapping works: its compose / keyed_groups, applied (with Ansible's
``constructed`` plugin, no NetBox needed) to host variables shaped as nb_inventory gives them,
produce a register that passes the check with the asset values expected."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from opsbook.register.check import check

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "register.md"
HOSTVARS = Path(__file__).parent / "fixtures" / "netbox" / "netbox-hostvars.yml"
NB_PLUGIN = "netbox.netbox.nb_inventory"


def documented_config() -> dict[str, Any]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    config = next(yaml.safe_load(b) for b in blocks if f"plugin: {NB_PLUGIN}" in b)
    assert isinstance(config, dict)
    return config


def test_netbox_collection_is_installed() -> None:
    import ansible_collections.netbox.netbox.plugins.inventory.nb_inventory as plugin  # noqa: PLC0415

    assert "nb_inventory" in plugin.__name__


def test_documented_mapping_gives_a_sound_register(tmp_path: Path) -> None:
    config = documented_config()
    source = tmp_path / "source"
    source.mkdir()
    (source / "01-netbox.yml").write_text(HOSTVARS.read_text(encoding="utf-8"), encoding="utf-8")
    constructed = {
        "plugin": "ansible.builtin.constructed",
        "strict": False,
        "keyed_groups": config["keyed_groups"],
        "compose": config["compose"],
    }
    (source / "02-constructed.yml").write_text(yaml.safe_dump(constructed), encoding="utf-8")
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-inventory"), "-i", str(source), "--list", "--yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    export = tmp_path / "export" / "hosts.yml"
    export.parent.mkdir()
    export.write_text(proc.stdout, encoding="utf-8")

    strict = check([export], roles_dirs=[])
    assert {p.rule for p in strict.problems} == {"unknown-key"}  # NetBox's own variables
    result = check([export], roles_dirs=[], plugins=(NB_PLUGIN,))
    assert [p.render() for p in result.problems] == []
    switch = {k: r.value for k, r in result.merged["fra1-sw01"].items() if k.startswith("asset_")}
    assert switch["asset_id"] == "ACME-NET-0001"
    assert switch["asset_kind"] == "switch"
    assert switch["asset_customer"] == "acme"
    assert switch["asset_mgmt_address"] == "192.0.2.101"
    assert switch["asset_warranty_end"] == "2028-05-31"
    vm = {k: r.value for k, r in result.merged["fra1-web01"].items() if k.startswith("asset_")}
    assert (vm["asset_kind"], vm["asset_id"], vm["asset_memory_mb"]) == ("vm", "fra1-web01", 8192)
