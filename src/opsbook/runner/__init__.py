"""The runner: any playbook through ansible-runner, one result model; it draws no screen.

- :func:`run_playbook` — run it; artifacts and ``result.json`` under ``.opsbook/runs/<run_id>/``.
  The caller passes ``on_event`` / ``on_status`` handlers (:mod:`opsbook.runner.callbacks`);
  the CLI's live display is one (:mod:`opsbook.cli.progress`).
- :func:`preflight_state` — a state folder that is read-only or full is refused before any host
  is touched; every job that writes under ``.opsbook/`` calls it first.
- :func:`convert_events` — ansible-runner events → task results and host summaries (pure).
- :func:`scan_for_secrets` / :func:`redact_artifacts` — known secret values in a run's files.
- :func:`unsafe_yaml` — extra variables as data Ansible never templates.
- :func:`new_run_id`, :func:`resolve_playbook`, :func:`available_playbooks`, :func:`load_result`.

See docs/running.md and docs/security.md.
"""

from opsbook.base.ids import new_run_id
from opsbook.runner.artifacts import redact_artifacts, sanitize_command_file, scan_for_secrets
from opsbook.runner.callbacks import EventHandler, RunStatus, StatusHandler
from opsbook.runner.events import ConvertedRun, convert_events
from opsbook.runner.execute import RESULT_FILE, load_result, run_playbook, write_result
from opsbook.runner.extravars import unsafe_yaml
from opsbook.runner.inputs import (
    RunInputError,
    available_playbooks,
    parse_extravars,
    resolve_inventories,
    resolve_playbook,
)
from opsbook.runner.redaction import MASK, redact, redact_text
from opsbook.runner.statedir import StateFolderError, preflight_state, write_failure

__all__ = [
    "MASK",
    "RESULT_FILE",
    "ConvertedRun",
    "EventHandler",
    "RunInputError",
    "RunStatus",
    "StateFolderError",
    "StatusHandler",
    "available_playbooks",
    "convert_events",
    "load_result",
    "new_run_id",
    "parse_extravars",
    "preflight_state",
    "redact",
    "redact_artifacts",
    "redact_text",
    "resolve_inventories",
    "resolve_playbook",
    "run_playbook",
    "sanitize_command_file",
    "scan_for_secrets",
    "unsafe_yaml",
    "write_failure",
    "write_result",
]
