"""Reads of the prosecution and victim-assistance records, as DataFrames for
:mod:`analytics.justice`.

Every reader takes the :class:`~graph.scope.Scope` first.  The records belong
to a case (``FOR_CASE`` / ``STAGE_OF``), so each reader drops the records of
cases hidden from the scope (restricted compartments, other provinces for a
province-scoped user) with ``$hidden_cases``, and assets hidden from it with
``$hidden``.  Victim-protection records (screenings, shelter stays, services)
are read here for every scope that may see their *aggregates*; who may see
them one by one is the views' rule (:attr:`graph.scope.Scope.protection`), and
the views audit every read.  Dates come back as :class:`datetime.date`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .db import read
from .scope import Scope

__all__ = [
    "cases",
    "justice_stages",
    "screenings",
    "assistance",
    "victims",
    "officials",
    "compensation",
    "enforcement",
    "offender_assets",
    "person_attributes",
    "province_names",
    "latest_event",
]

_CASE_VISIBLE = "($hidden_cases IS NULL OR NOT c.id IN $hidden_cases)"
_NODE_VISIBLE = "($hidden IS NULL OR NOT elementId({v}) IN $hidden)"

_CASES = f"""
MATCH (c:`Case`) WHERE {_CASE_VISIBLE}
RETURN c.id AS case_id, c.agency AS agency, c.province AS province, c.exploitation_type AS exploitation_type,
       c.opened_on AS opened_on, c.status AS status
"""

_STAGES = f"""
MATCH (j:JusticeStage)-[:STAGE_OF]->(c:`Case`) WHERE {_CASE_VISIBLE}
OPTIONAL MATCH (j)-[:CONCERNS]->(p:Person)
RETURN j.id AS id, c.id AS case_id, p.id AS person_id, j.stage AS stage, j.on_date AS on_date,
       j.agency AS stage_agency, j.outcome AS outcome, j.sentence_months AS sentence_months
"""

_SCREENINGS = f"""
MATCH (s:Screening)-[:FOR_CASE]->(c:`Case`) WHERE {_CASE_VISIBLE}
MATCH (s)-[:SCREENED]->(p:Person)
RETURN s.id AS id, c.id AS case_id, p.id AS person_id, s.screened_on AS on_date, s.outcome AS outcome,
       s.agency AS screening_agency, s.province AS screening_province, s.team AS team, s.place AS place
"""

_ASSISTANCE = f"""
MATCH (a)-[:FOR_CASE]->(c:`Case`) WHERE (a:ShelterStay OR a:Service) AND {_CASE_VISIBLE}
MATCH (a)-[:ASSISTED]->(p:Person)
RETURN a.id AS id, c.id AS case_id, p.id AS person_id,
       CASE WHEN a:ShelterStay THEN 'shelter' ELSE 'service' END AS kind,
       a.service AS service, a.shelter AS shelter, a.shelter_type AS shelter_type, a.province AS shelter_province,
       a.provider AS provider, a.from_date AS from_date, a.to_date AS to_date, a.outcome AS outcome
"""

_VICTIMS = f"""
MATCH (p:Person)-[r:INVOLVED_IN]->(c:`Case`) WHERE r.role = 'victim' AND {_CASE_VISIBLE}
RETURN DISTINCT p.id AS person_id, c.id AS case_id
"""

_PERSON_ATTRS = """
UNWIND $ids AS pid
MATCH (p:Person {id: pid})
RETURN p.id AS person_id, p.nationality AS nationality, p.sex AS sex, p.birth_date AS birth_date,
       coalesce(p.full_name_latin, p.full_name) AS name
