"""Ansible reaches the lab over SSH (the inventory's default) and over podman exec (lab_podman)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from opsbook.lab.handle import LabHandle

pytestmark = pytest.mark.lab


def _run(lab: LabHandle, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), env=lab.ansible_env(), cwd=cwd or lab.root, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip


def test_inventory_graph_has_the_register_groups(lab: LabHandle) -> None:
    proc = _run(lab, "ansible-inventory", "-i", str(lab.inventory), "--graph")
    assert proc.returncode == 0, proc.stderr
    for group in ("@linux", "@network", "@ios", "@vrp", "@customer_lab", "@site_lab", "@env_lab"):
        assert group in proc.stdout
    for name in lab.hosts + lab.device_names:
        assert name in proc.stdout


def test_ansible_ping_over_ssh(lab: LabHandle) -> None:
    proc = _run(lab, "ansible", "-i", str(lab.inventory), "linux", "-m", "ansible.builtin.ping")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("SUCCESS") == len(lab.hosts)
    assert '"ping": "pong"' in proc.stdout


PODMAN_PLAY = """\
- name: Over podman exec
  hosts: lab_podman
  gather_facts: false
  tasks:
    - name: Read the hostname without SSH
      ansible.builtin.command: hostname
      register: lab_hostname
      changed_when: false
    - name: The connection is podman exec and the command ran in the right container, as root
      ansible.builtin.assert:
        that:
          - ansible_connection == 'containers.podman.podman'
          - lab_hostname.stdout == inventory_hostname
    - name: Write through podman exec
      ansible.builtin.copy:
        content: "written by podman exec\\n"
        dest: /srv/data/podman-exec.txt
        mode: "0644"
"""


def test_a_play_over_podman_exec(lab: LabHandle, tmp_path: Path) -> None:
    play = tmp_path / "podman.yml"
    play.write_text(PODMAN_PLAY, encoding="utf-8")
    proc = _run(lab, "ansible-playbook", "-i", str(lab.inventory), "-i", str(lab.podman_inventory), str(play))
    try:
        assert proc.returncode == 0, proc.stdout + proc.stderr
        for host in lab.hosts:
            assert f"{host}" in proc.stdout
            assert lab.sh(host, "cat /srv/data/podman-exec.txt").stdout == "written by podman exec\n"
        assert "unreachable=1" not in proc.stdout and "failed=1" not in proc.stdout
    finally:
        for host in lab.hosts:
            lab.sh(host, "rm -f /srv/data/podman-exec.txt")


def test_ios_devices_answer_ansible_network_cli_with_the_inventorys_settings(lab: LabHandle) -> None:
    ios = lab.devices_of("cisco_ios")
    assert ios, "the session lab has at least one IOS device"
    proc = _run(
        lab, "ansible", "-i", str(lab.inventory), "ios", "-m", "cisco.ios.ios_command",
        "-a", "commands='show version'",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for device in ios:
        assert f"{device.name} | SUCCESS" in proc.stdout
        assert f"{device.name} uptime is" in proc.stdout


def test_every_device_answers_netmiko_with_the_inventorys_credentials(lab: LabHandle) -> None:
    from netmiko import ConnectHandler  # noqa: PLC0415 - slow import, only here

    assert {d.platform for d in lab.devices} == {"cisco_ios", "huawei_vrp"}
    for device in lab.devices:
        proc = _run(lab, "ansible-inventory", "-i", str(lab.inventory), "--host", device.name)
        hostvars = json.loads(proc.stdout)
        params = {
            "device_type": hostvars["netmiko_device_type"],
            "host": hostvars["ansible_host"],
            "port": hostvars["ansible_port"],
            "username": hostvars["ansible_user"],
            "password": hostvars["ansible_password"],
        }
        assert params == device.netmiko_params()
        assert hostvars["net_hostname"] == device.name  # the intended configuration is there too
        command = "show version" if device.platform == "cisco_ios" else "display version"
        with ConnectHandler(**params) as conn:
            output = conn.send_command(command)
        assert hostvars["asset_os_version"] in output
