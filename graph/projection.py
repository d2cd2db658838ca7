"""Projections of the store into the shapes the analytics take.

Each read takes the :class:`graph.scope.Scope` of who is asking, runs
parameterised reads and returns a NetworkX graph or a pandas DataFrame
without what the scope may not see (hidden persons, cases, accounts and
journey legs, and the roles and ties only hidden cases support); the
analytics never see Cypher or compartments.  Writes of analytic results
(``SAME_AS`` candidates and their judgements) live here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import networkx as nx
import pandas as pd
from neo4j import Driver

from .db import read, writes
from .scope import Compartment, Scope

__all__ = [
    "person_network",
    "journeys",
    "location_table",
    "location_hierarchy",
    "transfers",
    "person_records",
    "write_same_as",
    "judge_same_as",
    "same_as_candidates",
]

# ----------------------------------------------------------------- Cypher
_PERSONS = """
MATCH (p:Person)
WHERE $cases IS NULL OR EXISTS { MATCH (p)-[:INVOLVED_IN]->(c:Case) WHERE c.id IN $cases }
OPTIONAL MATCH (p)-[i:INVOLVED_IN]->(c:Case)
WHERE $cases IS NULL OR c.id IN $cases
RETURN p.id AS id, coalesce(p.full_name, p.full_name_latin, p.given_name) AS name,
       p.full_name_latin AS name_latin, p.nationality AS nationality, p.sex AS sex,
       p.sources AS sources, p.source_record_ids AS source_record_ids,
       collect(DISTINCT i.role) AS roles, collect(DISTINCT c.id) AS cases
"""

_ASSOCIATIONS = """
MATCH (a:Person)-[r:ASSOCIATED_WITH]->(b:Person)
WHERE $cases IS NULL OR (a.id IN $ids AND b.id IN $ids)
RETURN a.id AS a, b.id AS b, r.kind AS kind, r.call_count AS calls, r.source AS source,
       r.source_record_id AS source_record_id
"""

_CO_OFFENDERS = """
MATCH (a:Person)-[ia:INVOLVED_IN]->(c:Case)<-[ib:INVOLVED_IN]-(b:Person)
WHERE a.id < b.id AND ia.role <> 'victim' AND ib.role <> 'victim' AND ia.role <> 'witness'
  AND ib.role <> 'witness' AND ($cases IS NULL OR c.id IN $cases)
RETURN a.id AS a, b.id AS b, collect(DISTINCT c.id) AS cases
"""

_JOURNEYS = """
MATCH (f:Location)-[m:MOVED]->(t:Location)
WHERE $cases IS NULL OR m.case_id IN $cases
WITH m.person_id AS person_id, m.case_id AS case_id,
     collect({leg: m.leg, from_location: f.id, to_location: t.id, stage: m.stage, at: m.at, source: m.source}) AS legs
OPTIONAL MATCH (p:Person {id: person_id})
OPTIONAL MATCH (c:Case {id: case_id})
RETURN person_id, case_id, legs, p.nationality AS nationality, p.sex AS sex, p.birth_date AS birth_date,
       c.exploitation_type AS exploitation_type, c.opened_on AS opened_on
ORDER BY person_id, case_id
"""

_LOCATIONS = """
MATCH (l:Location)
OPTIONAL MATCH (l)-[:LOCATED_IN]->(p:Location)
RETURN l.id AS id, l.name AS name, l.name_th AS name_th, l.kind AS kind, l.iso3 AS iso3,
       l.lat AS lat, l.lon AS lon, head(collect(p.id)) AS parent_id
ORDER BY id
"""

_TRANSFERS = """
MATCH (a:BankAccount)-[t:TRANSFERRED]->(b:BankAccount)
WHERE $accounts IS NULL OR a.id IN $accounts OR b.id IN $accounts
RETURN t.txn_id AS txn_id, a.id AS source, b.id AS target, t.amount AS amount, t.currency AS currency,
       t.at AS at, t.source AS agency
