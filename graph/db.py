"""Connections and the read/write functions the rest of netintel calls.

Reads go through ``execute_read`` and writes through ``execute_write``
(managed transactions, retried by the driver on transient errors); every
transaction function consumes its result and returns plain data, so it is
safe to retry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from neo4j import Driver, GraphDatabase, ManagedTransaction

from . import cypher
from .model import NODE_LABELS, REL_TYPES
from .settings import Settings, get_settings

__all__ = [
    "connect",
    "ensure_schema",
    "write_batch",
    "run_autocommit",
    "read",
    "existing_ids",
    "stats",
    "search_names",
    "record_run",
    "clear_database",
]


def connect(settings: Settings | None = None) -> Driver:
    """A verified driver for the configured Neo4j (managed or external)."""
    s = settings or get_settings()
    drv = GraphDatabase.driver(
        s.uri,
        auth=(s.user, s.password()),
        max_connection_pool_size=16,
        notifications_min_severity="OFF",
    )
    try:
        drv.verify_connectivity()
    except Exception:
        drv.close()
        raise
    return drv


def ensure_schema(driver: Driver) -> None:
    """Create every constraint and index of the model (idempotent) and wait for them."""
    for stmt in cypher.schema_statements():
        driver.execute_query(stmt)
    driver.execute_query("CALL db.awaitIndexes(300)")
    driver.execute_query(cypher.MARK_RESTRICTED_CASES)


def _write(tx: ManagedTransaction, query: str, params: dict[str, Any]) -> None:
    tx.run(query, params).consume()


def write_batch(driver: Driver, query: str, rows: Sequence[dict[str, Any]]) -> None:
    """Run one batched write (``UNWIND $rows``) in a managed transaction."""
    with driver.session() as session:
        session.execute_write(_write, query, {"rows": list(rows)})


def run_autocommit(driver: Driver, cypher_query: str, /, **params: Any) -> None:
    """Run a query in an implicit (auto-commit) transaction, as ``CALL … IN TRANSACTIONS`` needs."""
    with driver.session() as session:
        session.run(cypher_query, params).consume()  # type: ignore[arg-type]


def _read(tx: ManagedTransaction, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [r.data() for r in tx.run(query, params)]


def read(driver: Driver, cypher_query: str, /, **params: Any) -> list[dict[str, Any]]:
    """Run a read query in a managed (retried) transaction; rows as dicts."""
    with driver.session() as session:
        return session.execute_read(_read, cypher_query, params)


def existing_ids(driver: Driver, node_label: str, ids: Iterable[str], batch: int = 20000) -> set[str]:
    """The subset of ``ids`` present in the database with ``node_label``."""
    ids = list(ids)
    found: set[str] = set()
    q = cypher.existing_ids(node_label)
    for i in range(0, len(ids), batch):
        found.update(r["id"] for r in read(driver, q, ids=ids[i : i + batch]))
    return found


def stats(driver: Driver) -> dict[str, dict[str, int]]:
    """``{"nodes": {label: count}, "relationships": {type: count}}`` for the model's labels/types."""
    nodes = {lab: read(driver, cypher.count_label(lab))[0]["c"] for lab in NODE_LABELS}
    rels = {t: read(driver, cypher.count_rel_type(t))[0]["c"] for t in REL_TYPES}
    return {"nodes": nodes, "relationships": rels}


def search_names(driver: Driver, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Full-text search over person and organisation names (Thai or Latin)."""
    return read(driver, cypher.FULLTEXT_SEARCH, query=query, limit=limit)


def record_run(driver: Driver, run_id: str, props: dict[str, Any]) -> None:
    driver.execute_query(cypher.RECORD_RUN, id=run_id, props=props)


def clear_database(driver: Driver, batch: int = 10000) -> None:
    """Delete every node and relationship (used by tests and `netintel reset`)."""
    while True:
        recs, _, _ = driver.execute_query(cypher.DELETE_ALL_BATCH, limit=batch)
        if recs[0]["deleted"] == 0:
            break

