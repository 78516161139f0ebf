"""The terminal recap, exit codes and the `opsbook run` command (run_playbook replaced here)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from opsbook.cli import app, recap
from opsbook.register import ensure_register_sound
from opsbook.results import HostSummary, RunResult, TaskResult, TaskStatus
from opsbook.runner.events import convert_events
from opsbook.runner.inputs import RunInputError

FIXTURES = Path(__file__).parent / "fixtures" / "runner"


def demo_result(status: str = "failed") -> RunResult:
    events = json.loads((FIXTURES / "demo-events.json").read_text())
    converted = convert_events(events, secrets=["CANARY-s3cr3t-42"], check=True)
    return RunResult(
        run_id="20261127T120000Z-abcdef",
        playbook="tests/unit/fixtures/runner/demo.yml",
        artifact_dir=Path("/project/.opsbook/runs/20261127T120000Z-abcdef"),
        status=status,
        rc=4,
        check=True,
        tasks=converted.tasks,
        hosts=converted.hosts,
    )


def text_of(renderable: Any) -> str:
    console = Console(file=io.StringIO(), width=160, force_terminal=False)
    if isinstance(renderable, RunResult):
        recap.print_recap(console, renderable)
    else:
        console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def ok_result(**kw: Any) -> RunResult:
    values: dict[str, Any] = {
        "run_id": "r",
        "playbook": "p.yml",
        "artifact_dir": Path("/r"),
        "status": "successful",
        "rc": 0,
        "hosts": {"a": HostSummary("a", ok=1)},
    }
    values.update(kw)
    return RunResult(**values)


@pytest.mark.parametrize(
    ("result", "code"),
    [
        (ok_result(), 0),
        (ok_result(hosts={"a": HostSummary("a", ok=1, failures=1)}, status="failed", rc=2), 2),
        (ok_result(hosts={"a": HostSummary("a", dark=1)}, status="failed", rc=4), 2),
        (ok_result(hosts={}, status="failed", rc=4), 1),
        (ok_result(hosts={"a": HostSummary("a", failures=1)}, status="timeout", rc=254), 1),
        (ok_result(status="canceled", rc=254), 1),
    ],
)
def test_exit_codes(result: RunResult, code: int) -> None:
    assert recap.exit_code(result) == code


def test_render_shows_the_recap_problems_run_id_and_artifacts() -> None:
    text = text_of(demo_result())
    assert "PLAY RECAP · tests/unit/fixtures/runner/demo.yml" in text
    lines = {
        line.split()[0]: line.split()[1:]
        for line in text.splitlines()
        if line.strip()[:5] in ("alpha", "beta ")
    }
    # host, status, ok, changed, failed, unreachable, skipped, ignored
    assert lines["alpha"] == ["changed", "7", "2", "0", "0", "2", "1"]
    assert lines["beta"] == ["failed", "6", "2", "1", "0", "1", "1"]
    assert "failed: beta · Fail on beta: deliberate failure" in text
    assert "unreachable: gamma · Read-only probe: Task failed" in text
    assert "run 20261127T120000Z-abcdef · failed (rc 4) (check mode)" in text
    assert "artifacts\n  /project/.opsbook/runs/20261127T120000Z-abcdef\n" in text  # the path on its own line
    assert "+++ after" not in text


def test_render_with_diff_prints_unified_diffs() -> None:
    text = text_of(recap.render(demo_result(), show_diff=True))
    assert "diff alpha · Write a file" in text
    assert "+++ after: /tmp/demo-out/alpha.txt" in text
    assert "+managed by opsbook" in text


def test_diff_text_handles_prepared_and_structured_entries() -> None:
    task = TaskResult(
        host="h",
        task="t",
        action="a",
        status=TaskStatus.CHANGED,
        diff=[{"prepared": "+ vlan 10"}, {"before": {"state": "absent"}, "after": {"state": "file"}}],
    )
    text = recap.diff_text(task).plain
    assert "+ vlan 10" in text
    assert '-  "state": "absent"' in text and '+  "state": "file"' in text


def test_render_shows_the_error_of_a_run_that_stopped_early() -> None:
    result = ok_result(
        hosts={}, status="failed", rc=4, error="ansible-playbook stopped before the play recap."
    )
    assert "stopped before the play recap" in text_of(recap.render(result))


def test_render_names_the_task_a_stopped_run_left_on_a_host() -> None:
    result = ok_result(hosts={}, status="timeout", rc=-1, interrupted={"web1": "Rebuild index"})
    assert "web1: stopped while running 'Rebuild index'; it may still be running on the host" in text_of(
        recap.render(result)
    )


def test_cli_json_output_and_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run(playbook: str, **kwargs: Any) -> RunResult:
        seen.update(kwargs, playbook=playbook)
        return demo_result()

    monkeypatch.setattr("opsbook.cli.run.run_playbook", fake_run)
    args = ["run", "demo", "-i", "a", "-i", "b", "-l", "web", "-C", "-D", "-e", "x=1", "-e", "y=2", "--json"]
    result = CliRunner().invoke(app, [*args, "-t", "t1,t2", "-f", "3", "--timeout", "9"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["run_id"] == "20261127T120000Z-abcdef"
    assert data["hosts"]["beta"]["status"] == "failed"
    assert seen == {
        "playbook": "demo",
        "inventory": ["a", "b"],
        "limit": "web",
        "extravars": {"x": "1", "y": "2"},
        "check": True,
        "diff": True,
        "tags": "t1,t2",
        "forks": 3,
        "timeout": 9,
        "on_event": seen["on_event"],
        "on_status": seen["on_status"],
        "inventory_check": ensure_register_sound,  # a broken register stops `opsbook run` first
    }
    # the runner's callbacks are the CLI's display (quiet with --json); the runner draws nothing
    assert callable(seen["on_event"]) and callable(seen["on_status"])


def test_cli_human_output_goes_to_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("opsbook.cli.run.run_playbook", lambda playbook, **kw: ok_result())
    result = CliRunner().invoke(app, ["run", "p", "--check"])
    assert result.exit_code == 0
    assert "PLAY RECAP · p.yml" in result.stdout
    assert "run r · successful (rc 0)" in result.stdout


def test_cli_bad_extra_var_is_an_input_error() -> None:
    result = CliRunner().invoke(app, ["run", "demo", "-e", "novalue"])
    assert isinstance(result.exception, RunInputError)


def test_cli_unknown_playbook_exits_1_with_a_clear_message(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "opsbook"), "run", "no-such-playbook"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "Unknown playbook 'no-such-playbook'" in done.stderr
    assert "Available playbooks:" in done.stderr
    assert "Traceback" not in done.stderr


LONG_HOST = "customer-acme-production-database-primary-frankfurt-01.example.internal"
LONG_RUN_ID = "20261203T101500Z-collect-evidence-4f9a1c2e"
LONG_DIR = Path("/srv/opsbook/customers/acme-corporation/state/.opsbook/runs") / LONG_RUN_ID


def narrow_text(result: RunResult, width: int = 80) -> str:
    """What `opsbook run` prints after a run, at 80 columns and piped (no terminal)."""
    console = Console(file=io.StringIO(), width=width, force_terminal=False)
    recap.print_recap(console, result)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_identifiers_and_paths_are_never_cut_at_80_columns() -> None:
    result = ok_result(
        run_id=LONG_RUN_ID,
        artifact_dir=LONG_DIR,
        hosts={LONG_HOST: HostSummary(LONG_HOST, ok=12, changed=3, rescued=1, ignored=2)},
        label="collect-evidence",
    )
    text = narrow_text(result)
    lines = text.splitlines()
    assert any(LONG_HOST in line for line in lines), text  # the host name whole, on one line
    assert any(LONG_RUN_ID in line for line in lines), text
    assert f"  {LONG_DIR}" in lines  # the path whole, alone on its line
    assert "…" not in text


def test_failure_lines_keep_the_host_name_whole_at_80_columns() -> None:
    task = TaskResult(host=LONG_HOST, task="t", action="a", status=TaskStatus.FAILED, msg="disk full " * 20)
    result = ok_result(
        run_id=LONG_RUN_ID, tasks=[task], hosts={LONG_HOST: HostSummary(LONG_HOST, failures=1)}
    )
    lines = narrow_text(result).splitlines()
    assert any(LONG_HOST in line for line in lines)
