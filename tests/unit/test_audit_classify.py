"""Classification of check-mode runs: one test per rule, on a recorded run and on constructed ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsbook.audit.classify import classify_run, resource_of, skip_verdict
from opsbook.audit.model import Audit, FindingKind, HostAudit, HostStatus
from opsbook.audit.taskmeta import SkipInfo, TaskMeta, load_task_meta, parse_task_meta
from opsbook.network.compliance import DeviceCompliance, DeviceStatus, FeatureResult, to_task_results
from opsbook.results import HostSummary, ItemResult, RunResult, TaskResult, TaskStatus

FIXTURES = Path(__file__).parent / "fixtures" / "audit"


@pytest.fixture(scope="module")
def recorded() -> HostAudit:
    """The check-mode rules playbook, run for real in check + diff mode (see fixtures/audit/record.py)."""
    result = RunResult.from_dict(json.loads((FIXTURES / "check-mode-rules.json").read_text()))
    metas = load_task_meta(FIXTURES / "check-mode-rules.tasks.jsonl")
    classified = classify_run(result, metas=metas)
    assert classified.errors == []
    (host,) = classified.hosts
    return host


def _findings(host: HostAudit, task: str) -> list[tuple[str, str, str]]:
    return [(f.kind.value, f.resource, f.item) for f in host.findings if f.task == task]


def _verdict(host: HostAudit, task: str) -> str:
    return next(c.verdict for c in host.checks if c.task == task)


# --- recorded run: each rule once ----------------------------------------------------------------


def test_recorded_host_is_drifted_not_compliant(recorded: HostAudit) -> None:
    assert recorded.status is HostStatus.DRIFTED


def test_changed_task_is_drift_with_resource_and_diff(recorded: HostAudit) -> None:
    (drift,) = [f for f in recorded.findings if f.task == "Copy a file that drifted"]
    assert drift.kind is FindingKind.DRIFT
    assert drift.resource == "/scratch/f.txt"
    assert "-old" in drift.diff and "+wanted" in drift.diff


def test_command_without_creates_is_unverifiable(recorded: HostAudit) -> None:
    assert _findings(recorded, "Command without creates") == [("unverifiable", "", "")]
    assert "would have run" in next(
        f.reason for f in recorded.findings if f.task == "Command without creates"
    )


def test_command_with_creates_that_would_run_is_drift(recorded: HostAudit) -> None:
    assert _findings(recorded, "Command with creates") == [("drift", "touch /scratch/x", "")]


def test_read_only_probe_is_compliant(recorded: HostAudit) -> None:
    assert _findings(recorded, "Probe") == []
    assert _verdict(recorded, "Probe") == "compliant"


def test_check_mode_false_task_reporting_change_is_unverifiable(recorded: HostAudit) -> None:
    assert [k for k, *_ in _findings(recorded, "Lying probe")] == ["unverifiable"]
    # inherited from a block, not written on the task itself
    assert _findings(recorded, "Inside block") == [("unverifiable", "/scratch/blockfile", "")]


def test_skip_by_check_mode_condition_is_unverifiable(recorded: HostAudit) -> None:
    (finding,) = [f for f in recorded.findings if f.task == "Skipped in check mode"]
    assert finding.kind is FindingKind.UNVERIFIABLE
    assert "not ansible_check_mode" in finding.reason


def test_ordinary_conditional_skip_is_not_applicable(recorded: HostAudit) -> None:
    assert _findings(recorded, "Normal skip") == []
    assert _verdict(recorded, "Normal skip") == "not-applicable"


def test_loop_items_skipped_in_check_mode_are_unverifiable_each(recorded: HostAudit) -> None:
    assert _findings(recorded, "Loop with skip") == [("unverifiable", "a", "a"), ("unverifiable", "b", "b")]


def test_ignored_failure_is_unverifiable(recorded: HostAudit) -> None:
    assert [k for k, *_ in _findings(recorded, "Ignored failure")] == ["unverifiable"]


def test_handler_is_a_consequence_not_drift(recorded: HostAudit) -> None:
    assert recorded.handlers == ["Handler one"]
    assert _findings(recorded, "Handler one") == []
    assert all(c.task != "Handler one" for c in recorded.checks)


def test_exactly_the_expected_findings(recorded: HostAudit) -> None:
    drift = sorted(f.task for f in recorded.drift)
    assert drift == ["Command with creates", "Copy a file that drifted"]
    assert len(recorded.unverifiable) == 7


# --- constructed runs ------------------------------------------------------------------------------


def _task(host: str, name: str, status: TaskStatus, **kw: object) -> TaskResult:
    return TaskResult(
        host=host,
        task=name,
        action=str(kw.pop("action", "ansible.builtin.template")),
        status=status,
        check_mode=True,
        task_uuid=f"u-{name}",
        **kw,
    )  # type: ignore[arg-type]


def _run(tasks: list[TaskResult], *, hosts: dict[str, HostSummary] | None = None, **kw: object) -> RunResult:
    values: dict[str, object] = {"check": True}
    values.update(kw)
    return RunResult(
        run_id="r1",
        playbook="audit.yml",
        artifact_dir=Path("/tmp/none"),
        status=str(values.pop("status", "successful")),
        rc=0,
        tasks=tasks,
        hosts=hosts or {},
        **values,  # type: ignore[arg-type]
    )


def test_all_ok_is_compliant_and_exit_zero() -> None:
    run = _run([_task("h1", "a", TaskStatus.OK), _task("h1", "b", TaskStatus.OK)])
    (host,) = classify_run(run, customers={"h1": "acme"}).hosts
    assert host.status is HostStatus.COMPLIANT and host.customer == "acme" and host.tasks == 2
    assert Audit(id="x", started="t", hosts=[host]).exit_code == 0


def test_unreachable_host() -> None:
    run = _run(
        [_task("h1", "Gathering Facts", TaskStatus.UNREACHABLE, msg="ssh: connect refused")],
        hosts={"h1": HostSummary("h1", dark=1)},
    )
    (host,) = classify_run(run).hosts
    assert host.status is HostStatus.UNREACHABLE
    assert host.findings[0].reason == "ssh: connect refused"


def test_failed_task_fails_the_host() -> None:
    run = _run(
        [_task("h1", "a", TaskStatus.CHANGED), _task("h1", "b", TaskStatus.FAILED, msg="boom")],
        hosts={"h1": HostSummary("h1", ok=1, changed=1, failures=1)},
    )
    (host,) = classify_run(run).hosts
    assert host.status is HostStatus.FAILED
    assert {f.kind for f in host.findings} == {FindingKind.DRIFT, FindingKind.FAILED}


def test_rescued_failure_is_unverifiable_not_failed() -> None:
    run = _run(
        [_task("h1", "a", TaskStatus.FAILED, msg="nope"), _task("h1", "rescue", TaskStatus.OK)],
        hosts={"h1": HostSummary("h1", ok=1, rescued=1)},
    )
    (host,) = classify_run(run).hosts
    assert host.status is HostStatus.UNVERIFIABLE
    assert "rescue" in host.findings[0].reason


def test_skip_without_recorded_reason_is_unverifiable() -> None:
    (host,) = classify_run(_run([_task("h1", "a", TaskStatus.SKIPPED)])).hosts
    assert host.status is HostStatus.UNVERIFIABLE


def test_module_without_check_mode_support_is_unverifiable() -> None:
    task = _task("h1", "a", TaskStatus.SKIPPED, action="community.general.thing")
    metas = {
        ("u-a", "h1"): TaskMeta(
            check_mode=True, skip=SkipInfo(msg="remote module (thing) does not support check mode")
        )
    }
    (host,) = classify_run(_run([task]), metas=metas).hosts
    assert host.status is HostStatus.UNVERIFIABLE
    assert "does not support check mode" in host.findings[0].reason


def test_without_callback_data_a_command_that_ran_and_changed_is_unverifiable() -> None:
    task = _task(
        "h1",
        "a",
        TaskStatus.CHANGED,
        action="ansible.builtin.shell",
        result={"delta": "0:00:00.01", "cmd": "x"},
    )
    (host,) = classify_run(_run([task])).hosts
    assert host.status is HostStatus.UNVERIFIABLE


def test_without_callback_data_handlers_are_told_by_their_file() -> None:
    handler = _task("h1", "restart", TaskStatus.CHANGED, task_path="/p/roles/x/handlers/main.yml:3")
    (host,) = classify_run(_run([_task("h1", "a", TaskStatus.OK), handler])).hosts
    assert host.status is HostStatus.COMPLIANT and host.handlers == ["restart"]


def test_expected_host_without_any_task_is_unverifiable() -> None:
    hosts = classify_run(_run([_task("h1", "a", TaskStatus.OK)]), expected_hosts=["h1", "h2"]).hosts
    assert [(h.host, h.status) for h in hosts] == [
        ("h1", HostStatus.COMPLIANT),
        ("h2", HostStatus.UNVERIFIABLE),
    ]


def test_run_that_stopped_early_leaves_no_host_compliant() -> None:
    run = _run([_task("h1", "a", TaskStatus.OK)], status="timeout", error="Timed out after 5 s")
    classified = classify_run(run)
    assert classified.hosts[0].status is HostStatus.UNVERIFIABLE
    assert "stopped" in classified.errors[0]


def test_a_run_without_check_mode_is_an_error() -> None:
    classified = classify_run(_run([_task("h1", "a", TaskStatus.OK)], check=False))
    assert "not a check-mode run" in classified.errors[0]
    assert Audit(id="x", started="t", hosts=classified.hosts, errors=classified.errors).exit_code == 1


def test_changed_loop_items_are_one_drift_each() -> None:
    items = [
        ItemResult(
            item="vm.swappiness", status=TaskStatus.CHANGED, diff=[{"before": "60\n", "after": "10\n"}]
        ),
        ItemResult(item="net.ipv4.ip_forward", status=TaskStatus.OK),
    ]
    task = _task("h1", "sysctl", TaskStatus.CHANGED, action="ansible.posix.sysctl", items=items)
    (host,) = classify_run(_run([task])).hosts
    assert [(f.resource, f.item) for f in host.drift] == [("vm.swappiness", "vm.swappiness")]
    assert "+10" in host.drift[0].diff


def test_resource_from_module_arguments() -> None:
    apt = _task(
        "h1",
        "pkgs",
        TaskStatus.CHANGED,
        action="ansible.builtin.apt",
        result={"invocation": {"module_args": {"name": ["vim", "curl"]}}},
    )
    assert resource_of(apt) == "vim, curl"


def test_host_status_severity_and_exit_codes() -> None:
    run = _run(
        [
            _task("drift", "a", TaskStatus.CHANGED),
            _task("unv", "a", TaskStatus.SKIPPED),
            _task("ok", "a", TaskStatus.OK),
        ]
    )
    hosts = {h.host: h for h in classify_run(run).hosts}
    assert hosts["drift"].status is HostStatus.DRIFTED and hosts["unv"].status is HostStatus.UNVERIFIABLE
    assert Audit(id="x", started="t", hosts=[hosts["ok"], hosts["drift"]]).exit_code == 2
    assert Audit(id="x", started="t", hosts=[hosts["drift"], hosts["unv"]]).exit_code == 1
    assert Audit(id="x", started="t", hosts=[]).exit_code == 1


def test_skip_verdicts() -> None:
    assert (
        skip_verdict(SkipInfo(skip_reason="Conditional result was False", false_condition="x == 1")) is None
    )
    assert skip_verdict(SkipInfo(msg="No items in the list")) is None
    assert skip_verdict(SkipInfo(false_condition="ansible_check_mode is false")) is not None
    assert skip_verdict(SkipInfo(msg="This action (x) does not support check mode.")) is not None
    assert skip_verdict(SkipInfo()) is not None


def test_parse_task_meta_ignores_broken_lines() -> None:
    lines = [
        "not json",
        json.dumps({"kind": "ok", "task_uuid": "u", "host": "h", "check_mode": False, "handler": True}),
        json.dumps(
            {"kind": "item_skipped", "task_uuid": "u2", "host": "h", "item": "a", "skip": {"msg": "m"}}
        ),
        json.dumps(["no", "mapping"]),
    ]
    metas = parse_task_meta(lines)
    assert metas[("u", "h")].check_mode is False and metas[("u", "h")].handler is True
    assert metas[("u2", "h")].item_skips["a"].msg == "m"


# --- network devices (through the network package's own mapping) --------------------------------


def test_network_devices_drifted_unverifiable_unreachable() -> None:
    drifted = DeviceCompliance(
        "sw1",
        "cisco_ios",
        DeviceStatus.DRIFTED,
        features=[
            FeatureResult("ntp", True),
            FeatureResult(
                "logging",
                False,
                missing=["logging host 192.0.2.1"],
                intended="logging host 192.0.2.1\n",
                actual="",
            ),
        ],
    )
    broken = DeviceCompliance("rt1", "huawei_vrp", DeviceStatus.UNVERIFIABLE, error="template failed")
    gone = DeviceCompliance("sw2", "cisco_ios", DeviceStatus.UNREACHABLE, error="connection refused")
    tasks = [t for d in (drifted, broken, gone) for t in to_task_results(d)]
    net = _run(tasks)
    hosts = {h.host: h for h in classify_run(net, scope="network").hosts}
    assert hosts["sw1"].status is HostStatus.DRIFTED
    (drift,) = hosts["sw1"].drift
    assert drift.resource == "logging" and "+logging host 192.0.2.1" in drift.diff
    assert hosts["rt1"].status is HostStatus.UNVERIFIABLE
    assert hosts["sw2"].status is HostStatus.UNREACHABLE
    assert {h.scope for h in hosts.values()} == {"network"}


def test_no_log_task_skipped_by_its_condition_is_not_applicable(recorded: HostAudit) -> None:
    # ansible censors a no_log result entirely; the callback still records ansible's skip reason
    assert _findings(recorded, "Secret task skipped by its condition") == []
    assert _verdict(recorded, "Secret task skipped by its condition") == "not-applicable"


def test_in_memory_actions_reporting_changed_are_not_drift() -> None:
    group_by = _task("h1", "Sort the hosts", TaskStatus.CHANGED, action="ansible.builtin.group_by")
    set_fact = _task("h1", "Work out", TaskStatus.CHANGED, action="ansible.builtin.set_fact")
    (host,) = classify_run(_run([group_by, set_fact])).hosts
    assert host.status is HostStatus.COMPLIANT and host.findings == []
