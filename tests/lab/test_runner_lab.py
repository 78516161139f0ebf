"""run_playbook against the real lab: SSH hosts, podman exec (the podman env the runner merges in),
check mode that changes nothing, then a real change, then idempotence."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsbook.lab.handle import LabHandle
from opsbook.results import TaskStatus
from opsbook.runner import run_playbook

pytestmark = pytest.mark.lab

PROBE = """\
- name: Probe the lab hosts
  hosts: linux
  gather_facts: false
  tasks:
    - name: Ping
      ansible.builtin.ping:
    - name: Read the hostname
      ansible.builtin.command: hostname
      check_mode: false
      changed_when: false
"""

WRITE = """\
- name: Write a marker file
  hosts: "{{ runner_target }}"
  gather_facts: false
  tasks:
    - name: Marker
      ansible.builtin.copy:
        content: "written by the opsbook runner\\n"
        dest: /srv/data/runner-marker.txt
        mode: "0644"
"""


def test_every_lab_host_reports_over_ssh(lab: LabHandle, tmp_path: Path) -> None:
    play = tmp_path / "probe.yml"
    play.write_text(PROBE, encoding="utf-8")
    result = run_playbook(play, inventory=[lab.inventory], runs_dir=tmp_path / "runs")
    assert result.status == "successful", result.error
    assert sorted(result.hosts) == sorted(lab.hosts)
    for host in lab.hosts:
        assert result.hosts[host].ok == 2 and result.hosts[host].changed == 0
        [hostname] = [t for t in result.for_host(host) if t.task == "Read the hostname"]
        assert hostname.result["stdout"] == host
    assert (result.artifact_dir / "result.json").is_file()


def test_podman_exec_works_without_podman_settings_in_the_callers_environment(
    lab: LabHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONTAINERS_CONF", raising=False)
    monkeypatch.delenv("CONTAINERS_STORAGE_CONF", raising=False)
    play = tmp_path / "probe.yml"
    play.write_text(PROBE.replace("hosts: linux", "hosts: lab_podman"), encoding="utf-8")
    result = run_playbook(play, inventory=[lab.inventory, lab.podman_inventory], runs_dir=tmp_path / "runs")
    assert result.status == "successful", result.error
    assert sorted(result.hosts) == sorted(lab.hosts)


def test_check_then_change_then_nothing_to_do(lab: LabHandle, tmp_path: Path) -> None:
    host = lab.hosts[0]
    play = tmp_path / "write.yml"
    play.write_text(WRITE, encoding="utf-8")
    runs = tmp_path / "runs"

    def write(check: bool) -> list[TaskStatus]:
        result = run_playbook(
            play,
            inventory=[lab.inventory],
            extravars={"runner_target": host},
            check=check,
            diff=True,
            runs_dir=runs,
        )
        assert result.status == "successful", result.error
        return [t.status for t in result.for_host(host)]

    try:
        assert write(check=True) == [TaskStatus.CHANGED]
        assert lab.sh(host, "test -e /srv/data/runner-marker.txt", check=False).returncode != 0
        assert write(check=False) == [TaskStatus.CHANGED]
        assert lab.sh(host, "cat /srv/data/runner-marker.txt").stdout == "written by the opsbook runner\n"
        assert write(check=False) == [TaskStatus.OK]
    finally:
        lab.sh(host, "rm -f /srv/data/runner-marker.txt")
