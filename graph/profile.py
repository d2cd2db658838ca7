"""Reads behind the investigator's workspace: an entity's profile, a case's workspace, timelines.

Every function takes the :class:`graph.scope.Scope` of the person asking
first and reads through :func:`graph.db.read`; nodes hidden from the scope are
neither returned nor walked through, journey legs (``MOVED``) of hidden cases
are dropped, so a profile never lists a hidden case or associate.  Results are
plain dicts (node properties as :func:`graph.explore._plain` values); the
view layer (:mod:`views.profile`) shapes them into typed results.

All Cypher is parameterised; labels and relationship types come from the
model (:func:`graph.cypher.label`, :func:`graph.cypher.rel_type`).
"""

from __future__ import annotations

from typing import Any

from .cypher import label, rel_type
from .db import read
from .explore import _plain, find_by_id
from .model import NODE_LABELS
from .scope import Scope

__all__ = [
    "GROUP_CAP",
    "node_by_id",
    "relation_groups",
    "journeys_of_person",
    "journeys_of_case",
    "shared_phones",
    "agency_seen",
    "case_accounts",
    "case_organisations",
    "linked_cases",
    "transfers_of_accounts",
]

#: at most this many related entities per (relationship type, direction) in a profile; the total is reported
GROUP_CAP = 200


def _name(v: str) -> str:
    return (f"coalesce({v}.full_name, {v}.name, {v}.case_number, {v}.plate, {v}.account_number, "
            f"{v}.full_name_latin, {v}.name_latin, {v}.id)")


def _vis(v: str) -> str:
    """node ``v`` is visible to the scope (``$hidden``: element ids of hidden nodes)"""
    return f"($hidden IS NULL OR NOT elementId({v}) IN $hidden)"


def _rel_vis(v: str) -> str:
    """relationship ``v`` is visible (journey legs carry the case they belong to)"""
    return f"($hidden_cases IS NULL OR {v}.case_id IS NULL OR NOT {v}.case_id IN $hidden_cases)"


def _lab(labels: list[str]) -> str:
    return next((x for x in labels if x in NODE_LABELS), labels[0] if labels else "")


def _other(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    props = {k: _plain(v) for k, v in (row[prefix + "props"] or {}).items()}
    return {**props, "id": props.get("id"), "label": _lab(row[prefix + "labels"]), "name": _plain(row[prefix + "name"])}


def node_by_id(scope: Scope, entity_id: str, node_label: str | None = None) -> dict[str, Any] | None:
    """The visible node with this id as ``{id, label, name, _eid, ...properties}``, or None."""
    found = find_by_id(scope, entity_id, node_label)
    if not found:
        return None
    n = dict(found[0])
    # properties as stored (find_by_id renames a `name` property that differs from the display name)
    if "name_property" in n:
        n["name"] = n.pop("name_property")
    return n


_GROUPS = f"""
MATCH (n) WHERE elementId(n) = $eid
MATCH (n)-[r]-(m)
WHERE type(r) <> '{rel_type('MOVED').strip('`')}' AND {_vis('m')} AND {_rel_vis('r')}
WITH type(r) AS type, startNode(r) = n AS outgoing, r, m
ORDER BY coalesce(r.at, r.from_date, r.first_contact, r.first_seen), m.id
WITH type, outgoing, collect({{rprops: properties(r), props: properties(m), labels: labels(m),
                               name: {_name('m')}}}) AS items
RETURN type, outgoing, size(items) AS total, items[..$cap] AS items
"""


def relation_groups(scope: Scope, eid: str, cap: int = GROUP_CAP) -> list[dict[str, Any]]:
    """Every visible relationship of node ``eid`` but journey legs, grouped by (type, direction).

    Returns ``[{type, outgoing, total, items: [{rel: {...}, other: {...}}]}]``; at most
    ``cap`` items per group, in time order (``at``, ``from_date``, ``first_contact``, ``first_seen``).
    """
    rows = read(scope, _GROUPS, eid=eid, cap=int(cap), **scope.compartment().params())
    out = []
    for r in rows:
        items = [{"rel": {k: _plain(v) for k, v in it["rprops"].items()}, "other": _other(it)} for it in r["items"]]
        out.append({"type": r["type"], "outgoing": bool(r["outgoing"]), "total": int(r["total"]), "items": items})
    return out


_LEG_RETURN = """
RETURN properties(r) AS rel, a.id AS from_id, coalesce(a.name, a.id) AS from_name, a.name_th AS from_name_th,
       a.kind AS from_kind, b.id AS to_id, coalesce(b.name, b.id) AS to_name, b.name_th AS to_name_th,
       b.kind AS to_kind
ORDER BY r.case_id, r.person_id, r.leg, r.at
LIMIT $cap
"""
_PERSON_LEGS = f"""
MATCH (a:{label('Location')})-[r:{rel_type('MOVED')}]->(b:{label('Location')})
WHERE r.person_id = $id AND {_rel_vis('r')}
{_LEG_RETURN}
"""
_CASE_LEGS = f"""
MATCH (a:{label('Location')})-[r:{rel_type('MOVED')}]->(b:{label('Location')})
WHERE r.case_id = $id AND {_rel_vis('r')}
{_LEG_RETURN}
"""


def _legs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**{k: _plain(v) for k, v in r["rel"].items()}, **{k: r[k] for k in r if k != "rel"}} for r in rows]