"""

_OFFICIALS = f"""
MATCH (p:Person)-[r:INVOLVED_IN]->(c:`Case`) WHERE r.role = 'official' AND {_CASE_VISIBLE}
RETURN DISTINCT c.id AS case_id, p.id AS person_id
"""

_COMPENSATION = f"""
MATCH (k:Compensation)-[:FOR_CASE]->(c:`Case`) WHERE {_CASE_VISIBLE}
MATCH (k)-[:OWED_BY]->(o:Person)
OPTIONAL MATCH (k)-[:AWARDED_TO]->(v:Person)
RETURN k.id AS id, c.id AS case_id, o.id AS offender_id, v.id AS victim_id, k.claimed AS claimed,
       k.claimed_on AS claimed_on, k.awarded AS awarded, k.awarded_on AS awarded_on, k.paid AS paid,
       k.paid_on AS paid_on, k.currency AS currency
"""

_ENFORCEMENT = f"""
MATCH (e:Enforcement)-[:FOR_CASE]->(c:`Case`) WHERE {_CASE_VISIBLE}
MATCH (e)-[:AGAINST]->(o:Person)
OPTIONAL MATCH (e)-[:TARGETS]->(x)
RETURN e.id AS id, c.id AS case_id, o.id AS offender_id, e.asset_kind AS asset_kind, x.id AS asset_id,
       e.action AS action, e.on_date AS on_date, e.agency AS agency, e.description AS description,
       e.amount_recovered AS amount_recovered
"""

#: what an offender has that could pay: vehicles owned, accounts held, companies directed, and the
#: accounts their accounts sent money to (not their own)
_ASSETS = f"""
UNWIND $ids AS oid
MATCH (o:Person {{id: oid}}) WHERE {_NODE_VISIBLE.format(v="o")}
RETURN o.id AS offender_id,
  [(o)-[:OWNS]->(v:Vehicle) WHERE {_NODE_VISIBLE.format(v="v")} | v.id] AS vehicles,
  [(o)-[:HOLDS]->(a:BankAccount) WHERE {_NODE_VISIBLE.format(v="a")} | a.id] AS accounts,
  [(o)-[:DIRECTS]->(g:Organisation) WHERE {_NODE_VISIBLE.format(v="g")} | g.id] AS companies,
  [(o)-[:HOLDS]->(a:BankAccount)-[:TRANSFERRED]->(b:BankAccount)
     WHERE {_NODE_VISIBLE.format(v="a")} AND {_NODE_VISIBLE.format(v="b")} AND NOT (o)-[:HOLDS]->(b) | b.id]
     AS receiving_accounts
