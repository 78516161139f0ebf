"""Read ``runbooks/NAME.yml`` into a :class:`~opsbook.runbooks.model.Runbook`.

Every problem is reported as ``file:line: what is wrong`` plus the fix, never a traceback:
pydantic's error locations are mapped back to YAML lines with ruamel's position data. Beyond
the schema, a runbook must have its knowledge page (``NAME.md`` with the required sections),
its playbook must exist and play against the runbook's target pattern, and parameter
defaults must pass their own checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from opsbook.errors import UsageError
from opsbook.runbooks.model import NAME_RE, Parameter, Report, Rollback, Runbook, Targets
from opsbook.runbooks.params import ParamError, check_default

#: Sections every knowledge page must have (level-2 headings).
REQUIRED_SECTIONS = ("Symptoms", "Diagnosis", "Procedure", "Escalation", "References")


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return self.describe()

    def describe(self, root: Path | None = None) -> str:
        """``file:line: message`` (the file relative to ``root`` when it lies inside) and the fix."""
        shown = self.file
        if root is not None and self.file.is_relative_to(root):
            shown = self.file.relative_to(root)
        text = f"{shown}:{self.line}: {self.message}"
        return f"{text}\n    fix: {self.hint}" if self.hint else text


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _line_of(root: Any, loc: Sequence[int | str]) -> int:
    """1-based line of the deepest YAML node ``loc`` reaches (the file's first line if none)."""
    line = 0
    node = root
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0]
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0]
            node = node[part]
        else:
            break
    return line + 1


def _model_at(loc: Sequence[int | str]) -> type[BaseModel] | None:
    parts = [p for p in loc if isinstance(p, str)]
    if not parts:
        return Runbook
    head = parts[0]
    if head == "targets":
        return Targets
    if head == "report":
        return Report
    if head == "rollback":
        return Rollback
    if head == "parameters" and len(parts) >= 2:
        return Parameter
    return None


def _hint(error: ErrorDetails) -> str:
    kind = error["type"]
    loc: tuple[int | str, ...] = tuple(error["loc"])
    field = str(loc[-1]) if loc else ""
    if kind == "missing":
        return f"add `{field}:` (see docs/runbooks.md for what it means)"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = ", ".join(k for k in model.model_fields if k != "name") if model else ""
        return f"remove `{field}` or fix its spelling" + (f"; allowed here: {allowed}" if allowed else "")
    if kind in ("enum", "literal_error"):
        return "use one of the values listed above"
    if kind == "string_pattern_mismatch":
        return "parameter names are lower-case Ansible variable names: a-z, 0-9 and _"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"write `{field}` as the type named above"
    return ""


def _schema_problems(path: Path, root: Any, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if p != "[key]")
        where = ".".join(str(p) for p in loc) or "(top level)"
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(Problem(path, _line_of(root, loc), f"{where}: {message}", _hint(error)))
    return problems


