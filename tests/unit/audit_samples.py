"""A constructed audit with every host status, two customers and diffs (shared by the audit tests)."""

from __future__ import annotations

from opsbook.audit.model import Audit, Finding, FindingKind, HostAudit, HostStatus, TaskCheck

SSHD_DIFF = (
    "--- /etc/ssh/sshd_config\n+++ /etc/ssh/sshd_config\n@@ -1,2 +1,2 @@\n"
    " Port 22\n-PermitRootLogin yes\n+PermitRootLogin prohibit-password\n"
)


def sample_audit() -> Audit:
    drifted = HostAudit(
        host="web01",
        status=HostStatus.DRIFTED,
        customer="acme",
        tasks=3,
        findings=[
            Finding(
                FindingKind.DRIFT,
                task="linux_base : Write the SSH daemon configuration",
                resource="/etc/ssh/sshd_config",
                role="linux_base",
                diff=SSHD_DIFF,
                since="2026-11-20T02:00:00+00:00",
            ),
        ],
        handlers=["Reload the SSH daemon"],
        checks=[
            TaskCheck("linux_base : Write the SSH daemon configuration", "drift"),
            TaskCheck("linux_base : Packages", "compliant"),
            TaskCheck("linux_base : RedHat only", "not-applicable"),
        ],
    )
    unverifiable = HostAudit(
        host="db01",
        status=HostStatus.UNVERIFIABLE,
        customer="acme",
        tasks=2,
        findings=[
            Finding(
                FindingKind.UNVERIFIABLE,
                task="tuning : Apply <tuned> profile",
                reason="not checked: Command would have run if not in check mode",
                since="2026-11-27T02:00:00+00:00",
            )
        ],
        checks=[TaskCheck("tuning : Apply <tuned> profile", "unverifiable"), TaskCheck("x", "compliant")],
    )
    compliant = HostAudit(
        host="app01",
        status=HostStatus.COMPLIANT,
        customer="globex",
        tasks=1,
        checks=[TaskCheck("a", "compliant")],
    )
    unreachable = HostAudit(
        host="sw01",
        status=HostStatus.UNREACHABLE,
        scope="network",
        customer="globex",
        findings=[Finding(FindingKind.UNREACHABLE, task="network compliance", reason="connection refused")],
        checks=[TaskCheck("network compliance", "unreachable")],
    )
    failed = HostAudit(
        host="app02",
        status=HostStatus.FAILED,
        customer="globex",
        findings=[Finding(FindingKind.FAILED, task="b", reason="boom")],
        checks=[TaskCheck("b", "failed")],
    )
    return Audit(
        id="20261127T020000Z-abcdef",
        started="2026-11-27T02:00:00+00:00",
        ended="2026-11-27T02:01:10+00:00",
        scopes=["linux", "network"],
        hosts=[drifted, unverifiable, compliant, unreachable, failed],
        runs=["20261127T020000Z-abcdef"],
    )
