"""The config-drift audit against the real lab: converged hosts and simulated devices.

Freshly converged, every host and device is compliant with no unverifiable task. Then one host
gets an edited sshd_config, an edited kernel parameter (sysctl.d) file and a removed package, and one IOS
device an extra running-config line: exactly those are the drift, nothing else. ``opsbook audit
--fix`` (the runbook engine: audit-fix for the host, network-push for the device) makes them
compliant again, and ``audit diff`` shows the drift resolved. A task that check mode cannot
simulate shows as unverifiable, never as compliant.

The devices' intended configuration is derived from their running configuration when the test
starts (an inventory overlay of net_* variables), so "compliant" means "as the lab started".
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from conftest import SiteConvergence
from playwright.sync_api import sync_playwright

from opsbook.audit.model import Audit, HostStatus
from opsbook.audit.run import Auditor, AuditRequest
from opsbook.lab.handle import LabHandle
from opsbook.network.connect import NetmikoSession
from opsbook.network.derive import derive_vars
from opsbook.network.inventory import NetDevice, load_devices
from opsbook.network.operations import fetch_running
from opsbook.paths import ProjectPaths, project_paths
from opsbook.records.history import History
from opsbook.runner import run_playbook

BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
SSHD = "/etc/ssh/sshd_config"
SYSCTL_FILE = "/etc/sysctl.d/70-opsbook-tuning.conf"  # role tuning, profile generic: vm.swappiness = 30
PACKAGE = "lsof"  # one of linux_base_packages
DEVICE_DRIFT = ["ntp server 203.0.113.9"]


@dataclass
class AuditLab:
    lab: LabHandle
    paths: ProjectPaths
    overlay: Path
    host: str
    device: NetDevice
    #: host / device changed and not yet fixed: teardown puts them back
    dirty: set[str] = field(default_factory=set)
    audits: dict[str, Audit] = field(default_factory=dict)

    @property
    def linux_inventory(self) -> list[str]:
        return [str(self.lab.inventory)]

    @property
    def network_inventory(self) -> list[str]:
        return [str(self.lab.inventory), str(self.overlay)]

    def audit(self, scope: str, **kw: object) -> Audit:
        inventory = self.linux_inventory if scope == "linux" else self.network_inventory
        request = AuditRequest(inventory=inventory, scopes=[scope], **kw)  # type: ignore[arg-type]
        return Auditor(self.paths).run(request)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**self.lab.ansible_env(), "ANSIBLE_NOCOLOR": "1", "COLUMNS": "200"}
        return subprocess.run(
            [str(BIN / "opsbook"), *args],
            cwd=self.paths.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=1800,
        )


def _device_intent(lab: LabHandle, folder: Path) -> tuple[Path, list[NetDevice]]:
    """net_* variables under which every device's current configuration is compliant."""
    devices = load_devices([lab.inventory])
    hosts = {}
    for outcome in fetch_running(devices):
        assert outcome.ok and outcome.value, f"{outcome.device.name}: {outcome.error}"
        hosts[outcome.device.name] = derive_vars(outcome.value, outcome.device.platform)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": hosts}}, sort_keys=False))
    return folder, devices


def _configure(device: NetDevice, lines: list[str]) -> None:
    session = NetmikoSession(device)
    try:
        session.configure(lines)
    finally:
        session.close()


@pytest.fixture(scope="module")
def audit_lab(
    lab: LabHandle, site_converged: SiteConvergence, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AuditLab]:
    paths = project_paths()
    overlay, devices = _device_intent(lab, tmp_path_factory.mktemp("audit") / "intent")
    ios = next(d for d in devices if d.platform == "cisco_ios")
    converged = site_converged.first
    assert converged.ok, f"site.yml did not converge the lab: run {converged.run_id}"
    state = AuditLab(lab, paths, overlay, lab.hosts[0], ios)
    try:
        yield state
    finally:
        if state.host in state.dirty:
            run_playbook("site.yml", inventory=[lab.inventory], limit=state.host)
        if ios.name in state.dirty:
            _configure(ios, [f"no {line}" for line in DEVICE_DRIFT])


def test_freshly_converged_lab_is_all_compliant(audit_lab: AuditLab) -> None:
    linux = audit_lab.audit("linux")
    network = audit_lab.audit("network")
    for audit in (linux, network):
        assert audit.errors == []
        problems = {
            h.host: [(f.kind.value, f.task, f.reason) for f in h.findings] for h in audit.hosts if h.findings
        }
        assert problems == {}, "a converged lab must audit clean (no drift, nothing unverifiable)"
        assert audit.exit_code == 0
    assert sorted(h.host for h in linux.hosts) == sorted(audit_lab.lab.hosts)
    assert sorted(h.host for h in network.hosts) == sorted(audit_lab.lab.device_names)


