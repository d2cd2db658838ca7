"""Reads behind the faceted search: every way an investigator names an entity.

One free text finds, through the one scoped door (:func:`graph.db.read`):

* person and organisation names in any script, fuzzy (the full-text index
  with Lucene's Thai analyzer, :data:`graph.model.FULLTEXT_INDEX`);
* case numbers (``ATPD-2015-0001``, ``คดีพิเศษที่ 123/2567``: whole or part, any case);
* places by English or Thai name (``Selangor``, ``สมุทรสาคร``);
* ids, national ids, passport and registration numbers, phones, plates and
  account numbers (exact, after the same normalisation as ingest).

:func:`exact_matches` returns every exact or partial match (one read);
:func:`name_groups` counts the name matches by label, agency and nationality
(facets and total without shipping every row) and :func:`name_page` reads one
page of them; :func:`hit_context` adds, for one page of hits, what tells
namesakes apart (birth date, agencies, cases and roles).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from .cypher import label, rel_type
from .db import read
from .explore import _plain, fulltext_query
from .model import FULLTEXT_INDEX, NODE_LABELS
from .scope import Scope

__all__ = ["CANDIDATE_CAP", "exact_matches", "name_groups", "name_page", "hit_context"]

#: at most this many matches per matcher; beyond it the result says ``capped`` (never silently)
CANDIDATE_CAP = 5000

_NAME = ("coalesce(n.full_name, n.name, n.case_number, n.plate, n.account_number, n.full_name_latin, "
         "n.name_latin, n.id)")
_VISIBLE = "($hidden IS NULL OR NOT elementId(n) IN $hidden)"
_RETURN = (f"RETURN elementId(n) AS eid, n.id AS id, labels(n) AS labels, {_NAME} AS name, "
           "n.sources AS sources, n.nationality AS nationality")

#: a node's label of the model, its agencies and nationality: what the facets count
_FACET_VALUES = (f"[l IN labels(n) WHERE l IN {list(NODE_LABELS)!r}][0] AS label, coalesce(n.sources, []) AS sources, "
                 "n.nationality AS nationality")
_FT_MATCH = f"""
CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $query, {{limit: $cap + $extra}})
YIELD node AS n, score
WHERE {_VISIBLE} AND NOT elementId(n) IN $exclude
"""
#: every name match, counted by (label, agencies, nationality): the facets and the total without shipping rows
_FT_GROUPS = _FT_MATCH + f"""
WITH n, score LIMIT $cap
WITH {_FACET_VALUES}, score
RETURN label, sources, nationality, count(*) AS n, max(score) AS best
"""
#: one page of name matches that pass the filters, best first
_FT_PAGE = _FT_MATCH + f"""
  AND ($label IS NULL OR $label IN labels(n))
  AND ($agency IS NULL OR $agency IN coalesce(n.sources, [])
       OR ($agency = '(none)' AND size(coalesce(n.sources, [])) = 0))
  AND ($nationality IS NULL OR coalesce(n.nationality, '(none)') = $nationality)
