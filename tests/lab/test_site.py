"""playbooks/site.yml on the real lab: it converges every Linux host, a second run changes nothing,
and a check + diff run right after is what the drift audit calls compliant on every host (judged
by the audit's own classifier, with its callback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SiteConvergence

from opsbook.audit.classify import classify_run
from opsbook.audit.model import HostStatus
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
        progress=False,
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
