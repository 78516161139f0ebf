"""No code runs from a value a user supplies (issue 10.1), through each entry point, for real.

A throw-away project (ansible.cfg, a register with one ``ansible_connection=local`` host, a
playbook and a runbook) and the real ``opsbook`` command: ansible-playbook runs for real. The
issue's examples: ``-p path='/{{7*7}}'`` ran ``df /49``; a ``lookup("pipe", …)`` value ran a
command on the controller. Both must stay the literal text they were.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from opsbook_kit import LOCAL_HOST, opsbook, write_project

FIXTURES = Path(__file__).parents[1] / "unit" / "fixtures" / "runner"
TEMPLATE = "/{{7*7}}"

# Declared read-only for `opsbook run` (it writes only into the test's own temporary folder), so
# the test reaches the runner directly rather than the change flow (which passes extra vars the
# same way: through the runner's writer).
PLAYBOOK = """\
- name: Probe what a value becomes
  hosts: probed
  gather_facts: false
  vars:
    opsbook_read_only: true
  tasks:
    - name: Keep the value as it came
      ansible.builtin.copy:
        content: "{{ probe_value }}"
        dest: "{{ probe_out }}/value.txt"
        mode: "0600"
    - name: Keep the other value as it came
      ansible.builtin.copy:
        content: "{{ probe_cmd }}"
        dest: "{{ probe_out }}/cmd.txt"
        mode: "0600"
    - name: Use the value in a command, like disk-full's df
      ansible.builtin.command: "echo {{ probe_value }}"
      register: probe_echo
      changed_when: false
    - name: Keep what the command printed
      ansible.builtin.copy:
        content: "{{ probe_echo.stdout }}"
        dest: "{{ probe_out }}/echo.txt"
        mode: "0600"
"""

RUNBOOK = """\
title: Probe parameters
category: audit
summary: Writes its parameters to files, as given.
playbook: probe.yml
targets:
  pattern: probed
risk: read-only
verifies: false
parameters:
  value:
    type: str
    help: A value.
    var: probe_value
  cmd:
    type: str
    help: Another value.
    var: probe_cmd
  out:
    type: str
    help: Where the files go.
    var: probe_out
report:
  problem: Probe.
"""

PAGE = "# probe-params\n\n" + "".join(
    f"## {s}\n{s}\n\n" for s in ("Symptoms", "Diagnosis", "Procedure", "Escalation", "References")
)


def make_project(root: Path) -> Path:
    """A minimal opsbook project with the probe playbook and runbook."""
    return write_project(
        root,
        {
            "inventory/hosts.yml": LOCAL_HOST.format(group="probed"),
            "playbooks/probe.yml": PLAYBOOK,
            "runbooks/probe-params.yml": RUNBOOK,
            "runbooks/probe-params.md": PAGE,
        },
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def hostile(tmp_path: Path) -> tuple[str, Path]:
    marker = tmp_path / "pwned"
    return f"{{{{ lookup('pipe', 'touch {marker}') }}}}", marker


def assert_kept_as_text(out: Path, cmd: str, marker: Path) -> None:
    assert (out / "value.txt").read_text() == TEMPLATE  # not /49
    assert (out / "echo.txt").read_text() == TEMPLATE  # the command saw the text, as `df` would
    assert (out / "cmd.txt").read_text() == cmd
    assert not marker.exists()  # the lookup never ran


def test_opsbook_run_extra_vars_stay_text(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    cmd, marker = hostile(tmp_path)
    done = opsbook(
        project,
        "run",
        "probe",
        "-e",
        f"probe_value={TEMPLATE}",
        "-e",
        f"probe_cmd={cmd}",
        "-e",
        f"probe_out={out}",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert_kept_as_text(out, cmd, marker)


def test_runbook_parameters_stay_text(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    cmd, marker = hostile(tmp_path)
    done = opsbook(
        project,
        "runbook",
        "run",
        "probe-params",
        "-p",
        f"value={TEMPLATE}",
        "-p",
        f"cmd={cmd}",
        "-p",
        f"out={out}",
        "--yes",
        "--no-progress",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert_kept_as_text(out, cmd, marker)


def test_a_template_in_a_value_is_what_the_issue_saw_without_the_tag(project: Path, tmp_path: Path) -> None:
    """The control: the same playbook given a trusted template (in the playbook's own vars file)
    does evaluate it — so the two tests above prove the tag, not a playbook that never templates."""
    out = tmp_path / "out"
    out.mkdir()
    vars_file = project / "playbooks" / "trusted.yml"
    vars_file.write_text(
        textwrap.dedent(f"""\
            probe_value: "{TEMPLATE}"
            probe_cmd: "plain"
            probe_out: "{out}"
        """)
    )
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            "inventory/hosts.yml",
            "-e",
            f"@{vars_file}",
            "playbooks/probe.yml",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "value.txt").read_text() == "/49"
