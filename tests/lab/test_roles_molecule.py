"""Every host role's molecule scenario on the lab image, in the order the roles promise:

check (a dry run on a fresh container must not fail) → converge → idempotence (changed=0) →
audit check (check mode on the converged container: nothing would change, and no task was
skipped because of check mode — judged by the audit's own rule) → verify (real state) →
cleanup → destroy.

The image is the lab's and packages are shared between scenarios through ``.opsbook/cache/apt``
(``opsbook.lab.molecule.molecule_vars``, what ``opsbook lab env --molecule`` prints). Each
step's time is printed (``pytest -s``) and kept in ``.opsbook/molecule/timings.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from opsbook.audit.classify import skip_verdict
from opsbook.audit.taskmeta import SkipInfo
from opsbook.lab.molecule import molecule_vars
from opsbook.lab.podman import podman_env
from opsbook.paths import ProjectPaths, project_paths

pytestmark = pytest.mark.lab

ROLES = ("linux_base", "time_sync", "linux_hardening", "storage", "tuning", "patching")
SUPPORT = Path(__file__).parent / "molecule_support"
STEP_TIMEOUT = 900
#: loop devices the storage scenario attaches carry this in their backing file's name
LOOP_MARK = "opsbook-molecule-storage-"


@pytest.fixture(scope="module")
def molecule_env() -> Iterator[dict[str, str]]:
    paths = project_paths()
    env = podman_env(paths)
    env |= molecule_vars(paths, env)  # what `opsbook lab env --molecule` prints
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["ANSIBLE_FORCE_COLOR"] = "0"
    env["NO_COLOR"] = "1"
    yield env


def _molecule(
    role_dir: Path, step: str, env: dict[str, str], log: Path, *, extra_env: dict[str, str] | None = None
) -> tuple[int, float]:
    started = time.monotonic()
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n===== molecule {step} =====\n")
        out.flush()
        proc = subprocess.run(
            ["molecule", step],
            cwd=role_dir,
            env={**env, **(extra_env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=STEP_TIMEOUT,
            check=False,
        )
    return proc.returncode, time.monotonic() - started


def _tail(log: Path, lines: int = 60) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def audit_problems(record: Path) -> list[str]:
    """What the audit would hold against a converged host: changes, or check-mode skips."""
    problems: list[str] = []
    for line in record.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["handler"]:
            continue
        if row["status"] in ("changed", "failed", "unreachable"):
            problems.append(f"{row['status']}: {row['task']}")
            continue
        skips = [row] if row["status"] == "skipped" else row["items_skipped"]
        for skip in skips:
            why = skip_verdict(SkipInfo(skip["msg"], skip["skip_reason"], skip["false_condition"]))
            if why is not None:
                problems.append(f"unverifiable: {row['task']}: {why}")
    return problems


def _detach_leftover_loops() -> None:
    """Loop devices are the host kernel's: never leave the storage scenario's behind."""
    sys_block = Path("/sys/block")
    for backing in sys_block.glob("loop*/loop/backing_file"):
        try:
            text = backing.read_text(encoding="utf-8")
        except OSError:
            continue
        if LOOP_MARK in text:
            device = f"/dev/{backing.parent.parent.name}"
            subprocess.run(["losetup", "--detach", device], check=False, capture_output=True)


def _record_timing(paths: ProjectPaths, role: str, timings: dict[str, float]) -> None:
    out = paths.state / "molecule" / "timings.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    data[role] = {step: round(seconds, 1) for step, seconds in timings.items()}
    out.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


@pytest.mark.parametrize("role", ROLES)
def test_role_scenario(role: str, molecule_env: dict[str, str], tmp_path: Path) -> None:
    paths = project_paths()
    role_dir = paths.roles / role
    log = tmp_path / f"molecule-{role}.log"
    record = tmp_path / "audit-check.jsonl"
    timings: dict[str, float] = {}
    audit_env = {
        "OPSBOOK_TASK_RECORD": str(record),
        "ANSIBLE_CALLBACK_PLUGINS": str(SUPPORT),
        "ANSIBLE_CALLBACKS_ENABLED": "opsbook_task_record,ansible.posix.profile_tasks",
    }

    def step(name: str, label: str = "", extra: dict[str, str] | None = None) -> None:
        rc, seconds = _molecule(role_dir, name, molecule_env, log, extra_env=extra)
        timings[label or name] = seconds
        assert rc == 0, f"{role}: molecule {name} failed (rc {rc}); log {log}:\n{_tail(log)}"

    _molecule(role_dir, "destroy", molecule_env, log)
    destroy_rc = 0
    try:
        step("create")  # create + prepare
        step("check", "check (fresh host)")
        step("converge")
        step("idempotence")
        step("check", "check (converged: audit)", audit_env)
        problems = audit_problems(record)
        assert problems == [], f"{role}: a converged host would not audit clean: {problems}"
        step("verify")
    finally:
        _cleanup_rc, seconds = _molecule(role_dir, "cleanup", molecule_env, log)
        timings["cleanup+destroy"] = seconds
        destroy_rc, seconds = _molecule(role_dir, "destroy", molecule_env, log)
        timings["cleanup+destroy"] += seconds
        if role == "storage":
            _detach_leftover_loops()
        _record_timing(paths, role, timings)
        print(f"\n{role}: " + ", ".join(f"{k} {v:.0f}s" for k, v in timings.items()))
    assert destroy_rc == 0, f"{role}: molecule destroy failed; log {log}:\n{_tail(log)}"