def _playbook_hosts(playbook: Path) -> list[str]:
    data = YAML(typ="safe").load(playbook.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        return []
    return [str(play["hosts"]) for play in data if isinstance(play, dict) and "hosts" in play]


def _knowledge_page_problems(page: Path) -> list[Problem]:
    if not page.is_file():
        return [
            Problem(
                page,
                1,
                "the runbook has no knowledge page",
                f"write {page.name} with the sections {', '.join(REQUIRED_SECTIONS)}",
            )
        ]
    headings = {m.group(1).strip() for m in re.finditer(r"^##\s+(.+)$", page.read_text("utf-8"), re.M)}
    missing = [s for s in REQUIRED_SECTIONS if s not in headings]
    if missing:
        return [
            Problem(page, 1, f"knowledge page lacks sections: {', '.join(missing)}", "add `## <Section>`")
        ]
    return []


def _cross_problems(path: Path, root: Any, runbook: Runbook, playbooks_dir: Path) -> list[Problem]:
    problems: list[Problem] = []
    playbook = playbook_inside(playbooks_dir, runbook.playbook)
    if playbook is None:
        problems.append(
            Problem(
                path,
                _line_of(root, ("playbook",)),
                f"playbook: {runbook.playbook} is not a playbook file under {playbooks_dir}",
                "name a playbook relative to playbooks/, e.g. emergency/disk-full.yml",
            )
        )
    else:
        hosts = _playbook_hosts(playbook)
        if not hosts or any(h != runbook.targets.pattern for h in hosts):
            problems.append(
                Problem(
                    path,
                    _line_of(root, ("targets", "pattern")),
                    f"targets.pattern {runbook.targets.pattern!r} differs from the playbook's hosts {hosts}",
                    "make targets.pattern equal to the `hosts:` of every play in the playbook",
                )
            )
    if runbook.rollback and playbook_inside(playbooks_dir, runbook.rollback.playbook) is None:
        problems.append(
            Problem(
                path,
                _line_of(root, ("rollback", "playbook")),
                f"rollback playbook {runbook.rollback.playbook} is not a playbook file under {playbooks_dir}",
                "create it under playbooks/ or remove `rollback:`",
            )
        )
    for name, param in runbook.parameters.items():
        try:
            check_default(name, param)
        except ParamError as exc:
            problems.append(Problem(path, _line_of(root, ("parameters", name, "default")), str(exc)))
    env = jinja2.Environment(autoescape=False)
    for field in ("problem", "follow_up"):
        try:
            env.parse(getattr(runbook.report, field))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(
                Problem(
                    path,
                    _line_of(root, ("report", field)),
                    f"report.{field}: {exc.message}",
                    "fix the Jinja2 syntax",
                )
            )
    problems.extend(_knowledge_page_problems(path.with_suffix(".md")))
    return problems


def check_runbook(path: Path, playbooks_dir: Path) -> tuple[Runbook | None, list[Problem]]:
    """Validate one runbook file; returns the runbook (None if the schema failed) and every problem."""
    name = path.stem
    if not NAME_RE.match(name):
        return None, [Problem(path, 1, f"runbook name {name!r} is not allowed", "rename to a-z, 0-9 and -")]
    try:
        root = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        return None, [Problem(path, line, f"YAML syntax: {exc.problem}", "fix the YAML syntax")]
    except OSError as exc:
        return None, [Problem(path, 1, f"cannot read: {exc.strerror}")]
    if not isinstance(root, CommentedMap):
        return None, [Problem(path, 1, "a runbook is a YAML mapping", "start with `title:`")]
    if "name" in root:
        return None, [Problem(path, _line_of(root, ("name",)), "`name` is the file name", "remove `name:`")]
    try:
        runbook = Runbook.model_validate({**_plain(root), "name": name})
    except ValidationError as exc:
        return None, _schema_problems(path, root, exc)
    return runbook, _cross_problems(path, root, runbook, playbooks_dir)


def runbook_files(runbooks_dir: Path) -> list[Path]:
    return sorted(runbooks_dir.glob("*.yml"))


def load_runbook(path: Path, playbooks_dir: Path) -> Runbook:
    runbook, problems = check_runbook(path, playbooks_dir)
    if problems or runbook is None:
        raise UsageError(
            f"runbook {path.stem} is invalid:\n" + "\n".join(f"  {p}" for p in problems),
            hint="fix the lines named above; `opsbook runbook list` checks every runbook",
        )
    return runbook


def runbook_path(name: str, runbooks_dir: Path) -> Path:
    """``runbooks/NAME.yml`` for a runbook *name*: never a path (no ``/``, ``..``, suffix …).

    Raises :class:`UsageError` (naming the known runbooks) for anything that is not a name or
    names no runbook; the file found is always directly inside ``runbooks_dir``.
    """
    known = ", ".join(p.stem for p in runbook_files(runbooks_dir)) or "none"
    if not NAME_RE.fullmatch(name):
        raise UsageError(
            f"{name!r} is not a runbook name: a name is lower-case letters, digits and '-' "
            f"(a file runbooks/NAME.yml), never a path",
            hint=f"known runbooks: {known}",
        )
    path = runbooks_dir / f"{name}.yml"
    if not path.is_file() or path.resolve().parent != runbooks_dir.resolve():
        raise UsageError(f"no runbook named {name!r} in {runbooks_dir}", hint=f"known runbooks: {known}")
    return path


def find_runbook(name: str, runbooks_dir: Path, playbooks_dir: Path) -> Runbook:
    return load_runbook(runbook_path(name, runbooks_dir), playbooks_dir)


def playbook_inside(playbooks_dir: Path, relative: str) -> Path | None:
    """``playbooks_dir / relative`` if it is a file inside ``playbooks_dir`` (symlinks resolved),
    else None: a runbook's ``playbook:`` never names a file outside ``playbooks/``."""
    if Path(relative).is_absolute():
        return None
    candidate = (playbooks_dir / relative).resolve()
    if not candidate.is_relative_to(playbooks_dir.resolve()) or not candidate.is_file():
        return None
    return candidate
