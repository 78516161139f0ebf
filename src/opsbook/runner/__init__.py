"""The runner: any playbook through ansible-runner, live progress, one result model.

- :func:`run_playbook` — run it; artifacts and ``result.json`` under ``.opsbook/runs/<run_id>/``.
- :func:`convert_events` — ansible-runner events → task results and host summaries (pure).
- :func:`scan_for_secrets` / :func:`redact_artifacts` — known secret values in a run's files.
- :func:`new_run_id`, :func:`resolve_playbook`, :func:`available_playbooks`, :func:`load_result`.

See docs/running.md.
"""

from opsbook.base.ids import new_run_id
from opsbook.runner.artifacts import redact_artifacts, sanitize_command_file, scan_for_secrets
from opsbook.runner.events import ConvertedRun, convert_events
from opsbook.runner.execute import RESULT_FILE, load_result, run_playbook, write_result
from opsbook.runner.inputs import (
    RunInputError,
    available_playbooks,
    parse_extravars,
    resolve_inventories,
    resolve_playbook,
)
from opsbook.runner.redaction import MASK, redact, redact_text

__all__ = [
    "MASK",
    "RESULT_FILE",
    "ConvertedRun",
    "RunInputError",
    "available_playbooks",
    "convert_events",
    "load_result",
    "new_run_id",
    "parse_extravars",
    "redact",
    "redact_artifacts",
    "redact_text",
    "resolve_inventories",
    "resolve_playbook",
    "run_playbook",
    "sanitize_command_file",
    "scan_for_secrets",
    "write_result",
]
