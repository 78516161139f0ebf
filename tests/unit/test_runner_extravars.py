"""The extra-vars writer: every string reaches Ansible tagged ``!unsafe`` (data, never a template).

The proof that Ansible honours the tag is in tests/integration/test_runner_unsafe.py (real
ansible-playbook); here the YAML itself is checked: every string, at any depth, key or value,
carries the tag and comes back unchanged.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from opsbook.runner.extravars import unsafe_yaml, write_extravars_file
from opsbook.runner.inputs import RunInputError


class Tagged(str):
    """A string that was read with the ``!unsafe`` tag."""


class _Loader(yaml.SafeLoader):
    pass


def _construct_unsafe(loader: yaml.SafeLoader, node: yaml.Node) -> Tagged:
    assert isinstance(node, yaml.ScalarNode)
    return Tagged(loader.construct_scalar(node))


_Loader.add_constructor("!unsafe", _construct_unsafe)


def load(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def untagged_strings(value: Any, where: str = "") -> list[str]:
    """Where a plain (templatable) string is left in ``value`` (top-level names are variable names)."""
    if isinstance(value, Tagged):
        return []
    if isinstance(value, str):
        return [where]
    if isinstance(value, dict):
        found = [
            f"{where}.{k}(key)" for k in value if where and isinstance(k, str) and not isinstance(k, Tagged)
        ]
        for key, item in value.items():
            found += untagged_strings(item, f"{where}.{key}")
        return found
    if isinstance(value, list):
        return [w for i, item in enumerate(value) for w in untagged_strings(item, f"{where}[{i}]")]
    return []


HOSTILE = {
    "path": "/{{7*7}}",
    "cmd": "{{ lookup('pipe', 'touch /tmp/x') }}",
    "block": "{% for i in range(3) %}x{% endfor %}",
    "comment": "{# hidden #}",
    "nested": {"list": ["{{ 1 }}", 2, True, None, 1.5], "{{ key }}": {"deep": "${HOME} $(id)"}},
    "multi": "line one\nline two: 'quoted' \"double\" \\ back\ttab \x00 nul é 😀",
    "opsbook_run_id": "20261203-x",
    "number": 7,
    "flag": False,
}


def test_every_string_is_tagged_and_comes_back_unchanged() -> None:
    text = unsafe_yaml(HOSTILE)
    loaded = load(text)
    assert untagged_strings(loaded) == []
    assert loaded == HOSTILE
    assert type(loaded["number"]) is int and type(loaded["flag"]) is bool


def test_the_examples_of_the_issue_are_tagged() -> None:
    text = unsafe_yaml({"path": "/{{7*7}}", "cmd": '{{ lookup("pipe", "id") }}'})
    assert text.splitlines() == [
        'path: !unsafe "/{{7*7}}"',
        'cmd: !unsafe "{{ lookup(\\"pipe\\", \\"id\\") }}"',
    ]


def test_tuples_become_tagged_lists() -> None:
    assert load(unsafe_yaml({"x": ("a", ("b",))})) == {"x": ["a", ["b"]]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"bad name": "x"}, "not a variable name"),
        ({"1x": "x"}, "not a variable name"),
        ({"x": object()}, "not data Ansible can take"),
        ({"x": float("nan")}, "not a finite number"),
        ({"x": {("a", "b"): 1}}, "is not a string or number"),
    ],
)
def test_what_is_not_data_is_refused(value: dict[str, Any], message: str) -> None:
    with pytest.raises(RunInputError, match=message):
        unsafe_yaml(value)


def test_the_file_is_private_and_holds_the_yaml(tmp_path: Path) -> None:
    path = write_extravars_file({"path": "/{{7*7}}"})
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.suffix == ".yml"
        assert load(path.read_text(encoding="utf-8")) == {"path": "/{{7*7}}"}
    finally:
        path.unlink()


# ---- property: any JSON-like data, any text, round-trips with every string tagged ------------------

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _text
_data = st.recursive(
    _leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4)
)
_names = st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_names, _data, max_size=5))
def test_any_data_round_trips_with_every_string_tagged(extravars: dict[str, Any]) -> None:
    loaded = load(unsafe_yaml(extravars))
    assert loaded == extravars
    assert untagged_strings(loaded) == []
