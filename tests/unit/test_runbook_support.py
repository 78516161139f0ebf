"""Shared pieces for the runbook unit tests: a throw-away project and a scripted runner.

The runner is the only fake: runbook files, inventory resolution (Ansible's own), records,
reports and the history are real. No test lives here.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsbook.paths import ProjectPaths
from opsbook.results import HostSummary, RunResult, TaskResult, TaskStatus
from opsbook.runbooks.engine import Engine, HostPlan
from opsbook.runner.redaction import redact

PLAYBOOK = """\
- name: Demo
  hosts: linux
  gather_facts: false
  tasks:
    - name: Nothing
      ansible.builtin.debug:
        msg: demo
"""

PAGE = """\
# {name}

## Symptoms
s
## Diagnosis
d
## Procedure
p
## Escalation
e
## References
r
"""

RUNBOOKS = {
    "demo-fix": """\
        title: Fix the demo fault
        category: emergency
        summary: Fixes it.
        playbook: demo.yml
        targets:
          pattern: linux
          max_hosts: 3
        risk: changing
        timeout: 5m
        parameters:
          threshold:
            type: int
            default: 90
            min: 50
            max: 99
            help: Percent used that counts as full.
          mode:
            type: choice
            choices: [gentle, thorough]
            default: gentle
            help: How hard to try.
          wait:
            type: duration
            default: 30s
            min: 1s
            max: 10m
            help: How long to wait.
          token:
            type: secret
            help: An API token.
        report:
          problem: "Demo fault above {{ params.threshold }}% on {{ targets | join(', ') }}"
          follow_up: Watch it for a day.
    """,
    "demo-wipe": """\
        title: Wipe the demo cache
        category: maintenance
        summary: Deletes things.
        playbook: demo.yml
        targets:
          pattern: linux
          require_limit: true
        risk: destructive
        confirmation: environment
        report:
          problem: The cache is corrupt.
    """,
    "demo-look": """\
        title: Look at the demo
        category: audit
        summary: Reads things.
        playbook: demo.yml
        targets:
          pattern: linux
          environments: [lab, test]
        risk: read-only
        verifies: false
        parameters:
          pattern:
            type: hosts
            default: all
            help: Which hosts to compare with.
          verbose:
            type: bool
            default: false
            help: Say more.
          note:
            type: str
            regex: "[A-Z]+-[0-9]+"
            max: 12
            help: A note.
        report:
          problem: Evidence for {{ ticket }}.
    """,
}

#: a register that passes ``inventory check`` (changes refuse any register problem)
INVENTORY = """\
all:
  children:
    customer_acme:
      hosts:
        web1:
        web2:
        db1:
        sw1:
    linux:
      vars:
        asset_kind: server
      hosts:
        web1: {asset_environment: lab, asset_serial: SN-WEB1, asset_id: A-1, asset_customer: acme}
        web2: {asset_environment: lab, asset_serial: SN-WEB2, asset_id: A-2, asset_customer: acme}
        db1: {asset_environment: production, asset_serial: SN-DB1, asset_id: A-3, asset_customer: acme}
    network:
      hosts:
        sw1: {asset_environment: lab, asset_id: A-4, asset_kind: switch, asset_customer: acme}
