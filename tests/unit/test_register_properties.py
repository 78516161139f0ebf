"""Property-based tests (hypothesis) of the register reader: whatever the files hold — random text,
random bytes, random YAML structures, anchors and aliases, random group graphs — reading and
checking a register gives problems (or none), never a traceback and never a hang."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsbook.register import check_register, read_scope
from opsbook.register.loader import parse_yaml
from opsbook.register.problems import RULES, Problem

CORPUS = Path(__file__).parent / "fixtures" / "registers"
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["22:00", "00:00", "0123", "20280531", "2028-02-30", "{{ x }}", "!vault", "twenty-two"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
keys = st.one_of(
    st.sampled_from(
        [
            "asset_id",
            "asset_kind",
            "asset_serial",
            "asset_warranty_end",
            "asset_maintenance_window",
            "asset_tags",
            "asset_unit",
            "ansible_port",
            "ansible_host",
            "ansible_user",
            "ansible_connection",
            "ansible_network_os",
            "ansible_become",
            "ansible_password",
        ]
    ),
    st.text(max_size=15),
)


@contextmanager
def register_copy() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="opsbook-prop-"))
    try:
        shutil.copytree(CORPUS / "valid", folder / "inv")
        yield folder / "inv"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sound(problems: list[Problem]) -> None:
    for problem in problems:
        assert problem.rule in RULES
        assert problem.line >= 1 and problem.column >= 1
        assert problem.render()


@SETTINGS
@given(st.text(max_size=400))
def test_any_text_parses_or_becomes_a_problem(text: str) -> None:
    problems: list[Problem] = []
    parse_yaml(Path("x.yml"), text, problems)
    _sound(problems)
    lines = max(1, len(text.splitlines()))
    assert all(p.line <= lines for p in problems), "never a line past the end of the file"


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_in_a_host_vars_file_give_problems_not_tracebacks(data: bytes) -> None:
    with register_copy() as inv:
        (inv / "host_vars" / "web01.yml").write_bytes(data)
        _sound(check_register([inv], roles_dirs=[]))


@SETTINGS
@given(st.dictionaries(keys, values, max_size=8))
def test_any_variables_give_problems_not_tracebacks(variables: dict[str, Any]) -> None:
    with register_copy() as inv:
        (inv / "host_vars" / "web02.yml").write_text(yaml.safe_dump(variables, allow_unicode=True))
        problems = check_register([inv], roles_dirs=[])
        _sound(problems)
        # read-only jobs never stop at web02's data: web01 goes on, web02 is either a target or
        # skipped with its problems — never both, never lost
        scope = read_scope([inv], read_only=True)
        assert "web01" in scope.targets
        assert set(scope.targets) | set(scope.skipped) == {"web01", "web02"}
        assert not set(scope.targets) & set(scope.skipped)
        assert all(scope.skipped.values())


@st.composite
def aliased_yaml(draw: st.DrawFn) -> str:
    """Documents with anchors and aliases to earlier anchors (some recursive), up to 12 levels."""
    count = draw(st.integers(min_value=1, max_value=12))
    lines = [f"a0: &a0 [{', '.join(['x'] * draw(st.integers(1, 9)))}]"]
    for i in range(1, count):
        refs = draw(st.lists(st.integers(0, i), min_size=1, max_size=9))
        items = ", ".join(f"*a{r}" if r < i else "x" for r in refs)
        lines.append(f"a{i}: &a{i} [{items}]")
    if draw(st.booleans()):
        lines.append("r: &r {self: *r}")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(aliased_yaml())
def test_anchors_and_aliases_are_bounded(text: str) -> None:
    problems: list[Problem] = []
    parse_yaml(Path("x.yml"), text, problems)
    _sound(problems)


group_names = st.sampled_from(["g1", "g2", "g3", "g4", "customer_acme", "site_fra1", "typo"])


@SETTINGS
@given(st.lists(st.tuples(group_names, group_names), max_size=8), st.booleans())
def test_any_group_graph_gives_problems_not_tracebacks(edges: list[tuple[str, str]], nulls: bool) -> None:
    tree: dict[str, Any] = {"customer_acme": {"hosts": {"web01": None, "web02": None}}}
    for parent, child in edges:
        entry = tree.setdefault(parent, {})
        entry.setdefault("children", {})[child] = None if nulls else {}
    with register_copy() as inv:
        (inv / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": tree}}))
        _sound(check_register([inv], roles_dirs=[]))


host_patterns = st.one_of(
    st.text(max_size=20),
    st.builds(
        lambda head, a, b, step: f"{head}[{a}:{b}{step}]",
        st.text(alphabet="abcxyz-", max_size=4),
        st.integers(0, 10**9) | st.sampled_from(["a", "z", "09", "aa"]),
        st.integers(0, 10**9) | st.sampled_from(["a", "z", "99", "zz"]),
        st.sampled_from(["", ":0", ":1", ":7", ":999999999"]),
    ),
)


@SETTINGS
@given(st.lists(host_patterns, max_size=4))
def test_any_host_names_and_ranges_give_problems_not_tracebacks(names: list[str]) -> None:
    hosts = {name: None for name in names}
    with register_copy() as inv:
        (inv / "extra.yml").write_text(yaml.safe_dump({"all": {"children": {"linux": {"hosts": hosts}}}}))
        _sound(check_register([inv], roles_dirs=[]))
