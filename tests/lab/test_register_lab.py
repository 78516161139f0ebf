"""reconcile against the real lab: fill the register from live facts, then change one host's
declared memory and one device's declared serial — reconcile must find exactly those two."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from opsbook.lab.handle import LabHandle
from opsbook.register.writeback import update_yaml_text

pytestmark = pytest.mark.lab

OPSBOOK = Path(sys.executable).parent / "opsbook"


def _reconcile(lab: LabHandle, inventory: Path, *args: str) -> tuple[int, dict[str, Any]]:
    proc = subprocess.run(
        [str(OPSBOOK), "inventory", "reconcile", "-i", str(inventory), "-o", "json", *args],
        cwd=lab.root,
        env={**lab.env, "OPSBOOK_PROJECT": str(lab.root)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.stdout.strip(), proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return proc.returncode, data


def _set(path: Path, field: str, value: Any) -> None:
    path.write_text(update_yaml_text(path.read_text(), {field: value}), encoding="utf-8")


def test_reconcile_finds_exactly_the_changed_memory_and_serial(lab: LabHandle, tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(lab.inventory, inventory)  # the lab's own files stay as generated
    host, device = lab.hosts[0], lab.devices[0].name

    # 1. a fresh lab register lacks the hardware fields: --write fills them, nothing conflicts
    code, first = _reconcile(lab, inventory, "--write")
    assert first["errors"] == {}, first["errors"]
    assert [d for d in first["discrepancies"] if d["kind"] == "conflict"] == []
    assert code == 0, first["remaining"]
    filled = {(d["host"], d["field"]) for d in first["discrepancies"]}
    assert (host, "asset_memory_mb") in filled
    assert (host, "asset_cpu_count") in filled
    code, clean = _reconcile(lab, inventory)
    assert (code, clean["discrepancies"]) == (0, [])

    # 2. change what the register declares for one host and one device
    host_file = inventory / "host_vars" / f"{host}.yml"
    memory = next(
        d["discovered"]
        for d in first["discrepancies"]
        if (d["host"], d["field"]) == (host, "asset_memory_mb")
    )
    _set(host_file, "asset_memory_mb", memory // 2)
    device_file = inventory / "host_vars" / f"{device}.yml"
    declared_serial = "REPLACED-0001"
    _set(device_file, "asset_serial", declared_serial)

    code, found = _reconcile(lab, inventory)
    assert code == 1
    got = {(d["host"], d["field"], d["declared"], d["kind"]) for d in found["discrepancies"]}
    assert got == {
        (host, "asset_memory_mb", memory // 2, "conflict"),
        (device, "asset_serial", declared_serial, "conflict"),
    }
    discovered_serial = next(d["discovered"] for d in found["discrepancies"] if d["host"] == device)
    assert discovered_serial == next(dev for dev in lab.state.devices if dev.name == device).serial
    where = {d["field"]: Path(d["path"]) for d in found["discrepancies"]}
    assert where == {"asset_memory_mb": host_file, "asset_serial": device_file}


def test_a_typo_on_one_host_does_not_block_a_health_inspection_of_the_others(
    lab: LabHandle, tmp_path: Path
) -> None:
    """Issue 12 item 5 on real containers: one host's bad register value skips only that host."""
    inventory = tmp_path / "inventory"
    shutil.copytree(lab.inventory, inventory)
    broken, others = lab.hosts[1], [h for h in lab.hosts if h != lab.hosts[1]]
    host_file = inventory / "host_vars" / f"{broken}.yml"
    host_file.write_text(host_file.read_text() + "asset_unit: high\n", encoding="utf-8")
    proc = subprocess.run(
        [str(OPSBOOK), "health", "-i", str(inventory), "--limit", "linux", "--format", "json"],
        cwd=lab.root,
        env={**lab.env, "OPSBOOK_PROJECT": str(lab.root)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode in (0, 2), proc.stderr
    report = json.loads(proc.stdout)
    assert sorted(h["name"] for h in report["hosts"]) == sorted(others)
    (line,) = report["skipped"]
    assert line.startswith(f"{broken} skipped: its register data has a problem")
    assert f"{broken}.yml:" in line and "asset_unit" in line
    assert all(h["status"] != "unreachable" for h in report["hosts"])
