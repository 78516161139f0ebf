"""run_playbook with REAL ansible-runner and ansible-playbook, no lab: the hosts are
``ansible_connection=local`` (alpha, beta) and an SSH port on 127.0.0.1 nothing listens on
(gamma, unreachable). ~15 s for the file, hence tests/integration rather than tests/unit."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from opsbook.base.ids import GENERATED_RUN_ID
from opsbook.errors import OpsbookError
from opsbook.paths import project_paths
from opsbook.results import HostSummary, RunResult, TaskStatus
from opsbook.runner import load_result, run_playbook, scan_for_secrets
from opsbook.runner.artifacts import COMMAND_ENV_NAMES, COMMAND_ENV_PREFIXES
from opsbook.runner.inputs import RunInputError
from opsbook.runner.redaction import MASK

FIXTURES = Path(__file__).parents[1] / "unit" / "fixtures" / "runner"
INVENTORY = FIXTURES / "hosts.yml"
CANARY = "CANARY-real-7f3a9c"
S = TaskStatus


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    base = tmp_path_factory.mktemp("runner")
    out = base / "out"
    out.mkdir()
    result = run_playbook(
        FIXTURES / "demo.yml",
        inventory=[INVENTORY],
        check=True,
        diff=True,
        extravars={"runner_demo_dir": str(out), "runner_demo_canary": CANARY},
        secrets=[CANARY],
        label="runner demo",
        runs_dir=base / "runs",
    )
    return result, out


def tasks_by_host(result: RunResult) -> dict[str, list[tuple[str, TaskStatus]]]:
    return {h: [(t.task, t.status) for t in result.for_host(h)] for h in sorted(result.hosts)}


def test_every_outcome_lands_in_the_model(demo: tuple[RunResult, Path]) -> None:
    result, _ = demo
    assert tasks_by_host(result) == {
        "alpha": [
            ("Read-only probe", S.OK),
            ("Write a file", S.CHANGED),
            ("Never runs", S.SKIPPED),
            ("Loop over items", S.CHANGED),
            ("Use the secret quietly", S.OK),
            ("Leak the secret", S.OK),
            ("Fail but carry on", S.OK),
            ("Fail on beta", S.SKIPPED),
            ("Only alpha gets here", S.OK),
        ],
        "beta": [
            ("Read-only probe", S.OK),
            ("Write a file", S.CHANGED),
            ("Never runs", S.SKIPPED),
            ("Loop over items", S.CHANGED),
            ("Use the secret quietly", S.OK),
            ("Leak the secret", S.OK),
            ("Fail but carry on", S.OK),
            ("Fail on beta", S.FAILED),
        ],
        "gamma": [("Read-only probe", S.UNREACHABLE)],
    }
    assert result.hosts == {
        "alpha": HostSummary("alpha", ok=7, changed=2, skipped=2, ignored=1),
        "beta": HostSummary("beta", ok=6, changed=2, failures=1, skipped=1, ignored=1),
        "gamma": HostSummary("gamma", dark=1),
    }
    assert result.status == "failed" and result.rc != 0
    assert result.failed_hosts() == ["beta", "gamma"]
    assert result.error == ""


def test_run_metadata(demo: tuple[RunResult, Path]) -> None:
    result, _ = demo
    assert GENERATED_RUN_ID.match(result.run_id)
    assert result.artifact_dir.name == result.run_id
    assert result.playbook == "tests/unit/fixtures/runner/demo.yml"
    assert result.inventory == ["tests/unit/fixtures/runner/hosts.yml"]
    assert (result.check, result.diff, result.label) == (True, True, "runner demo")
    assert result.started <= result.ended
    assert result.extravars["runner_demo_canary"] == MASK


def test_check_mode_reaches_ansible_and_diffs_are_kept(demo: tuple[RunResult, Path]) -> None:
    result, out = demo
    [task] = [t for t in result.for_host("beta") if t.task == "Write a file"]
    assert task.check_mode is True
    assert task.diff == [
        {"before": "", "after_header": str(out / "beta.txt"), "after": "managed by opsbook\n"}
    ]
    assert list(out.iterdir()) == []  # check mode: nothing written
    command = json.loads((result.artifact_dir / "command").read_text())
    assert command["command"][1:3] == ["--check", "--diff"]
    assert command["cwd"] == str(project_paths().root)
    assert command["env"]["ANSIBLE_CONFIG"] == str(project_paths().ansible_cfg)


def test_loop_items_no_log_and_ignored_failures(demo: tuple[RunResult, Path]) -> None:
    result, _ = demo
    alpha = {t.task: t for t in result.for_host("alpha")}
    loop = alpha["Loop over items"]
    assert [(i.item, i.status) for i in loop.items] == [("a", S.OK), ("b", S.CHANGED), ("c", S.SKIPPED)]
    assert [i.result.get("stdout") for i in loop.items] == ["a", "b", None]
    quiet = alpha["Use the secret quietly"]
    assert quiet.no_log and list(quiet.result) == ["censored"]
    ignored = alpha["Fail but carry on"]
    assert ignored.ignore_errors and ignored.result["rc"] == 1


def test_the_canary_secret_is_nowhere_on_disk(demo: tuple[RunResult, Path]) -> None:
    result, _ = demo
    run_dir = result.artifact_dir
    assert scan_for_secrets(run_dir, [CANARY]) == []
    assert not (run_dir / "env").exists()  # ansible-runner's env/extravars never written
    leak = [t for t in result.tasks if t.task == "Leak the secret"]
    assert {t.msg for t in leak} == {f"token={MASK}"}
    assert CANARY not in json.dumps(result.to_dict())


def test_a_secret_printed_by_a_task_flags_the_run(demo: tuple[RunResult, Path]) -> None:
    result, _ = demo
    assert "stdout" in result.secret_leaks
    events = [p for p in result.secret_leaks if p.startswith("job_events/")]
    assert len(events) == 2  # "Leak the secret" on alpha and on beta
    for rel in events:
        event = json.loads((result.artifact_dir / rel).read_text())
        assert event["event_data"]["task"] == "Leak the secret"
        assert event["event_data"]["res"]["msg"] == f"token={MASK}"
    assert f"token={MASK}" in (result.artifact_dir / "stdout").read_text()


def test_extra_vars_went_through_a_temporary_file_now_gone(demo: tuple[RunResult, Path]) -> None:
    result, _ = demo
    command = json.loads((result.artifact_dir / "command").read_text())
    [arg] = [a for a in command["command"] if a.startswith("@")]
    assert re.fullmatch(r"@.*/opsbook-extravars-[^/]+\.yml", arg)
    assert not Path(arg[1:]).exists()


def test_the_operators_environment_is_not_kept(demo: tuple[RunResult, Path]) -> None:
    result, _ = demo
    env = json.loads((result.artifact_dir / "command").read_text())["env"]
    assert "HOME" not in env
    assert all(k.startswith(COMMAND_ENV_PREFIXES) or k in COMMAND_ENV_NAMES for k in env)


def test_result_json_is_the_model(demo: tuple[RunResult, Path]) -> None:
    result, _ = demo
    stored = json.loads((result.artifact_dir / "result.json").read_text())
    assert stored == json.loads(json.dumps(result.to_dict()))
    assert load_result(result.artifact_dir) == result


def test_a_finished_run_id_is_not_reused(demo: tuple[RunResult, Path]) -> None:
    result, _ = demo
    with pytest.raises(RunInputError, match="already exists"):
        run_playbook(
            FIXTURES / "sleep.yml",
            inventory=[INVENTORY],
            run_id=result.run_id,
            runs_dir=result.artifact_dir.parent,
        )


def test_bad_input_starts_nothing(tmp_path: Path) -> None:
    with pytest.raises(RunInputError, match="Unknown playbook"):
        run_playbook("no-such-playbook", runs_dir=tmp_path)
    with pytest.raises(RunInputError, match="Inventory not found"):
        run_playbook(FIXTURES / "sleep.yml", inventory=["nope.yml"], runs_dir=tmp_path)
    with pytest.raises(RunInputError, match="Bad run id"):
        run_playbook(FIXTURES / "sleep.yml", run_id="../x", runs_dir=tmp_path)
    with pytest.raises(OpsbookError, match=r"No result\.json"):
        load_result(tmp_path)
    assert list(tmp_path.iterdir()) == []


def sleeping(seconds: int) -> list[int]:
    """Pids of `sleep <seconds>` processes on this machine."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cmdline").read_bytes() == f"sleep\0{seconds}\0".encode():
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def test_timeout_stops_the_run(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_playbook(
        FIXTURES / "sleep.yml",
        inventory=[INVENTORY],
        extravars={"runner_sleep_seconds": 47},
        timeout=3,
        runs_dir=tmp_path,
    )
    elapsed = time.monotonic() - started
    assert result.status == "timeout"
    assert 3 <= elapsed < 15
    assert result.error.startswith("Timed out after 3 s: ansible was stopped.")
    assert result.hosts == {} and result.tasks == []
    assert (result.artifact_dir / "status").read_text() == "timeout"
    assert sleeping(47) == []  # ansible and its task were killed, nothing left running


# the timer thread that sends SIGINT makes pty.forkpty warn; ansible-playbook execs right away
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_ctrl_c_cancels_the_run_and_leaves_nothing_running(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGINT)
    timer = threading.Timer(2.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        result = run_playbook(
            FIXTURES / "sleep.yml",
            inventory=[INVENTORY],
            extravars={"runner_sleep_seconds": 46},
            runs_dir=tmp_path,
        )
    finally:
        timer.cancel()
    assert result.status == "canceled"
    assert result.error.startswith("Canceled by SIGINT: ansible was stopped.")
    assert result.canceled_by == "SIGINT"
    assert signal.getsignal(signal.SIGINT) is before  # opsbook's handler is gone again
    assert sleeping(46) == []
