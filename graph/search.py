"""Reads behind the faceted search: every way an investigator names an entity.

One free text finds, through the one scoped door (:func:`graph.db.read`):

* person and organisation names in any script, fuzzy (the full-text index
  with Lucene's Thai analyzer, :data:`graph.model.FULLTEXT_INDEX`);
* case numbers (``ATPD-2015-0001``, ``คดีพิเศษที่ 123/2567``: whole or part, any case);
* places by English or Thai name (``Selangor``, ``สมุทรสาคร``);
* ids, national ids, passport and registration numbers, phones, plates and
  account numbers (exact, after the same normalisation as ingest).

:func:`candidates` returns every match (up to a stated cap) with what the
facets need; :func:`hit_context` adds, for one page of hits, what tells
namesakes apart (birth date, agencies, cases and roles).
"""

from __future__ import annotations

import re
from typing import Any

from .cypher import label, rel_type
from .db import read
from .explore import _plain, find_by_account, find_by_id, find_by_phone, find_by_plate, fulltext_query
from .model import FULLTEXT_INDEX, NODE_LABELS
from .scope import Scope

__all__ = ["CANDIDATE_CAP", "candidates", "hit_context"]

#: at most this many matches per matcher; beyond it the result says ``capped`` (never silently)
CANDIDATE_CAP = 5000

_NAME = ("coalesce(n.full_name, n.name, n.case_number, n.plate, n.account_number, n.full_name_latin, "
         "n.name_latin, n.id)")
_VISIBLE = "($hidden IS NULL OR NOT elementId(n) IN $hidden)"
_RETURN = (f"RETURN elementId(n) AS eid, n.id AS id, labels(n) AS labels, {_NAME} AS name, "
           "n.sources AS sources, n.nationality AS nationality")

_FULLTEXT = f"""
CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $query, {{limit: $cap + $extra}})
YIELD node AS n, score
WHERE {_VISIBLE}
{_RETURN}, score
ORDER BY score DESC LIMIT $cap
"""
_CASES = f"""
MATCH (n:{label('Case')})
WHERE (toLower(n.case_number) CONTAINS $low OR toLower(n.id) = $low) AND {_VISIBLE}
{_RETURN}, CASE WHEN toLower(n.case_number) = $low OR toLower(n.id) = $low THEN 1.0 ELSE 0.9 END AS score
ORDER BY score DESC, n.case_number LIMIT $cap
"""
_PLACES = f"""
MATCH (n:{label('Location')})
WHERE (toLower(n.name) CONTAINS $low OR n.name_th CONTAINS $text OR toLower(n.id) = $low) AND {_VISIBLE}
{_RETURN}, CASE WHEN toLower(n.name) = $low OR n.name_th = $text OR toLower(n.id) = $low THEN 1.0 ELSE 0.8 END
       AS score
ORDER BY score DESC, n.name LIMIT $cap
"""
_IDENTITY = f"""
CALL {{
  MATCH (n:{label('Person')}) WHERE n.national_id = $digits OR n.passport_no = $upper RETURN n
  UNION
  MATCH (n:{label('Organisation')}) WHERE n.registration_no = $text OR n.registration_no = $digits RETURN n
}}
WITH n WHERE {_VISIBLE}
{_RETURN}, 1.0 AS score LIMIT $cap
"""


def _rows(rows: list[dict[str, Any]], match: str) -> list[dict[str, Any]]:
    return [{"eid": r["eid"], "id": r["id"], "label": next((x for x in r["labels"] if x in NODE_LABELS), ""),
             "name": _plain(r["name"]), "sources": list(r.get("sources") or []), "nationality": r.get("nationality"),
             "score": float(r["score"]), "match": match} for r in rows]


def _exact(scope: Scope, found: list[dict[str, Any]], match: str) -> list[dict[str, Any]]:
    """Matches of the exact look-ups of :mod:`graph.explore` with the candidate fields."""
    out: list[dict[str, Any]] = []
    for lab in dict.fromkeys(f["label"] for f in found):
        q = f"UNWIND $ids AS i MATCH (n:{label(lab)} {{id: i}}) WHERE {_VISIBLE} {_RETURN}, 1.0 AS score"
        ids = [f["id"] for f in found if f["label"] == lab]
        out += _rows(read(scope, q, ids=ids, **scope.compartment().params()), match)
    return out


