"""A read-only or full state folder is refused before any host is touched (issue 10.6), and bad
path arguments are clear errors, never tracebacks.

Real file systems: a small tmpfs, mounted read-only or filled up (this needs root, which the
suite's machine is; elsewhere the mount itself fails and the test says so).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from opsbook.base.pathcheck import path_problem
from opsbook.errors import OpsbookError
from opsbook.runner import StateFolderError, preflight_state, run_playbook
from opsbook.runner.inputs import RunInputError

FIXTURES = Path(__file__).parents[1] / "unit" / "fixtures" / "runner"
INVENTORY = FIXTURES / "hosts.yml"


FILL_PLAYBOOK = """\
- name: Fill the state folder while the run goes
  hosts: alpha
  gather_facts: false
  tasks:
    - name: Before
      ansible.builtin.debug:
        msg: before
    - name: Fill the file system of the state folder
      ansible.builtin.command: "dd if=/dev/zero of={{ fill_path }} bs=1M count=200"
      failed_when: false
      changed_when: false
    - name: After
      ansible.builtin.debug:
        msg: "{{ item }}"
      loop: "{{ range(50) | list }}"
"""


def _mount_tmpfs(mount: Path, size: str) -> None:
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"this test mounts a tmpfs and needs root: {done.stderr}"


def _mounted(tmp_path: Path, size: str) -> Iterator[Path]:
    mount = tmp_path / "state"
    _mount_tmpfs(mount, size)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    yield from _mounted(tmp_path, "2m")


@pytest.fixture
def roomy_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """Room enough to pass the preflight (64 MiB), small enough for a task to fill."""
    yield from _mounted(tmp_path, "80m")


def _remount_read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


def _fill(mount: Path) -> None:
    fd = os.open(mount / "ballast", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError:
        pass
    finally:
        os.close(fd)


def test_a_read_only_state_folder_stops_the_run_before_ansible(tmpfs: Path, tmp_path: Path) -> None:
    _remount_read_only(tmpfs)
    with pytest.raises(StateFolderError, match=r"read-only file system: .* nothing was started") as err:
        run_playbook(FIXTURES / "sleep.yml", inventory=[INVENTORY], runs_dir=tmpfs / "runs")
    assert "Remount it read-write" in (err.value.hint or "")
    assert not (tmpfs / "runs").exists()


def test_a_full_state_folder_stops_the_run_before_ansible(tmpfs: Path) -> None:
    (tmpfs / "runs").mkdir()
    earlier = tmpfs / "runs" / "earlier-run"
    earlier.mkdir()
    (earlier / "result.json").write_text("{}")
    _fill(tmpfs)
    with pytest.raises(StateFolderError, match="nothing was started") as err:
        run_playbook(FIXTURES / "sleep.yml", inventory=[INVENTORY], runs_dir=tmpfs / "runs")
    assert "Free space" in (err.value.hint or "")
    assert sorted(p.name for p in (tmpfs / "runs").iterdir()) == ["earlier-run"]  # no new run folder
    assert (earlier / "result.json").read_text() == "{}"  # earlier records intact


def test_too_little_free_space_is_refused_even_when_a_file_still_fits(tmpfs: Path) -> None:
    with pytest.raises(StateFolderError, match=r"has only .* free \(a run needs at least 64\.0 MiB\)"):
        preflight_state(tmpfs / "runs")


def test_a_state_folder_that_is_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "runs").write_text("not a folder")
    with pytest.raises(StateFolderError, match="is a file, not a folder"):
        preflight_state(tmp_path / "runs")


def test_a_writable_state_folder_passes_and_keeps_nothing_of_the_check(tmp_path: Path) -> None:
    assert preflight_state(tmp_path / "runs") == tmp_path / "runs"
    assert list((tmp_path / "runs").iterdir()) == []


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (Path("/dev/null"), "/dev/null is a device, not a file or folder"),
        (Path("/nonexistent/x.yml"), "/nonexistent/x.yml does not exist"),
        (Path("/etc/hostname/x"), "a part of it is a file, not a folder"),
    ],
)
def test_path_problems_are_sentences(path: Path, message: str) -> None:
    problem = path_problem(path)
    assert problem is not None and message in problem


def test_run_with_dev_null_as_inventory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RunInputError, match="Inventory /dev/null is a device, not a file or folder"):
        run_playbook(FIXTURES / "sleep.yml", inventory=["/dev/null"], runs_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        ["inventory", "check"],
        ["inventory", "report"],
        ["health"],
        ["audit"],
        ["net", "backup"],
        ["run", "site", "--check"],
    ],
)
def test_dev_null_as_inventory_is_named_without_a_traceback(command: list[str]) -> None:
    """The issue's example (`inventory check -i /dev/null` → traceback), through every command
    that takes -i: the same sentence, nothing contacted."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "opsbook"), *command, "-i", "/dev/null"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "is a device, not a file or folder" in done.stderr + done.stdout


def test_a_state_folder_that_fills_up_mid_run_is_a_clear_error_and_keeps_earlier_records(
    roomy_tmpfs: Path, tmp_path: Path
) -> None:
    earlier = roomy_tmpfs / "runs" / "earlier-run"
    earlier.mkdir(parents=True)
    (earlier / "result.json").write_text('{"run_id": "earlier-run"}')
    playbook = tmp_path / "fill.yml"
    playbook.write_text(FILL_PLAYBOOK)
    with pytest.raises(OpsbookError, match=r"Could not write .*: No space left on device") as err:
        run_playbook(
            playbook,
            inventory=[INVENTORY],
            extravars={"fill_path": str(roomy_tmpfs / "ballast")},
            runs_dir=roomy_tmpfs / "runs",
        )
    assert "hosts may have been changed by the tasks that ran before" in err.value.message
    assert "earlier records are intact" in (err.value.hint or "")
    assert (earlier / "result.json").read_text() == '{"run_id": "earlier-run"}'
    assert not list((roomy_tmpfs / "runs").glob("*/.result.json.*.tmp"))  # no half-written result
