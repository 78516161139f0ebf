"""Unit-test setup: module_utils/<name> imports as ``ansible.module_utils.<name>`` (see ansible_modules)."""

from __future__ import annotations

import ansible_modules  # noqa: F401  (extends ansible.module_utils' package path on import)
