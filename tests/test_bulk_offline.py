"""The bulk path on a stopped Neo4j that holds no store: empty without a start to ask."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from graph import db as gdb
from graph.server import Neo4jServer
from ingest.bulk import bulk_ingest
from ingest.loader import ingest_bundle
from tests.conftest import op, own_instance
from tests.test_bulk import _bad_tables, _rejects
from tests.test_ingest import _snapshot

pytestmark = pytest.mark.neo4j


def test_bulk_path_on_a_stopped_neo4j_without_a_store(db: Any, neo4j_settings: Any, make_bundle: Any, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A second, never started instance: the importer fills it, Neo4j starts once (after the
    import), the schema is built; the result and the rejects are the normal loader's (on the
    session instance)."""
    if not neo4j_settings.managed:
        pytest.skip("external Neo4j configured")
    bundle = make_bundle(_bad_tables())
    ingest_bundle(db, bundle, rejects_path=tmp_path / "loader.csv")
    normal, normal_stats = _snapshot(db), gdb.stats(op(db))
    s = own_instance(monkeypatch, tmp_path / "home")
    srv = Neo4jServer(s)
    # the jars are the session instance's (same version, in ~/.m2): no Maven run for this home
    srv.dir.mkdir(parents=True)
    shutil.copy(Neo4jServer(neo4j_settings).classpath_file, srv.classpath_file)
    assert srv.pid() is None and not (srv.data_dir / "databases" / "neo4j").exists()
    said: list[str] = []
    try:
        summary = bulk_ingest(bundle, rejects_path=tmp_path / "bulk.csv", settings=s, workers=1, log=said.append)
        starts = [m for m in said if m.startswith("Starting Neo4j")]
        assert "Neo4j is stopped and holds no store: the database is empty" in said
        assert len(starts) == 1 and said.index(starts[0]) > next(i for i, m in enumerate(said)
                                                                 if m.startswith("imported in"))
        assert summary.workers == 1 and {"check_empty", "import", "start", "index_population"} <= set(summary.stages)
        drv = gdb.connect(s)
        try:
            assert gdb.stats(op(drv)) == normal_stats
            assert _snapshot(drv) == normal
            names = {r["name"] for r in gdb.read(op(drv), "SHOW CONSTRAINTS YIELD name RETURN name")}
            assert {"person_id", "case_id", "location_id"} <= names
        finally:
            drv.close()
        assert _rejects(tmp_path / "bulk.csv") == _rejects(tmp_path / "loader.csv")
        assert summary.rejected >= 8
    finally:
        srv.stop()
