"""The bulk path (neo4j-admin database import full) gives the normal loader's result."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from graph import db as gdb
from ingest.bulk import BulkRefused, bulk_ingest
from ingest.loader import ingest_bundle
from tests.conftest import op
from tests.test_ingest import EXPECTED_NODES, EXPECTED_RELS, _snapshot, full_tables

pytestmark = pytest.mark.neo4j


def _bundle_tables() -> dict[str, list[dict[str, Any]]]:
    t = full_tables()
    # one person from two agencies (provenance folded), a restricted case, bad rows
    t["persons"].append({"id": "P1", "source": "RTP", "source_record_id": "R-55", "full_name": "สมชาย ใจดี",
                         "recorded_at": "2023-06-01"})
    t["persons"].append({"id": "B1", "source": "RTP", "source_record_id": "b1", "full_name": "x",
                         "birth_date": "31/02/1990"})
    t["cases"].append({"id": "C2", "source": "DSI", "source_record_id": "124/2567", "case_number": "124/2567",
                       "restricted_to": "unit:dsi-7", "status": "open"})
    t["transfers"].append({"source": "AMLO", "source_record_id": "t-4", "from_account": "A1", "to_account": "NOPE",
                           "txn_id": "TX4", "amount": "100", "currency": "THB", "at": "2024-01-06T10:00:00"})
    return t


def _rejects(path: Path) -> list[tuple[str, ...]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [tuple(r) for r in csv.reader(fh)]


def test_bulk_path_equals_normal_loader(db: Any, make_bundle: Any, tmp_path: Path, neo4j_settings: Any) -> None:
    bundle = make_bundle(_bundle_tables())
    s1 = ingest_bundle(db, bundle, rejects_path=tmp_path / "loader.csv")
    normal = _snapshot(db)
    stats = gdb.stats(op(db))
    restricted = gdb.read(op(db), "MATCH (c:RestrictedCase) RETURN c.id AS id")
    assert s1.rejected == 2
    gdb.clear_database(db)

    s2 = bulk_ingest(bundle, rejects_path=tmp_path / "bulk.csv", settings=neo4j_settings)
    gdb.forget_bookmarks(db)  # this driver outlived the store it knew
    assert s2.method == "bulk" and s2.rejected == 2 and s2.rows == s1.rows
    assert _rejects(tmp_path / "bulk.csv") == _rejects(tmp_path / "loader.csv")
    db.verify_connectivity()
    assert gdb.stats(op(db)) == stats
    assert stats["nodes"] == {**EXPECTED_NODES, "Case": 2}
    assert stats["relationships"] == EXPECTED_RELS
    assert gdb.read(op(db), "MATCH (c:RestrictedCase) RETURN c.id AS id") == restricted == [{"id": "C2"}]
    assert _snapshot(db) == normal
    p1 = gdb.read(op(db), "MATCH (p:Person {id:'P1'}) RETURN p")[0]["p"]
    assert p1["sources"] == ["DSI", "RTP"] and str(p1["first_seen"]) == "2023-06-01"
    # the schema is there: a second load through the normal loader changes nothing
    ingest_bundle(db, bundle, rejects_path=tmp_path / "again.csv")
    assert _snapshot(db) == normal


def test_bulk_path_refuses_a_database_with_data(db: Any, make_bundle: Any, tmp_path: Path,
                                                neo4j_settings: Any) -> None:
    t = full_tables()
    ingest_bundle(db, make_bundle({"locations": t["locations"]}), rejects_path=tmp_path / "a.csv")
    with pytest.raises(BulkRefused, match="not empty"):
        bulk_ingest(make_bundle(t, "second"), rejects_path=tmp_path / "b.csv", settings=neo4j_settings)
    assert gdb.stats(op(db))["nodes"]["Location"] == 4


def _bad_tables() -> dict[str, list[dict[str, Any]]]:
    """Bad rows of every kind the loader rejects, in a bundle read by both readers: persons.csv
    holds a value over two lines (the row reader), the other files the fast column reader."""
    t = _bundle_tables()
    t["persons"] += [
        {"id": "P3", "source": "RTP", "source_record_id": "r-3", "full_name": "Nowhere Man", "lives_at": "NOWHERE"},
        {"id": "P4", "source": "MSDHS", "source_record_id": "V-77", "full_name": "same record as P2"},
        {"id": "P5", "source": "RTP", "source_record_id": "r-5"},
        {"id": "P6", "source": "RTP", "source_record_id": "r-6", "full_name": "two\nlines", "address": "a\nb",
         "lives_at": "TH-74", "recorded_at": "2022-01-01"},
        {"id": "P1", "source": "ATPD", "source_record_id": "A-1", "full_name": "สมชาย", "recorded_at": "2021-05-05"},
    ]
    t["organisations"] += [
        {"id": "P1", "source": "DOE", "source_record_id": "E-9", "name": "id of a person"},
        {"id": "O2", "source": "DOE", "source_record_id": "E-10", "name": "Org  Two ", "country": "ZZZ"},
    ]
    t["cases"].append({"id": "C3", "source": "DSI", "source_record_id": "125/2567", "case_number": "125/2567",
                       "location_id": "NO-PLACE"})
    t["journeys"] = [dict(r) for r in t.get("journeys", [])] + [
        {"source": "DSI", "source_record_id": "j-99", "from_location": "MMR", "to_location": "BC-MAESOT",
         "person_id": "NO-ONE", "case_id": "C1", "leg": "1", "stage": "transit", "at": "2024-01-01"},
        {"source": "DSI", "source_record_id": "j-98", "from_location": "MMR", "to_location": "NOWHERE",
         "person_id": "P2", "case_id": "C1", "leg": "3", "stage": "transit", "at": "2024-01-02"},
    ]
    return t


@pytest.mark.parametrize(("batch", "workers"), [(2, 2), (10000, 1), (10000, 3)])
def test_bulk_path_rejects_and_result_equal_the_loader(db: Any, make_bundle: Any, tmp_path: Path,
                                                       neo4j_settings: Any, batch: int, workers: int) -> None:
    """Unknown references (endpoint, extra and embedded), repeated records, an id used by
    another label, a row without a name, a bad code, a repeated id folded, chunk by chunk;
    validated in this process or shared by worker processes (rejects merged in order)."""
    bundle = make_bundle(_bad_tables())
    s1 = ingest_bundle(db, bundle, rejects_path=tmp_path / "loader.csv", batch_size=batch)
    normal, stats = _snapshot(db), gdb.stats(op(db))
    gdb.clear_database(db)
    s2 = bulk_ingest(bundle, rejects_path=tmp_path / "bulk.csv", settings=neo4j_settings, batch_size=batch,
                     workers=workers)
    assert s2.workers == workers
    gdb.forget_bookmarks(db)
    db.verify_connectivity()
    reasons = [r[3] for r in _rejects(tmp_path / "loader.csv")[1:]]
    for kind in ("unknown reference: no Location with id 'NOWHERE'", "unknown reference: no Location with id 'NO-PLACE'",
                 "unknown reference: no Person with id 'NO-ONE'", "duplicate record MSDHS:V-77",
                 "a person needs at least one name", "id 'P1' is already used by a Person"):
        assert any(r.startswith(kind) for r in reasons), kind
    assert s1.rejected >= 8 and s2.rejected == s1.rejected and s2.rows == s1.rows
    assert _rejects(tmp_path / "bulk.csv") == _rejects(tmp_path / "loader.csv")
    assert {k: vars(v) for k, v in s2.files.items()} == {k: vars(v) for k, v in s1.files.items()}
    assert dict(s2.nodes) == dict(s1.nodes) and dict(s2.relationships) == dict(s1.relationships)
    assert gdb.stats(op(db)) == stats
    assert _snapshot(db) == normal
    p1 = gdb.read(op(db), "MATCH (p:Person {id:'P1'}) RETURN p")[0]["p"]
    assert p1["sources"] == ["DSI", "RTP", "ATPD"] and str(p1["first_seen"]) == "2021-05-05"


def test_a_row_with_two_unknown_embedded_references_is_one_reject(db: Any, make_bundle: Any, tmp_path: Path,
                                                                  neo4j_settings: Any) -> None:
    """The rejects file has one line per reference (reference by reference), the row counts once."""
    t = full_tables()
    t["screenings"] = [{"id": "S9", "source": "MSDHS", "source_record_id": "s-9", "person_id": "NO-ONE",
                        "case_id": "NO-CASE", "screened_on": "2024-01-02", "agency": "MSDHS",
                        "outcome": "identified"}]
    s = bulk_ingest(make_bundle(t), rejects_path=tmp_path / "bulk.csv", settings=neo4j_settings, workers=2)
    gdb.forget_bookmarks(db)
    rows = _rejects(tmp_path / "bulk.csv")[1:]
    assert [(r[0], r[2]) for r in rows] == [("screenings.csv", "person_id"), ("screenings.csv", "case_id")]
    fs = s.files["screenings.csv"]
    assert (fs.rows, fs.loaded, fs.rejected) == (1, 0, 1) and s.rejected == 1
    assert gdb.stats(op(db))["nodes"]["Screening"] == 1  # the node loads; its references do not


def test_the_schema_dropped_and_built_again_kind_by_kind(db: Any) -> None:
    """bench/indexes.py's steps: drop_schema drops the model's constraints and indexes (no
    other); ensure_schema with some statements builds those; without, the whole schema."""
    from graph import cypher

    def names() -> set[str]:
        return {r["name"] for r in db.execute_query("SHOW INDEXES YIELD name RETURN name").records}

    model = {q.split(" IF NOT EXISTS")[0].split()[-1] for q in cypher.schema_statements()}
    full = names()
    assert model - {"ingest_run_id"} <= full  # a constraint's index has the constraint's name
    try:
        gdb.drop_schema(db)
        left = names()
        assert not left & model and left == full - model
        assert not {r["name"] for r in db.execute_query("SHOW CONSTRAINTS YIELD name RETURN name").records} & model
        gdb.ensure_schema(db, statements=[q for q in cypher.schema_statements() if "FULLTEXT" in q])
        assert names() == left | {cypher.FULLTEXT_INDEX}
    finally:
        gdb.ensure_schema(db)
    assert names() == full
