"""Reads behind the investigator-facing API: search, entity, neighbourhood, path.

All Cypher here is parameterised; labels and relationship types are only
interpolated after :func:`graph.cypher.label` / :func:`graph.cypher.rel_type`
checked them against the model.  Reads go through :func:`graph.db.read`
(managed, retried transactions).  Results are plain JSON-able dicts:
nodes ``{id, label, name, ...properties}``, edges ``{from, to, type, ...properties}``.

Case compartments: a ``Case`` whose ``restricted_to`` list is not empty is
visible only to the users or units it names.  The ``user`` argument of the
functions here is ``None`` ("sees everything", used for admins), a user name,
a list of principals (the user name and the user's units) or a
:class:`Compartment` already computed for the request.  Hidden are the
restricted cases the principals are not named in **and what only they connect
to** (see :func:`compartment`); hidden nodes are neither returned nor
traversed, and journey legs (``MOVED``) of hidden cases are dropped.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from neo4j import Driver

from .cypher import RESTRICTED_LABEL, label, rel_type
from .db import read
from .model import FULLTEXT_INDEX, NODE_LABELS

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
    "Compartment",
    "compartment",
    "visible_stats",
    "restrict_network",
    "restrict_journeys",
    "restrict_transfers",
    "restrict_pairs",
    "MAX_NODES",
    "MAX_DEPTH",
]

MAX_NODES = 500
MAX_DEPTH = 3
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
_NAME = ("coalesce(n.full_name, n.name, n.case_number, n.plate, n.account_number, n.full_name_latin, "
         "n.name_latin, n.id)")
#: node ``n`` is visible (``$hidden``: element ids of hidden nodes, None when nothing is hidden)
_VISIBLE = "($hidden IS NULL OR NOT elementId(n) IN $hidden)"
#: relationship ``r`` is visible (journey legs carry the case they belong to)
_REL_VISIBLE = "($hidden_cases IS NULL OR r.case_id IS NULL OR NOT r.case_id IN $hidden_cases)"


# ------------------------------------------------------------ compartments
_COMPARTMENT = f"""
MATCH (c:{RESTRICTED_LABEL})
WHERE none(x IN $principals WHERE x IN c.restricted_to)
WITH collect(c) AS hc
CALL {{
  WITH hc
  UNWIND hc AS c
  MATCH (c)--(n)
  WHERE NOT n:{label('Case')} AND NOT n:{label('Location')}
    AND NOT EXISTS {{ MATCH (n)--(v:{label('Case')}) WHERE NOT v IN hc }}
  RETURN collect(DISTINCT n) AS t1
}}
CALL {{
  WITH hc, t1
  UNWIND t1 AS p
  MATCH (p)--(m)
  WHERE NOT m:{label('Case')} AND NOT m:{label('Location')} AND NOT m IN t1
  WITH DISTINCT m, hc, t1
  WHERE CASE WHEN m:{label('BankAccount')} OR m:{label('Vehicle')}
        THEN all(o IN [(m)<-[:{rel_type('HOLDS')}|{rel_type('OWNS')}]-(o) | o] WHERE o IN t1)
             AND NOT EXISTS {{ MATCH (m)--(v:{label('Case')}) WHERE NOT v IN hc }}
        ELSE all(y IN [(m)--(y) WHERE NOT y:{label('Location')} | y] WHERE y IN t1 OR y IN hc) END
  RETURN collect(m) AS t2
}}
UNWIND hc + t1 + t2 AS h
RETURN DISTINCT elementId(h) AS eid, h.id AS id, labels(h) AS labels, h IN hc AS is_case
"""


@dataclass(frozen=True)
class Compartment:
    """What one user may not see: restricted cases they are not named in and
    what only those cases connect to.

    ``hidden_eids`` are Neo4j element ids, ``hidden`` maps a label to the
    hidden ids of that label, ``hidden_cases`` are the hidden case ids.
    """

    principals: tuple[str, ...]
    hidden_eids: frozenset[str] = frozenset()
    hidden: dict[str, frozenset[str]] = field(default_factory=dict)
    hidden_cases: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.hidden_eids

    def hides(self, node_label: str, node_id: Any) -> bool:
        """True when the node ``node_label``/``node_id`` is hidden."""
        return node_id in self.hidden.get(node_label, frozenset())

    def hides_any(self, node_id: Any) -> bool:
        """True when some hidden node (of any label) has this id."""
        return any(node_id in ids for ids in self.hidden.values())

    def params(self) -> dict[str, Any]:
        """The ``$hidden`` / ``$hidden_cases`` query parameters (None: nothing hidden)."""
        if self.empty:
            return {"hidden": None, "hidden_cases": None}
        return {"hidden": sorted(self.hidden_eids), "hidden_cases": sorted(self.hidden_cases)}


UserArg: TypeAlias = "str | Sequence[str] | Compartment | None"
_NOTHING_HIDDEN: dict[str, Any] = {"hidden": None, "hidden_cases": None}


def compartment(driver: Driver, user: UserArg) -> Compartment | None:
    """The :class:`Compartment` of ``user`` (None for ``user=None``: sees everything).

    Hidden from principals P (a user name and the user's units):

    1. every ``Case`` with a non-empty ``restricted_to`` that names none of P;
    2. every node (not a case, not a location) tied to such a case and to no
       visible case (e.g. a person involved only in hidden cases);
    3. every node next to a node of (2) whose other ties are all hidden; a
       ``BankAccount`` or ``Vehicle`` whose holders/owners are all in (2)
       and that is used in no visible case.

    Locations are reference data and stay visible; journey legs of hidden
    cases are hidden by the readers.
    """
    if user is None or isinstance(user, Compartment):
        return user
    principals = (user,) if isinstance(user, str) else tuple(user)
    # The compartment changes only when data is loaded: cache it per principals and
    # data version (the ingest-run log), with a time limit as a safety net.
    version = read(driver, _DATA_VERSION)[0]
    # a wrapping driver (the API's time-out guard, new per request) exposes the real one as .wrapped
    key = (id(getattr(driver, "wrapped", driver)), tuple(sorted(principals)), version["n"], str(version["started"]), str(version["finished"]))
    now = time.monotonic()
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and now - hit[0] < _CACHE_SECONDS:
            return hit[1]
    comp = _compute_compartment(driver, principals)
    with _CACHE_LOCK:
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = (now, comp)
    return comp


_DATA_VERSION = "MATCH (r:IngestRun) RETURN count(r) AS n, max(r.started_at) AS started, max(r.finished_at) AS finished"
_CACHE: dict[tuple[Any, ...], tuple[float, Compartment]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SECONDS = 300.0


def _compute_compartment(driver: Driver, principals: tuple[str, ...]) -> Compartment:
    hidden: dict[str, set[str]] = {}
    eids: set[str] = set()
    cases: set[str] = set()
    for r in read(driver, _COMPARTMENT, principals=list(principals)):
        eids.add(r["eid"])
        lab = next((x for x in r["labels"] if x in NODE_LABELS), r["labels"][0] if r["labels"] else "")
        hidden.setdefault(lab, set()).add(r["id"])
        if r["is_case"]:
            cases.add(r["id"])
    return Compartment(principals, frozenset(eids), {k: frozenset(v) for k, v in hidden.items()},
                       frozenset(cases))


def _params(driver: Driver, user: UserArg) -> dict[str, Any]:
    comp = compartment(driver, user)
    return comp.params() if comp is not None else dict(_NOTHING_HIDDEN)


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


def search_names(driver: Driver, text: str, limit: int = 20, user: UserArg = None) -> list[dict[str, Any]]:
    """Fuzzy full-text search over person and organisation names (Thai or Latin);
    nodes hidden from ``user`` are left out."""
    q = fulltext_query(text)
    if not q:
        return []
    p = _params(driver, user)
    rows = read(driver, _SEARCH, query=q, limit=int(limit), extra=len(p["hidden"] or ()), **p)
    return [{"id": r["id"], "label": next((x for x in r["labels"] if x in NODE_LABELS), ""), "name": r["name"],
             "score": float(r["score"]), "name_latin": r["name_latin"], "nationality": r["nationality"],
             "match": "name"} for r in rows]


def _by_id_query(labels: Iterable[str]) -> str:
    parts = [f"MATCH (n:{label(lab)} {{id: $id}}) WHERE {_VISIBLE} RETURN n" for lab in labels]
    return ("CALL { " + " UNION ".join(parts) + " } "
            f"RETURN elementId(n) AS eid, properties(n) AS props, labels(n) AS labels, {_NAME} AS name")


def find_by_id(driver: Driver, entity_id: str, node_label: str | None = None,
               user: UserArg = None) -> list[dict[str, Any]]:
    """Nodes with this ``id`` (one per label at most), as node dicts with ``_eid``."""
    labels = [node_label] if node_label else list(NODE_LABELS)
    rows = read(driver, _by_id_query(labels), id=entity_id, **_params(driver, user))
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


def find_by_phone(driver: Driver, phone_e164: str, limit: int = 20, user: UserArg = None) -> list[dict[str, Any]]:
    """Persons with this (already normalised, E.164) phone number."""
    return _simple(read(driver, _BY_PHONE, phone=phone_e164, limit=int(limit), **_params(driver, user)), "phone")


def find_by_plate(driver: Driver, plate: str, limit: int = 20, user: UserArg = None) -> list[dict[str, Any]]:
    """Vehicles with this (already normalised) plate."""
    return _simple(read(driver, _BY_PLATE, plate=plate, limit=int(limit), **_params(driver, user)), "plate")


def find_by_account(driver: Driver, number: str, limit: int = 20, user: UserArg = None) -> list[dict[str, Any]]:
    """Bank accounts by account number (as typed, or without spaces/hyphens)."""
    numbers = list(dict.fromkeys([number.strip(), re.sub(r"[\s\-]", "", number)]))
    return _simple(read(driver, _BY_ACCOUNT, numbers=numbers, limit=int(limit), **_params(driver, user)),
                   "account")


def entity(driver: Driver, entity_id: str, node_label: str | None = None,
           user: UserArg = None) -> dict[str, Any] | None:
    """One node by id (the first label of the model order when ids collide), or None."""
    found = find_by_id(driver, entity_id, node_label, user)
    if not found:
        return None
    d = dict(found[0])
    d.pop("_eid", None)
    return d


def existing(driver: Driver, node_label: str, ids: Sequence[str], user: UserArg = None) -> set[str]:
    """The subset of ``ids`` that exist (and are visible to ``user``) with ``node_label``."""
    q = f"UNWIND $ids AS id MATCH (n:{label(node_label)} {{id: id}}) WHERE {_VISIBLE} RETURN n.id AS id"
    return {r["id"] for r in read(driver, q, ids=list(ids), **_params(driver, user))}


_ACCOUNTS = f"""
UNWIND $ids AS id MATCH (n:{label('BankAccount')} {{id: id}})
RETURN n.id AS id, n.holder_name AS holder_name, n.bank_code AS bank_code, n.account_number AS account_number,
       n.sources AS sources
"""


def account_details(driver: Driver, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Holder, bank and number of accounts (for labelling money-trail views)."""
    return {r["id"]: {k: v for k, v in r.items() if k != "id" and v is not None}
            for r in read(driver, _ACCOUNTS, ids=list(ids))}


# ----------------------------------------------------------- neighbourhood
def _check_types(types: Iterable[str] | None) -> list[str] | None:
    return [rel_type(t).strip("`") for t in types] if types else None


def _check_labels(labels: Iterable[str] | None) -> list[str] | None:
    return [label(x).strip("`") for x in labels] if labels else None


def _hop_query(types: list[str] | None, labels: list[str] | None) -> str:
    rel = "r:" + "|".join(rel_type(t) for t in types) if types else "r"
    lab = " OR ".join(f"n:{label(x)}" for x in labels) if labels else "true"
    return f"""
UNWIND $frontier AS eid
MATCH (a) WHERE elementId(a) = eid
MATCH (a)-[{rel}]-(n)
WHERE ({lab}) AND {_VISIBLE} AND {_REL_VISIBLE} AND ($agency IS NULL OR r.source = $agency)
WITH a, r, n, date(coalesce(r.at, r.first_seen)) AS lo, date(coalesce(r.at, r.last_seen)) AS hi
WHERE ($since IS NULL OR hi IS NULL OR hi >= date($since)) AND ($until IS NULL OR lo IS NULL OR lo <= date($until))
RETURN elementId(n) AS eid, properties(n) AS props, labels(n) AS labels, {_NAME} AS name,
       elementId(r) AS rid, type(r) AS type, properties(r) AS rprops,
       startNode(r).id AS from_id, endNode(r).id AS to_id
LIMIT $rows
"""


def neighbourhood(
    driver: Driver,
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
    user: UserArg = None,
) -> dict[str, Any] | None:
    """The entity and everything within ``depth`` hops, breadth first, capped.

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

    Returns
    -------
    ``{"nodes": [...], "edges": [...], "truncated": bool}`` or None when the
    entity does not exist (or is hidden from ``user``).
    """
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be 1..{MAX_DEPTH}")
    limit = max(1, min(int(limit), MAX_NODES))
    types = _check_types(rel_types)
    labs = _check_labels(labels)
    user = compartment(driver, user)
    start = find_by_id(driver, entity_id, node_label, user)
    if not start:
        return None
    s = start[0]
    eid = s.pop("_eid")
    nodes: dict[str, dict[str, Any]] = {eid: s}
    edges: dict[str, dict[str, Any]] = {}
    pending_edges: list[tuple[str, str, dict[str, Any]]] = []
    frontier = [eid]
    truncated = False
    q = _hop_query(types, labs)
    row_cap = limit * 4 + 50
    for _ in range(depth):
        if not frontier:
            break
        rows = read(driver, q, frontier=frontier, agency=agency, since=since, until=until, rows=row_cap,
                    **_params(driver, user))
        if len(rows) >= row_cap:
            truncated = True
        nxt: list[str] = []
        for r in rows:
            if r["eid"] not in nodes:
                if len(nodes) >= limit:
                    truncated = True
                    continue
                nodes[r["eid"]] = _node(r["props"], r["labels"], r["name"])
                nxt.append(r["eid"])
            pending_edges.append((r["rid"], r["eid"], _edge(r["from_id"], r["to_id"], r["type"], r["rprops"])))
        frontier = nxt
    kept_ids = {n["id"] for n in nodes.values()}
    for rid, _neid, e in pending_edges:
        if rid not in edges and e["from"] in kept_ids and e["to"] in kept_ids:
            edges[rid] = e
    return {"nodes": list(nodes.values()), "edges": list(edges.values()), "truncated": truncated}


def shortest_path(
    driver: Driver,
    from_id: str,
    to_id: str,
    *,
    max_length: int = 6,
    rel_types: Iterable[str] | None = None,
    user: UserArg = None,
) -> dict[str, Any] | None:
    """One shortest (undirected) path between two entities.

    Returns ``{"nodes", "edges", "length", "truncated": False}``; ``length`` is
    None and the lists empty when no path of at most ``max_length`` exists;
    None when either entity does not exist (or is hidden).
    """
    if not 1 <= max_length <= 10:
        raise ValueError("max_length must be 1..10")
    types = _check_types(rel_types)
    user = compartment(driver, user)
    a = find_by_id(driver, from_id, None, user)
    b = find_by_id(driver, to_id, None, user)
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
    rows = read(driver, q, ea=a[0]["_eid"], eb=b[0]["_eid"], **_params(driver, user))
    if not rows:
        return {"nodes": [], "edges": [], "length": None, "truncated": False}
    r = rows[0]
    return {"nodes": [_node(n["props"], n["labels"], n["name"]) for n in r["nodes"]],
            "edges": [_edge(e["from_id"], e["to_id"], e["type"], e["props"]) for e in r["rels"]],
            "length": len(r["rels"]), "truncated": False}



_SAMPLE = """
MATCH (n:{lab}) WHERE COUNT {{ (n)--() }} >= $min_degree
RETURN n.id AS id ORDER BY n.id LIMIT $n
"""


def sample_ids(driver: Driver, node_label: str, n: int = 20, min_degree: int = 1) -> list[str]:
    """Up to ``n`` ids of ``node_label`` nodes with at least ``min_degree`` relationships (for benchmarks)."""
    return [r["id"] for r in read(driver, _SAMPLE.format(lab=label(node_label)), n=int(n),
                                  min_degree=int(min_degree))]


# ------------------------------------------------- compartment-aware views
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


def visible_stats(driver: Driver, user: UserArg) -> dict[str, dict[str, int]]:
    """:func:`graph.db.stats` minus what is hidden from ``user``: hidden nodes,
    relationships touching them and journey legs of hidden cases."""
    from .db import stats

    out = stats(driver)
    comp = compartment(driver, user)
    if comp is None or comp.empty:
        return out
    for lab, ids in comp.hidden.items():
        if lab in out["nodes"]:
            out["nodes"][lab] = max(0, out["nodes"][lab] - len(ids))
    p = comp.params()
    for r in read(driver, _HIDDEN_RELS, hidden=p["hidden"]):
        if r["type"] in out["relationships"]:
            out["relationships"][r["type"]] = max(0, out["relationships"][r["type"]] - int(r["c"]))
    moved = int(read(driver, _HIDDEN_MOVES, hidden_cases=p["hidden_cases"])[0]["c"])
    if "MOVED" in out["relationships"]:
        out["relationships"]["MOVED"] = max(0, out["relationships"]["MOVED"] - moved)
    return out


_VISIBLE_ROLES = f"""
UNWIND $ids AS id
MATCH (p:{label('Person')} {{id: id}})-[i:{rel_type('INVOLVED_IN')}]->(c:{label('Case')})
WHERE NOT c.id IN $hidden_cases
RETURN p.id AS id, collect(DISTINCT i.role) AS roles
"""
_ROLE_ORDER = ("broker", "recruiter", "transporter", "harbourer", "financier", "employer", "suspect", "official",
               "other", "witness", "victim")


def restrict_network(driver: Driver, G: Any, user: UserArg) -> Any:
    """Remove from a :func:`graph.projection.person_network` graph what ``user`` may not see.

    Hidden persons go; hidden case ids are dropped from node and edge ``cases``;
    co-offending ties that only hidden cases support go; ``roles``/``role``
    are recomputed from visible cases.  Returns ``G`` (changed in place).
    """
    comp = compartment(driver, user)
    if comp is None or comp.empty:
        return G
    G.remove_nodes_from([n for n in list(G.nodes) if comp.hides("Person", n)])
    hc = comp.hidden_cases
    touched = []
    for n, d in G.nodes(data=True):
        cs = d.get("cases")
        if cs and any(c in hc for c in cs):
            d["cases"] = [c for c in cs if c not in hc]
            touched.append(n)
    if touched:
        roles = {r["id"]: [x for x in r["roles"] if x]
                 for r in read(driver, _VISIBLE_ROLES, ids=touched, hidden_cases=sorted(hc))}
        for n in touched:
            rs = roles.get(n, [])
            G.nodes[n]["roles"] = rs
            G.nodes[n]["role"] = next((r for r in _ROLE_ORDER if r in rs), rs[0] if rs else None)
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


def restrict_journeys(driver: Driver, journeys: Any, user: UserArg) -> Any:
    """Journey rows (:func:`graph.projection.journeys`) without hidden cases and persons."""
    comp = compartment(driver, user)
    if comp is None or comp.empty or not len(journeys):
        return journeys
    keep = ~journeys["case_id"].isin(comp.hidden_cases) & ~journeys["person_id"].isin(
        comp.hidden.get("Person", frozenset()))
    return journeys[keep].reset_index(drop=True)


def restrict_transfers(driver: Driver, transfers: Any, user: UserArg) -> Any:
    """Transfers (:func:`graph.projection.transfers`) between visible accounts only."""
    comp = compartment(driver, user)
    if comp is None or comp.empty or not len(transfers):
        return transfers
    acc = comp.hidden.get("BankAccount", frozenset())
    if not acc:
        return transfers
    keep = ~transfers["source"].isin(acc) & ~transfers["target"].isin(acc)
    return transfers[keep].reset_index(drop=True)


def restrict_pairs(driver: Driver, pairs: Any, user: UserArg, columns: Sequence[str] = ("id_left", "id_right"),
                   node_label: str = "Person") -> Any:
    """Rows of ``pairs`` whose ``columns`` name no hidden ``node_label``."""
    comp = compartment(driver, user)
    if comp is None or comp.empty or not len(pairs):
        return pairs
    ids = comp.hidden.get(node_label, frozenset())
    keep = None
    for c in columns:
        k = ~pairs[c].isin(ids)
        keep = k if keep is None else keep & k
    return pairs[keep].reset_index(drop=True)
