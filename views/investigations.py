"""Saved investigations: a named network workspace kept on the server for its owner.

A workspace holds what was on the canvas (node ids and labels, positions,
pins, hidden nodes, expanded hubs), the filter panel and free-text notes.
Its owner may share it with named users and with units; they reopen it.

Opening never shows more than the opener may see: the saved nodes are read
again through the opener's :class:`graph.scope.Scope` (:func:`graph.paths.subgraph`),
so nodes of a compartment the opener is outside of are left out, with their
positions, pins and relationships, exactly as if they were not there.  Every
save, share and open is audited.

Storage: one SQLite file (``investigations.sqlite`` beside the users
database, mode 0600), one short connection per call.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.errors import Forbidden, InvalidInput, NotFound
from graph.model import NODE_LABELS
from graph.scope import Scope

from .models import GraphOut, InvestigationIn, InvestigationOut, InvestigationSummary

__all__ = ["InvestigationStore", "save", "share", "list_investigations", "open_investigation", "MAX_NODES"]

#: at most this many nodes in one saved workspace
MAX_NODES = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS investigations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    state TEXT NOT NULL,
    shared_users TEXT NOT NULL DEFAULT '[]',
    shared_units TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS investigations_owner ON investigations(owner);
"""
_STATE_KEYS = ("start", "nodes", "positions", "pinned", "hidden", "expanded", "filters", "notes")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _names(values: Sequence[str], what: str) -> list[str]:
    out = sorted({v.strip() for v in values if v and v.strip()})
    for v in out:
        if len(v) > 64 or not v.replace("_", "").replace("-", "").replace(".", "").replace(":", "").isalnum():
            raise InvalidInput(f"not a {what} name: {v!r}")
    return out


