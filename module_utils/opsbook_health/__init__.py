# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""What library/host_health.py runs: pure parsers and checks, and the I/O that feeds them.

Imported by modules as ``ansible.module_utils.opsbook_health.<part>``; Ansible finds it through
``module_utils = module_utils`` in ansible.cfg and ships it with the module (AnsiballZ). Inside the
package the parts import each other relatively, so the same files also type-check and unit-test
outside Ansible.

- ``status``: statuses, default thresholds and their checks, the shape of one result
- ``mounts``, ``resources``, ``timesync``, ``updates``, ``ports``: parsers and checks (pure)
- ``collect``: reads the host (``/proc``, ``statvfs``, helper commands) and runs the checks
"""
