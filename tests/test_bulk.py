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
