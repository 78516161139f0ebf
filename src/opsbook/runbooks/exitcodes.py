"""Exit codes of ``opsbook runbook run`` and ``opsbook history rerun`` (documented in docs/runbooks.md)."""

from __future__ import annotations

from enum import IntEnum

from opsbook.errors import OpsbookError


class ExitCode(IntEnum):
    OK = 0  #: ran (or planned with --check); every target ok and, where the runbook verifies, verified
    ERROR = 1  #: opsbook itself could not proceed (environment, runner, I/O)
    USAGE = 2  #: bad runbook file, unknown runbook or invalid parameters — nothing ran
    REFUSED = (
        3  #: declined, no TTY and no --yes, no ticket, or outside the window/in a freeze — nothing changed
    )
    TARGETS = 4  #: no targets, too many, --limit required, or an environment not allowed — nothing ran
    FAILED = 5  #: a target failed or was unreachable (see the record; `history rerun ID --failed`)
    NOT_VERIFIED = 6  #: ran without errors but the post-check says the fault persists: escalate
    TIMEOUT = 7  #: the runbook's timeout was reached and the run was stopped
    SECRET_LEAK = 8  #: a secret value was found in the run's artifacts (the run is flagged)
    HISTORY_BROKEN = 9  #: `history verify`: a record or index row was edited, removed or not indexed
    LOCKED = 10  #: another change holds a target's lock (the message names it) — nothing ran
    INTERRUPTED = 130  #: stopped by SIGINT (Ctrl-C): ansible was stopped, the record says so
    TERMINATED = 143  #: stopped by SIGTERM (kill, a shutdown): ansible was stopped, the record says so


class RefusedError(OpsbookError):
    """Consent was not given; nothing was changed."""

    exit_code = int(ExitCode.REFUSED)


class TargetError(OpsbookError):
    """The targets break the runbook's constraints; nothing ran."""

    exit_code = int(ExitCode.TARGETS)
