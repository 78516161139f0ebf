"""Tests import the project's Ansible modules and module_utils the way Ansible finds them.

Ansible ships ``module_utils/<name>`` with a module as ``ansible.module_utils.<name>`` (ansible.cfg's
``module_utils = module_utils``). In a test process the same name resolves once the project's
folder is on the ``ansible.module_utils`` package path; a module file in ``library/`` is then
loaded from its path (it is an Ansible module, not part of the opsbook package).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import ansible.module_utils

ROOT = Path(__file__).resolve().parents[2]
MODULE_UTILS = ROOT / "module_utils"

if str(MODULE_UTILS) not in ansible.module_utils.__path__:
    ansible.module_utils.__path__.append(str(MODULE_UTILS))


def load_module(relative_path: str) -> ModuleType:
    """An Ansible module file of the project (``library/host_health.py``) as a Python module."""
    path = ROOT / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def run_module_with_ansible(module: str, args: dict[str, Any], *, check: bool = False) -> dict[str, Any]:
    """One module call through real Ansible on localhost (the project's ansible.cfg): its result."""
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_STDOUT_CALLBACK="json",
    )
    argv = [
        str(Path(sys.executable).parent / "ansible"),
        "localhost",
        "-i", "localhost,",
        "-c", "local",
        "-e", f"ansible_python_interpreter={sys.executable}",
        "-m", module,
        "-a", json.dumps(args),
        *(["--check"] if check else []),
    ]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=180, env=env, cwd=ROOT)
    try:
        out = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"ansible printed no JSON (rc {proc.returncode}): {proc.stderr}") from exc
    hosts: dict[str, dict[str, Any]] = out["plays"][0]["tasks"][0]["hosts"]
    return hosts["localhost"]
