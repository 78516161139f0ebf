"""The lab inventory generated from a state: groups, connection settings, register data."""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from opsbook.lab.inventory import (
    PODMAN_CONNECTION,
    inventory_files,
    podman_overlay,
    remove_inventory,
    ssh_config_text,
    write_inventory,
    write_podman_overlay,
)
from opsbook.lab.plan import plan_devices, plan_hosts
from opsbook.lab.state import LabShape, LabState
from opsbook.register.schema import REQUIRED_FIELDS, AssetVars

KEY = Path("/repo/.opsbook/lab/opsbook/ssh/id_ed25519")


@pytest.fixture
def state() -> LabState:
    shape = LabShape(hosts=2, devices=2, ssh_port_base=2201, device_port_base=2301)
    return LabState(
        name="opsbook",
        shape=shape,
        created="2025-02-28",
        ssh_key=str(KEY),
        hosts=plan_hosts("opsbook", shape),
        devices=plan_devices("opsbook", shape, password="s3cret"),
        complete=True,
    )


def _group_hosts(tree: dict, group: str) -> list[str]:  # type: ignore[type-arg]
    children = tree["all"]["children"]
    node = children.get(group) or children["network"]["children"][group]
    return list(node.get("hosts", {}))


def test_groups(state: LabState) -> None:
    tree = inventory_files(state, KEY)["hosts.yml"]
    assert _group_hosts(tree, "linux") == ["opsbook-host01", "opsbook-host02"]
    assert _group_hosts(tree, "ios") == ["opsbook-sw01"]
    assert _group_hosts(tree, "vrp") == ["opsbook-rt01"]
    everyone = ["opsbook-host01", "opsbook-host02", "opsbook-sw01", "opsbook-rt01"]
    for group in ("customer_lab", "site_lab", "env_lab"):
        assert _group_hosts(tree, group) == everyone
    linux = tree["all"]["children"]["linux"]["hosts"]
    assert linux["opsbook-host02"] == {"ansible_host": "127.0.0.1", "ansible_port": 2202}


def test_only_the_lab_turns_host_key_checking_off(state: LabState) -> None:
    """Lab machines get new (hosts) or shared (devices) keys; ansible.cfg checks every other host."""
    files = inventory_files(state, KEY)
    for name in ("opsbook-host01", "opsbook-sw01", "opsbook-rt01"):
        assert files[f"host_vars/{name}.yml"]["ansible_host_key_checking"] is False
    assert (
        files["host_vars/opsbook-host01.yml"]["ansible_ssh_common_args"] == "-o UserKnownHostsFile=/dev/null"
    )
    config = configparser.ConfigParser()
    config.read(Path(__file__).parents[2] / "ansible.cfg")
    assert config.getboolean("defaults", "host_key_checking") is True
    assert "StrictHostKeyChecking" not in config.get("ssh_connection", "ssh_args")
    assert "UserKnownHostsFile" not in config.get("ssh_connection", "ssh_args")


def test_linux_host_vars_reach_the_host_over_ssh_with_the_lab_key(state: LabState) -> None:
    hv = inventory_files(state, KEY)["host_vars/opsbook-host01.yml"]
    assert hv["ansible_user"] == "opsadmin"
    assert hv["ansible_ssh_private_key_file"] == str(KEY)
    assert hv["ansible_become"] is True
    assert "ansible_connection" not in hv  # ssh by default, podman through the overlay
    assert hv["asset_kind"] == "server"
    assert hv["asset_serial"] == state.hosts[0].serial
    assert hv["asset_os"] == "debian" and hv["asset_os_version"] == "12"
    assert hv["asset_mgmt_address"] == "127.0.0.1"


def test_device_host_vars(state: LabState) -> None:
    files = inventory_files(state, KEY)
    ios = files["host_vars/opsbook-sw01.yml"]
    assert ios["ansible_connection"] == "ansible.netcommon.network_cli"
    assert ios["ansible_network_os"] == "cisco.ios.ios"
    assert ios["ansible_network_cli_ssh_type"] == "paramiko"
    assert (ios["ansible_user"], ios["ansible_password"]) == ("admin", "s3cret")
    assert ios["netmiko_device_type"] == "cisco_ios"
    assert (ios["asset_kind"], ios["asset_os"]) == ("switch", "cisco_ios")
    assert ios["asset_serial"] == state.devices[0].serial
    vrp = files["host_vars/opsbook-rt01.yml"]
    assert vrp["netmiko_device_type"] == "huawei"
    assert (vrp["asset_kind"], vrp["asset_os"]) == ("router", "huawei_vrp")
    assert vrp["asset_os_version"] == state.devices[1].version


