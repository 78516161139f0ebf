"""Issue 12's network fixes against real simulated devices (IOS and VRP over SSH, real netmiko).

- a hand-added ACL entry is remediated and the device is compliant (it used to be a renumbering
  plan, applied, "still drifted", rolled back — for ever);
- an undeclared SVI is reported as extra and removed by the push;
- ``net_push_features`` (``--features``) pushes NTP and logging past a refused management change;
- a backup reference printed in a listing keeps naming the same configuration after more backups;
- ``opsbook net backup`` runs unattended (no terminal) as a schedule runs it.

Devices run on 127.0.0.1 at OPSBOOK_TEST_DEVICE_PORT_BASE + 50 and + 51 (default 3351, 3352) in a
temporary state folder, and are stopped at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import yaml

from opsbook.lab.devices import (
    DeviceSpec,
    read_running_config,
    start_devices,
    stop_devices,
    write_running_config,
)
from opsbook.lab.devices.netvars import lab_net_vars
from opsbook.network.backup import BackupStore
from opsbook.network.compliance import DeviceStatus
from opsbook.network.connect import NetmikoSession, netmiko_connector
from opsbook.network.inventory import NetDevice
from opsbook.network.operations import backup, compliance
from opsbook.network.push import PushStatus, configs_equal, push_device
from opsbook.network.remediation import plan
from opsbook.network.render import render_device

PORT_BASE = int(os.environ.get("OPSBOOK_TEST_DEVICE_PORT_BASE", "3301")) + 50
PASSWORD = "Lab-Pass-Fix"
IOS, VRP = "fx-sw01", "fx-rt01"


@dataclass
class Lab:
    state: Path
    specs: dict[str, DeviceSpec]
    initial: dict[str, str]

    def device(self, name: str, **extra_vars: object) -> NetDevice:
        spec = self.specs[name]
        variables = {**lab_net_vars(spec), **extra_vars}
        return NetDevice(
            name, spec.platform, "127.0.0.1", spec.port, spec.username, PASSWORD, PASSWORD, variables
        )

    def reset(self, name: str) -> NetDevice:
        write_running_config(self.state, name, self.initial[name])
        return self.device(name)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    state = tmp_path_factory.mktemp("netfix")
    specs = [
        DeviceSpec(IOS, "cisco_ios", PORT_BASE, "admin", PASSWORD),
        DeviceSpec(VRP, "huawei_vrp", PORT_BASE + 1, "admin", PASSWORD),
    ]
    start_devices(specs, state)
    try:
        initial = {s.name: read_running_config(state, s.name) for s in specs}
        yield Lab(state, {s.name: s for s in specs}, initial)
    finally:
        stop_devices(state)


@pytest.fixture
def store(tmp_path: Path) -> BackupStore:
    return BackupStore(tmp_path / "netbackup")


def _inject(device: NetDevice, lines: list[str]) -> None:
    session = NetmikoSession(device)
    try:
        session.configure(lines)
    finally:
        session.close()


def _yes(_: object) -> bool:
    return True


HAND_ADDED_ACL = {
    IOS: (
        ["ip access-list extended USERS-IN", "15 permit tcp any any eq 22", "exit"],
        ["ip access-list extended USERS-IN", " permit tcp any any eq 22"],
    ),
    VRP: (
        ["acl number 3000", "rule 7 permit tcp destination-port eq 22", "quit"],
        ["acl number 3000", " rule 7 permit tcp destination-port eq 22"],
    ),
}


@pytest.mark.parametrize("name", [IOS, VRP])
def test_a_hand_added_acl_entry_is_remediated_to_compliant(lab: Lab, store: BackupStore, name: str) -> None:
    device = lab.reset(name)
    inject, extra = HAND_ADDED_ACL[name]
    _inject(device, inject)
    drift = compliance([device]).results[0]
    assert drift.drifted_features == ["acls"]
    acls = next(f for f in drift.features if f.feature == "acls")
    assert acls.extra == extra and acls.missing == []

    intended = render_device(name, device.platform, device.vars)
    result = push_device(device, intended, store=store, connector=netmiko_connector(), confirm=_yes)
    assert result.status is PushStatus.APPLIED, (result.error, result.steps, result.commands)

    after = compliance([device]).results[0]
    assert after.status is DeviceStatus.COMPLIANT, [(f.feature, f.missing, f.extra) for f in after.features]
    running = read_running_config(lab.state, name)
    assert plan(name, device.platform, running, intended.features).empty  # converged
    assert configs_equal(running, lab.initial[name], device.platform)


UNDECLARED_SVI = {
    IOS: ["interface Vlan20", "ip address 10.20.0.1 255.255.255.0", "exit"],
    VRP: ["interface Vlanif20", "ip address 10.20.0.1 255.255.255.0", "quit"],
}


@pytest.mark.parametrize("name", [IOS, VRP])
def test_an_undeclared_svi_is_extra_and_the_push_removes_it(lab: Lab, store: BackupStore, name: str) -> None:
    device = lab.reset(name)
    _inject(device, UNDECLARED_SVI[name])
    drift = compliance([device]).results[0]
    assert drift.drifted_features == ["interfaces"]
    interfaces = next(f for f in drift.features if f.feature == "interfaces")
    assert interfaces.extra == [UNDECLARED_SVI[name][0], " ip address 10.20.0.1 255.255.255.0"]

    intended = render_device(name, device.platform, device.vars)
    result = push_device(device, intended, store=store, connector=netmiko_connector(), confirm=_yes)
    assert result.status is PushStatus.APPLIED, (result.error, result.steps, result.commands)
    assert compliance([device]).results[0].status is DeviceStatus.COMPLIANT
    assert UNDECLARED_SVI[name][0] not in read_running_config(lab.state, name)


def test_features_push_ntp_and_logging_past_a_refused_management_change(lab: Lab, store: BackupStore) -> None:
    device = lab.reset(VRP)
    variables = dict(device.vars)
    mgmt = variables["net_mgmt_interface"]
    variables["net_interfaces"] = [
        dict(i, description="changed") if i["name"] == mgmt else i for i in variables["net_interfaces"]
    ]
    _inject(device, ["ntp-service unicast-server 203.0.113.9", "undo info-center loghost 192.0.2.50"])
    drifted = read_running_config(lab.state, VRP)

    everything = render_device(VRP, device.platform, variables)
    refused = push_device(device, everything, store=store, connector=netmiko_connector(), confirm=_yes)
    assert refused.status is PushStatus.REFUSED
    assert refused.error.startswith("interfaces: ")
    assert "--features ntp,logging" in refused.error
    assert read_running_config(lab.state, VRP) == drifted

    some = render_device(VRP, device.platform, {**variables, "net_push_features": "ntp,logging"})
    result = push_device(device, some, store=store, connector=netmiko_connector(), confirm=_yes)
    assert result.status is PushStatus.APPLIED, (result.error, result.steps)
    assert result.features == ["ntp", "logging"]
    # the record says what was checked: those features, not the whole device
    assert "post-check passed: reachable, compliant in ntp, logging" in result.steps
    check = compliance([replace(device, vars=variables)]).results[0]
    assert check.drifted_features == ["interfaces"]  # only the management change is left
    assert configs_equal(read_running_config(lab.state, VRP), lab.initial[VRP], device.platform)


def test_a_printed_backup_reference_keeps_naming_the_same_configuration(lab: Lab, store: BackupStore) -> None:
    device = lab.reset(IOS)
    first = backup([device], store).commit
    printed_as_of = store.head()
    listing = {f"@{i}": e.commit for i, e in enumerate(store.history(IOS), 1)}
    _inject(device, ["ntp server 203.0.113.77"])
    second = backup([device], store).commit
    assert first and second and second != first
    assert store.resolve(IOS, "@1", as_of=printed_as_of) == listing["@1"] == first
    assert "203.0.113.77" not in store.show(IOS, "@1", as_of=printed_as_of)
    assert "203.0.113.77" in store.show(IOS, "latest")


def _inventory(lab: Lab, folder: Path) -> tuple[Path, list[str]]:
    """A YAML register with the lab devices (and their net_* variables), as a customer has one."""
    hosts = {}
    for name, spec in lab.specs.items():
        hosts[name] = {
            "ansible_host": "127.0.0.1",
            "ansible_port": spec.port,
            "ansible_user": spec.username,
            "ansible_password": PASSWORD,
            "netmiko_device_type": spec.platform,
            "asset_id": f"FIX-{spec.port}",
            "asset_kind": "switch" if spec.platform == "cisco_ios" else "router",
            "asset_customer": "fix",
            **lab_net_vars(spec),
        }
    inventory = folder / "hosts.yml"
    inventory.write_text(
        yaml.safe_dump({"all": {"children": {"customer_fix": {"hosts": hosts}}}}), encoding="utf-8"
    )
    return inventory, sorted(hosts)


def _opsbook() -> str:
    return str(Path(sys.executable).parent / "opsbook")


def test_net_backup_runs_unattended_for_a_schedule(lab: Lab, tmp_path: Path) -> None:
    """What a schedule runs: no terminal, no prompt; exit 0 and one commit, JSON on stdout."""
    lab.reset(IOS)
    lab.reset(VRP)
    inventory, hosts = _inventory(lab, tmp_path)
    store = tmp_path / "scheduled-store"
    command = [
        str(Path(sys.executable).parent / "opsbook"),
        "net",
        "backup",
        "-i",
        str(inventory),
        "--store",
        str(store),
    ]
    done = subprocess.run(
        [*command, "--json"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert sorted(d["device"] for d in data["devices"]) == hosts
    assert all(d["result"] == "changed" for d in data["devices"]) and data["commit"]
    again = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "nothing changed" in again.stdout


def test_remediate_features_json_leaves_the_management_change_out(lab: Lab, tmp_path: Path) -> None:
    device = lab.reset(VRP)
    lab.reset(IOS)
    _inject(
        device,
        [
            "ntp-service unicast-server 203.0.113.9",
            f"interface {device.vars['net_mgmt_interface']}",
            "description changed-by-hand",
            "quit",
        ],
    )
    inventory, _ = _inventory(lab, tmp_path)
    base = [_opsbook(), "net", "remediate", "-i", str(inventory), "-l", VRP, "--json"]
    full = subprocess.run(
        base, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False
    )
    assert full.returncode == 2, full.stdout + full.stderr
    [everything] = json.loads(full.stdout)
    assert everything["features"] == ["ntp", "interfaces"] and everything["management"]
    some = subprocess.run(
        [*base, "--features", "ntp"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    [ntp] = json.loads(some.stdout)
    assert ntp["features"] == ["ntp"] and ntp["management"] == [] and ntp["checked"] == ["ntp"]
    assert ntp["commands"] == ["undo ntp-service unicast-server 203.0.113.9"]