ORDER BY at, txn_id
"""

_PERSON_RECORDS = """
MATCH (p:Person)
OPTIONAL MATCH (p)-[:LIVES_AT]->(l:Location)
RETURN p.id AS id, p.given_name AS given_name, p.family_name AS family_name,
       coalesce(p.full_name, p.full_name_latin) AS full_name, p.full_name_latin AS full_name_latin,
       p.birth_date AS birth_date, p.sex AS sex, p.nationality AS nationality,
       coalesce(p.national_id, p.passport_no) AS id_number, head(coalesce(p.phones, [])) AS phone,
       coalesce(p.address, l.name) AS address, head(p.sources) AS source
ORDER BY id
"""

_WRITE_SAME_AS = """
UNWIND $rows AS row
MATCH (a:Person {id: row.id_left})
MATCH (b:Person {id: row.id_right})
MERGE (a)-[s:SAME_AS]->(b)
ON CREATE SET s.judgement = 'pending', s.source = 'netintel', s.source_record_id = row.id_left + '|' + row.id_right
SET s.score = row.score, s.method = $method, s.scored_at = $at
"""

_JUDGE_SAME_AS = """
MATCH (a:Person {id: $left})-[s:SAME_AS]-(b:Person {id: $right})
SET s.judgement = $judgement, s.by = $by, s.at = $at
RETURN startNode(s).id AS id_left, endNode(s).id AS id_right, s.score AS score, s.judgement AS judgement,
       s.by AS by, s.at AS at
"""

_SAME_AS = """
MATCH (a:Person)-[s:SAME_AS]->(b:Person)
WHERE $judgement IS NULL OR s.judgement = $judgement
RETURN a.id AS id_left, b.id AS id_right, s.score AS score, s.method AS method, s.judgement AS judgement,
       s.by AS by, s.at AS at, coalesce(a.full_name, a.full_name_latin) AS name_left,
       coalesce(b.full_name, b.full_name_latin) AS name_right
