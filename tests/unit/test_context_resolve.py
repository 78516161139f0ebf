"""The customer context: precedence, declared customers and labs, per-context state, 0 targets → non-zero."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from opsbook import context as ctx
from opsbook.context import ContextError, NoTargetsError, require_targets, resolve
from opsbook.paths import ProjectPaths, project_paths

HOSTS = "all:\n  hosts:\n    core-sw01:\n      ansible_host: 127.0.0.1\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A project with customers acme and northwind, the default lab's folder and a lab 'nu' that is up."""
    (tmp_path / "ansible.cfg").write_text("[defaults]\ninventory = inventory/lab\n")
    (tmp_path / "playbooks").mkdir()
    for name in ("acme", "northwind"):
        folder = tmp_path / "inventory" / name
        folder.mkdir(parents=True)
        (folder / "hosts.yml").write_text(HOSTS)
    (tmp_path / "inventory" / "acme" / ".customer.yml").write_text("display_name: ACME Logistics\n")
    (tmp_path / "inventory" / "lab").mkdir()
    lab = tmp_path / ".opsbook" / "lab" / "nu"
    lab.mkdir(parents=True)
    (lab / "state.json").write_text(json.dumps({"name": "nu", "inventory_dir": str(lab / "inventory")}))
    for var in ("OPSBOOK_CUSTOMER", "OPSBOOK_LAB", "ANSIBLE_INVENTORY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPSBOOK_PROJECT", str(tmp_path))
    yield tmp_path


def test_without_any_choice_the_context_is_ansible_cfgs_inventory_the_default_lab(project: Path) -> None:
    found = resolve(project, env={})
    assert (found.name, found.kind, found.source) == ("opsbook", "lab", "ansible.cfg")
    assert found.inventories == (project / "inventory" / "lab",)
    assert found.state == project / ".opsbook" / "customers" / "opsbook"


def test_precedence_flag_env_customer_env_lab_ansible_inventory_use(
    project: Path,
) -> None:
    ctx.remember(project, "northwind")
    env = {
        "OPSBOOK_CUSTOMER": "acme",
        "OPSBOOK_LAB": "nu",
        "ANSIBLE_INVENTORY": str(project / "inventory" / "northwind"),
    }
    assert resolve(project, flag="northwind", env=env).source == "--customer"
    assert resolve(project, flag="northwind", env=env).name == "northwind"
    assert (resolve(project, env=env).name, resolve(project, env=env).source) == ("acme", "$OPSBOOK_CUSTOMER")
    del env["OPSBOOK_CUSTOMER"]
    assert (resolve(project, env=env).name, resolve(project, env=env).kind) == ("nu", "lab")
    del env["OPSBOOK_LAB"]
    by_ansible = resolve(project, env=env)
    assert (by_ansible.name, by_ansible.source) == ("northwind", "$ANSIBLE_INVENTORY")
    env["ANSIBLE_INVENTORY"] = ""
    assert (resolve(project, env=env).name, resolve(project, env=env).source) == ("northwind", "opsbook use")
    assert ctx.forget(project)
    assert resolve(project, env=env).source == "ansible.cfg"


def test_a_customer_has_a_display_name_and_its_own_state_folder(project: Path) -> None:
    acme = resolve(project, flag="acme", env={})
    assert acme.display_name == "ACME Logistics"
    assert acme.describe() == "customer acme (ACME Logistics), from --customer"
    assert acme.paths.state == project / ".opsbook" / "customers" / "acme"
    assert acme.paths.runs == project / ".opsbook" / "customers" / "acme" / "runs"
    assert acme.paths.reports == project / ".opsbook" / "customers" / "acme" / "reports"
    assert acme.paths.inventories == [project / "inventory" / "acme"]
    # what every customer shares stays in .opsbook/
    assert acme.paths.lab_state == project / ".opsbook" / "lab"
    assert acme.paths.state_root == project / ".opsbook"


def test_an_unknown_customer_is_refused_naming_the_known_ones(project: Path) -> None:
    with pytest.raises(ContextError) as caught:
        resolve(project, flag="acmee", env={})
    assert "--customer names 'acmee'" in str(caught.value)
    assert "acme, northwind, opsbook, nu" in str(caught.value)
    with pytest.raises(ContextError, match=r"\$OPSBOOK_CUSTOMER names 'ghost'"):
        resolve(project, env={"OPSBOOK_CUSTOMER": "ghost"})


def test_a_name_that_is_not_a_folder_name_is_refused(project: Path) -> None:
    for bad in ("../etc", "a/b", "", "UPPER"):
        with pytest.raises(ContextError):
            ctx.check_name(bad, "--customer")


