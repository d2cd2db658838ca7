"""Clearing a database whose hubs have many relationships: relationships go first, a batch at a
time, then the nodes, so no transaction grows with a hub's degree (a 10^6 store failed on Neo4j's
transaction memory limit when a place with a million journeys was detached in one go; Community
edition cannot lower that limit at run time, so this test checks the batching, not the limit)."""

from __future__ import annotations

from typing import Any

import pytest

from graph import cypher
from graph import db as gdb

pytestmark = pytest.mark.neo4j


def test_clear_database_deletes_relationships_then_nodes_in_batches(driver: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    gdb.clear_database(driver)
    driver.execute_query("CREATE (:Location {id: 'HUB'})")
    driver.execute_query("MATCH (h:Location {id: 'HUB'}) UNWIND range(1, 5000) AS i "
                         "CREATE (:Person {id: 'P' + i})-[:LIVES_AT]->(h)")
    deleted: list[tuple[str, int]] = []
    real = driver.execute_query

    def counting(query: str, **params: Any) -> Any:
        out = real(query, **params)
        kind = "rels" if query == cypher.DELETE_RELS_BATCH else "nodes" if query == cypher.DELETE_ALL_BATCH else "?"
        deleted.append((kind, out[0][0]["deleted"]))
        return out

    monkeypatch.setattr(driver, "execute_query", counting)
    gdb.clear_database(driver, batch=1000)
    monkeypatch.undo()
    assert [k for k, n in deleted if n] == ["rels"] * 5 + ["nodes"] * 6  # the hub's 5,000 first, 1,000 a go
    assert max(n for _, n in deleted) == 1000
    recs, _, _ = driver.execute_query("MATCH (n) WHERE NOT n:NetintelMeta RETURN count(n) AS n")
    assert recs[0]["n"] == 0