ORDER BY score DESC
"""


# -------------------------------------------------------------- functions
def _cases(case_ids: Sequence[str] | None) -> list[str] | None:
    return list(case_ids) if case_ids else None


def person_network(scope: Scope, case_ids: Sequence[str] | None = None) -> nx.Graph:
    """Undirected person graph: ASSOCIATED_WITH ties plus co-offending (two
    non-victim, non-witness persons in the same case).

    Node attributes: ``label="Person"``, ``name``, ``nationality``, ``sex``,
    ``roles`` (list), ``role`` (the most incriminating), ``cases``, provenance.
    Edge attributes: ``type`` (ASSOCIATED_WITH / CO_OFFENDING), ``kind``, ``cases``.
    """
    cases = _cases(case_ids)
    G = nx.Graph()
    comp = scope.compartment()
    persons = [p for p in read(scope, _PERSONS, cases=cases) if not comp.hides("Person", p["id"])]
    for p in persons:
        roles = [r for r in p["roles"] if r]
        G.add_node(p["id"], label="Person", name=p["name"] or p["id"], name_latin=p["name_latin"],
                   nationality=p["nationality"] or "UNK", sex=p["sex"], roles=roles, role=_main_role(roles),
                   cases=p["cases"], sources=p["sources"], source_record_ids=p["source_record_ids"])
    ids = list(G.nodes)
    for r in read(scope, _ASSOCIATIONS, cases=cases, ids=ids):
        if r["a"] in G and r["b"] in G and r["a"] != r["b"]:
            G.add_edge(r["a"], r["b"], type="ASSOCIATED_WITH", kind=r["kind"], calls=r["calls"],
                       source=r["source"], source_record_id=r["source_record_id"])
    for r in read(scope, _CO_OFFENDERS, cases=cases):
        if r["a"] not in G or r["b"] not in G:
            continue  # a hidden person
        if G.has_edge(r["a"], r["b"]):
            G.edges[r["a"], r["b"]]["cases"] = r["cases"]
        else:
            G.add_edge(r["a"], r["b"], type="CO_OFFENDING", kind="co-offending", cases=r["cases"])
    return _restrict_network(scope, G, comp)


_VISIBLE_ROLES = """
UNWIND $ids AS id
MATCH (p:Person {id: id})-[i:INVOLVED_IN]->(c:Case)
WHERE NOT c.id IN $hidden_cases
RETURN p.id AS id, collect(DISTINCT i.role) AS roles
"""


def _restrict_network(scope: Scope, G: nx.Graph, comp: Compartment) -> nx.Graph:
    """Hidden case ids leave node and edge ``cases``; co-offending ties only hidden
    cases support go; ``roles``/``role`` are recomputed from visible cases."""
    if comp.empty:
        return G
    hc = comp.hidden_cases
    touched = []
    for n, d in G.nodes(data=True):
        cs = d.get("cases")
        if cs and any(c in hc for c in cs):
            d["cases"] = [c for c in cs if c not in hc]
            touched.append(n)
    if touched:
        roles = {r["id"]: [x for x in r["roles"] if x]
                 for r in read(scope, _VISIBLE_ROLES, ids=touched, hidden_cases=sorted(hc))}
        for n in touched:
            rs = roles.get(n, [])
            G.nodes[n]["roles"] = rs
            G.nodes[n]["role"] = _main_role(rs)
    drop = []
    for a, b, d in G.edges(data=True):
        cs = d.get("cases")
        if cs:
            kept = [c for c in cs if c not in hc]
            d["cases"] = kept
            if not kept and d.get("type") == "CO_OFFENDING":
                drop.append((a, b))
    G.remove_edges_from(drop)
    return G


_ROLE_ORDER = ("broker", "recruiter", "transporter", "harbourer", "financier", "employer", "suspect", "official",
               "other", "witness", "victim")


def _main_role(roles: list[str]) -> str | None:
    for r in _ROLE_ORDER:
        if r in roles:
            return r
    return roles[0] if roles else None


def _age(birth: Any, when: Any) -> float | None:
    if birth is None or when is None:
        return None
    b = birth.to_native() if hasattr(birth, "to_native") else birth
    w = when.to_native() if hasattr(when, "to_native") else when
    if isinstance(w, dt.datetime):
        w = w.date()
    return (w - b).days // 365 if isinstance(b, dt.date) and isinstance(w, dt.date) else None


def journeys(scope: Scope, case_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Journey rows ``person_id, case_id, leg, location, stage`` (leg 0 = place of
    recruitment) plus per-journey ``year`` (of the first leg, else of the case's opening),
    ``nationality, sex, age, exploitation_type`` and ``agency`` (the first leg's source)."""
    out: list[dict[str, Any]] = []
    comp = scope.compartment()
    # one row per journey (person and case looked up once, not once per leg)
    for r in read(scope, _JOURNEYS, cases=_cases(case_ids)):
        pid, cid = r["person_id"], r["case_id"]
        if cid in comp.hidden_cases or comp.hides("Person", pid):
            continue
        legs = sorted(r["legs"], key=lambda x: x["leg"])
        first = legs[0]
        when = first["at"] or r["opened_on"]
        extra = {
            "year": (when.year if when is not None else None),
            "nationality": r["nationality"],
            "sex": r["sex"],
            "age": _age(r["birth_date"], when),
            "exploitation_type": r["exploitation_type"],
            "agency": first.get("source"),
        }
        out.append({"person_id": pid, "case_id": cid, "leg": 0, "location": first["from_location"],
                    "stage": "recruitment", **extra})
        for leg in legs:
            out.append({"person_id": pid, "case_id": cid, "leg": int(leg["leg"]), "location": leg["to_location"],
                        "stage": leg["stage"], **extra})
    cols = ["person_id", "case_id", "leg", "location", "stage", "year", "nationality", "sex", "age",
            "exploitation_type", "agency"]
    return pd.DataFrame(out, columns=cols)


