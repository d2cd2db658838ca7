"""Connections and the read/write functions the rest of netintel calls.

Reads go through :func:`read`, which takes a :class:`graph.scope.Scope` (who
is asking) and refuses to run without one: there is no unscoped read outside
this package.  Writes go through functions marked :func:`writes`, which bump
the store's data version (every cache keyed by it is then stale).  Both use
managed transactions, retried by the driver on transient errors; every
transaction function consumes its result and returns plain data, so it is
safe to retry.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ParamSpec, TypeVar

from neo4j import Driver, GraphDatabase, ManagedTransaction

from . import cypher
from .model import NODE_LABELS, REL_TYPES
from .scope import Scope, check_memory_only, forget_data_version
from .settings import Settings, get_settings

P = ParamSpec("P")
R = TypeVar("R")

__all__ = [
    "connect",
    "ensure_schema",
    "write_batch",
    "run_autocommit",
    "read",
    "writes",
    "bump_data_version",
    "forget_bookmarks",
    "existing_ids",
    "stats",
    "record_run",
    "clear_database",
]

_BUMP = """
MERGE (m:NetintelMeta {id: 'data'})
ON CREATE SET m.epoch = randomUUID()
SET m.version = coalesce(m.version, 0) + 1, m.changed_at = datetime()
"""


def _bump(driver: Any) -> None:
    with driver.session() as session:
        session.execute_write(_write, _BUMP, {})
    forget_data_version(driver)


def writes(bump: bool = True) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a function of :mod:`graph` as a write (its first argument is the driver).

    With ``bump`` (the default) the store's data version is bumped after the
    write, so caches keyed by it recompute; bulk writers (``write_batch``)
    leave that to the run that calls them (:func:`record_run`).
    """

    def deco(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            finally:
                if bump and args:
                    _bump(args[0])

        wrapper.__netintel_write__ = True  # type: ignore[attr-defined]
        return wrapper

    return deco



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


def forget_bookmarks(driver: Driver) -> None:
    """Drop the bookmarks ``driver.execute_query`` waits for.

    Needed by a driver that outlives an offline import (``netintel ingest
    --bulk``): the imported store's transaction ids start again low, and a
    bookmark of the old store would make every query wait for a transaction
    that never comes (``BookmarkTimeout``).
    """
    driver._query_bookmark_manager = GraphDatabase.bookmark_manager()


@writes()
def bump_data_version(driver: Driver) -> None:
    """Bump the data version (after a write made outside these functions)."""


@writes()
def ensure_schema(driver: Driver, timings: dict[str, float] | None = None,
                  statements: Sequence[str] | None = None) -> None:
    """Create every constraint and index of the model (idempotent) and wait for them.

    All statements run in one transaction: on a store with data (after the bulk
    path's import) the indexes are then populated together from the commit on,
    not one statement after the other (each statement its own schema
    transaction, a constraint's returning only once its index is built); the
    plain indexes come first, so the long populations (the full-text index)
    start before the constraints' builds.  ``timings`` (when given) receives
    the seconds of each step: ``schema_create`` (the transaction: its commit
    returns once the constraints' indexes are built), ``index_population``
    (waiting for the other indexes) and ``mark_restricted``.  ``statements``:
    some of :func:`graph.cypher.schema_statements` only (``bench/indexes.py``
    times the population of each kind).
    """
    t = time.perf_counter()
    stmts = sorted(cypher.schema_statements() if statements is None else statements,
                   key=lambda q: q.startswith("CREATE CONSTRAINT"))
    with driver.session() as session:
        with session.begin_transaction(timeout=3600) as tx:
            for stmt in stmts:
                tx.run(stmt).consume()
            tx.commit()
    t1 = time.perf_counter()
    driver.execute_query("CALL db.awaitIndexes(3600)")
    t2 = time.perf_counter()
    driver.execute_query(cypher.MARK_RESTRICTED_CASES)
    if timings is not None:
        timings.update(schema_create=t1 - t, index_population=t2 - t1, mark_restricted=time.perf_counter() - t2)


@writes(bump=False)
def drop_schema(driver: Driver) -> None:
    """Drop the model's constraints and indexes (those :func:`ensure_schema` creates; none
    other): ``bench/indexes.py`` times building them again.  netintel's commands never
    leave a store without them."""
    for q in cypher.drop_schema_statements():
        driver.execute_query(q)


def _write(tx: ManagedTransaction, query: str, params: dict[str, Any]) -> None:
    tx.run(query, params).consume()


@writes(bump=False)
def write_batch(driver: Driver, query: str, rows: Sequence[dict[str, Any]]) -> None:
    """Run one batched write (``UNWIND $rows``) in a managed transaction."""
    with driver.session() as session:
        session.execute_write(_write, query, {"rows": list(rows)})


@writes()
def run_autocommit(driver: Driver, cypher_query: str, /, **params: Any) -> None:
    """Run a query in an implicit (auto-commit) transaction, as ``CALL … IN TRANSACTIONS`` needs."""
    with driver.session() as session:
        session.run(cypher_query, params).consume()


def _read(tx: ManagedTransaction, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [r.data() for r in tx.run(query, params)]


def read(scope: Scope, cypher_query: str, /, **params: Any) -> list[dict[str, Any]]:
    """Run a read query for ``scope`` in a managed (retried) transaction; rows as dicts.

    The one door: a read without a :class:`~graph.scope.Scope` is refused.
    Filtering what the scope may not see is the caller's query's job (the
    readers of :mod:`graph` all take the scope's compartment parameters).
    """
    if not isinstance(scope, Scope):
        raise TypeError(f"graph reads need a Scope (who is asking), not {type(scope).__name__}")
    check_memory_only("a store read")
    with scope.driver.session() as session:
        return session.execute_read(_read, cypher_query, params)


def existing_ids(scope: Scope, node_label: str, ids: Iterable[str], batch: int = 20000) -> set[str]:
    """The subset of ``ids`` present in the database with ``node_label`` (all of them:
    an operator's question, e.g. an ingest checking references)."""
    ids = list(ids)
    found: set[str] = set()
    q = cypher.existing_ids(node_label)
    for i in range(0, len(ids), batch):
        found.update(r["id"] for r in read(scope, q, ids=ids[i : i + batch]))
    return found


def stats(scope: Scope) -> dict[str, dict[str, int]]:
    """``{"nodes": {label: count}, "relationships": {type: count}}`` for the model's
    labels/types, whole store (see :func:`graph.explore.visible_stats` for a user's view)."""
    nodes = {lab: read(scope, cypher.count_label(lab))[0]["c"] for lab in NODE_LABELS}
    rels = {t: read(scope, cypher.count_rel_type(t))[0]["c"] for t in REL_TYPES}
    return {"nodes": nodes, "relationships": rels}


@writes()
def record_run(driver: Driver, run_id: str, props: dict[str, Any]) -> None:
    """Log an ingest run (start and end); bumps the data version."""
    driver.execute_query(cypher.RECORD_RUN, id=run_id, props=props)


@writes()
def clear_database(driver: Driver, batch: int = 10000) -> None:
    """Delete every node and relationship (used by tests and `netintel reset`): relationships
    first, then nodes, ``batch`` at a time, so no transaction grows with the database."""
    for query in (cypher.DELETE_RELS_BATCH, cypher.DELETE_ALL_BATCH):
        while True:
            recs, _, _ = driver.execute_query(query, limit=batch)
            if recs[0]["deleted"] == 0:
                break

