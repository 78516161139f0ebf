"""Real Ansible network_cli + cisco.ios against a simulated IOS device.

Includes the foundation issue's acceptance check: a configuration line pushed with netmiko
appears in the running-config read back through Ansible network_cli.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from device_helpers import running_devices, specs_for
from netmiko import ConnectHandler

from opsbook.lab.devices import DeviceSpec, read_startup_config
from opsbook.paths import project_paths

pytestmark = pytest.mark.lab

PLAYBOOK = """
- name: Talk to the simulated IOS device
  hosts: ios
  gather_facts: false
  tasks:
    - name: Show version
      cisco.ios.ios_command:
        commands: [show version]
      register: version

    - name: Facts (min)
      cisco.ios.ios_facts:
        gather_subset: min

    - name: Configure an interface description and save when modified
      cisco.ios.ios_config:
        lines: [description set-by-ansible]
        parents: [interface GigabitEthernet1/0/12]
        save_when: modified
      register: first

    - name: The same again changes nothing
      cisco.ios.ios_config:
        lines: [description set-by-ansible]
        parents: [interface GigabitEthernet1/0/12]
        save_when: modified
      register: second

    - name: Read back the running config through network_cli
      cisco.ios.ios_command:
        commands: ["show running-config | include netmiko-line|set-by-ansible"]
      register: readback

    - name: Write what we saw
      ansible.builtin.copy:
        dest: "{{ out_file }}"
        content: "{{ {'version': version.stdout[0], 'net_version': ansible_net_version,
                      'serial': ansible_net_serialnum, 'model': ansible_net_model,
                      'hostname': ansible_net_hostname, 'first': first.changed,
                      'first_commands': first.commands, 'second': second.changed,
                      'readback': readback.stdout[0]} | to_json }}"
        mode: "0600"
      delegate_to: localhost

    - name: Close the persistent connection
      ansible.builtin.meta: reset_connection
"""


@pytest.fixture(scope="module")
def ios(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, DeviceSpec]]:
    state = tmp_path_factory.mktemp("devices-ansible")
    with running_devices(
        lambda ports: specs_for(ports, ["cisco_ios"], prefix="an"), 1, state, start=3421
    ) as specs:
        yield state, specs[0]


def _run_playbook(tmp_path: Path, spec: DeviceSpec) -> dict[str, Any]:
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(
        "[ios]\n"
        f"{spec.name} ansible_host=127.0.0.1 ansible_port={spec.port}\n\n"
        "[ios:vars]\n"
        "ansible_connection=ansible.netcommon.network_cli\n"
        "ansible_network_os=cisco.ios.ios\n"
        "ansible_network_cli_ssh_type=paramiko\n"
        "ansible_host_key_checking=false\n"
        f"ansible_user={spec.username}\n"
        f"ansible_password={spec.password}\n"
        "ansible_become=true\n"
        "ansible_become_method=enable\n"
        f"ansible_become_password={spec.password}\n"
    )
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK)
    out_file = tmp_path / "seen.json"
    env = dict(os.environ, ANSIBLE_CONFIG=str(project_paths().ansible_cfg), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            str(inventory),
            str(playbook),
            "-e",
            f"out_file={out_file}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    seen: dict[str, Any] = json.loads(out_file.read_text())
    return seen


def test_ansible_network_cli_reads_what_netmiko_pushed(ios: tuple[Path, DeviceSpec], tmp_path: Path) -> None:
    state, spec = ios
    with ConnectHandler(
        device_type="cisco_ios",
        host="127.0.0.1",
        port=spec.port,
        username=spec.username,
        password=spec.password,
    ) as conn:
        conn.send_config_set(["interface GigabitEthernet1/0/11", "description netmiko-line-7f3a"])
    seen = _run_playbook(tmp_path, spec)

    # the acceptance check: netmiko's line, read back through Ansible network_cli
    # (Ansible strips the output, so the first line loses its indentation)
    readback = [line.strip() for line in seen["readback"].splitlines()]
    assert "description netmiko-line-7f3a" in readback
    # ios_command / ios_facts
    assert seen["version"].startswith("Cisco IOS Software, C2960X Software")
    assert (seen["net_version"], seen["serial"], seen["model"], seen["hostname"]) == (
        "15.2(7)E4",
        spec.serial,
        "WS-C2960X-24TS-L",
        spec.hostname,
    )
    # ios_config with parents: changed once, then idempotent; saved because modified
    assert seen["first"] is True and seen["second"] is False
    assert seen["first_commands"] == ["interface GigabitEthernet1/0/12", "description set-by-ansible"]
    assert "description set-by-ansible" in readback
    startup = read_startup_config(state, spec.name)
    assert "interface GigabitEthernet1/0/12\n description set-by-ansible\n" in startup
