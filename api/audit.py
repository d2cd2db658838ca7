"""Append-only, tamper-evident audit log that proves its own completeness.

Every read of personal data, every export, every ingest and every resolution
judgement is recorded with who, when, what and from where.  Entries live in
SQLite (``NETINTEL_HOME/audit.sqlite``) and form a hash chain::

    hash_n = SHA-256(hash_{n-1} ‖ canonical JSON of entry n)

so changing, inserting or deleting an entry in the middle breaks every later
hash.  SQLite triggers refuse ``UPDATE`` and ``DELETE`` through SQL.

Anchoring: a hash chain alone does not show a truncated tail, a deleted file or
a chain rewritten from scratch.  So every write is also *checkpointed*: in the
same write transaction, the line ``seq hash mac`` of its last entry is appended
to the anchor file (and fsynced), where ``mac = HMAC-SHA256(audit key, seq|hash)``;
through the chain that hash covers every earlier entry.  Writes are group
commits: concurrent threads' entries share one transaction, one fsync of the
log and one of the anchor, and each ``record`` returns only once its entry is
durable, so durability is per entry while the fsyncs are per batch.  Both the key
(``NETINTEL_AUDIT_KEY_FILE``) and the anchor (``NETINTEL_AUDIT_ANCHOR``) live
outside ``NETINTEL_HOME`` — by default beside it; in production in places the
service can only read (key) or only append to (anchor: ``chattr +a``, see
docs/security.md).  :func:`verify_audit` fails when

* the log is missing, or it has entries and no checkpoints;
* a checkpoint line is not signed with the key (forged or edited anchor);
* the chain is broken (an entry edited, inserted or removed in the middle);
* an entry differs from its checkpoint (the chain was rewritten);
* checkpointed entries are missing (truncated tail, deleted and recreated log);
* entries follow the last checkpoint (rows appended without the key).

:class:`UnauthenticatedAudit` bounds what requests without a login (failed
logins, refused forms) can add.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["AuditLog", "AuditEntry", "WRITE_BEHIND", "AuditVerification", "verify_audit", "GENESIS", "UnauthenticatedAudit",
           "default_key_file", "default_anchor"]

GENESIS = "0" * 64
log = logging.getLogger("netintel.audit")

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
    anchored: int = 0  # the last checkpointed entry

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _entry_hash(prev: str, seq: int, at: str, username: str, action: str, target: str, details: str,
                client: str) -> str:
    body = json.dumps([seq, at, username, action, target, details, client], ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


def _sibling(folder: Path, suffix: str) -> Path:
    f = Path(folder).expanduser().absolute()
    return f.with_name(f.name + suffix)


def default_key_file(audit_db: Path) -> Path:
    """``<NETINTEL_HOME>.audit-key``: beside the home folder, not inside it (= ``ApiSettings.audit_key_path``)."""
    return _sibling(Path(audit_db).parent, ".audit-key")


def default_anchor(audit_db: Path) -> Path:
    """``<NETINTEL_HOME>.audit-anchor`` (= ``ApiSettings.audit_anchor_path``)."""
    return _sibling(Path(audit_db).parent, ".audit-anchor")


def _load_key(path: Path) -> bytes:
    """The key in ``path``; a new random one (0600) when the file is missing."""
    from core.errors import ConfigError
    from core.files import open_private

    if not path.exists():
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            with open_private(tmp) as fh:
                fh.write(secrets.token_hex(32) + "\n")
            try:
                os.link(tmp, path)  # never replaces a key another process made meanwhile
            except FileExistsError:
                pass
        except OSError as exc:
            raise ConfigError(f"cannot create the audit key {path}: {exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the audit key {path}: {exc}") from exc
    if len(text) < 32:
        raise ConfigError(f"the audit key {path} is too short (32+ characters)")
    return text.encode("utf-8")


@dataclass(eq=False)
class _Pending:
    """An entry queued for the next group commit, and what became of it."""

    at: str
    username: str
    action: str
    target: str
    det: str
    client: str
    details: dict[str, Any]
    done: bool = False
    entry: AuditEntry | None = None
    error: BaseException | None = None


#: actions whose entries are written behind (:meth:`AuditLog.record_later`): aggregate reads, which
#: name no person; every read of personal data waits until its entry is durable
WRITE_BEHIND = frozenset({"read_aggregate"})


def _mac(key: bytes, seq: int, h: str) -> str:
    return hmac.new(key, f"netintel-audit|{seq}|{h}".encode(), hashlib.sha256).hexdigest()


class AuditLog:
    """The audit log in one SQLite file, checkpointed to an anchor file outside it.

    ``key_file`` and ``anchor`` default to :func:`default_key_file` / :func:`default_anchor` of ``path``;
    the key is created (0600) when missing.
    """

    def __init__(self, path: Path, key_file: Path | None = None, anchor: Path | None = None) -> None:
        from core.files import private_dir

        self.path = Path(path)
        self.key_file = Path(key_file) if key_file is not None else default_key_file(self.path)
        self.anchor = Path(anchor) if anchor is not None else default_anchor(self.path)
        for d in (self.path.parent, self.key_file.parent, self.anchor.parent):
            if not d.exists():
                private_dir(d)
        self._key = _load_key(self.key_file)
        new = not self.path.exists()
        with self._conn() as c:
            c.executescript(_SCHEMA)
            # write-ahead log: one fsync per entry (synchronous stays FULL: an entry is durable once
            # recorded) and readers never block the writer; its files get the database's mode
            c.execute("PRAGMA journal_mode=WAL")
        if new:
            os.chmod(self.path, 0o600)
        # group commit: the threads of one process queue their entries; whichever finds no write in
        # progress becomes the writer and commits everything queued in one transaction with one
        # checkpoint (its last entry's hash covers the earlier ones through the chain), while the
        # others wait until their entry is durable.  Other processes are kept out by BEGIN IMMEDIATE.
        self._write_lock = threading.Lock()  # held while a batch is written (and by adopt)
        self._queue_cv = threading.Condition()
        self._pending: list[_Pending] = []
        self._writing = False
        self._flusher: threading.Thread | None = None
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
        """Append one entry (atomically extends the chain, safe across threads and processes) and
        return once it is durable: committed with ``synchronous=FULL`` and checkpointed."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        det = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)
        mine = _Pending(at, username, action, str(target), det, client, details or {})
        with self._queue_cv:
            self._pending.append(mine)
            while not mine.done:
                if self._writing:
                    self._queue_cv.wait()
                else:
                    self._write_queued()
        if mine.error is not None:
            raise mine.error
        assert mine.entry is not None
        return mine.entry

    def record_later(self, username: str, action: str, target: str = "", details: dict[str, Any] | None = None,
                     client: str = "") -> None:
        """Queue one entry for the next group commit and return at once (write-behind).

        For :data:`WRITE_BEHIND` actions only (aggregate reads: no personal data), where the caller
        must not wait for an fsync: a background writer commits the queue within milliseconds;
        :meth:`flush` (called at shutdown and at exit) waits until it is empty.  A write that fails
        is logged; the entries of that batch are lost (the chain stays intact)."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        det = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)
        with self._queue_cv:
            self._pending.append(_Pending(at, username, action, str(target), det, client, details or {}))
            if self._flusher is None:
                self._flusher = threading.Thread(target=self._flush_forever, name="audit-writer", daemon=True)
                self._flusher.start()
                atexit.register(self.flush)
            self._queue_cv.notify_all()

    def _write_queued(self) -> list[_Pending]:
        """Write everything queued as one batch (called holding ``_queue_cv``, which is released
        while the batch is written, so others can queue meanwhile); returns the batch."""
        batch, self._pending, self._writing = self._pending, [], True
        self._queue_cv.release()
        try:
            self._write_batch(batch)
        finally:
            self._queue_cv.acquire()
            self._writing = False
            self._queue_cv.notify_all()
        return batch

    def _flush_forever(self) -> None:
        with self._queue_cv:
            while True:
                while not self._pending or self._writing:
                    self._queue_cv.wait()
                failed = [e for e in self._write_queued() if e.error is not None]
                if failed:
                    log.error("audit: %d queued entries not written: %s", len(failed), failed[0].error)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued entry is written (True), or ``timeout`` seconds (False)."""
        deadline = time.monotonic() + timeout
        with self._queue_cv:
            while self._pending or self._writing:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._queue_cv.wait(left)
        return True

    def _write_batch(self, batch: list[_Pending]) -> None:
        """One transaction for the batch, one checkpoint of its last entry; every waiter gets its
        entry, or the batch's error."""
        try:
            with self._write_lock:
                if self._writer is None:
                    self._writer = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                                   check_same_thread=False)
                    self._writer.execute("PRAGMA synchronous=FULL")
                c = self._writer
                c.execute("BEGIN IMMEDIATE")
                try:
                    last = c.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
                    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
                    rows, entries = [], []
                    for e in batch:
                        seq += 1
                        h = _entry_hash(prev, seq, e.at, e.username, e.action, e.target, e.det, e.client)
                        rows.append((seq, e.at, e.username, e.action, e.target, e.det, e.client, prev, h))
                        entries.append(AuditEntry(seq, e.at, e.username, e.action, e.target, e.details,
                                                  e.client, prev, h))
                        prev = h
                    c.executemany("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                    self._checkpoint(seq, prev)  # under the write lock: lines stay in order across processes
                    c.execute("COMMIT")
                except BaseException:
                    c.execute("ROLLBACK")
                    raise
        except BaseException as exc:  # noqa: BLE001 - handed to every waiter of the batch
            for e in batch:
                e.error, e.done = exc, True
            return
        for e, entry in zip(batch, entries, strict=True):
            e.entry, e.done = entry, True

    def _checkpoint(self, seq: int, h: str, kind: str = "") -> None:
        """Append the signed line ``seq hash mac`` to the anchor (and fsync it)."""
        from core.files import open_private

        line = f"{kind}{seq} {h} {_mac(self._key, seq, h)}\n"
        with open_private(self.anchor, "a") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def adopt(self) -> AuditVerification:
        """Checkpoint the current head of a log made before anchoring existed (``netintel audit
        anchor``); the chain is verified first and a broken one is refused."""
        v = self.verify(require_anchor=False)
        if not v.ok:
            return v
        if v.entries:
            with self._write_lock:
                self._checkpoint(v.entries, v.head, "adopt:")
        return self.verify()

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

    def _anchors(self) -> tuple[dict[int, str], str | None]:
        """The checkpoints ``seq → hash`` of the anchor file, or why it cannot be trusted."""
        out: dict[int, str] = {}
        if not self.anchor.exists():
            return out, None
        with self.anchor.open(encoding="utf-8", errors="replace") as fh:
            for i, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                if not line:
                    continue
                parts = line.removeprefix("adopt:").split(" ")
                if len(parts) != 3 or not parts[0].isdigit():
                    return out, f"anchor line {i} is malformed"
                seq, h, mac = int(parts[0]), parts[1], parts[2]
                if not hmac.compare_digest(mac, _mac(self._key, seq, h)):
                    return out, f"anchor line {i} is not signed with the audit key (forged or edited)"
                if out.get(seq, h) != h:
                    return out, f"anchor line {i} contradicts an earlier checkpoint of entry {seq}"
                out[seq] = h
        return out, None

    def verify(self, *, require_anchor: bool = True) -> AuditVerification:
        """Recompute the chain from the first entry and compare it with the signed checkpoints;
        report the first problem (see the module)."""
        if not self.path.exists():
            return AuditVerification(False, 0, GENESIS, None, f"the audit log {self.path} is missing")
        anchors, bad = self._anchors() if require_anchor else ({}, None)
        last = max(anchors, default=0)
        if bad:
            return AuditVerification(False, 0, GENESIS, None, bad, last)
        prev = GENESIS
        expected_seq = 1
        n = 0
        with self._conn() as c:
            for r in c.execute("SELECT seq, at, username, action, target, details, client, prev_hash, hash "
                               "FROM audit ORDER BY seq"):
                seq = r[0]
                if seq != expected_seq:
                    return AuditVerification(False, n, prev, expected_seq, f"entry {expected_seq} is missing", last)
                if r[7] != prev:
                    return AuditVerification(False, n, prev, seq, f"entry {seq} does not follow entry {seq - 1}",
                                             last)
                h = _entry_hash(prev, seq, r[1], r[2], r[3], r[4], r[5], r[6])
                if h != r[8]:
                    return AuditVerification(False, n, prev, seq, f"entry {seq} was altered", last)
                if seq in anchors and anchors[seq] != h:
                    return AuditVerification(False, n, prev, seq, f"entry {seq} differs from its signed "
                                             "checkpoint (the chain was rewritten)", last)
                prev = h
                expected_seq += 1
                n += 1
        if not require_anchor:
            return AuditVerification(True, n, prev, None, "", last)
        if n < last:
            return AuditVerification(False, n, prev, n + 1, f"entries {n + 1}–{last} are checkpointed but missing "
                                     "(the log was truncated, or deleted and recreated)", last)
        if n > last:
            return AuditVerification(False, n, prev, last + 1,
                                     f"entries {last + 1}–{n} have no signed checkpoint (appended without the "
                                     "key, or a log made before anchoring: `netintel audit anchor`)", last)
        return AuditVerification(True, n, prev, None, "", last)


def verify_audit(path: Path | str | None = None, key_file: Path | None = None,
                 anchor: Path | None = None) -> AuditVerification:
    """Verify the audit log (default: the configured ``NETINTEL_HOME/audit.sqlite``, key and anchor)
    against its signed checkpoints; a missing log, or a missing key, fails.

    ``netintel audit verify`` prints the result and exits non-zero when ``ok`` is False.
    """
    if path is None:
        from graph.settings import get_settings

        s = get_settings()
        path, key_file, anchor = s.home / "audit.sqlite", s.audit_key_file, s.audit_anchor
    p = Path(path)
    if not p.exists():
        return AuditVerification(False, 0, GENESIS, None, f"the audit log {p} is missing")
    kf = Path(key_file) if key_file is not None else default_key_file(p)
    if not kf.exists():
        return AuditVerification(False, 0, GENESIS, None, f"the audit key {kf} is missing")
    return AuditLog(p, kf, anchor).verify()


class UnauthenticatedAudit:
    """What requests without a login may add to the audit log: at most ``per_minute`` entries a
    minute, and a fifth of that per client address.  Beyond it entries are counted, not written; the
    first such entry of a later minute (or :meth:`flush`, at shutdown) writes one ``audit_suppressed``
    entry with the counts by action and the busiest clients."""

    def __init__(self, log: AuditLog, per_minute: int = 60) -> None:
        self.log, self.per_minute = log, per_minute
        self.per_client = max(1, per_minute // 5)
        self._lock = threading.Lock()
        self._minute = -1
        self._total = 0
        self._by_client: Counter[str] = Counter()
        self._suppressed: Counter[str] = Counter()
        self._suppressed_clients: Counter[str] = Counter()
        self.clock = time.monotonic  # seconds; the budget is per minute of this clock

    def _roll(self, minute: int) -> dict[str, Any] | None:
        summary = None
        if self._suppressed:
            summary = {"suppressed": sum(self._suppressed.values()), "by_action": dict(self._suppressed),
                       "clients": dict(self._suppressed_clients.most_common(10)), "per_minute": self.per_minute}
        self._minute, self._total = minute, 0
        self._by_client.clear()
        self._suppressed.clear()
        self._suppressed_clients.clear()
        return summary

    def record(self, username: str, action: str, target: str = "", details: dict[str, Any] | None = None,
               client: str = "") -> AuditEntry | None:
        """Record, or only count when over the limit (then None)."""
        minute = int(self.clock() // 60)
        with self._lock:
            summary = self._roll(minute) if minute != self._minute else None
            over = self._total >= self.per_minute or self._by_client[client] >= self.per_client
            if over:
                self._suppressed[action] += 1
                self._suppressed_clients[client] += 1
            else:
                self._total += 1
                self._by_client[client] += 1
        if summary is not None:
            self.log.record("", "audit_suppressed", "unauthenticated", summary, "")
        if over:
            return None
        return self.log.record(username[:64], action, target, details, client)

    def flush(self) -> None:
        """Write the pending ``audit_suppressed`` count now."""
        with self._lock:
            summary = self._roll(int(self.clock() // 60))
        if summary is not None:
            self.log.record("", "audit_suppressed", "unauthenticated", summary, "")