"""


def make_project(root: Path) -> ProjectPaths:
    (root / "playbooks").mkdir(parents=True)
    (root / "runbooks").mkdir()
    (root / "inventory").mkdir()
    (root / "ansible.cfg").write_text("[defaults]\ninventory = inventory/hosts.yml\n")
    (root / "playbooks" / "demo.yml").write_text(PLAYBOOK)
    (root / "inventory" / "hosts.yml").write_text(INVENTORY)
    for name, text in RUNBOOKS.items():
        (root / "runbooks" / f"{name}.yml").write_text(textwrap.dedent(text))
        (root / "runbooks" / f"{name}.md").write_text(PAGE.format(name=name))
    return ProjectPaths(root)


# ---- building task results -------------------------------------------------------------------


def stats(host: str, **data: Any) -> TaskResult:
    return TaskResult(
        host=host,
        task="Report",
        action="ansible.builtin.set_stats",
        status=TaskStatus.OK,
        result={"ansible_stats": {"data": {"opsbook": data}, "per_host": True, "aggregate": True}},
    )


def changed(host: str, task: str, before: str = "a\n", after: str = "b\n") -> TaskResult:
    return TaskResult(
        host=host,
        task=task,
        action="ansible.builtin.copy",
        status=TaskStatus.CHANGED,
        diff=[{"before": before, "after": after, "before_header": "/etc/x", "after_header": "/etc/x"}],
    )


def failed(host: str, task: str, msg: str) -> TaskResult:
    return TaskResult(
        host=host, task=task, action="ansible.builtin.command", status=TaskStatus.FAILED, msg=msg
    )


def unreachable(host: str) -> TaskResult:
    return TaskResult(
        host=host,
        task="Gathering",
        action="setup",
        status=TaskStatus.UNREACHABLE,
        msg="ssh: connection refused",
    )


Behaviour = Callable[[str, str], list[TaskResult]]


def _summary(host: str, tasks: Sequence[TaskResult]) -> HostSummary:
    summary = HostSummary(host=host)
    for task in tasks:
        if task.status is TaskStatus.UNREACHABLE:
            summary.dark += 1
        elif task.status is TaskStatus.FAILED:
            summary.failures += 1
        elif task.status is TaskStatus.CHANGED:
            summary.changed += 1
            summary.ok += 1
        elif task.status is TaskStatus.OK:
            summary.ok += 1
        else:
            summary.skipped += 1
    return summary


@dataclass
class FakeRunner:
    """Stands in for opsbook.runner.run_playbook: ``behaviour(purpose, host)`` gives each host's tasks."""

    paths: ProjectPaths
    behaviour: Behaviour
    status: str = "successful"
    #: text written into an artifact file of every run (to plant a leak)
    artifact_text: str = ""
    #: mask known secrets in results as the real runner does (False: a runner that failed to)
    mask_secrets: bool = True
    #: host → task the run was stopped under (with status "timeout")
    interrupted: dict[str, str] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, playbook: str, **kwargs: Any) -> RunResult:
        self.calls.append({"playbook": playbook, **kwargs})
        purpose = (
            "plan" if str(kwargs["run_id"]).endswith("-plan") else ("check" if kwargs["check"] else "apply")
        )
        hosts = str(kwargs["limit"]).split(",")
        # like the real runner: known secrets are masked in every task result
        secrets = tuple(kwargs.get("secrets", ())) if self.mask_secrets else ()
        tasks = [
            TaskResult.from_dict(redact(t.to_dict(), secrets))
            for h in hosts
            for t in self.behaviour(purpose, h)
        ]
        run_dir = self.paths.runs / kwargs["run_id"]
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "stdout").write_text(f"PLAY [demo]\n{self.artifact_text}\n")
        result = RunResult(
            run_id=kwargs["run_id"],
            playbook=playbook,
            artifact_dir=run_dir,
            status=self.status,
            rc=0
            if self.status == "successful"
            and not any(t.status in (TaskStatus.FAILED, TaskStatus.UNREACHABLE) for t in tasks)
            else 2,
            check=bool(kwargs["check"]),
            limit=kwargs["limit"],
            tasks=tasks,
            hosts={h: _summary(h, [t for t in tasks if t.host == h]) for h in hosts},
            interrupted=dict(self.interrupted),
        )
        (run_dir / "result.json").write_text(json.dumps(result.to_dict()))
        return result

    def purposes(self) -> list[str]:
        return [
            "plan" if str(c["run_id"]).endswith("-plan") else ("check" if c["check"] else "apply")
            for c in self.calls
        ]


@dataclass
class ScriptedUi:
    """A terminal whose answers are given in advance."""

    tty: bool = True
    answers: list[str] = field(default_factory=list)
    progress: bool = False
    said: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    plans: list[Sequence[HostPlan]] = field(default_factory=list)

    def on_event(self, event: Mapping[str, Any]) -> None:
        return None  # the runner's callbacks: a script shows no progress

    def on_status(self, status: Any) -> None:
        return None

    def info(self, text: str) -> None:
        self.said.append(text)

    def warn(self, text: str) -> None:
        self.said.append("WARN " + text)

    def interactive(self) -> bool:
        return self.tty

    def confirm(self, question: str) -> bool:
        self.asked.append(question)
        return self.answers.pop(0).lower().startswith("y")

    def ask(self, prompt: str) -> str:
        self.asked.append(prompt)
        return self.answers.pop(0)

    def show_plan(self, plan: Sequence[HostPlan]) -> None:
        self.plans.append(plan)


def fixed_and_verified(purpose: str, host: str) -> list[TaskResult]:
    """A healthy runbook: changes one file and verifies the fix (pre/post measurements)."""
    tasks = [stats(host, pre={"used_percent": 97}), changed(host, "Rotate logs", "old\n", "new\n")]
    if purpose == "apply":
        tasks.append(
            stats(host, post={"used_percent": 40}, verified=True, actions=["rotated logs"], cause="logs")
        )
    return tasks


def make_engine(
    paths: ProjectPaths, ui: ScriptedUi, behaviour: Behaviour = fixed_and_verified, **kw: Any
) -> tuple[Engine, FakeRunner]:
    runner = FakeRunner(paths, behaviour, **kw)
    return Engine(paths, ui, runner=runner), runner
