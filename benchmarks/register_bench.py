"""Benchmark: ``opsbook inventory check`` + ``report`` on a generated register of 10,000 assets.

Generates a YAML inventory (hosts.yml with customer/site/env/function groups, group_vars and one
host_vars file per asset) in a temporary folder, then times, in one process, the check (load,
merge, validate) and the report (statistics + JSON/CSV rendering) and prints the figures.
The issue's target: check + report ≤ 3 s on the project machine.

    .venv/bin/python benchmarks/register_bench.py [--assets 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from opsbook.register.check import check
from opsbook.register.render import write_report
from opsbook.register.report import build_report
from opsbook.register.schema import ASSET_KINDS

KINDS = ASSET_KINDS
OS = [
    ("debian", "12.7"),
    ("debian", "10.13"),
    ("ubuntu", "22.04"),
    ("rhel", "8.10"),
    ("centos", "7.9.2009"),
    ("cisco_ios", "15.2(7)E8"),
    ("cisco_iosxe", "17.9.5"),
    ("huawei_vrp", "V200R021C10SPC100"),
]
LINUX = ("server", "vm", "database", "middleware")
WINDOW = (
    "asset_maintenance_window:\n  days: [sun]\n  start: '02:00'\n  end: '05:00'\n  timezone: Europe/Berlin\n"
)
VENDORS = ["Dell", "HPE", "Cisco", "Huawei", "NetApp", "Fortinet", "VMware"]


def generate(root: Path, assets: int, seed: int = 7) -> Path:
    """Write a register of ``assets`` hosts under ``root``; returns the inventory folder."""
    rng = random.Random(seed)
    inv = root / "inventory"
    (inv / "host_vars").mkdir(parents=True)
    (inv / "group_vars").mkdir()
    customers = [f"cust{c:02d}" for c in range(20)]
    sites = {c: [f"{c}_s{s}" for s in range(3)] for c in customers}
    members: dict[str, list[str]] = {}
    base = dt.date(2020, 1, 1)
    for i in range(assets):
        customer = customers[i % len(customers)]
        site = sites[customer][i % 3]
        kind = KINDS[i % len(KINDS)]
        name = f"{customer}-{kind[:3]}{i:05d}"
        os_name, os_version = OS[i % len(OS)]
        purchase = base + dt.timedelta(days=rng.randrange(0, 2000))
        lines = [
            "---",
            f"asset_id: A-{i:06d}",
            f"asset_kind: {kind}",
            f"asset_vendor: {VENDORS[i % len(VENDORS)]}",
            f"asset_model: Model {i % 37}",
            f'asset_serial: "SN{i:08d}"',
            f'asset_rack: "R{i % 40:02d}"',
            f"asset_unit: {1 + i % 42}",
            f"asset_purchase_date: {purchase}",
            f"asset_warranty_end: {purchase + dt.timedelta(days=1825)}",
            f"asset_support_end: {purchase + dt.timedelta(days=2190)}",
            f"asset_os: {os_name}",
            f'asset_os_version: "{os_version}"',
            f"asset_mgmt_address: 10.{i // 65536}.{i // 256 % 256}.{i % 256}",
            "asset_tags: [generated, bench]",
        ]
        (inv / "host_vars" / f"{name}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        members.setdefault(f"customer_{customer}/site_{site}", []).append(name)
        members.setdefault(f"env_{'production' if i % 3 else 'staging'}", []).append(name)
        members.setdefault(
            "linux" if kind in ("server", "vm", "database", "middleware") else "network", []
        ).append(name)
    out = ["---", "all:", "  children:"]
    for customer in customers:
        out += [f"    customer_{customer}:", "      children:"]
        for site in sites[customer]:
            out += [f"        site_{site}:", "          hosts:"]
            out += [f"            {h}:" for h in members.get(f"customer_{customer}/site_{site}", [])]
        (inv / "group_vars" / f"customer_{customer}.yml").write_text(
            f"---\nasset_customer: {customer}\nasset_owner: Owner of {customer}\n{WINDOW}",
            encoding="utf-8",
        )
        for site in sites[customer]:
            (inv / "group_vars" / f"site_{site}.yml").write_text(
                f"---\nasset_site: {site}\n", encoding="utf-8"
            )
    for group in ("env_production", "env_staging", "linux", "network"):
        out += [f"    {group}:", "      hosts:"] + [f"        {h}:" for h in members.get(group, [])]
    (inv / "group_vars" / "env_production.yml").write_text(
        "---\nasset_environment: production\nasset_service_tier: '24x7'\n", encoding="utf-8"
    )
    (inv / "hosts.yml").write_text("\n".join(out) + "\n", encoding="utf-8")
    return inv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    parser.add_argument("--budget", type=float, default=3.0, help="seconds allowed for check + report")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="opsbook-register-bench-") as tmp:
        t0 = time.perf_counter()
        inv = generate(Path(tmp), args.assets)
        print(f"generated {args.assets} assets in {time.perf_counter() - t0:.2f} s ({inv})")
        best = None
        for _ in range(args.repeat):
            t1, c1 = time.perf_counter(), time.process_time()
            result = check([inv], roles_dirs=[])
            t2, c2 = time.perf_counter(), time.process_time()
            report = build_report(result, today=dt.date(2026, 11, 27), days=90)
            write_report(report, ["json", "csv"], Path(tmp) / "out")
            t3, c3 = time.perf_counter(), time.process_time()
            run = (t2 - t1, t3 - t2, t3 - t1, c2 - c1, c3 - c2, c3 - c1)
            if best is None or run[2] < best[2]:
                best = run
            assert not result.problems, result.problems[:3]
            assert report.total == args.assets
        assert best is not None
        load = os.getloadavg()[0]
        print(f"check:  {best[0]:.2f} s wall, {best[3]:.2f} s CPU  ({len(result.register.hosts)} hosts)")
        print(f"report: {best[1]:.2f} s wall, {best[4]:.2f} s CPU  (statistics + JSON + CSV)")
        print(
            f"check + report: {best[2]:.2f} s wall, {best[5]:.2f} s CPU  (budget {args.budget:.1f} s, "
            f"best of {args.repeat}; load average {load:.1f} on {os.cpu_count()} CPUs)"
        )
        if best[2] > args.budget and best[5] <= args.budget:
            print("over budget in wall time only: other processes held the CPUs; re-run on a quiet machine")
        return 0 if best[2] <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
