"""A runbook that reaches its timeout on a real lab host: ansible is stopped on this machine, and
the record, service report and history say "timeout", name the task that was running (it
may still run on the host: ansible does not stop a remote command when its connection goes) and
give the way to re-run.

A throw-away runbook (in a temporary folder) with ``timeout: 4s`` runs a playbook whose task
sleeps for a minute on one lab host, in the foreground over SSH like any long task.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from test_runbook_secrets import QuietUi

from opsbook.lab.handle import LabHandle
from opsbook.paths import project_paths
from opsbook.records.history import History
from opsbook.runbooks.engine import Engine, RunRequest, rerun_request
from opsbook.runbooks.exitcodes import ExitCode

SLEEP = 67  # seconds; an odd number nothing else on a lab host sleeps for
TASK = "Wait far longer than the runbook allows"
RUNBOOK = """\
title: Stuck
category: maintenance
summary: A task that never finishes in time.
playbook: stuck.yml
targets:
  pattern: linux
risk: read-only
timeout: 4s
report:
  problem: A stuck task on {{ targets | join(', ') }}.
"""
PAGE = "# stuck\n\n## Symptoms\n## Diagnosis\n## Procedure\n## Escalation\n## References\n"
PLAYBOOK = f"""\
- name: Stuck
  hosts: linux
  gather_facts: false
  tasks:
    - name: {TASK}
      ansible.builtin.command:
        argv: [sleep, "{SLEEP}"]
      changed_when: false
"""


def _controller_processes() -> list[str]:
    """Command lines of this machine's processes (ansible-playbook's names its playbook)."""
    ps = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True, check=True).stdout
    return ps.splitlines()


def test_a_runbook_past_its_timeout_is_stopped_and_recorded_as_timeout(
    lab: LabHandle, tmp_path: Path
) -> None:
    host = lab.hosts[0]
    for name, text in {
        "runbooks/stuck.yml": RUNBOOK,
        "runbooks/stuck.md": PAGE,
        "playbooks/stuck.yml": PLAYBOOK,
    }.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    paths = project_paths()
    engine = Engine(
        paths, QuietUi(), runbooks_dir=tmp_path / "runbooks", playbooks_dir=tmp_path / "playbooks"
    )
    before = len(History(paths.state).entries())

    started = time.monotonic()
    outcome = engine.run(RunRequest("stuck", limit=host, inventory=[lab.inventory], ticket="INC-7"))
    elapsed = time.monotonic() - started

    try:
        assert outcome.exit_code is ExitCode.TIMEOUT
        assert elapsed < 40, f"the run took {elapsed:.0f} s; the runbook allows 4 s"
        record = outcome.record
        assert record is not None and record.outcome == "timeout"
        assert record.hosts[host].status == "timeout"
        assert record.hosts[host].interrupted_task == TASK
        report = record.service_report
        assert (
            f"{host}: stopped at the runbook's timeout while running '{TASK}'; that task may still be "
            "running on the host: check it before re-running"
        ) in report.action_taken
        assert report.result_verified == [
            f"{host}: NOT verified — the run was stopped at the runbook's timeout"
        ]
        assert f"Re-run the failed hosts: opsbook history rerun {record.id} --failed" in report.follow_up
        assert rerun_request(record, failed_only=True, params={}, yes=True).limit == host
        (entry,) = History(paths.state).entries()[before:]
        assert (entry.runbook, entry.outcome, entry.exit_code, entry.targets) == (
            "stuck",
            "timeout",
            7,
            [host],
        )
        playbook = str(tmp_path / "playbooks" / "stuck.yml")
        assert not [p for p in _controller_processes() if playbook in p], "ansible was stopped"
    finally:
        lab.sh(host, f"pkill -x -f 'sleep {SLEEP}' || true")
