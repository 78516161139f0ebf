"""`opsbook inventory check`: a corpus of broken registers, one problem each, exact place and rule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsbook.cli.inventory import app
from opsbook.errors import OpsbookError, UsageError
from opsbook.register import RegisterError, check_register, ensure_register_sound
from opsbook.register.check import check
from opsbook.register.problems import RULES

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).parent / "fixtures" / "registers"
EXAMPLE = REPO / "inventory" / "example"

# case folder → (rule, file inside the case, line, column, a phrase the message or fix must contain)
BROKEN = {
    "yaml_syntax": ("yaml-syntax", "host_vars/web01.yml", 4, 21, "mapping values are not allowed"),
    "duplicate_key": ("duplicate-key", "host_vars/web01.yml", 9, 1, "'asset_os' is defined twice"),
    "inventory_structure": ("inventory-structure", "hosts.yml", 13, 7, "variables go under vars:"),
    "unsupported_ini": (
        "unsupported-inventory",
        "hosts.ini",
        1,
        1,
        "--list --yaml",
    ),
    "unknown_key": ("unknown-key", "host_vars/web01.yml", 4, 1, "did you mean asset_vendor"),
    "wrong_type_serial": ("wrong-type", "host_vars/web02.yml", 5, 15, "quote it: '0123'"),
    "wrong_type_tags_group_dir": ("wrong-type", "group_vars/customer_acme/tags.yml", 3, 13, "must be a list"),
    "invalid_kind": ("invalid-value", "host_vars/web02.yml", 3, 13, "use one of: server, vm"),
    "missing_required": ("missing-required", "hosts.yml", 8, 9, "has no asset_kind"),
    "duplicate_asset_id": ("duplicate-asset-id", "host_vars/web02.yml", 2, 11, "also that of host 'web01'"),
    "duplicate_serial": ("duplicate-serial", "host_vars/web02.yml", 5, 15, "also that of host 'web01'"),
    "shared_serial_in_group": ("duplicate-serial", "group_vars/site_fra1.yml", 3, 15, "shared by 2 hosts"),
    "duplicate_mgmt_address": ("duplicate-mgmt-address", "host_vars/web02.yml", 8, 21, "192.0.2.11"),
    "duplicate_host_inline": ("duplicate-host", "hosts.yml", 13, 11, "also given at"),
    "duplicate_host_case": ("duplicate-host", "hosts.yml", 9, 9, "only in letter case"),
    "bad_date": ("bad-date", "host_vars/web01.yml", 7, 21, "'2027-02-30' is not a real date"),
    "date_order": ("date-order", "host_vars/web01.yml", 7, 21, "is before asset_purchase_date"),
    "window_day": ("maintenance-window", "group_vars/customer_acme.yml", 4, 15, "'funday'"),
    "window_time_unquoted": ("maintenance-window", "group_vars/customer_acme.yml", 6, 8, "quote it: '22:30'"),
    "window_timezone": ("maintenance-window", "group_vars/customer_acme.yml", 7, 13, "'Europe/Frankfurt'"),
    "no_customer_group": ("no-customer-group", "hosts.yml", 11, 9, "under customer_acme"),
    "group_mismatch": (
        "group-mismatch",
        "host_vars/web02.yml",
        9,
        17,
        "its group customer_acme",
    ),
    "orphan_host_vars": ("orphan-vars", "host_vars/web03.yml", 1, 1, "did you mean web02"),
}


def test_corpus_covers_every_case_folder() -> None:
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert folders == set(BROKEN) | {"valid"}


def test_valid_register_has_no_problem() -> None:
    assert check_register([CORPUS / "valid"], roles_dirs=[]) == []


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_register_reports_exactly_its_problem(case: str) -> None:
    rule, rel, line, column, phrase = BROKEN[case]
    problems = check_register([CORPUS / case], roles_dirs=[])
    assert len(problems) == 1, [p.render() for p in problems]
    problem = problems[0]
    assert problem.rule == rule
    assert problem.rule in RULES
    assert problem.path == (CORPUS / case / rel).resolve()
    assert (problem.line, problem.column) == (line, column)
    assert phrase in f"{problem.message} → {problem.fix}"
    assert problem.fix, "every problem says how to fix it"


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    """Several broken files in one register: every problem comes out, sorted by place."""
    shutil.copytree(CORPUS / "valid", tmp_path / "inv")
    for case in ("unknown_key", "wrong_type_serial", "window_timezone"):
        rel = BROKEN[case][1]
        shutil.copy(CORPUS / case / rel, tmp_path / "inv" / rel)
    problems = check_register([tmp_path / "inv"], roles_dirs=[])
    assert [p.rule for p in problems] == ["maintenance-window", "unknown-key", "wrong-type"]
    assert problems == sorted(problems)


def test_render_format_is_file_line_column_rule_message_fix() -> None:
    problem = check_register([CORPUS / "bad_date"], roles_dirs=[])[0]
    text = problem.render(base=CORPUS)
    assert text.startswith("bad_date/host_vars/web01.yml:7:21: bad-date: ")
    assert " → write a real date as YYYY-MM-DD" in text


def test_role_arguments_are_allowed_keys(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "valid", tmp_path / "inv")
    with (tmp_path / "inv" / "host_vars" / "web01.yml").open("a") as handle:
        handle.write("nginx_worker_processes: 4\n")
    assert [p.rule for p in check_register([tmp_path / "inv"], roles_dirs=[])] == ["unknown-key"]
    spec = tmp_path / "roles" / "nginx" / "meta" / "argument_specs.yml"
    spec.parent.mkdir(parents=True)
    spec.write_text(
        "---\nargument_specs:\n  main:\n    options:\n      nginx_worker_processes:\n        type: int\n"
    )
    assert check_register([tmp_path / "inv"], roles_dirs=[tmp_path / "roles"]) == []


def test_ansible_and_opsbook_settings_are_allowed(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "valid", tmp_path / "inv")
    with (tmp_path / "inv" / "host_vars" / "web01.yml").open("a") as handle:
        handle.write(
            "ansible_host: 192.0.2.11\nansible_whatever_plugin_option: 1\nnetmiko_device_type: linux\n"
        )
    assert check_register([tmp_path / "inv"], roles_dirs=[]) == []


def test_same_address_on_different_ports_is_not_a_duplicate(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "duplicate_mgmt_address", tmp_path / "inv")
    for name, port in (("web01", 2201), ("web02", 2202)):
        with (tmp_path / "inv" / "host_vars" / f"{name}.yml").open("a") as handle:
            handle.write(f"ansible_port: {port}\n")
    assert check_register([tmp_path / "inv"], roles_dirs=[]) == []


def test_yaml_file_given_directly_uses_its_folders_vars() -> None:
    assert check_register([CORPUS / "valid" / "hosts.yml"], roles_dirs=[]) == []


def test_example_register_is_clean_and_large_enough() -> None:
    result = check([EXAMPLE])
    assert result.problems == []
    assert len(result.register.hosts) >= 60
    kinds = {merged["asset_kind"].value for merged in result.merged.values()}
    assert kinds == {
        "server",
        "vm",
        "switch",
        "router",
        "firewall",
        "load_balancer",
        "storage_array",
        "database",
        "middleware",
    }
    customers = {merged["asset_customer"].value for merged in result.merged.values()}
    sites = {merged["asset_site"].value for merged in result.merged.values()}
    assert len(customers) >= 2
    assert len(sites) >= 3


def test_cli_exit_codes() -> None:
    runner = CliRunner()
    clean = runner.invoke(app, ["check", "-i", str(CORPUS / "valid")])
    assert clean.exit_code == 0, clean.output
    broken = runner.invoke(app, ["check", "-i", str(CORPUS / "bad_date")])
    assert broken.exit_code == 1
    assert "bad-date" in broken.stdout
    missing = runner.invoke(app, ["check", "-i", str(CORPUS / "no-such-folder")])
    assert isinstance(missing.exception, UsageError)  # opsbook's main() prints it and exits 2
    assert UsageError.exit_code == 2


def test_cli_json_output() -> None:
    result = CliRunner().invoke(app, ["check", "-o", "json", "-i", str(CORPUS / "date_order")])
    data = json.loads(result.stdout)
    assert result.exit_code == 1
    assert data["hosts"] == 2
    assert [p["rule"] for p in data["problems"]] == ["date-order"]


def test_an_overlay_inventory_may_give_a_host_inline_vars_again(tmp_path: Path) -> None:
    """The lab's podman overlay (a second -i) re-lists hosts with ansible_host: that is fine."""
    overlay = tmp_path / "podman-inventory.yml"
    overlay.write_text(
        "all:\n  children:\n    lab_podman:\n      vars:\n"
        "        ansible_connection: containers.podman.podman\n"
        "      hosts:\n        sw01:\n          ansible_host: sw01\n"
    )
    reconcile_fixture = CORPUS / "_reconcile"
    assert check_register([reconcile_fixture, overlay], roles_dirs=[]) == []


