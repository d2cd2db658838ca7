"""All Cypher of netintel, in one place.

Values always travel as ``$parameters``.  Labels and relationship types
cannot be parameters in Cypher, so the few builders below interpolate them
only after checking them against the model's whitelist
(:data:`graph.model.NODE_LABELS`, :data:`graph.model.REL_TYPES`).
"""

from __future__ import annotations

import re

from .model import FULLTEXT_FIELDS, FULLTEXT_INDEX, NODE_LABELS, NODES, REL_TYPES, date_properties

__all__ = [
    "label",
    "rel_type",
    "schema_statements",
    "upsert_nodes",
    "upsert_rels",
    "create_nodes",
    "merge_nodes",
    "create_rels",
    "existing_ids",
    "count_label",
    "count_rel_type",
    "load_csv_nodes",
    "load_csv_rels",
    "RECORD_RUN",
    "RESTRICTED_LABEL",
    "MARK_RESTRICTED_CASES",
    "DELETE_ALL_BATCH",
    "DELETE_RELS_BATCH",
]


def label(name: str) -> str:
    """A node label, checked against the model, quoted for Cypher."""
    if name not in NODE_LABELS:
        raise ValueError(f"unknown node label {name!r}")
    return f"`{name}`"


def rel_type(name: str) -> str:
    """A relationship type, checked against the model, quoted for Cypher."""
    if name not in REL_TYPES:
        raise ValueError(f"unknown relationship type {name!r}")
    return f"`{name}`"


def drop_schema_statements() -> list[str]:
    """``DROP … IF EXISTS`` of every constraint and index :func:`schema_statements` creates
    (constraints first: their own indexes go with them)."""
    out = []
    for q in sorted(schema_statements(), key=lambda q: not q.startswith("CREATE CONSTRAINT")):
        kind, name = re.match(r"CREATE (CONSTRAINT|(?:FULLTEXT )?INDEX) (\w+) IF NOT EXISTS", q).groups()  # type: ignore[union-attr]
        out.append(f"DROP {'CONSTRAINT' if kind == 'CONSTRAINT' else 'INDEX'} {name} IF EXISTS")
    return out


def schema_statements() -> list[str]:
    """Constraints and indexes, all ``IF NOT EXISTS`` (idempotent)."""
    out: list[str] = []
    for spec in NODES:
        low = spec.label.lower()
        out.append(
            f"CREATE CONSTRAINT {low}_id IF NOT EXISTS FOR (n:{label(spec.label)}) REQUIRE n.id IS UNIQUE"
        )
        for prop in spec.indexed:
            out.append(f"CREATE INDEX {low}_{prop} IF NOT EXISTS FOR (n:{label(spec.label)}) ON (n.{prop})")
    out.append(
        "CREATE INDEX transferred_txn IF NOT EXISTS FOR ()-[r:`TRANSFERRED`]-() ON (r.txn_id)"
    )
    # identity of a relationship record: found by index, not by expanding dense nodes
    for t in REL_TYPES:
        out.append(f"CREATE INDEX rel_{t.lower()}_srid IF NOT EXISTS FOR ()-[r:{rel_type(t)}]-() "
                   "ON (r.source_record_id)")
    out.append("CREATE INDEX moved_person IF NOT EXISTS FOR ()-[r:`MOVED`]-() ON (r.person_id)")
    labels = "|".join(label(n.label) for n in NODES if n.name_fields)
    fields = ", ".join(f"n.{f}" for f in FULLTEXT_FIELDS)
    # The Thai analyzer segments Thai words (no spaces between them) and
    # lower-cases Latin script, so one index serves both scripts.
    out.append(
        f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:{labels}) ON EACH [{fields}] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'thai'}}"
    )
    out.append("CREATE CONSTRAINT ingest_run_id IF NOT EXISTS FOR (n:IngestRun) REQUIRE n.id IS UNIQUE")
    return out


_SEEN = """
    n.first_seen = CASE WHEN row.seen IS NULL THEN n.first_seen
                        WHEN n.first_seen IS NULL OR row.seen < n.first_seen THEN row.seen
                        ELSE n.first_seen END,
    n.last_seen = CASE WHEN row.seen IS NULL THEN n.last_seen
                       WHEN n.last_seen IS NULL OR row.seen > n.last_seen THEN row.seen
                       ELSE n.last_seen END"""


#: Extra label on a Case whose ``restricted_to`` is not empty, so that the
#: compartment check finds restricted cases through the label index instead
#: of scanning every case.
RESTRICTED_LABEL = "RestrictedCase"
_MARK_RESTRICTED = f"""
FOREACH (_ IN CASE WHEN size(coalesce(n.restricted_to, [])) > 0 THEN [1] ELSE [] END | SET n:{RESTRICTED_LABEL})
FOREACH (_ IN CASE WHEN size(coalesce(n.restricted_to, [])) > 0 THEN [] ELSE [1] END | REMOVE n:{RESTRICTED_LABEL})
"""
#: Marks restricted cases loaded before the label existed (run by ``ensure_schema``).
MARK_RESTRICTED_CASES = f"""
MATCH (n:`Case`) WHERE size(coalesce(n.restricted_to, [])) > 0 AND NOT n:{RESTRICTED_LABEL}
SET n:{RESTRICTED_LABEL}
"""