def test_register_data_is_valid_for_the_register_schema(state: LabState) -> None:
    for path, data in inventory_files(state, KEY).items():
        if not path.startswith("host_vars/"):
            continue
        assets = {k: v for k, v in data.items() if k.startswith("asset_")}
        AssetVars.model_validate(assets)
        assert all(assets.get(f) for f in REQUIRED_FIELDS), path
        assert assets["asset_customer"] == "lab" and assets["asset_environment"] == "lab"
        window = assets["asset_maintenance_window"]
        assert window["days"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        assert (window["start"], window["end"]) == ("00:00", "23:59")
        assert assets["asset_purchase_date"] == "2025-02-28"
        assert assets["asset_support_end"] == "2030-02-28"


def test_podman_overlay_switches_the_connection(state: LabState) -> None:
    group = podman_overlay(state)["all"]["children"]["lab_podman"]
    assert group["vars"] == {"ansible_connection": PODMAN_CONNECTION}
    assert group["hosts"] == {
        "opsbook-host01": {"ansible_host": "opsbook-host01"},
        "opsbook-host02": {"ansible_host": "opsbook-host02"},
    }


def test_ssh_config_has_one_block_per_host(state: LabState) -> None:
    text = ssh_config_text(state, KEY)
    assert text.count("\nHost ") == 2
    assert "Host opsbook-host02\n  HostName 127.0.0.1\n  Port 2202\n  User opsadmin\n" in text
    assert f"IdentityFile {KEY}" in text


def test_rewrite_removes_stale_files_and_keeps_others(state: LabState, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("keep me", encoding="utf-8")
    stale = tmp_path / "host_vars" / "opsbook-host09.yml"
    stale.parent.mkdir()
    stale.write_text("old", encoding="utf-8")
    write_inventory(tmp_path, state, KEY)
    assert not stale.exists()
    assert (tmp_path / "README.md").read_text() == "keep me"
    assert (tmp_path / "host_vars" / "opsbook-sw01.yml").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "host_vars" / "opsbook-host01.yml").stat().st_mode & 0o777 == 0o644
    loaded = yaml.safe_load((tmp_path / "hosts.yml").read_text())
    assert loaded == inventory_files(state, KEY)["hosts.yml"]
    remove_inventory(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]


def _ansible_inventory(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "ansible-inventory"
    env = {**os.environ, "ANSIBLE_DEPRECATION_WARNINGS": "false"}
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, check=True)


def test_ansible_reads_it_and_the_overlay_replaces_the_address(state: LabState, tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    write_inventory(inventory, state, KEY)
    overlay = write_podman_overlay(tmp_path / "podman-inventory.yml", state)
    graph = _ansible_inventory("-i", str(inventory), "--graph").stdout
    for group in ("@linux", "@network", "@ios", "@vrp", "@customer_lab", "@site_lab", "@env_lab"):
        assert group in graph
    ssh = json.loads(_ansible_inventory("-i", str(inventory), "--host", "opsbook-host01").stdout)
    assert (ssh["ansible_host"], ssh["ansible_port"]) == ("127.0.0.1", 2201)
    assert ssh["asset_id"] == "OPSBOOK-HOST01"
    both = json.loads(
        _ansible_inventory("-i", str(inventory), "-i", str(overlay), "--host", "opsbook-host01").stdout
    )
    assert both["ansible_host"] == "opsbook-host01"
    assert both["ansible_connection"] == PODMAN_CONNECTION
    assert both["ansible_user"] == "opsadmin"


def test_device_vars_are_merged_into_device_host_vars_only(state: LabState) -> None:
    files = inventory_files(state, KEY, device_vars=lambda d: {"net_hostname": d.hostname})
    assert files["host_vars/opsbook-sw01.yml"]["net_hostname"] == "opsbook-sw01"
    assert files["host_vars/opsbook-rt01.yml"]["net_hostname"] == "opsbook-rt01"
    assert "net_hostname" not in files["host_vars/opsbook-host01.yml"]