def candidates(scope: Scope, text: str, *, kinds: tuple[str, ...] = ("q",),
               cap: int = CANDIDATE_CAP) -> tuple[list[dict[str, Any]], bool]:
    """Every visible entity the text may mean, best first per matcher.

    ``kinds`` limits the matchers: ``q`` (all of them), ``id``, ``phone``,
    ``plate``, ``account``.  Returns ``(rows, capped)``: rows are
    ``{eid, id, label, name, sources, nationality, score, match}`` (one per
    entity, its best match kept), ``capped`` is True when a matcher had more
    than ``cap`` matches (the total is then a lower bound).

    Scores: exact matches 1; a case number or place containing the text 0.9 /
    0.8; name matches relative to the best name match (0..1].
    """
    from ingest.normalise import parse_phone, parse_plate

    text = text.strip()
    cap = max(1, int(cap))
    p = scope.compartment().params()
    allk = "q" in kinds
    out: list[dict[str, Any]] = []
    capped = False
    if allk:
        q = fulltext_query(text)
        if q:
            rows = _rows(read(scope, _FULLTEXT, query=q, cap=cap + 1, extra=len(p["hidden"] or ()), **p), "name")
            if len(rows) > cap:
                capped, rows = True, rows[:cap]
            best = max((r["score"] for r in rows), default=0.0) or 1.0
            for r in rows:
                r["score"] = round(r["score"] / best, 4)
            out += rows
        low = text.lower()
        if len(text) >= 2:
            for query, match in ((_CASES, "case_number"), (_PLACES, "place")):
                rows = _rows(read(scope, query, low=low, text=text, cap=cap + 1, **p), match)
                capped = capped or len(rows) > cap
                out += rows[:cap]
        digits = re.sub(r"[\s\-]", "", text)
        out += _rows(read(scope, _IDENTITY, digits=digits, upper=text.upper(), text=text, cap=cap, **p), "identity")
    if allk or "id" in kinds:
        out += _exact(scope, [{"id": n["id"], "label": n["label"]} for n in find_by_id(scope, text, None)], "id")
    if allk or "phone" in kinds:
        try:
            phone = parse_phone(text)
        except ValueError:
            phone = None
        if phone and (not allk or sum(c.isdigit() for c in text) >= 6):
            out += _exact(scope, find_by_phone(scope, phone, cap), "phone")
    if allk or "plate" in kinds:
        try:
            plate = parse_plate(text)
        except ValueError:
            plate = None
        if plate:
            out += _exact(scope, find_by_plate(scope, plate, cap), "plate")
    if allk or "account" in kinds:
        if not allk or re.fullmatch(r"[\d\s\-]{6,}", text):
            out += _exact(scope, find_by_account(scope, text, cap), "account")
    kept: dict[str, dict[str, Any]] = {}
    for r in out:
        cur = kept.get(r["eid"])
        if cur is None or r["score"] > cur["score"]:
            kept[r["eid"]] = r
    return sorted(kept.values(), key=lambda r: (-r["score"], str(r["name"]), str(r["id"]))), capped


_CONTEXT = f"""
UNWIND $eids AS eid
MATCH (n) WHERE elementId(n) = eid
OPTIONAL MATCH (n)-[r:{rel_type('INVOLVED_IN')}|{rel_type('USED')}]->(c:{label('Case')})
  WHERE ($hidden IS NULL OR NOT elementId(c) IN $hidden)
WITH n, eid, count(DISTINCT c) AS cases, [x IN collect(DISTINCT r.role) WHERE x IS NOT NULL] AS roles
RETURN eid, n.full_name_latin AS name_latin, n.name_latin AS org_name_latin, n.birth_date AS birth_date,
       n.sex AS sex, n.nationality AS nationality, n.source_record_ids AS records, n.kind AS kind,
       n.status AS status, n.opened_on AS opened_on, n.agency AS agency, n.case_number AS case_number,
       n.name_th AS name_th, n.plate_province AS plate_province, n.bank_code AS bank_code,
       n.holder_name AS holder_name, cases, roles,
       COUNT {{ (n)<-[:{rel_type('INVOLVED_IN')}]-(p) WHERE ($hidden IS NULL OR NOT elementId(p) IN $hidden) }}
         AS parties
"""


def hit_context(scope: Scope, eids: list[str]) -> dict[str, dict[str, Any]]:
    """For a page of hits (element ids): what tells namesakes apart — romanised name, birth date,
    sex, nationality, records, number of visible cases and the roles held in them (for cases:
    status, opening date and number of parties)."""
    if not eids:
        return {}
    rows = read(scope, _CONTEXT, eids=list(eids), **scope.compartment().params())
    return {r["eid"]: {k: _plain(v) for k, v in r.items() if k != "eid"} for r in rows}
