"""Lab hosts: SSH with the lab key, systemd running, small real filesystems, apt reaching Debian."""

from __future__ import annotations

import subprocess

import pytest

from opsbook.lab.handle import LabHandle

pytestmark = pytest.mark.lab

MIB = 1024 * 1024


def _ssh(lab: LabHandle, host: str, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            str(lab.ssh_key),
            "-p",
            str(lab.host_ports[host]),
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "opsadmin@127.0.0.1",
            command,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_ssh_with_the_lab_key_reaches_every_host_as_opsadmin_with_sudo(lab: LabHandle) -> None:
    assert len(lab.hosts) >= 1
    for host in lab.hosts:
        proc = _ssh(lab, host, "hostname; id -un; sudo -n id -u")
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.split() == [host, "opsadmin", "0"]


def test_ssh_refuses_passwords_without_the_key(lab: LabHandle) -> None:
    host = lab.hosts[0]
    proc = subprocess.run(
        ["ssh", "-F", "/dev/null", "-p", str(lab.host_ports[host]), "-o", "BatchMode=yes",
         "-o", "PubkeyAuthentication=no", "-o", "StrictHostKeyChecking=no",
         "-o", "UserKnownHostsFile=/dev/null", "opsadmin@127.0.0.1", "true"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 255
    assert "Permission denied" in proc.stderr


def test_systemd_runs_with_no_failed_unit_and_sshd_and_cron_active(lab: LabHandle) -> None:
    for host in lab.hosts:
        assert lab.sh(host, "systemctl is-system-running", check=False).stdout.strip() == "running"
        assert lab.sh(host, "systemctl is-active ssh cron").stdout.split() == ["active", "active"]
        assert lab.sh(host, "cat /proc/1/comm").stdout.strip() == "systemd"


def test_each_host_has_its_own_ssh_host_key(lab: LabHandle) -> None:
    keys = {lab.sh(h, "cat /etc/ssh/ssh_host_ed25519_key.pub").stdout.split()[1] for h in lab.hosts}
    assert len(keys) == len(lab.hosts)


@pytest.mark.parametrize(("mount", "size_mib"), [("/srv/data", 64), ("/var/log", 256)])
def test_small_dedicated_filesystems(lab: LabHandle, mount: str, size_mib: int) -> None:
    for host in lab.hosts:
        fields = lab.sh(host, f"df -B1 --output=fstype,size,target {mount} | tail -1").stdout.split()
        assert fields[0] == "tmpfs"
        assert int(fields[1]) == size_mib * MIB
        assert fields[2] == mount


def test_filling_srv_data_really_fails_writes(lab: LabHandle) -> None:
    host = lab.hosts[-1]
    try:
        fill = lab.sh(host, "dd if=/dev/zero of=/srv/data/fill bs=1M count=100", check=False)
        assert fill.returncode != 0
        assert "No space left on device" in fill.stderr
        assert lab.sh(host, "df --output=pcent /srv/data | tail -1").stdout.strip() == "100%"
        assert lab.sh(host, "echo more > /srv/data/more", check=False).returncode != 0
    finally:
        lab.sh(host, "rm -f /srv/data/fill /srv/data/more")
    assert lab.sh(host, "df --output=pcent /srv/data | tail -1").stdout.strip() == "0%"


def test_var_log_keeps_the_images_log_folders(lab: LabHandle) -> None:
    listing = lab.sh(lab.hosts[0], "ls /var/log").stdout.split()
    assert {"apt", "journal"} <= set(listing)


def test_apt_reaches_the_debian_mirror_inside_a_host(lab: LabHandle) -> None:
    host = lab.hosts[0]
    assert "deb.debian.org" in lab.sh(host, "cat /etc/apt/sources.list").stdout
    proc = lab.sh(host, "apt-get update -q", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "bookworm-security" in proc.stdout
    policy = lab.sh(host, "apt-cache policy nginx").stdout
    assert "Candidate:" in policy and "Candidate: (none)" not in policy


def test_each_host_records_its_lab_serial_for_reconcile(lab: LabHandle) -> None:
    for host in lab.state.hosts:
        recorded = lab.sh(host.name, "cat /etc/opsbook/asset_serial").stdout.strip()
        assert recorded == host.serial
