"""Injected faults, one JSON file per device: ``<state_dir>/devices/<name>/faults.json``.

The server reads the file (when it changed) before every command, so a test sets a fault
with :func:`set_faults` and it applies to the very next command of any session::

    {
      "drop_after_commands": 3,          # close the connection instead of answering the 4th
                                         #   non-empty line of a session (clients' own setup
                                         #   commands count: netmiko sends 2, network_cli more)
      "drop_on_command": "^interface",   # close the connection when a line matches (not run)
      "reject_command": "^snmp-server",  # refuse a matching line as command authorization
                                         #   does (IOS "Command authorization failed.",
                                         #   VRP "Error: Failed to pass the authorization.")
      "latency_ms": 500,                 # wait before every answer
      "times": 1,                        # drop/reject fire at most this often (per file version)
      "links_down": ["Gi1/0/3"],         # these interfaces lose their link (cable pulled)
      "refuse_login": true               # every login fails
    }

Regular expressions are Python ``re`` searches on the line as typed.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from opsbook.base.files import atomic_write
from opsbook.errors import OpsbookError
from opsbook.lab.devices.store import device_dir


@dataclass(frozen=True)
class Faults:
    drop_after_commands: int | None = None
    drop_on_command: str | None = None
    reject_command: str | None = None
    latency_ms: int = 0
    times: int | None = None
    links_down: tuple[str, ...] = ()
    refuse_login: bool = False

    def __post_init__(self) -> None:
        for name in ("drop_on_command", "reject_command"):
            pattern = getattr(self, name)
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise OpsbookError(f"fault {name}: bad regular expression {pattern!r}: {exc}") from exc
        if self.latency_ms < 0:
            raise OpsbookError("fault latency_ms must not be negative")
        if self.drop_after_commands is not None and self.drop_after_commands < 0:
            raise OpsbookError("fault drop_after_commands must not be negative")

    @property
    def empty(self) -> bool:
        return self == Faults()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["links_down"] = list(self.links_down)
        return {
            k: v
            for k, v in data.items()
            if v is not None and v is not False and v != [] and not (k == "latency_ms" and v == 0)
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "faults") -> Faults:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise OpsbookError(
                f"{source}: unknown fault(s): {', '.join(unknown)}", hint=f"known: {', '.join(sorted(known))}"
            )
        values = dict(data)
        if "links_down" in values:
            values["links_down"] = tuple(values["links_down"])
        try:
            return cls(**values)
        except TypeError as exc:
            raise OpsbookError(f"{source}: {exc}") from exc


def faults_path(state_dir: Path, name: str) -> Path:
    return device_dir(state_dir, name) / "faults.json"


def read_faults(path: Path) -> Faults:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Faults()
    except json.JSONDecodeError as exc:
        raise OpsbookError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise OpsbookError(f"{path}: expected a JSON object of faults")
    return Faults.from_dict(data, str(path))


def set_faults(state_dir: Path, name: str, faults: Faults | None = None, **changes: Any) -> Faults:
    """Write the device's faults (``faults`` as given, or the current ones with ``changes``)."""
    path = faults_path(state_dir, name)
    if not path.parent.is_dir():
        raise OpsbookError(f"no lab device {name!r} under {state_dir}")
    base = faults if faults is not None else read_faults(path)
    if "links_down" in changes:
        changes["links_down"] = tuple(changes["links_down"])
    new = replace(base, **changes) if changes else base
    atomic_write(path, json.dumps(new.to_dict(), indent=2) + "\n", mode=0o644)
    return new


def clear_faults(state_dir: Path, name: str | None = None) -> None:
    """Remove the faults of one device, or of every device under ``state_dir``."""
    root = Path(state_dir) / "devices"
    names = [name] if name else [p.name for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
    for each in names:
        faults_path(state_dir, each).unlink(missing_ok=True)


def matches(pattern: str | None, line: str) -> bool:
    return pattern is not None and re.search(pattern, line) is not None
