"""History on the lab: a run where one host fails, `history rerun ID --failed` on that host only,
and `history verify` over the real history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_runbook_labkit import opsbook

from opsbook.lab.handle import LabHandle


@pytest.fixture
def second_host_broken(lab: LabHandle) -> Iterator[tuple[str, str]]:
    """The second host lacks vmstat, so the high-load runbook fails there (and only there)."""
    assert len(lab.hosts) >= 2, "this test needs two lab hosts"
    good, bad = lab.hosts[0], lab.hosts[1]
    lab.sh(bad, "mv /usr/bin/vmstat /usr/bin/vmstat.rb-hidden")
    yield good, bad
    lab.sh(bad, "test -e /usr/bin/vmstat || mv /usr/bin/vmstat.rb-hidden /usr/bin/vmstat", check=False)


def test_rerun_failed_runs_only_the_failed_host(lab: LabHandle, second_host_broken: tuple[str, str]) -> None:
    good, bad = second_host_broken
    first = opsbook(
        lab, "runbook", "run", "high-load", "--limit", f"{good},{bad}", "--ticket", "INC-60",
        "-i", str(lab.inventory), "--no-progress",
    )  # fmt: skip
    assert first.exit_code == 5, first.output
    assert first.record is not None
    assert first.record.failed_hosts() == [bad]
    assert first.record.hosts[good].status == "ok"
    assert f"opsbook history rerun {first.record.id} --failed" in " ".join(
        first.record.service_report.follow_up
    )

    lab.sh(bad, "mv /usr/bin/vmstat.rb-hidden /usr/bin/vmstat")
    second = opsbook(lab, "history", "rerun", first.record.id, "--failed", "--no-progress")
    assert second.exit_code == 0, second.output
    assert second.record is not None
    assert second.record.targets == [bad]
    assert second.record.rerun_of == first.record.id and second.record.ticket == "INC-60"
    assert [r.purpose for r in second.record.runs] == ["apply"]

    verify = opsbook(lab, "history", "verify")
    assert verify.exit_code == 0, verify.output
    assert "history intact" in verify.output
