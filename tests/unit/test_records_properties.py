"""Property-based tests (hypothesis) of building and rendering a record (issue 10.10): whatever a
playbook reports through set_stats (any shape, any text) and whatever its tasks return, the
record, the service report's sentences and both renderings are made — never a traceback — and a
plan never claims a verified repair."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsbook.errors import OpsbookError
from opsbook.records.build import RunbookFacts, RunFacts, build_record
from opsbook.records.history import History
from opsbook.records.model import Consent, SecretScan
from opsbook.records.render import render_html, render_markdown
from opsbook.results import HostSummary, RunResult, TaskResult, TaskStatus

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["{{ x }}", "<script>", "| a | b |", "\n", "rolled_back", "true", "false"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
#: the keys the records part reads, and others
stat_keys = st.sampled_from(
    [
        "pre",
        "post",
        "verified",
        "cause",
        "escalate",
        "actions",
        "findings",
        "follow_up",
        "evidence",
        "parts",
        "x",
    ]
)
payloads = st.dictionaries(stat_keys, values, max_size=6)
statuses = st.sampled_from(list(TaskStatus))
results = st.dictionaries(st.sampled_from(["cmd", "commands", "msg", "stderr", "backup_file", "y"]), values)


def _task(host: str, status: TaskStatus, payload: dict[str, Any], result: dict[str, Any]) -> TaskResult:
    return TaskResult(
        host=host,
        task="T",
        action="ansible.builtin.set_stats" if payload else "ansible.builtin.command",
        status=status,
        result={**result, "ansible_stats": {"data": {"opsbook": payload}}} if payload else result,
        diff=[{"before": "a\n", "after": "b\n"}] if status is TaskStatus.CHANGED else [],
        msg="m",
    )


@SETTINGS
@given(
    tasks=st.lists(st.tuples(statuses, payloads, results), max_size=6),
    mode=st.sampled_from(["apply", "check"]),
    given_=st.sampled_from(["not-needed", "prompt", "--yes", "declined", "check-only"]),
    outcome=st.sampled_from(["ok", "planned", "failed", "not-verified", "timeout", "refused"]),
    run_status=st.sampled_from(["successful", "failed", "timeout"]),
    verifies=st.booleans(),
    changes_hosts=st.booleans(),
    asset=st.dictionaries(st.sampled_from(["asset_customer", "asset_customer_name", "asset_unit"]), scalars),
)
def test_any_reported_data_gives_a_record_and_both_reports(
    tasks: list[tuple[TaskStatus, dict[str, Any], dict[str, Any]]],
    mode: str,
    given_: str,
    outcome: str,
    run_status: str,
    verifies: bool,
    changes_hosts: bool,
    asset: dict[str, Any],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        task_results = [_task("h1", status, payload, result) for status, payload, result in tasks]
        final = RunResult(
            run_id="r1",
            playbook="p.yml",
            artifact_dir=root / "runs" / "r1",
            status=run_status,
            rc=0,
            check=mode == "check",
            tasks=task_results,
            hosts={"h1": HostSummary(host="h1")},
        )
        facts = RunFacts(
            run_id="r1",
            run_dir=root / "runs" / "r1",
            state_dir=root,
            project_root=root,
            started="2026-12-03T10:00:00+00:00",
            runbook=RunbookFacts(
                name="demo",
                summary={"name": "demo", "title": "Demo", "category": "emergency", "risk": "changing"},
                verifies=verifies,
                changes_hosts=changes_hosts,
                problem="P on {{ targets | join(', ') }}",
                follow_up="F",
            ),
            mode="check" if mode == "check" else "apply",
            consent=Consent(required="yes-no", given=given_),  # type: ignore[arg-type]
            runs=[("check" if mode == "check" else "apply", final)],
            final=final,
            outcome=outcome,  # type: ignore[arg-type]
            exit_code=0,
            summary="s",
            leak_exit_code=8,
            targets=[("h1", asset)],
        )
        record = build_record(facts, ended="2026-12-03T10:01:00+00:00", scan=SecretScan(), exit_code=0)
        markdown, html = render_markdown(record), render_html(record)
    assert "## Result verified" in markdown and "<h2>Result verified</h2>" in html
    assert "<script>" not in html
    report = record.service_report
    if mode == "check" or given_ == "declined":
        claims = [*report.result_verified, report.sign_off]
        assert not any(": verified" in line or "fault persists" in line for line in claims)
        assert report.commands_applied == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=4096),
    prefix=st.booleans(),
    head=st.one_of(st.none(), st.binary(max_size=80)),
    ref=st.text(max_size=12),
)
def test_any_history_database_gives_problems_or_a_clear_error(
    data: bytes, prefix: bool, head: bytes | None, ref: str
) -> None:
    """Random bytes (with or without SQLite's header) as history.sqlite, any head file, any run
    reference: History answers or raises an OpsbookError — never another exception."""
    with tempfile.TemporaryDirectory() as folder:
        history = History(Path(folder))
        history.db_path.write_bytes((b"SQLite format 3\x00" if prefix else b"") + data)
        if head is not None:
            history.head_path.write_bytes(head)
        for call in (history.verify, history.entries, history.check, lambda: history.get(ref)):
            try:
                call()
            except OpsbookError as exc:
                assert str(exc)
