"""The files a run wrote, each with its sha256: what the history chain vouches for besides the record.

A manifest maps a path (relative to the state folder, POSIX) to the file's sha256. It covers
every regular file in the run's folders — record, service reports, ``result.json`` of the plan
and of the real run, the runner's artifacts, evidence bundles — so editing, removing or adding
any of them after the run was indexed shows in ``opsbook history verify``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

#: temporary files of an atomic write in progress (never part of a finished run)
_TEMPORARY = (".tmp", ".opsbook-tmp")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _key(path: Path, state_dir: Path) -> str:
    try:
        return path.resolve().relative_to(state_dir.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and not p.is_symlink() and not p.name.endswith(_TEMPORARY)
    )


def build_manifest(folders: Iterable[Path], state_dir: Path) -> dict[str, str]:
    """Every file under ``folders`` → its sha256, keyed relative to ``state_dir``."""
    return {_key(p, state_dir): sha256_file(p) for folder in folders for p in _files(folder)}


def file_keys(folders: Iterable[Path], state_dir: Path) -> list[str]:
    return sorted(_key(p, state_dir) for folder in folders for p in _files(folder))


def manifest_folders(manifest: Mapping[str, str]) -> list[str]:
    """The run folders a manifest covers (``runs/<id>`` for each file under ``runs/``)."""
    folders = set()
    for key in manifest:
        parts = key.split("/")
        if len(parts) >= 3 and parts[0] == "runs":
            folders.add("/".join(parts[:2]))
    return sorted(folders)


@dataclass(frozen=True)
class FileChange:
    path: str
    #: edited, removed or added
    change: str

    def __str__(self) -> str:
        if self.change == "removed":
            return f"file removed: {self.path} is missing"
        if self.change == "added":
            return f"file added after the run was indexed: {self.path}"
        return f"file edited: {self.path} differs from the indexed hash"


def compare(manifest: Mapping[str, str], state_dir: Path, *, skip: Iterable[str] = ()) -> list[FileChange]:
    """What differs between the indexed manifest and the files on disk now (``skip``: checked elsewhere)."""
    skipped = set(skip)
    changes: list[FileChange] = []
    for key, digest in sorted(manifest.items()):
        if key in skipped:
            continue
        path = Path(key) if key.startswith("/") else state_dir / key
        if not path.is_file():
            changes.append(FileChange(key, "removed"))
        elif sha256_file(path) != digest:
            changes.append(FileChange(key, "edited"))
    present = file_keys([state_dir / f for f in manifest_folders(manifest)], state_dir)
    changes.extend(FileChange(k, "added") for k in present if k not in manifest and k not in skipped)
    return changes
