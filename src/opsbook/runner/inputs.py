"""What a run is asked to do, checked before anything starts: playbook, inventory, extra vars."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from opsbook.base.pathcheck import path_problem
from opsbook.errors import UsageError
from opsbook.paths import ProjectPaths

PLAYBOOK_SUFFIXES = (".yml", ".yaml")
#: Folders under playbooks/ that hold task files, variables or templates, not playbooks.
_NOT_PLAYBOOK_DIRS = frozenset(
    {"tasks", "handlers", "vars", "defaults", "templates", "files", "group_vars", "host_vars", "meta"}
)


class RunInputError(UsageError):
    """A run's input is wrong (no such playbook, inventory, bad ``-e``): nothing was started.

    Exit code 1, like every error that stops ``opsbook run`` before ansible ran (2 is reserved
    for "ansible ran and hosts failed").
    """

    exit_code = 1


def available_playbooks(paths: ProjectPaths) -> list[str]:
    """Playbook names under ``playbooks/`` (relative, without suffix), sorted: what ``run NAME`` accepts."""
    root = paths.playbooks
    if not root.is_dir():
        return []
    names = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if (
            path.is_file()
            and path.suffix in PLAYBOOK_SUFFIXES
            and not _NOT_PLAYBOOK_DIRS.intersection(rel.parts[:-1])
            and not any(part.startswith(".") for part in rel.parts)
        ):
            names.append(rel.with_suffix("").as_posix())
    return sorted(names)


def resolve_playbook(spec: str | Path, paths: ProjectPaths, *, cwd: Path | None = None) -> Path:
    """An existing playbook file, absolute: ``spec`` as a path, else as a name under ``playbooks/``.

    ``health`` → ``playbooks/health.yml``; ``emergency/disk-full`` → ``playbooks/emergency/disk-full.yml``;
    ``./site.yml`` or ``/abs/play.yml`` → that file.
    """
    text = str(spec).strip()
    if not text:
        raise RunInputError("No playbook given.", hint="Name a playbook under playbooks/ or a path to one.")
    base = (cwd or Path.cwd()).resolve()
    given = Path(text).expanduser()
    direct = given if given.is_absolute() else base / given
    candidates = [direct]
    if not given.is_absolute():
        under = paths.playbooks / given
        candidates += [under, *(under.with_name(under.name + s) for s in PLAYBOOK_SUFFIXES)]
    for candidate in candidates:
        if candidate.is_file():
            problem = path_problem(candidate, "file")
            if problem is not None:
                raise RunInputError(f"Playbook {problem}.")
            return candidate.resolve()
    if direct.is_dir():
        raise RunInputError(f"Playbook {direct} is a folder, not a playbook file.")
    looks_like_path = given.is_absolute() or given.suffix in PLAYBOOK_SUFFIXES or text.startswith(".")
    available = available_playbooks(paths)
    listing = ", ".join(available) if available else f"none yet in {paths.playbooks}"
    if looks_like_path:
        raise RunInputError(
            f"Playbook file not found: {direct}",
            hint=f"Check the path, or name a playbook under playbooks/ (available: {listing}).",
        )
    raise RunInputError(
        f"Unknown playbook '{text}': neither {direct} nor {paths.playbooks / text}[.yml|.yaml] exists.",
        hint=f"Available playbooks: {listing}.",
    )


def resolve_inventories(
    sources: Iterable[str | Path] | None, paths: ProjectPaths, *, cwd: Path | None = None
) -> list[Path]:
    """Each inventory source as an existing absolute path (relative: to ``cwd``, else to the project root)."""
    base = (cwd or Path.cwd()).resolve()
    resolved = []
    for source in sources or ():
        given = Path(str(source)).expanduser()
        options = [given] if given.is_absolute() else [base / given, paths.root / given]
        found = next((p for p in options if p.exists()), None)
        if found is None:
            raise RunInputError(
                f"Inventory not found: {options[0]}",
                hint="Pass an inventory file or folder with -i, or leave -i out to use ansible.cfg's "
                f"({paths.lab_inventory}).",
            )
        problem = path_problem(found)
        if problem is not None:
            raise RunInputError(
                f"Inventory {problem}.",
                hint="Pass an inventory file or folder with -i, or leave -i out to use ansible.cfg's.",
            )
        resolved.append(found.resolve())
    return resolved


def parse_extravars(pairs: Iterable[str]) -> dict[str, str]:
    """``key=value`` strings (as ``-e`` takes them) → a dict; values stay strings, as in ansible."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise RunInputError(
                f"Bad extra variable '{pair}': expected key=value with a variable name as key.",
                hint="Example: -e nginx_port=8080 (repeat -e for each variable).",
            )
        result[key] = value
    return result


def normalize_tags(tags: str | Iterable[str] | None) -> list[str]:
    """Tags as a list, whether given as ``"a,b"`` or ``["a", "b"]``."""
    if tags is None:
        return []
    items = [tags] if isinstance(tags, str) else list(tags)
    return [t.strip() for item in items for t in item.split(",") if t.strip()]
