"""The customer context on the command line: --customer, opsbook use, and 0 targets → non-zero."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsbook.cli import app
from opsbook.paths import project_paths

HOSTS = "all:\n  children:\n    linux:\n      hosts:\n        web01:\n          ansible_host: 127.0.0.1\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "ansible.cfg").write_text("[defaults]\ninventory = inventory/lab\n")
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "lab" / "podman").mkdir(parents=True)
    (tmp_path / "lab" / "podman" / "containers.conf").write_text("[engine]\n")
    (tmp_path / "inventory" / "lab").mkdir(parents=True)
    (tmp_path / "inventory" / "lab" / "README.md").write_text("generated\n")
    (tmp_path / "inventory" / "acme").mkdir()
    (tmp_path / "inventory" / "acme" / "hosts.yml").write_text(HOSTS)
    (tmp_path / "inventory" / "acme" / ".customer.yml").write_text("display_name: ACME Logistics\n")
    for var in ("OPSBOOK_CUSTOMER", "OPSBOOK_LAB", "ANSIBLE_INVENTORY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPSBOOK_PROJECT", str(tmp_path))
    return tmp_path


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=True)
    code = result.exit_code
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        code = getattr(exc, "exit_code", 1)
        return code, result.stdout, str(exc)
    return code, result.stdout, result.stderr


def test_empty_register_is_no_longer_register_ok(project: Path) -> None:
    """Before: `opsbook inventory check` on an empty inventory/lab said "register OK: 0 hosts", exit 0."""
    code, _out, err = invoke("inventory", "check")
    assert code != 0
    assert "register OK" not in err
    assert "no hosts in the register of lab opsbook, from ansible.cfg" in err


@pytest.mark.parametrize("command", [["inventory", "report"], ["inventory", "reconcile"]])
def test_register_report_and_reconcile_of_nothing_are_refused(project: Path, command: list[str]) -> None:
    """Before: an empty table, and "register and reality agree for every host read", exit 0."""
    code, _out, err = invoke(*command)
    assert code == 4, err
    assert "no hosts in the register of lab opsbook" in err


def test_opsbook_lab_of_a_lab_that_is_not_up_is_not_a_false_pass(project: Path) -> None:
    """Before: OPSBOOK_LAB=nu was ignored and `inventory check` passed on inventory/lab."""
    code, _out, err = invoke("inventory", "check", env={"OPSBOOK_LAB": "nu"})
    assert code != 0
    assert ".opsbook/lab/nu/inventory" in err


def test_the_customer_flag_reaches_every_command(project: Path) -> None:
    # acme's one host lacks the register's required fields: the check reads acme's register
    _code, _out, err = invoke("--customer", "acme", "inventory", "check")
    assert "in 1 hosts" in err and "no hosts" not in err
    _code, _out, err = invoke("-C", "acme", "inventory", "check", env={"OPSBOOK_CUSTOMER": "ghost"})
    assert "in 1 hosts" in err, "the flag comes before the environment"
    assert os.environ.get("OPSBOOK_CUSTOMER") is None, "the flag does not outlive the command"


def test_ansible_inventory_is_honoured(project: Path) -> None:
    """Before: $ANSIBLE_INVENTORY was ignored (inventory/lab, 0 hosts, OK)."""
    _code, _out, err = invoke(
        "inventory", "check", env={"ANSIBLE_INVENTORY": str(project / "inventory" / "acme")}
    )
    assert "in 1 hosts" in err and "no hosts" not in err
    code, out, _err = invoke("use", "--json", env={"ANSIBLE_INVENTORY": str(project / "inventory" / "acme")})
    assert code == 0 and json.loads(out)["name"] == "acme", "the customer whose register it names"


@pytest.mark.parametrize("command", [["net", "backup"], ["health"], ["audit"], ["run", "site", "--check"]])
def test_another_customers_register_is_refused_before_anything_runs(
    project: Path, command: list[str]
) -> None:
    other = project / "inventory" / "other"
    other.mkdir()
    (other / "hosts.yml").write_text(HOSTS)
    code, _out, err = invoke("-C", "acme", *command, "-i", str(other))
    assert code != 0, err
    assert "is the register of customer other" in " ".join(err.split())
    assert not (project / ".opsbook" / "customers" / "acme").exists(), "nothing was written for acme"


def test_an_unknown_customer_is_refused_before_anything_runs(project: Path) -> None:
    code, _out, err = invoke("--customer", "acmee", "inventory", "check")
    assert code == 2
    assert "--customer names 'acmee'" in err and "known contexts: acme, opsbook" in err


def test_use_remembers_shows_and_clears(project: Path) -> None:
    code, out, err = invoke("use", "acme")
    assert code == 0, err
    assert "remembered: customer acme (ACME Logistics)" in err
    assert project_paths().customer == "acme"
    code, out, _err = invoke("use", "--show", "--json")
    shown = json.loads(out)
    assert shown["name"] == "acme" and shown["source"] == "opsbook use"
    assert shown["state"] == str(project / ".opsbook" / "customers" / "acme")
    code, out, err = invoke("use", "acme", env={"OPSBOOK_LAB": "other"})
    assert "$OPSBOOK_LAB chooses 'other' and takes precedence" in err
    code, out, err = invoke("use", "--clear")
    assert code == 0 and "forgot the remembered context" in err
    assert project_paths().customer == "opsbook"


def test_use_list_marks_the_context_in_force(project: Path) -> None:
    code, out, _err = invoke("use", "--list", "--json", env={"OPSBOOK_CUSTOMER": "acme"})
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["acme"]["current"] is True and rows["opsbook"]["current"] is False
    assert rows["acme"]["display_name"] == "ACME Logistics"


def test_use_refuses_an_unknown_name(project: Path) -> None:
    code, _out, err = invoke("use", "ghost")
    assert code == 2 and "opsbook use names 'ghost'" in err


def test_lab_env_with_a_name_points_the_shell_at_that_lab(project: Path) -> None:
    code, out, _err = invoke("lab", "env", "--name", "nu")
    assert code == 0
    assert "export OPSBOOK_LAB=nu" in out.splitlines()
    code, out, _err = invoke("lab", "env")
    assert not any("OPSBOOK_LAB" in line for line in out.splitlines()), "no name: the context is left alone"


def test_lab_commands_default_to_the_context_when_it_is_a_lab(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsbook.cli.lab import _name  # noqa: PLC0415

    lab = project / ".opsbook" / "lab" / "nu"
    lab.mkdir(parents=True)
    (lab / "state.json").write_text(json.dumps({"name": "nu", "inventory_dir": str(lab / "inventory")}))
    monkeypatch.setenv("OPSBOOK_CUSTOMER", "nu")
    assert _name(None) == "nu"
    assert _name("other") == "other"
    monkeypatch.setenv("OPSBOOK_CUSTOMER", "acme")
    assert _name(None) == "opsbook", "a customer is not a lab: the default lab"


def test_lab_down_forgets_a_remembered_context_of_that_lab(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsbook import context as ctx  # noqa: PLC0415
    from opsbook.lab.state import LabShape, LabState  # noqa: PLC0415

    lab = project / ".opsbook" / "lab" / "nu"
    lab.mkdir(parents=True)
    (lab / "state.json").write_text(json.dumps({"name": "nu", "inventory_dir": str(lab / "inventory")}))
    ctx.remember(project, "nu")

    def fake_down(name: str, **_: object) -> LabState:  # podman is not needed to test the context part
        (lab / "state.json").unlink()
        return LabState(name=name, shape=LabShape(0, 1, 2201, 2301))

    monkeypatch.setattr("opsbook.cli.lab.lab.down", fake_down)
    code, out, err = invoke("lab", "down")
    assert code == 0, err
    assert "lab nu removed" in out and "forgotten" in out
    assert ctx.remembered(project) is None
    assert project_paths().customer == "opsbook"


def test_use_names_state_left_from_before_contexts(project: Path) -> None:
    (project / ".opsbook" / "runs").mkdir(parents=True)
    (project / ".opsbook" / "history.sqlite").write_text("")
    _code, _out, err = invoke("use", "--show")
    assert "still holds state from before customer contexts (runs, history.sqlite)" in " ".join(err.split())
