"""Benchmark: the config-drift audit of N lab hosts and M devices, opsbook against stock Ansible.

Both variants audit the same converged hosts and the same devices, in one invocation,
alternating, ``--repeat`` times each; the table shows medians and the ratio (issue 5's target:
at least 3x).

- **opsbook**: ``opsbook audit`` itself (``Auditor.run``): ``playbooks/audit.yml`` in check + diff
  mode through ansible-runner under the project's ansible.cfg (forks 25, pipelining,
  ControlPersist, fact cache) while the devices are checked concurrently over netmiko; then
  classification, history and the three report files. Every repetition starts with cold SSH
  connections (a fresh ControlPath folder).
- **stock**: ``ansible-playbook --check --diff playbooks/audit.yml`` for the hosts and
  ``ansible-playbook --check --diff playbooks/network/compliance.yml`` (network_cli) for the
  devices, under stock settings (forks 5, facts gathered implicitly and never cached, no
  pipelining, no ControlPersist) — the two playbooks run *at the same time*, which favours stock.

The hosts are a lab (default ``audit-bench``, SSH ports 4601+), converged once with site.yml
before timing (``--no-converge`` skips that); the devices are simulated Cisco IOS devices on
127.0.0.1:4701+ (stock Ansible has no path to the lab's Huawei VRP devices), started here in a
temporary folder. Whatever this script started is stopped at the end (``--keep`` keeps the lab).

    .venv/bin/python benchmarks/audit_bench.py [--hosts 20] [--devices 50] [--repeat 1] [--keep] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from opsbook.audit.run import Auditor, AuditRequest
from opsbook.lab import down, status, up
from opsbook.lab.devices import DeviceSpec, start_devices, stop_devices
from opsbook.lab.devices.netvars import lab_net_vars
from opsbook.lab.handle import LabHandle
from opsbook.paths import ProjectPaths, project_paths
from opsbook.register.check import check_register
from opsbook.runner import run_playbook

DEVICE_PORT_BASE = 4701
PASSWORD = "Audit-Bench-1"
STOCK_CFG = """\
# Stock Ansible settings for the comparison: what a fresh project gets, minus host-key prompts,
# plus the project's content paths (roles, modules, filters) so that the same playbooks run.
[defaults]
forks = 5
gathering = implicit
host_key_checking = False
retry_files_enabled = False
interpreter_python = auto_silent
roles_path = {root}/roles
library = {root}/library
module_utils = {root}/module_utils
filter_plugins = {root}/filter_plugins

[ssh_connection]
pipelining = False
ssh_args = -o ControlMaster=no -o ControlPersist=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR

[persistent_connection]
command_timeout = 60
"""


@dataclass
class Variant:
    name: str
    description: str
    times: list[float] = field(default_factory=list)
    outcome: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def device_specs(count: int, port_base: int) -> list[DeviceSpec]:
    return [
        DeviceSpec(f"ab-sw{i + 1:02d}", "cisco_ios", port_base + i, "admin", PASSWORD) for i in range(count)
    ]


def write_device_inventory(folder: Path, specs: list[DeviceSpec], *, intent: bool) -> Path:
    """A register-valid inventory of the devices; with ``intent``, their full intended config."""
    inventory = folder / "devices"
    (inventory / "host_vars").mkdir(parents=True, exist_ok=True)
    groups: dict[str, Any] = {"ios": {"hosts": {s.name: {} for s in specs}}}
    tree = {
        "all": {
            "children": {
                "network": {"children": groups},
                "customer_bench": {"hosts": {s.name: {} for s in specs}},
            }
        }
    }
    (inventory / "hosts.yml").write_text(yaml.safe_dump(tree), encoding="utf-8")
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
            "asset_id": spec.name.upper(),
            "asset_kind": "switch",
            "asset_customer": "bench",
            "asset_os": "cisco_ios",
            "asset_mgmt_address": "127.0.0.1",
        }
        if intent:
            data.update(lab_net_vars(spec))
        (inventory / "host_vars" / f"{spec.name}.yml").write_text(
            yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
        )
    return inventory


def device_inventory(folder: Path, specs: list[DeviceSpec], lab_inventory: Path) -> tuple[Path, str]:
    """The devices' inventory with their full intended configuration when the register accepts
    the ``net_*`` variables, else with the lab's default intent (the hostname)."""
    full = write_device_inventory(folder / "full", specs, intent=True)
    problems = check_register([lab_inventory, full])
    if not problems:
        return full, "full intended configuration (every feature)"
    rules = sorted({p.rule for p in problems})
    plain = write_device_inventory(folder / "plain", specs, intent=False)
    left = check_register([lab_inventory, plain])
    if left:
        raise SystemExit(
            "device inventory rejected by the register:\n" + "\n".join(p.render() for p in left[:20])
        )
    return plain, f"hostname only (the register refused the net_* intent: {', '.join(rules)})"


