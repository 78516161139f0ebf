"""reconcile: comparison, change planning and the round-trip write on a commented register."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from opsbook.cli.inventory import app
from opsbook.errors import UsageError
from opsbook.reconcile import discover as discover_module
from opsbook.reconcile.discover import Discovery, classify, discover, linux_facts, select_hosts
from opsbook.register.check import CheckResult, check
from opsbook.register.reconcile import Append, Discrepancy, compare, linux_fields, plan_changes, same_value
from opsbook.register.writeback import apply_changes, update_yaml_text
from opsbook.results import HostSummary, RunResult, TaskResult, TaskStatus

FIXTURE = Path(__file__).parent / "fixtures" / "registers" / "_reconcile"

DISCOVERED: dict[str, dict[str, Any]] = {
    "web01": {
        "asset_serial": "NEW-SN-0001",  # conflict: the mainboard was replaced
        "asset_memory_mb": 4096,  # conflict: 2048 declared
        "asset_cpu_count": 4,  # missing: to fill
        "asset_os": "debian",  # same
        "asset_os_version": "12.7",  # same: the register records the major version
        "asset_vendor": "VMware, Inc.",  # same as group_vars' "VMware"
    },
    "web02": {"asset_os_version": "12.7", "asset_memory_mb": 2010},  # conflict; missing
    "sw01": {"asset_serial": "FOC1234X0AB", "asset_os": "cisco_ios", "asset_model": "WS-C2960X-24TS-L"},
}


@pytest.fixture
def register(tmp_path: Path) -> Path:
    target = tmp_path / "inv"
    shutil.copytree(FIXTURE, target)
    return target


def _all_discrepancies(result: CheckResult) -> list[Discrepancy]:
    return [d for host in sorted(DISCOVERED) for d in compare(host, result.merged[host], DISCOVERED[host])]


def test_compare_lists_every_discrepancy_and_nothing_else(register: Path) -> None:
    result = check([register], roles_dirs=[])
    assert result.problems == []
    found = {(d.host, d.field, d.declared, d.discovered, d.kind) for d in _all_discrepancies(result)}
    assert found == {
        ("web01", "asset_serial", "OLD-SN-0001", "NEW-SN-0001", "conflict"),
        ("web01", "asset_memory_mb", 2048, 4096, "conflict"),
        ("web01", "asset_cpu_count", None, 4, "missing"),
        ("web02", "asset_os_version", "11", "12.7", "conflict"),
        ("web02", "asset_memory_mb", None, 2010, "missing"),
        ("sw01", "asset_serial", None, "FOC1234X0AB", "missing"),
        ("sw01", "asset_model", None, "WS-C2960X-24TS-L", "missing"),
    }
    serial = next(d for d in _all_discrepancies(result) if d.field == "asset_serial" and d.host == "web01")
    assert serial.path == register / "host_vars" / "web01.yml"
    assert serial.line == 6


def _diff(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]


def test_write_fills_missing_accepts_named_conflicts_and_changes_only_those_lines(register: Path) -> None:
    before = {p: p.read_text() for p in register.rglob("*.yml")}
    result = check([register], roles_dirs=[])
    changes, left = plan_changes(
        result.register,
        _all_discrepancies(result),
        accept=["serial"],
        today=dt.date(2026, 11, 27),
        ticket="INC-1",
    )
    written = apply_changes(changes)

    assert {(d.host, d.field) for d in left} == {("web01", "asset_memory_mb"), ("web02", "asset_os_version")}
    web01, web02, sw01 = (register / "host_vars" / f"{h}.yml" for h in ("web01", "web02", "sw01"))
    assert sorted(written) == sorted([web01, web02, sw01])
    assert _diff(before[web01], web01.read_text()) == [
        '-asset_serial: "OLD-SN-0001"',
        '+asset_serial: "NEW-SN-0001"',
        "+asset_parts_replaced:",
        "+  - date: '2026-11-27'",
        "+    part: unit with the asset serial (found by reconcile)",
        "+    old_serial: OLD-SN-0001",
        "+    new_serial: NEW-SN-0001",
        "+    ticket: INC-1",
        "+asset_cpu_count: 4",
    ]
    assert _diff(before[web02], web02.read_text()) == ["+asset_memory_mb: 2010"]
    assert sw01.read_text() == "---\nasset_model: WS-C2960X-24TS-L\nasset_serial: FOC1234X0AB\n"
    for path, text in before.items():
        if path not in written:
            assert path.read_text() == text, f"{path} must not change"
    # the register is still sound, and now agrees on everything but the two open conflicts
    again = check([register], roles_dirs=[])
    assert again.problems == []
    remaining = {(d.host, d.field) for d in _all_discrepancies(again)}
    assert remaining == {("web01", "asset_memory_mb"), ("web02", "asset_os_version")}


def test_update_keeps_block_sequences_comments_and_document_start() -> None:
    text = "---\n# header\nasset_tags:\n  - a\n  - b  # second\n\nasset_unit: 3\n# trailing comment\n"
    out = update_yaml_text(text, {"asset_unit": 4})
    assert _diff(text, out) == ["-asset_unit: 3", "+asset_unit: 4"]


def test_update_creates_a_mapping_in_an_empty_file() -> None:
    assert update_yaml_text("", {"asset_serial": "0123"}) == "asset_serial: '0123'\n"


@pytest.mark.parametrize(
    ("field", "declared", "discovered", "same"),
    [
        ("asset_memory_mb", 2048, 2010, True),
        ("asset_memory_mb", 2048, 4096, False),
        ("asset_cpu_count", 4, 4, True),
        ("asset_cpu_count", "4", 4, False),
        ("asset_os_version", "12", "12.7", True),
        ("asset_os_version", "12", "120.1", False),
        ("asset_os", "cisco_iosxe", "cisco_ios", True),
        ("asset_os", "debian", "ubuntu", False),
        ("asset_serial", "foc123", "FOC123", True),
        ("asset_vendor", "Dell", "Dell Inc.", True),
        ("asset_vendor", "HP", "HPE", False),
        ("asset_model", "PowerEdge R650", "PowerEdge R750", False),
    ],
)
def test_same_value(field: str, declared: Any, discovered: Any, same: bool) -> None:
    assert same_value(field, declared, discovered) is same


def test_linux_fields_on_bare_metal_and_in_a_container() -> None:
    facts = {
        "serial_file": "",
        "product_serial": "7XK2Q53",
        "system_vendor": "Dell Inc.",
        "product_name": "PowerEdge R750",
        "virtualization_type": "kvm",
        "virtualization_role": "host",
        "distribution": "Debian",
        "distribution_version": "12.7",
        "vcpus": "32",
        "memtotal_mb": "257652",
        "devices": {
            "sda": {"sectors": "1953525168", "sectorsize": "512", "removable": "0"},
            "sdb": {"sectors": "1953525168", "sectorsize": 512, "removable": "0"},
            "sr0": {"sectors": "2097151", "sectorsize": "2048", "removable": "1"},
            "loop0": {"sectors": "100", "sectorsize": "512", "removable": "0"},
        },
    }
    assert linux_fields(facts) == {
        "asset_serial": "7XK2Q53",
        "asset_vendor": "Dell Inc.",
        "asset_model": "PowerEdge R750",
        "asset_os": "debian",
        "asset_os_version": "12.7",
        "asset_cpu_count": 32,
        "asset_memory_mb": 257652,
        "asset_disk_count": 2,
        "asset_disk_total_gb": 2000,
    }
    container = facts | {"virtualization_type": "podman", "virtualization_role": "guest"}
    fields = linux_fields(container)
    assert "asset_serial" not in fields  # the physical machine's DMI serial is not the container's
    assert "asset_vendor" not in fields
    assert linux_fields(container | {"serial_file": "LAB0123"})["asset_serial"] == "LAB0123"
    assert "asset_serial" not in linux_fields(facts | {"product_serial": "To Be Filled By O.E.M."})


def _run(tasks: list[TaskResult], hosts: dict[str, HostSummary]) -> RunResult:
    return RunResult("r1", "reconcile_facts.yml", Path("/tmp/r1"), "successful", 0, tasks=tasks, hosts=hosts)


def test_linux_facts_reads_the_report_task_and_names_unreachable_hosts() -> None:
    msg = {"distribution": "Debian", "distribution_version": "12.7", "memtotal_mb": "1000"}
    run = _run(
        [
            TaskResult(
                "web01",
                "Report asset register facts",
                "ansible.builtin.debug",
                TaskStatus.OK,
                result={"msg": msg},
            ),
            TaskResult(
                "web02", "Gathering Facts", "setup", TaskStatus.UNREACHABLE, msg="ssh: connection refused"
            ),
        ],
        {"web01": HostSummary("web01", ok=3), "web02": HostSummary("web02", dark=1)},
    )
    facts, errors = linux_facts(run)
    assert facts == {"web01": msg}
    assert errors == {"web02": "unreachable: ssh: connection refused"}


def test_discover_runs_linux_hosts_through_the_runner_and_devices_through_netmiko(register: Path) -> None:
    result = check([register], roles_dirs=[])
    calls: list[dict[str, Any]] = []

    def fake_runner(playbook: Path, **kwargs: Any) -> RunResult:
        calls.append({"playbook": playbook, **kwargs})
        msg = {"distribution": "Debian", "distribution_version": "12.7", "vcpus": "2", "memtotal_mb": "2048"}
        return _run(
            [TaskResult("web01", "Report asset register facts", "debug", TaskStatus.OK, result={"msg": msg})],
            {"web01": HostSummary("web01", ok=3)},
        )

    class Facts:
        def register_fields(self) -> dict[str, str]:
            return {"asset_serial": "FOC1234X0AB"}

    class Outcome:
        def __init__(self, device: Any) -> None:
            self.device, self.value, self.error = device, Facts(), None

    seen: list[Any] = []

    def fake_devices(devices: Any) -> list[Outcome]:
        seen.extend(devices)
        return [Outcome(d) for d in devices]

    found = discover(
        result,
        [register],
        ["sw01", "web01", "web02"],
        runner=fake_runner,
        device_reader=fake_devices,
    )
    assert calls[0]["limit"] == "web01,web02"
    assert calls[0]["inventory"] == [register]
    assert calls[0]["playbook"].name == "reconcile_facts.yml"
    assert [(d.name, d.platform, d.port, d.username) for d in seen] == [("sw01", "cisco_ios", 2301, "admin")]
    assert found.fields["web01"]["asset_memory_mb"] == 2048
    assert found.fields["sw01"] == {"asset_serial": "FOC1234X0AB"}
    assert found.errors == {"web02": "not in the run's results"}


def test_classify_and_limit(register: Path) -> None:
    result = check([register], roles_dirs=[])
    assert classify(result, sorted(result.merged))[:2] == (["web01", "web02"], ["sw01"])
    assert select_hosts(result, "linux") == ["web01", "web02"]
    assert select_hosts(result, "web*,!web02") == ["web01"]
    assert select_hosts(result, "site_fra1:!linux") == ["sw01"]
    with pytest.raises(UsageError):
        select_hosts(result, "nothing-like-this")


def test_cli_reconcile_write_and_exit_codes(register: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_discover(result: CheckResult, sources: Any, hosts: Any, **_: Any) -> Discovery:
        return Discovery(fields={h: v for h, v in DISCOVERED.items() if h in hosts})

    monkeypatch.setattr(discover_module, "discover", fake_discover)
    runner = CliRunner()
    dry = runner.invoke(app, ["reconcile", "-i", str(register), "-o", "json"])
    assert dry.exit_code == 1
    data = json.loads(dry.stdout)
    assert len(data["discrepancies"]) == 7
    assert data["written"] == []
    assert (register / "host_vars" / "web01.yml").read_text() == (
        FIXTURE / "host_vars" / "web01.yml"
    ).read_text()

    wrote = runner.invoke(app, ["reconcile", "-i", str(register), "--write", "--accept", "asset_serial"])
    assert wrote.exit_code == 1, wrote.output  # two conflicts stay open
    assert "--accept asset_memory_mb --accept asset_os_version" in wrote.stdout
    done = runner.invoke(
        app, ["reconcile", "-i", str(register), "--write", "--accept", "memory_mb", "--accept", "os_version"]
    )
    assert done.exit_code == 0, done.output
    assert "asset_memory_mb: 4096" in (register / "host_vars" / "web01.yml").read_text()
    again = runner.invoke(app, ["reconcile", "-i", str(register)])
    assert again.exit_code == 0
    assert "register and reality agree" in again.stdout


def test_append_adds_a_part_record_below_the_existing_ones() -> None:
    text = (
        "---\nasset_serial: \"A1\"\nasset_parts_replaced:\n  - date: '2025-01-02'\n    part: PSU 2\n"
        "    new_serial: PSU-9\n# end\n"
    )
    record = {"date": "2026-11-27", "part": "mainboard", "new_serial": "B2"}
    out = update_yaml_text(text, {"asset_parts_replaced": Append(record)})
    assert _diff(text, out) == [
        "+  - date: '2026-11-27'",
        "+    part: mainboard",
        "+    new_serial: B2",
    ]
