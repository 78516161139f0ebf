"""Scripted runs of every runbook in runbooks/*.yml (and the built-in audit-fix), one per outcome.

Each runbook's playbook reports through ``set_stats`` as the real one does — in check mode its
``verified`` is false, because the playbooks compute ``(not ansible_check_mode) and …`` — and its
changing tasks carry the module results (``cmd``, ``commands``) the real modules return. The
runner is the only fake: the engine, the repository's runbook files, records, reports and
history are real. No test lives here (see test_records_truth.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from test_runbook_support import PLAYBOOK, ScriptedUi, failed, stats

from opsbook.audit.fix import FixEngine
from opsbook.paths import ProjectPaths, find_project_root
from opsbook.records.model import Record
from opsbook.results import TaskResult, TaskStatus
from opsbook.runbooks.engine import Engine, RunRequest
from opsbook.runbooks.loader import load_runbook, runbook_files

REPO = find_project_root(Path(__file__).parent)

#: a register that passes `opsbook inventory check` (YAML, customer group, display name)
INVENTORY = """\
all:
  children:
    linux:
      hosts:
        web1: {asset_environment: lab, asset_serial: SN-WEB1, asset_id: A-1, asset_kind: server}
    network:
      hosts:
        sw1: {asset_environment: lab, asset_serial: FOC123, asset_id: N-1, asset_kind: switch}
    customer_acme:
      hosts:
        web1:
        sw1:
      vars:
        asset_customer: acme
        asset_customer_name: ACME Logistics GmbH
"""

OUTCOMES = ("applied", "planned", "declined", "failed", "rolled-back", "nothing-to-do")


@dataclass
class Script:
    """What one runbook's playbook reports, per situation."""

    host: str
    params: dict[str, str]
    pre: dict[str, Any]
    cause: str
    #: tasks that change something when the fault is fixed: (task, action, module result)
    changes: list[tuple[str, str, dict[str, Any]]]
    post_fixed: dict[str, Any]
    actions_fixed: list[str]
    post_unchanged: dict[str, Any] = field(default_factory=dict)
    actions_unchanged: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    #: the runbook reports ``verified`` (its post-check)
    verifies: bool = True
    #: a network push that failed its post-check and restored the backup
    rolled_back: dict[str, Any] = field(default_factory=dict)


LOGROTATE = "/etc/logrotate.conf"
BOUNCE = ["interface GigabitEthernet1/0/1", "shutdown", "no shutdown"]
NTP = ["ntp server 192.0.2.10", "no ntp server 192.0.2.99"]
LOGGING = ["logging host 192.0.2.5"]

