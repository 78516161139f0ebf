"""Running a playbook through ansible-runner: the I/O edge of the runner.

Every run gets a folder ``.opsbook/runs/<run_id>/`` that is both ansible-runner's private data
dir and its artifact dir (``stdout``, ``job_events/``, ``command``, ``status``, ``rc``), plus
opsbook's ``result.json``. The project itself stays where it is: the playbook is passed as an
absolute path, ``project_dir`` is the repository root (ansible-playbook runs there) and
``ANSIBLE_CONFIG`` names the project's ``ansible.cfg``, so roles, library and settings apply.

Extra variables go to ansible through a private temporary file outside the run folder, removed
when the run ends: ansible-runner's own ``env/extravars`` is never written (suppress_env_files).
Every string in them is tagged ``!unsafe`` (:mod:`opsbook.runner.extravars`): data, never a template.

:func:`run_playbook` is three steps: :func:`_prepare` (every check, nothing started — inputs,
register, state folder, secrets), :func:`_execute` (ansible-runner, with the caller's
``on_event`` / ``on_status`` handlers: the runner draws nothing) and :func:`_collect` (events →
result model, secrets purged, ``result.json`` written).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsbook.base.clock import now_iso
from opsbook.base.environment import path_with_interpreter_bin, podman_vars
from opsbook.base.files import atomic_write
from opsbook.base.ids import is_valid_run_id, new_run_id
from opsbook.errors import OpsbookError
from opsbook.paths import ProjectPaths, project_paths
from opsbook.results import RunResult
from opsbook.runner.artifacts import redact_artifacts, sanitize_command_file, scan_for_secrets
from opsbook.runner.callbacks import EventHandler, RunStatus, StatusHandler
from opsbook.runner.control import EventCollector, Watchdog, signals_set
from opsbook.runner.events import convert_events, output_tail
from opsbook.runner.extravars import unsafe_yaml, write_extravars_file
from opsbook.runner.inputs import RunInputError, normalize_tags, resolve_inventories, resolve_playbook
from opsbook.runner.processes import stop_process_tree
from opsbook.runner.redaction import normalize_secrets, redact
from opsbook.runner.secretvars import fact_cache_dir, mask_secret_names, secret_extravar_values, vault_values
from opsbook.runner.statedir import preflight_state, write_failure

RESULT_FILE = "result.json"
#: The extra variable that hands the known secret values to a playbook that must redact them
#: itself before packing anything (collect-evidence's bundle); masked like every secret.
KNOWN_SECRETS_VAR = "opsbook_known_secrets"
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
    on_event: EventHandler | None = None,
    on_status: StatusHandler | None = None,
    secrets: Iterable[str] = (),
    envvars: Mapping[str, str] | None = None,
    run_id: str | None = None,
    label: str = "",
    paths: ProjectPaths | None = None,
    runs_dir: Path | None = None,
    inventory_check: Callable[[list[Path]], None] | None = None,
) -> RunResult:
    """Run ``playbook`` with ansible-runner and return its :class:`RunResult` (also in ``result.json``).

    ``playbook``: a path, or a name under ``playbooks/`` (``health``, ``emergency/disk-full``).
    ``inventory``: paths passed as ``-i`` (default: ansible.cfg's). ``timeout``: seconds for the
    whole run; when it expires ansible is killed and the status is ``"timeout"``.
    ``on_event`` / ``on_status``: the caller's handlers (:mod:`opsbook.runner.callbacks`); the
    runner itself prints nothing. ``secrets``: values masked everywhere in the result and purged
    from the artifacts (files where one was found are listed in ``secret_leaks``); values of
    password-like extra variables and of the register's vault variables are added to them
    (:mod:`opsbook.runner.secretvars`). Pass secrets to ansible as ``extravars`` — never as
    ``envvars``, which ansible-runner saves in the ``command`` artifact. ``envvars`` are added to
    the environment (the project's podman settings are always added). ``paths`` / ``runs_dir``
    override the project and the runs folder (tests). ``inventory_check``: called with the
    inventory sources (``-i``, else the context's register) before anything starts — ``opsbook
    run`` passes :func:`opsbook.register.ensure_register_sound`, so a broken register stops the run
    before any host is touched. The runner itself does not import the register (the register is
    a part above it, ARCHITECTURE.md); jobs that read the register themselves check it there.

    Raises :class:`~opsbook.runner.inputs.RunInputError` (nothing started) for a missing
    playbook or inventory, bad extra variables or a bad run id, and
    :class:`~opsbook.runner.statedir.StateFolderError` for a read-only or full state folder —
    all before any host is touched; ansible's own failures are in the result, not raised.
    """
    prepared = _prepare(
        playbook,
        inventory=inventory,
        limit=limit,
        extravars=dict(extravars or {}),
        check=check,
        diff=diff,
        tags=tags,
        forks=forks,
        timeout=timeout,
        secrets=secrets,
        envvars=envvars,
        run_id=run_id,
        label=label,
        paths=paths or project_paths(),
        runs_dir=runs_dir,
        inventory_check=inventory_check,
    )
    executed = _execute(prepared, on_event, on_status)
    return _collect(prepared, executed)


@dataclass(frozen=True)
class _Prepared:
    """Everything checked and decided before ansible starts."""

    paths: ProjectPaths
    playbook: Path
    inventories: list[Path]
    run_id: str
    run_dir: Path
    title: str
    label: str
    limit: str | None
    check: bool
    diff: bool
    tags: list[str]
    forks: int | None
    timeout: float | None
    extravars: dict[str, Any]
    keys: tuple[str, ...]
    env: dict[str, str]
    keep_env: frozenset[str]


@dataclass
class _Executed:
    status: str
    rc: int
    started: str
    ended: str
    events: list[dict[str, Any]] = field(default_factory=list)
    leaks: set[str] = field(default_factory=set)
    canceled_by: str = ""


def _prepare(
    playbook: str | Path,
    *,
    inventory: Sequence[str | Path] | None,
    limit: str | None,
    extravars: dict[str, Any],
    check: bool,
    diff: bool,
    tags: str | Sequence[str] | None,
    forks: int | None,
    timeout: float | None,
    secrets: Iterable[str],
    envvars: Mapping[str, str] | None,
    run_id: str | None,
    label: str,
    paths: ProjectPaths,
    runs_dir: Path | None,
    inventory_check: Callable[[list[Path]], None] | None,
) -> _Prepared:
    """Check every input and the state folder, make the run folder; nothing touches a host."""
    playbook_path = resolve_playbook(playbook, paths)
    # no -i: the customer context's register (opsbook.context), never whatever ansible.cfg names
    inventories = resolve_inventories(inventory, paths) or paths.inventories
    if inventory_check is not None:
        inventory_check(inventories or paths.inventories)
    unsafe_yaml(extravars)  # a value that is not data is refused here, before any folder is made
    keys = normalize_secrets(
        [
            *secrets,
            *secret_extravar_values(extravars),
            *vault_values(inventories or paths.inventories, paths.ansible_cfg),
        ]
    )
    run_id = run_id or new_run_id()
    if not is_valid_run_id(run_id):
        raise RunInputError(
            f"Bad run id '{run_id}': use letters, digits, '.', '_' and '-' only (at most 128).",
            hint="Leave run_id out and opsbook makes one.",
        )
    runs = preflight_state(runs_dir or paths.runs)
    env = _environment(paths, envvars)
    run_dir = _make_run_dir(runs, run_id)
    return _Prepared(
        paths=paths,
        playbook=playbook_path,
        inventories=inventories,
        run_id=run_id,
        run_dir=run_dir,
        title=label or _display_name(playbook_path, paths),
        label=label,
        limit=limit or None,
        check=check,
        diff=diff,
        tags=normalize_tags(tags),
        forks=forks,
        timeout=timeout,
        extravars=extravars,
        keys=keys,
        env=env,
        keep_env=frozenset({*(envvars or {}), "ANSIBLE_CONFIG", "PATH"}),
    )


def _execute(prep: _Prepared, on_event: EventHandler | None, on_status: StatusHandler | None) -> _Executed:
    """Run ansible-playbook through ansible-runner; tell the caller's handlers as it goes."""
    status_handler = _SafeStatus(on_status, prep)
    collector = EventCollector(prep.keys, on_event)
    watchdog = Watchdog(prep.timeout, collector)
    extravars_file: Path | None = None
    final = "error"
    started = now_iso()
    status_handler("starting")
    try:
        args: list[str] = []
        if prep.check:
            args.append("--check")
        if prep.diff:
            args.append("--diff")
        passed = dict(prep.extravars)
        if prep.keys:
            passed[KNOWN_SECRETS_VAR] = list(prep.keys)
        if passed:
            extravars_file = write_extravars_file(passed)
            args += ["-e", f"@{extravars_file}"]

        def runner_status(data: Mapping[str, Any], runner_config: Any = None) -> None:
            watchdog.status_handler(data, runner_config)
            if data.get("status") == "running":
                status_handler("running")

        import ansible_runner  # noqa: PLC0415 — imported on first run: keeps every other command quick

        with signals_set(watchdog.interrupted, watchdog.signals):
            runner = ansible_runner.run(
                private_data_dir=str(prep.run_dir),
                artifact_dir=str(prep.run_dir.parent),
                ident=prep.run_id,
                playbook=str(prep.playbook),
                project_dir=str(prep.paths.root),
                inventory=[str(i) for i in prep.inventories] or None,
                limit=prep.limit,
                tags=",".join(prep.tags) or None,
                forks=prep.forks,
                cmdline=shlex.join(args) if args else None,
                envvars=prep.env,
                settings={"pexpect_timeout": _POLL_SECONDS},
                suppress_env_files=True,
                quiet=True,
                # ansible.cfg's fact cache stays in charge (ansible-runner would put one per run folder)
                fact_cache_type="ansible.cfg",
                rotate_artifacts=0,
                event_handler=collector.handle,
                status_handler=runner_status,
                cancel_callback=watchdog.should_stop,
            )
        status, rc = str(runner.status), int(runner.rc if runner.rc is not None else -1)
        if watchdog.timed_out:
            status = "timeout"
            (prep.run_dir / "status").write_text(status)
        final = status
    except OpsbookError:
        raise
    except OSError as exc:  # the state folder filled up or went read-only while ansible ran
        _stop_ansible(collector)
        raise write_failure(
            prep.run_dir,
            exc,
            done="ansible was stopped; hosts may have been changed by the tasks that ran before.",
            folder=prep.run_dir.parent,
        ) from exc
    except Exception as exc:  # ansible-runner's configuration errors: report, never a traceback
        _stop_ansible(collector)
        raise OpsbookError(
            f"ansible-runner could not run {prep.playbook}: {exc}",
            hint=f"See the run folder {prep.run_dir}.",
        ) from exc
    finally:
        if extravars_file is not None:
            extravars_file.unlink(missing_ok=True)
        status_handler(final, final=True)
    canceled_by = watchdog.signals[0] if status == "canceled" and watchdog.signals else ""
    return _Executed(status, rc, started, now_iso(), collector.events, collector.leaks, canceled_by)


def _collect(prep: _Prepared, executed: _Executed) -> RunResult:
    """Events → the result model; secrets purged from the artifacts; ``result.json`` written."""
    converted = convert_events(executed.events, secrets=prep.keys, check=prep.check)
    try:
        leaks = scan_for_secrets(prep.run_dir, prep.keys)
        sanitize_command_file(prep.run_dir, keep_env=prep.keep_env, secrets=prep.keys)
        redact_artifacts(prep.run_dir, prep.keys)
        own = prep.env.get("ANSIBLE_CACHE_PLUGIN_CONNECTION")
        facts = fact_cache_dir(prep.paths.ansible_cfg) if own is None else Path(own)
        if facts is not None and prep.keys:
            leaks += [f"fact cache: {name}" for name in redact_artifacts(facts, prep.keys)]
        result = RunResult(
            run_id=prep.run_id,
            playbook=_display_name(prep.playbook, prep.paths),
            artifact_dir=prep.run_dir,
            status=executed.status,
            rc=executed.rc,
            started=executed.started,
            ended=executed.ended,
            check=prep.check,
            limit=prep.limit,
            tasks=converted.tasks,
            hosts=converted.hosts,
            label=prep.label,
            diff=prep.diff,
            tags=prep.tags,
            inventory=[_display_name(i, prep.paths) for i in prep.inventories],
            extravars=redact(mask_secret_names(prep.extravars), prep.keys),
            secret_leaks=sorted(executed.leaks.union(leaks)),
            error=_error(
                executed.status, prep.timeout, converted.finished, prep.run_dir, executed.canceled_by
            ),
            interrupted=converted.interrupted,
            canceled_by=executed.canceled_by,
        )
        write_result(result)
    except OSError as exc:
        raise write_failure(
            prep.run_dir / RESULT_FILE,
            exc,
            done=f"ansible finished ({executed.status}); its raw output is in {prep.run_dir}.",
            folder=prep.run_dir.parent,
        ) from exc
    return result


def _stop_ansible(collector: EventCollector) -> None:
    """Leave nothing running when ansible-runner itself failed (disk full while writing events)."""
    if collector.ansible_pid is not None:
        stop_process_tree(collector.ansible_pid)


class _SafeStatus:
    """Calls the caller's status handler; one that raises is dropped, never stops the run."""

    def __init__(self, handler: StatusHandler | None, prep: _Prepared) -> None:
        self.handler = handler
        self.prep = prep

    def __call__(self, status: str, *, final: bool = False) -> None:
        if self.handler is None:
            return
        try:
            self.handler(RunStatus(status, self.prep.run_id, self.prep.title, self.prep.run_dir, final))
        except Exception:
            self.handler = None


def write_result(result: RunResult) -> Path:
    """Write ``result.json`` (``RunResult.to_dict()``) into the run's folder, whole or not at all."""
    path = result.artifact_dir / RESULT_FILE
    atomic_write(path, json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n", mode=0o600)
    return path


def load_result(run_dir: Path) -> RunResult:
    """Read a run's ``result.json`` back into a :class:`RunResult`."""
    path = run_dir / RESULT_FILE
    try:
        return RunResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise OpsbookError(f"No {RESULT_FILE} in {run_dir}: the run did not finish or is not a run.") from exc


def _make_run_dir(runs: Path, run_id: str) -> Path:
    run_dir = runs / run_id
    try:
        run_dir.mkdir(mode=0o700)
    except FileExistsError:
        # A caller may create the folder first (to put a record in it); a finished run is never reused.
        if (run_dir / RESULT_FILE).exists() or (run_dir / "job_events").exists():
            raise RunInputError(
                f"Run {run_id} already exists in {runs}: pick another run id.",
                hint="Leave run_id out and opsbook makes a fresh one.",
            ) from None
    except OSError as exc:
        raise write_failure(run_dir, exc, done="Nothing was started.", folder=runs) from exc
    return run_dir


def _environment(paths: ProjectPaths, envvars: Mapping[str, str] | None) -> dict[str, str]:
    """What opsbook adds to the environment ansible-runner builds from ``os.environ``."""
    env = podman_vars(paths.root, paths.state_root)  # podman storage is the project's, not a customer's
    env["ANSIBLE_CONFIG"] = str(paths.ansible_cfg)
    env["OPSBOOK_STATE"] = str(paths.state)  # the customer context's state folder, for playbooks
    if paths.customer and "ANSIBLE_CACHE_PLUGIN_CONNECTION" not in os.environ:
        # ansible.cfg's fact cache is one folder; each customer's facts stay in its own state
        env["ANSIBLE_CACHE_PLUGIN_CONNECTION"] = str(paths.state / "facts")
    env["PATH"] = path_with_interpreter_bin(os.environ.get("PATH", ""))
    env.update({str(k): str(v) for k, v in (envvars or {}).items()})
    if shutil.which("ansible-playbook", path=env["PATH"]) is None:
        raise OpsbookError(
            "ansible-playbook not found on PATH nor next to this Python.",
            hint="Install the project's virtual environment (bash scripts/bootstrap.sh).",
        )
    return env


def _error(status: str, timeout: float | None, finished: bool, run_dir: Path, canceled_by: str = "") -> str:
    if status == "successful":
        return ""
    if status == "timeout":
        head = f"Timed out after {timeout:g} s: ansible was stopped." if timeout else "Timed out."
    elif status == "canceled":
        head = (
            f"Canceled by {canceled_by}: ansible was stopped."
            if canceled_by
            else "Canceled: ansible was stopped."
        )
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