def location_table(scope: Scope) -> pd.DataFrame:
    """Every Location: ``id, name, name_th, kind, iso3, lat, lon, parent_id``."""
    return pd.DataFrame(read(scope, _LOCATIONS),
                        columns=["id", "name", "name_th", "kind", "iso3", "lat", "lon", "parent_id"])


def location_hierarchy(scope: Scope) -> tuple[dict[str, str], dict[str, str]]:
    """``(child → parent, location → kind)`` for :func:`analytics.routes.routes`."""
    rows = read(scope, _LOCATIONS)
    parents = {r["id"]: r["parent_id"] for r in rows if r["parent_id"]}
    levels = {r["id"]: r["kind"] for r in rows if r["kind"]}
    return parents, levels


def transfers(scope: Scope, accounts: Sequence[str] | None = None) -> pd.DataFrame:
    """Transfers ``txn_id, source, target, amount, currency, at`` (at as UTC timestamps)
    between accounts the scope may see."""
    comp = scope.compartment()
    rows = [r for r in read(scope, _TRANSFERS, accounts=list(accounts) if accounts else None)
            if not (comp.hides("BankAccount", r["source"]) or comp.hides("BankAccount", r["target"]))]
    df = pd.DataFrame(rows, columns=["txn_id", "source", "target", "amount", "currency", "at", "agency"])
    if len(df):
        df["at"] = pd.to_datetime([a.to_native() if hasattr(a, "to_native") else a for a in df["at"]], utc=True)
    else:
        df["at"] = pd.to_datetime(df["at"], utc=True)
    return df


def person_records(scope: Scope) -> pd.DataFrame:
    """Person records the scope may see, in the canonical resolution columns."""
    comp = scope.compartment()
    rows = [r for r in read(scope, _PERSON_RECORDS) if not comp.hides("Person", r["id"])]
    for r in rows:
        if r["birth_date"] is not None and hasattr(r["birth_date"], "to_native"):
            r["birth_date"] = r["birth_date"].to_native().isoformat()
    return pd.DataFrame(rows, columns=["id", "given_name", "family_name", "full_name", "full_name_latin",
                                       "birth_date", "sex", "nationality", "id_number", "phone", "address",
                                       "source"])


@writes()
def write_same_as(driver: Driver, candidates: pd.DataFrame, method: str, batch: int = 5000) -> int:
    """MERGE ``SAME_AS`` candidates (``id_left, id_right, score``) as pending judgements.

    An existing judgement is kept; only score and method are refreshed.
    """
    rows = [{"id_left": str(r.id_left), "id_right": str(r.id_right), "score": float(r.score)}
            for r in candidates.itertuples()]
    at = dt.datetime.now(dt.UTC)
    for i in range(0, len(rows), batch):
        driver.execute_query(_WRITE_SAME_AS, rows=rows[i : i + batch], method=method, at=at)
    return len(rows)


@writes()
def judge_same_as(driver: Driver, id_left: str, id_right: str, judgement: str, by: str) -> dict[str, Any] | None:
    """Record a person's judgement (accepted / rejected / pending) of a candidate pair, with who and when."""
    if judgement not in ("accepted", "rejected", "pending"):
        raise ValueError(f"judgement must be accepted, rejected or pending, not {judgement!r}")
    recs, _, _ = driver.execute_query(_JUDGE_SAME_AS, left=id_left, right=id_right, judgement=judgement, by=by,
                                      at=dt.datetime.now(dt.UTC))
    return recs[0].data() if recs else None


def same_as_candidates(scope: Scope, judgement: str | None = None) -> pd.DataFrame:
    """``SAME_AS`` candidate pairs (best score first) of which the scope may see both persons."""
    comp = scope.compartment()
    rows = [r for r in read(scope, _SAME_AS, judgement=judgement)
            if not (comp.hides("Person", r["id_left"]) or comp.hides("Person", r["id_right"]))]
    return pd.DataFrame(rows,
                        columns=["id_left", "id_right", "score", "method", "judgement", "by", "at",
                                 "name_left", "name_right"])
