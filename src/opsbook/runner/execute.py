"""Running a playbook through ansible-runner: the I/O edge of the runner.

Every run gets a folder ``.opsbook/runs/<run_id>/`` that is both ansible-runner's private data
dir and its artifact dir (``stdout``, ``job_events/``, ``command``, ``status``, ``rc``), plus
opsbook's ``result.json``. The project itself stays where it is: the playbook is passed as an
absolute path, ``project_dir`` is the repository root (ansible-playbook runs there) and
``ANSIBLE_CONFIG`` names the project's ``ansible.cfg``, so roles, library and settings apply.

Extra variables go to ansible through a private temporary file outside the run folder, removed
when the run ends: ansible-runner's own ``env/extravars`` is never written (suppress_env_files).
Every string in them is tagged ``!unsafe`` (:mod:`opsbook.runner.extravars`): data, never a template.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from opsbook.base.environment import path_with_interpreter_bin, podman_vars
from opsbook.base.ids import is_valid_run_id, new_run_id
from opsbook.errors import OpsbookError
from opsbook.paths import ProjectPaths, project_paths
from opsbook.register import ensure_register_sound
from opsbook.results import RunResult
from opsbook.runner.artifacts import redact_artifacts, sanitize_command_file, scan_for_secrets
from opsbook.runner.events import convert_events, output_tail
from opsbook.runner.extravars import write_extravars_file
from opsbook.runner.inputs import (
    RunInputError,
    normalize_tags,
    resolve_inventories,
    resolve_playbook,
)
from opsbook.runner.processes import stop_process_tree
from opsbook.runner.progress import NullProgress, ProgressSink, make_progress
from opsbook.runner.redaction import normalize_secrets, redact

RESULT_FILE = "result.json"
#: How often (seconds) ansible-runner looks at the clock and the cancel flag while ansible is silent.
_POLL_SECONDS = 0.5


def run_playbook(
    playbook: str | Path,
    *,
    inventory: Sequence[str | Path] | None = None,
    limit: str | None = None,
    extravars: Mapping[str, Any] | None = None,
    check: bool = False,
    diff: bool = False,
    tags: str | Sequence[str] | None = None,
    forks: int | None = None,
    timeout: float | None = None,
    progress: bool = True,
    secrets: Iterable[str] = (),
    envvars: Mapping[str, str] | None = None,
    run_id: str | None = None,
    label: str = "",
    paths: ProjectPaths | None = None,
    runs_dir: Path | None = None,
    register_check: bool = True,
) -> RunResult:
    """Run ``playbook`` with ansible-runner and return its :class:`RunResult` (also in ``result.json``).

    ``playbook``: a path, or a name under ``playbooks/`` (``health``, ``emergency/disk-full``).
    ``inventory``: paths passed as ``-i`` (default: ansible.cfg's). ``timeout``: seconds for the
    whole run; when it expires ansible is killed and the status is ``"timeout"``. ``secrets``:
    values masked everywhere in the result and purged from the artifacts (files where one was
    found are listed in ``secret_leaks``). Pass secrets to ansible as ``extravars`` — never as
    ``envvars``, which ansible-runner saves in the ``command`` artifact. ``envvars`` are added to
    the environment (the project's podman settings are always added). ``paths`` / ``runs_dir``
    override the project and the runs folder (tests). ``register_check``: the asset register
    (the inventory) is checked first and a broken one stops the run before any host is touched
    (:class:`~opsbook.register.RegisterError`); only callers that pass an inventory which is not a
    register (molecule-style scratch inventories) turn it off.

    Raises :class:`~opsbook.runner.inputs.RunInputError` (nothing started) for a missing
    playbook or inventory or a bad run id; ansible's own failures are in the result, not raised.
    """
    paths = paths or project_paths()
    playbook_path = resolve_playbook(playbook, paths)
    # no -i: the customer context's register (opsbook.context), never whatever ansible.cfg names
    inventories = resolve_inventories(inventory, paths) or paths.inventories
    if register_check:
        ensure_register_sound(inventories)
    keys = normalize_secrets(secrets)
    tag_list = normalize_tags(tags)
    run_id = run_id or new_run_id()
    if not is_valid_run_id(run_id):
        raise RunInputError(
            f"Bad run id '{run_id}': use letters, digits, '.', '_' and '-' only (at most 128).",
            hint="Leave run_id out and opsbook makes one.",
        )
    run_dir = _make_run_dir(runs_dir or paths.runs, run_id)
    env = _environment(paths, envvars)
    keep_env = {*(envvars or {}), "ANSIBLE_CONFIG", "PATH"}
    started = _now()
    collector = _EventCollector(
        keys,
        make_progress(progress, secrets=keys, title=label or _display_name(playbook_path, paths)),
    )
    watchdog = _Watchdog(timeout, collector)
    extravars_file: Path | None = None
    try:
        args: list[str] = []
        if check:
            args.append("--check")
        if diff:
            args.append("--diff")
        if extravars:
            extravars_file = write_extravars_file(extravars)
            args += ["-e", f"@{extravars_file}"]
        runner_kwargs: dict[str, Any] = {
            "private_data_dir": str(run_dir),
            "artifact_dir": str(run_dir.parent),
            "ident": run_id,
            "playbook": str(playbook_path),
            "project_dir": str(paths.root),
            "inventory": [str(i) for i in inventories] or None,
            "limit": limit or None,
            "tags": ",".join(tag_list) or None,
            "forks": forks,
            "cmdline": shlex.join(args) if args else None,
            "envvars": env,
            "settings": {"pexpect_timeout": _POLL_SECONDS},
            "suppress_env_files": True,
            "quiet": True,
            # ansible.cfg's fact cache stays in charge (ansible-runner would put one per run folder)
            "fact_cache_type": "ansible.cfg",
            "rotate_artifacts": 0,
            "event_handler": collector.handle,
            "status_handler": watchdog.status_handler,
            "cancel_callback": watchdog.should_stop,
        }
        import ansible_runner  # noqa: PLC0415 — imported on first run: keeps every other command quick

        with _signals_set(watchdog.interrupted), collector.progress:
            runner = ansible_runner.run(**runner_kwargs)
        status, rc = str(runner.status), int(runner.rc if runner.rc is not None else -1)
        if watchdog.timed_out:
            status = "timeout"
            (run_dir / "status").write_text(status)
    except OpsbookError:
        raise
    except Exception as exc:  # ansible-runner's configuration errors: report, never a traceback
        raise OpsbookError(
            f"ansible-runner could not run {playbook_path}: {exc}",
            hint=f"See the run folder {run_dir}.",
        ) from exc
    finally:
        if extravars_file is not None:
            extravars_file.unlink(missing_ok=True)
    ended = _now()

    converted = convert_events(collector.events, secrets=keys, check=check)
    leaks = scan_for_secrets(run_dir, keys)
    sanitize_command_file(run_dir, keep_env=keep_env, secrets=keys)
    redact_artifacts(run_dir, keys)
    result = RunResult(
        run_id=run_id,
        playbook=_display_name(playbook_path, paths),
        artifact_dir=run_dir,
        status=status,
        rc=rc,
        started=started,
        ended=ended,
        check=check,
        limit=limit or None,
        tasks=converted.tasks,
        hosts=converted.hosts,
        label=label,
        diff=diff,
        tags=tag_list,
        inventory=[_display_name(i, paths) for i in inventories],
        extravars=redact(dict(extravars or {}), keys),
        secret_leaks=sorted(collector.leaks.union(leaks)),
        error=_error(status, timeout, converted.finished, run_dir),
        interrupted=converted.interrupted,
    )
    write_result(result)
    return result


def write_result(result: RunResult) -> Path:
    """Write ``result.json`` (``RunResult.to_dict()``) into the run's folder; return its path."""
    path = result.artifact_dir / RESULT_FILE
    tmp = path.with_name(RESULT_FILE + ".tmp")
    tmp.write_text(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def load_result(run_dir: Path) -> RunResult:
    """Read a run's ``result.json`` back into a :class:`RunResult`."""
    path = run_dir / RESULT_FILE
    try:
        return RunResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise OpsbookError(f"No {RESULT_FILE} in {run_dir}: the run did not finish or is not a run.") from exc


class _EventCollector:
    """ansible-runner's event handler: keeps the events, feeds the progress display, and masks
    known secrets in each event in place — before ansible-runner writes it to ``job_events/``
    and its text to ``stdout`` — noting the files the secret would have reached (``leaks``)."""

    def __init__(self, secrets: tuple[str, ...], progress: ProgressSink) -> None:
        self.secrets = secrets
        self.progress = progress
        self.events: list[dict[str, Any]] = []
        self.leaks: set[str] = set()
        #: ansible-playbook's pid, as its callback reports it in every event
        self.ansible_pid: int | None = None

    def handle(self, event: dict[str, Any]) -> bool:
        if self.ansible_pid is None and isinstance(event.get("pid"), int):
            self.ansible_pid = event["pid"]
        if self.secrets:
            masked = redact(event, self.secrets)
            if masked != event:
                if "uuid" in event:
                    self.leaks.add(f"job_events/{event.get('counter')}-{event['uuid']}.json")
                if masked.get("stdout") != event.get("stdout"):
                    self.leaks.add("stdout")
                event.clear()
                event.update(masked)
        self.events.append(event)
        try:
            self.progress.event(event)
        except Exception:  # a display problem must never stop a run: go quiet instead
            self.progress = NullProgress()
        return True


def _make_run_dir(runs: Path, run_id: str) -> Path:
    run_dir = runs / run_id
    runs.mkdir(parents=True, exist_ok=True)
    try:
        run_dir.mkdir(mode=0o700)
    except FileExistsError:
        # A caller may create the folder first (to put a record in it); a finished run is never reused.
        if (run_dir / RESULT_FILE).exists() or (run_dir / "job_events").exists():
            raise RunInputError(
                f"Run {run_id} already exists in {runs}: pick another run id.",
                hint="Leave run_id out and opsbook makes a fresh one.",
            ) from None
    return run_dir


def _environment(paths: ProjectPaths, envvars: Mapping[str, str] | None) -> dict[str, str]:
    """What opsbook adds to the environment ansible-runner builds from ``os.environ``."""
    env = podman_vars(paths.root, paths.state_root)
    env["ANSIBLE_CONFIG"] = str(paths.ansible_cfg)
    env["PATH"] = path_with_interpreter_bin(os.environ.get("PATH", ""))
    env.update({str(k): str(v) for k, v in (envvars or {}).items()})
    if shutil.which("ansible-playbook", path=env["PATH"]) is None:
        raise OpsbookError(
            "ansible-playbook not found on PATH nor next to this Python.",
            hint="Install the project's virtual environment (bash scripts/bootstrap.sh).",
        )
    return env


class _Watchdog:
    """ansible-runner's cancel callback: stops the run when ``timeout`` seconds have passed since
    ansible-playbook started, or on SIGINT / SIGTERM — and stops ansible's whole process tree
    first (see :mod:`opsbook.runner.processes`), which ansible-runner's own timeout does not."""

    def __init__(self, timeout: float | None, collector: _EventCollector) -> None:
        self.timeout = timeout
        self.collector = collector
        self.interrupted = threading.Event()
        self.timed_out = False
        self._started: float | None = None
        self._stopped = False

    def status_handler(self, data: Mapping[str, Any], runner_config: Any = None) -> None:
        if data.get("status") == "running" and self._started is None:
            self._started = time.monotonic()

    def should_stop(self) -> bool:
        if self.timeout and self._started is not None and time.monotonic() - self._started >= self.timeout:
            self.timed_out = True
        if not (self.timed_out or self.interrupted.is_set()):
            return False
        if not self._stopped:
            self._stopped = True
            if self.collector.ansible_pid is not None:
                stop_process_tree(self.collector.ansible_pid)
        return True


@contextlib.contextmanager
def _signals_set(flag: threading.Event) -> Iterator[None]:
    """SIGINT / SIGTERM set ``flag`` (the run is then canceled cleanly) instead of killing opsbook
    mid-write; the previous handlers come back afterwards. Only in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.getsignal(sig) for sig in signals}

    def _handler(signum: int, frame: FrameType | None) -> None:
        flag.set()

    for sig in signals:
        signal.signal(sig, _handler)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _error(status: str, timeout: float | None, finished: bool, run_dir: Path) -> str:
    if status == "successful":
        return ""
    if status == "timeout":
        head = f"Timed out after {timeout:g} s: ansible was stopped." if timeout else "Timed out."
    elif status == "canceled":
        head = "Canceled: ansible was stopped."
    elif finished:
        return ""  # the playbook ran to its recap: the failures are in the tasks
    else:
        head = "ansible-playbook stopped before the play recap."
    stdout = run_dir / "stdout"
    tail = output_tail(stdout.read_text(encoding="utf-8", errors="replace")) if stdout.is_file() else ""
    return f"{head}\n{tail}" if tail else head


def _display_name(path: Path, paths: ProjectPaths) -> str:
    """A path relative to the project root when inside it, else absolute."""
    try:
        return path.relative_to(paths.root).as_posix()
    except ValueError:
        return str(path)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
