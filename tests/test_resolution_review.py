"""Duplicate review through the real Neo4j: candidates scored from loaded records, judgements
append-only with history and undo, pending candidates of a person, an accepted cluster as one
person, compartments, and the API (JSON and the review pages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import ApiSettings, create_access_token
from core.errors import InvalidInput, NotFound
from graph import db as gdb
from graph.scope import Scope
from ingest.loader import ingest_bundle
from views import resolution as v

pytestmark = pytest.mark.neo4j
PASSWORD = "correct horse battery staple"

PERSONS = [
    # one man recorded by three agencies: Thai script (DSI), RTGS Latin (RTP), another spelling (MSDHS)
    {"id": "DSI-1", "source": "DSI", "source_record_id": "D-1", "full_name": "สมชาย ใจดี", "birth_date": "15/03/2533",
     "sex": "M", "nationality": "THA", "national_id": "1-1017-00203-45-0", "phones": "081-234-5678",
     "address": "12/3 ถนนสุขุมวิท กรุงเทพมหานคร"},
    {"id": "RTP-7", "source": "RTP", "source_record_id": "R-7", "full_name": "Somchai Jaidee",
     "birth_date": "1990-03-15", "sex": "M", "nationality": "THA", "phones": "+66 81 234 5678"},
    {"id": "MSD-3", "source": "MSDHS", "source_record_id": "M-3", "given_name": "Somchay", "family_name": "Chaidee",
     "birth_date": "1990-03-15", "sex": "M", "national_id": "1101700203450"},
    # a Myanmar man, native script and Latin, with one phone written two ways (without it the
    # pair's evidence -- name, birth date, one document number; sex and nationality implied by
    # the name -- would be exactly DSI-1/MSD-3's, and equal evidence rightly weighs the same)
    {"id": "DSI-2", "source": "DSI", "source_record_id": "D-2", "full_name": "အောင်ကျော်", "birth_date": "2001-03-04",
     "sex": "M", "nationality": "MMR", "passport_no": "MA123456", "phones": "095-555-0101"},
    {"id": "IMM-2", "source": "IMM", "source_record_id": "I-2", "full_name": "Aung Kyaw", "birth_date": "2001-03-04",
     "sex": "M", "nationality": "MMR", "passport_no": "MA123456", "phones": "+66 95 555 0101"},
    # somebody else entirely, and a restricted suspect who shares the Myanmar name
    {"id": "RTP-9", "source": "RTP", "source_record_id": "R-9", "full_name": "Malee Srisuk", "birth_date": "1971-07-02",
     "sex": "F", "nationality": "THA"},
    {"id": "SEC-1", "source": "DSI", "source_record_id": "S-1", "full_name": "Aung Kyaw", "birth_date": "2001-03-04",
     "sex": "M", "nationality": "MMR", "passport_no": "MA123456"},
]
CASES = [{"id": "C1", "source": "DSI", "source_record_id": "c-1", "case_number": "1/2567"},
         {"id": "CS", "source": "DSI", "source_record_id": "c-s", "case_number": "S/2567", "restricted_to": "unit-x"}]
INVOLVEMENTS = [
    {"source": "DSI", "source_record_id": f"i-{p}", "party_id": p, "case_id": "C1", "role": "suspect"}
    for p in ("DSI-1", "RTP-7", "MSD-3", "DSI-2", "IMM-2", "RTP-9")
] + [{"source": "DSI", "source_record_id": "i-s", "party_id": "SEC-1", "case_id": "CS", "role": "suspect"}]


@pytest.fixture(scope="module")
def loaded(driver: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.conftest import write_csv

    gdb.clear_database(driver)
    d = tmp_path_factory.mktemp("erbundle")
    write_csv(d / "persons.csv", PERSONS)
    write_csv(d / "cases.csv", CASES)
    write_csv(d / "involvements.csv", INVOLVEMENTS)
    s = ingest_bundle(driver, d, rejects_path=d / "rejects.csv")
    assert s.rejected == 0, (d / "rejects.csv").read_text()
    out = v.run(Scope.operator(driver, reason="test"))
    assert out.stored >= 4
    return driver


def analyst(driver: Any, name: str = "ana", units: tuple[str, ...] = ()) -> Scope:
    return Scope.for_user(driver, name, "analyst", units)


def _pairs(t: Any) -> set[tuple[str, str]]:
    return {(r.id_left, r.id_right) for r in t.data}


def _entries(driver: Any) -> list[dict[str, Any]]:
    recs, _, _ = driver.execute_query("MATCH (j:SameAsJudgement) RETURN properties(j) AS p ORDER BY j.pair, j.seq")
    return [r["p"] for r in recs]


def test_run_stores_the_cross_script_duplicates_with_separating_weights(loaded: Any) -> None:
    c = v.candidates(analyst(loaded), "pending")
    pairs = _pairs(c)
    assert {("DSI-1", "RTP-7"), ("DSI-1", "MSD-3"), ("MSD-3", "RTP-7"), ("DSI-2", "IMM-2")} <= pairs
    assert not any("RTP-9" in p for p in pairs)  # nobody matches Malee
    assert not any("SEC-1" in p for p in pairs)  # the restricted suspect is hidden from this analyst
    weights = [r.weight for r in c.data]
    assert weights == sorted(weights, reverse=True)
    assert len({round(w, 2) for w in weights}) == len(weights)  # no two candidates share a weight
    top = c.data[0]
    assert top.reasons and "(+" in top.reasons


def test_review_shows_both_records_and_what_drove_the_score(loaded: Any) -> None:
    rv = v.review(analyst(loaded), "DSI-1", "RTP-7")
    f = {x.field: x for x in rv.fields}
    assert "สมชาย ใจดี" in f["name"].left and "Somchai Jaidee" in f["name"].right
    assert any("romanised" in n for n in f["name"].left)  # the Thai name also in Latin letters
    assert f["name"].agreement == "agree" and f["name"].weight and f["name"].weight > 5
    assert f["birth_date"].agreement == "agree" and f["birth_date"].left == ["1990-03-15"]
    assert f["phone"].agreement == "agree"
    assert f["id_number"].agreement == "unknown"  # RTP recorded no ID
    assert f["agencies"].left == ["DSI:D-1"] and f["agencies"].right == ["RTP:R-7"]
    assert rv.judgement == "pending" and rv.history == []
    with pytest.raises(NotFound):
        v.review(analyst(loaded), "DSI-1", "RTP-9")


def test_judgements_are_append_only_with_history_and_undo(loaded: Any) -> None:
    a, b = analyst(loaded, "ana"), analyst(loaded, "bob")
    before = _entries(loaded)
    out = v.judge(a, "DSI-2", "IMM-2", "unsure", "same passport, check the photo")
    assert out.judgement == "unsure" and out.by == "ana"
    v.judge(b, "IMM-2", "DSI-2", "accepted", "photos match")  # either order names the pair
    assert v.review(a, "DSI-2", "IMM-2").judgement == "accepted"
    undone = v.undo(a, "DSI-2", "IMM-2", "accepted too early")
    assert undone.judgement == "unsure" and undone.entry == "undo"  # back to the earlier judgement
    hist = v.review(a, "DSI-2", "IMM-2").history
    assert [(h.judgement, h.by, h.state) for h in hist] == [
        ("unsure", "ana", "unsure"), ("accepted", "bob", "accepted"), ("undo", "ana", "unsure")]
    assert hist[2].undoes == hist[1].id
    assert hist[0].reason == "same passport, check the photo"
    v.undo(a, "DSI-2", "IMM-2")
    assert v.review(a, "DSI-2", "IMM-2").judgement == "pending"
    with pytest.raises(InvalidInput, match="nothing to undo"):
        v.undo(a, "DSI-2", "IMM-2")
    # append-only: every earlier entry is still there, unchanged; four new ones
    after = _entries(loaded)
    assert len(after) == len(before) + 4
    assert all(e in after for e in before)
    assert "DSI-2|IMM-2" in {e["pair"] for e in after}
    with pytest.raises(InvalidInput):
        v.judge(a, "DSI-2", "IMM-2", "pending")
    with pytest.raises(InvalidInput):
        v.judge(a, "DSI-2", "IMM-2", "accepted", "x" * 501)
    with pytest.raises(NotFound):
        v.judge(a, "DSI-1", "RTP-9", "accepted", "no such candidate")


def test_pending_candidates_of_a_person(loaded: Any) -> None:
    s = analyst(loaded)
    got = _pairs(v.entity_candidates(s, "RTP-7"))
    assert got == {("DSI-1", "RTP-7"), ("MSD-3", "RTP-7")}
    assert v.entity_candidates(s, "RTP-9").count == 0


def test_accepted_cluster_is_one_person_with_all_source_records(loaded: Any) -> None:
    s = analyst(loaded)
    v.judge(s, "DSI-1", "RTP-7", "accepted", "same ID and phone")
    v.judge(s, "MSD-3", "RTP-7", "accepted", "same birth date and name")
    v.judge(s, "DSI-1", "MSD-3", "rejected", "testing that a rejection does not split the cluster")
    mp = v.merged_person(s, "MSD-3")
    assert mp.cluster == ["DSI-1", "MSD-3", "RTP-7"]
    assert {"สมชาย ใจดี", "Somchai Jaidee", "Somchay Chaidee"} <= set(mp.names)
    assert set(mp.agencies) == {"DSI", "RTP", "MSDHS"}
    assert "1101700203450" in mp.id_numbers and len(mp.id_numbers) == 1  # one ID, recorded twice
    assert {(lk.id_left, lk.id_right) for lk in mp.links} == {("DSI-1", "RTP-7"), ("MSD-3", "RTP-7")}
    assert all(r.cases and r.cases[0]["case"] == "C1" for r in mp.records)
    # the pending candidates of a person no longer list the accepted pairs
    assert v.entity_candidates(s, "RTP-7").count == 0
    # a person in no accepted pair is a cluster of one
    assert v.merged_person(s, "RTP-9").cluster == ["RTP-9"]
    # the network toggle: the three records drawn as one person node with every record's ties
    inv = Scope.for_user(loaded, "ines", "investigator")
    g = v.merged_neighbourhood(inv, "RTP-7", depth=1)
    ids = {n.id for n in g.nodes}
    assert "RTP-7" in ids and not ids & {"DSI-1", "MSD-3"} and "C1" in ids
    node = next(n for n in g.nodes if n.id == "RTP-7")
    assert node.model_dump()["merged"] == ["DSI-1", "MSD-3", "RTP-7"]
    assert all(e.from_ in ids and e.to in ids for e in g.edges)
    assert not [e for e in g.edges if e.type == "SAME_AS" and e.from_ == e.to]
    involved = [e for e in g.edges if e.type == "INVOLVED_IN" and e.from_ == "RTP-7"]
    assert len(involved) == 3  # one per source record, provenance kept
    plain = v.merge_clusters(inv, v.merged_neighbourhood(inv, "RTP-9", depth=1))
    assert {n.id for n in plain.nodes} == {"RTP-9", "C1"}


def test_hidden_persons_never_join_a_cluster(loaded: Any) -> None:
    op = Scope.operator(loaded, reason="test")
    cleared = analyst(loaded, "cleared", ("unit-x",))
    sec = [r for r in v.candidates(cleared).data if "SEC-1" in (r.id_left, r.id_right)]
    assert sec, "the cleared analyst sees the restricted suspect's candidates"
    v.judge(op, sec[0].id_left, sec[0].id_right, "accepted", "operator test")
    other = next(x for x in (sec[0].id_left, sec[0].id_right) if x != "SEC-1")
    assert "SEC-1" in v.merged_person(cleared, other).cluster
    assert "SEC-1" not in v.merged_person(analyst(loaded), other).cluster
    with pytest.raises(NotFound):
        v.review(analyst(loaded), sec[0].id_left, sec[0].id_right)
    with pytest.raises(NotFound):
        v.merged_person(analyst(loaded), "SEC-1")


@pytest.fixture(scope="module")
def client(loaded: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    app = create_app(ApiSettings(home=tmp_path_factory.mktemp("erhome"), env="development", secret_key="e" * 48),
                     neo4j_settings=neo4j_settings, driver=loaded)
    app.state.users.add("ana", PASSWORD, "analyst")
    app.state.users.add("ines", PASSWORD, "investigator")
    with TestClient(app) as c:
        c.app_ref = app  # type: ignore[attr-defined]
        yield c


def _hdr(client: Any, name: str) -> dict[str, str]:
    app = client.app_ref
    u = app.state.users.get(name)
    tok = create_access_token(app.state.api_settings, u.username, u.role,
                              password_changed_at=app.state.users.password_changed_at(name))
    return {"Authorization": f"Bearer {tok}"}


def test_api_judgement_history_and_audit(client: Any, tmp_path: Path) -> None:
    h = _hdr(client, "ana")
    r = client.post("/api/resolution/judgements", headers=h,
                    json={"id_left": "DSI-2", "id_right": "IMM-2", "judgement": "rejected", "reason": "api"})
    assert r.status_code == 200, r.text
    assert r.json()["judgement"] == "rejected"
    pair = client.get("/api/resolution/pair", params={"left": "DSI-2", "right": "IMM-2"}, headers=h).json()
    assert pair["history"][-1]["judgement"] == "rejected" and pair["history"][-1]["reason"] == "api"
    r = client.post("/api/resolution/judgements", headers=h,
                    json={"id_left": "DSI-2", "id_right": "IMM-2", "judgement": "undo"})
    assert r.status_code == 200 and r.json()["entry"] == "undo"
    assert client.post("/api/resolution/judgements", headers=h,
                       json={"id_left": "DSI-2", "id_right": "IMM-2", "judgement": "maybe"}).status_code == 422
    # investigators may see one person but not judge
    hi = _hdr(client, "ines")
    assert client.get("/api/resolution/persons/RTP-7/merged", headers=hi).status_code == 200
    assert client.post("/api/resolution/judgements", headers=hi,
                       json={"id_left": "DSI-2", "id_right": "IMM-2", "judgement": "accepted"}).status_code == 403
    rows = client.app_ref.state.audit.entries(limit=1000, action="judgement")
    mine = [e for e in rows if e.target == "DSI-2|IMM-2" and e.username == "ana"]
    assert len(mine) >= 2 and {e.details["entry"] for e in mine} >= {"rejected", "undo"}


def test_review_form_needs_the_csrf_token_and_a_reason(loaded: Any, neo4j_settings: Any,
                                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    import re

    app = create_app(ApiSettings(home=tmp_path_factory.mktemp("ercsrf"), env="development", secret_key="c" * 48),
                     neo4j_settings=neo4j_settings, driver=loaded)
    app.state.users.add("ana", PASSWORD, "analyst")
    with TestClient(app) as c:
        assert c.post("/ui/login", data={"username": "ana", "password": PASSWORD},
                      follow_redirects=False).status_code == 303
        page = c.get("/ui/resolution/review", params={"left": "DSI-2", "right": "IMM-2"})
        assert page.status_code == 200 and 'id="side-by-side"' in page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, "the judgement form carries the CSRF token"
        form = {"id_left": "DSI-2", "id_right": "IMM-2", "judgement": "accepted", "reason": "form test"}
        refused = c.post("/ui/resolution/review", data=form, follow_redirects=False)
        assert refused.status_code == 403 and "csrf" in refused.text.lower()
        before = len(v.review(analyst(loaded), "DSI-2", "IMM-2").history)
        no_reason = c.post("/ui/resolution/review", data={**form, "reason": " ", "csrf_token": token.group(1)},
                           follow_redirects=False)
        assert no_reason.status_code == 303 and "error=" in no_reason.headers["location"]
        assert len(v.review(analyst(loaded), "DSI-2", "IMM-2").history) == before
        ok = c.post("/ui/resolution/review", data={**form, "csrf_token": token.group(1)}, follow_redirects=False)
        assert ok.status_code == 303 and "error=" not in ok.headers["location"]
        after = v.review(analyst(loaded), "DSI-2", "IMM-2")
        assert len(after.history) == before + 1 and after.history[-1].reason == "form test"
        assert after.history[-1].by == "ana" and after.judgement == "accepted"
