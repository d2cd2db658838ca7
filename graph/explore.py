"""Reads behind the investigator-facing API: search, entity, neighbourhood, path.

All Cypher here is parameterised; labels and relationship types are only
interpolated after :func:`graph.cypher.label` / :func:`graph.cypher.rel_type`
checked them against the model.  Reads go through :func:`graph.db.read`
(managed, retried transactions).  Results are plain JSON-able dicts:
nodes ``{id, label, name, ...properties}``, edges ``{from, to, type, ...properties}``.

Every function takes the :class:`graph.scope.Scope` of the person asking
first: nodes hidden from it (see :mod:`graph.scope`) are neither returned nor
traversed, journey legs (``MOVED``) of hidden cases are dropped, and a hidden
id answers exactly like a missing one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from .cypher import label, rel_type
from .db import read, stats
from .model import FULLTEXT_INDEX, NODE_LABELS
from .scope import Scope

__all__ = [
    "escape_lucene",
    "fulltext_query",
    "search_names",
    "find_by_id",
    "find_by_phone",
    "find_by_plate",
    "find_by_account",
    "entity",
    "neighbourhood",
    "shortest_path",
    "existing",
    "account_details",
    "sample_ids",
    "visible_stats",
    "MAX_NODES",
    "MAX_DEPTH",
    "HUB_DEGREE",
    "HUB_LIMIT",
]

MAX_NODES = 500
MAX_DEPTH = 3
#: a neighbour with more relationships than this comes back collapsed (not walked through)
HUB_DEGREE = 50
#: at most this many neighbours of a hub that is expanded on request
HUB_LIMIT = 100
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
_NAME = ("coalesce(n.full_name, n.name, n.case_number, n.plate, n.account_number, n.full_name_latin, "
         "n.name_latin, n.id)")
#: node ``n`` is visible (``$hidden``: element ids of hidden nodes, None when nothing is hidden)
_VISIBLE = "($hidden IS NULL OR NOT elementId(n) IN $hidden)"
#: relationship ``r`` is visible (journey legs carry the case they belong to)
_REL_VISIBLE = "($hidden_cases IS NULL OR r.case_id IS NULL OR NOT r.case_id IN $hidden_cases)"


# ------------------------------------------------------------------ values
def _plain(v: Any) -> Any:
    """Neo4j values → JSON-able Python values (temporal types as ISO strings)."""
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if hasattr(v, "iso_format"):
        return v.iso_format()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _node(props: dict[str, Any], labels: Sequence[str], name: Any) -> dict[str, Any]:
    lab = next((x for x in labels if x in NODE_LABELS), labels[0] if labels else "")
    out = {k: _plain(v) for k, v in props.items() if k not in ("id", "label", "name")}
    out = {"id": props.get("id"), "label": lab, "name": _plain(name), **out}
    if "name" in props and props["name"] != name:
        out["name_property"] = _plain(props["name"])
    return out


def _edge(frm: Any, to: Any, typ: str, props: dict[str, Any]) -> dict[str, Any]:
    return {"from": frm, "to": to, "type": typ,
            **{k: _plain(v) for k, v in props.items() if k not in ("from", "to", "type")}}


# ------------------------------------------------------------------ search
def escape_lucene(text: str) -> str:
    """Escape Lucene query syntax so user text is searched literally.

    >>> escape_lucene('a+b OR "c"')
    'a\\\\+b or \\\\"c\\\\"'
    """
    out = _LUCENE_SPECIAL.sub(r"\\\1", text)
    # bare operators become ordinary (lower-case) words
    return re.sub(r"\b(AND|OR|NOT|TO)\b", lambda m: m.group(1).lower(), out)


def fulltext_query(text: str) -> str:
    """A fuzzy Lucene query for user text: each word exactly (analysed, so Thai is
    segmented) or within edit distance 2 (Latin misspellings)."""
    words = [w for w in re.split(r"\s+", text.strip()) if w][:16]
    parts = []
    for w in words:
        e = escape_lucene(w)
        if not e.strip("\\"):
            continue
        # fuzzy terms are not analysed: only worth it for Latin words of ≥ 4 letters
        if len(w) >= 4 and re.fullmatch(r"[A-Za-z0-9'.]+", w):
            parts.append(f"({e} OR {e.lower()}~)")
        elif re.search(r"[^\x00-\u024f]", w):
            # a word of a script written without spaces (Thai, Lao, Myanmar, Khmer, Chinese) is split
            # into several tokens by the analyzer: as a phrase they must all occur, in order
            # ("สมชาย" must not match "สมศรี" through "สม")
            parts.append('("' + w.replace("\\", "\\\\").replace('"', '\\"') + '")')
        else:
            parts.append(f"({e})")
    return " ".join(parts)


_SEARCH = f"""
CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $query, {{limit: $limit + $extra}})
YIELD node AS n, score
WHERE {_VISIBLE}
RETURN n.id AS id, labels(n) AS labels, {_NAME} AS name, score,
       n.full_name_latin AS name_latin, n.nationality AS nationality