def test_opsbook_lab_names_a_lab_even_before_it_is_up(project: Path) -> None:
    found = resolve(project, env={"OPSBOOK_LAB": "later"})
    assert (found.name, found.kind) == ("later", "lab")
    assert found.inventories == (project / ".opsbook" / "lab" / "later" / "inventory",)
    assert resolve(project, env={"OPSBOOK_LAB": "lab"}).name == "opsbook"


def test_ansible_inventory_outside_any_customer_gets_a_state_folder_of_its_own(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = tmp_path_factory.mktemp("elsewhere") / "hosts.yml"
    other.write_text(HOSTS)
    first = resolve(project, env={"ANSIBLE_INVENTORY": str(other)})
    assert first.kind == "inventory" and first.name.startswith("inventory-")
    assert first.inventories == (other,)
    assert first.state != resolve(project, env={}).state


def test_use_refuses_an_unknown_name_and_a_broken_remembered_file_is_named(project: Path) -> None:
    with pytest.raises(ContextError):
        ctx.remember(project, "ghost")
    assert ctx.remembered(project) is None
    ctx.remembered_path(project).write_text("{not json")
    with pytest.raises(ContextError, match=r"context\.json is not readable"):
        resolve(project, env={})


def test_a_customer_file_with_other_keys_is_refused_with_its_path(project: Path) -> None:
    (project / "inventory" / "northwind" / ".customer.yml").write_text("display_name: N\nowner: x\n")
    with pytest.raises(ContextError, match=r"northwind/\.customer\.yml:1:1"):
        resolve(project, flag="northwind", env={})
    # … and it does not block another customer's work
    assert resolve(project, flag="acme", env={}).name == "acme"


def test_a_customer_and_a_lab_of_the_same_name_are_ambiguous(project: Path) -> None:
    (project / ".opsbook" / "lab" / "acme").mkdir()
    (project / ".opsbook" / "lab" / "acme" / "state.json").write_text("{}")
    with pytest.raises(ContextError, match="both a customer"):
        resolve(project, flag="acme", env={})


def test_project_paths_follows_the_environment(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOOK_CUSTOMER", "northwind")
    paths = project_paths()
    assert paths.customer == "northwind"
    assert paths.state == project / ".opsbook" / "customers" / "northwind"


def test_activation_is_seen_by_project_paths_and_undone(project: Path) -> None:
    chosen = resolve(project, flag="acme", env={})
    ctx.activate(chosen)
    try:
        assert project_paths().customer == "acme"
        assert os.environ["OPSBOOK_CUSTOMER"] == "acme"  # processes started now see it too
    finally:
        ctx.deactivate(None)
    assert "OPSBOOK_CUSTOMER" not in os.environ
    assert project_paths().customer == "opsbook"


def test_projectpaths_without_a_context_keeps_the_old_layout(tmp_path: Path) -> None:
    paths = ProjectPaths(tmp_path)
    assert paths.state == tmp_path / ".opsbook"
    assert paths.runs == tmp_path / ".opsbook" / "runs"


def test_zero_targets_is_an_error_naming_the_register(project: Path) -> None:
    require_targets(1, "hosts")  # something to do: no error
    with pytest.raises(NoTargetsError) as caught:
        require_targets(0, "hosts", paths=resolve(project, flag="acme", env={}).paths)
    assert caught.value.exit_code != 0
    assert "no hosts in the register of customer acme (ACME Logistics)" in str(caught.value)
    with pytest.raises(NoTargetsError, match="matching --limit 'web'"):
        require_targets(0, "hosts", sources=[project / "x.yml"], limit="web")


def test_display_name_for_records(project: Path) -> None:
    assert ctx.display_name(resolve(project, flag="acme", env={}).paths) == "ACME Logistics"
    assert ctx.display_name(resolve(project, flag="northwind", env={}).paths) == "northwind"
    assert ctx.display_name(ProjectPaths(project)) == ""


def test_another_customers_register_by_i_is_refused_when_a_customer_was_chosen(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """-C acme -i inventory/northwind would keep northwind's backups and reports as acme's."""
    northwind = project / "inventory" / "northwind"
    monkeypatch.setenv("OPSBOOK_CUSTOMER", "acme")
    with pytest.raises(ContextError, match="is the register of customer northwind") as caught:
        ctx.check_sources([northwind], root=project)
    assert "opsbook --customer northwind" in str(caught.value)
    with pytest.raises(ContextError):
        ctx.check_sources([northwind / "hosts.yml"], root=project)  # a file inside it too
    ctx.check_sources([project / "inventory" / "acme"], root=project)  # its own register: fine
    scratch = project / "scratch.yml"
    scratch.write_text("all: {}\n")
    ctx.check_sources([scratch], root=project)  # not a register of anyone: fine
    ctx.check_sources(None, root=project)
    monkeypatch.delenv("OPSBOOK_CUSTOMER")
    ctx.check_sources([northwind], root=project)  # nothing chosen (ansible.cfg's default): -i decides
