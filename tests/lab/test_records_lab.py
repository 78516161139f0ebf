"""Records on a real lab host (issues 10.4, 12.3): the history entry of a real runbook run vouches
for every file ansible-runner and opsbook wrote, and the service report lists the command that
really ran.

A throw-away changing runbook (in a temporary folder) writes a file on one lab host with a
command and reports before/after through set_stats. It runs in the test lab's own context (its
state folder), so the tampering below never touches another context's history.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from opsbook.lab.handle import LabHandle
from opsbook.paths import ProjectPaths, project_paths
from opsbook.records.history import History
from opsbook.runbooks.engine import Engine, RunRequest
from opsbook.runbooks.exitcodes import ExitCode

MARKER = "/tmp/opsbook-records-lab"
RUNBOOK = """\
title: Records demo
category: emergency
summary: Writes a marker file and verifies it.
playbook: records-demo.yml
targets:
  pattern: linux
risk: changing
timeout: 2m
report:
  problem: A missing marker on {{ targets | join(', ') }}.
"""
PAGE = "# records-demo\n\n## Symptoms\n## Diagnosis\n## Procedure\n## Escalation\n## References\n"
PLAYBOOK = f"""\
- name: Records demo
  hosts: linux
  gather_facts: false
  tasks:
    - name: Look for the marker
      ansible.builtin.stat:
        path: {MARKER}
      register: demo_before
    - name: Write the marker
      ansible.builtin.command:
        argv: [sh, -c, "echo fixed > {MARKER}"]
      changed_when: true
    - name: Look again
      ansible.builtin.stat:
        path: {MARKER}
      register: demo_after
    - name: Report
      ansible.builtin.set_stats:
        per_host: true
        data:
          opsbook:
            pre: {{marker: "{{{{ demo_before.stat.exists }}}}"}}
            post: {{marker: "{{{{ demo_after.stat.exists }}}}"}}
            verified: "{{{{ (not ansible_check_mode) and demo_after.stat.exists }}}}"
            actions: ["wrote {MARKER}"]
"""


class Quiet:
    def on_event(self, event: Mapping[str, Any]) -> None: ...
    def on_status(self, status: Any) -> None: ...
    def info(self, text: str) -> None: ...
    def warn(self, text: str) -> None: ...
    def interactive(self) -> bool:
        return False

    def confirm(self, question: str) -> bool:
        return False

    def ask(self, prompt: str) -> str:
        return ""

    def show_plan(self, plan: Sequence[Any]) -> None: ...


def _issues(history: History, run_id: str) -> list[str]:
    """verify's findings about this run (the lab's context may hold other runs)."""
    return [str(i) for i in history.verify() if i.run_id == run_id]


@pytest.fixture
def own_state(lab: LabHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[ProjectPaths]:
    """The lab's own context (its state folder), for the engine and the runner alike."""
    for name in ("OPSBOOK_CUSTOMER", "ANSIBLE_INVENTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPSBOOK_LAB", lab.name)
    paths = project_paths()
    assert paths.customer == lab.name
    yield paths
    lab.sh(lab.hosts[0], f"rm -f {MARKER}")


def test_a_real_run_is_recorded_whole_and_tampering_is_named(
    lab: LabHandle, tmp_path: Path, own_state: ProjectPaths
) -> None:
    host = lab.hosts[0]
    lab.sh(host, f"rm -f {MARKER}")
    for name, text in {
        "runbooks/records-demo.yml": RUNBOOK,
        "runbooks/records-demo.md": PAGE,
        "playbooks/records-demo.yml": PLAYBOOK,
    }.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    engine = Engine(
        own_state, Quiet(), runbooks_dir=tmp_path / "runbooks", playbooks_dir=tmp_path / "playbooks"
    )
    outcome = engine.run(RunRequest("records-demo", limit=host, inventory=[lab.inventory], yes=True))
    assert outcome.exit_code is ExitCode.OK, outcome.record.summary if outcome.record else outcome
    record = outcome.record
    assert record is not None
    report = record.service_report
    assert report.commands_applied == [f"{host}: Write the marker — sh -c 'echo fixed > {MARKER}'"]
    assert report.result_verified == [f"{host}: verified — after: marker=true"]
    assert [(r.name, r.before, r.after) for r in report.checks] == [("marker", "false", "true")]

    history = History(own_state.state)
    entry = history.get("last")
    assert entry.id == record.id and entry.files is not None
    run, plan = f"runs/{record.id}", f"runs/{record.id}-plan"
    for name in ("service-report.md", "service-report.html", "result.json", "stdout", "rc", "status"):
        assert f"{run}/{name}" in entry.files, name
    assert f"{plan}/result.json" in entry.files
    assert any(k.startswith(f"{run}/job_events/") for k in entry.files), "ansible-runner's events"
    assert _issues(history, record.id) == []

    signed = own_state.state / run / "service-report.md"
    result = own_state.state / plan / "result.json"
    originals = {path: path.read_bytes() for path in (signed, result)}
    try:
        signed.write_bytes(originals[signed].replace(b"verified", b"checked"))
        result.write_bytes(originals[result].replace(b'"successful"', b'"failed"'))
        assert _issues(history, record.id) == [
            f"{record.id}: file edited: {plan}/result.json differs from the indexed hash",
            f"{record.id}: file edited: {run}/service-report.md differs from the indexed hash",
        ]
    finally:  # the lab's history stays intact for the next session
        for path, data in originals.items():
            path.write_bytes(data)
    assert _issues(history, record.id) == []