ORDER BY score DESC LIMIT $limit
"""


def search_names(scope: Scope, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Fuzzy full-text search over person and organisation names (Thai or Latin);
    nodes hidden from the scope are left out."""
    q = fulltext_query(text)
    if not q:
        return []
    p = scope.compartment().params()
    rows = read(scope, _SEARCH, query=q, limit=int(limit), extra=len(p["hidden"] or ()), **p)
    return [{"id": r["id"], "label": next((x for x in r["labels"] if x in NODE_LABELS), ""), "name": r["name"],
             "score": float(r["score"]), "name_latin": r["name_latin"], "nationality": r["nationality"],
             "match": "name"} for r in rows]


def _by_id_query(labels: Iterable[str]) -> str:
    parts = [f"MATCH (n:{label(lab)} {{id: $id}}) WHERE {_VISIBLE} RETURN n" for lab in labels]
    return ("CALL { " + " UNION ".join(parts) + " } "
            f"RETURN elementId(n) AS eid, properties(n) AS props, labels(n) AS labels, {_NAME} AS name")


def find_by_id(scope: Scope, entity_id: str, node_label: str | None = None) -> list[dict[str, Any]]:
    """Nodes with this ``id`` (one per label at most), as node dicts with ``_eid``."""
    labels = [node_label] if node_label else list(NODE_LABELS)
    rows = read(scope, _by_id_query(labels), id=entity_id, **scope.compartment().params())
    out = []
    for r in rows:
        d = _node(r["props"], r["labels"], r["name"])
        d["_eid"] = r["eid"]
        out.append(d)
    return out


def _simple(rows: list[dict[str, Any]], match: str) -> list[dict[str, Any]]:
    return [{"id": r["id"], "label": next((x for x in r["labels"] if x in NODE_LABELS), ""), "name": r["name"],
             "score": 1.0, "match": match} for r in rows]


_BY_PHONE = f"""
MATCH (n:{label('Person')}) WHERE $phone IN n.phones AND {_VISIBLE}
RETURN n.id AS id, labels(n) AS labels, {_NAME} AS name LIMIT $limit
"""
_BY_PLATE = f"""
MATCH (n:{label('Vehicle')} {{plate: $plate}}) WHERE {_VISIBLE}
RETURN n.id AS id, labels(n) AS labels, {_NAME} AS name LIMIT $limit
"""
_BY_ACCOUNT = f"""
MATCH (n:{label('BankAccount')}) WHERE n.account_number IN $numbers AND {_VISIBLE}
RETURN n.id AS id, labels(n) AS labels, {_NAME} AS name LIMIT $limit
"""


def find_by_phone(scope: Scope, phone_e164: str, limit: int = 20) -> list[dict[str, Any]]:
    """Persons with this (already normalised, E.164) phone number."""
    return _simple(read(scope, _BY_PHONE, phone=phone_e164, limit=int(limit), **scope.compartment().params()), "phone")


def find_by_plate(scope: Scope, plate: str, limit: int = 20) -> list[dict[str, Any]]:
    """Vehicles with this (already normalised) plate."""
    return _simple(read(scope, _BY_PLATE, plate=plate, limit=int(limit), **scope.compartment().params()), "plate")


def find_by_account(scope: Scope, number: str, limit: int = 20) -> list[dict[str, Any]]:
    """Bank accounts by account number (as typed, or without spaces/hyphens)."""
    numbers = list(dict.fromkeys([number.strip(), re.sub(r"[\s\-]", "", number)]))
    return _simple(read(scope, _BY_ACCOUNT, numbers=numbers, limit=int(limit), **scope.compartment().params()),
                   "account")


