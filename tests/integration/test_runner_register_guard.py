"""`opsbook run` checks the asset register first: a broken register stops the run before ansible
starts, so no host is touched and no run folder is left behind. The runner takes the check as a
hook (``inventory_check``): the register is a part above the runner, which does not import it."""

from __future__ import annotations

from pathlib import Path

import pytest
from opsbook_kit import opsbook, write_project

from opsbook.register import RegisterError, ensure_register_sound
from opsbook.runner import run_playbook

FIXTURES = Path(__file__).parents[1] / "unit" / "fixtures" / "runner"

BROKEN_REGISTER = (
    "all:\n"
    "  children:\n"
    "    customer_test:\n"
    "      hosts:\n"
    "        alpha:\n"
    "          ansible_connection: local\n"
    "          asset_kind: server\n"
    "          asset_customer: test\n"
    "          asset_serail: X1\n"
)


def touching(touched: Path) -> str:
    return (
        "- hosts: all\n"
        "  gather_facts: false\n"
        "  vars:\n"
        "    opsbook_read_only: true\n"
        "  tasks:\n"
        f"    - ansible.builtin.file: {{path: {touched}, state: touch, mode: '0644'}}\n"
    )


def test_opsbook_run_with_a_broken_register_touches_no_host(tmp_path: Path) -> None:
    touched = tmp_path / "touched"
    project = write_project(
        tmp_path / "project",
        {"inventory/hosts.yml": BROKEN_REGISTER, "playbooks/touch.yml": touching(touched)},
    )
    done = opsbook(project, "run", "touch")
    assert done.returncode != 0
    assert "no host was touched" in done.stderr
    assert "hosts.yml:5" in done.stderr  # the host missing its asset_id, by file and line
    assert "asset_serial" in done.stderr  # did you mean, for the misspelt key
    assert "Traceback" not in done.stderr
    assert not touched.exists()
    assert not any((project / ".opsbook").rglob("result.json"))


def test_the_runner_calls_the_check_before_anything_starts(tmp_path: Path) -> None:
    touched = tmp_path / "touched"
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(BROKEN_REGISTER)
    playbook = tmp_path / "touch.yml"
    playbook.write_text(touching(touched))
    runs = tmp_path / "runs"
    with pytest.raises(RegisterError, match="no host was touched"):
        run_playbook(playbook, inventory=[inventory], runs_dir=runs, inventory_check=ensure_register_sound)
    assert not touched.exists()
    assert not runs.exists() or not any(runs.iterdir())


def test_sound_register_runs(tmp_path: Path) -> None:
    result = run_playbook(
        FIXTURES / "sleep.yml",
        inventory=[FIXTURES / "hosts.yml"],
        limit="alpha",
        extravars={"runner_sleep_seconds": 0},
        runs_dir=tmp_path,
        inventory_check=ensure_register_sound,
    )
    assert result.status == "successful"
