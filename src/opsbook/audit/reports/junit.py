"""JUnit XML: one test suite per host, one test case per host and task.

drift → ``<failure>`` (with the diff); unverifiable, failed, unreachable → ``<error>`` (a check
that could not be made is never a pass); a task that does not apply to the host → ``<skipped>``.
CI servers and monitoring systems that read JUnit show drift as failing tests.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from opsbook.audit.model import Audit, Finding, FindingKind, HostAudit

_ERROR_KINDS = {FindingKind.UNVERIFIABLE, FindingKind.FAILED, FindingKind.UNREACHABLE}
#: characters XML 1.0 does not allow (control characters in command output, escape sequences)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _clean(root: ET.Element) -> None:
    """Every text and attribute made XML-safe (host names, task names and errors too, not only diffs)."""
    for el in root.iter():
        if el.text:
            el.text = _xml(el.text)
        for key, value in el.attrib.items():
            el.set(key, _xml(value))


def _message(finding: Finding) -> str:
    what = finding.resource or finding.item
    text = f"{finding.kind.value}: {what}" if what else finding.kind.value
    if finding.reason:
        text += f" — {finding.reason}"
    if finding.since:
        text += f" (since {finding.since})"
    return text


def _case(
    suite: ET.Element, host: HostAudit, name: str, findings: list[Finding], verdict: str
) -> dict[str, int]:
    case = ET.SubElement(
        suite, "testcase", classname=f"{host.customer or 'no-customer'}.{host.host}", name=name, time="0"
    )
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    for finding in findings:
        if finding.kind is FindingKind.DRIFT:
            el = ET.SubElement(case, "failure", message=_xml(_message(finding)), type="drift")
            el.text = _xml(finding.diff or finding.reason) or None
            counts["failures"] += 1
        elif finding.kind in _ERROR_KINDS:
            el = ET.SubElement(case, "error", message=_xml(_message(finding)), type=finding.kind.value)
            el.text = _xml(finding.reason) or None
            counts["errors"] += 1
    if not findings and verdict == "not-applicable":
        ET.SubElement(case, "skipped", message="does not apply to this host (skipped by its condition)")
        counts["skipped"] += 1
    return counts


def _host_suite(root: ET.Element, host: HostAudit, audit: Audit) -> dict[str, int]:
    suite = ET.SubElement(root, "testsuite", name=host.host, hostname=host.host, timestamp=audit.started)
    props = ET.SubElement(suite, "properties")
    for prop, text in (("customer", host.customer), ("scope", host.scope), ("status", host.status.value)):
        ET.SubElement(props, "property", name=prop, value=text)
    by_task: dict[str, list[Finding]] = defaultdict(list)
    for finding in host.findings:
        by_task[finding.task].append(finding)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seen: dict[str, int] = defaultdict(int)
    for check in host.checks:
        seen[check.task] += 1
        name = check.task if seen[check.task] == 1 else f"{check.task} (#{seen[check.task]})"
        findings = by_task.pop(check.task, []) if seen[check.task] == 1 else []
        counts = _case(suite, host, name, findings, check.verdict)
        totals["tests"] += 1
        for key, value in counts.items():
            totals[key] += value
    for task, findings in by_task.items():  # host-level findings (no task ran, unreachable, …)
        counts = _case(suite, host, task, findings, "")
        totals["tests"] += 1
        for key, value in counts.items():
            totals[key] += value
    for key, value in totals.items():
        suite.set(key, str(value))
    return totals


def render_junit(audit: Audit) -> str:
    root = ET.Element("testsuites", name=f"opsbook audit {audit.id}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for host in sorted(audit.hosts, key=lambda h: (h.customer, h.host)):
        for key, value in _host_suite(root, host, audit).items():
            totals[key] += value
    if audit.errors:
        suite = ET.SubElement(
            root, "testsuite", name="(audit)", tests="1", failures="0", errors="1", skipped="0"
        )
        case = ET.SubElement(suite, "testcase", classname="audit", name="audit run", time="0")
        el = ET.SubElement(case, "error", message=audit.errors[0], type="audit")
        el.text = "\n".join(audit.errors)
        totals["tests"] += 1
        totals["errors"] += 1
    for key, value in totals.items():
        root.set(key, str(value))
    _clean(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