SCRIPTS: dict[str, Script] = {
    "disk-full": Script(
        host="web1",
        params={"path": "/"},
        pre={"filesystem": "/dev/sda1", "used_percent": 97},
        cause="/dev/sda1 filled up to 97%; most space was in: 235M /var/log/app.log.1",
        changes=[
            (
                "Force a log rotation",
                "ansible.builtin.command",
                {"cmd": ["logrotate", "--force", "/etc/logrotate.conf"]},
            ),
            ("Vacuum the journal", "ansible.builtin.command", {"cmd": "journalctl --vacuum-size=32M"}),
        ],
        post_fixed={"used_percent": 61, "freed": "1.1 GB"},
        actions_fixed=["freed 1.1 GB on /dev/sda1: 97% used before, 61% after"],
        post_unchanged={"used_percent": 42, "freed": "0 B"},
        actions_unchanged=["freed 0 B on /dev/sda1: 42% used before, 42% after"],
    ),
    "service-down": Script(
        host="web1",
        params={"service": "nginx"},
        pre={"unit": "nginx.service", "active_state": "failed", "port_open": "not checked"},
        cause="nginx.service was failed (failed, result exit-code)",
        changes=[
            (
                "Restart nginx.service",
                "ansible.builtin.systemd_service",
                {"name": "nginx.service", "state": "started"},
            )
        ],
        post_fixed={"active_state": "active", "restart_attempts": 1},
        actions_fixed=["restarted nginx.service 1 time(s) (backoff 2s, doubling); it answers again"],
        post_unchanged={"active_state": "active", "restart_attempts": 0},
        actions_unchanged=["nothing restarted: nginx.service was already running and answering"],
    ),
    "network-interface-down": Script(
        host="sw1",
        params={"interface": "Gi1/0/1"},
        pre={"interface": "GigabitEthernet1/0/1", "status": "administratively down", "protocol": "down"},
        cause="GigabitEthernet1/0/1 was administratively down, line protocol down",
        findings=["log lines naming GigabitEthernet1/0/1: none"],
        changes=[
            (
                "Bounce the interface Gi1/0/1",
                "opsbook_net_interface",
                {"commands": ["interface GigabitEthernet1/0/1", "shutdown", "no shutdown"]},
            )
        ],
        post_fixed={"status": "up", "protocol": "up", "bounced": True},
        actions_fixed=["bounced GigabitEthernet1/0/1: it is up/up"],
        post_unchanged={"status": "up", "protocol": "up", "bounced": False},
        actions_unchanged=["not bounced: GigabitEthernet1/0/1 is up/up"],
    ),
    "network-push": Script(
        host="sw1",
        params={},
        pre={"backup_commit": "3f2a91c", "commands": 2, "features": ["ntp"]},
        cause="",
        changes=[
            (
                "Apply safely, or roll back",
                "opsbook_net_push",
                {"commands": ["ntp server 192.0.2.10", "no ntp server 192.0.2.99"], "status": "applied"},
            )
        ],
        post_fixed={"status": "applied"},
        actions_fixed=[],
        post_unchanged={"status": "unchanged"},
        rolled_back={"status": "rolled_back"},
    ),
    "restore-network-config": Script(
        host="sw1",
        params={"backup": "3f2a91c"},
        pre={"backup_commit": "77aa001", "commands": 1, "features": ["logging"]},
        cause="",
        changes=[
            (
                "Restore safely, or roll back",
                "opsbook_net_push",
                {"commands": ["logging host 192.0.2.5"], "status": "applied"},
            )
        ],
        post_fixed={"status": "applied"},
        actions_fixed=[],
        post_unchanged={"status": "unchanged"},
        rolled_back={"status": "rolled_back"},
    ),
    "collect-evidence": Script(
        host="web1",
        params={},
        pre={},
        cause="",
        changes=[],
        post_fixed={"bundle": "evidence/web1.tar.gz", "files": 41, "redactions": 3},
        actions_fixed=[],
    ),
    "high-load": Script(
        host="web1",
        params={},
        pre={"load": "7.9 6.1 4.0", "cpus": 2, "iowait_percent": 41},
        cause="I/O wait 41%: the disks are the bottleneck",
        findings=["top process by CPU: java (pid 812) 180%"],
        changes=[],
        post_fixed={},
        actions_fixed=[],
        verifies=False,
    ),
    "audit-fix": Script(
        host="web1",
        params={},
        pre={},
        cause="",
        changes=[
            ("hardening : Write sshd_config", "ansible.builtin.template", {"dest": "/etc/ssh/sshd_config"}),
            ("base : Install packages", "ansible.builtin.apt", {"name": ["chrony"]}),
            (
                "hardening : Reload sshd",
                "ansible.builtin.systemd_service",
                {"name": "ssh", "state": "reloaded"},
            ),
        ],
        post_fixed={},
        actions_fixed=[],
        verifies=False,
    ),
}

#: the outcomes each runbook can have (read-only runbooks are never declined or rolled back)
MATRIX = [
    (name, outcome)
    for name in SCRIPTS
    for outcome in OUTCOMES
    if not (name in ("collect-evidence", "high-load") and outcome in ("declined", "nothing-to-do"))
    and not (outcome == "rolled-back" and name not in ("network-push", "restore-network-config"))
]


def _changed(host: str, task: str, action: str, result: dict[str, Any], check: bool) -> TaskResult:
    return TaskResult(
        host=host,
        task=task,
        action=action,
        status=TaskStatus.CHANGED,
        check_mode=check,
        result=dict(result),
        diff=[{"before": "old\n", "after": "new\n", "before_header": task, "after_header": task}],
    )


