"""What the register refuses that it used to accept (issue 10, item 5): each example of the issue."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from opsbook.lab.inventory import ALWAYS_OPEN, write_inventory
from opsbook.lab.plan import plan_devices, plan_hosts
from opsbook.lab.state import LabShape, LabState
from opsbook.register import check_register
from opsbook.register.loader import parse_yaml
from opsbook.register.problems import Problem
from opsbook.register.yamlnodes import LIMITS

CORPUS = Path(__file__).parent / "fixtures" / "registers"


@pytest.fixture
def inv(tmp_path: Path) -> Path:
    shutil.copytree(CORPUS / "valid", tmp_path / "inv")
    return tmp_path / "inv"


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [p.render() for p in problems]
    return problems[0]


def test_the_same_host_in_two_inventory_files_names_both_places(inv: Path) -> None:
    (inv / "more.yml").write_text("all:\n  children:\n    customer_acme:\n      hosts:\n        web01:\n")
    problem = _only(check_register([inv], roles_dirs=[]))
    assert problem.rule == "duplicate-host"
    assert problem.render(base=inv).startswith("more.yml:5:9: duplicate-host: ")
    assert "hosts.yml:7" in problem.message  # the first place, file:line


def test_two_registers_with_host_vars_for_one_host_are_refused(inv: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(inv, other)
    problems = check_register([inv, other], roles_dirs=[])
    assert {p.rule for p in problems} >= {"duplicate-host"}
    assert any("host_vars in two inventories" in p.message for p in problems)


def test_an_overlay_that_only_adds_groups_and_connection_settings_is_not_a_duplicate(inv: Path) -> None:
    (inv / "overlay.yml").write_text(
        "all:\n  children:\n    lab_podman:\n      hosts:\n        web01:\n          ansible_host: web01\n"
    )
    assert check_register([inv], roles_dirs=[]) == []


@pytest.mark.parametrize(
    ("line", "rule", "phrase"),
    [
        ("ansible_port: twenty-two", "wrong-type", "ansible_port must be a whole number"),
        ("ansible_port: 70000", "invalid-value", "outside 1…65535"),
        ("ansible_port: 0", "invalid-value", "outside 1…65535"),
        ("ansible_port: true", "wrong-type", "the boolean true"),
        ("ansible_host: [a, b]", "wrong-type", "ansible_host must be text"),
        ("ansible_host: 'web 01.example'", "invalid-value", "one word"),
        ("ansible_host: ssh://192.0.2.1", "invalid-value", "not an address"),
        ("ansible_user: 1000", "wrong-type", "quote it"),
        ("ansible_connection: sssh", "invalid-value", "did you mean ssh"),
        ("ansible_network_os: iso", "invalid-value", "did you mean ios"),
        ("ansible_become: maybe", "wrong-type", "true or false"),
    ],
)
def test_wrong_connection_variables_are_refused(inv: Path, line: str, rule: str, phrase: str) -> None:
    _append(inv / "host_vars" / "web01.yml", line + "\n")
    problem = _only(check_register([inv], roles_dirs=[]))
    assert (problem.rule, problem.line) == (rule, 12)
    assert phrase in f"{problem.message} → {problem.fix}"


@pytest.mark.parametrize(
    "line",
    [
        "ansible_port: 2222",
        "ansible_port: '2222'",
        "ansible_host: 192.0.2.10",
        "ansible_connection: ansible.netcommon.network_cli",
        "ansible_network_os: cisco.ios.ios",
        "ansible_python_interpreter: '{{ ansible_playbook_python }}'",
        "ansible_become: yes",
    ],
)
def test_good_connection_variables_pass(inv: Path, line: str) -> None:
    _append(inv / "host_vars" / "web01.yml", line + "\n")
    assert check_register([inv], roles_dirs=[]) == []


def test_a_password_of_the_wrong_type_is_refused_without_showing_it(inv: Path) -> None:
    _append(inv / "host_vars" / "web01.yml", "ansible_password: 739155\n")
    problem = _only(check_register([inv], roles_dirs=[]))
    assert problem.rule == "wrong-type"
    assert "739155" not in problem.render()


def test_a_child_group_defined_nowhere_is_a_typo(inv: Path) -> None:
    hosts = inv / "hosts.yml"
    hosts.write_text(
        hosts.read_text().replace(
            "    site_fra1:\n", "    site_fra1:\n      children:\n        webservrs:\n", 1
        )
    )
    _append(hosts, "    webservers:\n      hosts:\n        web01:\n")
    problem = _only(check_register([inv], roles_dirs=[]))
    assert (problem.rule, problem.line) == ("undefined-group", 11)
    assert "did you mean webservers" in problem.fix


def test_cyclic_groups_are_refused_at_the_edge_that_closes_the_cycle(inv: Path) -> None:
    _append(
        inv / "hosts.yml",
        "    group_a:\n      children:\n        group_b:\n    group_b:\n      children:\n        group_a:\n",
    )
    problem = _only(check_register([inv], roles_dirs=[]))
    assert problem.rule == "group-cycle"
    assert "group_a → group_b → group_a" in problem.message
    assert problem.line == 18


def _bomb(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels + 1):
        name, prev = chr(97 + i), chr(96 + i)
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    return text


def test_an_alias_bomb_is_refused_in_well_under_a_second(inv: Path) -> None:
    (inv / "group_vars" / "all.yml").write_text(_bomb())
    started = time.process_time()
    problems = check_register([inv], roles_dirs=[])
    assert time.process_time() - started < 1.0
    problem = _only(problems)
    assert problem.rule == "yaml-limits"
    assert "alias bomb" in problem.message
    assert problem.path.name == "all.yml"


def test_the_alias_check_counts_nodes_instead_of_expanding_them() -> None:
    """Work grows with the nodes written, not with the expansion: 9 more levels (9^9 times the
    expansion) cost about the same."""
    problems: list[Problem] = []
    small, huge = _bomb(5), _bomb(18)
    started = time.perf_counter()
    parse_yaml(Path("small.yml"), small, problems)
    parse_yaml(Path("huge.yml"), huge, problems)
    assert time.perf_counter() - started < 0.5
    assert [p.rule for p in problems] == ["yaml-limits", "yaml-limits"]


def test_a_recursive_alias_is_refused() -> None:
    problems: list[Problem] = []
    assert parse_yaml(Path("x.yml"), "a: &a [1, *a]\n", problems) is None
    assert "recursive alias" in _only(problems).message


def test_deep_nesting_and_large_files_are_refused(inv: Path) -> None:
    deep = "asset_tags: " + "[" * (LIMITS.max_depth + 5) + "]" * (LIMITS.max_depth + 5) + "\n"
    (inv / "host_vars" / "web01.yml").write_text(deep)
    problem = _only([p for p in check_register([inv], roles_dirs=[]) if p.rule == "yaml-limits"])
    assert "deeper than" in problem.message
    (inv / "host_vars" / "web01.yml").write_text("# padding\n" * (LIMITS.max_bytes // 10 + 1))
    problem = _only([p for p in check_register([inv], roles_dirs=[]) if p.rule == "yaml-limits"])
    assert "larger than" in problem.message


def test_an_unclosed_bracket_on_the_last_line_is_placed_on_that_line(inv: Path) -> None:
    path = inv / "host_vars" / "web01.yml"
    lines = [line for line in path.read_text().splitlines() if not line.startswith("asset_tags")]
    lines += ["# note"] * (16 - len(lines)) + ["asset_tags: [web, db"]
    path.write_text("\n".join(lines) + "\n")
    assert len(path.read_text().splitlines()) == 17
    problem = _only(check_register([inv], roles_dirs=[]))
    assert (problem.rule, problem.line, problem.column) == ("yaml-syntax", 17, 13)
    assert "flow sequence" in problem.message


def test_a_date_written_as_a_number_gets_a_hint_that_makes_it_a_date(inv: Path) -> None:
    path = inv / "host_vars" / "web01.yml"
    path.write_text(
        path.read_text().replace("asset_warranty_end: 2027-01-15", "asset_warranty_end: 20280531")
    )
    problem = _only(check_register([inv], roles_dirs=[]))
    assert problem.rule == "wrong-type"
    assert "2028-05-31" in problem.fix
    assert "'20280531'" not in problem.fix


def test_an_unquoted_time_in_the_window_is_refused(inv: Path) -> None:
    path = inv / "group_vars" / "customer_acme.yml"
    path.write_text(path.read_text().replace('start: "02:00"', "start: 00:00"))
    problem = _only(check_register([inv], roles_dirs=[]))
    assert (problem.rule, problem.line) == ("maintenance-window", 5)
    assert "quote it: '00:00'" in problem.fix


def test_the_generated_lab_inventory_quotes_its_times_and_passes(tmp_path: Path) -> None:
    shape = LabShape(hosts=1, devices=2, ssh_port_base=2201, device_port_base=2301)
    state = LabState(
        name="opsbook",
        shape=shape,
        created="2025-02-28",
        ssh_key="/k",
        hosts=plan_hosts("opsbook", shape),
        devices=plan_devices("opsbook", shape, password="s3cret"),
        complete=True,
    )
    write_inventory(tmp_path / "lab", state, Path("/k"))
    text = (tmp_path / "lab" / "host_vars" / "opsbook-host01.yml").read_text()
    assert f"start: '{ALWAYS_OPEN['start']}'" in text
    assert check_register([tmp_path / "lab"], roles_dirs=[]) == []


@pytest.mark.parametrize(
    ("pattern", "phrase"),
    [
        ("web[0:99999999]", "more than 10,000 hosts"),
        ("web[1:9:0]", "steps by 0"),
        ("w[0:99][0:99][0:9]", "more than"),
    ],
)
def test_a_host_range_that_names_too_many_hosts_is_refused_before_expanding(
    inv: Path, pattern: str, phrase: str
) -> None:
    _append(inv / "hosts.yml", f"    linux:\n      hosts:\n        {pattern}:\n")
    started = time.process_time()
    problems = check_register([inv], roles_dirs=[])
    assert time.process_time() - started < 1.0
    problem = _only(problems)
    assert (problem.rule, problem.line) == ("inventory-structure", 15)
    assert phrase in problem.message


def test_symlink_loops_are_read_once_not_followed_forever(inv: Path) -> None:
    (inv / "loop").symlink_to(".")
    folder = inv / "group_vars" / "site_fra1"
    folder.mkdir()
    (inv / "group_vars" / "site_fra1.yml").rename(folder / "site.yml")
    for name in ("up1", "up2"):  # two ways back up: 2^40 paths if followed
        (folder / name).symlink_to(".")
    started = time.process_time()
    problems = check_register([inv], roles_dirs=[])
    assert time.process_time() - started < 1.0
    problem = _only(problems)
    assert (problem.rule, problem.path.name) == ("inventory-structure", "loop")
    assert "symlink loop" in problem.message


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("opsbook_change_freezes: yearly\n", "is not a list"),
        (
            "opsbook_change_freezes:\n  - {start: '2027-02-10', end: '2027-02-17'}\n",
            "without start, end and reason",
        ),
        (
            "opsbook_change_freezes:\n  - {start: '2027-02-17', end: '2027-02-10', reason: Holiday}\n",
            "ends (2027-02-10) before it starts",
        ),
        ("opsbook_change_window_enforce: sometimes\n", "opsbook_change_window_enforce"),
    ],
)
def test_a_freeze_the_change_flow_cannot_read_is_named_at_its_line(inv: Path, text: str, phrase: str) -> None:
    """Before: inventory check passed it; the change flow refused it at change time, without file:line."""
    _append(inv / "host_vars" / "web01.yml", text)
    problem = _only(check_register([inv], roles_dirs=[]))
    assert problem.rule == "change-setting"
    assert problem.line in (12, 13)  # the variable's line, or its list's first entry below it
    assert phrase in problem.message


def test_a_good_freeze_passes(inv: Path) -> None:
    _append(
        inv / "host_vars" / "web01.yml",
        "opsbook_change_freezes:\n  - {start: '2027-02-10', end: '2027-02-17', reason: Spring Festival}\n",
    )
    assert check_register([inv], roles_dirs=[]) == []
