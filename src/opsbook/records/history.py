"""The run history: an SQLite index of run records, chained by hashes so tampering shows.

Each row holds a record's SHA-256, a manifest with the SHA-256 of every other file the run
wrote (service reports, ``result.json`` files, the runner's artifacts, evidence bundles: see
:mod:`.manifest`) and a chain hash over (sequence, id, the indexed columns, the record hash,
the manifest, the previous row's chain hash). A head file next to the database holds the last
sequence number and chain hash. :func:`History.verify` recomputes everything and reports

- a record file that was edited (its hash differs) or removed (file missing),
- any other file of a run edited, removed or added after the run was indexed (named),
- an index row that was edited, removed or reordered (the chain breaks),
- the newest rows removed (the head file is ahead of the index),
- a record on disk that the index does not know (an unindexed record).

A database that is not SQLite, truncated or damaged is refused with :class:`HistoryDamaged`
(what happened and what to do), never a traceback. Rows indexed before manifests existed
(schema 1) have none and are chained as before.

It is tamper-evident, not tamper-proof: someone who can rewrite the files can rebuild the
chain; ship the head hash elsewhere (ticket, log) if that matters.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsbook.base.files import atomic_write
from opsbook.base.model import Serial
from opsbook.errors import OpsbookError
from opsbook.records.manifest import build_manifest, compare, sha256_file
from opsbook.records.model import RECORD_FILE, Record

__all__ = ["DB_FILE", "HEAD_FILE", "Entry", "History", "HistoryDamaged", "Issue", "chain_hash", "sha256_file"]

DB_FILE = "history.sqlite"
HEAD_FILE = "history.head"
LOCK_FILE = "history.lock"
GENESIS = "0" * 64
#: ``history show 3`` / ``#3``: a sequence number (run ids start with an 8-digit date)
_SEQ = re.compile(r"^#?(\d{1,7})$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    runbook TEXT NOT NULL,
    ticket TEXT,
    operator TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT NOT NULL,
    mode TEXT NOT NULL,
    outcome TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    targets TEXT NOT NULL,
    record_path TEXT NOT NULL,
    record_sha256 TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    files TEXT
)
"""
_COLUMNS = (
    "seq", "id", "runbook", "ticket", "operator", "started", "ended", "mode", "outcome", "exit_code",
    "targets", "record_path", "record_sha256", "prev_hash", "hash", "files",
)  # fmt: skip


class HistoryDamaged(OpsbookError):
    """The history database cannot be read as a history: not SQLite, truncated or damaged."""

    exit_code = 9  # ExitCode.HISTORY_BROKEN (opsbook.runbooks.exitcodes)


@dataclass(frozen=True)
class Entry(Serial):
    seq: int
    id: str
    runbook: str
    ticket: str | None
    operator: str
    started: str
    ended: str
    mode: str
    outcome: str
    exit_code: int
    targets: list[str]
    record_path: str
    record_sha256: str
    prev_hash: str
    hash: str
    #: every other file the run wrote → sha256 (None: indexed before manifests existed)
    files: dict[str, str] | None = field(default=None)


@dataclass(frozen=True)
class Issue:
    run_id: str
    problem: str

    def __str__(self) -> str:
        return f"{self.run_id}: {self.problem}"