def test_changed_file_sysctl_package_and_config_line_are_exactly_the_drift(audit_lab: AuditLab) -> None:
    host, lab = audit_lab.host, audit_lab.lab
    audit_lab.dirty.update({host, audit_lab.device.name})
    lab.sh(host, f"echo 'X11Forwarding yes' >> {SSHD}")
    lab.sh(host, f"sed -i 's/^vm.swappiness = 30$/vm.swappiness = 60/' {SYSCTL_FILE}")
    lab.sh(host, f"DEBIAN_FRONTEND=noninteractive apt-get remove -y -q {PACKAGE} >/dev/null")
    _configure(audit_lab.device, DEVICE_DRIFT)

    linux = audit_lab.audit("linux")
    network = audit_lab.audit("network")
    audit_lab.audits["drift-linux"], audit_lab.audits["drift-network"] = linux, network

    statuses = {h.host: h.status for h in [*linux.hosts, *network.hosts]}
    expected = {name: HostStatus.COMPLIANT for name in [*lab.hosts, *lab.device_names]}
    expected[host] = expected[audit_lab.device.name] = HostStatus.DRIFTED
    assert statuses == expected

    drifted = linux.host(host)
    assert drifted is not None
    assert [f for f in drifted.findings if f.kind.value != "drift"] == [], "nothing but drift"
    resources = sorted(f.resource for f in drifted.drift)
    assert resources == sorted([SSHD, SYSCTL_FILE, PACKAGE]), [(f.task, f.resource) for f in drifted.drift]
    by_resource = {f.resource: f for f in drifted.drift}
    assert (
        "+X11Forwarding yes" not in by_resource[SSHD].diff and "-X11Forwarding yes" in by_resource[SSHD].diff
    )
    assert "-vm.swappiness = 60" in by_resource[SYSCTL_FILE].diff
    assert "+vm.swappiness = 30" in by_resource[SYSCTL_FILE].diff
    assert PACKAGE in by_resource[PACKAGE].diff

    device = network.host(audit_lab.device.name)
    assert device is not None
    assert [(f.kind.value, f.resource) for f in device.findings] == [("drift", "ntp")]
    assert "203.0.113.9" in device.findings[0].diff
    assert linux.exit_code == 2 and network.exit_code == 2


def test_html_report_shows_the_drift_in_chromium(audit_lab: AuditLab) -> None:
    audit = audit_lab.audits["drift-linux"]
    page_file = audit_lab.paths.state / "audits" / audit.id / "audit-report.html"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            drifted = page.eval_on_selector_all(
                "details.host[data-status=drifted]", "els => els.map(e => e.dataset.host)"
            )
            resources = page.eval_on_selector_all(
                f"details.host[data-host='{audit_lab.host}'] .finding .resource",
                "els => els.map(e => e.textContent)",
            )
            compliant = page.inner_text("#count-compliant")
        finally:
            browser.close()
    assert drifted == [audit_lab.host]
    assert sorted(resources) == sorted([SSHD, SYSCTL_FILE, PACKAGE])
    assert compliant == str(len(audit_lab.lab.hosts) - 1)


def test_fix_makes_host_and_device_compliant_again_and_is_recorded(audit_lab: AuditLab) -> None:
    before = len(History(audit_lab.paths.state).entries())
    host_fix = audit_lab.cli(
        "audit",
        "--fix",
        "--limit",
        audit_lab.host,
        "--yes",
        "--ticket",
        "CHG-21",
        "--scope",
        "linux",
        "-i",
        str(audit_lab.lab.inventory),
    )
    assert host_fix.returncode == 0, host_fix.stdout[-4000:] + host_fix.stderr[-3000:]
    audit_lab.dirty.discard(audit_lab.host)
    device_fix = audit_lab.cli(
        "audit", "--fix", "--limit", audit_lab.device.name, "--yes", "--ticket", "CHG-22",
        "--scope", "network",
        *(arg for inv in audit_lab.network_inventory for arg in ("-i", inv)),
    )  # fmt: skip
    assert device_fix.returncode == 0, device_fix.stdout[-4000:] + device_fix.stderr[-3000:]
    audit_lab.dirty.discard(audit_lab.device.name)
    entries = History(audit_lab.paths.state).entries()[before:]
    assert [(e.runbook, e.targets, e.outcome) for e in entries] == [
        ("audit-fix", [audit_lab.host], "ok"),
        ("network-push", [audit_lab.device.name], "ok"),
    ]
    linux = audit_lab.audit("linux")
    assert {h.host: h.status for h in linux.hosts} == {h: HostStatus.COMPLIANT for h in audit_lab.lab.hosts}


def test_audit_diff_shows_the_drift_resolved(audit_lab: AuditLab) -> None:
    older = audit_lab.audits["drift-linux"]
    result = audit_lab.cli("audit", "diff", older.id, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    resolved = {
        (h["host"], f["resource"]) for h in data["hosts"] for f in h["resolved"] if f["kind"] == "drift"
    }
    assert resolved == {(audit_lab.host, r) for r in (SSHD, SYSCTL_FILE, PACKAGE)}
    assert data["counts"]["new"] == 0 and data["counts"]["persisting"] == 0


def test_a_task_check_mode_cannot_simulate_is_unverifiable_never_compliant(
    audit_lab: AuditLab, tmp_path: Path
) -> None:
    other = audit_lab.lab.hosts[-1]  # a host the drift tests left alone
    assert other != audit_lab.host
    playbook = tmp_path / "audit-plus.yml"
    playbook.write_text(
        yaml.safe_dump(
            [
                {
                    "name": "Audit",
                    "ansible.builtin.import_playbook": str(audit_lab.paths.playbooks / "audit.yml"),
                },
                {
                    "name": "A desired state check mode cannot simulate",
                    "hosts": other,
                    "gather_facts": False,
                    "tasks": [{"name": "Rebuild the cache", "ansible.builtin.command": "/bin/true"}],
                },
            ],
            sort_keys=False,
        )
    )
    audit = audit_lab.audit("linux", playbook=str(playbook))
    host = audit.host(other)
    assert host is not None
    assert host.status is HostStatus.UNVERIFIABLE
    assert [(f.kind.value, f.task) for f in host.findings] == [("unverifiable", "Rebuild the cache")]
    assert "would have run" in host.findings[0].reason
    assert audit.exit_code == 1
