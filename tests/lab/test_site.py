"""playbooks/site.yml on the real lab: it converges every Linux host, a second run changes nothing,
and a check + diff run right after is what the drift audit calls compliant on every host (judged
by the audit's own classifier, with its callback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SiteConvergence

from opsbook.audit.classify import classify_run
from opsbook.audit.model import FindingKind, HostStatus
from opsbook.audit.taskmeta import callback_env, load_task_meta
from opsbook.lab.handle import LabHandle
from opsbook.results import RunResult, TaskStatus
from opsbook.runner import run_playbook

pytestmark = pytest.mark.lab


def _site(lab: LabHandle, runs: Path, **options: object) -> RunResult:
    return run_playbook(
        "site",
        inventory=[lab.inventory],
        limit="linux",
        runs_dir=runs,
        label="tests/lab/test_site.py",
        **options,  # type: ignore[arg-type]
    )


def test_site_converges_the_lab_then_changes_nothing_and_audits_compliant(
    lab: LabHandle, site_converged: SiteConvergence, tmp_path: Path
) -> None:
    first, second = site_converged.first, site_converged.second
    assert first.status == "successful", first.error
    for host in lab.hosts:
        summary = first.hosts[host]
        assert summary.failures == 0 and summary.dark == 0, f"{host}: {first.error}"
        if site_converged.fresh:
            assert summary.changed > 0, f"{host}: the first run should have configured something"

    assert second.status == "successful", second.error
    changed = {
        host: [t.task for t in second.for_host(host) if t.status is TaskStatus.CHANGED] for host in lab.hosts
    }
    assert changed == {host: [] for host in lab.hosts}, f"the second run changed: {changed}"

    # The audit runs whenever this test runs (other tests may have drifted and fixed hosts in
    # between): the lab must be back to what site.yml wants.
    runs = tmp_path / "runs"
    meta_file = tmp_path / "audit-tasks.jsonl"
    audit = _site(lab, runs, check=True, diff=True, envvars=callback_env(meta_file))
    assert audit.status == "successful", audit.error
    classified = classify_run(audit, metas=load_task_meta(meta_file), expected_hosts=lab.hosts)
    assert classified.errors == []
    verdicts = {h.host: (h.status, [f"{f.kind}: {f.task}" for f in h.findings]) for h in classified.hosts}
    assert verdicts == {host: (HostStatus.COMPLIANT, []) for host in lab.hosts}


LISTS = "/var/lib/apt/lists"
PATCHING_PLAY = """\
- name: Patching, dry run
  hosts: all
  become: true
  roles:
    - role: patching
"""


def _lists_state(lab: LabHandle, host: str) -> str:
    """Modification times and names of the package lists folder and everything in it."""
    return lab.sh(host, f"find {LISTS} -maxdepth 1 -printf '%T@ %s %p\\n' | sort").stdout


def test_check_mode_leaves_the_package_lists_alone(lab: LabHandle, tmp_path: Path) -> None:
    """Issue 10: the audit's check mode refreshed apt lists on the target (`check_mode: false` on
    `apt update_cache` in four roles), and patching's dry run refreshed them too. On a host without
    a package index, with old lists, neither the audit (site.yml in check + diff mode) nor a dry
    run of patching may touch them; the audit says the package tasks could not be checked."""
    host = lab.hosts[-1]
    lab.sh(
        host,
        f"mkdir -p /root/opsbook-lists-away && mv {LISTS}/*_Packages* /root/opsbook-lists-away/ && "
        f"touch -d '3 days ago' {LISTS} {LISTS}/*",
    )
    try:
        before = _lists_state(lab, host)
        meta_file = tmp_path / "audit-tasks.jsonl"
        audit = run_playbook(
            "site",
            inventory=[lab.inventory],
            limit=host,
            check=True,
            diff=True,
            runs_dir=tmp_path / "runs",
            envvars=callback_env(meta_file),
        )
        assert audit.status == "successful", audit.error
        assert _lists_state(lab, host) == before, "the audit changed the package lists"
        classified = classify_run(audit, metas=load_task_meta(meta_file), expected_hosts=[host])
        [verdict] = classified.hosts
        assert verdict.status is not HostStatus.COMPLIANT
        unverifiable = [f.task for f in verdict.findings if f.kind is FindingKind.UNVERIFIABLE]
        assert "linux_base : Install the base packages" in unverifiable, verdict.findings

        play = tmp_path / "patching-check.yml"
        play.write_text(PATCHING_PLAY, encoding="utf-8")
        runs = tmp_path / "runs"
        dry = run_playbook(play, inventory=[lab.inventory], limit=host, check=True, runs_dir=runs)
        assert dry.status == "successful", dry.error
        assert _lists_state(lab, host) == before, "patching's dry run changed the package lists"
    finally:
        lab.sh(host, f"mv /root/opsbook-lists-away/* {LISTS}/ && rmdir /root/opsbook-lists-away", check=False)
