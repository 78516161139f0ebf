"""Benchmark: periodic inspection of N lab hosts, host_health bundle vs one task per check.

Two ways to collect the same checks from the same hosts, in one invocation, alternating, each
repeated ``--repeat`` times; the table shows medians and the ratio (the issue's target: at least 5x).

- **opsbook**: ``playbooks/health.yml`` (one host_health call per host, facts not gathered) under
  the project's ansible.cfg (forks 25, pipelining, ControlPersist). Every repetition starts
  with cold SSH connections (a fresh ControlPath folder), as a scheduled inspection would.
- **stock**: ``benchmarks/stock_health.yml`` (one task per check, 10 tasks, facts gathered)
  under stock settings: forks 5, no pipelining, no ControlPersist, gathering implicit.

The lab (default name ``health-bench``, SSH ports 2501+) is brought up if needed and, when this
script started it, taken down at the end (``--keep`` keeps it).

    .venv/bin/python benchmarks/health_bench.py [--hosts 10] [--repeat 3] [--keep] [--json]
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
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from opsbook.lab import down, status, up
from opsbook.lab.handle import LabHandle
from opsbook.paths import ProjectPaths, project_paths

STOCK_CFG = """\
# Stock Ansible settings for the comparison: what a fresh project gets, minus host-key prompts.
[defaults]
forks = 5
gathering = implicit
host_key_checking = False
retry_files_enabled = False
interpreter_python = auto_silent

[ssh_connection]
pipelining = False
# no ControlMaster / ControlPersist: every task opens its own SSH connections
ssh_args = -o ControlMaster=no -o ControlPersist=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
"""


@dataclass
class Variant:
    name: str
    description: str
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def ansible_playbook() -> str:
    return str(Path(sys.executable).parent / "ansible-playbook")


def close_masters(control_dir: Path, env: Mapping[str, str]) -> None:
    """Stop the ControlPersist masters of one run so that nothing is left running."""
    for socket in control_dir.glob("*"):
        subprocess.run(
            ["ssh", "-O", "exit", "-o", f"ControlPath={socket}", "bench"],
            env=dict(env),
            capture_output=True,
            check=False,
            timeout=30,
        )


def timed_run(cmd: list[str], env: Mapping[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=dict(env), cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise SystemExit(f"{' '.join(cmd)} failed (rc {proc.returncode}):\n{tail}")
    return elapsed


def run_opsbook(handle: LabHandle, paths: ProjectPaths) -> float:
    env = handle.ansible_env()
    env["ANSIBLE_CONFIG"] = str(paths.ansible_cfg)
    control_dir = Path(tempfile.mkdtemp(prefix="opsbook-bench-cp-"))
    env["ANSIBLE_SSH_CONTROL_PATH_DIR"] = str(control_dir)
    try:
        cmd = [
            ansible_playbook(),
            str(paths.playbooks / "health.yml"),
            "-i",
            str(handle.inventory),
            "-l",
            "linux",
        ]
        return timed_run(cmd, env, paths.root)
    finally:
        close_masters(control_dir, env)
        shutil.rmtree(control_dir, ignore_errors=True)


def run_stock(handle: LabHandle, paths: ProjectPaths, cfg: Path) -> float:
    env = handle.ansible_env()
    env["ANSIBLE_CONFIG"] = str(cfg)
    cmd = [
        ansible_playbook(),
        str(paths.root / "benchmarks" / "stock_health.yml"),
        "-i",
        str(handle.inventory),
    ]
    return timed_run(cmd, env, cfg.parent)


def render(variants: list[Variant], hosts: int, repeat: int) -> str:
    opsbook, stock = variants
    ratio = stock.median / opsbook.median
    width = max(len(v.description) for v in variants)
    lines = [
        f"Periodic inspection of {hosts} lab hosts, {repeat} repetitions each (same invocation, alternating)",
        "",
        f"| {'variant'.ljust(width)} | median s | min s | max s |",
        f"| {'-' * width} | -------: | ----: | ----: |",
    ]
    for v in variants:
        lines.append(
            f"| {v.description.ljust(width)} | {v.median:8.2f} | {min(v.times):5.2f} | {max(v.times):5.2f} |"
        )
    verdict = "met" if ratio >= 5 else "NOT met"
    lines += ["", f"ratio stock / opsbook (medians): {ratio:.1f}x  (target >= 5x: {verdict})"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=10, help="lab hosts to inspect (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each variant (default 3)")
    parser.add_argument("--lab", default=os.environ.get("OPSBOOK_BENCH_LAB", "health-bench"), help="lab name")
    parser.add_argument("--ssh-port-base", type=int, default=2501, help="first SSH port of the lab")
    parser.add_argument("--keep", action="store_true", help="leave the lab running afterwards")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON too")
    args = parser.parse_args(argv)
    if args.hosts < 1 or args.repeat < 1:
        parser.error("--hosts and --repeat must be at least 1")

    paths = project_paths()
    already_up = status(args.lab, paths=paths) is not None
    print(f"lab {args.lab}: {'reusing' if already_up else 'starting'} {args.hosts} hosts …", file=sys.stderr)
    result = up(args.lab, hosts=args.hosts, devices=0, ssh_port_base=args.ssh_port_base, paths=paths)
    handle = LabHandle.from_state(paths, result.state)
    variants = [
        Variant("opsbook", "opsbook: host_health, 1 task/host, opsbook ansible.cfg"),
        Variant("stock", "stock: 10 tasks/host + facts, forks 5, no pipelining/ControlPersist"),
    ]
    try:
        with tempfile.TemporaryDirectory(prefix="opsbook-bench-stock-") as tmp:
            cfg = Path(tmp) / "ansible.cfg"
            cfg.write_text(STOCK_CFG)
            for i in range(args.repeat):
                variants[0].times.append(run_opsbook(handle, paths))
                variants[1].times.append(run_stock(handle, paths, cfg))
                print(
                    f"  repetition {i + 1}/{args.repeat}: opsbook {variants[0].times[-1]:.2f} s, "
                    f"stock {variants[1].times[-1]:.2f} s",
                    file=sys.stderr,
                )
    finally:
        if not already_up and not args.keep:
            down(args.lab, paths=paths)
    print(render(variants, args.hosts, args.repeat))
    if args.json:
        print(json.dumps({v.name: {"times": v.times, "median": v.median} for v in variants}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