def test_vars_files_named_like_ansible_looks_them_up(tmp_path: Path) -> None:
    """host_vars/<fqdn> without extension belongs to that host; README.md is ignored."""
    shutil.copytree(CORPUS / "valid", tmp_path / "inv")
    hosts = tmp_path / "inv" / "hosts.yml"
    hosts.write_text(hosts.read_text().replace("web02:", "web02.example.com:"))
    host_vars = tmp_path / "inv" / "host_vars"
    (host_vars / "web02.yml").rename(host_vars / "web02.example.com")
    (host_vars / "README.md").write_text("# notes\n")
    result = check([tmp_path / "inv"], roles_dirs=[])
    assert result.problems == []
    assert result.merged["web02.example.com"]["asset_id"].value == "ACME-0002"


def test_ensure_register_sound_raises_an_opsbook_error_listing_the_problems() -> None:
    ensure_register_sound([CORPUS / "valid"], roles_dirs=[])  # sound: returns quietly
    with pytest.raises(RegisterError) as caught:
        ensure_register_sound([CORPUS / "date_order"], roles_dirs=[])
    error = caught.value
    assert isinstance(error, OpsbookError)
    assert [p.rule for p in error.problems] == ["date-order"]
    assert "no host was touched" in error.message
    assert "date-order" in error.message
    assert error.hint is not None
    assert "opsbook inventory check -i" in error.hint


def test_templated_asset_values_are_not_validated(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "valid", tmp_path / "inv")
    for name in ("web01", "web02"):
        path = tmp_path / "inv" / "host_vars" / f"{name}.yml"
        text = path.read_text()
        address = next(line for line in text.splitlines() if line.startswith("asset_mgmt_address"))
        path.write_text(text.replace(address, 'asset_mgmt_address: "{{ ansible_host }}"'))
    assert check_register([tmp_path / "inv"], roles_dirs=[]) == []


def test_ini_without_sections_is_reported_unsupported(tmp_path: Path) -> None:
    (tmp_path / "hosts").write_text("web01 ansible_host=192.0.2.1\nweb02\n")
    problems = check_register([tmp_path], roles_dirs=[])
    assert [(p.rule, p.path.name, p.line) for p in problems] == [("unsupported-inventory", "hosts", 1)]
