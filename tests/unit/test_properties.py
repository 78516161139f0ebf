"""Property-based tests (hypothesis): parsers and renderers never answer with a traceback.

Whatever a user, a ticket, a device or a file hands them, these functions either succeed or
refuse with an :class:`~opsbook.errors.OpsbookError` (a message and a hint) — never another
exception. The register loader has its own properties in test_register_properties.py.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsbook.audit.model import Audit, Finding, FindingKind, HostAudit, HostStatus
from opsbook.audit.reports import render as render_audit
from opsbook.errors import OpsbookError
from opsbook.lab.devices.config import parse_config, render_config
from opsbook.network.normalize import canonical
from opsbook.runbooks.loader import check_runbook
from opsbook.runbooks.params import parse_assignments, resolve_params
from opsbook.runner.inputs import parse_extravars

ROOT = Path(__file__).resolve().parents[2]
RUNBOOKS = sorted((ROOT / "runbooks").glob("*.yml"))
PLATFORMS = ["cisco_ios", "huawei_vrp"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# text as it arrives from a terminal, a ticket or a webhook: any unicode, control characters,
# template syntax, YAML and shell metacharacters
hostile = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "{{ 7*7 }}",
            "{{ lookup('pipe', 'id') }}",
            "{% for x in range(9) %}x{% endfor %}",
            "!unsafe x",
            "*alias",
            "&anchor x",
            "--- ",
            "a=b=c",
            "$(touch /tmp/pwned)",
            "`id`",
            "../../etc/passwd",
            "\x00\x1b[31m",
            "\uff19\uff10",  # full-width digits
            "1e309",
            "-0",
            "<script>alert(1)</script>",
        ]
    ),
)
assignment = st.builds(lambda k, v: f"{k}={v}", hostile, hostile) | hostile


@SETTINGS
@given(st.lists(assignment, max_size=6))
def test_extra_vars_parse_or_refuse_cleanly(pairs: list[str]) -> None:
    try:
        result = parse_extravars(pairs)
    except OpsbookError as exc:
        assert exc.hint
        return
    assert all(key.isidentifier() for key in result)


@SETTINGS
@given(st.lists(assignment, max_size=6))
def test_runbook_assignments_parse_or_refuse_cleanly(items: list[str]) -> None:
    try:
        parse_assignments(items)
    except OpsbookError:
        return


def _runbooks() -> list:
    loaded = []
    for path in RUNBOOKS:
        runbook, problems = check_runbook(path, ROOT / "playbooks")
        assert runbook is not None and not problems, problems
        loaded.append(runbook)
    return loaded


LOADED = _runbooks()


@SETTINGS
@given(
    st.sampled_from(LOADED),
    st.dictionaries(st.sampled_from(["path", "service", "port", "interface", "threshold", "x"]), hostile),
)
def test_runbook_parameters_resolve_or_refuse_cleanly(runbook, given_values: dict[str, str]) -> None:
    """Every real runbook, any values for its (and unknown) parameters: values or a usage error."""
    real = {name: value for name, value in given_values.items() if name in runbook.parameters}
    try:
        resolved = resolve_params(runbook, real)
    except OpsbookError as exc:
        assert "nothing was run" in str(exc)
        return
    assert set(resolved.values) <= set(runbook.parameters)


@SETTINGS
@given(st.text(max_size=400), st.sampled_from(PLATFORMS))
def test_device_config_normalises_without_a_traceback(text: str, platform: str) -> None:
    once = canonical(text, platform)
    assert isinstance(once, str)


@SETTINGS
@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40), max_size=25),
    st.sampled_from(PLATFORMS),
)
def test_lab_device_config_parses_and_renders_without_a_traceback(lines: list[str], platform: str) -> None:
    rendered = render_config(parse_config("\n".join(lines), platform), platform)
    assert isinstance(rendered, str)


finding = st.builds(
    Finding,
    st.sampled_from(list(FindingKind)),
    task=hostile,
    resource=hostile,
    item=hostile,
    diff=hostile,
    reason=hostile,
)
host = st.builds(
    HostAudit,
    host=hostile,
    status=st.sampled_from(list(HostStatus)),
    customer=hostile,
    findings=st.lists(finding, max_size=4),
)


@SETTINGS
@given(st.lists(host, max_size=4), st.lists(hostile, max_size=2))
def test_audit_reports_render_any_finding_text(hosts: list[HostAudit], errors: list[str]) -> None:
    audit = Audit(
        id="20261203T020000Z-abcdef", started="2026-12-03T02:00:00+00:00", hosts=hosts, errors=errors
    )
    assert json.loads(render_audit(audit, "json"))["id"] == audit.id
    ET.fromstring(render_audit(audit, "junit"))  # always well-formed XML
    html = render_audit(audit, "html")
    assert "<script>alert(1)</script>" not in html  # every text is escaped
    assert html.count("<script>") == html.count("</script>")
