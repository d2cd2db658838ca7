"""Reads for the exports of the whole graph (FollowTheMoney): nodes and relationships in pages.

Pages follow the ``id`` uniqueness index (``WHERE n.id > $after ORDER BY n.id``),
so an export of 10^6 nodes never sorts or holds the whole store; what the
scope may not see (its compartment) is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import db as gdb
from .cypher import label, rel_type
from .model import NODE_LABELS, REL_TYPES, RELS
from .scope import Scope

__all__ = ["iter_nodes", "iter_relationships"]

_VISIBLE = "($hidden IS NULL OR NOT elementId({v}) IN $hidden)"


def _nodes_page(lab: str) -> str:
    return (f"MATCH (n:{label(lab)}) WHERE n.id > $after AND {_VISIBLE.format(v='n')} "
            "RETURN n.id AS id, properties(n) AS p ORDER BY n.id LIMIT $limit")


def _rels_page(lab: str, rtype: str) -> str:
    return (f"MATCH (a:{label(lab)}) WHERE a.id > $after WITH a ORDER BY a.id LIMIT $limit "
            f"OPTIONAL MATCH (a)-[r:{rel_type(rtype)}]->(b) "
            f"WHERE {_VISIBLE.format(v='a')} AND {_VISIBLE.format(v='b')} "
            "AND ($hidden_cases IS NULL OR r.case_id IS NULL OR NOT r.case_id IN $hidden_cases) "
            "RETURN a.id AS a, collect(CASE WHEN r IS NULL THEN NULL ELSE "
            "{b: b.id, p: properties(r)} END) AS rels")


def iter_nodes(scope: Scope, page: int = 5000) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(label, properties)`` of every node of the model the scope may see."""
    params = scope.compartment().params()
    for lab in NODE_LABELS:
        after = ""
        while True:
            rows = gdb.read(scope, _nodes_page(lab), after=after, limit=page, **params)
            for r in rows:
                yield lab, r["p"]
            if len(rows) < page:
                break
            after = rows[-1]["id"]


def iter_relationships(scope: Scope, page: int = 5000) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """``(type, from id, to id, properties)`` of every relationship the scope may see
    (``SAME_AS`` candidates excluded: scores, not facts)."""
    params = scope.compartment().params()
    for rtype in REL_TYPES:
        if rtype == "SAME_AS":
            continue
        starts = dict.fromkeys(lab for r in RELS if rtype in (r.type, *r.type_choices) for lab in r.from_labels)
        for lab in starts:
            after = ""
            while True:
                rows = gdb.read(scope, _rels_page(lab, rtype), after=after, limit=page, **params)
                for r in rows:
                    for rel in r["rels"]:
                        yield rtype, r["a"], rel["b"], rel["p"]
                if len(rows) < page:
                    break
                after = rows[-1]["a"]