def journeys_of_person(scope: Scope, person_id: str, cap: int = 1000) -> list[dict[str, Any]]:
    """The person's visible journey legs (``MOVED`` with ``person_id``), ordered by case and leg."""
    return _legs(read(scope, _PERSON_LEGS, id=person_id, cap=int(cap), **scope.compartment().params()))


def journeys_of_case(scope: Scope, case_id: str, cap: int = 5000) -> list[dict[str, Any]]:
    """Every journey leg recorded for the case, ordered by person and leg."""
    return _legs(read(scope, _CASE_LEGS, id=case_id, cap=int(cap), **scope.compartment().params()))


_PHONES = f"""
MATCH (n) WHERE elementId(n) = $eid
UNWIND coalesce(n.phones, []) AS phone
OPTIONAL MATCH (o:{label('Person')}) WHERE phone IN o.phones AND o <> n AND {_vis('o')}
WITH phone, o ORDER BY o.id
RETURN phone, count(o) AS shared, collect({{id: o.id, name: {_name('o')}}})[..20] AS others
"""


def shared_phones(scope: Scope, eid: str) -> list[dict[str, Any]]:
    """The node's phones, each with the other visible persons recorded with the same number."""
    rows = read(scope, _PHONES, eid=eid, **scope.compartment().params())
    return [{"phone": r["phone"], "shared": int(r["shared"]), "others": [o for o in r["others"] if o["id"]]}
            for r in rows]


_SEEN = f"""
MATCH (n) WHERE elementId(n) = $eid
MATCH (n)-[r]-(m) WHERE r.source IS NOT NULL AND {_vis('m')} AND {_rel_vis('r')}
RETURN r.source AS agency, min(coalesce(r.first_seen, r.at)) AS first, max(coalesce(r.last_seen, r.at)) AS last,
       count(r) AS records
"""


def agency_seen(scope: Scope, eid: str) -> list[dict[str, Any]]:
    """First and last date each agency recorded a relationship of the node, with the number of records."""
    rows = read(scope, _SEEN, eid=eid, **scope.compartment().params())
    return [{"agency": r["agency"], "first": _plain(r["first"]), "last": _plain(r["last"]),
             "records": int(r["records"])} for r in rows]


_CASE_ACCOUNTS = f"""
MATCH (c) WHERE elementId(c) = $eid
MATCH (c)<-[:{rel_type('INVOLVED_IN')}]-(p)-[h:{rel_type('HOLDS')}]->(a:{label('BankAccount')})
WHERE {_vis('p')} AND {_vis('a')}
RETURN DISTINCT properties(a) AS props, labels(a) AS labels, {_name('a')} AS name, p.id AS holder_id,
       {_name('p')} AS holder_name, properties(h) AS rel
ORDER BY props.id LIMIT $cap
"""
_CASE_ORGS = f"""
MATCH (c) WHERE elementId(c) = $eid
MATCH (c)<-[:{rel_type('INVOLVED_IN')}]-(p:{label('Person')})-[x:{rel_type('MEMBER_OF')}|{rel_type('EMPLOYED_BY')}|{rel_type('DIRECTS')}]->(o:{label('Organisation')})
WHERE {_vis('p')} AND {_vis('o')}
RETURN properties(o) AS props, labels(o) AS labels, {_name('o')} AS name, p.id AS person_id,
       {_name('p')} AS person_name, type(x) AS type, properties(x) AS rel
ORDER BY props.id, person_id LIMIT $cap
"""


def case_accounts(scope: Scope, eid: str, cap: int = 500) -> list[dict[str, Any]]:
    """Accounts held by the case's visible parties, with the holder and the holding's provenance."""
    rows = read(scope, _CASE_ACCOUNTS, eid=eid, cap=int(cap), **scope.compartment().params())
    return [{**_other(r), "holder_id": r["holder_id"], "holder_name": _plain(r["holder_name"]),
             "rel": {k: _plain(v) for k, v in r["rel"].items()}} for r in rows]


