"""Runbook high-load on a lab host with a real CPU burner: read-only evidence that names it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_runbook_labkit import opsbook

from opsbook.lab.handle import LabHandle


@pytest.fixture
def cpu_burner(lab: LabHandle) -> Iterator[str]:
    host = lab.hosts[0]
    lab.sh(host, "systemd-run --unit rb-burn /usr/bin/python3 -c 'while True: pass  # rb-burner'")
    lab.sh(host, "sleep 3")  # let ps see a few seconds of CPU time
    yield host
    lab.sh(host, "systemctl stop rb-burn", check=False)


def test_high_load_names_the_busy_process_and_changes_nothing(lab: LabHandle, cpu_burner: str) -> None:
    host = cpu_burner
    pid = lab.sh(host, "systemctl show -p MainPID --value rb-burn").stdout.strip()
    run = opsbook(
        lab, "runbook", "run", "high-load", "--limit", host, "--ticket", "INC-30", "-i", str(lab.inventory),
        "--no-progress",
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    record = run.record
    assert record is not None and record.outcome == "ok"
    assert record.consent.required == "none" and [r.purpose for r in record.runs] == ["apply"]
    assert record.hosts[host].changes == [] and record.hosts[host].stats["changed"] == 0
    pre = record.hosts[host].checks.pre
    assert pre["cpus"] >= 1 and len(pre["load"]) == 3 and "iowait_percent" in pre and "open_files" in pre
    findings = record.hosts[host].findings["findings"]
    top_cpu = next(f for f in findings if f.startswith("top CPU: "))
    first = (
        top_cpu.removeprefix("top CPU: ").split(" | ")[0].split(None, 7)
    )  # pid ppid user pcpu pmem rss etimes args
    assert first[0] == pid and "rb-burner" in first[7]
    assert any(f.startswith("top memory: ") for f in findings)
    assert any(f.startswith("open files") for f in findings)
    cause = " ".join(record.service_report.cause)
    # the rule: a process at 50 % CPU or more is named as the cause (the burner's share depends on
    # how busy this machine is, so the test checks the rule against what was measured)
    assert ("CPU-bound" in cause) == (float(first[3]) >= 50), (first, cause)
    if float(first[3]) >= 50:
        assert f"(pid {pid}, user root) uses" in cause
    # the burner still runs: evidence only, nothing stopped
    assert lab.sh(host, "systemctl is-active rb-burn").stdout.strip() == "active"
