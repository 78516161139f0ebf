"""The asset register: the Ansible inventory's ``asset_*`` variables, checked, reported, reconciled.

Entry points for other parts of opsbook, before every playbook run:
:func:`ensure_register_sound` (raises :class:`RegisterError`, an OpsbookError listing every
problem) or :func:`check_register` (returns the problems).
"""

from opsbook.register.check import CheckResult, RegisterError, check, check_register, ensure_register_sound
from opsbook.register.problems import Problem

__all__ = ["CheckResult", "Problem", "RegisterError", "check", "check_register", "ensure_register_sound"]
