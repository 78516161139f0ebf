"""Runbooks: typed, safe, recorded procedures (``runbooks/NAME.yml`` + ``NAME.md``).

- :mod:`.model` / :mod:`.loader` — the format and its validation (file:line errors)
- :mod:`.params` — typed parameters; :mod:`.targets` — target resolution and constraints
- :mod:`.engine` — plan → confirm → run → post-check → record
- records, service reports and the history live in :mod:`opsbook.records`
"""
