"""The real lab for tests in tests/lab/ (all marked ``lab``).

``lab`` (session-scoped) brings up a lab named "opsbook-test" — 3 hosts on SSH ports 3201+,
2 devices (IOS, VRP) on ports 3301+ — and takes it down at the end of the session, also when
tests fail. It yields a :class:`opsbook.lab.handle.LabHandle`: ``lab.inventory``, ``lab.hosts``,
``lab.devices`` (name, platform, port, username, password, ``netmiko_params()``), ``lab.env``
(podman's configuration), ``lab.ansible_env()``, and ``lab.sh(host, command)`` (podman exec).

Environment overrides (e.g. to run two sessions side by side): OPSBOOK_TEST_LAB_NAME,
OPSBOOK_TEST_LAB_HOSTS, OPSBOOK_TEST_LAB_DEVICES, OPSBOOK_TEST_SSH_PORT_BASE,
OPSBOOK_TEST_DEVICE_PORT_BASE; OPSBOOK_TEST_LAB_KEEP=1 keeps the lab after the session and
reuses it next time (for quick iterations; never in CI).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from opsbook import lab as lab_api
from opsbook.lab.handle import LabHandle
from opsbook.paths import project_paths
from opsbook.results import RunResult
from opsbook.runner import run_playbook

LAB_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/lab/ needs the real lab: mark it ``lab``."""
    for item in items:
        if LAB_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.lab)


def _keep_lab() -> bool:
    """OPSBOOK_TEST_LAB_KEEP=1: keep the lab after the session and reuse it next time."""
    return os.environ.get("OPSBOOK_TEST_LAB_KEEP") == "1"


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def host_sh(
    lab: LabHandle, host: str, command: str, *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a shell command in a lab host through podman exec (as root)."""
    return lab.sh(host, command, check=check)


@pytest.fixture(scope="session")
def lab() -> Iterator[LabHandle]:
    paths = project_paths()
    name = os.environ.get("OPSBOOK_TEST_LAB_NAME", "opsbook-test")
    keep = _keep_lab()
    paths.lab_state.mkdir(parents=True, exist_ok=True)
    # One test session per lab at a time; the lock dies with its process, so a state left by a
    # crashed session is recognised as a leftover and removed.
    with (paths.lab_state / f".{name}.session.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another test session using lab {name} …", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        if not keep:
            lab_api.down(name, paths=paths)
        try:
            result = lab_api.up(
                name,
                hosts=_int_env("OPSBOOK_TEST_LAB_HOSTS", 3),
                devices=_int_env("OPSBOOK_TEST_LAB_DEVICES", 2),
                ssh_port_base=_int_env("OPSBOOK_TEST_SSH_PORT_BASE", 3201),
                device_port_base=_int_env("OPSBOOK_TEST_DEVICE_PORT_BASE", 3301),
                paths=paths,
            )
            yield LabHandle.from_state(paths, result.state)
        finally:
            if not keep:
                lab_api.down(name, paths=paths)


@dataclass(frozen=True)
class SiteConvergence:
    """The lab's two first runs of playbooks/site.yml: ``first`` configured the fresh lab,
    ``second`` ran right after it (idempotence). ``fresh`` is False when the lab was reused
    (OPSBOOK_TEST_LAB_KEEP=1), where the first run may already find everything in place."""

    first: RunResult
    second: RunResult
    fresh: bool


@pytest.fixture(scope="session")
def site_converged(lab: LabHandle, tmp_path_factory: pytest.TempPathFactory) -> SiteConvergence:
    """Converge the lab's Linux hosts with site.yml once per session, then run it a second time.

    Shared by every test that needs a converged lab (tests/lab/test_site.py asserts on both runs,
    tests/lab/test_audit_lab.py audits the result), so the order the tests run in does not matter
    and the lab is converged once, not once per test module."""
    runs = tmp_path_factory.mktemp("site-runs")
    hosts = ",".join(lab.hosts)

    def site(label: str) -> RunResult:
        return run_playbook("site", inventory=[lab.inventory], limit=hosts, runs_dir=runs, label=label)

    first = site("site converge (first run)")
    second = site("site converge (second run)")
    return SiteConvergence(first, second, fresh=not _keep_lab())
