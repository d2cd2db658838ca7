"""Duplicate-person candidates, their judgements and the persons they merge.

A candidate is a ``SAME_AS`` relationship between two ``Person`` nodes (score,
match weight, the per-field levels that drove it).  Judgements are
**append-only**: every accept, reject, unsure or undo is a new
``(:SameAsJudgement)`` node (who, when, why; never updated or deleted), and the
pair's current judgement — kept on the ``SAME_AS`` relationship for filtering —
is the replay of that history (:func:`replay`): an undo cancels the latest
judgement still in force, and with none in force the pair is ``pending``.
Writing a judgement locks its ``SAME_AS`` relationship first, so two
concurrent judgements of one pair are serialised.

Reads take the :class:`~graph.scope.Scope` and drop pairs and persons the scope
may not see; accepted clusters are walked through visible persons only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
from neo4j import Driver, ManagedTransaction

from .db import read, writes
from .explore import _plain
from .scope import Scope

__all__ = [
    "JUDGEMENTS",
    "pair_key",
    "replay",
    "write_candidates",
    "append_judgement",
    "judgement_history",
    "candidates",
    "candidate_pair",
    "candidates_of",
    "accepted_cluster",
    "accepted_links",
    "person_records_of",
]

#: what a person may record about a pair (``undo`` cancels the latest one in force)
JUDGEMENTS = ("accepted", "rejected", "unsure")

_SCHEMA = ("CREATE INDEX same_as_judgement_pair IF NOT EXISTS FOR (j:SameAsJudgement) ON (j.pair)",)
_schema_done: set[int] = set()

_WRITE = """
UNWIND $rows AS row
MATCH (a:Person {id: row.id_left})
MATCH (b:Person {id: row.id_right})
MERGE (a)-[s:SAME_AS]->(b)
ON CREATE SET s.judgement = 'pending', s.source = 'netintel', s.source_record_id = row.id_left + '|' + row.id_right
SET s.score = row.score, s.weight = row.weight, s.levels = row.levels, s.reasons = row.reasons,
    s.method = $method, s.scored_at = $at
"""

_LOCK = """
MATCH (a:Person {id: $left})-[s:SAME_AS]-(b:Person {id: $right})
SET s.judged = coalesce(s.judged, 0) + 1
RETURN startNode(s).id AS id_left, endNode(s).id AS id_right, s.judged AS seq, s.score AS score,
       s.weight AS weight
"""

_HISTORY = """
MATCH (j:SameAsJudgement {pair: $pair})
RETURN j.id AS id, j.seq AS seq, j.judgement AS judgement, j.reason AS reason, j.by AS by, j.at AS at,
       j.undoes AS undoes, j.state AS state
ORDER BY j.seq
"""

_APPEND = """
MATCH (a:Person {id: $id_left})-[s:SAME_AS]->(b:Person {id: $id_right})
CREATE (j:SameAsJudgement {id: randomUUID(), pair: $pair, id_left: $id_left, id_right: $id_right, seq: $seq,
        judgement: $judgement, reason: $reason, by: $by, at: $at, undoes: $undoes, state: $state})
SET s.judgement = $state, s.by = $by, s.at = $at, s.reason = $reason
RETURN j.id AS id
"""

_CANDIDATES = """
MATCH (a:Person)-[s:SAME_AS]->(b:Person)
WHERE ($judgement IS NULL OR s.judgement = $judgement) AND ($person IS NULL OR a.id = $person OR b.id = $person)
RETURN a.id AS id_left, b.id AS id_right, s.score AS score, s.weight AS weight, s.method AS method,
       s.judgement AS judgement, s.by AS by, s.at AS at, s.reason AS reason, s.reasons AS reasons,
       coalesce(a.full_name, a.full_name_latin, a.given_name) AS name_left,
       coalesce(b.full_name, b.full_name_latin, b.given_name) AS name_right,
       head(a.sources) AS agency_left, head(b.sources) AS agency_right
