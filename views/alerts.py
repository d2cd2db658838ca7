"""Alert triage: every typology finding becomes an alert an analyst can assign,
escalate or dismiss, with notes and a history.

An alert's id is derived from its content (:func:`views.alert_store.alert_id`:
kind, accounts, transfers), so re-running the typologies on unchanged data
finds the same alerts and their judgements stay.  Alerts are stored in
``NETINTEL_HOME/alerts.sqlite`` (:class:`views.alert_store.AlertStore`); what a
scope sees is decided as everywhere else: an alert is shown only when every
one of its transfers is visible to the scope (a hidden alert answers like a
missing one).  Every change is written to the audit log.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import InvalidInput, NotFound
from graph.scope import Scope

from .alert_store import STATUSES, AlertStore, alert_id
from .models import AlertDetail, AlertEvent, AlertRow, AlertRun, Table

__all__ = ["store_at", "queue", "alert", "change", "run", "statuses", "STATUSES"]


@lru_cache(maxsize=16)
def store_at(home: Path) -> AlertStore:
    """The alert store of a netintel home folder (one per process and folder)."""
    return AlertStore(Path(home) / "alerts.sqlite")


def _records(f: pd.DataFrame) -> list[dict[str, Any]]:
    from ._common import records

    return records(f) if len(f) else []


def _sync(scope: Scope, store: AlertStore, *, fresh: bool) -> tuple[list[str], dict[str, int]]:
    """Findings of the scope → alert ids (inserting the alerts not stored yet)."""
    from .money import findings

    f = findings(scope, fresh=fresh)
    recs = _records(f)
    ids = [alert_id(r["kind"], r["accounts"], r["transfers"]) for r in recs]
    if fresh:
        summary = store.upsert(recs, by=scope.user)
    else:
        known = store.many(ids)
        missing = [r for r, i in zip(recs, ids, strict=True) if i not in known]
        summary = store.upsert(missing, by=scope.user) if missing else {"seen": len(recs), "added": 0}
        summary["seen"] = len(recs)
    return list(dict.fromkeys(ids)), summary


def _visible(scope: Scope, row: dict[str, Any]) -> bool:
    from .money import transfers

    seen = set(transfers(scope)["txn_id"].astype(str))
    return all(str(t) in seen for t in row["transfers"])


def queue(scope: Scope, store: AlertStore, *, status: str | None = None, account: str | None = None,
          kind: str | None = None) -> Table[AlertRow]:
    """The alerts of the current findings the scope may see, newest judgement first."""
    scope.require("analyst")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
    ids, _ = _sync(scope, store, fresh=False)
    rows = list(store.many(ids).values())
    if status:
        rows = [r for r in rows if r["status"] == status]
    if kind:
        rows = [r for r in rows if r["kind"] == kind]
    if account:
        rows = [r for r in rows if account in r["accounts"]]
    order = {s: i for i, s in enumerate(("escalated", "assigned", "new", "dismissed"))}
    rows.sort(key=lambda r: (order.get(r["status"], 9), -(r["amount"] or 0.0), r["id"]))
    scope.audit("read_personal", account or "*", view="alerts", rows=len(rows), status=status)
    data = [AlertRow.model_validate(r) for r in rows]
    return Table[AlertRow](data=data, count=len(data), meta={"status": status, "account": account, "kind": kind})


def alert(scope: Scope, store: AlertStore, aid: str) -> AlertDetail:
    """One alert with its history and its own subgraph (its transfers, accounts and holders)."""
    from .money import trail_out, transfers

    scope.require("analyst")
    row = store.get(aid)
    if not _visible(scope, row):
        raise NotFound(f"no alert {aid}")
    tx = transfers(scope)
    mine = tx[tx["txn_id"].astype(str).isin(set(row["transfers"]))].sort_values(["at", "txn_id"])
    hops = mine.assign(path=0, hop=range(1, len(mine) + 1), carried=mine["amount"])
    trail = trail_out(scope, hops[["path", "hop", "txn_id", "source", "target", "amount", "currency", "at",
                                   "carried"]], alert=aid)
    scope.audit("read_personal", aid, view="alert", accounts=len(row["accounts"]))
    events = [AlertEvent.model_validate(e) for e in row.pop("events")]
    return AlertDetail.model_validate({**row, "events": events, "trail": trail})


def change(scope: Scope, store: AlertStore, aid: str, *, status: str | None = None,
           assignee: str | None = None, note: str | None = None) -> AlertDetail:
    """Set the status and/or assignee of an alert, or add a note; audited."""
    scope.require("analyst")
    if note is not None and len(note) > 4000:
        raise InvalidInput("a note has at most 4,000 characters")
    if assignee is not None and len(assignee) > 64:
        raise InvalidInput("an assignee name has at most 64 characters")
    row = store.get(aid)
    if not _visible(scope, row):
        raise NotFound(f"no alert {aid}")
    store.update(aid, scope.user, status=status, assignee=assignee, note=(note or "").strip() or None)
    after = store.get(aid)
    scope.audit("alert_change", aid, status=after["status"], assignee=after["assignee"],
                note=bool(note and note.strip()), before=row["status"])
    return alert(scope, store, aid)


def run(scope: Scope, store: AlertStore) -> AlertRun:
    """Re-run the typologies now: new findings become alerts, unchanged ones keep their judgement."""
    scope.require("analyst")
    _, summary = _sync(scope, store, fresh=True)
    scope.audit("alerts_run", "*", **summary)
    return AlertRun(**summary)


def statuses(scope: Scope, store: AlertStore) -> dict[str, str]:
    """Alert id → status of the scope's current findings (past judgements for account risk)."""
    ids, _ = _sync(scope, store, fresh=False)
    return {i: r["status"] for i, r in store.many(ids).items()}
