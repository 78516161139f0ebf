"""The one inventory reader (issue 11 item 2) and read-only work past someone else's typo (issue 12
item 5): every job reads the register through opsbook.register.read_register / read_scope."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from opsbook.audit.run import Auditor, AuditRequest
from opsbook.health.inspect import inspect
from opsbook.health.model import HealthReport
from opsbook.network.inventory import inventory_json, load_devices
from opsbook.paths import ProjectPaths
from opsbook.register import RegisterError, partition_valid, read_register, read_scope
from opsbook.results import RunResult
from opsbook.runbooks.targets import resolve_targets

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "inventory" / "example"
CORPUS = Path(__file__).parent / "fixtures" / "registers"


@pytest.fixture
def inv(tmp_path: Path) -> Path:
    shutil.copytree(CORPUS / "valid", tmp_path / "inv")
    return tmp_path / "inv"


def _break_web02(inv: Path) -> None:
    path = inv / "host_vars" / "web02.yml"
    path.write_text(path.read_text() + "ansible_port: twenty-two\n")


def _cycle(inv: Path) -> None:
    path = inv / "hosts.yml"
    path.write_text(
        path.read_text() + "    group_a:\n      children:\n        group_b:\n"
        "    group_b:\n      children:\n        group_a:\n"
    )


def test_hostvars_are_those_ansible_inventory_gives() -> None:
    exe = Path(sys.executable).parent / "ansible-inventory"
    env = {**os.environ, "ANSIBLE_DEPRECATION_WARNINGS": "false"}
    out = subprocess.run(
        [str(exe), "-i", str(EXAMPLE), "--list"], capture_output=True, text=True, env=env, check=True
    )
    theirs = json.loads(out.stdout)
    ours = read_register([EXAMPLE]).inventory_data()
    assert json.loads(json.dumps(ours["_meta"]["hostvars"], default=str)) == theirs["_meta"]["hostvars"]
    for group, entry in theirs.items():
        if group != "_meta":
            assert set(entry.get("hosts", [])) == set(ours[group].get("hosts", [])), group
            assert set(entry.get("children", [])) == set(ours[group].get("children", [])), group


def test_patterns_are_resolved_by_ansibles_own_code() -> None:
    register = read_register([CORPUS / "_reconcile"], roles_dirs=[])
    assert register.select("all") == ["sw01", "web01", "web02"]
    assert register.select("linux", "web*:!web02") == ["web01"]
    assert register.select("site_fra1:!linux") == ["sw01"]
    assert register.select("customer_acme:&linux") == ["web01", "web02"]
    assert register.select("all", "nothing-like-this") == []


def test_a_bad_value_on_one_host_skips_only_that_host(inv: Path) -> None:
    _break_web02(inv)
    register = read_register([inv], roles_dirs=[])
    valid, skipped = partition_valid(register, register.select())
    assert valid == ["web01"]
    assert [p.rule for p in skipped["web02"]] == ["wrong-type"]


def test_a_bad_group_value_skips_every_host_that_inherits_it(inv: Path) -> None:
    path = inv / "group_vars" / "site_fra1.yml"
    path.write_text(path.read_text() + "ansible_port: 70000\n")
    register = read_register([inv], roles_dirs=[])
    with pytest.raises(RegisterError):  # nothing left: refused, every problem listed
        read_scope([inv], read_only=True)
    valid, skipped = partition_valid(register, register.select())
    assert valid == []
    assert set(skipped) == {"web01", "web02"}


def test_a_problem_of_the_whole_register_refuses_read_only_jobs_too(inv: Path) -> None:
    _cycle(inv)
    with pytest.raises(RegisterError) as caught:
        read_scope([inv], read_only=True)
    assert "group-cycle" in caught.value.message
    assert "hosts.yml:18:" in caught.value.message


def test_changing_jobs_refuse_an_invalid_target_but_not_another_hosts_typo(inv: Path) -> None:
    _break_web02(inv)
    with pytest.raises(RegisterError, match=r"web02\.yml:9:15: wrong-type"):
        read_scope([inv], limit="web02", read_only=False)
    assert read_scope([inv], limit="web01", read_only=False).targets == ["web01"]
    with pytest.raises(RegisterError):
        resolve_targets([inv], "all", None)
    assert [t.name for t in resolve_targets([inv], "all", "web01")] == ["web01"]


class _Runner:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, playbook: str, **kw: Any) -> RunResult:
        self.calls.append({"playbook": playbook, **kw})
        return RunResult.from_dict(
            json.loads((Path(__file__).parent / "fixtures" / "health" / "run-linux-lab.json").read_text())
        )


def test_a_bad_value_on_one_host_does_not_refuse_a_read_only_health_of_another(
    inv: Path, tmp_path: Path
) -> None:
    _break_web02(inv)
    runner = _Runner()
    report, _ = inspect(inventory=[inv], paths=ProjectPaths(tmp_path), runner=runner, prober=lambda d: [])
    (call,) = runner.calls
    assert call["limit"] == "web01"
    assert "inventory_check" not in call  # checked per target, before the run (not again by the runner)
    assert len(report.skipped) == 1
    assert report.skipped[0].startswith("web02 skipped: its register data has a problem: ")
    assert "web02.yml:9:15: wrong-type" in report.skipped[0]
    assert HealthReport.from_dict(report.to_dict()).skipped == report.skipped
    assert report.exit_code == 2  # a host that was not inspected is not "all OK"


def test_health_refuses_a_broken_register_before_any_run_or_run_folder(inv: Path, tmp_path: Path) -> None:
    _cycle(inv)
    runner = _Runner()
    with pytest.raises(RegisterError, match="group-cycle"):
        inspect(inventory=[inv], paths=ProjectPaths(tmp_path), runner=runner, prober=lambda d: [])
    assert runner.calls == []
    assert not (tmp_path / ".opsbook").exists()


def test_a_yaml_error_is_named_the_same_way_by_every_job(inv: Path, tmp_path: Path) -> None:
    """inventory check, health, audit, runbooks and net: the same file:line:column line (a broken
    inventory file concerns every host: read-only jobs are refused too)."""
    path = inv / "hosts.yml"
    path.write_text(path.read_text() + "    linux: [web01\n")
    expected = f"{path.name}:13:12: yaml-syntax"
    errors = []
    for job in (
        lambda: read_register([inv], roles_dirs=[]).ensure_sound(),
        lambda: inspect(inventory=[inv], paths=ProjectPaths(tmp_path), runner=_Runner(), prober=lambda d: []),
        lambda: Auditor(ProjectPaths(tmp_path), runner=_Runner()).run(AuditRequest(inventory=[str(inv)])),
        lambda: resolve_targets([inv], "all", None),
        lambda: load_devices([inv]),
        lambda: inventory_json([inv]),
    ):
        with pytest.raises(RegisterError) as caught:
            job()
        errors.append(caught.value.message)
    assert all(expected in message for message in errors), errors
    assert len(set(errors)) == 1
    assert not (tmp_path / ".opsbook").exists()


def test_a_yaml_error_in_one_hosts_file_skips_that_host_in_read_only_jobs(inv: Path, tmp_path: Path) -> None:
    path = inv / "host_vars" / "web01.yml"
    path.write_text(path.read_text() + "asset_tags: [a, b\n")
    runner = _Runner()
    report, _ = inspect(inventory=[inv], paths=ProjectPaths(tmp_path), runner=runner, prober=lambda d: [])
    assert runner.calls[0]["limit"] == "web02"
    assert "web01.yml:12:13: yaml-syntax" in report.skipped[0]


def test_an_audit_skips_and_lists_a_host_with_a_typo(inv: Path, tmp_path: Path) -> None:
    _break_web02(inv)
    hosts = inv / "hosts.yml"
    hosts.write_text(hosts.read_text() + "    linux:\n      hosts:\n        web01:\n        web02:\n")
    auditor = Auditor(ProjectPaths(tmp_path), runner=_Runner())
    data = auditor.load_inventory(AuditRequest(inventory=[str(inv)]))
    assert sorted(data["_meta"]["hostvars"]) == ["web01"]
    assert len(auditor.skipped) == 1
    assert auditor.skipped[0].startswith("web02 skipped")


def test_a_hostile_file_anywhere_refuses_read_only_jobs_too(inv: Path) -> None:
    """An alias bomb in one host's file is not a typo to skip: the whole register is refused."""
    text = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for i in range(1, 8):
        name, prev = chr(97 + i), chr(96 + i)
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    (inv / "host_vars" / "web02.yml").write_text(text)
    with pytest.raises(RegisterError, match="alias bomb"):
        read_scope([inv], limit="web01", read_only=True)


