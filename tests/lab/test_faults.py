"""Fault tests on the real lab (issue 10.9): real podman hosts, real simulated devices, real
ansible-runner. Each fault is caused for real while a run goes, and the test asserts what the
record, the history and the service report say, and that nothing of the run is left running.

- a host lost mid-run: its container is stopped while a long task runs on two hosts; the other
  host finishes, the record says the lost one failed or unreachable (never ok) and
  ``rerun_request(record, failed_only=True)`` re-runs only that host once it is back;
- SIGINT (to the process group, as Ctrl-C sends it) and SIGTERM (to opsbook alone, as ``kill``
  does) mid-run: exit code, the record marked interrupted, the target's lock released, no
  ansible-playbook or ssh process of the run left on this machine;
- a device dropped mid-push and the controller's disk full: tests/lab/test_faults_more.py.

Two changing runs at once on one host (the second refused, naming the holder) is
tests/lab/test_change_flow_lab.py::test_two_changing_runs_on_one_host_never_overlap.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_runbook_labkit import _cli_env, _finish
from test_runbook_secrets import QuietUi

from opsbook.change.lock import lock_path
from opsbook.lab.devices.control import ssh_banner
from opsbook.lab.handle import LabHandle
from opsbook.lab.podman import podman_executable
from opsbook.paths import project_paths
from opsbook.records.history import History
from opsbook.runbooks.engine import Engine, RunRequest, rerun_request
from opsbook.runbooks.exitcodes import ExitCode

MARK = "/etc/opsbook-faults.txt"
SLEEP = 73  # seconds; an odd number nothing else on a lab host sleeps for
TASK = "Take long (the fault happens here)"
PLAYBOOK = f"""\
- name: A change with a long task (tests/lab/test_faults.py)
  hosts: linux
  gather_facts: false
  tasks:
    - name: Write the mark
      ansible.builtin.copy:
        dest: {MARK}
        content: "changed by {{{{ opsbook_ticket }}}}\\n"
        mode: "0644"
    - name: {TASK}
      ansible.builtin.command: sleep {{{{ faults_sleep | default(0) }}}}
      changed_when: false
"""


@pytest.fixture
def playbook(lab: LabHandle, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "faults.yml"
    path.write_text(PLAYBOOK)
    for host in lab.hosts:
        lab.sh(host, f"rm -f {MARK}")
    yield path
    for host in lab.hosts:
        lab.sh(host, f"rm -f {MARK}; pkill -x -f 'sleep {SLEEP}|sleep {LOST_SLEEP}' || true", check=False)


def controller_processes(*needles: str) -> list[str]:
    """This machine's processes whose command line holds any of ``needles``."""
    ps = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True, check=True).stdout
    return [line for line in ps.splitlines() if any(n in line for n in needles) and "ps -eo" not in line]


def ssh_clients(port: int) -> list[str]:
    """ssh client processes to a lab host's port (ansible's connection-sharing master, ``[mux]``,
    belongs to no run: it outlives every run by design, ControlPersist in ansible.cfg)."""
    return [p for p in controller_processes("ssh ") if f"-o Port={port}" in p and "[mux]" not in p]


def wait_for_task(lab: LabHandle, host: str, run: subprocess.Popen[str], deadline: float = 180) -> None:
    """Until the long task's command runs on the host (the plan, in check mode, runs no command)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end and run.poll() is None:
        if lab.sh(host, f"pgrep -x -f 'sleep {SLEEP}'", check=False).returncode == 0:
            return
        time.sleep(0.3)
    if run.poll() is None:
        run.kill()
    pytest.fail(f"the long task never started on {host}:\n{run.communicate()[0]}")


def lock_is_free(host: str) -> bool:
    path = lock_path(project_paths().state, host)
    if not path.exists():
        return True
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
    return True


@pytest.mark.parametrize(
    ("signum", "to_group", "exit_code"),
    [(signal.SIGINT, True, 130), (signal.SIGTERM, False, 143)],
    ids=["SIGINT-to-the-group", "SIGTERM-to-opsbook"],
)
def test_a_signal_mid_run_interrupts_it_releases_the_lock_and_leaves_nothing_running(
    lab: LabHandle, playbook: Path, signum: signal.Signals, to_group: bool, exit_code: int
) -> None:
    host = lab.hosts[2]
    ticket = f"CHG-9{int(signum)}"
    args = ["run", str(playbook), "--limit", host, "-i", str(lab.inventory), "--ticket", ticket, "--yes"]
    process = subprocess.Popen(
        [sys.executable, "-c", "from opsbook.cli import main; main()", *args, "-e", f"faults_sleep={SLEEP}"],
        cwd=lab.root, env=_cli_env(lab), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_task(lab, host, process)
        assert not lock_is_free(host), "the run holds its host's lock while it runs"
        started = time.monotonic()
        if to_group:
            os.killpg(process.pid, signum)  # what Ctrl-C does: the whole foreground group
        else:
            os.kill(process.pid, signum)  # what kill / systemd does: opsbook alone
        output, _ = process.communicate(timeout=90)
        elapsed = time.monotonic() - started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    run = _finish(process.returncode, output)
    assert process.returncode == exit_code, run.output
    assert elapsed < 30, f"opsbook took {elapsed:.0f} s to stop after {signum.name}"
    record = run.record
    assert record is not None, run.output
    assert record.outcome == "interrupted", (record.outcome, record.summary)
    assert signum.name in record.summary
    assert record.hosts[host].status == "interrupted"
    assert record.hosts[host].interrupted_task == TASK
    assert record.failed_hosts() == [host]  # what `history rerun --failed` targets
    report = record.service_report
    assert any(TASK in line and "may still be running" in line for line in report.action_taken), report
    assert any("NOT verified" in line for line in report.result_verified), report
    (entry,) = [e for e in History(project_paths().state).entries() if e.id == record.id]
    assert (entry.outcome, entry.exit_code, entry.targets) == ("interrupted", exit_code, [host])
    assert lock_is_free(host), "the lock is released"
    assert not controller_processes(str(playbook)), "no ansible-playbook (or worker) of the run is left"
    assert not ssh_clients(lab.host_ports[host]), "no ssh of the run is left"


LOST_SLEEP = 19  # seconds; the lost host's task, long enough to stop its container under it
RUNBOOK = """\
title: Two hosts, one lost
category: maintenance
summary: A change with a long task, run on two lab hosts (tests/lab/test_faults.py).
playbook: faults.yml
targets:
  pattern: linux
