"""Paths between two entities, and workspaces re-read through a scope.

* :func:`k_shortest_paths`: the ``k`` shortest simple paths between two
  entities (Neo4j's ``SHORTEST k`` over a quantified path pattern), through
  nodes the scope may see only, never through the excluded labels (by
  default :data:`DEFAULT_EXCLUDE_LABELS`: a path through the city two people
  live in tells an investigator nothing) or relationship types.
* :func:`subgraph`: saved nodes (label, id) re-read through the scope, with
  the relationships among them (a shared investigation opened by someone
  else shows only what that person may see).

All Cypher is parameterised; labels and relationship types are only
interpolated after :func:`graph.cypher.label` / :func:`graph.cypher.rel_type`
checked them against the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .cypher import label, rel_type
from .db import read
from .explore import _edge, _node, find_by_id
from .model import NODE_LABELS
from .scope import Scope

__all__ = ["k_shortest_paths", "subgraph", "DEFAULT_EXCLUDE_LABELS", "MAX_K", "MAX_PATH_LENGTH"]

#: labels a path does not pass through unless asked (reference places link everyone who lives there)
DEFAULT_EXCLUDE_LABELS: tuple[str, ...] = ("Location",)
MAX_K = 10
MAX_PATH_LENGTH = 10
_NAME = ("coalesce(n.full_name, n.name, n.case_number, n.plate, n.account_number, n.full_name_latin, "
         "n.name_latin, n.id)")


def _paths_query(types: Sequence[str] | None, max_length: int, want: int) -> str:
    rel = "r:" + "|".join(rel_type(t) for t in types) if types else "r"
    return f"""
MATCH (a) WHERE elementId(a) = $ea
MATCH (b) WHERE elementId(b) = $eb
MATCH p = SHORTEST {int(want)} (a)(()-[{rel}]-(x)
    WHERE NOT type(r) IN $exclude_types
      AND ($hidden_cases IS NULL OR r.case_id IS NULL OR NOT r.case_id IN $hidden_cases)
      AND ($hidden IS NULL OR NOT elementId(x) IN $hidden)
      AND (x = b OR none(l IN labels(x) WHERE l IN $exclude_labels))){{1,{int(max_length)}}}(b)
RETURN [n IN nodes(p) | {{props: properties(n), labels: labels(n), name: {_NAME}}}] AS nodes,
       [r IN relationships(p) | {{rid: elementId(r), type: type(r), props: properties(r),
                                 from_id: startNode(r).id, to_id: endNode(r).id}}] AS rels
