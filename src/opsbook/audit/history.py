"""Every audit is kept: ``.opsbook/audits/<id>/audit.json`` (+ its reports) and an SQLite index.

The index (``.opsbook/audits/index.sqlite``) holds one row per audit, per audited host and per
finding, so "since when does this drift exist" and "what changed between two audits" need no
JSON parsing. The audit files are the truth; :meth:`AuditStore.reindex` rebuilds the index
from them. Pure parts: :func:`since_map`, :func:`diff_audits`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import computed_field

from opsbook.audit.model import Audit, Finding, FindingKind, HostStatus
from opsbook.base.files import atomic_write
from opsbook.base.model import Serial
from opsbook.errors import OpsbookError, UsageError

AUDIT_FILE = "audit.json"
INDEX_FILE = "index.sqlite"

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS audits (
        id TEXT PRIMARY KEY, started TEXT NOT NULL, ended TEXT NOT NULL, scopes TEXT NOT NULL,
        lim TEXT, exit_code INTEGER NOT NULL, counts TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS hosts (
        audit_id TEXT NOT NULL, host TEXT NOT NULL, status TEXT NOT NULL, customer TEXT NOT NULL,
        PRIMARY KEY (audit_id, host))""",
    """CREATE TABLE IF NOT EXISTS findings (
        audit_id TEXT NOT NULL, host TEXT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL,
        task TEXT NOT NULL, resource TEXT NOT NULL, item TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS findings_host ON findings (host, key)",
)

#: a host in these states says nothing about whether a finding was still there
_NO_EVIDENCE = frozenset({HostStatus.UNREACHABLE.value, HostStatus.FAILED.value})


@dataclass(frozen=True)
class AuditEntry:
    id: str
    started: str
    ended: str
    scopes: list[str]
    limit: str | None
    exit_code: int
    counts: dict[str, int]


@dataclass(frozen=True)
class PastAudit:
    """What the since-computation needs of an older audit: per host, its status and finding keys."""

    started: str
    hosts: Mapping[str, tuple[str, frozenset[str]]]


def since_map(audit: Audit, past: Sequence[PastAudit]) -> dict[tuple[str, str], str]:
    """For each (host, finding key) of ``audit``: the start of the first audit in the unbroken run
    of audits (newest first in ``past``) that saw it. An audit that did not check the host, or
    found it unreachable or failed, neither breaks nor extends the run."""
    out: dict[tuple[str, str], str] = {}
    for host in audit.hosts:
        for finding in host.findings:
            since = audit.started
            for older in past:
                entry = older.hosts.get(host.host)
                if entry is None or entry[0] in _NO_EVIDENCE:
                    continue
                if finding.key not in entry[1]:
                    break
                since = older.started
            out[(host.host, finding.key)] = since
    return out


def apply_since(audit: Audit, since: Mapping[tuple[str, str], str]) -> None:
    for host in audit.hosts:
        for finding in host.findings:
            finding.since = since.get((host.host, finding.key), audit.started)


@dataclass
class HostDiff(Serial):
    host: str
    before: str
    after: str
    new: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    persisting: list[Finding] = field(default_factory=list)


@dataclass
class AuditDiff(Serial):
    older: str
    newer: str
    hosts: list[HostDiff]
    #: hosts only one of the two audits checked
    only_older: list[str]
    only_newer: list[str]

    def count(self, what: str) -> int:
        return sum(len(getattr(h, what)) for h in self.hosts)

    @computed_field  # type: ignore[prop-decorator]  # in the JSON for its readers
    @property
    def counts(self) -> dict[str, int]:
        return {k: self.count(k) for k in ("new", "resolved", "persisting")}


def diff_audits(
    older: Audit, newer: Audit, *, kinds: Sequence[FindingKind] = tuple(FindingKind)
) -> AuditDiff:
    """New, resolved and persisting findings (drift by default and everything else too) per host
    that both audits checked. A finding is "resolved" only when the newer audit checked the host."""
    wanted = set(kinds)
    old_hosts = {h.host: h for h in older.hosts}
    new_hosts = {h.host: h for h in newer.hosts}
    diffs: list[HostDiff] = []
    for name in sorted(set(old_hosts) & set(new_hosts)):
        before, after = old_hosts[name], new_hosts[name]
        old_f = {f.key: f for f in before.findings if f.kind in wanted}
        new_f = {f.key: f for f in after.findings if f.kind in wanted}
        checked = after.status.value not in _NO_EVIDENCE
        d = HostDiff(name, before.status.value, after.status.value)
        d.new = [f for k, f in new_f.items() if k not in old_f]
        d.persisting = [f for k, f in new_f.items() if k in old_f]
        d.resolved = [f for k, f in old_f.items() if k not in new_f] if checked else []
        if d.new or d.resolved or d.persisting or d.before != d.after:
            diffs.append(d)
    return AuditDiff(
        older=older.id,
        newer=newer.id,
        hosts=diffs,
        only_older=sorted(set(old_hosts) - set(new_hosts)),
        only_newer=sorted(set(new_hosts) - set(old_hosts)),
    )


class AuditStore:
    """``<state>/audits/``: one folder per audit and the index."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.index = root / INDEX_FILE

    def folder(self, audit_id: str) -> Path:
        return self.root / audit_id

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.root.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.index, timeout=30, isolation_level=None)
        try:
            for statement in _SCHEMA:
                conn.execute(statement)
            yield conn
        finally:
            conn.close()

    def save(self, audit: Audit) -> Path:
        """Write ``audit.json`` and index it (replacing an earlier index entry of the same id)."""
        folder = self.folder(audit.id)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / AUDIT_FILE
        atomic_write(path, json.dumps(audit.to_dict(), indent=2, ensure_ascii=False) + "\n")
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._index(conn, audit)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return path

    def _index(self, conn: sqlite3.Connection, audit: Audit) -> None:
        for table, column in (("audits", "id"), ("hosts", "audit_id"), ("findings", "audit_id")):
            conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (audit.id,))
        conn.execute(
            "INSERT INTO audits VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                audit.id,
                audit.started,
                audit.ended,
                json.dumps(audit.scopes),
                audit.limit,
                audit.exit_code,
                json.dumps(audit.counts()),
            ),
        )
        conn.executemany(
            "INSERT INTO hosts VALUES (?, ?, ?, ?)",
            [(audit.id, h.host, h.status.value, h.customer) for h in audit.hosts],
        )
        conn.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (audit.id, h.host, f.key, f.kind.value, f.task, f.resource, f.item)
                for h in audit.hosts
                for f in h.findings
            ],
        )

    def reindex(self) -> int:
        """Rebuild the index from the audit folders; returns how many audits it holds."""
        audits = [self._read(p) for p in sorted(self.root.glob(f"*/{AUDIT_FILE}"))]
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            for table in ("audits", "hosts", "findings"):
                conn.execute(f"DELETE FROM {table}")
            for audit in audits:
                self._index(conn, audit)
            conn.execute("COMMIT")
        return len(audits)

    def entries(self) -> list[AuditEntry]:
        """Every indexed audit, oldest first."""
        if not self.index.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, started, ended, scopes, lim, exit_code, counts FROM audits ORDER BY started, id"
            ).fetchall()
        return [
            AuditEntry(
                id=str(r[0]),
                started=str(r[1]),
                ended=str(r[2]),
                scopes=list(json.loads(str(r[3]))),
                limit=None if r[4] is None else str(r[4]),
                exit_code=int(r[5]),
                counts=dict(json.loads(str(r[6]))),
            )
            for r in rows
        ]

    def resolve(self, ref: str) -> str:
        """An audit id from a full id or a unique prefix."""
        ids = [e.id for e in self.entries()]
        if ref in ids:
            return ref
        matches = [i for i in ids if i.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UsageError(f"no audit {ref!r} in {self.root}", hint="`opsbook audit list` shows the audits")
        raise UsageError(f"{ref!r} matches {len(matches)} audits", hint="give more of the id")

    def _read(self, path: Path) -> Audit:
        try:
            return Audit.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise OpsbookError(f"{path} is missing", hint="`opsbook audit list` shows the audits") from None
        except (ValueError, KeyError) as exc:
            raise OpsbookError(f"{path} is not a valid audit: {exc}") from None

    def load(self, ref: str) -> Audit:
        return self._read(self.folder(self.resolve(ref)) / AUDIT_FILE)

    def past_for(self, audit: Audit, hosts: Sequence[str], *, limit: int = 400) -> list[PastAudit]:
        """Older audits (newest first) that checked any of ``hosts``: statuses and finding keys."""
        if not self.index.exists() or not hosts:
            return []
        marks = ", ".join("?" * len(hosts))
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT a.id, a.started, h.host, h.status FROM audits a JOIN hosts h ON h.audit_id = a.id "
                f"WHERE a.id != ? AND a.started <= ? AND h.host IN ({marks}) "
                "ORDER BY a.started DESC, a.id DESC",
                (audit.id, audit.started, *hosts),
            ).fetchall()
            ids: list[str] = []
            started: dict[str, str] = {}
            statuses: dict[str, dict[str, str]] = {}
            for audit_id, when, host, status in rows:
                if audit_id not in statuses:
                    if len(ids) >= limit:
                        break
                    ids.append(str(audit_id))
                    started[str(audit_id)] = str(when)
                    statuses[str(audit_id)] = {}
                statuses[str(audit_id)][str(host)] = str(status)
            keys: dict[tuple[str, str], set[str]] = {}
            if ids:
                id_marks = ", ".join("?" * len(ids))
                for audit_id, host, key in conn.execute(
                    "SELECT audit_id, host, key FROM findings "
                    f"WHERE audit_id IN ({id_marks}) AND host IN ({marks})",
                    (*ids, *hosts),
                ):
                    keys.setdefault((str(audit_id), str(host)), set()).add(str(key))
        return [
            PastAudit(
                started=started[i],
                hosts={h: (s, frozenset(keys.get((i, h), set()))) for h, s in statuses[i].items()},
            )
            for i in ids
        ]

    def fill_since(self, audit: Audit) -> None:
        """Set each finding's ``since`` from the history (before the audit itself is saved)."""
        apply_since(audit, since_map(audit, self.past_for(audit, [h.host for h in audit.hosts])))
