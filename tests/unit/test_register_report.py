"""`opsbook inventory report`: figures from the example register, and every output format."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import sync_playwright
from typer.testing import CliRunner

from opsbook.cli.inventory import app
from opsbook.errors import UsageError
from opsbook.register.check import CheckResult, check
from opsbook.register.render import parse_formats, render_html, write_report
from opsbook.register.report import RegisterReport, build_report

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "inventory" / "example"
TODAY = dt.date(2026, 11, 27)  # fixed: the example's dates are written around it
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def checked() -> CheckResult:
    return check([EXAMPLE])


@pytest.fixture(scope="module")
def report(checked: CheckResult) -> RegisterReport:
    return build_report(checked, today=TODAY, days=90)


def _value(checked: CheckResult, host: str, field: str) -> object:
    resolved = checked.merged[host].get(field)
    return None if resolved is None else resolved.value


def test_counts_cover_every_asset_in_every_dimension(checked: CheckResult, report: RegisterReport) -> None:
    assert report.total == len(checked.merged) >= 60
    for key, rows in report.counts.items():
        assert sum(count for _, count in rows) == report.total, key
    kinds = Counter(str(_value(checked, h, "asset_kind")) for h in checked.merged)
    assert dict(report.counts["kind"]) == dict(kinds)
    customers = Counter(str(_value(checked, h, "asset_customer")) for h in checked.merged)
    assert dict(report.counts["customer"]) == dict(customers)


def test_expiring_lists_contracts_ending_within_the_horizon(
    checked: CheckResult, report: RegisterReport
) -> None:
    horizon = TODAY + dt.timedelta(days=90)
    expected = set()
    for host in checked.merged:
        for field, contract in (("asset_warranty_end", "warranty"), ("asset_support_end", "support")):
            end = _value(checked, host, field)
            if isinstance(end, str) and dt.date.fromisoformat(end) <= horizon:
                expected.add((host, contract))
    assert {(r.host, r.contract) for r in report.expiring} == expected
    ending = [r for r in report.expiring if r.status == "ending"]
    assert ending, "the example has warranties ending within 90 days"
    assert all(0 <= r.days_left <= 90 for r in ending)
    sw03 = next(r for r in report.expiring if r.host == "acme-fra1-sw03" and r.contract == "warranty")
    assert (sw03.end, sw03.days_left, sw03.status) == ("2026-12-15", 18, "ending")
    # ending soonest first, the expired after them
    statuses = [r.status for r in report.expiring]
    assert statuses == sorted(statuses, key=lambda s: s == "expired")


def test_horizon_zero_keeps_only_what_has_already_ended(checked: CheckResult) -> None:
    report = build_report(checked, today=TODAY, days=0)
    assert report.expiring
    assert all(r.days_left <= 0 for r in report.expiring)


def test_eol_flags_end_of_life_os_and_firmware(report: RegisterReport) -> None:
    by_host = {r.host: r for r in report.eol}
    assert by_host["acme-fra1-bak01"].os_version == "10.13"
    assert by_host["acme-fra1-bak01"].eol == "2024-06-30"
    assert by_host["nw-lon1-srv01"].os == "centos"
    assert by_host["nw-lon1-rt01"].os_version == "15.2(4)M11"
    assert by_host["acme-fra1-pgsql01"].status == "eol"
    assert "acme-fra1-web01" not in by_host  # Debian 12 is supported until 2028
    assert all(r.source for r in report.eol)


def test_eol_within_horizon_is_ending(checked: CheckResult) -> None:
    report = build_report(checked, today=dt.date(2026, 10, 1), days=60)
    pgsql = next(r for r in report.eol if r.host == "acme-fra1-pgsql01")
    assert (pgsql.status, pgsql.days_left) == ("ending", 42)


def test_missing_data_names_the_fields(report: RegisterReport) -> None:
    by_host = {r.host: r.missing for r in report.missing}
    assert {"vendor", "model", "serial"} <= set(by_host["nw-lon1-srv03"])
    assert by_host["nw-lon1-vm02"] == ["os", "os_version"]
    assert "serial" not in by_host.get("acme-fra1-web01", [])  # VMs have no serial to miss


def test_json_csv_xlsx_files(report: RegisterReport, tmp_path: Path) -> None:
    written = write_report(report, ["json", "csv", "xlsx"], tmp_path)
    names = {p.name for p in written}
    assert "register-report.json" in names
    assert "register-report.xlsx" in names
    data = json.loads((tmp_path / "register-report.json").read_text())
    assert data["total"] == report.total
    assert len(data["assets"]) == report.total
    with (tmp_path / "register-counts.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    kind_total = sum(int(r["count"]) for r in rows if r["dimension"] == "kind")
    assert kind_total == report.total
    with (tmp_path / "register-eol.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == len(report.eol)
    book = load_workbook(tmp_path / "register-report.xlsx", read_only=True)
    assert book.sheetnames == ["Summary", "Counts", "Expiring", "Eol", "Missing", "Assets"]
    assert book["Assets"].max_row == report.total + 1
    assert book["Expiring"].max_row == len(report.expiring) + 1


def test_html_is_self_contained_and_renders_in_chromium(report: RegisterReport, tmp_path: Path) -> None:
    page_file = write_report(report, ["html"], tmp_path)[0]
    text = page_file.read_text()
    assert "<script" not in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            assert page.inner_text("#asset-count") == str(report.total)
            assert page.inner_text("#eol-count") == str(len(report.eol))
            bars = page.eval_on_selector_all(
                "svg.chart[data-chart=kind] g.bar",
                "els => els.map(e => [e.dataset.label, Number(e.dataset.count),"
                " e.querySelector('rect').getBoundingClientRect().width])",
            )
            assert page.locator("tr.asset").count() == report.total
        finally:
            browser.close()
    assert requests == [page_file.as_uri()], "the page loads nothing else"
    assert {label: count for label, count, _ in bars} == dict(report.counts["kind"])
    assert all(width > 0 for *_, width in bars)
    widest = max(bars, key=lambda b: b[1])
    assert widest[2] == max(width for *_, width in bars)


def test_html_escapes_register_text(checked: CheckResult) -> None:
    report = build_report(checked, today=TODAY)
    report.assets[0].model = "<b>bold</b>"
    assert "&lt;b&gt;bold&lt;/b&gt;" in render_html(report)


def test_parse_formats() -> None:
    assert parse_formats(["table,csv", "html", "csv"]) == ["table", "csv", "html"]
    with pytest.raises(UsageError):
        parse_formats(["pdf"])


def test_cli_report_writes_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["report", "-i", str(EXAMPLE), "--today", "2026-11-27", "-f", "json,html", "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "register-report.json").read_text())["today"] == "2026-11-27"
    assert (tmp_path / "register-report.html").is_file()


def test_cli_report_rejects_a_bad_date() -> None:
    result = CliRunner().invoke(app, ["report", "-i", str(EXAMPLE), "--today", "27.11.2026"])
    assert isinstance(result.exception, UsageError)
