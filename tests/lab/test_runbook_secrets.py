"""Secrets end to end on the lab: a secret parameter and a no_log task's output never reach .opsbook/.

A throw-away runbook (in a temporary folder) passes a canary secret to a playbook that uses it in a
no_log task, prints it in a normal task (the runner must mask it) and reads another canary from the
host in a no_log task. Then every file opsbook keeps under .opsbook/ is scanned for both canaries.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from opsbook.lab.handle import LabHandle
from opsbook.paths import project_paths
from opsbook.runbooks.engine import Engine, RunOutcome, RunRequest
from opsbook.runbooks.exitcodes import ExitCode

RUNBOOK = """\
title: Canary
category: maintenance
summary: Uses a secret.
playbook: canary.yml
targets:
  pattern: linux
risk: read-only
parameters:
  token:
    type: secret
    required: true
    help: The canary.
    var: canary_token
  careless:
    type: bool
    default: false
    help: Print the token in a normal task (a mistake).
    var: canary_careless
report:
  problem: Canary run for {{ targets | join(', ') }} with token {{ params.token }}.
"""
PAGE = "# canary\n\n## Symptoms\n## Diagnosis\n## Procedure\n## Escalation\n## References\n"
PLAYBOOK = """\
- name: Use a secret
  hosts: linux
  gather_facts: false
  tasks:
    - name: Use the token where nothing may log it
      ansible.builtin.command:
        argv: [sh, -c, 'test -n "$1" && echo "got $1"', _, "{{ canary_token }}"]
      no_log: true
      changed_when: false

    - name: Print the token (a mistake the runner must mask and flag)
      ansible.builtin.debug:
        msg: "token is {{ canary_token }}"
      when: canary_careless | bool

    - name: Read a host secret in a no_log task
      ansible.builtin.command:
        argv: [cat, /etc/rb-canary]
      register: canary_file
      no_log: true
      changed_when: false

    - name: Report
      ansible.builtin.set_stats:
        per_host: true
        data:
          opsbook:
            verified: "{{ canary_file.stdout | length > 0 }}"
            findings: ["the token has {{ canary_token | length }} characters"]
"""


class QuietUi:
    def on_event(self, event: object) -> None: ...
    def on_status(self, status: object) -> None: ...
    def info(self, text: str) -> None: ...
    def warn(self, text: str) -> None: ...
    def interactive(self) -> bool:
        return False

    def confirm(self, question: str) -> bool:
        return False

    def ask(self, prompt: str) -> str:
        return ""

    def show_plan(self, plan: object) -> None: ...


@pytest.fixture
def host_canary(lab: LabHandle) -> Iterator[tuple[str, str]]:
    host = lab.hosts[0]
    value = f"canary-host-{secrets.token_hex(8)}"
    lab.sh(host, f"printf %s {value} > /etc/rb-canary && chmod 600 /etc/rb-canary")
    yield host, value
    lab.sh(host, "rm -f /etc/rb-canary")


def _files_under(root: Path) -> Iterator[Path]:
    # podman/ and cache/ hold the lab machines' disks and image build cache (the targets, not
    # opsbook's own files); the host side is checked through the host's journal instead.
    skip = {root / "podman", root / "cache"}
    for path in root.rglob("*"):
        if path.is_file() and not any(s in path.parents for s in skip):
            yield path


def _run_canary(lab: LabHandle, tmp_path: Path, host: str, canary: str, careless: bool) -> RunOutcome:
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "runbooks" / "canary.yml").write_text(RUNBOOK)
    (tmp_path / "runbooks" / "canary.md").write_text(PAGE)
    (tmp_path / "playbooks" / "canary.yml").write_text(PLAYBOOK)
    engine = Engine(
        project_paths(), QuietUi(), runbooks_dir=tmp_path / "runbooks", playbooks_dir=tmp_path / "playbooks"
    )
    params = {"token": canary, "careless": str(careless).lower()}
    return engine.run(
        RunRequest("canary", params=params, limit=host, inventory=[lab.inventory], ticket="INC-99")
    )


def _assert_nowhere(*values: str) -> None:
    scanned = 0
    for path in _files_under(project_paths().state):
        data = path.read_bytes()
        for value in values:
            assert value.encode() not in data, path
        scanned += 1
    assert scanned > 10


def test_a_canary_secret_appears_nowhere_under_opsbook(
    lab: LabHandle, tmp_path: Path, host_canary: tuple[str, str]
) -> None:
    host, host_secret = host_canary
    canary = f"canary-param-{secrets.token_hex(8)}"
    outcome = _run_canary(lab, tmp_path, host, canary, careless=False)
    record = outcome.record
    assert record is not None
    assert outcome.exit_code is ExitCode.OK, record.summary
    assert record.params == {"token": "********", "careless": False} and record.secret_params == ["token"]
    assert record.secret_scan.secrets_checked == 1 and record.secret_scan.leaks == []
    assert "with token ********" in record.service_report.problem
    _assert_nowhere(canary, host_secret)
    # and the host did not log it either (a no_log module never logs its arguments)
    assert lab.sh(host, f"journalctl --no-pager | grep -c {canary} || true").stdout.strip() == "0"


def test_a_printed_secret_is_masked_and_the_run_flagged(
    lab: LabHandle, tmp_path: Path, host_canary: tuple[str, str]
) -> None:
    host, host_secret = host_canary
    canary = f"canary-param-{secrets.token_hex(8)}"
    outcome = _run_canary(lab, tmp_path, host, canary, careless=True)
    record = outcome.record
    assert record is not None
    assert outcome.exit_code is ExitCode.SECRET_LEAK
    assert record.exit_code == ExitCode.SECRET_LEAK
    assert f"runs/{record.id}/stdout" in record.secret_scan.leaks
    assert "SECRET FOUND" in (project_paths().runs / record.id / "service-report.md").read_text()
    # flagged, and masked everywhere it had landed
    _assert_nowhere(canary, host_secret)
