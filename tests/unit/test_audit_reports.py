"""Audit reports: JSON round trip, JUnit XML, the HTML page read back in headless Chromium, terminal."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from audit_samples import sample_audit
from playwright.sync_api import sync_playwright
from rich.console import Console

from opsbook.audit.model import Audit, Finding, FindingKind, HostAudit, HostStatus
from opsbook.audit.reports import parse_formats, write_reports
from opsbook.audit.reports.terminal import print_audit

CHROMIUM = "/usr/bin/chromium"


def test_parse_formats() -> None:
    assert parse_formats(["table,json", "html", "json"]) == ["table", "json", "html"]
    assert parse_formats([]) == ["table"]


def test_json_round_trip(tmp_path: Path) -> None:
    audit = sample_audit()
    path = write_reports(audit, ["json"], tmp_path)["json"]
    data = json.loads(path.read_text())
    assert data["counts"] == {"compliant": 1, "drifted": 1, "unverifiable": 1, "failed": 1, "unreachable": 1}
    assert data["exit_code"] == 1
    assert Audit.from_dict(data).to_dict() == audit.to_dict()


def test_junit_one_case_per_host_and_task_drift_is_failure(tmp_path: Path) -> None:
    path = write_reports(sample_audit(), ["junit"], tmp_path)["junit"]
    root = ET.parse(path).getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"web01", "db01", "app01", "sw01", "app02"}
    web = suites["web01"]
    cases = {c.get("name"): c for c in web.iter("testcase")}
    assert set(cases) == {
        "linux_base : Write the SSH daemon configuration",
        "linux_base : Packages",
        "linux_base : RedHat only",
    }
    failure = cases["linux_base : Write the SSH daemon configuration"].find("failure")
    assert failure is not None and "+PermitRootLogin prohibit-password" in (failure.text or "")
    assert "since 2026-11-20" in (failure.get("message") or "")
    assert cases["linux_base : Packages"].find("failure") is None
    assert cases["linux_base : RedHat only"].find("skipped") is not None
    unverifiable = suites["db01"].find("testcase/error")
    assert unverifiable is not None and unverifiable.get("type") == "unverifiable"
    assert suites["sw01"].find("testcase/error").get("type") == "unreachable"  # type: ignore[union-attr]
    assert root.get("failures") == "1" and root.get("errors") == "3" and root.get("tests") == "8"


def test_html_renders_in_chromium_and_filters(tmp_path: Path) -> None:
    path = write_reports(sample_audit(), ["html"], tmp_path)["html"]
    text = path.read_text()
    assert "http://" not in text and "https://" not in text
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            customers = page.eval_on_selector_all(
                "section.customer", "els => els.map(e => e.dataset.customer)"
            )
            hosts = page.eval_on_selector_all(
                "details.host", "els => els.map(e => [e.dataset.customer, e.dataset.host, e.dataset.status])"
            )
            diff_added = page.inner_text("details[data-host=web01] pre.diff .d-add")
            since = page.inner_text("details[data-host=web01] .since")
            assert page.inner_text("#count-drifted") == "1"
            assert page.inner_text("#visible-count") == "5"
            # filter by status: only drifted
            for status in ("compliant", "unverifiable", "failed", "unreachable"):
                page.uncheck(f"input.f-status[value={status}]")
            visible_after_status = page.eval_on_selector_all(
                "details.host:not(.hidden)", "els => els.map(e => e.dataset.host)"
            )
            globex_hidden = page.is_hidden("section[data-customer=globex]")
            count_after_status = page.inner_text("#visible-count")
            for status in ("compliant", "unverifiable", "failed", "unreachable"):
                page.check(f"input.f-status[value={status}]")
            # filter by customer, then by free text
            page.select_option("#f-customer", "globex")
            visible_after_customer = page.eval_on_selector_all(
                "details.host:not(.hidden)", "els => els.map(e => e.dataset.host)"
            )
            page.select_option("#f-customer", "")
            page.fill("#f-text", "tuned")
            visible_after_text = page.eval_on_selector_all(
                "details.host:not(.hidden)", "els => els.map(e => e.dataset.host)"
            )
        finally:
            browser.close()
    assert requests == [path.as_uri()], "the page loads nothing else"
    assert customers == ["acme", "globex"]
    assert hosts[0] == ["acme", "web01", "drifted"]  # worst first within a customer
    assert {h[1] for h in hosts} == {"web01", "db01", "app01", "sw01", "app02"}
    assert diff_added == "+PermitRootLogin prohibit-password"
    assert since == "since 2026-11-20T02:00:00+00:00"
    assert visible_after_status == ["web01"] and globex_hidden and count_after_status == "1"
    assert sorted(visible_after_customer) == ["app01", "app02", "sw01"]
    assert visible_after_text == ["db01"]


def test_terminal_summary_names_every_host_and_the_drift() -> None:
    console = Console(record=True, width=160)
    print_audit(sample_audit(), console, reports={"html": Path("/x/audit-report.html")})
    text = console.export_text()
    for name in ("web01", "db01", "app01", "sw01", "app02"):
        assert name in text
    assert "+PermitRootLogin prohibit-password" in text
    assert "not checked: Command would have run" in text
    assert "html report:\n  /x/audit-report.html" in text
    assert "exit code 1" in text
    assert "(since 2026-11-20 02:00 UTC)" in text


def test_junit_stays_valid_xml_with_control_characters(tmp_path: Path) -> None:
    audit = sample_audit()
    audit.hosts[0].findings[0].diff = "+\x1b[31mred\x1b[0m line\x00\n"
    path = write_reports(audit, ["junit"], tmp_path)["junit"]
    failure = ET.parse(path).getroot().find(".//failure")
    assert failure is not None and "red" in (failure.text or "")


def _same_drift_on(names: list[str]) -> Audit:
    audit = sample_audit()
    web01 = audit.hosts[0]
    for name in names:
        twin = copy.deepcopy(web01)
        twin.host = name
        audit.hosts.append(twin)
    return audit


def test_identical_drift_is_shown_once_with_its_hosts() -> None:
    audit = _same_drift_on(["web02", "web03"])
    console = Console(record=True, width=160)
    print_audit(audit, console)
    text = console.export_text()
    assert text.count("+PermitRootLogin prohibit-password") == 1
    assert "3 hosts: web01, web02, web03: linux_base : Write the SSH daemon configuration" in text


def test_host_names_and_dates_are_whole_at_80_columns() -> None:
    audit = sample_audit()
    audit.hosts[0].host = "pay-gateway-prod-db-replica-07.dc2.acme-bank.example"
    console = Console(record=True, width=80)
    print_audit(
        audit, console, reports={"html": Path("/srv/opsbook/.opsbook/audits/" + "x" * 60 + "/a.html")}
    )
    text = console.export_text()
    assert "pay-gateway-prod-db-replica-07.dc2.acme-bank.example" in text
    assert "/srv/opsbook/.opsbook/audits/" + "x" * 60 + "/a.html" in text
    assert "2026-11-20 02:00 UTC" in text


def test_html_counts_hosts_by_status_and_findings_separately(tmp_path: Path) -> None:
    """A drifted host with an unverifiable check: 0 hosts unverifiable, 1 unverifiable check on 1 host."""
    host = HostAudit(
        host="web09",
        status=HostStatus.DRIFTED,
        findings=[
            Finding(FindingKind.DRIFT, task="t1", resource="/etc/motd", diff="+x\n"),
            Finding(FindingKind.UNVERIFIABLE, task="t2", reason="not checked"),
        ],
    )
    audit = Audit(id="20261203T020000Z-abcdef", started="2026-12-03T02:00:00+00:00", hosts=[host])
    html = write_reports(audit, ["html"], tmp_path)["html"].read_text()
    assert 'id="count-unverifiable">0<' in html
    assert 'id="findings-unverifiable">1<' in html
    assert 'id="findings-unverifiable-hosts">1<' in html
    assert 'id="findings-drift">1<' in html
