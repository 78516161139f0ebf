"""Two customers, one device name: their backups, histories and reports never mix (issue 12.1).

A scratch project (the repository's Ansible content linked in) declares two customers,
``inventory/acme/`` and ``inventory/northwind/``; each register has a device called
``core-sw01`` — acme's is the lab's IOS switch, northwind's the lab's VRP router, two real
simulated devices on different ports. Every command runs as a user would type it, choosing the
customer with ``--customer``, ``$OPSBOOK_CUSTOMER`` or ``opsbook use``, never with ``-i``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from opsbook.lab.handle import LabDevice, LabHandle
from opsbook.paths import project_paths
from opsbook.schedules.model import BUSY_EXIT

OPSBOOK = str(Path(sys.executable).parent / "opsbook")
LINKED = ("ansible.cfg", "playbooks", "roles", "library", "module_utils", "filter_plugins", "runbooks", "lab")
DEVICE = "core-sw01"


def _register(lab: LabHandle, device: LabDevice, folder: Path) -> None:
    """A customer register holding the lab device ``device`` under the name core-sw01."""
    group = "ios" if device.platform == "cisco_ios" else "vrp"
    hosts = {
        "all": {
            "children": {
                "network": {
                    "children": {
                        group: {"hosts": {DEVICE: {"ansible_host": "127.0.0.1", "ansible_port": device.port}}}
                    }
                },
                "customer_lab": {"hosts": {DEVICE: {}}},
                "site_lab": {"hosts": {DEVICE: {}}},
                "env_lab": {"hosts": {DEVICE: {}}},
            }
        }
    }
    (folder / "host_vars").mkdir(parents=True)
    (folder / "hosts.yml").write_text("---\n" + yaml.safe_dump(hosts, sort_keys=False))
    # the lab's own file, as written (quoted times), with an asset id of this customer
    text = (lab.inventory / "host_vars" / f"{device.name}.yml").read_text()
    asset_id = next(line for line in text.splitlines() if line.startswith("asset_id:"))
    text = text.replace(asset_id, f"asset_id: {folder.name.upper()}-CORE-SW01")
    (folder / "host_vars" / f"{DEVICE}.yml").write_text(text)


@pytest.fixture
def two_customers(lab: LabHandle, tmp_path: Path) -> Path:
    ios, vrp = lab.devices_of("cisco_ios"), lab.devices_of("huawei_vrp")
    if not ios or not vrp:
        pytest.fail("this test needs the lab's IOS switch and VRP router (OPSBOOK_TEST_LAB_DEVICES >= 2)")
    root = project_paths().root
    project = tmp_path / "project"
    project.mkdir()
    for name in LINKED:
        (project / name).symlink_to(root / name)
    _register(lab, ios[0], project / "inventory" / "acme")
    (project / "inventory" / "acme" / ".customer.yml").write_text("display_name: ACME Logistics\n")
    _register(lab, vrp[0], project / "inventory" / "northwind")
    (project / "inventory" / "lab").mkdir()
    return project


def _opsbook(
    project: Path, lab: LabHandle, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in lab.ansible_env().items() if k not in ("OPSBOOK_CUSTOMER", "OPSBOOK_LAB")}
    environment.pop("ANSIBLE_INVENTORY", None)
    environment |= {"OPSBOOK_PROJECT": str(project), "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [OPSBOOK, *args],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _git_log(store: Path) -> list[str]:
    """The backup commits of a store (not its creation)."""
    out = subprocess.run(
        ["git", "-C", str(store), "log", "--format=%s"], capture_output=True, text=True, check=True
    )
    return [line for line in out.stdout.splitlines() if line.startswith("backup:")]


def test_two_customers_with_the_same_device_name_never_mix(two_customers: Path, lab: LabHandle) -> None:
    project = two_customers
    acme_state = project / ".opsbook" / "customers" / "acme"
    northwind_state = project / ".opsbook" / "customers" / "northwind"

    # network backups: one store per customer, each with its own core-sw01
    first = _opsbook(project, lab, "--customer", "acme", "net", "backup")
    assert first.returncode == 0, first.stdout + first.stderr
    second = _opsbook(project, lab, "net", "backup", env={"OPSBOOK_CUSTOMER": "northwind"})
    assert second.returncode == 0, second.stdout + second.stderr
    acme_cfg = (acme_state / "netbackup" / f"{DEVICE}.cfg").read_text()
    northwind_cfg = (northwind_state / "netbackup" / f"{DEVICE}.cfg").read_text()
    assert f"hostname {lab.devices_of('cisco_ios')[0].name}" in acme_cfg  # IOS: the acme device
    assert "sysname" in northwind_cfg and "hostname " not in northwind_cfg  # VRP: northwind's
    assert len(_git_log(acme_state / "netbackup")) == 1 and len(_git_log(northwind_state / "netbackup")) == 1
    assert not (project / ".opsbook" / "netbackup").exists(), "no global store"

    # backup histories: each customer sees its own one backup of core-sw01
    listing = _opsbook(project, lab, "-C", "acme", "net", "backups", DEVICE)
    assert listing.returncode == 0, listing.stderr
    acme_commit = subprocess.run(
        ["git", "-C", str(acme_state / "netbackup"), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert acme_commit[:7] in listing.stdout

    # reports: the inspection of each customer lands in its own reports/, naming its own device
    use = _opsbook(project, lab, "use", "northwind")
    assert use.returncode == 0, use.stderr
    health = _opsbook(project, lab, "health", "--format", "json")
    assert health.returncode in (0, 2), health.stdout + health.stderr  # 2: a WARN/CRIT finding
    (report_file,) = (northwind_state / "reports").glob("health-*.json")
    report = json.loads(report_file.read_text())
    assert [h["name"] for h in report["hosts"]] == [DEVICE]
    assert report == json.loads(health.stdout)
    assert not (acme_state / "reports").exists(), "acme ran no inspection"
    assert list((northwind_state / "runs").iterdir()), "the run folder is northwind's"
    assert not (acme_state / "runs").exists()

    # audits: acme's compliance audit is kept with acme, and names acme's device
    audit = _opsbook(project, lab, "-C", "acme", "audit", "--scope", "network", "--format", "json")
    assert audit.returncode in (0, 2), audit.stdout + audit.stderr  # 2: drift found
    assert [h["host"] for h in json.loads(audit.stdout)["hosts"]] == [DEVICE]
    assert list((acme_state / "audits").glob("*/audit.json")), "kept in acme's audits/"
    assert not (northwind_state / "audits").exists()

    # run history (hash-chained records): a runbook plan recorded for acme only
    plan = _opsbook(
        project, lab, "--customer", "acme", "runbook", "run", "network-interface-down",
        "--limit", DEVICE, "-p", "interface=GigabitEthernet1/0/2", "--check",
    )  # fmt: skip
    assert plan.returncode == 0, plan.stdout + plan.stderr
    acme_history = _opsbook(project, lab, "-C", "acme", "history", "list", "--json")
    northwind_history = _opsbook(project, lab, "history", "list", "--json")  # the remembered northwind
    assert acme_history.returncode == 0 and northwind_history.returncode == 0, acme_history.stderr
    assert len(json.loads(acme_history.stdout)) == 1
    assert json.loads(northwind_history.stdout) == []


def test_an_empty_register_is_refused_by_every_job(two_customers: Path, lab: LabHandle) -> None:
    """The default context (inventory/lab of the scratch project) holds nothing: no job says OK."""
    for args in (["inventory", "check"], ["health"], ["net", "backup"], ["audit"]):
        done = _opsbook(two_customers, lab, *args)
        assert done.returncode != 0, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr


def test_opsbook_lab_points_every_command_at_that_lab(two_customers: Path, lab: LabHandle) -> None:
    """OPSBOOK_LAB names a lab for every command (before: only `opsbook lab`; others: 0 hosts, OK)."""
    shown = _opsbook(two_customers, lab, "use", "--show", "--json", env={"OPSBOOK_LAB": "nu"})
    assert json.loads(shown.stdout)["name"] == "nu"
    check = _opsbook(two_customers, lab, "inventory", "check", env={"OPSBOOK_LAB": "nu"})
    assert check.returncode != 0 and "register OK" not in check.stderr
    assert os.path.join(".opsbook", "lab", "nu", "inventory") in check.stderr


def test_a_scheduled_backup_runs_in_its_customer_context_and_never_overlaps(
    two_customers: Path, lab: LabHandle, tmp_path: Path
) -> None:
    """The cron line `schedule install` writes, run as cron would run it (sh -c), on the real devices."""
    cron = tmp_path / "cron"
    cron.mkdir()
    installed = _opsbook(
        two_customers, lab, "-C", "northwind", "schedule", "install", "net-backup", "--daily", "02:00",
        "--backend", "cron", "--cron-dir", str(cron),
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    line = (cron / "opsbook-northwind-net-backup").read_text().splitlines()[3]
    command = line.split(" root ", 1)[1]  # after "M H dom mon dow user"
    state = two_customers / ".opsbook" / "customers" / "northwind"
    env = {k: v for k, v in lab.ansible_env().items() if k not in ("OPSBOOK_CUSTOMER", "OPSBOOK_LAB")}

    done = subprocess.run(["sh", "-c", command], env=env, timeout=300, check=False)
    assert done.returncode == 0, (state / "schedules" / "northwind-net-backup.log").read_text()
    assert (state / "netbackup" / f"{DEVICE}.cfg").is_file()
    assert not (two_customers / ".opsbook" / "customers" / "acme").exists(), "acme untouched"

    lock = state / "schedules" / "net-backup.lock"
    # the previous run, still going (its own session: killing it frees the lock its child holds)
    holder = subprocess.Popen(["flock", str(lock), "sleep", "60"], start_new_session=True)
    try:
        for _ in range(100):  # until the holder has the lock
            if subprocess.run(["flock", "-n", str(lock), "true"], check=False).returncode != 0:
                break
            time.sleep(0.1)
        overlapping = subprocess.run(["sh", "-c", command], env=env, timeout=60, check=False)
        assert overlapping.returncode == BUSY_EXIT, "flock refused the overlapping run"
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
