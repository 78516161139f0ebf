"""ansible-runner events → result model, on events recorded from a real run of
fixtures/runner/demo.yml (check + diff mode; re-record with fixtures/runner/record_events.py)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from opsbook.results import HostSummary, RunResult, TaskStatus
from opsbook.runner.events import (
    convert_events,
    normalize_diff,
    output_tail,
    summaries_from_tasks,
    task_result,
)
from opsbook.runner.redaction import MASK

FIXTURES = Path(__file__).parent / "fixtures" / "runner"
CANARY = "CANARY-s3cr3t-42"

S = TaskStatus
EXPECTED_TASKS = [
    ("gamma", "Read-only probe", S.UNREACHABLE),
    ("alpha", "Read-only probe", S.OK),
    ("beta", "Read-only probe", S.OK),
    ("beta", "Write a file", S.CHANGED),
    ("alpha", "Write a file", S.CHANGED),
    ("alpha", "Never runs", S.SKIPPED),
    ("beta", "Never runs", S.SKIPPED),
    ("beta", "Loop over items", S.CHANGED),
    ("alpha", "Loop over items", S.CHANGED),
    ("beta", "Use the secret quietly", S.OK),
    ("alpha", "Use the secret quietly", S.OK),
    ("alpha", "Leak the secret", S.OK),
    ("beta", "Leak the secret", S.OK),
    ("beta", "Fail but carry on", S.OK),
    ("alpha", "Fail but carry on", S.OK),
    ("alpha", "Fail on beta", S.SKIPPED),
    ("beta", "Fail on beta", S.FAILED),
    ("alpha", "Only alpha gets here", S.OK),
]
EXPECTED_HOSTS = {
    "alpha": HostSummary("alpha", ok=7, changed=2, skipped=2, ignored=1),
    "beta": HostSummary("beta", ok=6, changed=2, failures=1, skipped=1, ignored=1),
    "gamma": HostSummary("gamma", dark=1),
}


def demo_events() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads((FIXTURES / "demo-events.json").read_text())
    return events


@pytest.fixture(scope="module")
def converted() -> Any:
    return convert_events(demo_events(), secrets=[CANARY], check=True)


def one(converted: Any, host: str, task: str) -> Any:
    [match] = [t for t in converted.tasks if t.host == host and t.task == task]
    return match


def test_the_recorded_fixture_still_holds_the_canary() -> None:
    assert CANARY in json.dumps(demo_events())


def per_host(tasks: Any) -> dict[str, list[tuple[str, TaskStatus]]]:
    """Task order per host (hosts interleave differently from run to run)."""
    result: dict[str, list[tuple[str, TaskStatus]]] = {}
    for t in tasks:
        result.setdefault(t[0], []).append((t[1], t[2]))
    return result


def test_one_task_result_per_task_and_host_in_play_order(converted: Any) -> None:
    got = [(t.host, t.task, t.status) for t in converted.tasks]
    assert len(got) == len(EXPECTED_TASKS)
    assert per_host(got) == per_host(EXPECTED_TASKS)


def test_host_summaries_come_from_the_recap(converted: Any) -> None:
    assert converted.finished is True
    assert converted.hosts == EXPECTED_HOSTS
    assert [h.status for h in converted.hosts.values()] == [S.CHANGED, S.FAILED, S.UNREACHABLE]
    assert converted.plays == ["Runner demo"]


def test_counting_tasks_gives_the_recap_when_the_recap_is_missing(converted: Any) -> None:
    without_recap = [e for e in demo_events() if e["event"] != "playbook_on_stats"]
    partial = convert_events(without_recap, secrets=[CANARY], check=True)
    assert partial.finished is False
    assert partial.hosts == EXPECTED_HOSTS == summaries_from_tasks(converted.tasks)


def test_a_task_started_and_never_finished_is_interrupted_on_that_host() -> None:
    """A run stopped (timeout) after "Write a file" started on both hosts and finished on alpha."""
    stopped = [e for e in demo_events() if int(e["counter"]) <= 14]
    partial = convert_events(stopped, check=True)
    assert partial.finished is False
    assert partial.interrupted == {"beta": "Write a file"}
    assert convert_events(demo_events(), check=True).interrupted == {}, "a finished run has none"


def test_event_order_on_disk_does_not_matter(converted: Any) -> None:
    shuffled = demo_events()
    random.Random(7).shuffle(shuffled)
    assert convert_events(shuffled, secrets=[CANARY], check=True) == converted


def test_copy_in_check_and_diff_mode_keeps_the_diff(converted: Any) -> None:
    task = one(converted, "alpha", "Write a file")
    assert task.action == "ansible.builtin.copy"
    assert task.check_mode is True
    assert task.diff == [
        {"before": "", "after_header": "/tmp/demo-out/alpha.txt", "after": "managed by opsbook\n"}
    ]
    assert "diff" not in task.result
    assert task.result["changed"] is True
    assert task.task_path == "/project/tests/unit/fixtures/runner/demo.yml:12"
    assert task.duration > 0 and task.start and task.end


def test_a_loop_is_one_task_result_with_its_items(converted: Any) -> None:
    task = one(converted, "beta", "Loop over items")
    assert task.msg == "All items completed"
    assert "results" not in task.result
    assert [(i.item, i.status) for i in task.items] == [("a", S.OK), ("b", S.CHANGED), ("c", S.SKIPPED)]
    assert task.items[0].result["stdout"] == "a"
    assert "item" not in task.items[0].result and "ansible_loop_var" not in task.items[0].result
    assert task.items[2].msg == "Conditional result was False"
    assert task.diff == []


def test_no_log_keeps_only_the_censored_note(converted: Any) -> None:
    task = one(converted, "alpha", "Use the secret quietly")
    assert task.no_log is True
    assert list(task.result) == ["censored"]
    assert "no_log: true" in task.result["censored"]
    assert task.msg == "" and task.diff == [] and task.items == []


def test_a_known_secret_is_masked_everywhere(converted: Any) -> None:
    task = one(converted, "beta", "Leak the secret")
    assert task.msg == f"token={MASK}"
    assert task.result["msg"] == f"token={MASK}"
    dumped = json.dumps([t.to_dict() for t in converted.tasks])
    assert CANARY not in dumped
    assert MASK in dumped


def test_without_secrets_nothing_is_masked() -> None:
    plain = convert_events(demo_events())
    assert one(plain, "beta", "Leak the secret").msg == f"token={CANARY}"


def test_an_ignored_failure_counts_as_ok_and_is_flagged(converted: Any) -> None:
    task = one(converted, "alpha", "Fail but carry on")
    assert task.status is S.OK
    assert task.ignore_errors is True
    assert task.msg == "The command exited with a non-zero return code."
    assert task.result["rc"] == 1


def test_failures_and_unreachable_hosts_keep_their_message(converted: Any) -> None:
    assert one(converted, "beta", "Fail on beta").msg == "deliberate failure"
    unreachable = one(converted, "gamma", "Read-only probe")
    assert "Connection refused" in unreachable.msg
    assert unreachable.result["unreachable"] is True


def test_internal_ansible_keys_are_dropped(converted: Any) -> None:
    assert "_ansible_verbose_always" not in one(converted, "alpha", "Leak the secret").result
    assert all("_ansible_item_label" not in i.result for t in converted.tasks for i in t.items)


def test_the_model_survives_json(converted: Any) -> None:
    result = RunResult(
        run_id="r",
        playbook="demo.yml",
        artifact_dir=Path("/tmp/r"),
        status="failed",
        rc=4,
        tasks=converted.tasks,
        hosts=converted.hosts,
    )
    assert RunResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    assert result.failed_hosts() == ["beta", "gamma"]


def event_data(**res: Any) -> dict[str, Any]:
    return {"host": "h", "task": "t", "task_action": "ansible.builtin.command", "res": res}


def test_an_ignored_failure_that_changed_something_is_changed() -> None:
    data = event_data(changed=True, failed=True, msg="boom") | {"ignore_errors": True}
    task = task_result("runner_on_failed", data)
    assert (task.status, task.ignore_errors, task.action) == (S.CHANGED, True, "ansible.builtin.command")


def test_loop_items_failed_unreachable_and_censored() -> None:
    res = {
        "changed": False,
        "results": [
            {"failed": True, "msg": "no", "item": {"name": "x"}, "_ansible_item_label": "x"},
            {"unreachable": True, "item": "y"},
            {"censored": "hidden"},
            "not a result",
        ],
    }
    task = task_result("runner_on_failed", event_data(**res))
    assert [(i.item, i.status) for i in task.items] == [
        ("x", S.FAILED),
        ("y", S.UNREACHABLE),
        ("(censored)", S.FAILED),
    ]
    assert task.items[2].result == {"censored": "hidden"}


def test_a_loop_with_a_per_item_diff_collects_them_in_order() -> None:
    res = {
        "changed": True,
        "results": [
            {"changed": True, "item": 1, "diff": {"before": "a", "after": "b"}},
            {"changed": True, "item": 2, "diff": [{"before": "c", "after": "d"}]},
        ],
    }
    task = task_result("runner_on_ok", event_data(**res))
    assert task.diff == [{"before": "a", "after": "b"}, {"before": "c", "after": "d"}]
    assert task.items[1].diff == [{"before": "c", "after": "d"}]


@pytest.mark.parametrize(
    ("diff", "expected"),
    [
        (None, []),
        ({"before": "x"}, [{"before": "x"}]),
        ([{"prepared": "p"}, "junk", None], [{"prepared": "p"}]),
        ("text", []),
    ],
)
def test_normalize_diff(diff: Any, expected: list[dict[str, Any]]) -> None:
    assert normalize_diff(diff) == expected


def test_output_tail_keeps_the_last_lines_without_colour() -> None:
    text = "\x1b[0;31mERROR! bad\x1b[0m\r\n\r\n" + "\n".join(f"line {i}" for i in range(30))
    tail = output_tail(text, lines=3)
    assert tail == "line 27\nline 28\nline 29"
    assert output_tail("\x1b[0;31mERROR! bad\x1b[0m\r\n") == "ERROR! bad"
