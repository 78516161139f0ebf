"""Records: what a change or a runbook run leaves behind, and the history that keeps it honest.

- :mod:`.model` — the record (``.opsbook/runs/<id>/record.json``) and its parts
- :mod:`.findings` — what a run's playbook reported per host, and what changed there
- :mod:`.provenance` — who ran it (the operator's identity) and from which code
- :mod:`.report` — the service report's sentences, each derived from what happened
- :mod:`.render` — the service report as Markdown and HTML
- :mod:`.build` — one run's record: secrets purged first, then written once and indexed
- :mod:`.history` — the SQLite index with its hash chain over every file a run wrote

Records import the result model and the ground floor, never a job (runbooks, audit, network):
the jobs hand in plain data.
"""