def case_organisations(scope: Scope, eid: str, cap: int = 500) -> list[dict[str, Any]]:
    """Organisations the case's persons belong to, work for or direct (the tie and who)."""
    rows = read(scope, _CASE_ORGS, eid=eid, cap=int(cap), **scope.compartment().params())
    return [{**_other(r), "person_id": r["person_id"], "person_name": _plain(r["person_name"]), "type": r["type"],
             "rel": {k: _plain(v) for k, v in r["rel"].items()}} for r in rows]


_INV = rel_type("INVOLVED_IN")
_LINKED = f"""
MATCH (c) WHERE elementId(c) = $eid
CALL (c) {{
  MATCH (c)<-[:{_INV}]-(p)-[:{_INV}]->(o:{label('Case')})
  WHERE o <> c AND {_vis('p')}
  RETURN o, 'person' AS via, p.id AS via_id, {_name('p')} AS via_name
  UNION
  CALL (c) {{
    MATCH (c)<-[:{rel_type('USED')}]-(v:{label('Vehicle')}) RETURN v
    UNION
    MATCH (c)<-[:{_INV}]-(p)-[:{rel_type('OWNS')}]->(v:{label('Vehicle')}) WHERE {_vis('p')} RETURN v
  }}
  WITH c, v WHERE {_vis('v')}
  CALL (v) {{
    MATCH (v)-[:{rel_type('USED')}]->(o:{label('Case')}) RETURN o
    UNION
    MATCH (v)<-[:{rel_type('OWNS')}]-(q)-[:{_INV}]->(o:{label('Case')}) WHERE {_vis('q')} RETURN o
  }}
  WITH c, v, o WHERE o <> c
  RETURN o, 'vehicle' AS via, v.id AS via_id, {_name('v')} AS via_name
  UNION
  MATCH (c)<-[:{_INV}]-(p)-[:{rel_type('HOLDS')}]->(a:{label('BankAccount')})<-[:{rel_type('HOLDS')}]-(q)-[:{_INV}]->(o:{label('Case')})
  WHERE o <> c AND {_vis('p')} AND {_vis('a')} AND {_vis('q')}
  RETURN o, 'account' AS via, a.id AS via_id, {_name('a')} AS via_name
  UNION
  MATCH (c)<-[:{_INV}]-(p:{label('Person')}) WHERE {_vis('p')}
  UNWIND coalesce(p.phones, []) AS phone
  MATCH (q:{label('Person')}) WHERE q <> p AND phone IN q.phones AND {_vis('q')}
  MATCH (q)-[:{_INV}]->(o:{label('Case')}) WHERE o <> c
  RETURN o, 'phone' AS via, phone AS via_id, phone AS via_name
}}
WITH o, via, via_id, via_name WHERE {_vis('o')}
RETURN properties(o) AS props, labels(o) AS labels, {_name('o')} AS name,
       collect(DISTINCT {{kind: via, id: via_id, name: via_name}}) AS via
ORDER BY size(via) DESC, props.id
LIMIT $cap
"""


def linked_cases(scope: Scope, eid: str, cap: int = 200) -> list[dict[str, Any]]:
    """Other visible cases sharing a person, a vehicle, an account or a phone with the case,
    each with what links them (``via``: ``[{kind, id, name}]``)."""
    rows = read(scope, _LINKED, eid=eid, cap=int(cap), **scope.compartment().params())
    return [{**_other(r), "via": [{k: _plain(v) for k, v in x.items()} for x in r["via"]]} for r in rows]


_TRANSFERS = f"""
UNWIND $ids AS aid
MATCH (a:{label('BankAccount')} {{id: aid}})-[t:{rel_type('TRANSFERRED')}]-(b:{label('BankAccount')})
WHERE {_vis('a')} AND {_vis('b')}
WITH DISTINCT t, startNode(t) AS s, endNode(t) AS e
RETURN properties(t) AS rel, s.id AS from_id, {_name('s')} AS from_name, e.id AS to_id, {_name('e')} AS to_name
ORDER BY t.at LIMIT $cap
"""


def transfers_of_accounts(scope: Scope, account_ids: list[str], cap: int = 1000) -> list[dict[str, Any]]:
    """Visible transfers into or out of these accounts, in time order."""
    if not account_ids:
        return []
    rows = read(scope, _TRANSFERS, ids=list(account_ids), cap=int(cap), **scope.compartment().params())
    return [{**{k: _plain(v) for k, v in r["rel"].items()}, "from_id": r["from_id"],
             "from_name": _plain(r["from_name"]), "to_id": r["to_id"], "to_name": _plain(r["to_name"])}
            for r in rows]