def upsert_nodes(node_label: str) -> str:
    """MERGE a batch of nodes by ``id``; provenance lists grow, never repeat.

    Parameters: ``$rows`` = list of ``{id, props, source, ref, seen}`` where
    ``ref`` is ``"SOURCE:source_record_id"``.  A Case also gets or loses the
    :data:`RESTRICTED_LABEL` with its ``restricted_to`` list.
    """
    mark = _MARK_RESTRICTED if node_label == "Case" else ""
    return f"""
UNWIND $rows AS row
MERGE (n:{label(node_label)} {{id: row.id}})
ON CREATE SET n.sources = [], n.source_record_ids = []
SET n += row.props,
    n.sources = CASE WHEN row.source IN n.sources THEN n.sources ELSE n.sources + row.source END,
    n.source_record_ids = CASE WHEN row.ref IN n.source_record_ids THEN n.source_record_ids
                               ELSE n.source_record_ids + row.ref END,{_SEEN}{mark}
"""


def upsert_rels(rtype: str, from_label: str, to_label: str) -> str:
    """Upsert a batch of relationships identified by (type, from, to, source, source_record_id).

    Parameters: ``$rows`` = list of ``{from, to, source, source_record_id, props, seen}``.

    An existing relationship is found through the relationship index on
    ``source_record_id`` (see :func:`schema_statements`), not by expanding
    from its end nodes: a plain ``MERGE (a)-[r]->(b)`` scans the
    relationships of ``a`` or ``b``, which is quadratic when both ends are
    dense (a border crossing that thousands of journey legs pass through).
    Rows of one batch never share a key (the loader rejects duplicate
    records), so create-if-absent here is equivalent to MERGE.
    """
    t = rel_type(rtype)
    return f"""
UNWIND $rows AS row
MATCH (a:{label(from_label)} {{id: row.from}})
MATCH (b:{label(to_label)} {{id: row.to}})
OPTIONAL MATCH ()-[old:{t} {{source_record_id: row.source_record_id}}]->()
  WHERE old.source = row.source AND startNode(old) = a AND endNode(old) = b
WITH a, b, row, head(collect(old)) AS n
FOREACH (_ IN CASE WHEN n IS NULL THEN [1] ELSE [] END |
  CREATE (a)-[new:{t} {{source: row.source, source_record_id: row.source_record_id}}]->(b)
  SET new += row.props, new.first_seen = row.seen, new.last_seen = row.seen)
FOREACH (_ IN CASE WHEN n IS NULL THEN [] ELSE [1] END |
  SET n += row.props,{_SEEN})
"""


def _dates_back(var: str, name: str) -> str:
    """``, n.k = date(row.p.k)`` for each date property of ``name``: the fast paths get
    dates as ISO strings (packed by the driver several times faster than date values)."""
    return "".join(f", {var}.`{k}` = date(row.p.`{k}`)" for k in date_properties(name))


def create_nodes(node_label: str, restricted: bool = False) -> str:
    """CREATE a batch of nodes known to be new (the loader's fast path).

    Parameters: ``$rows`` = list of ``{p}``, every property of the node
    (``id``, the provenance lists and first/last seen computed by the client),
    the :func:`graph.model.date_properties` as ISO strings.
    ``restricted`` adds :data:`RESTRICTED_LABEL` (Cases with ``restricted_to``).
    """
    extra = f":{RESTRICTED_LABEL}" if restricted else ""
    return f"UNWIND $rows AS row CREATE (n:{label(node_label)}{extra}) SET n = row.p{_dates_back('n', node_label)}"


def merge_nodes(node_label: str) -> str:
    """MERGE a batch of nodes that may exist, with provenance folded per batch by the client.

    Parameters: ``$rows`` = list of ``{id, props, sources, refs, first, last}``;
    the lists grow by what they lack (in order), first/last seen widen.
    """
    mark = _MARK_RESTRICTED if node_label == "Case" else ""
    return f"""
UNWIND $rows AS row
MERGE (n:{label(node_label)} {{id: row.id}})
SET n += row.props,
    n.sources = coalesce(n.sources, []) + [x IN row.sources WHERE NOT x IN coalesce(n.sources, [])],
    n.source_record_ids = coalesce(n.source_record_ids, [])
                          + [x IN row.refs WHERE NOT x IN coalesce(n.source_record_ids, [])],
    n.first_seen = CASE WHEN row.first IS NULL THEN n.first_seen
                        WHEN n.first_seen IS NULL OR row.first < n.first_seen THEN row.first
                        ELSE n.first_seen END,
    n.last_seen = CASE WHEN row.last IS NULL THEN n.last_seen
                       WHEN n.last_seen IS NULL OR row.last > n.last_seen THEN row.last
                       ELSE n.last_seen END{mark}
"""


