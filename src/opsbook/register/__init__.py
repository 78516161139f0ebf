"""The asset register: the Ansible inventory's ``asset_*`` variables, checked, reported, reconciled.

The one inventory reader of opsbook: :func:`read_register` (a :class:`Register`: hosts, merged
variables, Ansible patterns, problems) and :func:`read_scope` (the hosts a job works on, refused
or partitioned before any connection). Before every playbook run: :func:`ensure_register_sound`
(raises :class:`RegisterError`, an OpsbookError listing every problem) or :func:`check_register`
(returns the problems). Without ``-i``, every command reads :func:`default_inventory`.
"""

from opsbook.register.check import CheckResult, RegisterError, check, check_register, ensure_register_sound
from opsbook.register.problems import Problem
from opsbook.register.read import Register, Scope, partition_valid, read_register, read_scope
from opsbook.register.sources import default_inventory

__all__ = [
    "CheckResult",
    "Problem",
    "Register",
    "RegisterError",
    "Scope",
    "check",
    "check_register",
    "default_inventory",
    "ensure_register_sound",
    "partition_valid",
    "read_register",
    "read_scope",
]
