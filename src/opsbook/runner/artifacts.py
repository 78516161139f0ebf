"""A run's artifact folder on disk: finding and masking known secret values, trimming the env.

ansible-runner writes ``stdout``, ``job_events/*.json``, ``command`` (the command line, its
working directory and the *whole* environment), ``status`` and ``rc``. Anything a task printed
lands in ``stdout`` and the events verbatim; these functions make sure known secrets do not stay.
A secret is looked for in every form it takes on disk: raw UTF-8 and JSON-escaped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable
from pathlib import Path

from opsbook.runner.redaction import MASK, normalize_secrets, redact, secret_forms

#: Environment variables kept in the ``command`` artifact (besides those opsbook set itself):
#: what is needed to understand or repeat the run, nothing of the operator's own shell.
COMMAND_ENV_PREFIXES = ("ANSIBLE_", "RUNNER_", "AWX_", "CONTAINERS_", "OPSBOOK_")
COMMAND_ENV_NAMES = frozenset({"PATH", "ORIGINAL_STDOUT_CALLBACK", "PYTHONPATH", "VIRTUAL_ENV"})


def _files(run_dir: Path) -> list[Path]:
    return sorted(p for p in run_dir.rglob("*") if p.is_file() and not p.is_symlink())


def _patterns(secrets: Iterable[str]) -> list[bytes]:
    forms = {form for secret in normalize_secrets(secrets) for form in secret_forms(secret)}
    return sorted(forms, key=lambda f: (-len(f), f))


def scan_for_secrets(run_dir: Path, secrets: Iterable[str]) -> list[str]:
    """Files under ``run_dir`` (relative POSIX paths, sorted) holding any known secret value.

    Only paths are returned, never the values.
    """
    patterns = _patterns(secrets)
    if not patterns or not run_dir.is_dir():
        return []
    found = []
    for path in _files(run_dir):
        data = path.read_bytes()
        if any(p in data for p in patterns):
            found.append(path.relative_to(run_dir).as_posix())
    return found


def redact_artifacts(run_dir: Path, secrets: Iterable[str]) -> list[str]:
    """Mask every known secret value in every file under ``run_dir``, in place.

    Returns the files changed (relative POSIX paths). Files keep their permissions.
    """
    patterns = _patterns(secrets)
    if not patterns or not run_dir.is_dir():
        return []
    mask = MASK.encode()
    changed = []
    for path in _files(run_dir):
        data = path.read_bytes()
        new = data
        for pattern in patterns:
            new = new.replace(pattern, mask)
        if new != data:
            _rewrite(path, new)
            changed.append(path.relative_to(run_dir).as_posix())
    return changed


def _rewrite(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".opsbook-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, path.stat().st_mode & 0o777)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    tmp.replace(path)


def sanitize_command_file(
    run_dir: Path, *, keep_env: Collection[str] = (), secrets: Iterable[str] = ()
) -> None:
    """Trim the environment ansible-runner saved in ``command`` to what explains the run.

    Keeps variables named in ``keep_env`` (those opsbook passed) and those matching
    :data:`COMMAND_ENV_PREFIXES` / :data:`COMMAND_ENV_NAMES`; drops the rest of the operator's
    shell environment (tokens, credentials …) without recording it; masks known secrets.
    """
    path = run_dir / "command"
    if not path.is_file():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return
    env = data.get("env")
    if isinstance(env, dict):
        data["env"] = {
            k: v
            for k, v in sorted(env.items())
            if k in keep_env or k in COMMAND_ENV_NAMES or k.startswith(COMMAND_ENV_PREFIXES)
        }
    data = redact(data, normalize_secrets(secrets))
    _rewrite(path, json.dumps(data, ensure_ascii=False).encode())
