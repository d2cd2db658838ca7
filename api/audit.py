"""Append-only, tamper-evident audit log.

Every read of personal data, every export, every ingest and every resolution
judgement is recorded with who, when, what and from where.  Entries live in
SQLite (``NETINTEL_HOME/audit.sqlite``) and form a hash chain::

    hash_n = SHA-256(hash_{n-1} ‖ canonical JSON of entry n)

so changing, inserting or deleting an entry in the middle breaks every later
hash, which :func:`verify_audit` detects.  SQLite triggers refuse ``UPDATE``
and ``DELETE`` through SQL; an attacker with write access to the file can
still truncate the tail or rewrite the whole chain, which is why
:func:`verify_audit` also returns the head hash: record it elsewhere (e.g. in
a daily report) to anchor the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["AuditLog", "AuditEntry", "AuditVerification", "verify_audit", "GENESIS"]

GENESIS = "0" * 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT NOT NULL,
    client TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    username: str
    action: str
    target: str
    details: dict[str, Any]
    client: str
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    entries: int
    head: str
    first_bad_seq: int | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _entry_hash(prev: str, seq: int, at: str, username: str, action: str, target: str, details: str,
                client: str) -> str:
    body = json.dumps([seq, at, username, action, target, details, client], ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


class AuditLog:
    """The audit log in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        with self._conn() as c:
            c.executescript(_SCHEMA)
            # write-ahead log: one fsync per entry (synchronous stays FULL: an entry is durable once
            # recorded) and readers never block the writer; its files get the database's mode
            c.execute("PRAGMA journal_mode=WAL")
        if new:
            os.chmod(self.path, 0o600)
        # the threads of one process take turns here, instead of in SQLite's busy-wait back-off
        # (which sleeps up to 100 ms a try); other processes are still kept out by BEGIN IMMEDIATE
        self._write_lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        c = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            yield c
        finally:
            c.close()

    def record(self, username: str, action: str, target: str = "", details: dict[str, Any] | None = None,
               client: str = "") -> AuditEntry:
        """Append one entry (atomically extends the chain, safe across threads and processes)."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        det = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)
        with self._write_lock:
            if self._writer is None:
                self._writer = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                               check_same_thread=False)
                self._writer.execute("PRAGMA synchronous=FULL")
            c = self._writer
            c.execute("BEGIN IMMEDIATE")
            try:
                last = c.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
                seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
                h = _entry_hash(prev, seq, at, username, action, str(target), det, client)
                c.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          (seq, at, username, action, str(target), det, client, prev, h))
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return AuditEntry(seq, at, username, action, str(target), details or {}, client, prev, h)

    def entries(self, *, limit: int = 100, offset: int = 0, username: str | None = None,
                action: str | None = None) -> list[AuditEntry]:
        """Newest first."""
        q = "SELECT * FROM audit WHERE (? IS NULL OR username = ?) AND (? IS NULL OR action = ?) " \
            "ORDER BY seq DESC LIMIT ? OFFSET ?"
        with self._conn() as c:
            rows = c.execute(q, (username, username, action, action, limit, offset)).fetchall()
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7], r[8]) for r in rows]

    def count(self) -> int:
        with self._conn() as c:
            return int(c.execute("SELECT count(*) FROM audit").fetchone()[0])

    def verify(self) -> AuditVerification:
        """Recompute the chain from the first entry; report the first broken link."""
        prev = GENESIS
        expected_seq = 1
        n = 0
        with self._conn() as c:
            for r in c.execute("SELECT seq, at, username, action, target, details, client, prev_hash, hash "
                               "FROM audit ORDER BY seq"):
                seq = r[0]
                if seq != expected_seq:
                    return AuditVerification(False, n, prev, expected_seq, f"entry {expected_seq} is missing")
                if r[7] != prev:
                    return AuditVerification(False, n, prev, seq, f"entry {seq} does not follow entry {seq - 1}")
                h = _entry_hash(prev, seq, r[1], r[2], r[3], r[4], r[5], r[6])
                if h != r[8]:
                    return AuditVerification(False, n, prev, seq, f"entry {seq} was altered")
                prev = h
                expected_seq += 1
                n += 1
        return AuditVerification(True, n, prev)


def verify_audit(path: Path | str | None = None) -> AuditVerification:
    """Verify the audit chain (default: the configured ``NETINTEL_HOME/audit.sqlite``).

    ``netintel audit verify`` prints the result and exits non-zero when ``ok`` is False.
    """
    if path is None:
        from graph.settings import get_settings

        path = get_settings().home / "audit.sqlite"
    p = Path(path)
    if not p.exists():
        return AuditVerification(True, 0, GENESIS, None, "no audit log yet")
    return AuditLog(p).verify()
