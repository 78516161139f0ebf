"""A check-mode run's result model → per host compliant / drifted / unverifiable / unreachable /
failed, with the findings behind each verdict. Pure: data in, data out.

Rules (docs/audit.md lists them with examples):

* **drift** — a task that honoured check mode reports ``changed``: task, resource, diff. A loop
  task gives one finding per changed item.
* **unverifiable** — the task could not be checked, so the host is never compliant because of it:
  - skipped by a module or action without check-mode support ("does not support check mode");
  - ``command`` / ``shell`` without ``creates`` / ``removes`` (ansible skips them in check mode);
  - skipped by a condition on ``ansible_check_mode`` (``when: not ansible_check_mode``);
  - skipped for a reason nobody recorded;
  - ran for real (``check_mode: false``) and reported a change — it either changed the host during
    an audit or does not report honestly (read-only probes carry ``changed_when: false``);
  - failed but ``ignore_errors`` (or a ``rescue``) let the play go on;
  - a network device that could not be checked; a host no task ran on; a run that stopped early.
* **failed** / **unreachable** — from the task results and the recap.

``group_by``, ``add_host``, ``set_fact`` and friends only change ansible's in-memory inventory and
variables: their ``changed`` is never drift.

Skips by an ordinary condition (``when: ansible_os_family == 'RedHat'``) are "not applicable":
the task does not apply to the host, which is a verified fact. Handlers that would run are listed
as consequences of the drift that notified them, not as drift of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opsbook.audit.diffs import diff_text, headers, packages
from opsbook.audit.model import HOST_SEVERITY, Finding, FindingKind, HostAudit, HostStatus, TaskCheck
from opsbook.audit.taskmeta import SkipInfo, TaskMeta, meta_key
from opsbook.results import ItemResult, RunResult, TaskResult, TaskStatus

#: the network compliance check's action name (opsbook.network.compliance.ACTION)
NETWORK_ACTION = "opsbook.network.compliance"

_NO_CHECK_MODE = re.compile(
    r"does not support check mode|check mode not supported|would have run if not in check mode", re.I
)
_CHECK_MODE_VAR = re.compile(r"\bansible_check_mode\b")
_COMMANDS = frozenset({"command", "shell", "raw", "script"})
#: actions that only change ansible's own in-memory state (groups, variables) on the controller:
#: their "changed" (group_by reports it whenever it adds a host to a group) is never drift.
IN_MEMORY = frozenset({"group_by", "add_host", "set_fact", "set_stats", "include_vars", "debug", "assert"})
_RESOURCE_KEYS = ("dest", "path", "name", "key", "pkg", "service", "unit", "feature", "repo", "src")

VERDICT_COMPLIANT = "compliant"
VERDICT_NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True)
class Classified:
    hosts: list[HostAudit]
    #: problems of the whole run (not a check run, stopped early)
    errors: list[str]


def short_action(action: str) -> str:
    """``ansible.builtin.command`` → ``command``; ``ansible.legacy.shell`` → ``shell``."""
    return action.rsplit(".", 1)[-1]


def task_label(task: TaskResult) -> str:
    return f"{task.role} : {task.task}" if task.role else task.task


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def resource_of(task: TaskResult | ItemResult, args_from: TaskResult | None = None) -> str:
    """What a task (or loop item) manages, as far as its result tells: the paths in its diff
    headers, else ``dest`` / ``path`` / ``name`` / ``key`` … from its result or its arguments."""
    if isinstance(task, TaskResult) and task.action == NETWORK_ACTION and task.result.get("feature"):
        return str(task.result["feature"])
    named = headers(task.diff) or packages(task.diff)
    if named:
        return ", ".join(named)
    sources: list[Mapping[str, Any]] = [task.result]
    for holder in (task, args_from):
        if holder is None:
            continue
        invocation = holder.result.get("invocation")
        if isinstance(invocation, Mapping) and isinstance(invocation.get("module_args"), Mapping):
            sources.append(invocation["module_args"])
    for source in sources:
        for key in _RESOURCE_KEYS:
            value = _text(source.get(key))
            if value:
                return value
    for source in sources:
        command = source.get("cmd") or source.get("_raw_params")
        if command:
            return " ".join(str(c) for c in command) if isinstance(command, list) else str(command)
    return ""


def _skip_of(task: TaskResult, meta: TaskMeta | None) -> SkipInfo:
    if meta is not None and meta.skip is not None and not meta.skip.empty:
        return meta.skip
    res = task.result
    return SkipInfo(
        msg=str(res.get("msg", "") or task.msg),
        skip_reason=str(res.get("skip_reason", "")),
        false_condition=str(res.get("false_condition", "")),
    )


def skip_verdict(skip: SkipInfo) -> str | None:
    """Why a skip makes a task unverifiable, or None when it is an ordinary "does not apply"."""
    text = " ".join((skip.msg, skip.skip_reason))
    if _NO_CHECK_MODE.search(text):
        return f"not checked: {skip.msg or skip.skip_reason}"
    if skip.false_condition and _CHECK_MODE_VAR.search(skip.false_condition):
        return f"skipped in check mode by its condition `{skip.false_condition}`"
    if skip.false_condition or "conditional result was false" in skip.skip_reason.lower():
        return None
    if "no items in the list" in text.lower():
        return None
    if "all items skipped" in text.lower():
        return None  # judged item by item
    return f"skipped in check mode ({skip.msg or skip.skip_reason or 'no reason recorded'})"


def _ran_for_real(task: TaskResult, meta: TaskMeta | None) -> bool:
    """The task ran with check_mode off: the callback says so, or a command shows it ran."""
    if meta is not None and meta.check_mode is not None:
        return not meta.check_mode
    if short_action(task.action) in _COMMANDS:
        return bool(task.result.get("delta")) or any(bool(i.result.get("delta")) for i in task.items)
    return False


def _is_handler(task: TaskResult, meta: TaskMeta | None) -> bool:
    if meta is not None:
        return meta.handler
    return "/handlers/" in task.task_path


def _meta_for(task: TaskResult, metas: Mapping[tuple[str, str], TaskMeta]) -> TaskMeta | None:
    meta = metas.get(meta_key(task.task_uuid, task.host))
    if meta is None and "_" in task.task_uuid:  # ansible-runner suffixes repeated task uuids
        meta = metas.get(meta_key(task.task_uuid.rsplit("_", 1)[0], task.host))
    return meta


def _finding(kind: FindingKind, task: TaskResult, **values: str) -> Finding:
    return Finding(kind=kind, task=task_label(task), action=task.action, role=task.role, **values)


def _item_label(item: ItemResult) -> str:
    return item.item if isinstance(item.item, str) else _text(item.item)


def task_findings(task: TaskResult, meta: TaskMeta | None, *, rescued: bool = False) -> list[Finding]:
    """Every finding one (non-handler) task gives; none means the task is compliant or does not apply."""
    status = task.status
    if status is TaskStatus.UNREACHABLE:
        return [_finding(FindingKind.UNREACHABLE, task, reason=task.msg or "unreachable")]
    if status is TaskStatus.FAILED:
        if task.action == NETWORK_ACTION and task.result.get("unverifiable"):
            return [_finding(FindingKind.UNVERIFIABLE, task, reason=task.msg or "could not be checked")]
        if rescued:
            reason = f"failed, and a rescue block let the play go on: {task.msg}".rstrip(": ")
            return [_finding(FindingKind.UNVERIFIABLE, task, reason=reason)]
        return [_finding(FindingKind.FAILED, task, reason=task.msg or "failed")]
    if task.ignore_errors:
        reason = f"failed, and ignore_errors let the play go on: {task.msg}".rstrip(": ")
        return [_finding(FindingKind.UNVERIFIABLE, task, reason=reason, resource=resource_of(task))]
    findings: list[Finding] = []
    if status is TaskStatus.SKIPPED:
        why = skip_verdict(_skip_of(task, meta))
        if why is not None:
            findings.append(_finding(FindingKind.UNVERIFIABLE, task, reason=why, resource=resource_of(task)))
            return findings
    findings += _item_skip_findings(task, meta)
    if status is TaskStatus.CHANGED and short_action(task.action) in IN_MEMORY:
        return findings
    if status is TaskStatus.CHANGED:
        if _ran_for_real(task, meta):
            reason = (
                "ran for real (check_mode: false) and reported a change: it changed the host during the "
                "audit or does not report honestly (a read-only probe needs changed_when: false)"
            )
            findings.append(
                _finding(FindingKind.UNVERIFIABLE, task, reason=reason, resource=resource_of(task))
            )
        else:
            findings += _drift_findings(task)
    return findings


def _item_skip_findings(task: TaskResult, meta: TaskMeta | None) -> list[Finding]:
    found: list[Finding] = []
    skipped = [i for i in task.items if i.status is TaskStatus.SKIPPED]
    for item in skipped:
        label = _item_label(item)
        info = meta.item_skips.get(label) if meta is not None else None
        if info is None:
            info = SkipInfo(
                msg=item.msg,
                skip_reason=str(item.result.get("skip_reason", "")),
                false_condition=str(item.result.get("false_condition", "")),
            )
        why = skip_verdict(info)
        if why is not None:
            found.append(
                _finding(
                    FindingKind.UNVERIFIABLE, task, reason=why, item=label, resource=resource_of(item, task)
                )
            )
    if task.status is TaskStatus.SKIPPED and task.items == [] and meta is not None and meta.item_skips:
        for label, info in meta.item_skips.items():
            why = skip_verdict(info)
            if why is not None:
                found.append(_finding(FindingKind.UNVERIFIABLE, task, reason=why, item=label, resource=label))
    return found


def _drift_findings(task: TaskResult) -> list[Finding]:
    changed = [i for i in task.items if i.status is TaskStatus.CHANGED]
    if changed:
        return [
            _finding(
                FindingKind.DRIFT,
                task,
                item=_item_label(i),
                resource=resource_of(i, task) or _item_label(i),
                diff=diff_text(i.diff),
                reason=i.msg,
            )
            for i in changed
        ]
    return [
        _finding(
            FindingKind.DRIFT, task, resource=resource_of(task), diff=diff_text(task.diff), reason=task.msg
        )
    ]


def _verdict(findings: Sequence[Finding], task: TaskResult) -> str:
    if findings:
        order = (FindingKind.UNREACHABLE, FindingKind.FAILED, FindingKind.DRIFT, FindingKind.UNVERIFIABLE)
        kinds = {f.kind for f in findings}
        return next(k.value for k in order if k in kinds)
    return VERDICT_NOT_APPLICABLE if task.status is TaskStatus.SKIPPED else VERDICT_COMPLIANT


def host_status(findings: Iterable[Finding]) -> HostStatus:
    kinds = {f.kind for f in findings}
    mapping = {
        HostStatus.UNREACHABLE: FindingKind.UNREACHABLE,
        HostStatus.FAILED: FindingKind.FAILED,
        HostStatus.DRIFTED: FindingKind.DRIFT,
        HostStatus.UNVERIFIABLE: FindingKind.UNVERIFIABLE,
    }
    return next((s for s in HOST_SEVERITY if s in mapping and mapping[s] in kinds), HostStatus.COMPLIANT)


def classify_run(
    result: RunResult,
    *,
    metas: Mapping[tuple[str, str], TaskMeta] | None = None,
    expected_hosts: Iterable[str] = (),
    customers: Mapping[str, str] | None = None,
    scope: str = "linux",
) -> Classified:
    """Classify every host of a check-mode run (and every expected host, run or not)."""
    metas = metas or {}
    customers = customers or {}
    errors: list[str] = []
    if not result.check:
        errors.append(f"run {result.run_id} was not a check-mode run: its changes were applied, not audited")
    stopped = bool(result.error) and result.status != "successful"
    if stopped:
        errors.append(f"run {result.run_id} stopped before it finished: {result.error.splitlines()[0]}")
    names = sorted({t.host for t in result.tasks} | set(result.hosts) | set(expected_hosts))
    audits: list[HostAudit] = []
    for name in names:
        summary = result.hosts.get(name)
        host = HostAudit(
            host=name, status=HostStatus.COMPLIANT, scope=scope, customer=customers.get(name, "")
        )
        tasks = result.for_host(name)
        failures_in_recap = summary.failures if summary is not None else None
        for task in tasks:
            meta = _meta_for(task, metas)
            if _is_handler(task, meta) and task.status in (
                TaskStatus.CHANGED,
                TaskStatus.SKIPPED,
                TaskStatus.OK,
            ):
                if task.status is not TaskStatus.OK and task.task not in host.handlers:
                    host.handlers.append(task.task)
                continue
            rescued = task.status is TaskStatus.FAILED and failures_in_recap == 0
            found = task_findings(task, meta, rescued=rescued)
            host.findings += found
            host.checks.append(
                TaskCheck(
                    task=task_label(task), verdict=_verdict(found, task), action=task.action, role=task.role
                )
            )
        host.tasks = len(tasks)
        if summary is not None and summary.dark and not host.of_kind(FindingKind.UNREACHABLE):
            host.findings.append(Finding(FindingKind.UNREACHABLE, task="(connection)", reason="unreachable"))
        if not tasks and not host.findings:
            host.findings.append(
                Finding(
                    FindingKind.UNVERIFIABLE,
                    task="(no task)",
                    reason="no task ran on this host: nothing was checked (is it in a play's hosts?)",
                )
            )
        if stopped and not host.of_kind(FindingKind.FAILED) and not host.of_kind(FindingKind.UNREACHABLE):
            host.findings.append(
                Finding(
                    FindingKind.UNVERIFIABLE, task="(run)", reason="the audit run stopped before it finished"
                )
            )
        host.status = host_status(host.findings)
        audits.append(host)
    return Classified(hosts=audits, errors=errors)
