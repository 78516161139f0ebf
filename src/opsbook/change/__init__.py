"""The one change flow: what every changing command shares (docs/changes.md).

ticket → maintenance window and change freeze → lock per target → plan (check mode) → consent →
backup → apply → verify → record. The runbook engine (:mod:`opsbook.runbooks.engine`) runs the
steps; runbooks, ``opsbook run`` (without ``--check``), ``audit --fix``, ``net push`` and
``net restore`` all go through it. This package holds the parts that need no host:

- :mod:`.window` — maintenance windows and change freezes from the register (pure);
- :mod:`.gate` — the admission of one change: ticket, windows, freezes, ``--force REASON``;
- :mod:`.lock` — a lock per target for changing runs, naming its holder; stale locks taken over.

This package imports only the ground floor (base, errors): the engine and the jobs use it, never
the other way round. ``opsbook run`` as a change is :mod:`opsbook.runbooks.playbook`.
"""