def entity(scope: Scope, entity_id: str, node_label: str | None = None) -> dict[str, Any] | None:
    """One node by id (the first label of the model order when ids collide), or None."""
    found = find_by_id(scope, entity_id, node_label)
    if not found:
        return None
    d = dict(found[0])
    d.pop("_eid", None)
    return d


def existing(scope: Scope, node_label: str, ids: Sequence[str]) -> set[str]:
    """The subset of ``ids`` that exist (and are visible to the scope) with ``node_label``."""
    q = f"UNWIND $ids AS id MATCH (n:{label(node_label)} {{id: id}}) WHERE {_VISIBLE} RETURN n.id AS id"
    return {r["id"] for r in read(scope, q, ids=list(ids), **scope.compartment().params())}


_ACCOUNTS = f"""
UNWIND $ids AS id MATCH (n:{label('BankAccount')} {{id: id}})
RETURN n.id AS id, n.holder_name AS holder_name, n.bank_code AS bank_code, n.account_number AS account_number,
       n.sources AS sources
"""


def account_details(scope: Scope, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Holder, bank and number of the visible accounts among ``ids`` (for labelling money-trail views)."""
    comp = scope.compartment()
    return {r["id"]: {k: v for k, v in r.items() if k != "id" and v is not None}
            for r in read(scope, _ACCOUNTS, ids=[i for i in ids if not comp.hides("BankAccount", i)])}


# ----------------------------------------------------------- neighbourhood
def _check_types(types: Iterable[str] | None) -> list[str] | None:
    return [rel_type(t).strip("`") for t in types] if types else None


def _check_labels(labels: Iterable[str] | None) -> list[str] | None:
    return [label(x).strip("`") for x in labels] if labels else None


#: relationship ``r`` is followed: visible, of the agency asked for, and its time (``at``, else
#: ``first_seen``..``last_seen``) overlapping ``$since``..``$until`` (undated: always)
_FOLLOWED = (f"{_REL_VISIBLE} AND ($agency IS NULL OR r.source = $agency) "
             "AND ($since IS NULL OR date(coalesce(r.at, r.last_seen)) IS NULL "
             "OR date(coalesce(r.at, r.last_seen)) >= date($since)) "
             "AND ($until IS NULL OR date(coalesce(r.at, r.first_seen)) IS NULL "
             "OR date(coalesce(r.at, r.first_seen)) <= date($until))")


def _hop_query(types: list[str] | None, labels: list[str] | None) -> str:
    """One hop from each node of ``$frontier``: at most ``$per_node`` distinct neighbours
    each (the first met), with at most ``$per_node`` of the relationships to each (two
    accounts with hundreds of transfers, a route's parallel journey legs), so that many
    relationships to one neighbour never hide the others."""
    rel = "r:" + "|".join(rel_type(t) for t in types) if types else "r"
    lab = " OR ".join(f"n:{label(x)}" for x in labels) if labels else "true"
    return f"""
UNWIND $frontier AS eid
MATCH (a) WHERE elementId(a) = eid
CALL (a) {{
  MATCH (a)-[{rel}]-(n)
  WHERE ({lab}) AND {_VISIBLE} AND {_FOLLOWED}
  WITH DISTINCT n LIMIT $per_node
  CALL (a, n) {{
    MATCH (a)-[{rel}]-(n) WHERE {_FOLLOWED}
    RETURN r LIMIT $per_node
  }}
  RETURN r, n
}}
RETURN elementId(n) AS eid, properties(n) AS props, labels(n) AS labels, {_NAME} AS name,
       COUNT {{ (n)--() }} AS degree,
       elementId(r) AS rid, type(r) AS type, properties(r) AS rprops,
       startNode(r).id AS from_id, endNode(r).id AS to_id
LIMIT $rows
"""


_VISIBLE_DEGREE = f"""
UNWIND $eids AS eid
MATCH (n) WHERE elementId(n) = eid
RETURN eid, COUNT {{ (n)-[r]-(m) WHERE NOT elementId(m) IN $hidden AND {_REL_VISIBLE} }} AS degree
"""


def neighbourhood(
    scope: Scope,
    entity_id: str,
    *,
    depth: int = 1,
    node_label: str | None = None,
    labels: Iterable[str] | None = None,
    rel_types: Iterable[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    agency: str | None = None,
    limit: int = MAX_NODES,
    hub_degree: int = HUB_DEGREE,
    expand: Iterable[str] = (),
    hub_limit: int = HUB_LIMIT,
) -> dict[str, Any] | None:
    """The entity and everything within ``depth`` hops, breadth first, capped,
    with dense hubs collapsed.

    Parameters
    ----------
    depth : 1..3
    labels : neighbour labels to keep (start node always kept)
    rel_types : relationship types to follow
    since, until : ISO dates; a relationship is kept when its time
        (``at``, else ``first_seen``..``last_seen``) overlaps the range;
        undated relationships (e.g. ``LOCATED_IN``) are always kept
    agency : keep only relationships reported by this agency (``source``)
    limit : at most this many nodes (≤ :data:`MAX_NODES`); ``truncated`` tells
        whether more were reachable
    hub_degree : a neighbour with more relationships than this (a country, a
        city where hundreds live, a border crossing) is returned with
        ``collapsed: true`` and its visible ``degree``, and not walked through
    expand : ids of nodes whose neighbours the caller asks for explicitly
        (the start node always is); at most ``hub_limit`` neighbours each

    Returns
    -------
    ``{"nodes": [...], "edges": [...], "truncated": bool, "collapsed": [ids]}``
    or None when the entity does not exist (or is hidden from the scope).
    """
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be 1..{MAX_DEPTH}")
    limit = max(1, min(int(limit), MAX_NODES))
    hub_limit = max(1, min(int(hub_limit), MAX_NODES))
    types = _check_types(rel_types)
    labs = _check_labels(labels)
    comp = scope.compartment()
    params = comp.params()
    start = find_by_id(scope, entity_id, node_label)
    if not start:
        return None
    s = start[0]
    eid = s.pop("_eid")
    wanted = {str(x) for x in expand} | {str(s["id"])}
    nodes: dict[str, dict[str, Any]] = {eid: s}
    edges: dict[str, dict[str, Any]] = {}
    pending_edges: list[tuple[str, str, dict[str, Any]]] = []
    collapsed: dict[str, dict[str, Any]] = {}
    frontier = [eid]
    truncated = False
    q = _hop_query(types, labs)
    row_cap = limit * 4 + 50
    per_node = max(hub_limit, hub_degree) + 1
    for _ in range(depth):
        if not frontier:
            break
        rows = read(scope, q, frontier=frontier, agency=agency, since=since, until=until, rows=row_cap,
                    per_node=per_node, **params)
        if len(rows) >= row_cap:
            truncated = True
        nxt: list[str] = []
        for r in rows:
            if r["eid"] not in nodes:
                if len(nodes) >= limit:
                    truncated = True
                    continue
                n = _node(r["props"], r["labels"], r["name"])
                nodes[r["eid"]] = n
                if int(r["degree"]) > hub_degree and str(n["id"]) not in wanted:
                    n["collapsed"] = True
                    n["degree"] = int(r["degree"])
                    collapsed[r["eid"]] = n
                else:
                    nxt.append(r["eid"])
            pending_edges.append((r["rid"], r["eid"], _edge(r["from_id"], r["to_id"], r["type"], r["rprops"])))
        frontier = nxt
    if collapsed and not comp.empty:  # never count what the scope may not see
        for r in read(scope, _VISIBLE_DEGREE, eids=list(collapsed), **params):
            collapsed[r["eid"]]["degree"] = int(r["degree"])
    kept_ids = {n["id"] for n in nodes.values()}
    for rid, _neid, e in pending_edges:
        if rid not in edges and e["from"] in kept_ids and e["to"] in kept_ids:
            edges[rid] = {"id": rid, **e}
    return {"nodes": list(nodes.values()), "edges": list(edges.values()), "truncated": truncated,
            "collapsed": [n["id"] for n in collapsed.values()]}


def shortest_path(
    scope: Scope,
    from_id: str,
    to_id: str,
    *,
    max_length: int = 6,
    rel_types: Iterable[str] | None = None,
) -> dict[str, Any] | None:
    """One shortest (undirected) path between two entities, through visible nodes only.

    Returns ``{"nodes", "edges", "length", "truncated": False}``; ``length`` is
    None and the lists empty when no path of at most ``max_length`` exists;
    None when either entity does not exist (or is hidden).
    """
    if not 1 <= max_length <= 10:
        raise ValueError("max_length must be 1..10")
    types = _check_types(rel_types)
    a = find_by_id(scope, from_id, None)
    b = find_by_id(scope, to_id, None)
    if not a or not b:
        return None
    rel = ":" + "|".join(rel_type(t) for t in types) if types else ""
    q = f"""
MATCH (a) WHERE elementId(a) = $ea
MATCH (b) WHERE elementId(b) = $eb
MATCH p = shortestPath((a)-[{rel}*..{int(max_length)}]-(b))
WHERE all(n IN nodes(p) WHERE {_VISIBLE}) AND all(r IN relationships(p) WHERE {_REL_VISIBLE})
RETURN [n IN nodes(p) | {{props: properties(n), labels: labels(n), name: {_NAME}}}] AS nodes,
       [r IN relationships(p) | {{type: type(r), props: properties(r), from_id: startNode(r).id,
                                 to_id: endNode(r).id}}] AS rels
"""
    if a[0]["_eid"] == b[0]["_eid"]:
        n = dict(a[0])
        n.pop("_eid")
        return {"nodes": [n], "edges": [], "length": 0, "truncated": False}
    rows = read(scope, q, ea=a[0]["_eid"], eb=b[0]["_eid"], **scope.compartment().params())
    if not rows:
        return {"nodes": [], "edges": [], "length": None, "truncated": False}
    r = rows[0]
    return {"nodes": [_node(n["props"], n["labels"], n["name"]) for n in r["nodes"]],
            "edges": [_edge(e["from_id"], e["to_id"], e["type"], e["props"]) for e in r["rels"]],
            "length": len(r["rels"]), "truncated": False}


_SAMPLE = """
MATCH (n:{lab}) WHERE COUNT {{ (n)--() }} >= $min_degree AND ($hidden IS NULL OR NOT elementId(n) IN $hidden)
RETURN n.id AS id ORDER BY n.id LIMIT $n
"""


def sample_ids(scope: Scope, node_label: str, n: int = 20, min_degree: int = 1) -> list[str]:
    """Up to ``n`` visible ids of ``node_label`` nodes with at least ``min_degree`` relationships
    (for benchmarks and smoke tests)."""
    p = scope.compartment().params()
    return [r["id"] for r in read(scope, _SAMPLE.format(lab=label(node_label)), n=int(n),
                                  min_degree=int(min_degree), hidden=p["hidden"])]


# ------------------------------------------------------------------- stats
_HIDDEN_RELS = """
UNWIND $hidden AS eid
MATCH (n) WHERE elementId(n) = eid
MATCH (n)-[r]-()
WITH DISTINCT r
RETURN type(r) AS type, count(*) AS c
"""
_HIDDEN_MOVES = f"""
MATCH ()-[r:{rel_type('MOVED')}]->() WHERE r.case_id IN $hidden_cases RETURN count(r) AS c
"""


def visible_stats(scope: Scope) -> dict[str, dict[str, int]]:
    """:func:`graph.db.stats` minus what is hidden from the scope: hidden nodes,
    relationships touching them and journey legs of hidden cases."""
    out = stats(scope)
    comp = scope.compartment()
    if comp.empty:
        return out
    for lab, ids in comp.hidden.items():
        if lab in out["nodes"]:
            out["nodes"][lab] = max(0, out["nodes"][lab] - len(ids))
    p = comp.params()
    for r in read(scope, _HIDDEN_RELS, hidden=p["hidden"]):
        if r["type"] in out["relationships"]:
            out["relationships"][r["type"]] = max(0, out["relationships"][r["type"]] - int(r["c"]))
    moved = int(read(scope, _HIDDEN_MOVES, hidden_cases=p["hidden_cases"])[0]["c"])
    if "MOVED" in out["relationships"]:
        out["relationships"]["MOVED"] = max(0, out["relationships"]["MOVED"] - moved)
    return out
