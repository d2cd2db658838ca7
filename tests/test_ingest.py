"""Ingest against the real Neo4j: round trip, idempotence, bad input, interruption."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from graph import db as gdb
from graph import explore
from graph.model import NODE_LABELS, REL_TYPES
from ingest import loader as loader_mod
from ingest.loader import ingest_bundle
from tests.conftest import op

pytestmark = pytest.mark.neo4j

THAI_ID = "1101700203450"  # valid checksum


def full_tables() -> dict[str, list[dict[str, Any]]]:
    """One or more rows of every table, with Thai text, for the round trip."""
    return {
        "locations": [
            {"id": "THA", "source": "GAZ", "source_record_id": "THA", "kind": "country", "name": "Thailand",
             "name_th": "ประเทศไทย", "iso3": "THA", "lat": "15.87", "lon": "100.99"},
            {"id": "MMR", "source": "GAZ", "source_record_id": "MMR", "kind": "country", "name": "Myanmar",
             "name_th": "เมียนมา", "iso3": "MMR", "lat": "21.91", "lon": "95.96"},
            {"id": "TH-74", "source": "GAZ", "source_record_id": "TH-74", "kind": "province",
             "name": "Samut Sakhon", "name_th": "สมุทรสาคร", "lat": "13.55", "lon": "100.27", "parent_id": "THA"},
            {"id": "BC-MAESOT", "source": "GAZ", "source_record_id": "BC-MAESOT", "kind": "border_crossing",
             "name": "Mae Sot – Myawaddy", "name_th": "ด่านแม่สอด", "lat": "16.71", "lon": "98.57",
             "parent_id": "THA"},
        ],
        "persons": [
            {"id": "P1", "source": "DSI", "source_record_id": "D-1", "full_name": "สมชาย ใจดี",
             "given_name": "สมชาย", "family_name": "ใจดี", "full_name_latin": "Somchai Jaidee",
             "aliases": "เสี่ยชาย; Chai", "birth_date": "๑๒/๐๕/๒๕๓๐", "sex": "M", "nationality": "THA",
             "national_id": "1-1017-00203-45-0", "phones": "081-234-5678; ๐๘๙๙๙๙๙๙๙๙", "address": "  สมุทรสาคร  ",
             "lives_at": "TH-74", "recorded_at": "2024-02-01"},
            {"id": "P2", "source": "MSDHS", "source_record_id": "V-77", "full_name": "အောင်ကျော်",
             "full_name_latin": "Aung Kyaw", "birth_date": "2001-03-04", "sex": "M", "nationality": "MM",
             "passport_no": "MA123456", "phones": "+95 9 123 4567"},
        ],
        "organisations": [
            {"id": "O1", "source": "DOE", "source_record_id": "E-5", "name": "บริษัท ประมงทะเลทอง จำกัด",
             "name_latin": "Thale Thong Fishery Co., Ltd.", "kind": "fishing_company",
             "registration_no": "0745559001234", "country": "THA"},
        ],
        "vehicles": [
            {"id": "V1", "source": "RTP", "source_record_id": "veh-1", "plate": "1กข 1234",
             "plate_province": "กรุงเทพมหานคร", "kind": "van", "make": "Toyota", "colour": "white"},
        ],
        "accounts": [
            {"id": "A1", "source": "AMLO", "source_record_id": "acc-1", "bank_code": "004",
             "account_number": "1234567890", "holder_name": "สมชาย ใจดี", "currency": "THB"},
            {"id": "A2", "source": "AMLO", "source_record_id": "acc-2", "bank_code": "014",
             "account_number": "9876543210", "holder_name": "Thale Thong", "currency": "thb"},
        ],
        "cases": [
            {"id": "C1", "source": "DSI", "source_record_id": "123/2567", "case_number": "คดีพิเศษที่ 123/2567",
             "offence": "ค้ามนุษย์ (มาตรา 6)", "exploitation_type": "fishing", "opened_on": "15/01/2567",
             "status": "investigation", "province": "สมุทรสาคร", "location_id": "TH-74"},
        ],
        "involvements": [
            {"source": "DSI", "source_record_id": "inv-1", "party_id": "P1", "case_id": "C1", "role": "recruiter"},
            {"source": "DSI", "source_record_id": "inv-2", "party_id": "P2", "case_id": "C1", "role": "victim"},
            {"source": "DSI", "source_record_id": "inv-3", "party_id": "O1", "case_id": "C1", "role": "employer"},
        ],
        "associations": [
            {"source": "RTP", "source_record_id": "cdr-1", "person_id": "P1", "other_id": "P2", "kind": "contact",
             "call_count": "๑๒", "first_contact": "2024-01-01T08:00:00", "last_contact": "2024-01-20T21:15:00+07:00"},
        ],
        "affiliations": [
            {"source": "DOE", "source_record_id": "aff-1", "person_id": "P1", "org_id": "O1", "type": "DIRECTS",
             "role": "กรรมการ"},
            {"source": "DOE", "source_record_id": "aff-2", "person_id": "P2", "org_id": "O1", "type": "EMPLOYED_BY",
             "role": "deckhand"},
        ],
        "holdings": [
            {"source": "AMLO", "source_record_id": "h-1", "holder_id": "P1", "account_id": "A1"},
            {"source": "AMLO", "source_record_id": "h-2", "holder_id": "O1", "account_id": "A2"},
        ],
        "transfers": [
            {"source": "AMLO", "source_record_id": "t-1", "from_account": "A2", "to_account": "A1", "txn_id": "TX1",
             "amount": "฿1,950,000.00", "currency": "THB", "at": "2024-01-05T10:30:00", "channel": "mobile"},
        ],
        "ownerships": [
            {"source": "RTP", "source_record_id": "own-1", "owner_id": "P1", "vehicle_id": "V1"},
        ],
        "vehicle_uses": [
            {"source": "RTP", "source_record_id": "use-1", "vehicle_id": "V1", "case_id": "C1", "at": "2023-12-30"},
        ],
        "journeys": [
            {"source": "MSDHS", "source_record_id": "j-1", "from_location": "MMR", "to_location": "BC-MAESOT",
             "person_id": "P2", "case_id": "C1", "leg": "1", "stage": "transit", "at": "2023-12-29", "mode": "foot"},
            {"source": "MSDHS", "source_record_id": "j-2", "from_location": "BC-MAESOT", "to_location": "TH-74",
             "person_id": "P2", "case_id": "C1", "leg": "2", "stage": "exploitation", "at": "2023-12-30",
             "mode": "road"},
        ],
    }


# every label and type of the model (the prosecution and assistance ones: none in this bundle)
EXPECTED_NODES = {**dict.fromkeys(NODE_LABELS, 0),
                  "Location": 4, "Person": 2, "Organisation": 1, "Vehicle": 1, "BankAccount": 2, "Case": 1}
EXPECTED_RELS = {
    **dict.fromkeys(REL_TYPES, 0),
    "LOCATED_IN": 2, "LIVES_AT": 1, "OCCURRED_AT": 1, "INVOLVED_IN": 3, "ASSOCIATED_WITH": 1, "DIRECTS": 1,
    "EMPLOYED_BY": 1, "MEMBER_OF": 0, "HOLDS": 2, "TRANSFERRED": 1, "OWNS": 1, "USED": 1, "MOVED": 2, "SAME_AS": 0,
}


def _stats(driver: Any) -> dict[str, dict[str, int]]:
    return gdb.stats(op(driver))


def _rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_round_trip_every_kind_with_thai_text(db: Any, make_bundle: Any, tmp_path: Path) -> None:
    bundle = make_bundle(full_tables())
    s = ingest_bundle(db, bundle, rejects_path=tmp_path / "rej.csv")
    assert s.rejected == 0, _rejects(tmp_path / "rej.csv")
    st = _stats(db)
    assert st["nodes"] == EXPECTED_NODES
    assert st["relationships"] == EXPECTED_RELS

    p1 = gdb.read(op(db), "MATCH (p:Person {id: 'P1'}) RETURN p")[0]["p"]
    assert p1["full_name"] == "สมชาย ใจดี"
    assert p1["full_name_latin"] == "Somchai Jaidee"
    assert str(p1["birth_date"]) == "1987-05-12"  # Thai digits + Buddhist era converted
    assert p1["national_id"] == THAI_ID
    assert p1["phones"] == ["+66812345678", "+66899999999"]
    assert p1["aliases"] == ["เสี่ยชาย", "Chai"]
    assert p1["address"] == "สมุทรสาคร"
    assert p1["sources"] == ["DSI"] and p1["source_record_ids"] == ["DSI:D-1"]
    assert str(p1["first_seen"]) == "2024-02-01"
    p2 = gdb.read(op(db), "MATCH (p:Person {id: 'P2'}) RETURN p")[0]["p"]
    assert p2["nationality"] == "MMR" and p2["full_name"] == "အောင်ကျော်"
    assert gdb.read(op(db), "MATCH (v:Vehicle) RETURN v.plate AS p")[0]["p"] == "1กข1234"
    case = gdb.read(op(db), "MATCH (c:Case)-[:OCCURRED_AT]->(l) RETURN c, l.name_th AS where")[0]
    assert str(case["c"]["opened_on"]) == "2024-01-15" and case["where"] == "สมุทรสาคร"
    assert case["c"]["agency"] == "DSI"
    tx = gdb.read(op(db), "MATCH (:BankAccount {id:'A2'})-[t:TRANSFERRED]->(:BankAccount {id:'A1'}) "
                 "RETURN properties(t) AS t")[0]["t"]
    assert tx["amount"] == 1950000.0 and tx["currency"] == "THB" and tx["txn_id"] == "TX1"
    assert tx["source"] == "AMLO" and tx["source_record_id"] == "t-1"
    assert tx["at"].iso_format().startswith("2024-01-05T10:30:00")
    assoc = gdb.read(op(db), "MATCH ()-[r:ASSOCIATED_WITH]->() RETURN properties(r) AS r")[0]["r"]
    assert assoc["call_count"] == 12
    # the fast paths send dates as ISO strings (graph.model.date_properties): stored as dates
    typed = gdb.read(op(db), "MATCH (p:Person {id: 'P1'})-[r]->() WHERE r.first_seen IS NOT NULL "
                     "RETURN valueType(p.birth_date) AS b, valueType(p.first_seen) AS f, valueType(p.last_seen) AS l, "
                     "collect(DISTINCT valueType(r.first_seen)) AS rf, collect(DISTINCT valueType(r.last_seen)) AS rl")
    assert typed == [{"b": "DATE NOT NULL", "f": "DATE NOT NULL", "l": "DATE NOT NULL",
                      "rf": ["DATE NOT NULL"], "rl": ["DATE NOT NULL"]}]
    assert gdb.read(op(db), "MATCH (c:Case) RETURN DISTINCT valueType(c.opened_on) AS t") == [{"t": "DATE NOT NULL"}]
    assert gdb.read(op(db), "MATCH ()-[t:TRANSFERRED]->() RETURN DISTINCT valueType(t.at) AS t")[0]["t"].startswith(
        "ZONED DATETIME")
    legs = gdb.read(op(db), "MATCH (a)-[m:MOVED]->(b) RETURN a.id AS a, b.id AS b, m.leg AS leg, m.stage AS stage "
                        "ORDER BY leg")
    assert [(r["a"], r["b"], r["stage"]) for r in legs] == [("MMR", "BC-MAESOT", "transit"),
                                                            ("BC-MAESOT", "TH-74", "exploitation")]
    # every relationship keeps its provenance
    missing = gdb.read(op(db), "MATCH ()-[r]->() WHERE r.source IS NULL OR r.source_record_id IS NULL RETURN count(r) AS c")
    assert missing[0]["c"] == 0


def test_full_text_search_finds_thai_and_latin_names(db: Any, make_bundle: Any, tmp_path: Path) -> None:
    ingest_bundle(db, make_bundle(full_tables()), rejects_path=tmp_path / "rej.csv")
    db.execute_query("CALL db.awaitIndexes(60)")
    hits_th = explore.search_names(op(db), "สมชาย")
    assert hits_th and hits_th[0]["id"] == "P1"
    hits_lat = explore.search_names(op(db), "somchai")
    assert hits_lat and hits_lat[0]["id"] == "P1"
    hits_org = explore.search_names(op(db), "ประมง*")
    assert any(h["id"] == "O1" for h in hits_org)


def _snapshot(driver: Any) -> list[Any]:
    nodes = gdb.read(op(driver), "MATCH (n) WHERE NOT n:IngestRun AND NOT n:NetintelMeta RETURN n.id AS id, properties(n) AS p ORDER BY id")
    rels = gdb.read(op(driver), "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p "
                            "ORDER BY a, t, b, r.source_record_id")
    return [(r["id"], sorted(r["p"].items())) for r in nodes] + [
        (r["a"], r["t"], r["b"], sorted(r["p"].items())) for r in rels]


def test_reload_changes_nothing(db: Any, make_bundle: Any, tmp_path: Path) -> None:
    bundle = make_bundle(full_tables())
    ingest_bundle(db, bundle, rejects_path=tmp_path / "r1.csv")
    before = _snapshot(db)
    ingest_bundle(db, bundle, rejects_path=tmp_path / "r2.csv")
    assert _snapshot(db) == before
    assert _stats(db)["nodes"] == EXPECTED_NODES


def test_same_entity_from_two_agencies_merges_with_both_provenances(db: Any, make_bundle: Any,
                                                                     tmp_path: Path) -> None:
    t = full_tables()
    t["persons"].append({"id": "P1", "source": "RTP", "source_record_id": "R-55", "full_name": "สมชาย ใจดี",
                         "recorded_at": "2023-06-01"})
    ingest_bundle(db, make_bundle(t), rejects_path=tmp_path / "r.csv")
    p = gdb.read(op(db), "MATCH (p:Person {id:'P1'}) RETURN p")[0]["p"]
    assert p["sources"] == ["DSI", "RTP"]
    assert p["source_record_ids"] == ["DSI:D-1", "RTP:R-55"]
    assert str(p["first_seen"]) == "2023-06-01" and str(p["last_seen"]) == "2024-02-01"
    assert _stats(db)["nodes"]["Person"] == 2


def _good_person(i: int) -> dict[str, str]:
    return {"id": f"G{i}", "source": "RTP", "source_record_id": f"g-{i}", "full_name": f"คนดี {i}",
            "birth_date": "1990-01-01", "sex": "F", "nationality": "THA"}


@pytest.mark.parametrize(
    ("table", "bad_row", "field", "reason_part"),
    [
        ("persons", {"id": "B1", "source": "RTP", "source_record_id": "b1", "full_name": "x",
                     "birth_date": "31/02/1990"}, "birth_date", "not a calendar date"),
        ("persons", {"id": "B1", "source": "RTP", "source_record_id": "b1", "full_name": "x",
                     "national_id": "1101700203451"}, "national_id", "checksum"),
        ("persons", {"id": "B1", "source": "XYZ", "source_record_id": "b1", "full_name": "x"},
         "source", "unknown agency"),
        ("persons", {"id": "B1", "source": "RTP", "source_record_id": "b1", "full_name": "x" * 5000},
         "full_name", "too long"),
        ("persons", {"id": "B1", "source": "RTP", "source_record_id": "", "full_name": "x"},
         "source_record_id", "missing"),
    ],
)
def test_bad_person_rows_are_rejected_and_good_rows_load(db: Any, make_bundle: Any, tmp_path: Path, table: str,
                                                         bad_row: dict[str, str], field: str,
                                                         reason_part: str) -> None:
    rows = [_good_person(1), bad_row, _good_person(2)]
    bundle = make_bundle({table: rows})
    rej = tmp_path / "rej.csv"
    s = ingest_bundle(db, bundle, rejects_path=rej)
    assert s.rejected == 1
    got = _rejects(rej)
    assert len(got) == 1
    assert got[0]["file"] == "persons.csv" and got[0]["line"] == "3" and got[0]["field"] == field
    assert reason_part in got[0]["reason"]
    assert got[0]["raw"].startswith("B1,")  # the row itself is kept
    assert _stats(db)["nodes"]["Person"] == 2


def test_negative_amount_bad_currency_and_dangling_reference(db: Any, make_bundle: Any, tmp_path: Path) -> None:
    t = full_tables()
    t["transfers"] += [
        {"source": "AMLO", "source_record_id": "t-2", "from_account": "A1", "to_account": "A2", "txn_id": "TX2",
         "amount": "-100", "currency": "THB", "at": "2024-01-06T10:00:00"},
        {"source": "AMLO", "source_record_id": "t-3", "from_account": "A1", "to_account": "A2", "txn_id": "TX3",
         "amount": "100", "currency": "BHT", "at": "2024-01-06T10:00:00"},
        {"source": "AMLO", "source_record_id": "t-4", "from_account": "A1", "to_account": "NOPE", "txn_id": "TX4",
         "amount": "100", "currency": "THB", "at": "2024-01-06T10:00:00"},
        {"source": "AMLO", "source_record_id": "t-5", "from_account": "A1", "to_account": "A2", "txn_id": "TX5",
         "amount": "100", "currency": "THB", "at": "2024-01-06T11:00:00"},
    ]
    t["involvements"].append({"source": "DSI", "source_record_id": "inv-9", "party_id": "A1", "case_id": "C1",
                              "role": "victim"})  # an account is not a party
    rej = tmp_path / "rej.csv"
    s = ingest_bundle(db, make_bundle(t), rejects_path=rej)
    got = {(r["file"], r["line"], r["field"]): r["reason"] for r in _rejects(rej)}
    assert "amount must be ≥ 0" in got[("transfers.csv", "3", "amount")]
    assert "unknown currency" in got[("transfers.csv", "4", "currency")]
    assert "unknown reference" in got[("transfers.csv", "5", "to_account")]
    assert "unknown reference" in got[("involvements.csv", "5", "party_id")]
    assert s.rejected == 4
    st = _stats(db)
    assert st["relationships"]["TRANSFERRED"] == 2  # TX1 and TX5
    assert st["relationships"]["INVOLVED_IN"] == 3


def test_reference_to_a_node_already_in_the_database(db: Any, make_bundle: Any, tmp_path: Path) -> None:
    t = full_tables()
    ingest_bundle(db, make_bundle({k: t[k] for k in ("locations", "persons", "cases")}, "first"),
                  rejects_path=tmp_path / "a.csv")
    s = ingest_bundle(db, make_bundle({"involvements": t["involvements"][:2]}, "second"),
                      rejects_path=tmp_path / "b.csv")
    assert s.rejected == 0
    assert _stats(db)["relationships"]["INVOLVED_IN"] == 2


def test_missing_required_column_rejects_every_row_of_that_file_only(db: Any, make_bundle: Any,
                                                                       tmp_path: Path) -> None:
    t = full_tables()
    for r in t["transfers"]:
        del r["currency"]
    rej = tmp_path / "rej.csv"
    s = ingest_bundle(db, make_bundle(t), rejects_path=rej)
    got = _rejects(rej)
    assert [(r["file"], r["line"], r["field"]) for r in got] == [("transfers.csv", "2", "currency")]
    assert "missing from the file header" in got[0]["reason"]
    assert s.rejected == 1
    assert _stats(db)["nodes"] == EXPECTED_NODES


def test_wrong_encoding_rows_are_rejected_not_garbled(db: Any, tmp_path: Path) -> None:
    bundle = tmp_path / "enc"
    bundle.mkdir()
    header = "id,source,source_record_id,full_name\n"
    good = "E1,RTP,e1,สมหญิง รักไทย\n"
    bad = "E2,RTP,e2,สมศรี มีสุข\n".encode("cp874")  # Windows Thai code page, not UTF-8
    (bundle / "persons.csv").write_bytes(header.encode() + good.encode() + bad + b"E3,RTP,e3,Mali\n")
    rej = tmp_path / "rej.csv"
    s = ingest_bundle(db, bundle, rejects_path=rej)
    got = _rejects(rej)
    assert len(got) == 1 and got[0]["line"] == "3" and "UTF-8" in got[0]["reason"]
    assert s.rejected == 1
    names = {r["n"] for r in gdb.read(op(db), "MATCH (p:Person) RETURN p.full_name AS n")}
    assert names == {"สมหญิง รักไทย", "Mali"}


def test_empty_files_are_reported_and_others_load(db: Any, make_bundle: Any, tmp_path: Path) -> None:
    t = full_tables()
    bundle = make_bundle({k: v for k, v in t.items() if k != "vehicles"})
    (bundle / "vehicles.csv").write_text("")
    (bundle / "ownerships.csv").write_text("source,source_record_id,owner_id,vehicle_id\n")
    (bundle / "vehicle_uses.csv").unlink()
    rej = tmp_path / "rej.csv"
    ingest_bundle(db, bundle, rejects_path=rej)
    got = {(r["file"], r["reason"].split(":")[0]) for r in _rejects(rej)}
    assert ("vehicles.csv", "empty file") in got and ("ownerships.csv", "empty file") in got
    assert _stats(db)["nodes"]["Person"] == 2


def test_duplicate_record_in_one_file_is_rejected(db: Any, make_bundle: Any, tmp_path: Path) -> None:
    rows = [_good_person(1), _good_person(1)]
    rej = tmp_path / "rej.csv"
    s = ingest_bundle(db, make_bundle({"persons": rows}), rejects_path=rej)
    assert s.rejected == 1 and "duplicate record RTP:g-1 (first at line 2)" in _rejects(rej)[0]["reason"]


def test_jsonl_and_xlsx_tables_load_like_csv(db: Any, tmp_path: Path) -> None:
    import openpyxl

    t = full_tables()
    bundle = tmp_path / "mixed"
    bundle.mkdir()
    with (bundle / "persons.jsonl").open("w", encoding="utf-8") as fh:
        for r in t["persons"]:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    wb = openpyxl.Workbook()
    ws = wb.active
    cols = list(dict.fromkeys(k for r in t["locations"] for k in r))
    ws.append(cols)
    for r in t["locations"]:
        ws.append([r.get(c, None) for c in cols])
    wb.save(bundle / "locations.xlsx")
    s = ingest_bundle(db, bundle, rejects_path=tmp_path / "rej.csv")
    assert s.rejected == 0
    st = _stats(db)
    assert st["nodes"]["Person"] == 2 and st["nodes"]["Location"] == 4
    assert st["relationships"]["LIVES_AT"] == 1 and st["relationships"]["LOCATED_IN"] == 2
    lat = gdb.read(op(db), "MATCH (l:Location {id:'TH-74'}) RETURN l.lat AS lat")[0]["lat"]
    assert lat == pytest.approx(13.55)


def test_interrupted_load_then_rerun_completes_without_duplicates(db: Any, make_bundle: Any, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    t = full_tables()
    t["persons"] += [_good_person(i) for i in range(300)]
    bundle = make_bundle(t)
    real = loader_mod.gdb.write_batch
    calls = {"n": 0}

    def flaky(driver: Any, query: str, rows: list[dict[str, Any]]) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise ConnectionError("simulated crash in the middle of the load")
        real(driver, query, rows)

    monkeypatch.setattr(loader_mod.gdb, "write_batch", flaky)
    with pytest.raises(ConnectionError):
        ingest_bundle(db, bundle, rejects_path=tmp_path / "r1.csv", batch_size=50)
    partial = _stats(db)
    assert sum(partial["nodes"].values()) < 300 + 11
    monkeypatch.setattr(loader_mod.gdb, "write_batch", real)
    ingest_bundle(db, bundle, rejects_path=tmp_path / "r2.csv", batch_size=50)
    st = _stats(db)
    assert st["nodes"] == {**EXPECTED_NODES, "Person": 302}
    assert st["relationships"] == EXPECTED_RELS


def test_kill_9_during_ingest_then_rerun_gives_exact_counts(db: Any, make_bundle: Any, tmp_path: Path,
                                                            neo4j_settings: Any) -> None:
    """A real crash: the CLI process is SIGKILLed mid-load, then the load is run again."""
    import os
    import signal
    import subprocess
    import sys
    import time

    n = 12000
    t = full_tables()
    t["persons"] += [_good_person(i) for i in range(n)]
    t["involvements"] += [{"source": "DSI", "source_record_id": f"g-inv-{i}", "party_id": f"G{i}", "case_id": "C1",
                           "role": "witness"} for i in range(n)]
    bundle = make_bundle(t)
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "cli", "ingest", str(bundle), "--rejects", str(tmp_path / "r.csv"),
           "--batch-size", "500", "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    killed_at = None
    while time.monotonic() < deadline and proc.poll() is None:
        c = gdb.read(op(db), "MATCH (p:Person) RETURN count(p) AS c")[0]["c"]
        if c > 1000:
            os.kill(proc.pid, signal.SIGKILL)
            killed_at = c
            break
        time.sleep(0.05)
    proc.wait()
    assert killed_at is not None, "the load finished before it could be killed; make the bundle bigger"
    partial = _stats(db)
    assert partial["relationships"]["INVOLVED_IN"] < n + 3  # it really was cut short
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    st = _stats(db)
    assert st["nodes"] == {**EXPECTED_NODES, "Person": n + 2}
    assert st["relationships"] == {**EXPECTED_RELS, "INVOLVED_IN": n + 3}


def test_embedded_reference_rejects_in_reference_order_one_count_per_row(db: Any, make_bundle: Any,
                                                                         tmp_path: Path) -> None:
    """A node table with several embedded references (compensation: case, victim, offender):
    unknown references go to rejects reference by reference, rows in file order, with the
    row's line as its raw text; a row with two unknown references is one rejected row."""
    t = full_tables()
    comp = [  # lines 2, 3, 4 of compensation.csv
        {"id": "K1", "source": "DSI", "source_record_id": "k1", "case_id": "C1", "victim_id": "NOPE1",
         "offender_id": "P1", "awarded": "5000", "currency": "THB"},
        {"id": "K2", "source": "DSI", "source_record_id": "k2", "case_id": "CX", "victim_id": "P2",
         "offender_id": "P1"},
        {"id": "K3", "source": "DSI", "source_record_id": "k3", "case_id": "C1", "victim_id": "NOPE2",
         "offender_id": "NOPE3"},
        {"id": "K4", "source": "DSI", "source_record_id": "k4", "case_id": "C1", "victim_id": "P2",
         "offender_id": "P1"},
    ]
    bundle = make_bundle({"locations": t["locations"], "persons": t["persons"], "cases": t["cases"],
                          "compensation": comp})
    s = ingest_bundle(db, bundle, rejects_path=tmp_path / "rej.csv")
    got = [(r["line"], r["field"], r["reason"]) for r in _rejects(tmp_path / "rej.csv")]
    assert got == [
        ("3", "case_id", "unknown reference: no Case with id 'CX'"),
        ("2", "victim_id", "unknown reference: no Person with id 'NOPE1'"),
        ("4", "victim_id", "unknown reference: no Person with id 'NOPE2'"),
        ("4", "offender_id", "unknown reference: no Person with id 'NOPE3'"),
    ]
    lines = (bundle / "compensation.csv").read_text(encoding="utf-8").splitlines()
    assert [r["raw"] for r in _rejects(tmp_path / "rej.csv")] == [lines[2], lines[1], lines[3], lines[3]]
    fs = s.files["compensation.csv"]
    assert (fs.rows, fs.rejected, fs.loaded) == (4, 3, 1)
    # K4's references all load; the rejected rows' nodes stay, with the references they could make
    rels = gdb.read(op(db), "MATCH (k:Compensation)-[r]->(x) RETURN k.id AS k, type(r) AS t, x.id AS x "
                    "ORDER BY k, t")
    assert [(r["k"], r["t"], r["x"]) for r in rels] == [
        ("K1", "FOR_CASE", "C1"), ("K1", "OWED_BY", "P1"), ("K2", "AWARDED_TO", "P2"), ("K2", "OWED_BY", "P1"),
        ("K3", "FOR_CASE", "C1"), ("K4", "AWARDED_TO", "P2"), ("K4", "FOR_CASE", "C1"), ("K4", "OWED_BY", "P1")]