def chain_hash(entry: Entry) -> str:
    fields: list[Any] = [
        entry.seq,
        entry.id,
        entry.runbook,
        entry.ticket,
        entry.operator,
        entry.started,
        entry.ended,
        entry.mode,
        entry.outcome,
        entry.exit_code,
        entry.targets,
        entry.record_path,
        entry.record_sha256,
        entry.prev_hash,
    ]
    if entry.files is not None:
        fields.append(sorted(entry.files.items()))
    payload = json.dumps(fields, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _entry(row: Sequence[object]) -> Entry:
    values = dict(zip(_COLUMNS, row, strict=True))
    files = values["files"]
    return Entry(
        seq=int(str(values["seq"])),
        id=str(values["id"]),
        runbook=str(values["runbook"]),
        ticket=None if values["ticket"] is None else str(values["ticket"]),
        operator=str(values["operator"]),
        started=str(values["started"]),
        ended=str(values["ended"]),
        mode=str(values["mode"]),
        outcome=str(values["outcome"]),
        exit_code=int(str(values["exit_code"])),
        targets=[str(t) for t in json.loads(str(values["targets"]))],
        record_path=str(values["record_path"]),
        record_sha256=str(values["record_sha256"]),
        prev_hash=str(values["prev_hash"]),
        hash=str(values["hash"]),
        files=None if files is None else {str(k): str(v) for k, v in json.loads(str(files)).items()},
    )


def _row(entry: Entry) -> tuple[object, ...]:
    values = dict(entry.__dict__)
    values["targets"] = json.dumps(entry.targets)
    values["files"] = None if entry.files is None else json.dumps(entry.files, sort_keys=True)
    return tuple(values[c] for c in _COLUMNS)


class History:
    """The index of one state folder (``.opsbook``): ``history.sqlite`` + ``history.head``."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.db_path = state_dir / DB_FILE
        self.head_path = state_dir / HEAD_FILE
        self.runs_dir = state_dir / "runs"

    @contextmanager
    def _lock(self, mode: int) -> Iterator[None]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with (self.state_dir / LOCK_FILE).open("a") as handle:
            fcntl.flock(handle, mode)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Held while a run writes its record and indexes it, so that verify never sees a record
        written but not yet indexed."""
        with self._lock(fcntl.LOCK_EX):
            yield

    def damaged(self, reason: object) -> HistoryDamaged:
        return HistoryDamaged(
            f"the history database {self.db_path} cannot be read: {reason}; it is not a history "
            "database, or it was truncated or damaged — nothing was read from it or written to it",
            hint=(
                f"keep it for investigation (mv {self.db_path} {self.db_path}.damaged), restore "
                f"{DB_FILE} and {HEAD_FILE} from your backup of {self.state_dir}, then run "
                f"`opsbook history verify`; the runs' records and reports are still in {self.runs_dir}"
            ),
        )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise self.damaged(exc) from None
        try:
            conn.execute(_SCHEMA)
            yield conn
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "readonly" in str(exc) or "unable to open" in str(exc):
                raise OpsbookError(
                    f"the history database {self.db_path} cannot be used now: {exc}",
                    hint=f"another opsbook may be writing (retry), or {self.state_dir} is not writable",
                ) from None
            raise self.damaged(exc) from None
        except sqlite3.DatabaseError as exc:
            raise self.damaged(exc) from None
        finally:
            conn.close()

    @staticmethod
    def _select(conn: sqlite3.Connection) -> str:
        """The column list to read: schema-1 indexes have no ``files`` column (no manifests)."""
        present = {str(row[1]) for row in conn.execute("PRAGMA table_info(runs)")}
        return ", ".join(c if c in present else f"NULL AS {c}" for c in _COLUMNS)

    def append(self, record: Record, record_path: Path, *, folders: Sequence[Path] = ()) -> Entry:
        """Index a written record at the end of the chain (serialised against concurrent runs),
        with the sha256 of every other file in ``folders`` (the run's folders)."""
        relative = str(record_path.resolve().relative_to(self.state_dir.resolve()))
        files = build_manifest(folders, self.state_dir)
        files.pop(relative, None)
        with self._connect() as conn:
            if "NULL AS files" in self._select(conn):  # a schema-1 index gains the manifest column
                conn.execute("ALTER TABLE runs ADD COLUMN files TEXT")
            conn.execute("BEGIN IMMEDIATE")
            try:
                last = conn.execute("SELECT seq, hash FROM runs ORDER BY seq DESC LIMIT 1").fetchone()
                seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
                draft = Entry(
                    seq=seq,
                    id=record.id,
                    runbook=record.runbook["name"],
                    ticket=record.ticket,
                    operator=record.operator,
                    started=record.started,
                    ended=record.ended,
                    mode=record.mode,
                    outcome=record.outcome,
                    exit_code=record.exit_code,
                    targets=list(record.targets),
                    record_path=relative,
                    record_sha256=sha256_file(record_path),
                    prev_hash=prev,
                    hash="",
                    files=files,
                )
                entry = Entry(**{**draft.__dict__, "hash": chain_hash(draft)})
                placeholders = ", ".join("?" * len(_COLUMNS))
                conn.execute(f"INSERT INTO runs ({', '.join(_COLUMNS)}) VALUES ({placeholders})", _row(entry))
                atomic_write(self.head_path, f"{entry.seq} {entry.hash}\n")
                conn.execute("COMMIT")
            except sqlite3.IntegrityError:
                conn.execute("ROLLBACK")
                raise OpsbookError(f"run {record.id} is already in the history") from None
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return entry

    def entries(self) -> list[Entry]:
        if not self.db_path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {self._select(conn)} FROM runs ORDER BY seq").fetchall()
        try:
            return [_entry(tuple(row)) for row in rows]
        except (ValueError, TypeError, AttributeError) as exc:
            raise self.damaged(f"an index row is unreadable ({exc})") from None

    def get(self, ref: str) -> Entry:
        """A run by id, unique id prefix, ``#N`` / ``N`` (the ``#`` of ``history list``) or ``last``."""
        entries = self.entries()
        ref = ref.strip()
        if ref.lower() == "last":
            if not entries:
                raise OpsbookError(
                    "the history is empty: no run yet", hint="`opsbook runbook run NAME` records one"
                )
            return entries[-1]
        seq = _SEQ.match(ref)
        if seq:
            found = [e for e in entries if e.seq == int(seq.group(1))]
            if found:
                return found[0]
            raise OpsbookError(
                f"no run #{seq.group(1)} in the history",
                hint="`opsbook history list` shows the # of each run",
            )
        matches = [e for e in entries if e.id == ref or e.id.startswith(ref)]
        exact = [e for e in matches if e.id == ref]
        if exact:
            return exact[0]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise OpsbookError(
                f"no run {ref!r} in the history",
                hint="give a run id, its # from `opsbook history list` (#3 or 3), or `last`",
            )
        raise OpsbookError(
            f"{ref!r} matches {len(matches)} runs",
            hint="give more of the id, or its # (see `opsbook history list`)",
        )

    def record_path(self, entry: Entry) -> Path:
        return self.state_dir / entry.record_path

    def verify(self) -> list[Issue]:
        """Every inconsistency between the chain, the head file and the run's files."""
        with self._lock(fcntl.LOCK_SH):
            self._integrity()
            return self._verify()

    def check(self) -> None:
        """Raise :class:`HistoryDamaged` unless the database can be read and written as a history.

        For a change flow to call before any host is touched (a quick check: milliseconds)."""
        self._integrity("quick_check")

    def _integrity(self, pragma: str = "integrity_check") -> None:
        if not self.db_path.exists():
            return
        with self._connect() as conn:
            problems = [str(row[0]) for row in conn.execute(f"PRAGMA {pragma}").fetchall()]
            conn.execute(f"SELECT {self._select(conn)} FROM runs LIMIT 1").fetchall()
        if problems != ["ok"]:
            raise self.damaged("SQLite's integrity check failed: " + "; ".join(problems[:3]))

    def _verify(self) -> list[Issue]:
        issues: list[Issue] = []
        entries = self.entries()
        prev = GENESIS
        expected_seq = 1
        for entry in entries:
            if entry.seq != expected_seq:
                issues.append(
                    Issue(entry.id, f"index rows before #{entry.seq} were removed (expected #{expected_seq})")
                )
            if entry.prev_hash != prev:
                issues.append(Issue(entry.id, "chain broken: the previous index row was removed or edited"))
            if chain_hash(entry) != entry.hash:
                issues.append(Issue(entry.id, "index row edited: its chain hash does not match its contents"))
            path = self.record_path(entry)
            if not path.is_file():
                issues.append(Issue(entry.id, f"record removed: {entry.record_path} is missing"))
            elif sha256_file(path) != entry.record_sha256:
                issues.append(
                    Issue(entry.id, f"record edited: {entry.record_path} differs from the indexed hash")
                )
            if entry.files is not None:
                changes = compare(entry.files, self.state_dir, skip=[entry.record_path])
                issues.extend(Issue(entry.id, str(change)) for change in changes)
            prev = entry.hash
            expected_seq = entry.seq + 1
        issues.extend(self._head_issues(entries))
        known = {e.record_path for e in entries}
        if self.runs_dir.is_dir():
            for record in sorted(self.runs_dir.glob(f"*/{RECORD_FILE}")):
                relative = str(record.relative_to(self.state_dir))
                if relative not in known:
                    issues.append(Issue(record.parent.name, f"record not in the history index: {relative}"))
        return issues

    def _head_issues(self, entries: list[Entry]) -> list[Issue]:
        if not self.head_path.exists():
            return [Issue("(head)", f"{HEAD_FILE} is missing but the index has runs")] if entries else []
        try:
            seq_text, digest = self.head_path.read_text(encoding="utf-8").split()
            head_seq = int(seq_text)
        except (ValueError, UnicodeDecodeError):
            return [Issue("(head)", f"{HEAD_FILE} is not '<seq> <hash>'")]
        last = entries[-1] if entries else None
        if last is None or head_seq > last.seq:
            shown = last.seq if last else 0
            return [
                Issue("(head)", f"the newest runs were removed: head is #{head_seq}, index ends at #{shown}")
            ]
        if head_seq != last.seq or digest != last.hash:
            return [Issue("(head)", "head does not match the newest index row (rows edited or replaced)")]
        return []
