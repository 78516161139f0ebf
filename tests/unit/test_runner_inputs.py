"""Run ids and a run's inputs: playbook names and paths, inventories, extra vars, tags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from opsbook.base.ids import GENERATED_RUN_ID, is_valid_run_id, new_run_id
from opsbook.errors import UsageError
from opsbook.paths import ProjectPaths
from opsbook.runner.inputs import (
    RunInputError,
    available_playbooks,
    normalize_tags,
    parse_extravars,
    resolve_inventories,
    resolve_playbook,
)


def test_run_id_format_and_utc() -> None:
    moment = datetime(2026, 11, 27, 12, 30, 0, tzinfo=UTC) + timedelta()
    assert new_run_id(moment, token="0a1b2c") == "20261127T123000Z-0a1b2c"
    local = datetime(2026, 11, 27, 13, 30, 0).astimezone()
    assert new_run_id(local, token="000000").startswith(f"{local.astimezone(UTC):%Y%m%dT%H%M%S}Z")
    assert GENERATED_RUN_ID.match(new_run_id())


def test_run_ids_sort_by_time_and_are_unique() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [new_run_id(start + timedelta(seconds=s)) for s in (5, 1, 3, 60, 3600)]
    assert sorted(ids) == [ids[1], ids[2], ids[0], ids[3], ids[4]]
    assert len({new_run_id(start) for _ in range(500)}) == 500


@pytest.mark.parametrize("run_id", ["20261127T123000Z-0a1b2c", "inc-42_rerun.1"])
def test_valid_run_ids(run_id: str) -> None:
    assert is_valid_run_id(run_id)


@pytest.mark.parametrize("run_id", ["", "../x", "a/b", ".hidden", "x" * 129, "sp ace"])
def test_invalid_run_ids(run_id: str) -> None:
    assert not is_valid_run_id(run_id)


@pytest.fixture
def project(tmp_path: Path) -> ProjectPaths:
    root = tmp_path / "project"
    for name in ("health.yml", "site.yaml", "emergency/disk-full.yml", "tasks/helper.yml", "vars/x.yml"):
        path = root / "playbooks" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("- hosts: all\n")
    (root / "playbooks" / "README.md").write_text("not a playbook")
    (root / "inventory" / "lab").mkdir(parents=True)
    (root / "ansible.cfg").write_text("[defaults]\n")
    return ProjectPaths(root)


def test_available_playbooks_skips_task_and_var_files(project: ProjectPaths) -> None:
    assert available_playbooks(project) == ["emergency/disk-full", "health", "site"]


def test_resolve_playbook_by_name_with_or_without_suffix(project: ProjectPaths, tmp_path: Path) -> None:
    pb = project.playbooks
    assert resolve_playbook("health", project, cwd=tmp_path) == pb / "health.yml"
    assert resolve_playbook("site", project, cwd=tmp_path) == pb / "site.yaml"
    assert resolve_playbook("health.yml", project, cwd=tmp_path) == pb / "health.yml"
    assert (
        resolve_playbook("emergency/disk-full", project, cwd=tmp_path) == pb / "emergency" / "disk-full.yml"
    )


def test_resolve_playbook_by_path(project: ProjectPaths, tmp_path: Path) -> None:
    own = tmp_path / "mine.yml"
    own.write_text("- hosts: all\n")
    assert resolve_playbook("mine.yml", project, cwd=tmp_path) == own
    assert resolve_playbook(own, project) == own
    assert (
        resolve_playbook("project/playbooks/health.yml", project, cwd=tmp_path)
        == project.playbooks / "health.yml"
    )


def test_an_unknown_playbook_name_lists_the_available_ones(project: ProjectPaths, tmp_path: Path) -> None:
    with pytest.raises(RunInputError) as caught:
        resolve_playbook("helth", project, cwd=tmp_path)
    err = caught.value
    assert "Unknown playbook 'helth'" in err.message
    assert err.hint == "Available playbooks: emergency/disk-full, health, site."
    assert isinstance(err, UsageError) and err.exit_code == 1


def test_a_missing_playbook_path_is_named(project: ProjectPaths, tmp_path: Path) -> None:
    with pytest.raises(RunInputError, match=f"Playbook file not found: {tmp_path}/nope/site.yml"):
        resolve_playbook("nope/site.yml", project, cwd=tmp_path)
    with pytest.raises(RunInputError, match="is a folder"):
        resolve_playbook(str(project.playbooks), project, cwd=tmp_path)
    with pytest.raises(RunInputError, match="No playbook given"):
        resolve_playbook(" ", project)


def test_resolve_inventories_relative_to_cwd_then_project(project: ProjectPaths, tmp_path: Path) -> None:
    local = tmp_path / "hosts.ini"
    local.write_text("x\n")
    found = resolve_inventories(["hosts.ini", "inventory/lab"], project, cwd=tmp_path)
    assert found == [local, project.lab_inventory]
    assert resolve_inventories(None, project) == []
    with pytest.raises(RunInputError, match=f"Inventory not found: {tmp_path}/nope"):
        resolve_inventories(["nope"], project, cwd=tmp_path)


def test_parse_extravars() -> None:
    assert parse_extravars(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    for bad in ("novalue", "=x", "two words=1"):
        with pytest.raises(RunInputError, match="Bad extra variable"):
            parse_extravars([bad])


def test_normalize_tags() -> None:
    assert normalize_tags(None) == []
    assert normalize_tags("a, b,,c") == ["a", "b", "c"]
    assert normalize_tags(["a", "b,c"]) == ["a", "b", "c"]
