"""The command line and the Ansible path against real simulated devices, through an inventory.

`opsbook net` reads devices from an inventory (ansible-inventory), and the playbooks in
playbooks/network/ do the same work over network_cli: backup into the same git store, and
compliance with the same verdict. Devices on 127.0.0.1:3511+, stopped at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
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
from opsbook.network.push import configs_equal
from opsbook.paths import project_paths

#: OPSBOOK_TEST_DEVICE_PORT_BASE (default 3301) + 70: inside this session's own port range,
#: beside the lab's devices (base + 0 …) and test_net_fixes.py's (base + 50)
PORT_BASE = int(os.environ.get("OPSBOOK_TEST_DEVICE_PORT_BASE", "3301")) + 70
PASSWORD = "Lab-Pass-3511"
BIN = Path(sys.executable).parent


@dataclass
class Setup:
    state: Path
    inventory: Path
    store: Path
    initial: dict[str, str]


def _host_vars(spec: DeviceSpec) -> dict[str, object]:
    connection: dict[str, object] = {
        "ansible_host": "127.0.0.1",
        "ansible_port": spec.port,
        "ansible_user": spec.username,
        "ansible_password": spec.password,
        "ansible_host_key_checking": False,  # lab devices (see opsbook.lab.inventory)
    }
    if spec.platform == "cisco_ios":
        connection |= {
            "ansible_connection": "ansible.netcommon.network_cli",
            "ansible_network_os": "cisco.ios.ios",
            "ansible_network_cli_ssh_type": "paramiko",
            "netmiko_device_type": "cisco_ios",
        }
    else:
        connection |= {"ansible_connection": "ansible.builtin.local", "netmiko_device_type": "huawei"}
    register = {  # a register-sound lab asset (opsbook inventory check)
        "asset_id": spec.name.upper(),
        "asset_kind": "switch" if spec.platform == "cisco_ios" else "router",
        "asset_customer": "lab",
        "asset_environment": "lab",
        "asset_os": spec.platform,
        "asset_maintenance_window": {
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "start": "00:00",
            "end": "23:59",
            "timezone": "Etc/UTC",
        },
    }
    return {**connection, **register, **lab_net_vars(spec)}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    root = tmp_path_factory.mktemp("netcli")
    specs = [
        DeviceSpec("na-sw01", "cisco_ios", PORT_BASE, "admin", PASSWORD),
        DeviceSpec("na-rt01", "huawei_vrp", PORT_BASE + 1, "admin", PASSWORD),
    ]
    inventory = root / "inventory"
    (inventory / "host_vars").mkdir(parents=True)
    devices = {"ios": {"hosts": {"na-sw01": {}}}, "vrp": {"hosts": {"na-rt01": {}}}}
    customer = {"hosts": {"na-sw01": {}, "na-rt01": {}}}
    hosts = {"all": {"children": {"network": {"children": devices}, "customer_lab": customer}}}
    (inventory / "hosts.yml").write_text(yaml.safe_dump(hosts))
    for spec in specs:
        # JSON is YAML with every string quoted: the window's '00:00' stays a time, not base 60
        (inventory / "host_vars" / f"{spec.name}.yml").write_text(json.dumps(_host_vars(spec), indent=2))
    state = root / "devices"
    start_devices(specs, state)
    try:
        yield Setup(
            state, inventory, root / "netbackup", {s.name: read_running_config(state, s.name) for s in specs}
        )
    finally:
        stop_devices(state)


def _env(setup: Setup) -> dict[str, str]:
    paths = project_paths()
    return {
        **os.environ,
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        "ANSIBLE_CONFIG": str(paths.ansible_cfg),
        "OPSBOOK_NETBACKUP": str(setup.store),
        "ANSIBLE_NOCOLOR": "1",
    }


def _opsbook(setup: Setup, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "opsbook"), "net", *args, "-i", str(setup.inventory)],
        capture_output=True,
        text=True,
        env=_env(setup),
        cwd=project_paths().root,
        check=False,
        timeout=120,
    )


def _playbook(setup: Setup, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "ansible-playbook"), f"playbooks/network/{name}", "-i", str(setup.inventory), *args],
        capture_output=True,
        text=True,
        env=_env(setup),
        cwd=project_paths().root,
        check=False,
        timeout=300,
    )


def test_cli_compliance_backup_and_diff(setup: Setup) -> None:
    for name, text in setup.initial.items():
        write_running_config(setup.state, name, text)
    clean = _opsbook(setup, "compliance", "--format", "json")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert {r["device"]: r["status"] for r in json.loads(clean.stdout)} == {
        "na-rt01": "compliant",
        "na-sw01": "compliant",
    }

    first = _opsbook(setup, "backup")
    assert first.returncode == 0, first.stdout + first.stderr
    drifted = setup.initial["na-sw01"].replace("ntp server 192.0.2.123", "ntp server 198.51.100.99")
    write_running_config(setup.state, "na-sw01", drifted)
    drift = _opsbook(setup, "compliance")
    assert drift.returncode == 2
    assert "- ntp server 198.51.100.99" in drift.stdout and "+ ntp server 192.0.2.123" in drift.stdout
    second = _opsbook(setup, "backup", "--limit", "na-sw01")
    assert second.returncode == 0
    diff = subprocess.run(
        [str(BIN / "opsbook"), "net", "diff", "na-sw01"],
        capture_output=True,
        text=True,
        env=_env(setup),
        check=False,
    )
    assert "-ntp server 192.0.2.123" in diff.stdout and "+ntp server 198.51.100.99" in diff.stdout

    plan = _opsbook(setup, "push", "--limit", "na-sw01", "--check")
    assert plan.returncode == 0 and "no ntp server 198.51.100.99" in plan.stdout
    assert read_running_config(setup.state, "na-sw01") == drifted  # --check changed nothing
    pushed = _opsbook(setup, "push", "--limit", "na-sw01", "--yes", "--ticket", "CHG-11")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "applied" in pushed.stdout
    assert _opsbook(setup, "compliance", "--limit", "na-sw01").returncode == 0


def test_facts_command(setup: Setup) -> None:
    out = _opsbook(setup, "facts", "--format", "json")
    assert out.returncode == 0, out.stderr
    facts = {f["device"]: f for f in json.loads(out.stdout)["facts"]}
    assert facts["na-sw01"]["vendor"] == "Cisco" and facts["na-rt01"]["vendor"] == "Huawei"
    assert all(f["serial"] and f["model"] and f["version"] for f in facts.values())


def test_ansible_playbooks_do_the_same_work(setup: Setup) -> None:
    for name, text in setup.initial.items():
        write_running_config(setup.state, name, text)
    check = _playbook(setup, "compliance.yml", "--check", "--diff")
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    assert "na-sw01                    : ok=2    changed=0" in check.stdout.replace("  ", "  ")

    drifted = setup.initial["na-sw01"].replace("logging host 192.0.2.50", "logging host 198.51.100.7")
    write_running_config(setup.state, "na-sw01", drifted)
    check = _playbook(setup, "compliance.yml", "--check", "--diff")
    assert check.returncode == 0, check.stdout[-3000:]
    assert "changed=1" in check.stdout
    assert "+logging host 192.0.2.50" in check.stdout and "-logging host 198.51.100.7" in check.stdout, (
        check.stdout
    )
    assert PASSWORD not in check.stdout

    backup = _playbook(setup, "backup.yml")
    assert backup.returncode == 0, backup.stdout[-3000:] + backup.stderr[-3000:]
    stored = (setup.store / "na-sw01.cfg").read_text()
    assert "logging host 198.51.100.7" in stored
    assert "<redacted>" in stored and "opsbook-lab-ro" not in stored
    log = subprocess.run(
        ["git", "-C", str(setup.store), "log", "-1", "--format=%s"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert log.stdout.startswith("backup (ansible-playbook)")


def _runbook(setup: Setup, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "opsbook"), "runbook", "run", *args, "-i", str(setup.inventory), "--yes", "--no-progress"],
        capture_output=True,
        text=True,
        env=_env(setup),
        cwd=project_paths().root,
        check=False,
        timeout=300,
    )


def test_runbooks_push_and_restore(setup: Setup) -> None:
    name = "na-rt01"
    write_running_config(setup.state, name, setup.initial[name])
    good = _opsbook(setup, "backup", "--limit", name)
    assert good.returncode == 0, good.stdout + good.stderr
    broken = setup.initial[name].replace(
        " ntp-service unicast-server 192.0.2.123", " ntp-service unicast-server 198.51.100.66"
    )
    write_running_config(setup.state, name, broken)

    plan = _runbook(setup, "network-push", "--limit", name, "--check", "--ticket", "CHG-7")
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
    assert read_running_config(setup.state, name) == broken

    pushed = _runbook(setup, "network-push", "--limit", name, "--ticket", "CHG-7")
    assert pushed.returncode == 0, pushed.stdout[-3000:] + pushed.stderr[-3000:]
    assert configs_equal(read_running_config(setup.state, name), setup.initial[name], "huawei_vrp")

    write_running_config(setup.state, name, broken)
    # the latest backup (@1, the default) is the post-push one: the known good configuration
    restored = _runbook(setup, "restore-network-config", "--limit", name, "--ticket", "INC-7")
    assert restored.returncode == 0, restored.stdout[-3000:] + restored.stderr[-3000:]
    assert configs_equal(read_running_config(setup.state, name), setup.initial[name], "huawei_vrp")