def test_net_reads_skip_a_device_with_a_typo_and_pushes_refuse_it(
    inv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from opsbook.cli.net import _devices  # noqa: PLC0415 - the CLI's device selection

    for name in ("web01", "web02"):
        path = inv / "host_vars" / f"{name}.yml"
        path.write_text(path.read_text() + "netmiko_device_type: cisco_ios\nansible_host: 127.0.0.1\n")
    _break_web02(inv)
    devices = _devices([str(inv)], None, read_only=True)
    assert [d.name for d in devices] == ["web01"]
    assert "web02 skipped" in capsys.readouterr().err
    with pytest.raises(RegisterError, match="ansible_port must be a whole number"):
        _devices([str(inv)], None)


def test_a_vault_value_reads_as_ansible_inventory_prints_it(inv: Path) -> None:
    path = inv / "host_vars" / "web01.yml"
    path.write_text(path.read_text() + "ansible_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n")
    hostvars = read_register([inv], roles_dirs=[]).hostvars("web01")
    assert hostvars["ansible_password"] == {"__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256\n6162\n"}


def test_an_ini_source_is_read_by_ansible_where_a_job_accepts_unchecked_sources(tmp_path: Path) -> None:
    (tmp_path / "hosts.ini").write_text("[linux]\nweb1 asset_environment=lab\nweb2\n[network]\nsw1\n")
    with pytest.raises(RegisterError, match="unsupported-inventory"):
        read_scope([tmp_path / "hosts.ini"], read_only=True)
    scope = read_scope([tmp_path / "hosts.ini"], pattern="linux", read_only=False, unchecked_ok=True)
    assert scope.targets == ["web1", "web2"]
    assert scope.register.hostvars("web1")["asset_environment"] == "lab"
    assert [t.name for t in resolve_targets([tmp_path / "hosts.ini"], "all", "web*:!web2")] == ["web1"]
