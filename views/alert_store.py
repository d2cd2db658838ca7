"""The alert queue's store: one SQLite file next to the users and the audit log.

Alerts are typology findings an analyst triages.  They live outside Neo4j for
the same reason users do: the graph is cleared and reloaded, judgements must
survive that, and a triage change must not invalidate every cached
projection.  The id of an alert is derived from its content (kind, accounts,
transfers), so re-running the typologies on unchanged data finds the same ids
and the judgement stays; a finding that changed (one more transfer) is a new
alert.

Tables: ``alerts`` (one row per alert: content, status, assignee, first and
last seen), ``alert_events`` (append-only history: every status, assignee and
note change with who and when; SQL triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.errors import InvalidInput, NotFound

__all__ = ["STATUSES", "AlertStore", "alert_id"]

#: the states of an alert
STATUSES = ("new", "assigned", "escalated", "dismissed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    scale TEXT,
    accounts TEXT NOT NULL,
    transfers TEXT NOT NULL,
    amount REAL,
    start TEXT,
    "end" TEXT,
    reason TEXT,
    status TEXT NOT NULL DEFAULT 'new',
    assignee TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);
CREATE INDEX IF NOT EXISTS alerts_status ON alerts(status);
CREATE TABLE IF NOT EXISTS alert_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL,
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT,
    assignee TEXT,
    note TEXT
);
CREATE INDEX IF NOT EXISTS alert_events_alert ON alert_events(alert_id);
CREATE TRIGGER IF NOT EXISTS alert_events_no_update BEFORE UPDATE ON alert_events
BEGIN SELECT RAISE(ABORT, 'alert history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS alert_events_no_delete BEFORE DELETE ON alert_events
BEGIN SELECT RAISE(ABORT, 'alert history is append-only'); END;
"""


def alert_id(kind: str, accounts: Iterable[Any], transfers: Iterable[Any]) -> str:
    """Stable id of a finding: a digest of its kind, accounts and transfers (order-free).

    Examples
    --------
    >>> alert_id("cycle", ["X", "Y"], ["t2", "t1"]) == alert_id("cycle", ["Y", "X"], ["t1", "t2"])
    True
    >>> alert_id("cycle", ["X", "Y"], ["t1"]) != alert_id("cycle", ["X", "Y"], ["t1", "t2"])
    True
    >>> alert_id("cycle", ["X"], ["t1"])[:3]
    'AL-'
    """
    text = "\x1f".join([str(kind), "\x1e".join(sorted(str(a) for a in accounts)),
                        "\x1e".join(sorted(str(t) for t in transfers))])
    return "AL-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _row(r: sqlite3.Row) -> dict[str, Any]:
    d = dict(r)
    d["accounts"] = json.loads(d["accounts"])
    d["transfers"] = json.loads(d["transfers"])
    return d


class AlertStore:
    """Alerts and their history in one SQLite file (mode 0600, WAL)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        with self._conn() as c:
            c.executescript(_SCHEMA)
            c.execute("PRAGMA journal_mode=WAL")
        if new:
            os.chmod(self.path, 0o600)
        self._lock = threading.Lock()

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        c = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        c.row_factory = sqlite3.Row
        try:
            yield c
        finally:
            c.close()

    # ------------------------------------------------------------------ writes
    def upsert(self, findings: Sequence[dict[str, Any]], by: str) -> dict[str, int]:
        """Record findings as alerts: new ids are inserted with status ``new``; known ids
        keep their status, assignee and notes (only ``last_seen`` moves)."""
        now = _now()
        added = 0
        with self._lock, self._conn() as c:
            c.execute("BEGIN IMMEDIATE")
            try:
                for f in findings:
                    aid = alert_id(f["kind"], f["accounts"], f["transfers"])
                    cur = c.execute("UPDATE alerts SET last_seen = ? WHERE id = ?", (now, aid))
                    if cur.rowcount:
                        continue
                    c.execute(
                        'INSERT INTO alerts (id, kind, scale, accounts, transfers, amount, start, "end", reason, '
                        "status, first_seen, last_seen, updated_at, updated_by) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?)",
                        (aid, f["kind"], f.get("scale"), json.dumps([str(a) for a in f["accounts"]]),
                         json.dumps([str(t) for t in f["transfers"]]), f.get("amount"),
                         None if f.get("start") is None else str(f["start"]),
                         None if f.get("end") is None else str(f["end"]), f.get("reason"), now, now, now, by))
                    c.execute("INSERT INTO alert_events (alert_id, at, by, action, status) VALUES (?, ?, ?, ?, ?)",
                              (aid, now, by, "created", "new"))
                    added += 1
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return {"seen": len(findings), "added": added}

    def update(self, aid: str, by: str, *, status: str | None = None, assignee: str | None = None,
               note: str | None = None) -> dict[str, Any]:
        """Change the status and/or assignee and/or add a note; one history event."""
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
        if status is None and assignee is None and not note:
            raise InvalidInput("nothing to change: give a status, an assignee or a note")
        now = _now()
        with self._lock, self._conn() as c:
            c.execute("BEGIN IMMEDIATE")
            try:
                row = c.execute("SELECT status, assignee FROM alerts WHERE id = ?", (aid,)).fetchone()
                if row is None:
                    raise NotFound(f"no alert {aid}")
                new_status = status or row["status"]
                new_assignee = row["assignee"] if assignee is None else (assignee.strip() or None)
                if new_assignee and new_status == "new":
                    new_status = "assigned"  # an alert given to someone is assigned
                c.execute("UPDATE alerts SET status = ?, assignee = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                          (new_status, new_assignee, now, by, aid))
                action = "+".join(x for x, v in (("status", new_status != row["status"]),
                                                  ("assignee", new_assignee != row["assignee"]),
                                                  ("note", bool(note))) if v) or "unchanged"
                if action != "unchanged":
                    c.execute("INSERT INTO alert_events (alert_id, at, by, action, status, assignee, note) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)",
                              (aid, now, by, action, new_status, new_assignee, note or None))
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return self.get(aid)

    # ------------------------------------------------------------------- reads
    def get(self, aid: str) -> dict[str, Any]:
        with self._conn() as c:
            r = c.execute("SELECT * FROM alerts WHERE id = ?", (aid,)).fetchone()
            if r is None:
                raise NotFound(f"no alert {aid}")
            out = _row(r)
            out["events"] = [dict(e) for e in c.execute(
                "SELECT at, by, action, status, assignee, note FROM alert_events WHERE alert_id = ? ORDER BY seq",
                (aid,))]
        return out

    def many(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored rows of these ids (without history)."""
        ids = list(ids)
        out: dict[str, dict[str, Any]] = {}
        with self._conn() as c:
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                q = f"SELECT * FROM alerts WHERE id IN ({','.join('?' * len(chunk))})"  # noqa: S608 - placeholders
                out.update({r["id"]: _row(r) for r in c.execute(q, chunk)})
        return out
