"""Typed runbook parameters: conversion, constraints, defaults, secrets, and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_runbook_support import make_project

from opsbook.errors import UsageError
from opsbook.runbooks.durations import format_duration, parse_duration
from opsbook.runbooks.loader import find_runbook
from opsbook.runbooks.model import Parameter, ParamType, Runbook
from opsbook.runbooks.params import ParamError, Secret, convert, parse_assignments, resolve_params


@pytest.fixture
def demo_fix(tmp_path: Path) -> Runbook:
    project = make_project(tmp_path)
    return find_runbook("demo-fix", project.runbooks, project.playbooks)


@pytest.fixture
def demo_look(tmp_path: Path) -> Runbook:
    project = make_project(tmp_path)
    return find_runbook("demo-look", project.runbooks, project.playbooks)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("30s", 30), ("5m", 300), ("1h30m", 5400), ("2d", 172800), ("1h0m5s", 3605)],
)
def test_durations_parse(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5x", "m5", "1.5h", "-3s"])
def test_bad_durations_say_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError, match="write seconds"):
        parse_duration(text)


def test_durations_format_shortest() -> None:
    assert format_duration(5400) == "1h30m"
    assert format_duration(0) == "0s"


def test_assignments_split_on_the_first_equals_sign() -> None:
    assert parse_assignments(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}


@pytest.mark.parametrize("item", ["novalue", "=3"])
def test_assignments_without_a_key_or_equals_are_usage_errors(item: str) -> None:
    with pytest.raises(UsageError, match="is not key=value"):
        parse_assignments([item])


def test_an_assignment_given_twice_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="given twice"):
        parse_assignments(["a=1", "a=2"])


def test_defaults_apply_and_types_convert(demo_fix: Runbook) -> None:
    resolved = resolve_params(demo_fix, {"threshold": "80"})
    assert resolved.values == {"threshold": 80, "mode": "gentle", "wait": 30}


def test_int_bounds(demo_fix: Runbook) -> None:
    with pytest.raises(UsageError, match=r"threshold: 100 is above the maximum 99"):
        resolve_params(demo_fix, {"threshold": "100"})
    with pytest.raises(UsageError, match=r"threshold: 'ninety' is not an integer"):
        resolve_params(demo_fix, {"threshold": "ninety"})


def test_choice_suggests_the_closest(demo_fix: Runbook) -> None:
    with pytest.raises(
        UsageError, match=r"mode: 'thorogh' is not one of gentle, thorough \(did you mean 'thorough'\?\)"
    ):
        resolve_params(demo_fix, {"mode": "thorogh"})


def test_duration_bounds_are_durations(demo_fix: Runbook) -> None:
    assert resolve_params(demo_fix, {"wait": "2m"}).values["wait"] == 120
    with pytest.raises(UsageError, match=r"wait: 1h is above the maximum 10m"):
        resolve_params(demo_fix, {"wait": "1h"})


def test_every_problem_is_reported_at_once_and_nothing_else_is_needed(demo_fix: Runbook) -> None:
    with pytest.raises(UsageError) as err:
        resolve_params(demo_fix, {"threshold": "5", "mode": "x", "treshold": "1"})
    text = str(err.value)
    assert "nothing was run" in text
    assert "threshold: 5 is below the minimum 50" in text
    assert "mode: 'x' is not one of" in text
    assert "treshold: unknown parameter (did you mean 'threshold'?)" in text


def test_a_secret_is_wrapped_and_redacted(demo_fix: Runbook) -> None:
    resolved = resolve_params(demo_fix, {"token": "s3cr3t-canary"})
    assert isinstance(resolved.values["token"], Secret)
    assert "s3cr3t" not in repr(resolved.values) and "s3cr3t" not in str(resolved.values["token"])
    assert resolved.redacted()["token"] == "********"
    assert resolved.extravars()["token"] == "s3cr3t-canary"
    assert resolved.secret_values() == ["s3cr3t-canary"]


def test_bool_hosts_and_str_types(demo_look: Runbook) -> None:
    resolved = resolve_params(demo_look, {"verbose": "yes", "pattern": "web*:&lab", "note": "INC-42"})
    assert resolved.values == {"verbose": True, "pattern": "web*:&lab", "note": "INC-42"}
    assert resolve_params(demo_look, {"verbose": "off"}).values["verbose"] is False


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"verbose": "maybe"}, "verbose: 'maybe' is not a yes/no value"),
        ({"pattern": "web1; rm -rf /"}, "is not an Ansible host pattern"),
        ({"note": "inc-42"}, "note: 'inc-42' does not match"),
        ({"note": "ABCDEFGHIJ-123"}, "note: 14 characters is above the maximum 12 characters"),
    ],
)
def test_bad_values_name_the_parameter(demo_look: Runbook, given: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_params(demo_look, given)


def test_a_required_parameter_must_be_given() -> None:
    param = Parameter(type=ParamType.STR, required=True, help="The unit to restart.")
    with pytest.raises(ParamError):
        convert("service", Parameter(type=ParamType.INT, help="h"), "x")
    runbook = Runbook.model_validate(
        {
            "title": "t",
            "category": "emergency",
            "summary": "s",
            "playbook": "p.yml",
            "targets": {"pattern": "linux"},
            "risk": "changing",
            "parameters": {"service": param.model_dump(exclude_none=True)},
            "report": {"problem": "p"},
            "name": "r",
        }
    )
    with pytest.raises(UsageError, match=r"service: required \(The unit to restart.\); give -p service="):
        resolve_params(runbook, {})


def test_a_variable_name_can_differ_from_the_parameter_name() -> None:
    runbook = Runbook.model_validate(
        {
            "title": "t",
            "category": "emergency",
            "summary": "s",
            "playbook": "p.yml",
            "targets": {"pattern": "linux"},
            "risk": "read-only",
            "parameters": {"lines": {"type": "int", "default": 50, "help": "h", "var": "svc_log_lines"}},
            "report": {"problem": "p"},
        }
    )
    assert resolve_params(runbook, {}).extravars() == {"svc_log_lines": 50}


def test_a_secret_cannot_have_a_default() -> None:
    with pytest.raises(ValueError, match="cannot have a default"):
        Parameter(type=ParamType.SECRET, default="hunter2", help="h")