WITH n, score ORDER BY score DESC, n.id SKIP $skip LIMIT $limit
{_RETURN}, score
"""


_BRANCHES: dict[str, str] = {
    "case": f"MATCH (n:{label('Case')}) WHERE toLower(n.case_number) CONTAINS $case OR toLower(n.id) = $case "
            "RETURN n, CASE WHEN toLower(n.case_number) = $case OR toLower(n.id) = $case THEN 1.0 ELSE 0.9 END "
            "AS score, 'case_number' AS match",
    "place": f"MATCH (n:{label('Location')}) WHERE toLower(n.name) CONTAINS toLower($place) "
             "OR n.name_th CONTAINS $place OR toLower(n.id) = toLower($place) "
             "RETURN n, CASE WHEN toLower(n.name) = toLower($place) OR n.name_th = $place "
             "OR toLower(n.id) = toLower($place) THEN 1.0 ELSE 0.8 END AS score, 'place' AS match",
    "digits": f"MATCH (n:{label('Person')} {{national_id: $digits}}) RETURN n, 1.0 AS score, 'identity' AS match "
              f"UNION ALL MATCH (n:{label('Organisation')}) WHERE n.registration_no IN [$digits, $text] "
              "RETURN n, 1.0 AS score, 'identity' AS match",
    "upper": f"MATCH (n:{label('Person')} {{passport_no: $upper}}) RETURN n, 1.0 AS score, 'identity' AS match",
    "phone": f"MATCH (n:{label('Person')}) WHERE $phone IN n.phones RETURN n, 1.0 AS score, 'phone' AS match",
    "plate": f"MATCH (n:{label('Vehicle')} {{plate: $plate}}) RETURN n, 1.0 AS score, 'plate' AS match",
    "numbers": f"MATCH (n:{label('BankAccount')}) WHERE n.account_number IN $numbers "
               "RETURN n, 1.0 AS score, 'account' AS match",
    "id": " UNION ALL ".join(f"MATCH (n:{label(lab)} {{id: $id}}) RETURN n, 1.0 AS score, 'id' AS match"
                             for lab in NODE_LABELS),
}


@lru_cache(maxsize=64)
def _exact_query(kinds: frozenset[str]) -> str:
    """One round trip for the exact and partial matchers that apply to the text (``kinds``:
    keys of :data:`_BRANCHES`); the others are left out of the query, so none scans for nothing."""
    branches = [q for k, q in _BRANCHES.items() if k in kinds]
    return ("CALL { " + " UNION ALL ".join(branches) + " } "
            f"WITH n, score, match WHERE {_VISIBLE} {_RETURN}, score, match LIMIT $cap")


def _rows(rows: list[dict[str, Any]], match: str | None = None) -> list[dict[str, Any]]:
    return [{"eid": r["eid"], "id": r["id"], "label": next((x for x in r["labels"] if x in NODE_LABELS), ""),
             "name": _plain(r["name"]), "sources": list(r.get("sources") or []), "nationality": r.get("nationality"),
             "score": float(r["score"]), "match": match or r["match"]} for r in rows]


def exact_matches(scope: Scope, text: str, *, kinds: tuple[str, ...] = ("q",),
                  cap: int = CANDIDATE_CAP) -> tuple[list[dict[str, Any]], bool]:
    """Every visible entity the text names exactly or partly, in one read: case numbers (whole
    or part), places, national ID / passport / registration numbers, phones, plates, account
    numbers and ids; the matchers that cannot apply to the text are left out of the query.

    ``kinds`` limits the matchers: ``q`` (all), ``id``, ``phone``, ``plate``, ``account``.
    Returns ``(rows, capped)``; rows ``{eid, id, label, name, sources, nationality, score,
    match}``, one per entity (its best match).  Scores: 1 for an exact match, 0.9 / 0.8 for a
    case number / place containing the text.
    """
    from ingest.normalise import parse_phone, parse_plate

    text = text.strip()
    cap = max(1, int(cap))
    allk = "q" in kinds
    n_digits = sum(c.isdigit() for c in text)
    phone = plate = None
    if allk and n_digits >= 6 or "phone" in kinds:
        try:
            phone = parse_phone(text)
        except ValueError:
            phone = None
    if allk or "plate" in kinds:
        try:
            plate = parse_plate(text)
        except ValueError:
            plate = None
    digits = re.sub(r"[\s\-]", "", text)
    account = (allk and re.fullmatch(r"[\d\s\-]{6,}", text)) or "account" in kinds
    params = {
        # case numbers carry digits (ATPD-2015-0001, คดีพิเศษที่ 123/2567) or are written in capitals (ATPD)
        "case": text.lower() if allk and len(text) >= 2 and (n_digits or text.isupper()) else None,
        "place": text if allk and len(text) >= 2 else None,
        "digits": digits if allk and n_digits >= 5 else None,
        "upper": text.upper() if allk and n_digits >= 1 else None,
        "text": text if allk and n_digits >= 1 else None,
        "id": text if allk or "id" in kinds else None,
        "phone": phone, "plate": plate,
        "numbers": list(dict.fromkeys([text, digits])) if account else [],
    }
    on = frozenset(k for k, v in params.items() if v and k != "text")
    if not on:
        return [], False
    rows = _rows(read(scope, _exact_query(on), cap=cap + 1, **params, **scope.compartment().params()))
    capped = len(rows) > cap
    kept: dict[str, dict[str, Any]] = {}
    for r in rows[:cap]:
        cur = kept.get(r["eid"])
        if cur is None or r["score"] > cur["score"]:
            kept[r["eid"]] = r
    return sorted(kept.values(), key=lambda r: (-r["score"], str(r["name"]), str(r["id"]))), capped


def name_groups(scope: Scope, text: str, *, exclude: Sequence[str] = (),
                cap: int = CANDIDATE_CAP) -> tuple[list[dict[str, Any]], float, bool]:
    """Name matches (full-text, any script, fuzzy for Latin) counted by (label, agencies,
    nationality), without the entities in ``exclude`` (element ids already matched exactly).

    Returns ``(groups, best, capped)``: groups ``{label, sources, nationality, n}``; ``best`` the
    best raw score (to scale scores to 0..1); ``capped`` when more than ``cap`` names matched.
    """
    q = fulltext_query(text)
    if not q:
        return [], 1.0, False
    p = scope.compartment().params()
    rows = read(scope, _FT_GROUPS, query=q, cap=int(cap) + 1, extra=len(p["hidden"] or ()) + len(exclude),
                exclude=list(exclude), **p)
    total = sum(int(r["n"]) for r in rows)
    best = max((float(r["best"]) for r in rows), default=1.0) or 1.0
    groups = [{"label": r["label"] or "", "sources": list(r["sources"]), "nationality": r["nationality"],
               "n": int(r["n"])} for r in rows]
    return groups, best, total > cap


def name_page(scope: Scope, text: str, *, exclude: Sequence[str] = (),
              label: str | None = None, agency: str | None = None, nationality: str | None = None,
              skip: int = 0, limit: int = 20, best: float = 1.0,
              cap: int = CANDIDATE_CAP) -> list[dict[str, Any]]:
    """One page of name matches passing the filters, best first (``score`` scaled by ``best``)."""
    q = fulltext_query(text)
    if not q or limit <= 0:
        return []
    p = scope.compartment().params()
    rows = _rows(read(scope, _FT_PAGE, query=q, cap=int(cap) + 1, extra=len(p["hidden"] or ()) + len(exclude),
                      exclude=list(exclude), label=label, agency=agency, nationality=nationality,
                      skip=max(0, int(skip)), limit=int(limit), **p), "name")
    for r in rows:
        r["score"] = round(r["score"] / (best or 1.0), 4)
    return rows


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
