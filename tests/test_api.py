"""The API against the real Neo4j: routes, error shape, roles, audit, injection and XSS."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.audit import AuditLog, verify_audit
from api.security import ROLES, ApiSettings, UnsafeSettings, get_api_settings
from graph import db as gdb
from ingest.loader import ingest_bundle
from tests.conftest import hdr, new_app, op
from tests.test_ingest import full_tables

pytestmark = pytest.mark.neo4j

XSS = "<img src=x onerror=alert(1)>"
INJECTIONS = ["' OR 1=1 //", '"}) MATCH (n) DETACH DELETE n //', "a) DETACH DELETE n; //", "*:*", "\\", "((", "AND"]
PASSWORD = "correct-horse-battery"


def _tables() -> dict[str, list[dict[str, Any]]]:
    t = full_tables()
    t["persons"].append({"id": "P9", "source": "RTP", "source_record_id": "x-9", "full_name": XSS,
                         "full_name_latin": XSS, "nationality": "THA"})
    t["associations"].append({"source": "RTP", "source_record_id": "cdr-9", "person_id": "P1", "other_id": "P9",
                              "kind": "associate"})
    t["cases"].append({"id": "C2", "source": "DSI", "source_record_id": "secret-1", "case_number": "S-1/2567",
                       "restricted_to": "someone_else", "exploitation_type": "sexual"})
    t["involvements"].append({"source": "DSI", "source_record_id": "inv-9", "party_id": "P1", "case_id": "C2",
                              "role": "suspect"})
    return t


@pytest.fixture(scope="module")
def loaded(driver: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.conftest import write_csv

    gdb.clear_database(driver)
    d = tmp_path_factory.mktemp("apibundle")
    for table, rows in _tables().items():
        write_csv(d / f"{table}.csv", rows)
    s = ingest_bundle(driver, d, rejects_path=d / "rejects.csv")
    assert s.rejected == 0, (d / "rejects.csv").read_text()
    driver.execute_query("MATCH (a:Person {id:'P1'}), (b:Person {id:'P2'}) MERGE (a)-[s:SAME_AS]->(b) "
                         "SET s.judgement='pending', s.score=0.7, s.method='test', s.source='netintel', "
                         "s.source_record_id='P1|P2'")
    return driver


@pytest.fixture(scope="module")
def app(loaded: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return new_app(tmp_path_factory.mktemp("apihome"), neo4j_settings, loaded, users=PASSWORD)


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def assert_error(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


# ------------------------------------------------------------ system, docs
def test_health_ready_docs_offline(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json() == {"status": "ready"}
    spec = client.get("/openapi.json").json()
    assert "/api/entities/{entity_id}/neighbourhood" in spec["paths"]
    docs = client.get("/docs").text
    assert "cdn" not in docs.lower()
    for src in ("swagger-ui-bundle.js", "swagger-ui.css"):
        if src in docs:  # the Swagger UI assets are served by the app itself
            assert client.get(f"/docs/assets/{src}").status_code == 200


def test_neo4j_down_gives_503_and_recovers(neo4j_settings: Any, tmp_path: Path) -> None:
    from graph.settings import Settings

    dead = Settings(home=neo4j_settings.home, neo4j_version="x", bolt_port=1, http_port=1, heap="1g",
                    pagecache="1g", external_uri="bolt://127.0.0.1:1", external_user="neo4j",
                    external_password="nope")
    a = create_app(ApiSettings(home=tmp_path, env="development", secret_key="k" * 48), neo4j_settings=dead)
    a.state.users.add("viewer1", PASSWORD, "viewer")
    with TestClient(a) as c:
        assert c.get("/health").status_code == 200
        assert_error(c.get("/ready"), 503)
        assert_error(c.get("/api/stats", headers=hdr(a, "viewer")), 503)
        a.state.neo4j_settings = neo4j_settings  # the database is back
        assert c.get("/ready").status_code == 200
        assert c.get("/api/stats", headers=hdr(a, "viewer")).status_code == 200


def test_unsafe_settings_refused_outside_development(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETINTEL_SECRET_KEY", "changeme")
    monkeypatch.setenv("NETINTEL_ENV", "production")
    with pytest.raises(UnsafeSettings):
        create_app(get_api_settings(tmp_path))
    monkeypatch.setenv("NETINTEL_ENV", "development")
    create_app(get_api_settings(tmp_path))
    # without a key one is generated once, private, and reused
    monkeypatch.delenv("NETINTEL_SECRET_KEY")
    monkeypatch.setenv("NETINTEL_ENV", "production")
    s1 = get_api_settings(tmp_path)
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert len(s1.secret_key) >= 32 and get_api_settings(tmp_path).secret_key == s1.secret_key
    create_app(s1)
    os.chmod(tmp_path / "secret_key", 0o644)
    with pytest.raises(UnsafeSettings):
        create_app(get_api_settings(tmp_path))


# ------------------------------------------------------------------- auth
def test_login_token_and_api_token(client: TestClient, app: Any) -> None:
    assert_error(client.post("/api/auth/token", data={"username": "analyst1", "password": "wrong-password!"}),
                 401, "unauthorized")
    assert_error(client.post("/api/auth/token", data={"username": "nobody", "password": PASSWORD}), 401)
    r = client.post("/api/auth/token", data={"username": "analyst1", "password": PASSWORD})
    tok = r.json()["access_token"]
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {tok}"}).json()
    assert me["username"] == "analyst1" and me["role"] == "analyst"
    assert_error(client.get("/api/auth/me"), 401)
    assert_error(client.get("/api/auth/me", headers={"Authorization": "Bearer " + tok[:-3] + "abc"}), 401)
    api = client.post("/api/auth/api-tokens", json={"name": "nightly"}, headers={"Authorization": f"Bearer {tok}"})
    assert api.status_code == 201
    script = {"Authorization": "Bearer " + api.json()["token"]}
    assert client.get("/api/auth/me", headers=script).json()["username"] == "analyst1"
    # only the digest is stored
    con = sqlite3.connect(app.state.users.path)
    assert api.json()["token"] not in str(con.execute("SELECT * FROM api_tokens").fetchall())
    con.close()


def test_expired_token_rejected(client: TestClient, app: Any) -> None:
    import datetime as dt

    import jwt

    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    tok = jwt.encode({"sub": "admin1", "role": "admin", "iat": old, "exp": old + dt.timedelta(minutes=15),
                      "typ": "access", "pwc": app.state.users.password_changed_at("admin1")},
                     app.state.api_settings.secret_key, algorithm="HS256")
    assert_error(client.get("/api/auth/me", headers={"Authorization": f"Bearer {tok}"}), 401)
    forged = jwt.encode({"sub": "admin1", "role": "admin", "iat": dt.datetime.now(dt.UTC),
                         "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5), "typ": "access"},
                        "another-secret-another-secret-xx", algorithm="HS256")
    assert_error(client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"}), 401)


# ------------------------------------------------------------------ roles
ROUTES: list[tuple[str, str, str]] = [
    ("GET", "/api/stats", "viewer"),
    ("GET", "/api/routes/corridors", "viewer"),
    ("GET", "/api/routes/hubs", "viewer"),
    ("GET", "/api/routes/map?format=geojson", "viewer"),
    ("GET", "/api/routes/trends", "viewer"),
    ("GET", "/api/search?q=somchai", "investigator"),
    ("GET", "/api/entities/P1", "investigator"),
    ("GET", "/api/entities/P1/neighbourhood", "investigator"),
    ("GET", "/api/cases/C1", "investigator"),
    ("GET", "/api/cases/C1/network", "investigator"),
    ("GET", "/api/entities/P1/profile", "investigator"),
    ("GET", "/api/entities/P1/timeline", "investigator"),
    ("GET", "/api/cases/C1/profile", "investigator"),
    ("GET", "/api/cases/C1/timeline", "investigator"),
    ("GET", "/api/paths/shortest?from_id=P2&to_id=A1", "investigator"),
    ("GET", "/api/analytics/brokers?cases=C1", "investigator"),
    ("GET", "/api/analytics/communities?cases=C1", "investigator"),
    ("GET", "/api/analytics/keyplayers?cases=C1&k=1", "investigator"),
    ("GET", "/api/routes", "investigator"),
    ("GET", "/api/jobs", "investigator"),
    ("GET", "/api/investigations", "investigator"),
    ("GET", "/api/money/trace/A2", "analyst"),
    ("GET", "/api/money/typologies", "analyst"),
    ("GET", "/api/money/trail/A2", "analyst"),
    ("GET", "/api/money/paths?source=A2&target=A1", "analyst"),
    ("GET", "/api/money/risk", "analyst"),
    ("GET", "/api/alerts", "analyst"),
    ("GET", "/api/resolution/candidates", "analyst"),
    ("GET", "/api/resolution/pair?left=P1&right=P2", "analyst"),
    ("GET", "/api/resolution/persons/P1/candidates", "analyst"),
    ("GET", "/api/resolution/persons/P1/merged", "investigator"),
    ("GET", "/api/indicators", "viewer"),
    ("GET", "/api/pipeline", "viewer"),
    ("GET", "/api/assistance/coverage", "viewer"),
    ("GET", "/api/provinces", "viewer"),
    ("GET", "/api/provinces/TH-74/dashboard", "viewer"),
    ("GET", "/api/compensation/unpaid", "investigator"),
    ("GET", "/api/admin/users", "admin"),
    ("GET", "/api/admin/audit", "admin"),
    ("GET", "/api/admin/audit/verify", "admin"),
    ("GET", "/api/admin/api-tokens", "admin"),
    ("GET", "/api/money/trail/A2", "analyst"),
    ("GET", "/api/money/paths?source=A2&target=A1", "analyst"),
    ("GET", "/api/money/risk", "analyst"),
    ("GET", "/api/alerts", "analyst"),
    ("GET", "/api/auth/api-tokens", "viewer"),
]


@pytest.mark.parametrize(("method", "url", "needed"), ROUTES)
def test_each_role_allowed_or_denied(client: TestClient, app: Any, method: str, url: str, needed: str) -> None:
    assert_error(client.request(method, url), 401, "unauthorized")
    for role in ROLES:
        r = client.request(method, url, headers=hdr(app, role))
        if ROLES.index(role) >= ROLES.index(needed):
            assert r.status_code == 200, (role, url, r.text)
        else:
            err = assert_error(r, 403, "forbidden")
            assert err["details"]["needed"] == needed


def test_every_api_route_is_in_the_role_table(app: Any) -> None:
    """A new route must be added to ROUTES (and so get a role check test)."""
    tested = {u.split("?")[0].replace("P1", "{entity_id}").replace("C1", "{case_id}").replace("A2", "{account}")
              .replace("TH-74", "{code}") for _, u, _ in ROUTES}
    # from the schema: app.routes does not list included routers' routes as APIRoute in recent FastAPI
    gets = {p for p, ops in app.openapi()["paths"].items() if p.startswith("/api/") and "get" in ops
            and p not in ("/api/auth/me", "/api/jobs/{job_id}",  # a job id: in test_security's route table
                          "/api/alerts/{alert_id}",  # an alert id: in test_security's route table
                          "/api/investigations/{investigation_id}")}  # roles checked in test_investigations
    assert len(gets) > 15 and gets - tested == set()


# ------------------------------------------------------------------ search
def test_search_by_name_id_phone_plate_account(client: TestClient, app: Any) -> None:
    h = hdr(app, "investigator")

    def ids(**q: str) -> list[str]:
        r = client.get("/api/search", params=q, headers=h)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()["data"]]

    assert ids(q="สมชาย")[0] == "P1"            # Thai
    assert "P1" in ids(q="Somchia Jaidee")      # Latin, misspelt
    assert ids(q="Aung Kyaw")[0] == "P2"
    assert ids(id="C1") == ["C1"]
    assert ids(id="C2") == []                   # restricted case is invisible to others
    assert ids(phone="๐๘๑-๒๓๔-๕๖๗๘") == ["P1"]    # Thai digits, normalised to +66812345678
    assert ids(plate="1กข-1234") == ["V1"]
    assert ids(account="98765-43210") == ["A2"]
    assert_error(client.get("/api/search", params={"phone": "call me"}, headers=h), 400, "bad_request")
    assert_error(client.get("/api/search", headers=h), 400)
    assert_error(client.get("/api/search", params={"q": "a", "id": "b"}, headers=h), 400)
    assert_error(client.get("/api/search", params={"q": "x", "limit": 0}, headers=h), 422, "invalid_parameters")


def test_injection_strings_are_harmless(client: TestClient, app: Any, loaded: Any) -> None:
    h = hdr(app, "admin")
    before = gdb.stats(op(loaded))
    for s in INJECTIONS + [XSS]:
        for key in ("q", "id", "account"):
            r = client.get("/api/search", params={key: s}, headers=h)
            assert r.status_code == 200, (key, s, r.text)
        assert_error(client.get("/api/entities/" + quote(s, safe=""), headers=h), 404)
        r = client.get("/api/entities/P1/neighbourhood", params={"agency": s[:20]}, headers=h)
        assert r.status_code == 200 and len(r.json()["nodes"]) == 1
        assert_error(client.get("/api/entities/P1/neighbourhood", params={"types": s}, headers=h), 400)
        assert_error(client.get("/api/entities/P1/neighbourhood", params={"labels": s}, headers=h), 400)
    assert gdb.stats(op(loaded)) == before


# ------------------------------------------------------- entity, network
def test_entity_and_case(client: TestClient, app: Any) -> None:
    h = hdr(app, "investigator")
    p1 = client.get("/api/entities/P1", headers=h).json()
    assert p1["label"] == "Person" and p1["name"] == "สมชาย ใจดี" and p1["birth_date"] == "1987-05-12"
    assert client.get("/api/cases/C1", headers=h).json()["case_number"] == "คดีพิเศษที่ 123/2567"
    assert_error(client.get("/api/entities/NOPE", headers=h), 404, "not_found")
    assert_error(client.get("/api/cases/P1", headers=h), 404)
    assert_error(client.get("/api/cases/C2", headers=h), 404)  # compartment
    assert client.get("/api/cases/C2", headers=hdr(app, "admin")).status_code == 200
    assert_error(client.get("/api/entities/P1?label=Nope", headers=h), 400)


def test_neighbourhood_filters_cap_and_shape(client: TestClient, app: Any) -> None:
    h = hdr(app, "investigator")

    def nb(eid: str, **q: Any) -> dict[str, Any]:
        r = client.get(f"/api/entities/{eid}/neighbourhood", params=q, headers=h)
        assert r.status_code == 200, r.text
        return r.json()

    d = nb("P1")
    assert {n["id"] for n in d["nodes"]} == {"P1", "C1", "P2", "O1", "A1", "V1", "TH-74", "P9"}
    assert d["truncated"] is False
    assert {(e["from"], e["to"], e["type"]) for e in d["edges"]} >= {("P1", "C1", "INVOLVED_IN"),
                                                                      ("P1", "A1", "HOLDS")}
    assert all({"id", "label", "name"} <= set(n) for n in d["nodes"])
    admin = client.get("/api/entities/P1/neighbourhood", headers=hdr(app, "admin")).json()
    assert "C2" in {n["id"] for n in admin["nodes"]}  # admins see every compartment
    capped = nb("P1", limit=3)
    assert len(capped["nodes"]) == 3 and capped["truncated"] is True
    ids = {n["id"] for n in capped["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in capped["edges"])
    assert {n["id"] for n in nb("P1", labels="Person")["nodes"]} == {"P1", "P2", "P9"}
    assert {n["id"] for n in nb("P1", types="HOLDS,OWNS")["nodes"]} == {"P1", "A1", "V1"}
    assert {n["id"] for n in nb("P1", agency="AMLO")["nodes"]} == {"P1", "A1"}
    # time: A2 -TRANSFERRED(2024-01-05)-> A1; HOLDS is undated and always kept
    assert {n["id"] for n in nb("A2", since="2024-02-01")["nodes"]} == {"A2", "O1"}
    assert {n["id"] for n in nb("A2", until="2024-01-31")["nodes"]} == {"A2", "O1", "A1"}
    deep = nb("P2", depth=2)
    assert {"A1", "V1", "O1"} <= {n["id"] for n in deep["nodes"]}
    for bad in ({"depth": 0}, {"depth": 4}, {"limit": 501}, {"since": "yesterday"}):
        assert_error(client.get("/api/entities/P1/neighbourhood", params=bad, headers=h), 422)
    assert_error(client.get("/api/entities/P1/neighbourhood",
                            params={"since": "2024-02-01", "until": "2024-01-01"}, headers=h), 400)
    assert_error(client.get("/api/entities/NOPE/neighbourhood", headers=h), 404)
    case = client.get("/api/cases/C1/network", params={"depth": 1}, headers=h).json()
    assert {n["id"] for n in case["nodes"]} == {"C1", "P1", "P2", "O1", "V1", "TH-74"}


def test_shortest_path(client: TestClient, app: Any) -> None:
    h = hdr(app, "investigator")
    d = client.get("/api/paths/shortest", params={"from_id": "P2", "to_id": "A1"}, headers=h).json()
    assert d["length"] == 2 and d["nodes"][0]["id"] == "P2" and d["nodes"][-1]["id"] == "A1"
    none = client.get("/api/paths/shortest", params={"from_id": "P2", "to_id": "A1", "types": "OWNS"},
                      headers=h).json()
    assert none["length"] is None and none["nodes"] == []
    assert_error(client.get("/api/paths/shortest", params={"from_id": "P2", "to_id": "ZZ"}, headers=h), 404)
    assert_error(client.get("/api/paths/shortest", params={"from_id": "P2"}, headers=h), 422)


# --------------------------------------------------------------- analytics
def test_brokers_communities_keyplayers(client: TestClient, app: Any) -> None:
    h = hdr(app, "investigator")
    b = client.get("/api/analytics/brokers", params={"cases": "C1"}, headers=h).json()
    assert b["data"][0]["node"] == "P1" and b["data"][0]["rank"] == 1  # P1 sits between P2 and P9
    allb = client.get("/api/analytics/brokers", headers=h).json()
    assert {r["node"] for r in allb["data"]} == {"P1", "P2", "P9"}
    assert_error(client.get("/api/analytics/brokers", params={"cases": "C1,NOPE"}, headers=h), 404)
    assert_error(client.get("/api/analytics/brokers", params={"cases": "C2"}, headers=h), 404)
    assert_error(client.get("/api/analytics/brokers", params={"group": "x y"}, headers=h), 422)
    kp = client.get("/api/analytics/keyplayers", params={"k": 1}, headers=h).json()
    assert [r["node"] for r in kp["data"]] == ["P1"]
    com = client.get("/api/analytics/communities", headers=h).json()
    assert {r["node"] for r in com["data"]} == {"P1", "P2", "P9"}
    page = client.get("/api/analytics/brokers?format=html&top=20", headers=h).text
    assert "Brokers" in page
    # the ranked table downloads from the page, in the page's own query
    links = re.findall(r'href="(/api/analytics/brokers\?[^"]*format=(?:csv|xlsx))"', page)
    assert len(links) == 2 and all("top=20" in x for x in links)
    csv_text = client.get(links[0].replace("&amp;", "&"), headers=h).text
    assert csv_text.splitlines()[0].startswith("rank") or "node" in csv_text.splitlines()[0]
    assert client.get(links[1].replace("&amp;", "&"), headers=h).content[:2] == b"PK"  # an xlsx is a zip


def test_routes_corridors_and_map_exports(client: TestClient, app: Any) -> None:
    h = hdr(app, "viewer")
    c = client.get("/api/routes/corridors", headers=hdr(app, "investigator")).json()
    assert [(x["source"], x["transit"], x["destination"], x["victims"]) for x in c["data"]] == [("MMR", [], "THA", 1)]
    c = client.get("/api/routes/corridors", headers=h).json()  # one victim: nothing published for a viewer
    assert c["data"] == [] and c["meta"]["disclosure"] == "refused"
    i = hdr(app, "investigator")
    assert client.get("/api/routes/corridors", params={"nationality": "THA"}, headers=i).json()["count"] == 0
    assert client.get("/api/routes/corridors", params={"pair": "MMR-THA", "years": "2020-2024",
                                                       "exploitation_type": "fishing", "sex": "M",
                                                       "age": "18-30"}, headers=i).json()["count"] == 1
    assert client.get("/api/routes/corridors", params={"age": "30-"}, headers=i).json()["count"] == 0
    for bad in ({"years": "last year"}, {"nationality": "Myanmar"}, {"exploitation_type": "x"}):
        assert_error(client.get("/api/routes/corridors", params=bad, headers=h), 400)
    for bad in ({"pair": "MMR"}, {"sex": "Q"}, {"level": "planet"}):
        assert_error(client.get("/api/routes/corridors", params=bad, headers=h), 422)
    png = client.get("/api/routes/map", params={"format": "png"}, headers=h)
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/api/routes/map", params={"format": "pdf"}, headers=h).content[:5] == b"%PDF-"
    gj = client.get("/api/routes/map", params={"format": "geojson", "download": "true"}, headers=h)
    assert gj.json()["type"] == "FeatureCollection" and "attachment" in gj.headers["content-disposition"]
    assert "MMR" not in client.get("/api/routes/map", params={"format": "csv"}, headers=h).text  # refused
    assert "MMR" in client.get("/api/routes/map", params={"format": "csv"}, headers=i).text
    html = client.get("/api/routes/map", headers=h).text
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org", "")
    assert_error(client.get("/api/routes/map", params={"min_count": 1}, headers=h), 400)
    assert client.get("/api/routes/map", params={"min_count": 1, "format": "csv"},
                      headers=hdr(app, "investigator")).status_code == 200
    r = client.get("/api/routes", headers=hdr(app, "investigator")).json()
    assert r["data"][0]["person_id"] == "P2"


def test_money_trace_and_typologies(client: TestClient, app: Any) -> None:
    h = hdr(app, "analyst")
    t = client.get("/api/money/trace/A2", headers=h).json()
    assert [(x["txn_id"], x["source"], x["target"], x["amount"]) for x in t["data"]] == \
        [("TX1", "A2", "A1", 1950000.0)]
    assert client.get("/api/money/trace/A1", headers=h).json()["count"] == 0
    back = client.get("/api/money/trace/A1", params={"direction": "backward"}, headers=h).json()
    assert [x["txn_id"] for x in back["data"]] == ["TX1"]
    assert client.get("/api/money/trace/A2", params={"min_amount": 2e6}, headers=h).json()["count"] == 0
    assert_error(client.get("/api/money/trace/NOPE", headers=h), 404)
    assert_error(client.get("/api/money/trace/A2", params={"direction": "sideways"}, headers=h), 422)
    assert "1,950,000 THB" in client.get("/api/money/trace/A2?format=html", headers=h).text
    assert client.get("/api/money/typologies", params={"account": "A2"}, headers=h).status_code == 200
    assert_error(client.get("/api/money/typologies", params={"account": "NOPE"}, headers=h), 404)


def test_resolution_judgement_recorded_with_who_and_when(client: TestClient, app: Any) -> None:
    h = hdr(app, "analyst")
    assert client.get("/api/resolution/candidates", headers=h).json()["data"][0]["judgement"] == "pending"
    r = client.post("/api/resolution/judgements", json={"id_left": "P1", "id_right": "P2", "judgement": "rejected",
                                                        "reason": "different fathers' names"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["by"] == "analyst1" and r.json()["judgement"] == "rejected" and r.json()["at"]
    c = client.get("/api/resolution/candidates", params={"judgement": "rejected"}, headers=h).json()
    assert [(x["id_left"], x["by"]) for x in c["data"]] == [("P1", "analyst1")]
    assert_error(client.post("/api/resolution/judgements", json={"id_left": "P1", "id_right": "P9",
                                                                 "judgement": "accepted"}, headers=h), 404)
    assert_error(client.post("/api/resolution/judgements", json={"id_left": "P1", "id_right": "P2",
                                                                 "judgement": "maybe"}, headers=h), 422)
    assert_error(client.post("/api/resolution/judgements", json={"id_left": "P1", "id_right": "P2",
                                                                 "judgement": "accepted"},
                             headers=hdr(app, "investigator")), 403)
    e = app.state.audit.entries(action="judgement", limit=1)[0]
    assert e.username == "analyst1" and e.target == "P1|P2" and e.details["judgement"] == "rejected"


# ------------------------------------------------------------------- admin
def test_user_admin_disable_and_reset_invalidate_access(client: TestClient, app: Any) -> None:
    h = hdr(app, "admin")
    r = client.post("/api/admin/users", json={"username": "temp", "password": "short", "role": "viewer"}, headers=h)
    assert_error(r, 422)
    r = client.post("/api/admin/users", json={"username": "temp", "password": PASSWORD, "role": "viewer"}, headers=h)
    assert r.status_code == 201
    assert_error(client.post("/api/admin/users", json={"username": "temp", "password": PASSWORD, "role": "viewer"},
                             headers=h), 409)
    tok = client.post("/api/auth/token", data={"username": "temp", "password": PASSWORD}).json()["access_token"]
    th = {"Authorization": f"Bearer {tok}"}
    assert client.get("/api/auth/me", headers=th).status_code == 200
    assert client.post("/api/admin/users/temp/password", json={"password": "another-password-1"},
                       headers=h).status_code == 200
    assert_error(client.get("/api/auth/me", headers=th), 401)  # issued before the reset
    tok2 = client.post("/api/auth/token", data={"username": "temp", "password": "another-password-1"}).json()
    th2 = {"Authorization": f"Bearer {tok2['access_token']}"}
    assert client.get("/api/auth/me", headers=th2).status_code == 200
    assert client.post("/api/admin/users/temp/disable", headers=h).json()["disabled"] is True
    assert_error(client.get("/api/auth/me", headers=th2), 401)
    assert_error(client.post("/api/admin/users/ghost/disable", headers=h), 404)
    assert_error(client.post("/api/admin/users/admin1/disable", headers=h), 400)
    assert "temp" in {u["username"] for u in client.get("/api/admin/users", headers=h).json()}


def test_admin_ingest_is_audited(client: TestClient, app: Any) -> None:
    h = hdr(app, "admin")
    assert_error(client.post("/api/admin/ingest", json={"path": "/nonexistent/bundle"}, headers=h), 404)
    assert_error(client.post("/api/admin/ingest", json={"path": "/tmp"}, headers=hdr(app, "analyst")), 403)


# ------------------------------------------------------------------- audit
def test_sensitive_reads_are_audited(client: TestClient, app: Any) -> None:
    log: AuditLog = app.state.audit
    n = log.count()
    client.get("/api/entities/P2", headers=hdr(app, "investigator"))
    client.get("/api/routes/map?format=csv", headers=hdr(app, "viewer"))
    client.get("/api/routes/corridors", headers=hdr(app, "viewer"))  # aggregate: audited as such (write-behind)
    assert log.flush()
    new = log.entries(limit=log.count() - n)
    assert [(e.username, e.action, e.target) for e in reversed(new)] == [
        ("investigator1", "read_personal", "P2"), ("viewer1", "export", "routemap"),
        ("viewer1", "read_aggregate", "corridors")]
    assert new[-3].client == "testclient" and new[-1].details["path"] == "/api/entities/P2"
    v = client.get("/api/admin/audit/verify", headers=hdr(app, "admin")).json()
    assert v["ok"] is True and v["entries"] == log.count()


def test_tampered_audit_log_is_detected(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite")
    for i in range(5):
        log.record("inv", "read_personal", f"P{i}", {"i": i}, "127.0.0.1")
    assert verify_audit(log.path).ok
    con = sqlite3.connect(log.path)
    with pytest.raises(sqlite3.DatabaseError):  # append-only through SQL
        con.execute("UPDATE audit SET target = 'X' WHERE seq = 3")
    # an attacker who drops the trigger and edits an entry is still caught
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("UPDATE audit SET username = 'someone' WHERE seq = 3")
    con.commit()
    v = verify_audit(log.path)
    assert not v.ok and v.first_bad_seq == 3 and v.entries == 2
    con.execute("DROP TRIGGER audit_no_delete")
    con.execute("DELETE FROM audit WHERE seq = 3")
    con.commit()
    con.close()
    v = verify_audit(log.path)
    assert not v.ok and v.first_bad_seq == 3 and "missing" in v.reason


# -------------------------------------------------------------- HTML, XSS
def test_html_views_escape_names(client: TestClient, app: Any) -> None:
    h = hdr(app, "admin")
    r = client.get("/api/entities/P9?format=html", headers=h, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/entity/P9"  # the page is the profile
    for url in ("/api/search?q=img&format=html",
                "/api/entities/P9/neighbourhood?format=html", "/api/analytics/brokers?format=html",
                "/api/analytics/communities?format=html"):
        r = client.get(url, headers=h)
        assert r.status_code == 200, url
        assert XSS not in r.text, url
        assert "no-store" in r.headers["cache-control"] and "default-src 'self'" in r.headers[
            "content-security-policy"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in client.get("/api/search?q=img&format=html", headers=h).text


def test_ui_login_cookie_and_pages(client: TestClient, app: Any) -> None:
    with TestClient(app) as c:  # own cookie jar
        r = c.get("/ui/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")
        bad = c.post("/ui/login", data={"username": "investigator1", "password": "nope-nope-nope"})
        assert bad.status_code == 401 and "Wrong user name" in bad.text
        r = c.post("/ui/login", data={"username": "investigator1", "password": PASSWORD, "next": "//evil.example"},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/ui/"
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        page = c.get("/ui/search", params={"by": "q", "value": "สมชาย"}).text
        assert "/ui/entity/P1" in page
        assert "Somchai" in c.get("/ui/entity/P1").text or "สมชาย" in c.get("/ui/entity/P1").text
        assert c.get("/ui/entity/NOPE").status_code == 404
        # a browser that loads a missing page gets a page with the site header, not JSON …
        nav = {"Accept": "text/html,application/xhtml+xml", "Sec-Fetch-Mode": "navigate"}
        for url in ("/ui/no-such-page", "/api/entities/NOPE?format=html", "/api/analytics/brokers?top=0"):
            r = c.get(url, headers=nav)
            assert r.status_code in (404, 422) and r.headers["content-type"].startswith("text/html"), url
            assert 'class="brand"' in r.text and "Search" in r.text and f"HTTP {r.status_code}" in r.text
        # … while a script (fetch, or a bearer call) keeps the one JSON error shape
        r = c.get("/ui/no-such-page", headers={**nav, "Sec-Fetch-Mode": "cors"})
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        r = client.get("/api/entities/NOPE", headers={**hdr(app, "investigator"), "Accept": "text/html"})
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        assert "routemap" in c.get("/ui/routes").text
        assert c.get("/api/entities/P1/neighbourhood").status_code == 200  # the expand-on-click fetch
        token = re.search(r'<meta name="csrf-token" content="([^"]+)">', c.get("/ui/").text)
        assert token
        assert c.post("/ui/logout").status_code == 403  # no CSRF token (tests/test_csp_csrf.py)
        c.post("/ui/logout", data={"csrf_token": token.group(1)})
        assert c.get("/ui/", follow_redirects=False).status_code == 303


def test_ensure_demo_admin(tmp_path: Path) -> None:
    from cli.users import ensure_demo_admin

    s = ApiSettings(home=tmp_path, env="development", secret_key="k" * 48)
    user, pw = ensure_demo_admin(s)
    assert user == "admin" and len(pw) >= 16
    f = tmp_path / "admin-password"
    assert stat.S_IMODE(f.stat().st_mode) == 0o600 and f.read_text().strip() == pw
    assert ensure_demo_admin(s) == ("admin", pw)
    from api.security import UserStore

    assert UserStore(s.users_db).authenticate("admin", pw) is not None
