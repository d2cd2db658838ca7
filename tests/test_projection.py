"""Projections of the real store into analytics inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from graph import projection as P
from ingest.loader import ingest_bundle
from tests.conftest import op
from tests.test_ingest import full_tables

pytestmark = pytest.mark.neo4j


@pytest.fixture
def loaded(db: Any, make_bundle: Any, tmp_path: Path) -> Any:
    t = full_tables()
    t["persons"].append({"id": "P3", "source": "RTP", "source_record_id": "R-3", "full_name": "Somchai Jaidee",
                         "birth_date": "1987-12-05", "sex": "M", "nationality": "THA"})
    t["involvements"].append({"source": "RTP", "source_record_id": "inv-4", "party_id": "P3", "case_id": "C1",
                              "role": "transporter"})
    s = ingest_bundle(db, make_bundle(t), rejects_path=tmp_path / "r.csv")
    assert s.rejected == 0
    return db


def test_person_network(loaded: Any) -> None:
    G = P.person_network(op(loaded))
    assert set(G.nodes) == {"P1", "P2", "P3"}
    assert G.nodes["P1"]["nationality"] == "THA" and G.nodes["P1"]["role"] == "recruiter"
    assert G.nodes["P2"]["role"] == "victim"
    # P1–P2 from the call records; P1–P3 co-offend (recruiter + transporter in C1); victims do not co-offend
    assert G.edges["P1", "P2"]["type"] == "ASSOCIATED_WITH"
    assert G.edges["P1", "P3"]["type"] == "CO_OFFENDING" and G.edges["P1", "P3"]["cases"] == ["C1"]
    assert G.number_of_edges() == 2
    assert set(P.person_network(op(loaded), ["NO-SUCH-CASE"]).nodes) == set()


def test_journeys_and_hierarchy(loaded: Any) -> None:
    j = P.journeys(op(loaded))
    assert list(j["location"]) == ["MMR", "BC-MAESOT", "TH-74"]
    assert list(j["stage"]) == ["recruitment", "transit", "exploitation"]
    assert list(j["leg"]) == [0, 1, 2]
    assert set(j["nationality"]) == {"MMR"} and set(j["exploitation_type"]) == {"fishing"}
    assert set(j["year"]) == {2023} and set(j["age"]) == {22}
    parents, levels = P.location_hierarchy(op(loaded))
    assert parents == {"TH-74": "THA", "BC-MAESOT": "THA"}
    assert levels["MMR"] == "country" and levels["BC-MAESOT"] == "border_crossing"


def test_transfers_and_records(loaded: Any) -> None:
    t = P.transfers(op(loaded))
    assert list(t[["txn_id", "source", "target", "amount"]].itertuples(index=False, name=None)) == [
        ("TX1", "A2", "A1", 1950000.0)]
    assert t["at"].iloc[0] == pd.Timestamp("2024-01-05T03:30:00Z")
    r = P.person_records(op(loaded)).set_index("id")
    assert r.loc["P1", "id_number"] == "1101700203450"
    assert r.loc["P1", "phone"] == "+66812345678"
    assert r.loc["P2", "id_number"] == "MA123456"
    assert r.loc["P1", "birth_date"] == "1987-05-12"


def test_same_as_candidates_and_judgements(loaded: Any) -> None:
    cands = pd.DataFrame([{"id_left": "P1", "id_right": "P3", "score": 0.93}])
    assert P.write_same_as(loaded, cands, method="test") == 1
    assert P.write_same_as(loaded, cands, method="test") == 1  # idempotent
    got = P.same_as_candidates(op(loaded))
    assert len(got) == 1 and got.iloc[0]["judgement"] == "pending" and got.iloc[0]["score"] == pytest.approx(0.93)
    j = P.judge_same_as(loaded, "P3", "P1", "accepted", by="analyst1")
    assert j is not None and j["judgement"] == "accepted" and j["by"] == "analyst1"
    # re-scoring keeps the human judgement
    P.write_same_as(loaded, cands.assign(score=0.5), method="test")
    again = P.same_as_candidates(op(loaded), judgement="accepted")
    assert len(again) == 1 and again.iloc[0]["score"] == pytest.approx(0.5)
    with pytest.raises(ValueError):
        P.judge_same_as(loaded, "P1", "P3", "maybe", by="x")


# ------------------------------------------------------------ paging
@pytest.fixture
def generated(db: Any, tmp_path: Path) -> Any:
    from ingest.generate import generate_bundle

    generate_bundle(tmp_path / "g", seed=11, persons=400)
    ingest_bundle(db, tmp_path / "g", rejects_path=tmp_path / "r.csv")
    return db


def _network(G: Any) -> tuple[dict[str, Any], dict[frozenset[str], Any]]:
    return dict(G.nodes(data=True)), {frozenset((a, b)): d for a, b, d in G.edges(data=True)}


def test_paged_projections_equal_one_page(generated: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole-graph reads go in many small read transactions (key ranges of the person id);
    the result is the same as in one page, for the operator and for a compartmented
    investigator, whole graph and case-bounded."""
    from graph.scope import Scope

    scopes = [op(generated), Scope.for_user(generated, "inv", "investigator")]
    cases = sorted({c for _, d in P.person_network(scopes[0]).nodes(data=True) for c in d["cases"]})[:5]
    one_page = [(P.person_network(s), P.person_network(s, cases), P.journeys(s), P.journeys(s, cases))
                for s in scopes]
    pages: list[str] = []
    real_read = P.read

    def counting_read(scope: Any, query: str, **params: Any) -> Any:
        pages.append(query)
        return real_read(scope, query, **params)

    monkeypatch.setattr(P, "PAGE", 7)
    monkeypatch.setattr(P, "read", counting_read)
    for s, (net, net_c, jour, jour_c) in zip(scopes, one_page, strict=True):
        assert _network(P.person_network(s)) == _network(net)
        assert _network(P.person_network(s, cases)) == _network(net_c)
        pd.testing.assert_frame_equal(P.journeys(s), jour)
        pd.testing.assert_frame_equal(P.journeys(s, cases), jour_c)
    assert net.number_of_nodes() > 300 and len(jour) > 100  # a real network, in many pages
    assert pages.count(P._PERSONS) >= 2 * 2 * (net.number_of_nodes() // 7)
    assert pages.count(P._JOURNEYS) >= 2 * 2 * (jour["person_id"].nunique() // 7)