ORDER BY coalesce(s.weight, -1e9) DESC, coalesce(s.score, 0) DESC, id_left, id_right
"""

_PAIR = """
MATCH (a:Person {id: $left})-[s:SAME_AS]-(b:Person {id: $right})
RETURN startNode(s).id AS id_left, endNode(s).id AS id_right, properties(s) AS rel
"""

_ACCEPTED_NEIGHBOURS = """
UNWIND $ids AS pid
MATCH (p:Person {id: pid})-[s:SAME_AS {judgement: 'accepted'}]-(q:Person)
RETURN DISTINCT p.id AS a, q.id AS b
"""

_RECORDS = """
UNWIND $ids AS pid
MATCH (p:Person {id: pid})
OPTIONAL MATCH (p)-[i:INVOLVED_IN]->(c:Case)
OPTIONAL MATCH (p)-[:LIVES_AT]->(l:Location)
RETURN p.id AS id, properties(p) AS props, collect(DISTINCT {case: c.id, role: i.role}) AS cases,
       head(collect(DISTINCT l.name)) AS lives_at
"""


def pair_key(a: str, b: str) -> str:
    """The direction-free key of a pair.

    >>> pair_key("P2", "P1")
    'P1|P2'
    """
    return "|".join(sorted((a, b)))


def replay(history: Sequence[dict[str, Any]]) -> tuple[str, str | None]:
    """The current judgement of a pair after its history (oldest first) and the id of the
    judgement in force (``None`` when pending).

    >>> replay([{"id": "1", "judgement": "accepted"}, {"id": "2", "judgement": "rejected"},
    ...         {"id": "3", "judgement": "undo", "undoes": "2"}])
    ('accepted', '1')
    >>> replay([{"id": "1", "judgement": "unsure"}, {"id": "2", "judgement": "undo", "undoes": "1"}])
    ('pending', None)
    """
    undone = {h["undoes"] for h in history if h["judgement"] == "undo"}
    for h in reversed(history):
        if h["judgement"] != "undo" and h["id"] not in undone:
            return str(h["judgement"]), str(h["id"])
    return "pending", None


def _ensure_schema(driver: Driver) -> None:
    if id(driver) in _schema_done:
        return
    for q in _SCHEMA:
        driver.execute_query(q)
    _schema_done.add(id(driver))


@writes()
def write_candidates(driver: Driver, candidates: pd.DataFrame, method: str, batch: int = 5000) -> int:
    """MERGE scored pairs (``id_left, id_right, score, weight, reasons, levels``) as ``SAME_AS``
    candidates; a new pair is ``pending``, an existing one keeps its judgements."""
    _ensure_schema(driver)
    rows = []
    for r in candidates.to_dict("records"):
        rows.append({"id_left": str(r["id_left"]), "id_right": str(r["id_right"]), "score": float(r["score"]),
                     "weight": float(r["weight"]) if r.get("weight") is not None else None,
                     "reasons": str(r.get("reasons") or ""),
                     "levels": json.dumps(r.get("levels") or [], ensure_ascii=False)})
    at = dt.datetime.now(dt.UTC)
    for i in range(0, len(rows), batch):
        driver.execute_query(_WRITE, rows=rows[i : i + batch], method=method, at=at)
    return len(rows)


def _history(tx: ManagedTransaction, pair: str) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in r.data().items()} for r in tx.run(_HISTORY, pair=pair)]


@writes()
def append_judgement(driver: Driver, id_left: str, id_right: str, judgement: str, by: str,
                     reason: str = "") -> dict[str, Any] | None:
    """Append ``judgement`` (accepted, rejected, unsure, or ``undo``) of the candidate pair, by
    ``by`` with ``reason``; returns the pair's new state and the entry, or ``None`` when there is
    no candidate between the two.  ``ValueError`` for an undo with nothing to undo."""
    if judgement not in (*JUDGEMENTS, "undo"):
        raise ValueError(f"judgement must be one of {', '.join(JUDGEMENTS)} or undo, not {judgement!r}")
    _ensure_schema(driver)

    def work(tx: ManagedTransaction) -> dict[str, Any] | None:
        lock = tx.run(_LOCK, left=id_left, right=id_right).single()
        if lock is None:
            return None
        pair = pair_key(lock["id_left"], lock["id_right"])
        history = _history(tx, pair)
        undoes = None
        if judgement == "undo":
            _, undoes = replay(history)
            if undoes is None:
                raise ValueError("nothing to undo: the pair has no judgement in force")
        at = dt.datetime.now(dt.UTC)
        entry = {"id": "", "judgement": judgement, "undoes": undoes}
        state, _ = replay([*history, {**entry, "id": "new"}])
        new = tx.run(_APPEND, id_left=lock["id_left"], id_right=lock["id_right"], pair=pair, seq=int(lock["seq"]),
                     judgement=judgement, reason=reason, by=by, at=at, undoes=undoes, state=state).single()
        return {"id_left": lock["id_left"], "id_right": lock["id_right"], "judgement": state,
                "entry": judgement, "entry_id": new["id"] if new else None, "undoes": undoes, "by": by,
                "at": at.isoformat(), "reason": reason, "score": lock["score"], "weight": lock["weight"]}

    with driver.session() as session:
        return session.execute_write(work)


def judgement_history(scope: Scope, id_left: str, id_right: str) -> list[dict[str, Any]]:
    """Every judgement of the pair, oldest first (empty when either person is hidden)."""
    comp = scope.compartment()
    if comp.hides("Person", id_left) or comp.hides("Person", id_right):
        return []
    rows = read(scope, _HISTORY, pair=pair_key(id_left, id_right))
    return [{k: _plain(v) for k, v in r.items()} for r in rows]


def candidates(scope: Scope, judgement: str | None = None, person: str | None = None) -> pd.DataFrame:
    """Candidate pairs of which the scope may see both persons, highest match weight first
    (optionally only those of ``person``)."""
    comp = scope.compartment()
    rows = [{k: _plain(v) for k, v in r.items()} for r in read(scope, _CANDIDATES, judgement=judgement, person=person)
            if not (comp.hides("Person", r["id_left"]) or comp.hides("Person", r["id_right"]))]
    return pd.DataFrame(rows, columns=["id_left", "id_right", "score", "weight", "method", "judgement", "by", "at",
                                       "reason", "reasons", "name_left", "name_right", "agency_left",
                                       "agency_right"])


def candidates_of(scope: Scope, person: str, judgement: str | None = "pending") -> pd.DataFrame:
    """The candidates one person takes part in (default: the pending ones)."""
    return candidates(scope, judgement, person)


def candidate_pair(scope: Scope, left: str, right: str) -> dict[str, Any] | None:
    """The ``SAME_AS`` candidate between two visible persons (its properties, ``levels``
    decoded), or ``None``."""
    comp = scope.compartment()
    if comp.hides("Person", left) or comp.hides("Person", right):
        return None
    rows = read(scope, _PAIR, left=left, right=right)
    if not rows:
        return None
    rel = {k: _plain(v) for k, v in rows[0]["rel"].items()}
    try:
        rel["levels"] = json.loads(rel.get("levels") or "[]")
    except ValueError:
        rel["levels"] = []
    return {"id_left": rows[0]["id_left"], "id_right": rows[0]["id_right"], **rel}


def accepted_cluster(scope: Scope, person: str, max_size: int = 500) -> list[str]:
    """The visible persons linked to ``person`` by accepted judgements (itself included),
    walked through visible persons only; sorted ids."""
    comp = scope.compartment()
    if comp.hides("Person", person):
        return []
    seen, frontier = {person}, [person]
    while frontier and len(seen) < max_size:
        rows = read(scope, _ACCEPTED_NEIGHBOURS, ids=frontier)
        frontier = sorted({r["b"] for r in rows if r["b"] not in seen and not comp.hides("Person", r["b"])})
        seen.update(frontier)
    return sorted(seen)


def person_records(scope: Scope, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Each visible person's properties, visible cases with roles, and home location."""
    comp = scope.compartment()
    out = []
    for r in read(scope, _RECORDS, ids=[i for i in ids if not comp.hides("Person", i)]):
        cases = [c for c in r["cases"] if c.get("case") and not comp.hides("Case", c["case"])]
        out.append({"id": r["id"], "props": {k: _plain(v) for k, v in r["props"].items()}, "cases": cases,
                    "lives_at": r["lives_at"]})
    order = {i: n for n, i in enumerate(ids)}
    return sorted(out, key=lambda d: order.get(d["id"], 0))


person_records_of = person_records


def accepted_links(scope: Scope, ids: Sequence[str], max_size: int = 2000) -> list[tuple[str, str]]:
    """Accepted pairs reachable from ``ids`` through accepted judgements between visible persons."""
    comp = scope.compartment()
    seen = {i for i in ids if not comp.hides("Person", i)}
    frontier = sorted(seen)
    links: set[tuple[str, str]] = set()
    while frontier and len(seen) < max_size:
        rows = read(scope, _ACCEPTED_NEIGHBOURS, ids=frontier)
        nxt = set()
        for r in rows:
            if comp.hides("Person", r["b"]):
                continue
            a, b = sorted((str(r["a"]), str(r["b"])))
            links.add((a, b))
            if r["b"] not in seen:
                nxt.add(r["b"])
        seen |= nxt
        frontier = sorted(nxt)
    return sorted(links)