"""

_PROVINCE_NAMES = """
MATCH (l:Location {kind: 'province'})
RETURN l.id AS code, l.name AS name, l.name_th AS name_th
"""

_LATEST = f"""
CALL () {{
  MATCH (j:JusticeStage)-[:STAGE_OF]->(c:`Case`) WHERE {_CASE_VISIBLE} RETURN max(j.on_date) AS d
  UNION ALL
  MATCH (s:Screening)-[:FOR_CASE]->(c:`Case`) WHERE {_CASE_VISIBLE} RETURN max(s.screened_on) AS d
}}
RETURN max(d) AS latest
"""


def _native(v: Any) -> Any:
    if hasattr(v, "to_native"):
        v = v.to_native()
    if isinstance(v, dt.datetime):
        return v.date()
    return v


def _frame(rows: list[dict[str, Any]], columns: Sequence[str], dates: Sequence[str] = ()) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(columns))
    for c in dates:
        df[c] = [_native(v) for v in df[c]] if len(df) else pd.Series([], dtype="object")
    return df


def _params(scope: Scope) -> dict[str, Any]:
    p = scope.compartment().params()
    return {"hidden_cases": p["hidden_cases"] if p["hidden"] is not None else None}


def cases(scope: Scope) -> pd.DataFrame:
    """Visible cases: ``case_id, agency, province, exploitation_type, opened_on, status``."""
    rows = read(scope, _CASES, **_params(scope))
    return _frame(rows, ["case_id", "agency", "province", "exploitation_type", "opened_on", "status"], ["opened_on"])


def justice_stages(scope: Scope) -> pd.DataFrame:
    """Justice stages of visible cases: ``id, case_id, person_id, stage, on_date, stage_agency,
    outcome, sentence_months``."""
    rows = read(scope, _STAGES, **_params(scope))
    return _frame(rows, ["id", "case_id", "person_id", "stage", "on_date", "stage_agency", "outcome",
                         "sentence_months"], ["on_date"])


def screenings(scope: Scope) -> pd.DataFrame:
    """Screenings of visible cases (protected records: the caller decides who sees them)."""
    rows = read(scope, _SCREENINGS, **_params(scope))
    return _frame(rows, ["id", "case_id", "person_id", "on_date", "outcome", "screening_agency",
                         "screening_province", "team", "place"], ["on_date"])


def assistance(scope: Scope) -> pd.DataFrame:
    """Shelter stays (``kind`` shelter) and services (``kind`` service) of visible cases (protected)."""
    rows = read(scope, _ASSISTANCE, **_params(scope))
    return _frame(rows, ["id", "case_id", "person_id", "kind", "service", "shelter", "shelter_type",
                         "shelter_province", "provider", "from_date", "to_date", "outcome"], ["from_date", "to_date"])


def victims(scope: Scope) -> pd.DataFrame:
    """``person_id, case_id`` of every victim involvement in a visible case."""
    return _frame(read(scope, _VICTIMS, **_params(scope)), ["person_id", "case_id"])


def person_attributes(scope: Scope, ids: Sequence[str]) -> pd.DataFrame:
    """``person_id, nationality, sex, birth_date, name`` of ``ids`` (ids the caller read through the scope)."""
    rows: list[dict[str, Any]] = []
    ids = sorted(set(ids))
    for i in range(0, len(ids), 20000):
        rows.extend(read(scope, _PERSON_ATTRS, ids=ids[i:i + 20000]))
    return _frame(rows, ["person_id", "nationality", "sex", "birth_date", "name"], ["birth_date"])


def officials(scope: Scope) -> pd.DataFrame:
    """``case_id, person_id`` of officials involved in visible cases."""
    return _frame(read(scope, _OFFICIALS, **_params(scope)), ["case_id", "person_id"])


def compensation(scope: Scope) -> pd.DataFrame:
    """Compensation claims, awards and payments of visible cases."""
    rows = read(scope, _COMPENSATION, **_params(scope))
    return _frame(rows, ["id", "case_id", "offender_id", "victim_id", "claimed", "claimed_on", "awarded",
                         "awarded_on", "paid", "paid_on", "currency"], ["claimed_on", "awarded_on", "paid_on"])


def enforcement(scope: Scope) -> pd.DataFrame:
    """Assets of offenders found, frozen or seized, in visible cases."""
    rows = read(scope, _ENFORCEMENT, **_params(scope))
    return _frame(rows, ["id", "case_id", "offender_id", "asset_kind", "asset_id", "action", "on_date", "agency",
                         "description", "amount_recovered"], ["on_date"])


def offender_assets(scope: Scope, ids: Sequence[str]) -> pd.DataFrame:
    """For each offender of ``ids`` the scope may see: ``vehicles, accounts, companies,
    receiving_accounts`` (sorted id lists; hidden nodes left out)."""
    p = scope.compartment().params()
    rows = read(scope, _ASSETS, ids=sorted(set(ids)), hidden=p["hidden"])
    for r in rows:
        for k in ("vehicles", "accounts", "companies", "receiving_accounts"):
            r[k] = sorted(set(r[k]))
    return _frame(rows, ["offender_id", "vehicles", "accounts", "companies", "receiving_accounts"])


def province_names(scope: Scope) -> pd.DataFrame:
    """Reference provinces: ``code, name, name_th`` (locations are never hidden)."""
    return _frame(read(scope, _PROVINCE_NAMES), ["code", "name", "name_th"])


def latest_event(scope: Scope) -> dt.date | None:
    """The latest justice stage or screening date the scope may see (the data's own "today")."""
    rows = read(scope, _LATEST, **_params(scope))
    v = _native(rows[0]["latest"]) if rows else None
    return v if isinstance(v, dt.date) else None
