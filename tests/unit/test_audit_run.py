"""The audit flow without a lab: a fake runner, a fake device check and a fake inventory.

Checks what the audit asks of the runner (check + diff, the callback, the hosts), how the two
scopes merge, that every audit is kept with its reports, "since" across audits, the CLI's exit
codes and outputs, and that --fix goes through the runbook engine's record and history.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from opsbook.audit import run as audit_run
from opsbook.audit.fix import FIX_KNOWLEDGE_PAGE, FIX_NAME, FixEngine
from opsbook.audit.history import AuditStore
from opsbook.audit.model import HostStatus
from opsbook.audit.run import Auditor, AuditRequest, targets_from_inventory
from opsbook.audit.taskmeta import META_ENV
from opsbook.change.gate import ChangeRefused
from opsbook.cli import app
from opsbook.cli.change import ChangeArgs
from opsbook.errors import OpsbookError, UsageError
from opsbook.network.compliance import DeviceCompliance, DeviceStatus, FeatureResult, to_task_results
from opsbook.paths import ProjectPaths, project_paths
from opsbook.records.history import History
from opsbook.results import HostSummary, RunResult, TaskResult, TaskStatus
from opsbook.runbooks.engine import RunRequest
from opsbook.runbooks.targets import Target

SSHD_DIFF = [{"before_header": "/etc/ssh/sshd_config", "after_header": "/etc/ssh/sshd_config",
              "before": "PermitRootLogin yes\n", "after": "PermitRootLogin no\n"}]  # fmt: skip


def inventory(linux: Sequence[str] = ("db01", "web01"), devices: Sequence[str] = ("sw01",)) -> dict[str, Any]:
    hostvars: dict[str, dict[str, Any]] = {h: {"asset_customer": "acme"} for h in linux}
    for d in devices:
        hostvars[d] = {
            "asset_customer": "globex",
            "ansible_network_os": "cisco_ios",
            "ansible_host": "127.0.0.1",
            "ansible_port": 3301,
            "ansible_user": "admin",
            "ansible_password": "secret-pw",
        }
    return {
        "_meta": {"hostvars": hostvars},
        "all": {"children": ["linux", "network", "ungrouped"]},
        "linux": {"hosts": list(linux)},
        "network": {"hosts": list(devices)},
    }


class FakeRunner:
    """Answers like run_playbook: every host ok, except the drift given per host."""

    def __init__(self, drift: Mapping[str, bool]) -> None:
        self.drift = drift
        self.calls: list[dict[str, Any]] = []

    def __call__(self, playbook: str, **kw: Any) -> RunResult:
        self.calls.append({"playbook": playbook, **kw})
        hosts = kw["limit"].split(",")
        run_dir = kw["paths"].runs / kw["run_id"]
        tasks = []
        with open(kw["envvars"][META_ENV], "a") as meta:
            for h in hosts:
                changed = self.drift.get(h, False)
                tasks.append(
                    TaskResult(
                        host=h,
                        task="Write the SSH daemon configuration",
                        role="linux_base",
                        action="ansible.builtin.template",
                        status=TaskStatus.CHANGED if changed else TaskStatus.OK,
                        task_uuid="t1",
                        check_mode=kw["check"],
                        diff=SSHD_DIFF if changed else [],
                    )
                )
                meta.write(
                    json.dumps({"kind": "ok", "task_uuid": "t1", "host": h, "check_mode": True}) + "\n"
                )
        return RunResult(
            run_id=kw["run_id"],
            playbook=playbook,
            artifact_dir=run_dir,
            status="successful",
            rc=0,
            check=kw["check"],
            diff=kw["diff"],
            tasks=tasks,
            hosts={h: HostSummary(h, ok=1, changed=int(self.drift.get(h, False))) for h in hosts},
        )


def fake_network(devices: Sequence[Any]) -> list[TaskResult]:
    out: list[TaskResult] = []
    for d in devices:
        out += to_task_results(
            DeviceCompliance(
                d.name, "cisco_ios", DeviceStatus.COMPLIANT, features=[FeatureResult("ntp", True)]
            )
        )
    return out


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = (f"2026-11-{day:02d}T02:00:00+00:00" for day in itertools.count(1))
    monkeypatch.setattr(audit_run, "now_iso", lambda: next(ticks))


def limited(data: dict[str, Any], limit: str | None) -> dict[str, Any]:
    """``ansible-inventory --limit`` for a comma-separated list of names."""
    if not limit:
        return data
    names = set(limit.split(","))
    hostvars = {h: v for h, v in data["_meta"]["hostvars"].items() if h in names}
    groups = {
        g: {"hosts": [h for h in e.get("hosts", []) if h in names]}
        for g, e in data.items()
        if g not in ("_meta", "all")
    }
    return {"_meta": {"hostvars": hostvars}, "all": data["all"], **groups}


def make_auditor(tmp_path: Path, runner: FakeRunner, inv: dict[str, Any] | None = None) -> Auditor:
    return Auditor(
        ProjectPaths(tmp_path),
        runner=runner,
        network=fake_network,
        inventory_loader=lambda inventory_paths, limit=None, paths=None: limited(inv or inventory(), limit),
    )


def test_targets_from_inventory_splits_hosts_and_devices() -> None:
    targets = targets_from_inventory(inventory(), ["linux", "network"])
    assert targets.linux == ["db01", "web01"]
    assert [d.name for d in targets.devices] == ["sw01"]
    assert targets.customers["sw01"] == "globex"
    assert targets_from_inventory(inventory(), ["network"]).linux == []


def test_audit_runs_the_playbook_in_check_and_diff_mode_and_checks_devices(
    tmp_path: Path, clock: None
) -> None:
    runner = FakeRunner({"web01": True})
    auditor = make_auditor(tmp_path, runner)
    audit = auditor.run(AuditRequest())
    (call,) = runner.calls
    assert call["playbook"] == "audit.yml" and call["check"] is True and call["diff"] is True
    assert call["limit"] == "db01,web01"
    assert call["run_id"] == audit.id and "ANSIBLE_CALLBACK_PLUGINS" in call["envvars"]
    statuses = {h.host: (h.status, h.scope, h.customer) for h in audit.hosts}
    assert statuses == {
        "db01": (HostStatus.COMPLIANT, "linux", "acme"),
        "web01": (HostStatus.DRIFTED, "linux", "acme"),
        "sw01": (HostStatus.COMPLIANT, "network", "globex"),
    }
    assert audit.exit_code == 2
    folder = tmp_path / ".opsbook" / "audits" / audit.id
    assert sorted(p.name for p in folder.iterdir()) == [
        "audit-junit.xml",
        "audit-report.html",
        "audit-report.json",
        "audit.json",
    ]
    assert "secret-pw" not in (folder / "audit.json").read_text()


def test_persisting_drift_keeps_its_first_date(tmp_path: Path, clock: None) -> None:
    auditor = make_auditor(tmp_path, FakeRunner({"web01": True}))
    first = auditor.run(AuditRequest())
    second = auditor.run(AuditRequest())
    (drift,) = second.host("web01").drift  # type: ignore[union-attr]
    assert drift.since == first.started != second.started


def test_network_scope_alone_runs_no_playbook(tmp_path: Path, clock: None) -> None:
    runner = FakeRunner({})
    audit = make_auditor(tmp_path, runner).run(AuditRequest(scopes=["network"]))
    assert runner.calls == [] and [h.host for h in audit.hosts] == ["sw01"] and audit.exit_code == 0


def test_nothing_to_audit_is_a_usage_error(tmp_path: Path) -> None:
    auditor = make_auditor(tmp_path, FakeRunner({}), inventory(linux=(), devices=()))
    with pytest.raises(UsageError, match="nothing to audit"):
        auditor.run(AuditRequest())


def test_an_unwritable_state_folder_is_refused_before_any_host(tmp_path: Path) -> None:
    """A network-only audit runs no playbook (so the runner's own preflight never comes): the audit
    checks its state folder itself, before any device is contacted."""
    (tmp_path / ".opsbook").mkdir()
    (tmp_path / ".opsbook" / "audits").write_text("a file where the audits folder should be")
    contacted: list[Any] = []
    auditor = Auditor(
        ProjectPaths(tmp_path),
        runner=FakeRunner({}),
        network=lambda devices: contacted.extend(devices) or [],
        inventory_loader=lambda inventory_paths, limit=None, paths=None: inventory(),
    )
    with pytest.raises(OpsbookError, match="is a file, not a folder"):
        auditor.run(AuditRequest(scopes=["network"]))
    assert contacted == []


# --- CLI --------------------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: None) -> dict[str, Any]:
    state: dict[str, Any] = {"drift": {"web01": True}}
    monkeypatch.setattr("opsbook.cli.audit.project_paths", lambda: ProjectPaths(tmp_path))
    monkeypatch.setattr(
        "opsbook.cli.audit.Auditor", lambda paths: make_auditor(tmp_path, FakeRunner(state["drift"]))
    )
    return state


def test_cli_exit_codes_and_table(cli: dict[str, Any]) -> None:
    runner = CliRunner()
    drifted = runner.invoke(app, ["audit"])
    assert drifted.exit_code == 2, drifted.output
    assert "web01" in drifted.output and "+PermitRootLogin no" in drifted.output
    assert "html report:" in drifted.output
    cli["drift"] = {}
    compliant = runner.invoke(app, ["audit"])
    assert compliant.exit_code == 0, compliant.output


def test_cli_json_on_stdout_and_out_dir(cli: dict[str, Any], tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["audit", "--format", "json"])
    data = json.loads(result.output)
    assert data["counts"]["drifted"] == 1 and data["exit_code"] == 2
    out = tmp_path / "reports"
    written = runner.invoke(app, ["audit", "--format", "html,junit", "--out", str(out)])
    assert written.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["audit-junit.xml", "audit-report.html"]


def test_cli_diff_list_show(cli: dict[str, Any]) -> None:
    runner = CliRunner()
    runner.invoke(app, ["audit"])
    cli["drift"] = {"db01": True}
    runner.invoke(app, ["audit"])
    diff = runner.invoke(app, ["audit", "diff", "--json"])
    data = json.loads(diff.output)
    assert data["counts"] == {"new": 1, "resolved": 1, "persisting": 0}
    listed = runner.invoke(app, ["audit", "list"])
    assert listed.exit_code == 0 and listed.output.count("2026") >= 2
    shown = runner.invoke(app, ["audit", "show", data["newer"], "--format", "junit"])
    assert shown.exit_code == 2 and "<testsuites" in shown.output


def test_cli_bad_input_exits_1(cli: dict[str, Any]) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["audit", "--fix"]).exit_code == 1
    assert runner.invoke(app, ["audit", "--yes"]).exit_code == 1
    bad_scope = runner.invoke(app, ["audit", "--scope", "windows"])
    assert bad_scope.exit_code == 1 and "unknown audit scope" in bad_scope.output
    assert runner.invoke(app, ["audit", "diff"]).exit_code == 1  # no two audits yet


# --- --fix through the runbook engine -------------------------------------------------------------


class QuietUi:
    def __init__(self) -> None:
        self.plans: list[Any] = []

    def on_event(self, event: Any) -> None: ...

    def on_status(self, status: Any) -> None: ...

    def info(self, text: str) -> None: ...

    def warn(self, text: str) -> None: ...

    def interactive(self) -> bool:
        return False

    def confirm(self, question: str) -> bool:
        return False

    def ask(self, prompt: str) -> str:
        return ""

    def show_plan(self, plan: Sequence[Any]) -> None:
        self.plans.append(plan)


def test_fix_is_planned_confirmed_applied_and_recorded(tmp_path: Path) -> None:
    calls: list[dict[str, Any]] = []

    def runner(playbook: str, **kw: Any) -> RunResult:
        calls.append({"playbook": playbook, **kw})
        task = TaskResult(
            host="web01",
            task="sshd",
            action="ansible.builtin.template",
            status=TaskStatus.CHANGED,
            diff=SSHD_DIFF,
        )
        return RunResult(
            run_id=kw["run_id"],
            playbook=playbook,
            artifact_dir=tmp_path / ".opsbook" / "runs" / kw["run_id"],
            status="successful",
            rc=0,
            check=kw["check"],
            tasks=[task],
            hosts={"web01": HostSummary("web01", ok=1, changed=1)},
        )

    ui = QuietUi()
    engine = FixEngine(
        ProjectPaths(tmp_path),
        ui,
        runner=runner,
        resolver=lambda inv, pattern, limit: [Target("web01", {"asset_customer": "acme"})],
    )
    refused = pytest.raises(ChangeRefused, match="opsbook audit --fix changes hosts and needs the ticket")
    with refused:  # a fix is a change: it serves a ticket (docs/changes.md)
        engine.run(RunRequest(name=FIX_NAME, limit="web01", yes=True, inventory=[tmp_path]))
    assert calls == []
    request = RunRequest(name=FIX_NAME, limit="web01", yes=True, inventory=[tmp_path], ticket="CHG-5")
    outcome = engine.run(request)
    assert [(Path(c["playbook"]).name, c["check"]) for c in calls] == [
        ("site.yml", True),
        ("site.yml", False),
    ]
    assert ui.plans and ui.plans[0][0].changes, "the plan (the drift) was shown"
    assert outcome.record is not None and outcome.record.runbook["name"] == FIX_NAME
    assert outcome.record.consent.given == "--yes" and outcome.record.outcome == "ok"
    (entry,) = History(tmp_path / ".opsbook").entries()
    assert entry.runbook == FIX_NAME and entry.targets == ["web01"]
    assert outcome.record.runbook["knowledge_page"] == FIX_KNOWLEDGE_PAGE


def test_the_fix_record_points_to_a_page_that_exists() -> None:
    """audit-fix is built in (no runbooks/audit-fix.md): its record names the docs section."""
    page, _, anchor = FIX_KNOWLEDGE_PAGE.partition("#")
    text = (project_paths().root / page).read_text(encoding="utf-8")
    slugs = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in text.splitlines()
        if line.startswith("#")
    }
    assert anchor in slugs


def test_fix_without_terminal_or_yes_is_refused(tmp_path: Path) -> None:
    engine = FixEngine(
        ProjectPaths(tmp_path),
        QuietUi(),
        runner=lambda *a, **k: pytest.fail("nothing may run"),
        resolver=lambda inv, pattern, limit: [Target("web01")],
    )
    with pytest.raises(Exception, match="confirmation"):
        engine.run(RunRequest(name=FIX_NAME, limit="web01", inventory=[tmp_path]))


def test_store_is_under_the_state_folder(tmp_path: Path) -> None:
    assert (
        make_auditor(tmp_path, FakeRunner({})).store.root == AuditStore(tmp_path / ".opsbook" / "audits").root
    )


def test_cli_fix_sends_hosts_to_the_engine_devices_to_net_push_then_reaudits(
    cli: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    done: list[tuple[str, str, Any]] = []

    def fixed(console: Any, inventory: Any, names: str, change: Any, *, devices: bool) -> bool:
        done.append(("devices" if devices else "hosts", names, change))
        cli["drift"] = {}
        return True

    monkeypatch.setattr("opsbook.cli.audit._fix_run", fixed)
    args = [
        "audit",
        "--fix",
        "--limit",
        "web01,sw01",
        "--yes",
        "--ticket",
        "CHG-3",
        "--force",
        "outage, approved",
    ]
    result = CliRunner().invoke(app, args)
    change = ChangeArgs(yes=True, ticket="CHG-3", force="outage, approved")
    assert done == [("hosts", "web01", change), ("devices", "sw01", change)]
    assert result.exit_code == 0, result.output
    assert "Audit after the fix" in result.output


def test_cli_fix_failure_exits_1_without_reaudit(
    cli: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("opsbook.cli.audit._fix_run", lambda *a, devices, **k: devices)
    result = CliRunner().invoke(app, ["audit", "--fix", "--limit", "web01", "--yes"])
    assert result.exit_code == 1 and "Audit after the fix" not in result.output
