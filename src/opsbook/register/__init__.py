"""The asset register: the Ansible inventory's ``asset_*`` variables, checked, reported, reconciled.

Entry point for other parts of opsbook: :func:`check_register` (run before every playbook run).
"""

from opsbook.register.check import CheckResult, check, check_register
from opsbook.register.problems import Problem

__all__ = ["CheckResult", "Problem", "check", "check_register"]