risk: changing
verifies: false
timeout: 5m
report:
  problem: A fault test on {{ targets | join(', ') }}.
"""
PAGE = "# faults\n\n## Symptoms\n## Diagnosis\n## Procedure\n## Escalation\n## References\n"


def podman(lab: LabHandle, *args: str) -> None:
    subprocess.run([podman_executable(), *args], env=lab.env, capture_output=True, text=True, check=True)


def restart_host(lab: LabHandle, host: str) -> None:
    """Start a stopped lab host again and wait until its SSH server answers (other tests share it)."""
    podman(lab, "start", lab.container_id(host))
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if ssh_banner(lab.host_ports[host]):
            return
        time.sleep(0.5)
    pytest.fail(f"lab host {host} did not come back")


@pytest.fixture
def throwaway(lab: LabHandle, tmp_path: Path) -> Engine:
    """An engine that knows the throw-away runbook ``faults`` (a tmp folder) and its playbook."""
    for name, text in {
        "runbooks/faults.yml": RUNBOOK,
        "runbooks/faults.md": PAGE,
        "playbooks/faults.yml": PLAYBOOK.replace("default(0)", f"default({LOST_SLEEP})"),
    }.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    return Engine(
        project_paths(), QuietUi(), runbooks_dir=tmp_path / "runbooks", playbooks_dir=tmp_path / "playbooks"
    )


def test_a_host_lost_mid_run_the_other_finishes_and_rerun_failed_redoes_only_it(
    lab: LabHandle, playbook: Path, throwaway: Engine
) -> None:
    kept, lost = lab.hosts[0], lab.hosts[1]
    request = RunRequest(
        "faults", limit=f"{kept},{lost}", inventory=[lab.inventory], ticket="CHG-910", yes=True
    )
    # beside the run (a process, not a thread: the runner forks ansible under a pty): as soon as the
    # long task runs on the host, its container is killed, as a power loss takes a machine
    podman_cmd, container = shlex.quote(podman_executable()), lab.container_id(lost)
    running = f"{podman_cmd} exec {container} pgrep -x -f 'sleep {LOST_SLEEP}' >/dev/null"
    watch = (
        f"for i in $(seq 600); do {running} && exec {podman_cmd} kill {container}; sleep 0.3; done; exit 3"
    )
    fault = subprocess.Popen(
        ["sh", "-c", watch], env=lab.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        outcome = throwaway.run(request)
    finally:
        if fault.poll() is None:
            fault.kill()
        fault.wait()
        restart_host(lab, lost)
    assert fault.returncode == 0, "the host was not lost while the long task ran"
    assert outcome.record is not None
    record = outcome.record
    assert outcome.exit_code is ExitCode.FAILED, record.summary
    assert record.outcome == "failed"
    assert record.hosts[kept].status in ("ok", "changed")  # the other host finished
    assert record.hosts[lost].status in ("unreachable", "failed"), record.hosts[lost]
    assert record.failed_hosts() == [lost]
    assert lost in record.summary and kept not in record.summary
    report = record.service_report
    assert f"Re-run the failed hosts: opsbook history rerun {record.id} --failed" in report.follow_up
    assert not any(line.startswith(f"{lost}: verified") for line in report.result_verified), report
    (entry,) = [e for e in History(project_paths().state).entries() if e.id == record.id]
    assert (entry.outcome, entry.exit_code) == ("failed", int(ExitCode.FAILED))
    assert lab.sh(kept, f"cat {MARK}").stdout == "changed by CHG-910\n"

    lab.sh(lost, f"rm -f {MARK}")
    rerun = rerun_request(record, failed_only=True, params={}, yes=True)
    assert rerun.limit == lost
    again = throwaway.run(rerun)
    assert again.exit_code is ExitCode.OK, again.record and again.record.summary
    assert again.record is not None and again.record.rerun_of == record.id
    assert again.record.targets == [lost] and again.record.hosts[lost].status in ("ok", "changed")
    assert again.record.ticket == "CHG-910"
    assert lab.sh(lost, f"cat {MARK}").stdout == "changed by CHG-910\n"
    assert not controller_processes("faults.yml"), "nothing of either run is left on this machine"