def _failed(host: str, task: str, action: str, msg: str) -> TaskResult:
    return TaskResult(host=host, task=task, action=action, status=TaskStatus.FAILED, msg=msg)


def behaviour(name: str, outcome: str) -> Callable[[str, str], list[TaskResult]]:
    script = SCRIPTS[name]

    def tasks(purpose: str, host: str) -> list[TaskResult]:
        check = purpose != "apply"
        nothing = outcome == "nothing-to-do"
        out: list[TaskResult] = [stats(host, pre=script.pre, findings=script.findings)]
        if script.cause:
            out.append(stats(host, cause=script.cause))
        if not nothing:
            out += [_changed(host, t, a, r, check) for t, a, r in script.changes]
        if outcome == "failed" and not check:
            out.append(failed(host, "Post-check", "non-zero return code"))
            return out
        if outcome == "rolled-back" and not check:
            out.append(
                stats(host, post=script.rolled_back, verified=False, cause="post-check: not compliant")
            )
            out.append(failed(host, "Apply safely, or roll back", "sw1: rolled_back: post-check failed"))
            return out
        post = script.post_unchanged if nothing else script.post_fixed
        actions = script.actions_unchanged if nothing else script.actions_fixed
        report: dict[str, Any] = {"post": post}
        if actions and not check:
            report["actions"] = actions
        if script.verifies:
            report["verified"] = not check  # the playbooks: (not ansible_check_mode) and …
        out.append(stats(host, **report))
        return out

    return tasks


def project_with_repo_runbooks(root: Path) -> ProjectPaths:
    """A throw-away project holding the repository's runbooks (their playbooks as stand-ins)."""
    (root / "runbooks").mkdir(parents=True)
    (root / "inventory").mkdir()
    (root / "ansible.cfg").write_text("[defaults]\ninventory = inventory/hosts.yml\n")
    (root / "inventory" / "hosts.yml").write_text(INVENTORY)
    playbooks = {"site.yml": "linux"}
    for path in runbook_files(REPO / "runbooks"):
        shutil.copy(path, root / "runbooks" / path.name)
        shutil.copy(path.with_suffix(".md"), root / "runbooks" / f"{path.stem}.md")
        runbook = load_runbook(path, REPO / "playbooks")
        playbooks[runbook.playbook] = runbook.targets.pattern
        if runbook.rollback:
            playbooks[runbook.rollback.playbook] = runbook.targets.pattern
    for playbook, hosts in playbooks.items():
        (root / "playbooks" / playbook).parent.mkdir(parents=True, exist_ok=True)
        (root / "playbooks" / playbook).write_text(PLAYBOOK.replace("hosts: linux", f"hosts: {hosts}"))
    return ProjectPaths(root)


def run_scenario(project: ProjectPaths, name: str, outcome: str, runner_factory: Any) -> Record:
    script = SCRIPTS[name]
    runner = runner_factory(project, behaviour(name, outcome))
    answers = ["n"] if outcome == "declined" else []
    ui = ScriptedUi(tty=outcome == "declined", answers=answers)
    engine_class = FixEngine if name == "audit-fix" else Engine
    engine = engine_class(project, ui, runner=runner)
    request = RunRequest(
        name,
        params=script.params,
        limit=script.host,
        check=outcome == "planned",
        yes=outcome != "declined",
        ticket="INC-42",
    )
    if outcome == "declined" and name == "network-interface-down":
        ui.answers = ["no"]  # a destructive runbook asks for the environment name to be typed
    result = engine.run(request)
    assert result.record is not None
    return result.record


def cli(project: ProjectPaths, *args: str, columns: int | None = 200) -> subprocess.CompletedProcess[str]:
    """``opsbook ARGS`` in a fresh process on ``project`` (``columns=None``: piped, no COLUMNS)."""
    env = {**os.environ, "OPSBOOK_PROJECT": str(project.root)}
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-c", "from opsbook.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
