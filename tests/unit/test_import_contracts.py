"""The import contracts of ARCHITECTURE.md (.importlinter) hold, and a wrong import breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT), "--no-cache", str(ROOT / ".importlinter")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "opsbook", src / "opsbook", ignore=shutil.ignore_patterns("__pycache__"))
    return src


def test_the_tree_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_the_runner_importing_the_lab_breaks_the_gate_with_a_clear_message(tmp_path: Path) -> None:
    src = _copy(tmp_path)
    runner = src / "opsbook" / "runner" / "__init__.py"
    runner.write_text(
        runner.read_text() + "\nfrom opsbook.lab import podman as _podman  # deliberately wrong\n"
    )
    result = _lint(src, tmp_path)
    assert result.returncode != 0
    assert "opsbook.runner is not allowed to import opsbook.lab" in result.stdout


def test_the_register_running_a_playbook_breaks_the_gate(tmp_path: Path) -> None:
    src = _copy(tmp_path)
    register = src / "opsbook" / "register" / "__init__.py"
    register.write_text(
        register.read_text() + "\nfrom opsbook.runner import run_playbook  # deliberately wrong\n"
    )
    result = _lint(src, tmp_path)
    assert result.returncode != 0
    assert "The register is data" in result.stdout