def ansible_playbook() -> str:
    return str(Path(sys.executable).parent / "ansible-playbook")


def close_masters(control_dir: Path) -> None:
    for socket in control_dir.glob("*"):
        subprocess.run(
            ["ssh", "-O", "exit", "-o", f"ControlPath={socket}", "bench"],
            capture_output=True,
            check=False,
            timeout=30,
        )


def run_opsbook(paths: ProjectPaths, inventories: list[Path]) -> tuple[float, str]:
    control_dir = Path(tempfile.mkdtemp(prefix="opsbook-bench-cp-"))
    previous = os.environ.get("ANSIBLE_SSH_CONTROL_PATH_DIR")
    os.environ["ANSIBLE_SSH_CONTROL_PATH_DIR"] = str(control_dir)
    try:
        start = time.perf_counter()
        audit = Auditor(paths).run(AuditRequest(inventory=[str(i) for i in inventories], progress=False))
        elapsed = time.perf_counter() - start
    finally:
        if previous is None:
            os.environ.pop("ANSIBLE_SSH_CONTROL_PATH_DIR", None)
        else:
            os.environ["ANSIBLE_SSH_CONTROL_PATH_DIR"] = previous
        close_masters(control_dir)
        shutil.rmtree(control_dir, ignore_errors=True)
    counts = ", ".join(f"{n} {s}" for s, n in audit.counts().items() if n)
    return elapsed, f"{counts} (audit {audit.id})"


def _stock_process(cmd: list[str], env: Mapping[str, str], cwd: Path, out: dict[str, Any]) -> None:
    proc = subprocess.run(cmd, env=dict(env), cwd=cwd, capture_output=True, text=True, check=False)
    out["rc"] = proc.returncode
    out["recap"] = [line for line in proc.stdout.splitlines() if " : ok=" in line]
    out["tail"] = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])


