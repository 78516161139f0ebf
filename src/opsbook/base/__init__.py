"""The ground floor: small things every part may use, and which import nothing of opsbook's.

- :mod:`opsbook.base.files` — ``atomic_write`` (the one way to write a file whole or not at all);
- :mod:`opsbook.base.clock` — ``utc_now`` and ``now_iso`` (the one clock);
- :mod:`opsbook.base.ids` — ``new_run_id`` (the one run-id format) and its checks.
"""
