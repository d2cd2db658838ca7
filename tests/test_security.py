"""Trust: every route × every role, compartment leakage, audit of sensitive actions,
victim protection in viewer outputs, injection/XSS in every text parameter,
size limits and login throttling — against the real Neo4j."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import ROLES, ApiSettings, create_access_token
from graph import db as gdb
from ingest.loader import ingest_bundle
from tests.conftest import op as op_scope
from tests.test_ingest import full_tables

pytestmark = pytest.mark.neo4j

PASSWORD = "correct-horse-battery"
XSS = "<script>alert('x')</script>"
INJECTIONS = ["' OR 1=1 //", '"}) MATCH (n) DETACH DELETE n //', "x') DETACH DELETE n RETURN 1 //", "*:*",
              "\\", "((", "$user", XSS, "%00\x00", "../../etc/passwd"]

# --- the secret compartment: one case restricted to a unit and a named user
SECRET_CASE = "SEC-C1"
HIDDEN = {"Case": {"SEC-C1"}, "Person": {"SEC-P1", "SEC-P2"}, "Organisation": {"SEC-O1"}, "Vehicle": {"SEC-V1"},
          "BankAccount": {"SEC-A1"}}
HIDDEN_IDS = set().union(*HIDDEN.values()) | {"SEC-TX1"}
HIDDEN_NAMES = {"Kraisorn Lapsuek", "ไกรสร ลาภสึก", "Malee Sornchai", "มาลี ศรชัย", "Shadow Karaoke", "LAB-SECRET-9"}
#: relationships hidden from an outsider, counted by hand from the tables below
HIDDEN_RELS = {"INVOLVED_IN": 5, "USED": 1, "OWNS": 1, "HOLDS": 1, "TRANSFERRED": 1, "SAME_AS": 1,
               "OCCURRED_AT": 1, "MOVED": 1, "ASSOCIATED_WITH": 1}


def _tables() -> dict[str, list[dict[str, Any]]]:
    t = full_tables()
    t["locations"].append({"id": "KHM", "source": "GAZ", "source_record_id": "KHM", "kind": "country",
                           "name": "Cambodia", "iso3": "KHM", "lat": "12.56", "lon": "104.99"})
    t["cases"] += [
        {"id": "C3", "source": "RTP", "source_record_id": "c3", "case_number": "RTP-3/2567",
         "exploitation_type": "forced_labour"},
        {"id": SECRET_CASE, "source": "DSI", "source_record_id": "sec-1", "case_number": "LAB-SECRET-9",
         "exploitation_type": "sexual", "restricted_to": "unit-secret; sgt.named", "location_id": "TH-74"},
    ]
    t["persons"] += [
        {"id": "P4", "source": "RTP", "source_record_id": "p4", "full_name_latin": "Niran Boonmee",
         "nationality": "THA", "sex": "M"},
        {"id": "SEC-P1", "source": "DSI", "source_record_id": "sp1", "full_name": "ไกรสร ลาภสึก",
         "full_name_latin": "Kraisorn Lapsuek", "nationality": "THA", "sex": "M", "phones": "081-999-0000"},
        {"id": "SEC-P2", "source": "DSI", "source_record_id": "sp2", "full_name": "มาลี ศรชัย",
         "full_name_latin": "Malee Sornchai", "nationality": "KHM", "sex": "F", "birth_date": "2005-02-02"},
    ]
    t["organisations"].append({"id": "SEC-O1", "source": "DSI", "source_record_id": "so1", "name": "Shadow Karaoke",
                               "kind": "karaoke_bar", "country": "THA"})
    t["vehicles"].append({"id": "SEC-V1", "source": "DSI", "source_record_id": "sv1", "plate": "2กข 9999",
                          "kind": "van"})
    t["accounts"].append({"id": "SEC-A1", "source": "AMLO", "source_record_id": "sa1", "bank_code": "002",
                          "account_number": "5550001111", "holder_name": "Kraisorn Lapsuek", "currency": "THB"})
    t["involvements"] += [
        {"source": "RTP", "source_record_id": "i-p4", "party_id": "P4", "case_id": "C3", "role": "suspect"},
        {"source": "DSI", "source_record_id": "s-1", "party_id": "SEC-P1", "case_id": SECRET_CASE, "role": "suspect"},
        {"source": "DSI", "source_record_id": "s-2", "party_id": "SEC-P2", "case_id": SECRET_CASE, "role": "victim"},
        {"source": "DSI", "source_record_id": "s-3", "party_id": "SEC-O1", "case_id": SECRET_CASE,
         "role": "employer"},
        {"source": "DSI", "source_record_id": "s-4", "party_id": "P1", "case_id": SECRET_CASE, "role": "broker"},
        {"source": "DSI", "source_record_id": "s-5", "party_id": "P4", "case_id": SECRET_CASE, "role": "suspect"},
    ]
    t["associations"].append({"source": "DSI", "source_record_id": "sa-1", "person_id": "P1", "other_id": "SEC-P1",
                              "kind": "associate"})
    t["holdings"].append({"source": "AMLO", "source_record_id": "sh-1", "holder_id": "SEC-P1",
                          "account_id": "SEC-A1"})
    t["transfers"].append({"source": "AMLO", "source_record_id": "st-1", "from_account": "SEC-A1",
                           "to_account": "A1", "txn_id": "SEC-TX1", "amount": "500000", "currency": "THB",
                           "at": "2024-01-03T09:00:00", "channel": "atm"})
    t["ownerships"].append({"source": "DSI", "source_record_id": "so-1", "owner_id": "SEC-P1",
                            "vehicle_id": "SEC-V1"})
    t["vehicle_uses"].append({"source": "DSI", "source_record_id": "su-1", "vehicle_id": "SEC-V1",
                              "case_id": SECRET_CASE, "at": "2024-01-02"})
    t["journeys"].append({"source": "DSI", "source_record_id": "sj-1", "from_location": "KHM", "to_location": "TH-74",
                          "person_id": "SEC-P2", "case_id": SECRET_CASE, "leg": "1", "stage": "exploitation",
                          "at": "2024-01-01", "mode": "road"})
    return t


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import write_csv

    d = tmp_path_factory.mktemp("secbundle")
    for table, rows in _tables().items():
        write_csv(d / f"{table}.csv", rows)
    return d


@pytest.fixture(scope="module")
def loaded(driver: Any, bundle: Path) -> Any:
    gdb.clear_database(driver)
    s = ingest_bundle(driver, bundle, rejects_path=bundle / "rejects.csv")
    assert s.rejected == 0, (bundle / "rejects.csv").read_text()
    driver.execute_query("MATCH (a:Person {id:'SEC-P1'}), (b:Person {id:'P2'}) MERGE (a)-[s:SAME_AS]->(b) "
                         "SET s.judgement='pending', s.score=0.6, s.method='test', s.source='netintel', "
                         "s.source_record_id='SEC-P1|P2'")
    driver.execute_query("MATCH (a:Person {id:'P1'}), (b:Person {id:'P2'}) MERGE (a)-[s:SAME_AS]->(b) "
                         "SET s.judgement='pending', s.score=0.5, s.method='test', s.source='netintel', "
                         "s.source_record_id='P1|P2'")
    return driver


@pytest.fixture(scope="module")
def app(loaded: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory, bundle: Path) -> Any:
    home = tmp_path_factory.mktemp("sechome")
    a = create_app(ApiSettings(home=home, env="development", secret_key="s" * 48, max_body_bytes=64 * 1024,
                               import_dir=bundle.parent),  # admin ingest loads only from there
                   neo4j_settings=neo4j_settings, driver=loaded)
    for role in ROLES:
        a.state.users.add(role + "1", PASSWORD, role)
    a.state.users.add("cleared", PASSWORD, "analyst")
    a.state.users.set_units("cleared", ["unit-secret"])
    a.state.users.add("sgt.named", PASSWORD, "investigator")
    return a


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def hdr(app: Any, username: str) -> dict[str, str]:
    u = app.state.users.get(username)
    tok = create_access_token(app.state.api_settings, u.username, u.role,
                              password_changed_at=app.state.users.password_changed_at(username))
    return {"Authorization": f"Bearer {tok}"}


def role_hdr(app: Any, role: str) -> dict[str, str]:
    return hdr(app, role + "1")


def assert_error(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.text[:300])
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]


def assert_no_leak(text: str, where: str) -> None:
    for s in HIDDEN_IDS | HIDDEN_NAMES:
        assert s not in text, f"{s!r} leaked in {where}"


# ================================================================ compartments
OUTSIDERS = ("viewer1", "investigator1", "analyst1")


def test_compartment_membership_in_process(loaded: Any) -> None:
    from graph.scope import Scope

    comp = Scope.for_user(loaded, "analyst1", "analyst").compartment()
    assert {k: set(v) for k, v in comp.hidden.items()} == HIDDEN
    assert comp.hidden_cases == {SECRET_CASE}
    for user, units in (("cleared", ("unit-secret",)), ("sgt.named", ())):
        assert Scope.for_user(loaded, user, "investigator", units).compartment().empty
    assert Scope.for_user(loaded, "boss", "admin").compartment().empty  # admins see every compartment
    assert Scope.operator(loaded, "test").compartment().empty


def test_stats_counts_leave_out_the_compartment(client: TestClient, app: Any) -> None:
    full = client.get("/api/stats", headers=role_hdr(app, "admin")).json()
    assert client.get("/api/stats", headers=hdr(app, "cleared")).json() == full
    for u in OUTSIDERS:
        seen = client.get("/api/stats", headers=hdr(app, u)).json()
        diff_n = {k: full["nodes"][k] - seen["nodes"][k] for k in full["nodes"] if full["nodes"][k] != seen["nodes"][k]}
        diff_r = {k: full["relationships"][k] - seen["relationships"][k] for k in full["relationships"]
                  if full["relationships"][k] != seen["relationships"][k]}
        assert diff_n == {k: len(v) for k, v in HIDDEN.items()}, u
        assert diff_r == HIDDEN_RELS, u


def test_search_never_finds_the_compartment(client: TestClient, app: Any) -> None:
    queries = [{"q": "Kraisorn"}, {"q": "ไกรสร"}, {"q": "Malee Sornchai"}, {"q": "Shadow Karaoke"},
               {"id": "SEC-P1"}, {"id": SECRET_CASE}, {"id": "SEC-A1"}, {"phone": "081-999-0000"},
               {"plate": "2กข 9999"}, {"account": "5550001111"}]
    for q in queries:
        for u in ("investigator1", "analyst1"):
            r = client.get("/api/search", params=q, headers=hdr(app, u))
            assert r.status_code == 200, r.text
            assert_no_leak(json.dumps(r.json()["data"], ensure_ascii=False), f"search {q} by {u}")
        # the same queries do find them for those with access (so the test can fail)
        for u in ("cleared", "sgt.named", "admin1"):
            assert client.get("/api/search", params=q, headers=hdr(app, u)).json()["count"] >= 1, (u, q)
    # the UI search too
    with TestClient(app) as c:
        c.post("/ui/login", data={"username": "analyst1", "password": PASSWORD})
        page = c.get("/ui/search", params={"by": "q", "value": "Kraisorn"}).text
        assert_no_leak(page, "ui search")
        assert c.get("/ui/entity/SEC-P1").status_code == 404


def test_entities_networks_and_paths_hide_the_compartment(client: TestClient, app: Any) -> None:
    h = hdr(app, "analyst1")
    for eid in sorted(HIDDEN_IDS - {"SEC-TX1"}):
        assert_error(client.get(f"/api/entities/{eid}", headers=h), 404)
        assert_error(client.get(f"/api/entities/{eid}/neighbourhood", headers=h), 404)
        assert client.get(f"/api/entities/{eid}", headers=hdr(app, "cleared")).status_code == 200
    assert_error(client.get(f"/api/cases/{SECRET_CASE}", headers=h), 404)
    assert_error(client.get(f"/api/cases/{SECRET_CASE}/network", headers=h), 404)
    assert client.get(f"/api/cases/{SECRET_CASE}/network", headers=hdr(app, "sgt.named")).status_code == 200
    for start in ("P1", "P4", "A1", "TH-74", "KHM", "C1"):
        for fmt in ("json", "html"):
            r = client.get(f"/api/entities/{start}/neighbourhood", params={"depth": 3, "format": fmt}, headers=h)
            assert r.status_code == 200, r.text
            assert_no_leak(r.text, f"neighbourhood of {start} ({fmt})")
    # admins see it: P1's neighbourhood includes the secret person and case
    full = client.get("/api/entities/P1/neighbourhood", params={"depth": 1}, headers=role_hdr(app, "admin")).json()
    assert {"SEC-P1", SECRET_CASE} <= {n["id"] for n in full["nodes"]}
    # the journey leg of the secret victim is not an edge of KHM/TH-74 for outsiders
    loc = client.get("/api/entities/TH-74/neighbourhood", headers=h).json()
    assert all(e.get("case_id") != SECRET_CASE for e in loc["edges"])
    # paths: to a hidden node → 404; between visible nodes never through a hidden one
    assert_error(client.get("/api/paths/shortest", params={"from_id": "P1", "to_id": "SEC-A1"}, headers=h), 404)
    r = client.get("/api/paths/shortest", params={"from_id": "P4", "to_id": "A1"}, headers=h)
    assert r.status_code == 200
    assert_no_leak(r.text, "shortest path")
    # P4 reaches A1 only through the hidden case: P4-SEC-C1-P1-A1
    admin = client.get("/api/paths/shortest", params={"from_id": "P4", "to_id": "A1"},
                       headers=role_hdr(app, "admin")).json()
    assert admin["length"] == 3 and r.json()["length"] is None


def test_analytics_networks_hide_the_compartment(client: TestClient, app: Any, loaded: Any) -> None:
    from graph.projection import person_network
    from graph.scope import Scope

    G = person_network(Scope.for_user(loaded, "analyst1", "analyst"))
    assert set(G.nodes) == {"P1", "P2", "P4"}
    assert not G.has_edge("P1", "P4")  # they co-offend only in the hidden case
    assert G.nodes["P1"]["cases"] == ["C1"] and "broker" not in G.nodes["P1"]["roles"]
    assert G.nodes["P1"]["role"] == "recruiter"
    full = person_network(op_scope(loaded))
    assert full.has_edge("P1", "P4") and full.nodes["P1"]["role"] == "broker"  # the unrestricted graph has them

    h = hdr(app, "analyst1")
    for view in ("brokers", "communities", "keyplayers"):
        for fmt in ("json", "html"):
            r = client.get(f"/api/analytics/{view}", params={"format": fmt, "k": 1}, headers=h)
            assert r.status_code == 200, r.text
            assert_no_leak(r.text, f"{view} ({fmt})")
        assert_error(client.get(f"/api/analytics/{view}", params={"cases": SECRET_CASE}, headers=h), 404)
        assert_error(client.get(f"/api/analytics/{view}", params={"cases": f"C1,{SECRET_CASE}"}, headers=h), 404)
    full_b = client.get("/api/analytics/brokers", headers=role_hdr(app, "admin")).json()
    assert "SEC-P1" in {r["node"] for r in full_b["data"]}


def test_routes_corridors_and_exports_hide_the_compartment(client: TestClient, app: Any) -> None:
    for u in OUTSIDERS:
        h = hdr(app, u)
        c = client.get("/api/routes/corridors", headers=h).json()
        # a viewer is told nothing about one victim (minimum query-set size); the others see the visible one
        assert [(x["source"], x["destination"]) for x in c["data"]] == ([] if u == "viewer1" else [("MMR", "THA")]), u
        hubs = client.get("/api/routes/hubs", headers=h)
        assert_no_leak(hubs.text, "hubs")
        for fmt in ("csv", "geojson", "html"):
            r = client.get("/api/routes/map", params={"format": fmt}, headers=h)
            assert r.status_code == 200
            assert_no_leak(r.text, f"route map {fmt}")
            if fmt == "csv":
                assert "KHM" not in r.text
            if fmt == "geojson":
                feats = r.json()["features"]
                assert not any("KHM" in json.dumps(f.get("properties", {})) for f in feats), u
        # case filters are for investigators (403 for any case, so existence does not leak); others get 404
        status = 403 if u == "viewer1" else 404
        assert_error(client.get("/api/routes/corridors", params={"cases": SECRET_CASE}, headers=h), status)
        assert_error(client.get("/api/routes/map", params={"cases": SECRET_CASE, "format": "csv"}, headers=h),
                     status)
    r = client.get("/api/routes", headers=hdr(app, "analyst1"))
    assert {x["person_id"] for x in r.json()["data"]} == {"P2"}
    # with access: two corridors, exact counts for an analyst
    c = client.get("/api/routes/corridors", headers=hdr(app, "cleared")).json()
    assert sorted((x["source"], x["victims"], x["cases"]) for x in c["data"]) == [("KHM", 1, 1), ("MMR", 1, 1)]
    assert "KHM" in client.get("/api/routes/map", params={"format": "csv"}, headers=hdr(app, "cleared")).text


def test_money_and_resolution_hide_the_compartment(client: TestClient, app: Any) -> None:
    h = hdr(app, "analyst1")
    back = client.get("/api/money/trace/A1", params={"direction": "backward"}, headers=h).json()
    assert [x["txn_id"] for x in back["data"]] == ["TX1"]
    full = client.get("/api/money/trace/A1", params={"direction": "backward"}, headers=hdr(app, "cleared")).json()
    assert {x["txn_id"] for x in full["data"]} == {"TX1", "SEC-TX1"}
    assert_error(client.get("/api/money/trace/SEC-A1", headers=h), 404)
    assert_error(client.get("/api/money/typologies", params={"account": "SEC-A1"}, headers=h), 404)
    for fmt in ("json", "html"):
        assert_no_leak(client.get("/api/money/typologies", params={"format": fmt}, headers=h).text, "typologies")
        assert_no_leak(client.get("/api/money/trace/A1", params={"direction": "backward", "format": fmt},
                                  headers=h).text, "trace")
    # the trace workspace, paths, account risk and alerts hide the compartment too
    trail = client.get("/api/money/trail/A1", params={"direction": "backward"}, headers=h)
    assert [t["txn_id"] for t in trail.json()["transfers"]] == ["TX1"]
    assert_no_leak(trail.text, "trail")
    for fmt in ("csv", "xlsx"):
        assert b"SEC-A1" not in client.get("/api/money/trail/A1", params={"direction": "backward", "format": fmt},
                                           headers=h).content
    assert_error(client.get("/api/money/paths", params={"source": "SEC-A1", "target": "A1"}, headers=h), 404)
    assert_no_leak(client.get("/api/money/risk", headers=h).text, "risk")
    assert_no_leak(client.get("/api/alerts", headers=h).text, "alerts")
    cleared = client.get("/api/money/trail/A1", params={"direction": "backward"}, headers=hdr(app, "cleared"))
    assert {t["txn_id"] for t in cleared.json()["transfers"]} == {"TX1", "SEC-TX1"}
    cands = client.get("/api/resolution/candidates", headers=h)
    assert {(x["id_left"], x["id_right"]) for x in cands.json()["data"]} == {("P1", "P2")}
    assert_no_leak(cands.text, "candidates")
    assert_error(client.post("/api/resolution/judgements", json={"id_left": "SEC-P1", "id_right": "P2",
                                                                 "judgement": "accepted"}, headers=h), 404)
    assert len(client.get("/api/resolution/candidates", headers=hdr(app, "cleared")).json()["data"]) == 2
    assert_error(client.get("/api/resolution/pair", params={"left": "SEC-P1", "right": "P2"}, headers=h), 404)
    assert_error(client.get("/api/resolution/persons/SEC-P1/merged", headers=h), 404)
    assert client.get("/api/resolution/persons/SEC-P1/merged", headers=hdr(app, "cleared")).status_code == 200


# ============================================================== victim protection
def test_viewer_outputs_carry_no_person_names_and_suppress_small_counts(client: TestClient, app: Any) -> None:
    names = {p[k] for p in _tables()["persons"] for k in ("full_name", "full_name_latin", "given_name",
                                                           "family_name") if p.get(k)}
    h = role_hdr(app, "viewer")
    urls = ["/api/stats", "/api/routes/corridors", "/api/routes/corridors?format=html", "/api/routes/hubs",
            "/api/routes/hubs?format=html", "/ui/routes"] + \
        [f"/api/routes/map?format={f}" for f in ("html", "csv", "geojson", "png", "pdf")] + \
        ["/api/routes/map?format=csv&level=province"]
    for url in urls:
        r = client.get(url, headers=h)
        assert r.status_code in (200, 303), (url, r.text[:200])
        body = r.content
        for n in names:
            assert n.encode() not in body, (n, url)
    for x in client.get("/api/routes/corridors", headers=h).json()["data"]:
        assert x["victims"] is None or x["victims"] >= 5
        assert x["cases"] is None or x["cases"] >= 5
    for x in client.get("/api/routes/hubs", headers=h).json()["data"]:
        assert all(x[k] is None or x[k] >= 5 for k in ("victims", "routes", "cases"))
    # one visible victim: below the minimum query-set size, so the viewer's map lists nothing and says why
    assert client.get("/api/routes/map", params={"format": "csv"}, headers=h).text.count("\n") == 1
    assert client.get("/api/routes/map", params={"format": "meta"}, headers=h).json()["disclosure"] == "refused"
    assert_error(client.get("/api/routes/map", params={"min_count": 2}, headers=h), 400)


def test_png_and_pdf_exports_are_watermarked_with_user_and_time(client: TestClient, app: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import viz.routemap as rm

    seen: list[str | None] = []
    for fn in ("routemap_png", "routemap_pdf"):
        real = getattr(rm, fn)

        def spy(*a: Any, _real: Any = real, **kw: Any) -> Any:
            seen.append(kw.get("stamp"))
            return _real(*a, **kw)

        monkeypatch.setattr(rm, fn, spy)
    png = client.get("/api/routes/map", params={"format": "png"}, headers=role_hdr(app, "viewer"))
    pdf = client.get("/api/routes/map", params={"format": "pdf"}, headers=role_hdr(app, "viewer"))
    assert png.content[:4] == b"\x89PNG" and pdf.content[:5] == b"%PDF-"
    pat = re.compile(r"^viewer1 · \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$")  # printed in the footer
    assert len(seen) == 2 and all(s and pat.match(s) for s in seen), seen
    e = app.state.audit.entries(action="export", limit=1)[0]
    assert e.details["watermark"] == seen[-1] and e.details["format"] == "pdf"
    # the watermark changes the image (the viz draws it)
    import pandas as pd

    df = pd.DataFrame([{"source": "MMR", "transit": (), "destination": "THA", "victims": 9, "cases": 6,
                        "cross_border": True}])
    assert rm.routemap_png(df, None, watermark="netintel · x · t") != rm.routemap_png(df, None, watermark=None)


def test_profiles_cases_and_timelines_hide_the_compartment(client: TestClient, app: Any) -> None:
    h = hdr(app, "analyst1")
    for eid in sorted(HIDDEN_IDS - {"SEC-TX1"}):
        for view in ("profile", "timeline"):
            assert_error(client.get(f"/api/entities/{eid}/{view}", headers=h), 404)
        assert client.get(f"/api/entities/{eid}/profile", headers=hdr(app, "cleared")).status_code == 200
    for view in ("profile", "timeline"):
        assert_error(client.get(f"/api/cases/{SECRET_CASE}/{view}", headers=h), 404)
        assert client.get(f"/api/cases/{SECRET_CASE}/{view}", headers=hdr(app, "sgt.named")).status_code == 200
    # the visible neighbours of the compartment: P1 (broker in it, associate of its suspect), P2 (a
    # candidate duplicate of its suspect), P4 (suspect in it), A1 (receives from its account), TH-74 (its place)
    for eid in ("P1", "P2", "P4", "A1", "TH-74", "C1", "C3"):
        for view in ("profile", "timeline"):
            url = f"/api/cases/{eid}/{view}" if eid.startswith("C") else f"/api/entities/{eid}/{view}"
            r = client.get(url, headers=h)
            assert r.status_code == 200, (url, r.text)
            assert_no_leak(json.dumps(r.json(), ensure_ascii=False), f"{url} for analyst1")
    p1 = client.get("/api/entities/P1/profile", headers=h).json()
    assert {c["case_id"] for c in p1["cases"]} == {"C1"}
    p1_cleared = client.get("/api/entities/P1/profile", headers=hdr(app, "cleared")).json()
    assert {c["case_id"] for c in p1_cleared["cases"]} == {"C1", SECRET_CASE}  # so the test can fail
    with TestClient(app) as c:
        c.post("/ui/login", data={"username": "analyst1", "password": PASSWORD})
        for url in ("/ui/entity/P1", "/ui/entity/P4", "/ui/case/C1", "/ui/entity/A1"):
            r = c.get(url)
            assert r.status_code == 200, url
            assert_no_leak(r.text, url)
        assert c.get(f"/ui/case/{SECRET_CASE}").status_code == 404


# ================================================================ routes × roles
def _route_table(app: Any) -> list[tuple[str, str, str, str, Any, int]]:
    """(method, path template, url, needed role, json body, expected status when allowed)."""
    users = app.state.users
    for r in ROLES:
        for name in (f"target-{r}",):
            if users.get(name) is None:
                users.add(name, PASSWORD, "viewer")
    return [
        ("GET", "/api/stats", "/api/stats", "viewer", None, 200),
        ("GET", "/api/auth/me", "/api/auth/me", "viewer", None, 200),
        ("POST", "/api/auth/api-tokens", "/api/auth/api-tokens", "viewer", {"name": "t"}, 201),
        ("GET", "/api/auth/api-tokens", "/api/auth/api-tokens", "viewer", None, 200),
        ("DELETE", "/api/auth/api-tokens/{token_id}", "/api/auth/api-tokens/0123456789abcdef", "viewer", None, 404),
        ("GET", "/api/routes/corridors", "/api/routes/corridors", "viewer", None, 200),
        ("GET", "/api/routes/hubs", "/api/routes/hubs", "viewer", None, 200),
        ("GET", "/api/routes/map", "/api/routes/map?format=csv", "viewer", None, 200),
        ("GET", "/api/routes/trends", "/api/routes/trends", "viewer", None, 200),
        ("POST", "/api/routes/flows", "/api/routes/flows", "viewer", None, 422),  # allowed; no file: 422
        ("GET", "/api/search", "/api/search?q=somchai", "investigator", None, 200),
        ("GET", "/api/entities/{entity_id}", "/api/entities/P1", "investigator", None, 200),
        ("GET", "/api/entities/{entity_id}/neighbourhood", "/api/entities/P1/neighbourhood", "investigator", None,
         200),
        ("GET", "/api/cases/{case_id}", "/api/cases/C1", "investigator", None, 200),
        ("GET", "/api/cases/{case_id}/network", "/api/cases/C1/network", "investigator", None, 200),
        ("GET", "/api/entities/{entity_id}/profile", "/api/entities/P1/profile", "investigator", None, 200),
        ("GET", "/api/entities/{entity_id}/timeline", "/api/entities/P1/timeline", "investigator", None, 200),
        ("GET", "/api/cases/{case_id}/profile", "/api/cases/C1/profile", "investigator", None, 200),
        ("GET", "/api/cases/{case_id}/timeline", "/api/cases/C1/timeline", "investigator", None, 200),
        ("GET", "/api/paths/shortest", "/api/paths/shortest?from_id=P2&to_id=A1", "investigator", None, 200),
        ("GET", "/api/analytics/brokers", "/api/analytics/brokers?cases=C1", "investigator", None, 200),
        ("GET", "/api/analytics/communities", "/api/analytics/communities?cases=C1", "investigator", None, 200),
        ("GET", "/api/analytics/keyplayers", "/api/analytics/keyplayers?cases=C1&k=1", "investigator", None, 200),
        ("GET", "/api/routes", "/api/routes", "investigator", None, 200),
        ("GET", "/api/jobs", "/api/jobs", "investigator", None, 200),
        ("GET", "/api/jobs/{job_id}", "/api/jobs/no-such-job", "investigator", None, 404),
        ("DELETE", "/api/jobs/{job_id}", "/api/jobs/no-such-job", "investigator", None, 404),
        ("POST", "/api/investigations", "/api/investigations", "investigator",
         {"name": "t", "nodes": [{"id": "P1", "label": "Person"}]}, 201),
        ("GET", "/api/investigations", "/api/investigations", "investigator", None, 200),
        ("GET", "/api/investigations/{investigation_id}", "/api/investigations/inv-0000000000000000",
         "investigator", None, 404),
        ("POST", "/api/investigations/{investigation_id}/share", "/api/investigations/inv-0000000000000000/share",
         "investigator", {"users": ["x"]}, 404),
        ("GET", "/api/money/trace/{account}", "/api/money/trace/A2", "analyst", None, 200),
        ("GET", "/api/money/typologies", "/api/money/typologies", "analyst", None, 200),
        ("GET", "/api/money/trail/{account}", "/api/money/trail/A2?since=2024-01-01", "analyst", None, 200),
        ("GET", "/api/money/paths", "/api/money/paths?source=A2&target=A1", "analyst", None, 200),
        ("GET", "/api/money/risk", "/api/money/risk", "analyst", None, 200),
        ("GET", "/api/alerts", "/api/alerts", "analyst", None, 200),
        ("POST", "/api/alerts/run", "/api/alerts/run", "analyst", None, 200),
        ("GET", "/api/alerts/{alert_id}", "/api/alerts/AL-no-such-alert", "analyst", None, 404),
        ("POST", "/api/alerts/{alert_id}", "/api/alerts/AL-no-such-alert", "analyst", {"note": "x"}, 404),
        ("GET", "/api/resolution/candidates", "/api/resolution/candidates", "analyst", None, 200),
        ("POST", "/api/resolution/judgements", "/api/resolution/judgements", "analyst",
         {"id_left": "P1", "id_right": "P2", "judgement": "unsure", "reason": "route table"}, 200),
        ("GET", "/api/resolution/pair", "/api/resolution/pair?left=P1&right=P2", "analyst", None, 200),
        ("GET", "/api/resolution/persons/{entity_id}/candidates", "/api/resolution/persons/P1/candidates",
         "analyst", None, 200),
        ("GET", "/api/resolution/persons/{entity_id}/merged", "/api/resolution/persons/P1/merged",
         "investigator", None, 200),
        ("POST", "/api/resolution/run", "/api/resolution/run", "analyst", None, 200),
        ("GET", "/api/indicators", "/api/indicators", "viewer", None, 200),
        ("GET", "/api/pipeline", "/api/pipeline", "viewer", None, 200),
        ("GET", "/api/assistance/coverage", "/api/assistance/coverage", "viewer", None, 200),
        ("GET", "/api/compensation/unpaid", "/api/compensation/unpaid", "investigator", None, 200),
        ("GET", "/api/provinces", "/api/provinces", "viewer", None, 200),
        ("GET", "/api/provinces/{code}/dashboard", "/api/provinces/TH-74/dashboard", "viewer", None, 200),
        ("GET", "/api/admin/users", "/api/admin/users", "admin", None, 200),
        ("POST", "/api/admin/users", "/api/admin/users", "admin",
         {"username": "made-by-test", "password": PASSWORD, "role": "viewer"}, 201),
        ("POST", "/api/admin/users/{username}/disable", "/api/admin/users/target-viewer/disable", "admin", None, 200),
        ("POST", "/api/admin/users/{username}/enable", "/api/admin/users/target-viewer/enable", "admin", None, 200),
        ("POST", "/api/admin/users/{username}/password", "/api/admin/users/target-viewer/password", "admin",
         {"password": "a-new-long-password"}, 200),
        ("POST", "/api/admin/users/{username}/role", "/api/admin/users/target-viewer/role", "admin",
         {"role": "investigator"}, 200),
        ("POST", "/api/admin/users/{username}/units", "/api/admin/users/target-viewer/units", "admin",
         {"units": ["unit-a"]}, 200),
        ("GET", "/api/admin/api-tokens", "/api/admin/api-tokens", "admin", None, 200),
        ("DELETE", "/api/admin/api-tokens/{token_id}", "/api/admin/api-tokens/0123456789abcdef", "admin", None, 404),
        ("GET", "/api/admin/audit", "/api/admin/audit", "admin", None, 200),
        ("GET", "/api/admin/audit/verify", "/api/admin/audit/verify", "admin", None, 200),
        ("POST", "/api/admin/ingest", "/api/admin/ingest", "admin", "BUNDLE", 200),
    ]


PUBLIC = {("GET", "/health"), ("GET", "/ready"), ("POST", "/api/auth/token")}


def test_route_table_covers_every_route_in_the_schema(app: Any) -> None:
    spec = app.openapi()["paths"]
    in_schema = {(m.upper(), p) for p, ops in spec.items() for m in ops}
    tested = {(m, p) for m, p, *_ in _route_table(app)}
    assert in_schema - PUBLIC == tested, (in_schema - PUBLIC) ^ tested


def test_every_route_for_every_role(client: TestClient, app: Any, bundle: Path) -> None:
    from api.security import role_allows

    denied_before = len(app.state.audit.entries(action="access_denied", limit=10_000))
    n_denied = 0
    for method, _path, url, needed, body, ok in _route_table(app):
        body = {"path": str(bundle)} if body == "BUNDLE" else body
        assert_error(client.request(method, url, json=body), 401, "unauthorized")
        assert_error(client.request(method, url, json=body, headers={"Authorization": "Bearer nit_forged"}), 401)
        for role in ROLES:
            r = client.request(method, url, json=body, headers=role_hdr(app, role))
            if role_allows(role, needed):
                assert r.status_code == ok, (method, url, role, r.status_code, r.text[:300])
            else:
                err = assert_error(r, 403, "forbidden")
                assert err["details"] == {"needed": needed, "role": role}, (url, role)
                n_denied += 1
        if method == "POST" and url == "/api/admin/users":
            app.state.users.set_disabled("made-by-test", True)
    # every refusal is in the audit log
    assert len(app.state.audit.entries(action="access_denied", limit=10_000)) - denied_before == n_denied


def test_ui_pages_by_role(app: Any) -> None:
    for role in ROLES:
        with TestClient(app) as c:
            assert c.get("/ui/search", follow_redirects=False).status_code == 303  # not logged in
            c.post("/ui/login", data={"username": role + "1", "password": PASSWORD})
            ok = role != "viewer"
            assert c.get("/ui/").status_code == 200
            assert c.get("/ui/routes").status_code == 200
            assert c.get("/ui/search", params={"value": "Somchai"}).status_code == (200 if ok else 403)
            assert c.get("/ui/entity/P1").status_code == (200 if ok else 403)


# ====================================================================== audit
def test_every_sensitive_action_is_audited(client: TestClient, app: Any, bundle: Path) -> None:
    log = app.state.audit
    inv, ana, adm = hdr(app, "investigator1"), hdr(app, "analyst1"), role_hdr(app, "admin")
    actions: list[tuple[str, str, dict[str, Any] | None, dict[str, str], str, str, str]] = [
        # method, url, json, headers, who, action, target
        ("GET", "/api/search?q=Somchai", None, inv, "investigator1", "read_personal", "search"),
        ("GET", "/api/entities/P1", None, inv, "investigator1", "read_personal", "P1"),
        ("GET", "/api/cases/C1", None, inv, "investigator1", "read_personal", "C1"),
        ("GET", "/api/entities/P2/neighbourhood", None, inv, "investigator1", "read_personal", "P2"),
        ("GET", "/api/cases/C1/network", None, inv, "investigator1", "read_personal", "C1"),
        ("GET", "/api/paths/shortest?from_id=P2&to_id=A1", None, inv, "investigator1", "read_personal", "P2..A1"),
        ("GET", "/api/analytics/brokers?cases=C1", None, inv, "investigator1", "read_personal", "C1"),
        ("GET", "/api/analytics/communities", None, inv, "investigator1", "read_personal", "*"),
        ("GET", "/api/analytics/keyplayers?k=1", None, inv, "investigator1", "read_personal", "*"),
        ("GET", "/api/routes", None, inv, "investigator1", "read_personal", "*"),
        ("GET", "/api/money/trace/A2", None, ana, "analyst1", "read_personal", "A2"),
        ("GET", "/api/money/typologies", None, ana, "analyst1", "read_personal", "*"),
        ("GET", "/api/resolution/candidates", None, ana, "analyst1", "read_personal", "same_as"),
        ("POST", "/api/resolution/judgements", {"id_left": "P1", "id_right": "P2", "judgement": "rejected"}, ana,
         "analyst1", "judgement", "P1|P2"),
        ("POST", "/api/resolution/run", None, ana, "analyst1", "resolution_run", "same_as"),
        ("GET", "/api/admin/audit?limit=1", None, adm, "admin1", "audit_view", "audit"),
        ("POST", "/api/admin/users/target-viewer/role", {"role": "viewer"}, adm, "admin1", "user_admin",
         "target-viewer"),
        ("GET", "/api/money/trace/A2", None, inv, "investigator1", "access_denied", "/api/money/trace/A2"),
    ] + [("GET", f"/api/routes/map?format={f}", None, role_hdr(app, "viewer"), "viewer1", "export", "routemap")
         for f in ("html", "png", "pdf", "geojson", "csv")]
    for method, url, body, h, who, action, target in actions:
        n = log.count()
        r = client.request(method, url, json=body, headers=h)
        assert r.status_code < 500, (url, r.text)
        new = log.entries(limit=log.count() - n)
        assert len(new) == 1, (url, [(e.action, e.target) for e in new])
        e = new[0]
        assert (e.username, e.action, e.target) == (who, action, target), url
        assert e.client == "testclient" and e.at.endswith("+00:00") and e.details["path"] == url.split("?")[0], url
        if action == "export":
            assert e.details["format"] == url.rsplit("=", 1)[1]
    # ingest: a start and a done entry
    n = log.count()
    assert client.post("/api/admin/ingest", json={"path": str(bundle)}, headers=adm).status_code == 200
    new = list(reversed(log.entries(limit=log.count() - n)))
    assert [(e.action, e.details["phase"]) for e in new] == [("ingest", "start"), ("ingest", "done")]
    assert new[1].details["rows"] > 0 and new[1].target == str(bundle)
    # logins, failed logins; UI reads
    n = log.count()
    client.post("/api/auth/token", data={"username": "viewer1", "password": PASSWORD})
    client.post("/api/auth/token", data={"username": "viewer1", "password": "not-the-password"})
    with TestClient(app) as c:
        c.post("/ui/login", data={"username": "investigator1", "password": PASSWORD})
        c.get("/ui/entity/P1")
        c.get("/ui/search", params={"value": "Somchai"})
    new = list(reversed(log.entries(limit=log.count() - n)))
    assert [(e.username, e.action) for e in new] == [
        ("viewer1", "login"), ("viewer1", "login_failed"), ("investigator1", "login"),
        ("investigator1", "read_personal"), ("investigator1", "read_personal")]
    assert new[3].details["via"] == "ui" and new[3].target == "P1"
    v = client.get("/api/admin/audit/verify", headers=adm).json()
    assert v["ok"] and v["entries"] == log.count()
    # entries are viewable by admins only (HTML escaped)
    assert client.get("/api/admin/audit", headers=inv).status_code == 403


def test_tamper_is_detected_by_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from api.audit import AuditLog
    from cli import app as cli

    monkeypatch.setenv("NETINTEL_HOME", str(tmp_path))
    log = AuditLog(tmp_path / "audit.sqlite")
    for i in range(4):
        log.record("investigator1", "read_personal", f"P{i}", {"i": i}, "10.0.0.1")
    res = CliRunner().invoke(cli, ["audit", "verify", "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["ok"] is True and json.loads(res.output)["entries"] == 4
    con = sqlite3.connect(log.path)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("UPDATE audit SET target = 'P9' WHERE seq = 2")  # someone hides what they looked at
    con.commit()
    con.close()
    res = CliRunner().invoke(cli, ["audit", "verify", "--json"])
    out = json.loads(res.output)
    assert res.exit_code == 1 and out["ok"] is False and out["first_bad_seq"] == 2


# ======================================================= injection and XSS
def _defaults(path: str) -> dict[str, str]:
    return {"entity_id": "P1", "case_id": "C1", "account": "A2", "from_id": "P2", "to_id": "A1", "format": "json",
            "left": "P1", "right": "P2", "code": "TH-74"}


def test_injection_and_xss_in_every_text_parameter(client: TestClient, app: Any, loaded: Any) -> None:
    before = gdb.stats(op_scope(loaded))
    h = role_hdr(app, "admin")
    spec = app.openapi()["paths"]
    tried = 0
    for path, ops in spec.items():
        op = ops.get("get")
        if op is None or not path.startswith("/api/"):
            continue
        params = op.get("parameters", [])
        texts = [p for p in params if "string" in json.dumps(p["schema"]) and "enum" not in json.dumps(p["schema"])
                 and p["schema"].get("format") != "date" and p["name"] != "format"
                 and "$ref" not in json.dumps(p["schema"])]
        for p in texts:
            for payload in INJECTIONS:
                values = {k: v for k, v in _defaults(path).items() if any(x["name"] == k for x in params)}
                if path == "/api/routes/map":
                    values["format"] = "csv"
                values[p["name"]] = payload
                url = path
                for x in params:
                    if x["in"] == "path":
                        url = url.replace("{" + x["name"] + "}", quote(values.pop(x["name"]), safe=""))
                for fmt in ("json", "html") if payload == XSS and "format" in values else (values.get("format"),):
                    if fmt:
                        values["format"] = fmt
                    r = client.get(url, params=values, headers=h)
                    tried += 1
                    assert r.status_code in (200, 400, 404, 422), (path, p["name"], payload, r.status_code, r.text)
                    if r.status_code >= 400:
                        assert_error(r, r.status_code)
                    if "html" in r.headers.get("content-type", ""):
                        assert XSS not in r.text, (path, p["name"])
    assert tried > 300
    # JSON bodies
    for payload in INJECTIONS:
        assert client.post("/api/resolution/judgements", json={"id_left": payload, "id_right": "P2",
                                                               "judgement": "accepted"}, headers=h).status_code == 404
        assert client.post("/api/admin/users", json={"username": payload, "password": PASSWORD, "role": "viewer"},
                           headers=h).status_code == 422
        assert client.post("/api/admin/ingest", json={"path": "/nonexistent/" + payload},
                           headers=h).status_code in (403, 404, 422)  # 403: outside the import folder
        assert client.post("/api/auth/token", data={"username": payload, "password": payload}).status_code in (401, 422)
    assert client.post("/api/auth/api-tokens", json={"name": XSS}, headers=h).status_code == 201
    # UI pages
    with TestClient(app) as c:
        c.post("/ui/login", data={"username": "admin1", "password": PASSWORD})
        for payload in INJECTIONS:
            for by in ("q", "id", "account"):
                r = c.get("/ui/search", params={"by": by, "value": payload})
                assert r.status_code == 200 and XSS not in r.text
            r = c.get("/ui/entity/" + quote(payload, safe=""))
            assert r.status_code in (404, 200) and XSS not in r.text
        assert XSS not in c.get("/ui/login", params={"next": XSS}).text
    # the audit log view shows the stored XSS token name escaped
    page = client.get("/api/admin/audit", params={"format": "html", "limit": 1000}, headers=h).text
    assert XSS not in page and "&lt;script&gt;" in page
    assert gdb.stats(op_scope(loaded)) == before  # nothing was written or deleted


# ============================================================ size limits
def test_request_body_and_query_string_limits(client: TestClient, app: Any) -> None:
    h = role_hdr(app, "admin")
    big = {"name": "x" * (70 * 1024)}
    err = assert_error(client.post("/api/auth/api-tokens", json=big, headers=h), 413, "too_large")
    assert "65536" in err["message"]

    def chunks() -> Iterator[bytes]:  # streamed, no Content-Length
        yield b'{"name": "'
        for _ in range(80):
            yield b"y" * 1024
        yield b'"}'

    r = client.post("/api/auth/api-tokens", content=chunks(),
                    headers={**h, "Content-Type": "application/json"})
    assert_error(r, 413, "too_large")
    assert_error(client.get("/api/search", params={"q": "a", "junk": "z" * 9000}, headers=h), 414, "uri_too_long")
    assert client.post("/api/auth/api-tokens", json={"name": "small"}, headers=h).status_code == 201


def test_failed_logins_are_throttled(app: Any) -> None:
    with TestClient(app) as c:
        for _ in range(app.state.api_settings.login_attempts):
            assert c.post("/api/auth/token", data={"username": "analyst1", "password": "wrong-wrong-wrong"}
                          ).status_code == 401
        r = c.post("/api/auth/token", data={"username": "analyst1", "password": PASSWORD})
        err = assert_error(r, 429, "too_many_requests")
        assert int(r.headers["retry-after"]) > 0 and err["details"]["retry_after_seconds"] > 0
        assert c.post("/ui/login", data={"username": "analyst1", "password": PASSWORD}).status_code == 429
        assert app.state.audit.entries(action="login_throttled", limit=1)[0].username == "analyst1"
        # other users from the same address are not locked out by it
        assert c.post("/api/auth/token", data={"username": "viewer1", "password": PASSWORD}).status_code == 200
