"""Audit history: kept audits, the index, "since when", and new / resolved / persisting drift."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsbook.audit.history import AuditStore, PastAudit, diff_audits, since_map
from opsbook.audit.model import Audit, Finding, FindingKind, HostAudit, HostStatus
from opsbook.errors import UsageError


def drift(task: str, resource: str) -> Finding:
    return Finding(FindingKind.DRIFT, task=task, resource=resource, diff=f"-a\n+{resource}\n")


def host(name: str, status: HostStatus, *findings: Finding) -> HostAudit:
    return HostAudit(host=name, status=status, findings=list(findings), customer="acme")


def audit(audit_id: str, started: str, *hosts: HostAudit) -> Audit:
    return Audit(id=audit_id, started=started, ended=started, scopes=["linux"], hosts=list(hosts))


SSHD = drift("linux_base : Write the SSH daemon configuration", "/etc/ssh/sshd_config")
SYSCTL = drift("tuning : sysctl", "vm.swappiness")


def test_since_is_the_first_audit_of_the_unbroken_run() -> None:
    current = audit("c", "2026-01-04", host("h1", HostStatus.DRIFTED, SSHD, SYSCTL))
    past = [
        PastAudit("2026-01-03", {"h1": ("drifted", frozenset({SSHD.key, SYSCTL.key}))}),
        PastAudit("2026-01-02", {"h1": ("drifted", frozenset({SSHD.key}))}),
        PastAudit("2026-01-01", {"h1": ("compliant", frozenset())}),
    ]
    since = since_map(current, past)
    assert since[("h1", SSHD.key)] == "2026-01-02"
    assert since[("h1", SYSCTL.key)] == "2026-01-03"


def test_audits_that_could_not_check_the_host_neither_break_nor_extend() -> None:
    current = audit("c", "2026-01-04", host("h1", HostStatus.DRIFTED, SSHD))
    past = [
        PastAudit("2026-01-03", {"h1": ("unreachable", frozenset())}),
        PastAudit("2026-01-02.5", {"other": ("compliant", frozenset())}),
        PastAudit("2026-01-02", {"h1": ("drifted", frozenset({SSHD.key}))}),
    ]
    assert since_map(current, past)[("h1", SSHD.key)] == "2026-01-02"


def test_new_finding_is_since_this_audit() -> None:
    current = audit("c", "2026-01-04", host("h1", HostStatus.DRIFTED, SSHD))
    assert since_map(current, [])[("h1", SSHD.key)] == "2026-01-04"


def test_diff_new_resolved_persisting() -> None:
    older = audit("a", "1", host("h1", HostStatus.DRIFTED, SSHD, SYSCTL), host("h2", HostStatus.COMPLIANT))
    newer = audit("b", "2", host("h1", HostStatus.DRIFTED, SSHD), host("h2", HostStatus.DRIFTED, SYSCTL))
    d = diff_audits(older, newer)
    by_host = {h.host: h for h in d.hosts}
    assert [f.resource for f in by_host["h1"].persisting] == ["/etc/ssh/sshd_config"]
    assert [f.resource for f in by_host["h1"].resolved] == ["vm.swappiness"]
    assert [f.resource for f in by_host["h2"].new] == ["vm.swappiness"]
    assert (d.count("new"), d.count("resolved"), d.count("persisting")) == (1, 1, 1)


def test_diff_unreachable_host_resolves_nothing_and_lists_one_sided_hosts() -> None:
    older = audit("a", "1", host("h1", HostStatus.DRIFTED, SSHD), host("gone", HostStatus.COMPLIANT))
    newer = audit("b", "2", host("h1", HostStatus.UNREACHABLE), host("new", HostStatus.COMPLIANT))
    d = diff_audits(older, newer)
    assert d.count("resolved") == 0
    assert d.only_older == ["gone"] and d.only_newer == ["new"]


def test_store_keeps_every_audit_and_fills_since(tmp_path: Path) -> None:
    store = AuditStore(tmp_path / "audits")
    first = audit(
        "20260101T020000Z-aaaaaa", "2026-01-01T02:00:00+00:00", host("h1", HostStatus.DRIFTED, SSHD)
    )
    store.fill_since(first)
    store.save(first)
    second = audit(
        "20260102T020000Z-bbbbbb", "2026-01-02T02:00:00+00:00", host("h1", HostStatus.DRIFTED, SSHD, SYSCTL)
    )
    store.fill_since(second)
    store.save(second)
    assert [f.since for f in second.hosts[0].findings] == [
        "2026-01-01T02:00:00+00:00",
        "2026-01-02T02:00:00+00:00",
    ]
    assert [e.id for e in store.entries()] == [first.id, second.id]
    assert store.entries()[1].counts["drifted"] == 1 and store.entries()[1].exit_code == 2
    loaded = store.load("20260102")
    assert loaded.to_dict() == second.to_dict()
    assert (tmp_path / "audits" / second.id / "audit.json").is_file()


def test_store_resolve_errors(tmp_path: Path) -> None:
    store = AuditStore(tmp_path)
    store.save(audit("2026A-1", "1"))
    store.save(audit("2026A-2", "2"))
    with pytest.raises(UsageError, match="matches 2"):
        store.resolve("2026A")
    with pytest.raises(UsageError, match="no audit"):
        store.resolve("nope")


def test_reindex_rebuilds_from_the_audit_files(tmp_path: Path) -> None:
    store = AuditStore(tmp_path)
    store.save(audit("a1", "1", host("h1", HostStatus.DRIFTED, SSHD)))
    store.index.unlink()
    assert store.reindex() == 1
    assert [e.id for e in store.entries()] == ["a1"]
