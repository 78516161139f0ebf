"""Changing playbooks that a runbook wraps refuse to run outside the runbook's change flow
(issue 10: `opsbook run emergency/network-interface-down.yml -e …` bounced the interface with no
plan, no prompt and no backup). Each is run the two ways around the runbook — plain
ansible-playbook and `opsbook run` — on real lab hosts and devices, which stay untouched."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from test_runbook_labkit import opsbook
from test_runbook_network_interface import _configure, _device, _state

from opsbook.lab.handle import LabDevice, LabHandle

ROTATED = "/var/log/opsbook-guard.log.1"
UNIT = "rb-guard"


def _ansible_playbook(lab: LabHandle, playbook: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ansible-playbook", "-i", str(lab.inventory), f"playbooks/{playbook}", *args],
        cwd=lab.root,
        env=lab.ansible_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def linux_faults(lab: LabHandle) -> Iterator[str]:
    """A rotated log disk-full would compress and a stopped unit service-down would start."""
    host = lab.hosts[0]
    lab.sh(
        host,
        f"head -c 1M /dev/zero > {ROTATED} && "
        f"printf '[Service]\\nExecStart=/bin/sleep 600\\n' > /etc/systemd/system/{UNIT}.service && "
        "systemctl daemon-reload",
    )
    yield host
    lab.sh(host, f"rm -f {ROTATED} {ROTATED}.gz /etc/systemd/system/{UNIT}.service; systemctl stop {UNIT}; "
           "systemctl daemon-reload", check=False)  # fmt: skip


def _linux_untouched(lab: LabHandle, host: str) -> None:
    assert lab.sh(host, f"test -f {ROTATED} && test ! -e {ROTATED}.gz", check=False).returncode == 0
    assert lab.sh(host, f"systemctl is-active {UNIT}", check=False).stdout.strip() == "inactive"


@pytest.mark.parametrize(
    ("playbook", "runbook", "extra"),
    [
        ("emergency/disk-full.yml", "disk-full", "disk_full_path=/var/log"),
        ("emergency/service-down.yml", "service-down", f"service_down_name={UNIT}"),
    ],
)
def test_linux_runbook_playbooks_refuse_plain_runs(
    lab: LabHandle, linux_faults: str, playbook: str, runbook: str, extra: str
) -> None:
    host = linux_faults
    plain = _ansible_playbook(lab, playbook, "-l", host, "-e", extra)
    assert plain.returncode != 0, plain.stdout
    assert f"Run it with `opsbook runbook run {runbook} --limit {host}" in (
        plain.stdout + plain.stderr
    ).replace("\n", " ")
    _linux_untouched(lab, host)

    via_run = opsbook(lab, "run", playbook, "--limit", host, "-i", str(lab.inventory), "-e", extra)
    assert via_run.exit_code != 0, via_run.output
    _linux_untouched(lab, host)


def test_a_dry_run_outside_the_runbook_is_allowed_and_changes_nothing(
    lab: LabHandle, linux_faults: str
) -> None:
    host = linux_faults
    plain = _ansible_playbook(lab, "emergency/disk-full.yml", "-l", host, "--check")
    assert plain.returncode == 0, plain.stdout[-3000:]
    _linux_untouched(lab, host)


@pytest.fixture
def ios_port_shut_for_guard(lab: LabHandle) -> Iterator[LabDevice]:
    device = _device(lab, "cisco_ios")
    _configure(device, "GigabitEthernet1/0/4", "shutdown")
    yield device
    _configure(device, "GigabitEthernet1/0/4", "no shutdown")


def test_network_interface_down_refuses_plain_runs(
    lab: LabHandle, ios_port_shut_for_guard: LabDevice
) -> None:
    device = ios_port_shut_for_guard
    plain = _ansible_playbook(
        lab, "emergency/network-interface-down.yml", "-l", device.name, "-e", "net_if_name=Gi1/0/4"
    )
    assert plain.returncode != 0, plain.stdout
    assert "opsbook runbook run network-interface-down" in (plain.stdout + plain.stderr).replace("\n", " ")
    assert _state(device, "GigabitEthernet1/0/4") == "administratively down/down"

    # the command
    via_run = opsbook(
        lab, "run", "emergency/network-interface-down.yml", "--limit", device.name, "-i", str(lab.inventory),
        "-e", "net_if_name=Gi1/0/4",
    )  # fmt: skip
    assert via_run.exit_code != 0, via_run.output
    assert _state(device, "GigabitEthernet1/0/4") == "administratively down/down"
