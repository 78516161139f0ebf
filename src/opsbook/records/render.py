"""The service report as Markdown and HTML, rendered from a record (in memory; build writes them)."""

from __future__ import annotations

import jinja2

from opsbook.records.model import Record


def _environment(autoescape: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("opsbook.records", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_markdown(record: Record) -> str:
    context = {"r": record, "report": record.service_report}
    return _environment(False).get_template("service_report.md.j2").render(**context)


def render_html(record: Record) -> str:
    context = {"r": record, "report": record.service_report}
    return _environment(True).get_template("service_report.html.j2").render(**context)
