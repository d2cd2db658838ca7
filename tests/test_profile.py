"""The investigator's workspace through the API against the real Neo4j, with known answers:
entity profile, case workspace, faceted paged search, timelines, compartments and audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph import db as gdb
from ingest.loader import ingest_bundle
from tests.conftest import hdr, new_app

pytestmark = pytest.mark.neo4j

PASSWORD = "correct-horse-battery"
HIDDEN_NAME = "Kraisorn Hiddenman"
NAMES = {  # names in every script of the bundle (for the "no boxes" browser test)
    "P1": "สมชาย แสงทอง", "P4": "အောင်ဆန်း", "P5": "王小明", "P6": "ສົມສັກ ວົງສາ", "P7": "សុខា ចាន់",
}


def workspace_tables() -> dict[str, list[dict[str, Any]]]:
    """A small bundle with known answers (see the tests below)."""
    loc = [("MMR", "country", "Myanmar", "เมียนมา", None), ("THA", "country", "Thailand", "ประเทศไทย", None),
           ("MYS", "country", "Malaysia", "มาเลเซีย", None),
           ("MY-10", "province", "Selangor", "สลังงอร์", "MYS"),
           ("TH-10", "province", "Bangkok", "กรุงเทพมหานคร", "THA"),
           ("BC-SADAO", "border_crossing", "Sadao – Bukit Kayu Hitam", "ด่านสะเดา", "THA")]
    locations = [{"id": i, "source": "GAZ", "source_record_id": i, "kind": k, "name": n, "name_th": th,
                  "parent_id": p or ""} for i, k, n, th, p in loc]

    def person(pid: str, src: str, rec: str, name: str, latin: str, nat: str, dob: str = "", **kw: str) -> dict:
        return {"id": pid, "source": src, "source_record_id": rec, "full_name": name, "full_name_latin": latin,
                "nationality": nat, "birth_date": dob, **kw}

    persons = [
        person("P1", "DSI", "D-1", "สมชาย แสงทอง", "Somchai Saengthong", "THA", "1980-01-01",
               given_name="สมชาย", family_name="แสงทอง", national_id="1-1017-00203-45-0",
               phones="081-111-1111", aliases="เสี่ยชาย; Chai", lives_at="TH-10", recorded_at="2015-03-01"),
        person("P2", "RTP", "R-2", "สมชาย แสงทอง", "Somchai Saengthong", "THA", "1980-01-01",
               recorded_at="2016-05-01"),
        person("P3", "DSI", "D-3", "สมชาย แสงทอง", "Somchai Saengthong", "THA", "1975-06-30"),
        person("P4", "MSDHS", "V-4", NAMES["P4"], "Aung San", "MMR", "1999-02-02", phones="+95 9 123 4567"),
        person("P5", "MSDHS", "V-5", NAMES["P5"], "Wang Xiaoming", "CHN", "2001-07-07"),
        person("P6", "MSDHS", "V-6", NAMES["P6"], "Somsak Vongsa", "LAO"),
        person("P7", "DSI", "W-7", NAMES["P7"], "Sokha Chan", "KHM"),
        person("P8", "DSI", "S-8", HIDDEN_NAME, HIDDEN_NAME, "THA"),
        person("P9", "RTP", "R-9", "สมศรี แสงทอง", "Somsri Saengthong", "THA"),
        person("P10", "RTP", "R-10", "Boonmee Phonshare", "Boonmee Phonshare", "THA", phones="081 111 1111"),
        person("P12", "AMLO", "M-12", "Niran Accountshare", "Niran Accountshare", "THA"),
    ]
    # 30 namesakes, more than one page of 20
    persons += [person(f"N{i:02d}", "NGO", f"n-{i}", f"Malai Namesake {i:02d}", f"Malai Namesake {i:02d}", "THA")
                for i in range(30)]
    cases = [
        {"id": "C1", "source": "ATPD", "source_record_id": "ATPD-2015-0001", "case_number": "ATPD-2015-0001",
         "offence": "ค้ามนุษย์ (มาตรา 6)", "exploitation_type": "forced_labour", "opened_on": "2015-03-01",
         "closed_on": "2016-01-10", "status": "closed", "province": "สงขลา", "location_id": "MY-10"},
        {"id": "C2", "source": "ATPD", "source_record_id": "ATPD-2015-0002", "case_number": "ATPD-2015-0002",
         "opened_on": "2015-06-01", "status": "investigation"},
        {"id": "C3", "source": "DSI", "source_record_id": "DSI-2016-0007", "case_number": "DSI-2016-0007",
         "opened_on": "2016-02-01", "status": "prosecution"},
        {"id": "C4", "source": "DSI", "source_record_id": "SECRET-1", "case_number": "SECRET-1",
         "restricted_to": "someone_else", "opened_on": "2016-03-01"},
        {"id": "C5", "source": "RTP", "source_record_id": "RTP-2017-0005", "case_number": "RTP-2017-0005"},
        {"id": "C6", "source": "AMLO", "source_record_id": "AMLO-2018-0006", "case_number": "AMLO-2018-0006"},
    ]

    def inv(rec: str, party: str, case: str, role: str, frm: str = "", to: str = "") -> dict:
        return {"source": "ATPD" if case in ("C1", "C2") else "DSI", "source_record_id": rec, "party_id": party,
                "case_id": case, "role": role, "from_date": frm, "to_date": to}

    involvements = [
        inv("i1", "P1", "C1", "recruiter", "2015-01-10", "2015-03-01"), inv("i2", "P4", "C1", "victim"),
        inv("i3", "P5", "C1", "victim"), inv("i4", "P6", "C1", "victim"), inv("i5", "P7", "C1", "witness"),
        inv("i6", "O1", "C1", "employer"), inv("i7", "P3", "C2", "suspect"), inv("i8", "P1", "C3", "suspect"),
        inv("i9", "P1", "C4", "suspect"), inv("i10", "P8", "C4", "suspect"), inv("i11", "P10", "C5", "suspect"),
        inv("i12", "P12", "C6", "suspect"),
    ]

    def leg(rec: str, person_id: str, case: str, n: int, a: str, b: str, stage: str, at: str, mode: str) -> dict:
        return {"source": "MSDHS", "source_record_id": rec, "person_id": person_id, "case_id": case, "leg": str(n),
                "from_location": a, "to_location": b, "stage": stage, "at": at, "mode": mode}

    journeys = [
        leg("j1", "P4", "C1", 1, "MMR", "TH-10", "transit", "2015-01-20", "road"),
        leg("j2", "P4", "C1", 2, "TH-10", "BC-SADAO", "transit", "2015-01-25", "road"),
        leg("j3", "P4", "C1", 3, "BC-SADAO", "MY-10", "exploitation", "2015-02-01", "boat"),
        leg("j4", "P5", "C1", 1, "THA", "MY-10", "exploitation", "2015-02-10", "air"),
        leg("j5", "P8", "C4", 1, "THA", "MY-10", "exploitation", "2016-03-01", "road"),
    ]
    return {
        "locations": locations,
        "persons": persons,
        "organisations": [{"id": "O1", "source": "DOE", "source_record_id": "E-1", "name": "บริษัท ทะเลทอง จำกัด",
                           "name_latin": "Thale Thong Co., Ltd.", "kind": "fishing_company",
                           "registration_no": "0745559001234", "country": "THA"}],
        "vehicles": [{"id": "V1", "source": "RTP", "source_record_id": "veh-1", "plate": "1กข 1234",
                      "plate_province": "กรุงเทพมหานคร", "kind": "van"}],
        "accounts": [{"id": "A1", "source": "AMLO", "source_record_id": "acc-1", "bank_code": "004",
                      "account_number": "1234567890", "holder_name": "สมชาย แสงทอง", "currency": "THB"},
                     {"id": "A2", "source": "AMLO", "source_record_id": "acc-2", "bank_code": "014",
                      "account_number": "5550002222", "holder_name": "Aung San", "currency": "THB"},
                     {"id": "A3", "source": "AMLO", "source_record_id": "acc-3", "bank_code": "002",
                      "account_number": "7770003333", "holder_name": "Thale Thong", "currency": "THB"}],
        "cases": cases,
        "involvements": involvements,
        "associations": [
            {"source": "RTP", "source_record_id": "as-1", "person_id": "P1", "other_id": "P9", "kind": "family"},
            {"source": "DSI", "source_record_id": "as-2", "person_id": "P1", "other_id": "P8", "kind": "associate"},
            {"source": "RTP", "source_record_id": "as-3", "person_id": "P1", "other_id": "P4", "kind": "contact",
             "call_count": "12", "first_contact": "2015-01-01T08:00:00", "last_contact": "2015-01-19T21:00:00"},
        ],
        "affiliations": [{"source": "DOE", "source_record_id": "af-1", "person_id": "P1", "org_id": "O1",
                          "type": "DIRECTS", "role": "กรรมการ", "from_date": "2014-05-01"}],
        "holdings": [{"source": "AMLO", "source_record_id": "h-1", "holder_id": "P1", "account_id": "A1"},
                     {"source": "AMLO", "source_record_id": "h-2", "holder_id": "P4", "account_id": "A2"},
                     {"source": "AMLO", "source_record_id": "h-3", "holder_id": "P12", "account_id": "A2"},
                     {"source": "AMLO", "source_record_id": "h-4", "holder_id": "O1", "account_id": "A3"}],
        "transfers": [{"source": "AMLO", "source_record_id": "t-1", "from_account": "A1", "to_account": "A3",
                       "txn_id": "TX1", "amount": "150000", "currency": "THB", "at": "2015-02-15T10:30:00"}],
        "ownerships": [{"source": "RTP", "source_record_id": "o-1", "owner_id": "P1", "vehicle_id": "V1"}],
        "vehicle_uses": [{"source": "RTP", "source_record_id": "u-1", "vehicle_id": "V1", "case_id": "C1",
                          "at": "2015-01-20"},
                         {"source": "RTP", "source_record_id": "u-2", "vehicle_id": "V1", "case_id": "C2",
                          "at": "2015-06-01"}],
        "journeys": journeys,
    }


def load_workspace(driver: Any, tmp_dir: Any) -> None:
    from tests.conftest import write_csv

    gdb.clear_database(driver)
    for table, rows in workspace_tables().items():
        write_csv(tmp_dir / f"{table}.csv", rows)
    s = ingest_bundle(driver, tmp_dir, rejects_path=tmp_dir / "rejects.csv")
    assert s.rejected == 0, (tmp_dir / "rejects.csv").read_text()
    driver.execute_query("MATCH (a:Person {id:'P1'}), (b:Person {id:'P2'}) MERGE (a)-[s:SAME_AS]->(b) "
                         "SET s.judgement='pending', s.score=0.93, s.method='test', s.source='netintel', "
                         "s.source_record_id='P1|P2'")
    gdb.bump_data_version(driver)


@pytest.fixture(scope="module")
def app(driver: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    load_workspace(driver, tmp_path_factory.mktemp("wsbundle"))
    return new_app(tmp_path_factory.mktemp("wshome"), neo4j_settings, driver, users=PASSWORD)


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def get(client: TestClient, app: Any, url: str, role: str = "investigator", **params: Any) -> Any:
    r = client.get(url, params=params, headers=hdr(app, role))
    assert r.status_code == 200, (url, r.status_code, r.text)
    return r.json()


# ------------------------------------------------------------------ search
def test_search_thai_and_latin_find_the_namesakes_with_context(client: TestClient, app: Any) -> None:
    for q in ("สมชาย", "somchai"):
        res = get(client, app, "/api/search", q=q, label="Person")
        ids = [h["id"] for h in res["data"]]
        assert set(ids) == {"P1", "P2", "P3"}, (q, ids)
        assert res["total"] == 3 and res["count"] == 3 and res["pages"] == 1
        by = {h["id"]: h for h in res["data"]}
        # what tells the three "สมชาย แสงทอง" apart
        assert by["P1"]["birth_date"] == "1980-01-01" and by["P3"]["birth_date"] == "1975-06-30"
        assert by["P1"]["agencies"] == ["DSI"] and by["P2"]["agencies"] == ["RTP"]
        assert by["P1"]["records"] == ["DSI:D-1"]
        assert by["P1"]["cases"] == 2 and by["P1"]["roles"] == ["recruiter", "suspect"]  # C4 is hidden
        assert by["P3"]["cases"] == 1 and by["P3"]["roles"] == ["suspect"]
        assert by["P2"]["cases"] == 0 and by["P1"]["nationality"] == "THA"
        assert by["P1"]["name_latin"] == "Somchai Saengthong"
        assert all(0 < h["score"] <= 1 for h in res["data"])
        assert res["facets"]["agency"] == {"DSI": 2, "RTP": 1}


def test_search_case_numbers_places_pivots_and_identity(client: TestClient, app: Any) -> None:
    first = get(client, app, "/api/search", q="ATPD-2015-0001")["data"][0]
    assert (first["id"], first["label"], first["match"], first["score"]) == ("C1", "Case", "case_number", 1.0)
    assert first["detail"]["status"] == "closed" and first["detail"]["parties"] == 6
    part = get(client, app, "/api/search", q="ATPD-2015", label="Case")
    assert {h["id"] for h in part["data"]} == {"C1", "C2"} and part["total"] == 2
    place = get(client, app, "/api/search", q="Selangor")["data"][0]
    assert (place["id"], place["label"], place["match"]) == ("MY-10", "Location", "place")
    assert get(client, app, "/api/search", q="สลังงอร์")["data"][0]["id"] == "MY-10"
    org = get(client, app, "/api/search", q="Thale Thong", label="Organisation")["data"]
    assert [h["id"] for h in org] == ["O1"]
    phone = get(client, app, "/api/search", q="081-111-1111")
    assert {h["id"] for h in phone["data"] if h["match"] == "phone"} == {"P1", "P10"}
    assert get(client, app, "/api/search", q="1กข 1234")["data"][0]["id"] == "V1"
    assert get(client, app, "/api/search", q="1234567890")["data"][0]["id"] == "A1"
    assert get(client, app, "/api/search", q="1101700203450")["data"][0]["id"] == "P1"  # national id
    assert get(client, app, "/api/search", plate="1กข1234")["data"][0]["id"] == "V1"


def test_search_pages_through_every_hit_no_silent_cap(client: TestClient, app: Any) -> None:
    p1 = get(client, app, "/api/search", q="Malai Namesake", label="Person", page_size=20)
    assert (p1["total"], p1["count"], p1["pages"], p1["page"], p1["capped"]) == (30, 20, 2, 1, False)
    p2 = get(client, app, "/api/search", q="Malai Namesake", label="Person", page_size=20, page=2)
    assert p2["count"] == 10
    ids = {h["id"] for h in p1["data"]} | {h["id"] for h in p2["data"]}
    assert ids == {f"N{i:02d}" for i in range(30)}
    assert get(client, app, "/api/search", q="Malai Namesake", label="Person", page=3)["data"] == []
    seen: list[str] = []
    for page in range(1, 6):  # pages of 7: 7 + 7 + 7 + 7 + 2, each hit once, best first
        res = get(client, app, "/api/search", q="Malai Namesake", page_size=7, page=page)
        assert res["pages"] == 5 and res["count"] == (7 if page < 5 else 2)
        seen += [h["id"] for h in res["data"]]
    assert sorted(seen) == sorted(ids) and len(seen) == 30
    # facets count every hit, and a filter narrows the total
    assert p1["facets"]["label"]["Person"] == 30 and p1["facets"]["agency"]["NGO"] == 30
    assert get(client, app, "/api/search", q="Malai Namesake", agency="DSI")["total"] == 0
    nat = get(client, app, "/api/search", q="somchai", nationality="THA")
    assert nat["total"] == 3 and nat["facets"]["nationality"] == {"THA": 3}


def test_search_hides_the_compartment_and_is_audited(client: TestClient, app: Any) -> None:
    res = get(client, app, "/api/search", q="Kraisorn")
    assert res["total"] == 0 and HIDDEN_NAME not in json.dumps(res, ensure_ascii=False)
    assert get(client, app, "/api/search", q="SECRET-1")["total"] == 0
    assert get(client, app, "/api/search", role="admin", q="Kraisorn")["total"] == 1
    log = app.state.audit
    n = log.count()
    get(client, app, "/api/search", q="somchai", page=1)
    new = log.entries(limit=log.count() - n)
    assert [(e.action, e.target) for e in new] == [("read_personal", "search")]
    assert client.get("/api/search", params={"q": "somchai"}, headers=hdr(app, "viewer")).status_code == 403


# ------------------------------------------------------------------ profile
def test_entity_profile_of_a_person(client: TestClient, app: Any) -> None:
    log = app.state.audit
    n = log.count()
    p = get(client, app, "/api/entities/P1/profile")
    assert [(e.action, e.target) for e in log.entries(limit=log.count() - n)] == [("read_personal", "P1")]
    assert (p["label"], p["label_en"], p["label_th"], p["name"]) == ("Person", "Person", "บุคคล", "สมชาย แสงทอง")
    # names in every script, identity; facts in the model's order, with Thai and English labels and the source
    assert {(n["text"], n["script"]) for n in p["names"]} >= {("สมชาย แสงทอง", "Thai"),
                                                               ("Somchai Saengthong", "Latin"), ("Chai", "Latin")}
    fields = [f["field"] for f in p["facts"]]
    assert fields[:5] == ["full_name", "given_name", "family_name", "full_name_latin", "aliases"]
    assert fields.index("birth_date") < fields.index("nationality") < fields.index("national_id")
    facts = {f["field"]: f for f in p["facts"]}
    assert facts["birth_date"]["value"] == "1980-01-01"
    assert (facts["birth_date"]["label_en"], facts["birth_date"]["label_th"]) == ("Date of birth", "วันเกิด")
    assert facts["national_id"]["value"] == "1101700203450"
    assert facts["nationality"]["sources"] == [{"agency": "DSI", "agency_name": "Department of Special Investigation",
                                                "record_id": "D-1"}]
    # cases with roles and dates; the restricted case C4 is not listed
    cases = [(c["case_id"], c["case_number"], c["role"], c["from_date"]) for c in p["cases"]]
    assert cases == [("C1", "ATPD-2015-0001", "recruiter", "2015-01-10"), ("C3", "DSI-2016-0007", "suspect", None)]
    c1 = p["cases"][0]
    assert (c1["opened_on"], c1["closed_on"], c1["role_th"], c1["sources"][0]["record_id"]) == (
        "2015-03-01", "2016-01-10", "ผู้จัดหา", "i1")
    # associates grouped by kind; the hidden associate P8 is not there
    groups = {g["key"]: [a["id"] for a in g["items"]] for g in p["associates"]}
    assert groups == {"family": ["P9"], "contact": ["P4"]}
    contact = p["associates"][1]["items"][0]
    assert contact["details"]["call_count"] == 12 and contact["sources"][0]["record_id"] == "as-3"
    assert HIDDEN_NAME not in json.dumps(p, ensure_ascii=False)
    # organisations with role
    assert [(o["id"], o["type"], o["role"]) for o in p["organisations"]] == [("O1", "DIRECTS", "กรรมการ")]
    # pivots: a phone shared with P10, the van, the account
    piv = {(v["kind"], v["value"]): v for v in p["pivots"]}
    phone = piv[("phone", "+66811111111")]
    assert phone["shared"] == 1 and [o["id"] for o in phone["others"]] == ["P10"]
    assert phone["search_url"] == "/ui/search?q=%2B66811111111"
    van = piv[("vehicle", "1กข1234")]
    assert van["id"] == "V1" and van["profile_url"] == "/ui/entity/V1" and "neighbourhood" in van["expand_url"]
    assert piv[("account", "1234567890")]["id"] == "A1"
    # possible duplicates: the pending SAME_AS
    assert [(d["id"], d["score"], d["judgement"]) for d in p["duplicates"]] == [("P2", 0.93, "pending")]
    # who recorded what, when
    seen = {s["agency"]: s for s in p["seen"]}
    assert seen["DSI"]["first"] == "2015-03-01" and seen["AMLO"]["records"] == 1


def test_profile_of_a_victim_has_the_journey_and_hidden_ids_are_404(client: TestClient, app: Any) -> None:
    p = get(client, app, "/api/entities/P4/profile")
    assert [(c["case_id"], c["role"]) for c in p["cases"]] == [("C1", "victim")]
    (j,) = p["journeys"]
    assert j["case_number"] == "ATPD-2015-0001"
    assert [(x["leg"], x["from_id"], x["to_id"], x["at"], x["mode"], x["stage"]) for x in j["legs"]] == [
        (1, "MMR", "TH-10", "2015-01-20", "road", "transit"),
        (2, "TH-10", "BC-SADAO", "2015-01-25", "road", "transit"),
        (3, "BC-SADAO", "MY-10", "2015-02-01", "boat", "exploitation")]
    assert j["legs"][2]["to_name"] == "Selangor" and j["legs"][2]["to_name_th"] == "สลังงอร์"
    assert j["legs"][0]["sources"][0] == {"agency": "MSDHS", "agency_name":
                                          "Ministry of Social Development and Human Security", "record_id": "j1"}
    for url in ("/api/entities/P8/profile", "/api/entities/P8/timeline", "/api/cases/C4/profile",
                "/api/cases/C4/timeline", "/api/entities/NOPE/profile"):
        r = client.get(url, headers=hdr(app, "investigator"))
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", url
    assert client.get("/api/entities/P8/profile", headers=hdr(app, "admin")).status_code == 200
    assert client.get("/api/entities/P1/profile", headers=hdr(app, "viewer")).status_code == 403
    # an admin sees the restricted case in the profile
    assert {c["case_id"] for c in get(client, app, "/api/entities/P1/profile", role="admin")["cases"]} == {
        "C1", "C3", "C4"}


# ------------------------------------------------------------------ case
def test_case_workspace(client: TestClient, app: Any) -> None:
    log = app.state.audit
    n = log.count()
    c = get(client, app, "/api/cases/C1/profile")
    assert [(e.action, e.target) for e in log.entries(limit=log.count() - n)] == [("read_personal", "C1")]
    assert c["case_number"] == "ATPD-2015-0001"
    roles = {g["role"]: sorted(p["id"] for p in g["parties"]) for g in c["parties"]}
    assert roles == {"victim": ["P4", "P5", "P6"], "witness": ["P7"], "recruiter": ["P1"], "employer": ["O1"]}
    assert [g["role"] for g in c["parties"]] == ["victim", "witness", "recruiter", "employer"]  # the model's order
    # exact counts (no suppression for investigators)
    assert c["counts"]["victims"] == 3 and c["counts"]["parties"] == 6 and c["counts"]["legs"] == 4
    journeys = {j["person_id"]: [(x["leg"], x["from_id"], x["to_id"], x["mode"], x["stage"]) for x in j["legs"]]
                for j in c["journeys"]}
    assert journeys == {"P4": [(1, "MMR", "TH-10", "road", "transit"), (2, "TH-10", "BC-SADAO", "road", "transit"),
                               (3, "BC-SADAO", "MY-10", "boat", "exploitation")],
                        "P5": [(1, "THA", "MY-10", "air", "exploitation")]}
    assert [v["id"] for v in c["vehicles"]] == ["V1"]
    assert {(a["id"], a["details"]["holder_id"]) for a in c["accounts"]} == {("A1", "P1"), ("A2", "P4"), ("A3", "O1")}
    assert {(o["id"], o["type"]) for o in c["organisations"]} == {("O1", "INVOLVED_IN"), ("O1", "DIRECTS")}
    assert [(x["id"]) for x in c["location"]] == ["MY-10"]
    linked = {x["id"]: sorted((v["kind"], v["id"]) for v in x["via"]) for x in c["linked_cases"]}
    assert linked == {"C2": [("vehicle", "V1")], "C3": [("person", "P1"), ("vehicle", "V1")], "C5": [("phone", "+66811111111")],
                      "C6": [("account", "A2")]}  # C4 (restricted) shares P1 but is hidden
    # (C3 shares P1, and the van P1 owns, used in C1)
    facts = {f["field"]: f["value"] for f in c["facts"]}
    assert facts["opened_on"] == "2015-03-01" and facts["status"] == "closed"
    kinds = c["timeline"]["kinds"]
    assert kinds["journey_leg"] == 4 and kinds["case_opened"] == 1 and kinds["case_closed"] == 1
    assert kinds["transfer"] == 1 and kinds["involvement"] == 1 and kinds["vehicle_use"] == 1


def test_timelines_on_one_axis_with_a_time_filter(client: TestClient, app: Any) -> None:
    t = get(client, app, "/api/entities/P1/timeline")
    ats = [e["at"] for e in t["events"]]
    assert ats == sorted(ats) and t["count"] == len(ats)
    kinds = {e["kind"] for e in t["events"]}
    assert {"involvement", "case_opened", "case_closed", "transfer", "contact", "affiliation",
            "first_seen", "last_seen"} <= kinds
    tr = next(e for e in t["events"] if e["kind"] == "transfer")
    assert tr["title"].startswith("transfer 150,000.00 THB") and tr["ids"] == ["A1", "A3"]
    assert tr["record_id"] == "t-1" and tr["agency"] == "AMLO"
    assert all("C4" != e["case_id"] for e in t["events"])
    assert t["start"] == "2014-05-01"  # the affiliation with O1
    # the time filter (the hook for the network page): events overlapping the range
    f = get(client, app, "/api/entities/P1/timeline", since="2015-02-01", until="2015-02-28")
    # the involvement (2015-01-10..2015-03-01) overlaps; the open-ended affiliation (from 2014) has no known end
    assert [e["kind"] for e in f["events"]] == ["involvement", "transfer"]
    assert (f["since"], f["until"]) == ("2015-02-01", "2015-02-28")
    ct = get(client, app, "/api/cases/C1/timeline", since="2015-01-21", until="2015-01-31")
    assert [e["title"] for e in ct["events"]] == [  # the recruiter's involvement overlaps the range
        "Recruiter: สมชาย แสงทอง", f"{NAMES['P4']}: leg 2: Bangkok → Sadao – Bukit Kayu Hitam (road, transit)"]
    r = client.get("/api/cases/C1/timeline", params={"since": "2016-01-01", "until": "2015-01-01"},
                   headers=hdr(app, "investigator"))
    assert r.status_code == 400


# ------------------------------------------------------------------ pages
def _login(app: Any, role: str = "investigator") -> TestClient:
    c = TestClient(app)
    c.post("/ui/login", data={"username": role + "1", "password": PASSWORD})
    return c


def test_pages_render_with_formatted_values(app: Any) -> None:
    with _login(app) as c:
        page = c.get("/ui/search", params={"q": "ATPD-2015-0001"}).text
        assert 'href="/ui/case/C1"' in page and "1.00" in page
        case = c.get("/ui/case/C1").text
        assert "Victim" in case and "ผู้เสียหาย" in case and "Selangor" in case and "boat" in case
        assert "150,000.00 THB" in case  # money
        assert "2015-03-01" in c.get("/ui/case/C1").text
        assert "2558-03-01 พ.ศ." in c.get("/ui/case/C1", params={"era": "be"}).text  # Buddhist era
        prof = c.get("/ui/entity/P1").text
        assert "วันเกิด" in prof and "Date of birth" in prof and "ATPD-2015-0001" in prof and "D-1" in prof
        assert HIDDEN_NAME not in prof and "SECRET-1" not in prof
        assert c.get("/ui/entity/C1", follow_redirects=False).headers["location"] == "/ui/case/C1"
        assert c.get("/ui/case/C4").status_code == 404 and c.get("/ui/entity/P8").status_code == 404
        # 30 namesakes page by page
        s = c.get("/ui/search", params={"q": "Malai Namesake", "label": "Person"}).text
        assert "30 results" in s and "page 1 of 2" in s and 'id="next"' in s
    with _login(app, "viewer") as c:
        assert c.get("/ui/case/C1").status_code == 403
        assert c.get("/ui/search", params={"q": "somchai"}).status_code == 403


def test_jinja_filters_are_shared() -> None:
    from viz.pages import environment

    out = environment().from_string(
        "{{ 1234567|num }}|{{ 0.8765|score }}|{{ 0.8765|score(percent=True) }}|{{ 12345.5|money('THB') }}|"
        "{{ '2024-03-01T20:30:00Z'|date }}|{{ '2024-03-01'|date(buddhist=True) }}").render()
    assert out == "1,234,567|0.88|87.7%|12,345.50 THB|2024-03-02 03:30 ICT|2567-03-01 พ.ศ."


def test_png_and_pdf_exports_draw_every_script() -> None:
    """matplotlib (route-map PNG/PDF) falls back through viz.fonts' Noto families: no glyph is missing."""
    import io
    import warnings

    from matplotlib.figure import Figure

    from viz.briefing import font_families
    from viz.fonts import matplotlib_families, missing_families

    assert missing_families() == [], "install fonts-noto-core and fonts-noto-cjk (make system-deps)"
    assert list(font_families("en")) == matplotlib_families()
    assert font_families("th")[0] == "Noto Sans Thai"
    import matplotlib

    for fmt in ("png", "pdf"):
        with warnings.catch_warnings(record=True) as caught, \
                matplotlib.rc_context({"font.family": list(font_families()), "pdf.fonttype": 42}):
            warnings.simplefilter("always")
            fig = Figure(figsize=(4, 3))
            for i, name in enumerate(NAMES.values()):
                fig.text(0.05, 0.1 + i * 0.17, name, fontsize=14)
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt)
        missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
        assert missing == [], (fmt, missing)
        assert len(buf.getvalue()) > 1000
    # and the check can fail: a code point no font has
    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context({"font.family": list(font_families())}):
        warnings.simplefilter("always")
        fig = Figure(figsize=(2, 1))
        fig.text(0.1, 0.5, "\U000f0000")
        fig.savefig(io.BytesIO(), format="png")
    assert any("missing from" in str(w.message) for w in caught)


