"""Every playbook run checks the asset register first: a broken register stops the run before
ansible starts, so no host is touched and no run folder is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsbook.register import RegisterError
from opsbook.runner import run_playbook

FIXTURES = Path(__file__).parents[1] / "unit" / "fixtures" / "runner"


def test_broken_register_stops_the_run_before_any_host(tmp_path: Path) -> None:
    touched = tmp_path / "touched"
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
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
    playbook = tmp_path / "touch.yml"
    playbook.write_text(
        "- hosts: all\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        f"    - ansible.builtin.file: {{path: {touched}, state: touch, mode: '0644'}}\n"
    )
    runs = tmp_path / "runs"
    with pytest.raises(RegisterError) as raised:
        run_playbook(playbook, inventory=[inventory], runs_dir=runs)
    message = str(raised.value)
    assert "no host was touched" in message
    assert "hosts.yml:5" in message  # the host missing its asset_id, by file and line
    assert "asset_serial" in message  # did you mean, for the misspelt key
    assert not touched.exists()
    assert not runs.exists() or not any(runs.iterdir())


def test_sound_register_runs(tmp_path: Path) -> None:
    result = run_playbook(
        FIXTURES / "sleep.yml",
        inventory=[FIXTURES / "hosts.yml"],
        limit="alpha",
        extravars={"runner_sleep_seconds": 0},
        runs_dir=tmp_path,
    )
    assert result.status == "successful"
