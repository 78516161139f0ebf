"""The run history: an SQLite index of run records, chained by hashes so tampering shows.

Each row holds a record's SHA-256 and a chain hash over (sequence, id, the indexed columns,
the record hash, the previous row's chain hash). A head file next to the database holds the
last sequence number and chain hash. :func:`verify` recomputes everything and reports

- a record file that was edited (its hash differs) or removed (file missing),
- an index row that was edited, removed or reordered (the chain breaks),
- the newest rows removed (the head file is ahead of the index),
- a record on disk that the index does not know (an unindexed record).

It is tamper-evident, not tamper-proof: someone who can rewrite the files can rebuild the
chain; ship the head hash elsewhere (ticket, log) if that matters.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from opsbook.errors import OpsbookError
from opsbook.runbooks.records import RECORD_FILE, Record, atomic_write

DB_FILE = "history.sqlite"
HEAD_FILE = "history.head"
LOCK_FILE = "history.lock"
GENESIS = "0" * 64

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
    hash TEXT NOT NULL
)
"""
_COLUMNS = (
    "seq, id, runbook, ticket, operator, started, ended, mode, outcome, exit_code, targets, "
    "record_path, record_sha256, prev_hash, hash"
)


@dataclass(frozen=True)
class Entry:
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


@dataclass(frozen=True)
class Issue:
    run_id: str
    problem: str

    def __str__(self) -> str:
        return f"{self.run_id}: {self.problem}"


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def chain_hash(entry: Entry) -> str:
    payload = json.dumps(
        [
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
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _entry(row: tuple[object, ...]) -> Entry:
    (seq, run_id, runbook, ticket, operator, started, ended, mode, outcome, exit_code, targets,
     record_path, record_sha, prev, digest) = row  # fmt: skip
    return Entry(
        seq=int(str(seq)),
        id=str(run_id),
        runbook=str(runbook),
        ticket=None if ticket is None else str(ticket),
        operator=str(operator),
        started=str(started),
        ended=str(ended),
        mode=str(mode),
        outcome=str(outcome),
        exit_code=int(str(exit_code)),
        targets=list(json.loads(str(targets))),
        record_path=str(record_path),
        record_sha256=str(record_sha),
        prev_hash=str(prev),
        hash=str(digest),
    )


def _row(entry: Entry) -> tuple[object, ...]:
    values = dict(entry.__dict__)
    values["targets"] = json.dumps(entry.targets)
    return tuple(values[c.strip()] for c in _COLUMNS.split(","))


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

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        try:
            conn.execute(_SCHEMA)
            yield conn
        finally:
            conn.close()

    def append(self, record: Record, record_path: Path) -> Entry:
        """Index a written record at the end of the chain (serialised against concurrent runs)."""
        relative = str(record_path.resolve().relative_to(self.state_dir.resolve()))
        with self._connect() as conn:
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
                )
                entry = Entry(**{**draft.__dict__, "hash": chain_hash(draft)})
                conn.execute(f"INSERT INTO runs ({_COLUMNS}) VALUES ({', '.join('?' * 15)})", _row(entry))
                atomic_write(self.head_path, f"{entry.seq} {entry.hash}\n")
                conn.execute("COMMIT")
            except sqlite3.IntegrityError:
                conn.execute("ROLLBACK")
                raise OpsbookError(f"run {record.id} is already in the history") from None
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return entry

    def entries(self) -> list[Entry]:
        if not self.db_path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM runs ORDER BY seq").fetchall()
        return [_entry(tuple(row)) for row in rows]

    def get(self, run_id: str) -> Entry:
        matches = [e for e in self.entries() if e.id == run_id or e.id.startswith(run_id)]
        exact = [e for e in matches if e.id == run_id]
        if exact:
            return exact[0]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise OpsbookError(
                f"no run {run_id!r} in the history", hint="`opsbook history list` shows the runs"
            )
        raise OpsbookError(
            f"{run_id!r} matches {len(matches)} runs", hint="give more of the id (see `opsbook history list`)"
        )

    def record_path(self, entry: Entry) -> Path:
        return self.state_dir / entry.record_path

    def verify(self) -> list[Issue]:
        """Every inconsistency between the chain, the head file and the record files."""
        with self._lock(fcntl.LOCK_SH):
            return self._verify()

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
        except ValueError:
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
