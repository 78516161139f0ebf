"""The one change flow on the real lab (issues 10.2, 10.3, 12.2): `opsbook run` of a changing
playbook is refused without a ticket, outside the maintenance window and without consent, and
with them changes the host and leaves a history entry; two changing runs on one host never
overlap (the second is refused naming the first; a killed run's lock is taken over); `net push`
is recorded in the history like every other change."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from test_runbook_labkit import CliRun, _cli_env, opsbook, opsbook_interactive

from opsbook.change.lock import lock_path
from opsbook.lab.handle import LabHandle
from opsbook.paths import project_paths

MARK = "/etc/opsbook-change-flow.txt"
PLAYBOOK = f"""\
- name: A small change (tests/lab/test_change_flow_lab.py)
  hosts: linux
  gather_facts: false
  tasks:
    - name: Write the mark
      ansible.builtin.copy:
        dest: {MARK}
        content: "changed by {{{{ opsbook_ticket | default('nobody') }}}}\\n"
        mode: "0644"
    - name: Take a while (so that two runs would overlap)
      ansible.builtin.command: sleep {{{{ change_flow_sleep | default(0) }}}}
      changed_when: false
"""
#: a window that is closed now (its day is set to one that is not today)
CLOSED = {"start": "03:00", "end": "03:01", "timezone": "Etc/UTC"}


@pytest.fixture
def change(lab: LabHandle, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    host = lab.hosts[0]
    playbook = tmp_path / "change.yml"
    playbook.write_text(PLAYBOOK)
    lab.sh(host, f"rm -f {MARK}")
    yield host, playbook
    lab.sh(host, f"rm -f {MARK}")


def _other_day() -> str:
    return "mon" if time.strftime("%a", time.gmtime()).lower()[:3] != "mon" else "tue"


def _closed_inventory(lab: LabHandle, host: str, tmp_path: Path) -> Path:
    """The lab's register, with ``host``'s maintenance window closed now (a day that is not today)."""
    closed = tmp_path / "inventory"
    shutil.copytree(lab.inventory, closed)
    host_vars = closed / "host_vars" / f"{host}.yml"
    data = yaml.safe_load(host_vars.read_text())
    data["asset_maintenance_window"] = {**CLOSED, "days": [_other_day()]}
    host_vars.write_text(yaml.safe_dump(data, default_style='"'))  # times quoted, as the register wants
    return closed


def _run(lab: LabHandle, playbook: Path, host: str, *args: str) -> CliRun:
    return opsbook(lab, "run", str(playbook), "--limit", host, "-i", str(lab.inventory), *args)


def _mark(lab: LabHandle, host: str) -> str:
    return lab.sh(host, f"cat {MARK} 2>/dev/null || true").stdout


def _history(lab: LabHandle) -> str:
    return opsbook(lab, "history", "list").output


def test_a_changing_run_is_refused_without_ticket_outside_window_and_without_consent(
    lab: LabHandle, change: tuple[str, Path], tmp_path: Path
) -> None:
    host, playbook = change
    no_ticket = _run(lab, playbook, host, "--yes")
    assert no_ticket.exit_code == 3, no_ticket.output
    assert "changes hosts and needs the ticket it serves; nothing was run" in no_ticket.output

    closed = _closed_inventory(lab, host, tmp_path)
    other = _other_day()
    outside = opsbook(
        lab, "run", str(playbook), "--limit", host, "-i", str(closed), "--ticket", "CHG-100", "--yes"
    )
    assert outside.exit_code == 3, outside.output
    assert f"{host} is outside its maintenance window ({other} 03:00-03:01 Etc/UTC)" in outside.output

    declined = opsbook_interactive(
        lab, "run", str(playbook), "--limit", host, "-i", str(lab.inventory), "--ticket", "CHG-101",
        answers=[(r"as planned\?", "n")],
    )  # fmt: skip
    assert declined.exit_code == 3, declined.output
    assert "Plan (check mode: nothing has changed yet)" in declined.output
    assert "Write the mark" in declined.output  # the plan showed what would change
    assert _mark(lab, host) == ""  # nothing changed by any of them
    assert declined.record is not None and declined.record.outcome == "refused"


def test_with_ticket_window_and_consent_it_changes_the_host_and_leaves_a_history_entry(
    lab: LabHandle, change: tuple[str, Path]
) -> None:
    host, playbook = change
    done = opsbook_interactive(
        lab, "run", str(playbook), "--limit", host, "-i", str(lab.inventory), "--ticket", "CHG-102",
        answers=[(r"as planned\?", "y")],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert _mark(lab, host) == "changed by CHG-102\n"
    record = done.record
    assert record is not None and record.ticket == "CHG-102" and record.consent.given == "prompt"
    assert record.runbook["name"] == "run-change" and record.targets == [host]
    assert record.change is not None and record.change.locks == [host]
    assert record.change.windows[host].startswith("inside its maintenance window")
    assert record.id in _history(lab)
    assert "history intact" in opsbook(lab, "history", "verify").output


def _start(lab: LabHandle, playbook: Path, host: str, ticket: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from opsbook.cli import main; main()", "run", str(playbook), "--limit", host,
         "-i", str(lab.inventory), "--ticket", ticket, "--yes", "-e", "change_flow_sleep=20"],
        cwd=lab.root, env=_cli_env(lab), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _wait_for_holder(host: str) -> Path:
    path = lock_path(project_paths().state, host)
    for _ in range(300):
        if path.exists() and path.read_text().strip():
            return path
        time.sleep(0.1)
    pytest.fail(f"the first run never took the lock {path}")


def test_two_changing_runs_on_one_host_never_overlap(lab: LabHandle, change: tuple[str, Path]) -> None:
    host, playbook = change
    first = _start(lab, playbook, host, "CHG-103")
    try:
        _wait_for_holder(host)
        second = _run(lab, playbook, host, "--ticket", "CHG-104", "--yes")
        assert second.exit_code == 10, second.output
        assert f"{host} is being changed by run " in second.output
        assert f"(opsbook run {playbook}) by " in second.output and f"pid {first.pid}" in second.output
        out, _ = first.communicate(timeout=300)
    finally:
        first.kill()
    assert first.returncode == 0, out
    assert _mark(lab, host) == "changed by CHG-103\n"  # the second never ran
    after = _run(lab, playbook, host, "--ticket", "CHG-105", "--yes")  # released at the end
    assert after.exit_code == 0, after.output
    assert "took over a stale lock" not in after.output


def test_a_killed_runs_lock_is_taken_over(lab: LabHandle, change: tuple[str, Path]) -> None:
    host, playbook = change
    first = _start(lab, playbook, host, "CHG-106")
    _wait_for_holder(host)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    time.sleep(2)  # the killed run took the lock before its plan: nothing of it runs on the host
    again = _run(lab, playbook, host, "--ticket", "CHG-107", "--yes")
    assert again.exit_code == 0, again.output
    assert f"took over a stale lock: {host}: run " in again.output
    assert f"pid {first.pid}" in again.output
    assert again.record is not None and again.record.change is not None
    assert again.record.change.stale_locks and f"pid {first.pid}" in again.record.change.stale_locks[0]


def test_net_push_is_a_recorded_change(lab: LabHandle) -> None:
    device = next(d for d in lab.devices if d.platform == "cisco_ios")
    refused = opsbook(lab, "net", "push", "--limit", device.name, "-i", str(lab.inventory), "--yes")
    assert refused.exit_code == 3 and "needs the ticket it serves" in refused.output
    pushed = opsbook(
        lab, "net", "push", "--limit", device.name, "-i", str(lab.inventory), "--ticket", "CHG-108", "--yes"
    )  # fmt: skip
    assert pushed.exit_code == 0, pushed.output
    record = pushed.record
    assert record is not None and record.runbook["name"] == "network-push" and record.ticket == "CHG-108"
    assert record.change is not None and record.change.locks == [device.name]
    assert record.id in _history(lab)


ROTATED = "/var/log/opsbook-change-flow.log.1"


def test_disk_full_yes_outside_the_window_is_refused_and_force_is_recorded(
    lab: LabHandle, tmp_path: Path
) -> None:
    """Issue 10: `disk-full --yes` outside the register's maintenance window applied its changes."""
    host = lab.hosts[1]
    closed = _closed_inventory(lab, host, tmp_path)
    lab.sh(host, f"head -c 2M /dev/zero > {ROTATED}")
    try:
        args = ["runbook", "run", "disk-full", "--limit", host, "-i", str(closed), "--yes", "--no-progress"]
        refused = opsbook(lab, *args)
        assert refused.exit_code == 3, refused.output
        assert (
            f"{host} is outside its maintenance window ({_other_day()} 03:00-03:01 Etc/UTC)" in refused.output
        )
        assert refused.record is None  # refused before any run folder or record
        assert lab.sh(host, f"test -f {ROTATED} && test ! -e {ROTATED}.gz", check=False).returncode == 0

        reason = "P1: /var/log full, approved by the duty manager"
        forced = opsbook(lab, *args, "--force", reason)
        assert forced.exit_code in (0, 6), forced.output
        assert lab.sh(host, f"test -s {ROTATED}.gz", check=False).returncode == 0  # it ran for real
        record = forced.record
        assert record is not None and record.change is not None and record.change.forced == reason
        assert record.change.overridden[host].startswith("outside its maintenance window")
        assert record.id in _history(lab)
    finally:
        lab.sh(host, f"rm -f {ROTATED} {ROTATED}.gz", check=False)