def create_rels(rtype: str, from_label: str, to_label: str) -> str:
    """CREATE a batch of relationships known to be new (the loader's fast path).

    Parameters: ``$rows`` = list of ``{from, to, p}`` with ``p`` every property
    (``source``, ``source_record_id``, first/last seen included), the
    :func:`graph.model.date_properties` as ISO strings.
    """
    return (f"UNWIND $rows AS row MATCH (a:{label(from_label)} {{id: row.from}}) "
            f"MATCH (b:{label(to_label)} {{id: row.to}}) CREATE (a)-[r:{rel_type(rtype)}]->(b) "
            f"SET r = row.p{_dates_back('r', rtype)}")


def existing_ids(node_label: str) -> str:
    """Which of ``$ids`` exist as nodes of a label."""
    return f"UNWIND $ids AS id MATCH (n:{label(node_label)} {{id: id}}) RETURN n.id AS id"


def count_label(node_label: str) -> str:
    return f"MATCH (n:{label(node_label)}) RETURN count(n) AS c"


def count_rel_type(rtype: str) -> str:
    return f"MATCH ()-[r:{rel_type(rtype)}]->() RETURN count(r) AS c"


def _csv_map(fields: list[str]) -> str:
    return "{" + ", ".join(f"`{f}`: line.`{f}`" for f in fields) + "}"


def load_csv_nodes(node_label: str, fields: list[str], batch: int = 5000) -> str:
    """``LOAD CSV`` of a node table with the very MERGE of :func:`upsert_nodes`.

    Used by ``bench/ingest.py`` to compare our loader with Neo4j's own bulk
    path on the same rows (values are loaded as the raw strings of the file).
    Parameter: ``$url``.
    """
    body = upsert_nodes(node_label).replace("UNWIND $rows AS row", "").strip()
    row = (f"{{id: line.id, props: {_csv_map(fields)}, source: line.source, "
           "ref: line.source + ':' + line.source_record_id, seen: line.recorded_at}")
    return (f"LOAD CSV WITH HEADERS FROM $url AS line CALL {{ WITH line WITH {row} AS row {body} }} "
            f"IN TRANSACTIONS OF {int(batch)} ROWS")


def _csv_endpoint(var: str, labels: tuple[str, ...], col: str, carry: tuple[str, ...]) -> str:
    if len(labels) == 1:
        return f"MATCH ({var}:{label(labels[0])} {{id: line.`{col}`}})"
    opts = " ".join(f"OPTIONAL MATCH ({var}{i}:{label(lab)} {{id: line.`{col}`}})" for i, lab in enumerate(labels))
    options = ", ".join(f"{var}{i}" for i in range(len(labels)))
    return f"{opts} WITH {', '.join(('line',) + carry)}, coalesce({options}) AS {var} WHERE {var} IS NOT NULL"


def load_csv_rels(rtype: str, from_labels: tuple[str, ...], from_col: str, to_labels: tuple[str, ...], to_col: str,
                  fields: list[str], type_col: str | None = None, batch: int = 5000) -> str:
    """``LOAD CSV`` of a relationship table with the same MERGE as :func:`upsert_rels`.

    Parameters: ``$url`` and, for tables with a ``type`` column, ``$rel_type``.
    """
    frm = _csv_endpoint("a", from_labels, from_col, ())
    to = _csv_endpoint("b", to_labels, to_col, ("a",))
    where = f" WITH a, b, line WHERE line.`{type_col}` = $rel_type" if type_col else ""
    body = (f"{frm} {to}{where} WITH a, b, line, {{seen: line.recorded_at}} AS row "
            f"MERGE (a)-[n:{rel_type(rtype)} {{source: line.source, "
            f"source_record_id: line.source_record_id}}]->(b) SET n += {_csv_map(fields)},{_SEEN}")
    return (f"LOAD CSV WITH HEADERS FROM $url AS line CALL {{ WITH line {body} }} "
            f"IN TRANSACTIONS OF {int(batch)} ROWS")


RECORD_RUN = """
MERGE (r:IngestRun {id: $id})
SET r += $props
"""

#: relationships first, a batch at a time: detaching a hub (a place a million journeys pass) in one
#: transaction would exceed Neo4j's transaction memory limit
DELETE_RELS_BATCH = """
MATCH ()-[r]->() WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
"""

DELETE_ALL_BATCH = """
MATCH (n) WHERE NOT n:NetintelMeta WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
"""
