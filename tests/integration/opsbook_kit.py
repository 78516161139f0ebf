"""Shared by the integration tests: a throw-away opsbook project and the real ``opsbook`` command.

No test lives here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

#: A register of one ``ansible_connection=local`` host, ``alpha``, in the groups given.
LOCAL_HOST = """\
all:
  vars:
    ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
    asset_kind: server
    asset_customer: test
  children:
    customer_test:
      children:
        {group}:
          hosts:
            alpha:
              ansible_connection: local
              ansible_become: false
              asset_id: TEST-ALPHA
"""


def write_project(root: Path, files: Mapping[str, str]) -> Path:
    """A minimal opsbook project at ``root`` (what ``OPSBOOK_PROJECT`` may point at): ansible.cfg
    naming ``inventory/hosts.yml``, ``playbooks/`` and the ``files`` given (relative path → text)."""
    (root / "playbooks").mkdir(parents=True)
    (root / "ansible.cfg").write_text("[defaults]\ninventory = inventory/hosts.yml\n")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def opsbook(
    project: Path, *args: str, env: Mapping[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """The real command line, in ``project``."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "opsbook"), *args],
        cwd=project,
        env={**os.environ, "OPSBOOK_PROJECT": str(project), "COLUMNS": "120", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
