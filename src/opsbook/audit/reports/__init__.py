"""An audit's reports: terminal summary (rich), JSON, self-contained HTML, JUnit XML.

:func:`write_reports` writes the file formats into a folder and returns their paths; the
terminal summary is printed by :func:`opsbook.audit.reports.terminal.render`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from opsbook.audit.model import Audit
from opsbook.audit.reports.html import render_html
from opsbook.audit.reports.junit import render_junit
from opsbook.base.files import atomic_write
from opsbook.errors import UsageError
from opsbook.render import formats

FORMATS = ("table", "json", "html", "junit")
FILE_NAMES = {"json": "audit-report.json", "html": "audit-report.html", "junit": "audit-junit.xml"}


def parse_formats(values: Sequence[str]) -> list[str]:
    """``["table,json", "html"]`` → ``["table", "json", "html"]``; an unknown name is a usage error."""
    return formats.parse_formats(values, FORMATS, default="table")


def render(audit: Audit, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(audit.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return render_html(audit)
    if fmt == "junit":
        return render_junit(audit)
    raise UsageError(f"{fmt!r} is not a file format", hint="use " + ", ".join(FILE_NAMES))


def write_reports(audit: Audit, formats: Sequence[str], folder: Path) -> dict[str, Path]:
    """Write each file format (json, html, junit) of ``formats`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for fmt in formats:
        if fmt not in FILE_NAMES:
            continue
        path = folder / FILE_NAMES[fmt]
        atomic_write(path, render(audit, fmt))
        written[fmt] = path
    return written