class InvestigationStore:
    """Investigations in a SQLite file (thread-safe: one connection per call)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        if new:  # created private: workspaces name persons
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        with self._conn() as c:
            c.executescript(_SCHEMA)
        os.chmod(self.path, 0o600)

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        c = sqlite3.connect(self.path, timeout=30)
        c.row_factory = sqlite3.Row
        try:
            with c:
                yield c
        finally:
            c.close()

    @staticmethod
    def _row(r: sqlite3.Row) -> dict[str, Any]:
        return {"id": r["id"], "owner": r["owner"], "name": r["name"], "created_at": r["created_at"],
                "updated_at": r["updated_at"], "state": json.loads(r["state"]),
                "shared_users": json.loads(r["shared_users"]), "shared_units": json.loads(r["shared_units"])}

    def create(self, owner: str, name: str, state: dict[str, Any]) -> dict[str, Any]:
        iid = "inv-" + secrets.token_hex(8)
        now = _now()
        with self._conn() as c:
            c.execute("INSERT INTO investigations (id, owner, name, created_at, updated_at, state) "
                      "VALUES (?, ?, ?, ?, ?, ?)", (iid, owner, name, now, now, json.dumps(state, ensure_ascii=False)))
        got = self.get(iid)
        assert got is not None
        return got

    def update(self, iid: str, name: str, state: dict[str, Any]) -> dict[str, Any]:
        with self._conn() as c:
            c.execute("UPDATE investigations SET name = ?, state = ?, updated_at = ? WHERE id = ?",
                      (name, json.dumps(state, ensure_ascii=False), _now(), iid))
        got = self.get(iid)
        assert got is not None
        return got

    def set_shares(self, iid: str, users: Sequence[str], units: Sequence[str]) -> dict[str, Any]:
        with self._conn() as c:
            c.execute("UPDATE investigations SET shared_users = ?, shared_units = ?, updated_at = ? WHERE id = ?",
                      (json.dumps(list(users)), json.dumps(list(units)), _now(), iid))
        got = self.get(iid)
        assert got is not None
        return got

    def get(self, iid: str) -> dict[str, Any] | None:
        with self._conn() as c:
            r = c.execute("SELECT * FROM investigations WHERE id = ?", (iid,)).fetchone()
        return self._row(r) if r else None

    def all(self) -> list[dict[str, Any]]:
        with self._conn() as c:
            rows = c.execute("SELECT * FROM investigations ORDER BY updated_at DESC, id").fetchall()
        return [self._row(r) for r in rows]


def _may_open(scope: Scope, inv: dict[str, Any]) -> bool:
    return (inv["owner"] == scope.user or scope.user in inv["shared_users"]
            or any(u in inv["shared_units"] for u in scope.units))


def _summary(inv: dict[str, Any]) -> InvestigationSummary:
    return InvestigationSummary(id=inv["id"], name=inv["name"], owner=inv["owner"], created_at=inv["created_at"],
                                updated_at=inv["updated_at"], shared_users=inv["shared_users"],
                                shared_units=inv["shared_units"], nodes=len(inv["state"].get("nodes", [])),
                                url=f"/api/investigations/{inv['id']}")


def _state(body: InvestigationIn) -> dict[str, Any]:
    nodes: list[dict[str, str]] = []
    seen: set[str] = set()
    for n in body.nodes:
        nid, lab = n.get("id"), n.get("label")
        if not isinstance(nid, str) or not nid or len(nid) > 200:
            raise InvalidInput("every saved node needs an id (text, at most 200 characters)")
        if lab not in NODE_LABELS:
            raise InvalidInput(f"node {nid!r}: unknown label {lab!r}", {"allowed": list(NODE_LABELS)})
        if nid not in seen:
            seen.add(nid)
            nodes.append({"id": nid, "label": str(lab)})
    if len(nodes) > MAX_NODES:
        raise InvalidInput(f"at most {MAX_NODES} nodes in one investigation")
    positions = {k: [float(v[0]), float(v[1])] for k, v in body.positions.items() if k in seen and len(v) >= 2}
    return {"start": body.start, "nodes": nodes, "positions": positions,
            "pinned": [x for x in body.pinned if x in seen], "hidden": [x for x in body.hidden if x in seen],
            "expanded": [x for x in dict.fromkeys(body.expanded) if x in seen],
            "filters": {k: v for k, v in body.filters.items() if k in ("labels", "types", "agency", "since", "until")},
            "notes": body.notes}


def save(scope: Scope, store: InvestigationStore, body: InvestigationIn) -> InvestigationSummary:
    """Save a workspace (a new one, or over ``body.id`` when it is the caller's own)."""
    scope.require("investigator")
    state = _state(body)
    users = _names(body.share_users, "user")
    units = _names(body.share_units, "unit")
    if body.id:
        inv = store.get(body.id)
        if inv is None or inv["owner"] != scope.user:
            # someone else's (even one shared with you) looks like a missing one: save a copy instead
            raise NotFound(f"no investigation {body.id!r} of yours")
        inv = store.update(body.id, body.name, state)
    else:
        inv = store.create(scope.user, body.name, state)
    if users or units:
        inv = store.set_shares(inv["id"], users, units)
    scope.audit("investigation_save", inv["id"], name=body.name, nodes=len(state["nodes"]),
                shared_users=inv["shared_users"], shared_units=inv["shared_units"])
    return _summary(inv)


def share(scope: Scope, store: InvestigationStore, iid: str, users: Sequence[str],
          units: Sequence[str]) -> InvestigationSummary:
    """Share (replacing the earlier shares) with named users and units; only the owner may."""
    scope.require("investigator")
    inv = store.get(iid)
    if inv is None or not _may_open(scope, inv):
        raise NotFound(f"no investigation {iid!r}")
    if inv["owner"] != scope.user:
        raise Forbidden("only the owner shares an investigation", {"owner": inv["owner"]})
    inv = store.set_shares(iid, _names(users, "user"), _names(units, "unit"))
    scope.audit("investigation_share", iid, shared_users=inv["shared_users"], shared_units=inv["shared_units"])
    return _summary(inv)


def list_investigations(scope: Scope, store: InvestigationStore) -> list[InvestigationSummary]:
    """The caller's investigations and those shared with them or their units, newest first."""
    scope.require("investigator")
    return [_summary(inv) for inv in store.all() if _may_open(scope, inv)]


def open_investigation(scope: Scope, store: InvestigationStore, iid: str) -> InvestigationOut:
    """The workspace as the opener may see it: saved nodes re-read through their scope
    (hidden ones left out with their positions, pins and relationships); 404 when it is
    neither theirs nor shared with them."""
    from graph.paths import subgraph

    scope.require("investigator")
    inv = store.get(iid)
    if inv is None or not _may_open(scope, inv):
        raise NotFound(f"no investigation {iid!r}")
    st = inv["state"]
    g = subgraph(scope, [(n["label"], n["id"]) for n in st.get("nodes", [])])
    shown = {str(n["id"]) for n in g["nodes"]}
    out = InvestigationOut(
        **_summary(inv).model_dump(),
        start=st.get("start") if st.get("start") in shown else None,
        positions={k: v for k, v in st.get("positions", {}).items() if k in shown},
        pinned=[x for x in st.get("pinned", []) if x in shown],
        hidden=[x for x in st.get("hidden", []) if x in shown],
        expanded=[x for x in st.get("expanded", []) if x in shown],
        filters=st.get("filters", {}), notes=st.get("notes", ""),
        graph=GraphOut.model_validate({"nodes": g["nodes"], "edges": g["edges"], "truncated": False}),
    )
    scope.audit("read_personal", iid, view="investigation", nodes=len(g["nodes"]))
    scope.audit("investigation_open", iid, owner=inv["owner"], nodes_saved=len(st.get("nodes", [])),
                nodes_shown=len(g["nodes"]))
    return out
