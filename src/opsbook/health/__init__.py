"""Periodic inspection (巡检): classify a health run into a report, render it, write it.

- :mod:`opsbook.health.model` — the report (HealthReport / HostHealth / CheckRow / Status).
- :mod:`opsbook.health.classify` — a RunResult of playbooks/health.yml → HealthReport (pure).
- :mod:`opsbook.health.devices` — ``show version`` / ``display version`` parsing (pure).
- :mod:`opsbook.health.render` — rich tables and JSON.
- :mod:`opsbook.health.inspect` — run it all (runner, netmiko) and write the JSON file.

See docs/health.md.
"""

from opsbook.health.classify import DeviceProbe, report_from_run
from opsbook.health.devices import parse_version_output
from opsbook.health.model import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    CheckRow,
    HealthReport,
    HostHealth,
    Status,
)

__all__ = [
    "EXIT_ERROR",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "CheckRow",
    "DeviceProbe",
    "HealthReport",
    "HostHealth",
    "Status",
    "parse_version_output",
    "report_from_run",
]