def run_stock(
    paths: ProjectPaths, handle: LabHandle, hosts: list[str], devices: Path, cfg: Path
) -> tuple[float, str]:
    env = {**handle.ansible_env(), "ANSIBLE_CONFIG": str(cfg), "ANSIBLE_NOCOLOR": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    commands = {
        "hosts": [
            ansible_playbook(),
            "--check",
            "--diff",
            str(paths.playbooks / "audit.yml"),
            "-i",
            str(handle.inventory),
            "-l",
            ",".join(hosts),
        ],
        "devices": [
            ansible_playbook(),
            "--check",
            "--diff",
            str(paths.playbooks / "network" / "compliance.yml"),
            "-i",
            str(devices),
        ],
    }
    results: dict[str, dict[str, Any]] = {k: {} for k in commands}
    threads = [
        threading.Thread(target=_stock_process, args=(cmd, env, cfg.parent, results[k]))
        for k, cmd in commands.items()
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    parts = []
    for name, res in results.items():
        changed = sum(1 for line in res["recap"] if "changed=0" not in line)
        failed = sum(1 for line in res["recap"] if "failed=0" not in line or "unreachable=0" not in line)
        parts.append(
            f"{name}: {len(res['recap'])} in recap, {changed} changed, {failed} failed (rc {res['rc']})"
        )
        if res["rc"] not in (0, 2):
            print(f"stock {name} run failed:\n{res['tail']}", file=sys.stderr)
    return elapsed, "; ".join(parts)


def render(variants: list[Variant], hosts: int, devices: int, repeat: int, intent: str) -> str:
    opsbook, stock = variants
    ratio = stock.median / opsbook.median
    width = max(len(v.description) for v in variants)
    lines = [
        f"Config-drift audit of {hosts} lab hosts and {devices} devices, {repeat} repetition(s) each "
        "(same invocation, alternating)",
        f"device intent: {intent}",
        "",
        f"| {'variant'.ljust(width)} | median s | min s | max s |",
        f"| {'-' * width} | -------: | ----: | ----: |",
    ]
    for v in variants:
        lines.append(
            f"| {v.description.ljust(width)} | {v.median:8.2f} | {min(v.times):5.2f} | {max(v.times):5.2f} |"
        )
    verdict = "met" if ratio >= 3 else "NOT met"
    lines += ["", f"ratio stock / opsbook (medians): {ratio:.1f}x  (target >= 3x: {verdict})"]
    lines += [f"{v.name}, last run: {v.outcome}" for v in variants]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=20, help="lab hosts (default 20)")
    parser.add_argument("--devices", type=int, default=50, help="simulated IOS devices (default 50)")
    parser.add_argument("--repeat", type=int, default=1, help="repetitions of each variant (default 1)")
    parser.add_argument("--lab", default=os.environ.get("OPSBOOK_BENCH_LAB", "audit-bench"), help="lab name")
    parser.add_argument("--ssh-port-base", type=int, default=4601, help="first SSH port of the lab hosts")
    parser.add_argument("--device-port-base", type=int, default=DEVICE_PORT_BASE, help="first device port")
    parser.add_argument("--no-converge", action="store_true", help="do not run site.yml before timing")
    parser.add_argument("--keep", action="store_true", help="leave the lab running afterwards")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON too")
    args = parser.parse_args(argv)
    if args.hosts < 1 or args.devices < 1 or args.repeat < 1:
        parser.error("--hosts, --devices and --repeat must be at least 1")

    paths = project_paths()
    already_up = status(args.lab, paths=paths) is not None
    print(f"lab {args.lab}: {'reusing' if already_up else 'starting'} {args.hosts} hosts …", file=sys.stderr)
    result = up(args.lab, hosts=args.hosts, devices=0, ssh_port_base=args.ssh_port_base, paths=paths)
    handle = LabHandle.from_state(paths, result.state)
    variants = [
        Variant("opsbook", "opsbook audit: forks 25, pipelining, ControlPersist, devices over netmiko"),
        Variant("stock", "stock: forks 5, no pipelining/ControlPersist, devices over network_cli"),
    ]
    tmp = Path(tempfile.mkdtemp(prefix="opsbook-audit-bench-"))
    specs = device_specs(args.devices, args.device_port_base)
    devices_started = False
    try:
        devices_inventory, intent = device_inventory(tmp, specs, handle.inventory)
        start_devices(specs, tmp / "devices-state")
        devices_started = True
        if not args.no_converge:
            print("converging the hosts with site.yml …", file=sys.stderr)
            converged = run_playbook(
                "site.yml",
                inventory=[handle.inventory],
                limit=",".join(handle.hosts),
                progress=False,
                paths=paths,
            )
            if not converged.ok:
                raise SystemExit(f"site.yml failed: run {converged.run_id} ({converged.artifact_dir})")
        cfg = tmp / "stock" / "ansible.cfg"
        cfg.parent.mkdir()
        cfg.write_text(STOCK_CFG.format(root=paths.root), encoding="utf-8")
        inventories = [handle.inventory, devices_inventory]
        for i in range(args.repeat):
            seconds, variants[0].outcome = run_opsbook(paths, inventories)
            variants[0].times.append(seconds)
            seconds, variants[1].outcome = run_stock(paths, handle, handle.hosts, devices_inventory, cfg)
            variants[1].times.append(seconds)
            print(
                f"  repetition {i + 1}/{args.repeat}: opsbook {variants[0].times[-1]:.1f} s, "
                f"stock {variants[1].times[-1]:.1f} s",
                file=sys.stderr,
            )
    finally:
        if devices_started:
            stop_devices(tmp / "devices-state")
        shutil.rmtree(tmp, ignore_errors=True)
        if not already_up and not args.keep:
            down(args.lab, paths=paths)
    print(render(variants, args.hosts, args.devices, args.repeat, intent))
    if args.json:
        print(json.dumps({v.name: {"times": v.times, "median": v.median} for v in variants}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