"""


def k_shortest_paths(
    scope: Scope,
    from_id: str,
    to_id: str,
    *,
    k: int = 3,
    max_length: int = 6,
    exclude_labels: Iterable[str] | None = DEFAULT_EXCLUDE_LABELS,
    exclude_types: Iterable[str] | None = (),
    rel_types: Iterable[str] | None = None,
) -> dict[str, Any] | None:
    """The ``k`` shortest simple paths (undirected, at most ``max_length`` hops).

    Parameters
    ----------
    exclude_labels : labels no inner node of a path may have (the two ends may)
    exclude_types : relationship types a path may not use
    rel_types : if given, the only relationship types a path may use

    Returns
    -------
    ``{"nodes", "edges", "paths": [{"nodes": [ids], "edges": [edge ids], "length"}],
    "length"}`` (nodes and edges: the union of the paths; ``length`` of the
    shortest, None when no path was found), or None when either end does
    not exist or is hidden from the scope.
    """
    if not 1 <= k <= MAX_K:
        raise ValueError(f"k must be 1..{MAX_K}")
    if not 1 <= max_length <= MAX_PATH_LENGTH:
        raise ValueError(f"max_length must be 1..{MAX_PATH_LENGTH}")
    excl_labels = [label(x).strip("`") for x in exclude_labels or ()]
    excl_types = [rel_type(t).strip("`") for t in exclude_types or ()]
    types = [rel_type(t).strip("`") for t in rel_types] if rel_types else None
    a = find_by_id(scope, from_id, None)
    b = find_by_id(scope, to_id, None)
    if not a or not b:
        return None
    if a[0]["_eid"] == b[0]["_eid"]:
        n = {k_: v for k_, v in a[0].items() if k_ != "_eid"}
        return {"nodes": [n], "edges": [], "paths": [{"nodes": [n["id"]], "edges": [], "length": 0}], "length": 0}
    # parallel relationships give paths with the same nodes: ask for more, keep k distinct node sequences
    rows = read(scope, _paths_query(types, max_length, int(k) * 3), ea=a[0]["_eid"], eb=b[0]["_eid"],
                exclude_types=excl_types, exclude_labels=excl_labels, **scope.compartment().params())
    kept: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for r in rows:
        seq = tuple(n["props"].get("id") for n in r["nodes"])
        if seq in seen or len(set(seq)) != len(seq):  # the same nodes again, or not a simple path
            continue
        seen.add(seq)
        kept.append(r)
        if len(kept) >= k:
            break
    kept.sort(key=lambda r: len(r["rels"]))  # stable: the store's order within a length
    nodes: dict[Any, dict[str, Any]] = {}
    edges: dict[str, dict[str, Any]] = {}
    paths: list[dict[str, Any]] = []
    for r in kept:
        for n in r["nodes"]:
            nodes.setdefault(n["props"].get("id"), _node(n["props"], n["labels"], n["name"]))
        for e in r["rels"]:
            edges.setdefault(e["rid"], {"id": e["rid"], **_edge(e["from_id"], e["to_id"], e["type"], e["props"])})
        paths.append({"nodes": [n["props"].get("id") for n in r["nodes"]], "edges": [e["rid"] for e in r["rels"]],
                      "length": len(r["rels"])})
    return {"nodes": list(nodes.values()), "edges": list(edges.values()), "paths": paths,
            "length": paths[0]["length"] if paths else None}


_SUBGRAPH_NODES = """
UNWIND $ids AS id
MATCH (n:{lab} {{id: id}}) WHERE ($hidden IS NULL OR NOT elementId(n) IN $hidden)
RETURN elementId(n) AS eid, properties(n) AS props, labels(n) AS labels, {name} AS name
"""
_SUBGRAPH_EDGES = """
UNWIND $eids AS eid
MATCH (a) WHERE elementId(a) = eid
MATCH (a)-[r]->(b) WHERE elementId(b) IN $eids
  AND ($hidden_cases IS NULL OR r.case_id IS NULL OR NOT r.case_id IN $hidden_cases)
RETURN elementId(r) AS rid, type(r) AS type, properties(r) AS props, a.id AS from_id, b.id AS to_id
LIMIT $max_edges
"""


def subgraph(scope: Scope, refs: Iterable[tuple[str, str]], *, max_edges: int = 20000) -> dict[str, Any]:
    """The visible nodes among ``refs`` (``(label, id)`` pairs) and every visible
    relationship among them.

    Returns ``{"nodes", "edges", "missing": [ids not found or hidden]}``; a
    hidden node answers exactly like a missing one.
    """
    by_label: dict[str, list[str]] = {}
    wanted: list[str] = []
    for lab, nid in refs:
        if lab not in NODE_LABELS:
            raise ValueError(f"unknown node label {lab!r}")
        by_label.setdefault(lab, []).append(str(nid))
        wanted.append(str(nid))
    params = scope.compartment().params()
    nodes: dict[str, dict[str, Any]] = {}
    for lab, ids in by_label.items():
        for r in read(scope, _SUBGRAPH_NODES.format(lab=label(lab), name=_NAME), ids=ids, **params):
            nodes[r["eid"]] = _node(r["props"], r["labels"], r["name"])
    edges: list[dict[str, Any]] = []
    if nodes:
        for r in read(scope, _SUBGRAPH_EDGES, eids=list(nodes), max_edges=int(max_edges), **params):
            edges.append({"id": r["rid"], **_edge(r["from_id"], r["to_id"], r["type"], r["props"])})
    found = {str(n["id"]) for n in nodes.values()}
    return {"nodes": list(nodes.values()), "edges": edges,
            "missing": [i for i in dict.fromkeys(wanted) if i not in found]}