def test_search_results_export_csv_and_xlsx(client: TestClient, app: Any) -> None:
    import csv
    import io

    import openpyxl

    h = hdr(app, "investigator")
    log = app.state.audit
    n = log.count()
    r = client.get("/api/search", params={"q": "somchai", "label": "Person", "format": "csv"}, headers=h)
    assert r.status_code == 200 and "csv" in r.headers["content-type"], r.text
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {x["id"] for x in rows} == {"P1", "P2", "P3"}
    assert {x["birth_date"] for x in rows} == {"1980-01-01", "1975-06-30"}
    assert [(e.action, e.target) for e in reversed(log.entries(limit=log.count() - n))] == [
        ("read_personal", "search"), ("export", "search")]
    x = client.get("/api/search", params={"q": "Malai Namesake", "page_size": 25, "format": "xlsx"}, headers=h)
    assert x.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(x.content)).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(values) if "id" in r)
    ids = [r[values[header].index("id")] for r in values[header + 1:] if r[values[header].index("id")]]
    assert len(ids) == 25 and all(str(i).startswith("N") for i in ids)
    with _login(app) as c:
        page = c.get("/ui/search", params={"q": "somchai"}).text
        assert 'data-format="csv" href="/api/search?q=somchai&amp;page=1&amp;page_size=20&amp;format=csv"' in page
