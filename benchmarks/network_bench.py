"""Benchmark: backup + compliance of N simulated IOS devices, opsbook against stock Ansible.

Both run in one invocation against the same devices (started here on 127.0.0.1, ports
4101+ (--port-base), in a temporary folder, stopped at the end):

- **opsbook**: what `opsbook net compliance --backup` does — devices read from the inventory
  (one ``ansible-inventory`` call), every device's running configuration fetched once over
  netmiko in a thread pool (the Nornir model), stored redacted in the git backup store (one
  commit) and checked per feature against its intended configuration.
- **stock Ansible**: ``benchmarks/network_stock.yml`` under stock settings (forks 5):
  ``cisco.ios.ios_config`` backup, then ``ios_config`` in check mode against the intended
  configuration rendered from the same templates, over ``network_cli``.

Targets (issue 7): opsbook <= 10 s for 100 devices and >= 10x faster than stock Ansible.

    .venv/bin/python benchmarks/network_bench.py [--devices 100] [--workers 50] [--port-base 4101] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from opsbook.lab.devices import DeviceSpec, start_devices, stop_devices
from opsbook.lab.devices.netvars import lab_net_vars
from opsbook.network.backup import BackupStore
from opsbook.network.compliance import DeviceStatus
from opsbook.network.inventory import load_devices
from opsbook.network.operations import compliance
from opsbook.network.render import TEMPLATES
from opsbook.paths import project_paths

PORT_BASE = 4101
PASSWORD = "Bench-Pass-1"
FEATURES = ("hostname", "aaa", "ntp", "logging", "snmp", "vlans", "acls", "interfaces", "banner")

STOCK_CFG = """\
# Stock Ansible settings for the comparison, minus host-key prompts; filters for the templates.
[defaults]
forks = 5
host_key_checking = False
retry_files_enabled = False
filter_plugins = {filters}

[persistent_connection]
command_timeout = 60
"""


def write_inventory(folder: Path, specs: list[DeviceSpec]) -> Path:
    inventory = folder / "inventory"
    (inventory / "host_vars").mkdir(parents=True)
    hosts: dict[str, Any] = {
        "all": {"children": {"network": {"children": {"ios": {"hosts": {s.name: {} for s in specs}}}}}}
    }
    (inventory / "hosts.yml").write_text(yaml.safe_dump(hosts), encoding="utf-8")
    for spec in specs:
        data: dict[str, Any] = {
            "ansible_host": "127.0.0.1",
            "ansible_port": spec.port,
            "ansible_user": spec.username,
            "ansible_password": spec.password,
            "ansible_host_key_checking": False,  # lab devices (see opsbook.lab.inventory)
            "ansible_connection": "ansible.netcommon.network_cli",
            "ansible_network_os": "cisco.ios.ios",
            "ansible_network_cli_ssh_type": "paramiko",
            "netmiko_device_type": "cisco_ios",
            **lab_net_vars(spec),
        }
        (inventory / "host_vars" / f"{spec.name}.yml").write_text(
            yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
        )
    return inventory


def run_opsbook(inventory: Path, store: Path, workers: int) -> tuple[float, dict[str, int]]:
    start = time.perf_counter()
    devices = load_devices([inventory])
    run = compliance(devices, workers=workers, store=BackupStore(store))
    seconds = time.perf_counter() - start
    counts: dict[str, int] = {s.value: 0 for s in DeviceStatus}
    for result in run.results:
        counts[result.status.value] += 1
    counts["backed_up"] = len([o for o in (run.backup.outcomes if run.backup else []) if o.ok])
    return seconds, counts


def run_stock(folder: Path, inventory: Path) -> tuple[float, dict[str, int], str]:
    paths = project_paths()
    work = folder / "stock"
    (work / "templates").mkdir(parents=True)
    shutil.copy(paths.root / "benchmarks" / "network_stock.yml", work / "network_stock.yml")
    shutil.copytree(TEMPLATES / "cisco_ios", work / "templates" / "cisco_ios")
    includes = "".join(f"{{% include 'cisco_ios/{f}.j2' %}}\n" for f in FEATURES)
    (work / "templates" / "intended.j2").write_text(includes, encoding="utf-8")
    cfg = work / "ansible.cfg"
    cfg.write_text(STOCK_CFG.format(filters=paths.root / "filter_plugins"), encoding="utf-8")
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(cfg),
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        "ANSIBLE_NOCOLOR": "1",
    }
    start = time.perf_counter()
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "network_stock.yml",
            "-i",
            str(inventory),
            "-e",
            f"bench_backup_dir={work / 'backups'}",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    recap = [line for line in proc.stdout.splitlines() if " : ok=" in line]
    counts = {
        "hosts": len(recap),
        "changed": sum(1 for line in recap if "changed=0" not in line),
        "failed": sum(1 for line in recap if "failed=0" not in line or "unreachable=0" not in line),
    }
    tail = "" if proc.returncode == 0 else (proc.stdout[-2000:] + proc.stderr[-2000:])
    return seconds, counts, tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--port-base", type=int, default=PORT_BASE, help="first device port on 127.0.0.1")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="opsbook-netbench-"))
    specs = [
        DeviceSpec(f"nb-sw{i:03d}", "cisco_ios", args.port_base + i - 1, "admin", PASSWORD)
        for i in range(1, args.devices + 1)
    ]
    inventory = write_inventory(folder, specs)
    start = time.perf_counter()
    start_devices(specs, folder / "devices")
    started = time.perf_counter() - start
    try:
        ops_seconds, ops_counts = run_opsbook(inventory, folder / "netbackup", args.workers)
        stock_seconds, stock_counts, stock_error = run_stock(folder, inventory)
    finally:
        stop_devices(folder / "devices")
    ratio = stock_seconds / ops_seconds if ops_seconds else 0.0
    result = {
        "devices": args.devices,
        "devices_started_seconds": round(started, 2),
        "opsbook": {"seconds": round(ops_seconds, 2), "workers": args.workers, **ops_counts},
        "stock_ansible": {"seconds": round(stock_seconds, 2), "forks": 5, **stock_counts},
        "speedup": round(ratio, 1),
        "targets": {"opsbook_le_10s": ops_seconds <= 10.0, "speedup_ge_10x": ratio >= 10.0},
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"backup + compliance of {args.devices} simulated IOS devices (started in {started:.1f} s)")
        print(f"{'variant':<38}{'seconds':>9}  result")
        unchecked = ops_counts["unreachable"] + ops_counts["unverifiable"]
        ops_label = f"opsbook (netmiko, {args.workers} threads)"
        print(
            f"{ops_label:<38}{ops_seconds:>9.2f}  {ops_counts['compliant']} compliant, "
            f"{ops_counts['drifted']} drifted, {unchecked} unchecked, {ops_counts['backed_up']} backed up"
        )
        print(
            f"{'stock Ansible (network_cli, forks 5)':<38}{stock_seconds:>9.2f}  "
            f"{stock_counts['hosts']} hosts, "
            f"{stock_counts['changed']} reported changed, {stock_counts['failed']} failed"
        )
        targets = f"opsbook <= 10 s: {ops_seconds <= 10.0}, >= 10x: {ratio >= 10.0}"
        print(f"speed-up: {ratio:.1f}x   targets: {targets}")
        if stock_error:
            print("stock Ansible run failed:\n" + stock_error)
    shutil.rmtree(folder, ignore_errors=True)
    return 0 if ops_counts["compliant"] == args.devices else 1


if __name__ == "__main__":
    sys.exit(main())
