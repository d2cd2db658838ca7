"""FollowTheMoney export/import and CTDC case data, against the real Neo4j."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph import db as gdb
from ingest.ftm import ingest_ctdc, ingest_ftm
from ingest.loader import ingest_bundle
from tests.conftest import op
from tests.test_ingest import full_tables
from views.exchange import export_ftm

pytestmark = pytest.mark.neo4j


def _read_back(path: Path) -> dict[str, Any]:
    from followthemoney import model

    out = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            proxy = model.get_proxy(json.loads(line))
            out[proxy.id] = proxy
    return out


def test_ftm_export_reads_back_with_followthemoney_as_the_same_entities(db: Any, make_bundle: Any,
                                                                       tmp_path: Path) -> None:
    t = full_tables()
    t["persons"].append({"id": "P1", "source": "RTP", "source_record_id": "R-55", "full_name": "สมชาย ใจดี",
                         "recorded_at": "2023-06-01"})
    ingest_bundle(db, make_bundle(t), rejects_path=tmp_path / "r.csv")
    res = export_ftm(op(db), tmp_path / "out.ftm.json")
    ents = _read_back(tmp_path / "out.ftm.json")
    assert res.entities == len(ents)
    assert res.by_schema == {"Person": 2, "Company": 1, "Vehicle": 1, "BankAccount": 2, "CourtCase": 1,
                             "Address": 4, "CourtCaseParty": 3, "Associate": 1, "Directorship": 1,
                             "Employment": 1, "Ownership": 3, "Payment": 1, "UnknownLink": 1}
    assert res.left_out == {"LIVES_AT": 1, "LOCATED_IN": 2, "MOVED": 2, "OCCURRED_AT": 1}
    p1 = ents["P1"]
    assert p1.schema.name == "Person"
    assert p1.get("name") == ["สมชาย ใจดี", "Somchai Jaidee"]
    assert p1.get("birthDate") == ["1987-05-12"] and p1.get("nationality") == ["th"]
    assert p1.get("idNumber") == ["1101700203450"] and p1.get("gender") == ["male"]
    assert sorted(p1.get("publisher")) == ["DSI", "RTP"]
    assert sorted(p1.get("notes")[0].splitlines()) == ["netintel record DSI:D-1", "netintel record RTP:R-55"]
    assert p1.get("createdAt") == ["2023-06-01"] and p1.get("modifiedAt") == ["2024-02-01"]
    pay = next(e for e in ents.values() if e.schema.name == "Payment")
    assert pay.get("payerAccount") == ["A2"] and pay.get("beneficiaryAccount") == ["A1"]
    assert pay.get("amount") == ["1950000.0"] and pay.get("publisher") == ["AMLO"] and pay.get("recordId") == ["t-1"]
    # every reference of an edge points at an entity of the export
    for e in ents.values():
        for prop, values in e.properties.items():
            if e.schema.properties[prop].type.name == "entity":
                assert all(v in ents for v in values), (e.schema.name, prop, values)

    # round trip: the export loaded into an empty database gives the nodes and links back, provenance kept
    before = gdb.read(op(db), "MATCH (n) WHERE n.id IS NOT NULL AND NOT n:IngestRun AND NOT n:NetintelMeta "
                              "RETURN n.id AS id, n.sources AS s, n.source_record_ids AS r ORDER BY id")
    gdb.clear_database(db)
    s = ingest_ftm(db, tmp_path / "out.ftm.json", rejects_path=tmp_path / "r2.csv")
    assert s.rejected == 0, (tmp_path / "r2.csv").read_text()
    after = gdb.read(op(db), "MATCH (n) WHERE n.id IS NOT NULL AND NOT n:IngestRun AND NOT n:NetintelMeta "
                             "RETURN n.id AS id, n.sources AS s, n.source_record_ids AS r ORDER BY id")
    assert [(r["id"], sorted(r["s"]), sorted(r["r"])) for r in after] == \
        [(r["id"], sorted(r["s"]), sorted(r["r"])) for r in before]
    st = gdb.stats(op(db))["relationships"]
    assert {k: v for k, v in st.items() if v} == {"INVOLVED_IN": 3, "ASSOCIATED_WITH": 1, "DIRECTS": 1,
                                                  "EMPLOYED_BY": 1, "HOLDS": 2, "OWNS": 1, "TRANSFERRED": 1,
                                                  "USED": 1}
    tx = gdb.read(op(db), "MATCH ()-[t:TRANSFERRED]->() RETURN properties(t) AS p")[0]["p"]
    assert tx["source"] == "AMLO" and tx["source_record_id"] == "t-1" and tx["amount"] == 1950000.0


def test_ftm_import_of_foreign_entities_loads_with_provenance(db: Any, tmp_path: Path) -> None:
    from followthemoney import model

    person = model.make_entity("Person")
    person.id = "os-person-1"
    person.add("name", "Somchai Jaidee")
    person.add("nationality", "th")
    person.add("birthDate", "1987-05-12")
    person.add("publisher", "OpenSanctions")
    company = model.make_entity("Company")
    company.id = "os-company-1"
    company.add("name", "Thale Thong Fishery Co., Ltd.")
    company.add("jurisdiction", "th")
    company.add("publisher", "DSI")  # an agency netintel knows: kept as the source
    link = model.make_entity("Directorship")
    link.id = "os-dir-1"
    link.add("director", person.id)
    link.add("organization", company.id)
    link.add("startDate", "2019-01-01")
    bad = model.make_entity("Person")
    bad.id = "os-person-2"
    bad.add("name", "No Date")
    bad.add("birthDate", "1850-01-01")  # out of netintel's range: rejected, the rest loads
    path = tmp_path / "entities.ftm.json"
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in (person, company, link, bad)), encoding="utf-8")
    rej = tmp_path / "rej.csv"
    s = ingest_ftm(db, path, rejects_path=rej)
    assert s.rejected == 1 and "birth_date" in rej.read_text(encoding="utf-8")
    p = gdb.read(op(db), "MATCH (p:Person {id: 'os-person-1'}) RETURN p")[0]["p"]
    assert p["sources"] == ["FTM"] and p["source_record_ids"] == ["FTM:os-person-1"]
    assert p["nationality"] == "THA" and str(p["birth_date"]) == "1987-05-12"
    c = gdb.read(op(db), "MATCH (c:Organisation {id: 'os-company-1'}) RETURN c")[0]["c"]
    assert c["sources"] == ["DSI"] and c["kind"] == "company" and c["country"] == "THA"
    d = gdb.read(op(db), "MATCH (:Person)-[d:DIRECTS]->(:Organisation) RETURN properties(d) AS d")[0]["d"]
    assert d["source"] == "FTM" and d["source_record_id"] == "os-dir-1" and str(d["from_date"]) == "2019-01-01"
    # re-running changes nothing
    ingest_ftm(db, path, rejects_path=tmp_path / "rej2.csv")
    assert gdb.stats(op(db))["nodes"]["Person"] == 1


CTDC_SAMPLE = """record_id,yearRegister,gender,majorityStatus,isForcedLabour,isSexualExploit,UN_COO_Region,UN_COE_Region
1,2014-2018,Female,Adult,,1,Asia,Asia
2,2019,Male,Minor,1,,Asia,Europe
3,,Female,,1,1,Africa,
"""


def test_ctdc_case_data_loads_victims_and_routes(db: Any, make_bundle: Any, tmp_path: Path) -> None:
    path = tmp_path / "ctdc.csv"
    path.write_text(CTDC_SAMPLE, encoding="utf-8")
    s = ingest_ctdc(db, path, rejects_path=tmp_path / "rej.csv")
    assert s.rejected == 0, (tmp_path / "rej.csv").read_text()
    st = gdb.stats(op(db))
    assert st["nodes"]["Person"] == 3 and st["nodes"]["Case"] == 3
    assert st["nodes"]["Location"] == 3  # Asia, Europe, Africa as UN regions
    assert st["relationships"]["INVOLVED_IN"] == 3 and st["relationships"]["MOVED"] == 2
    legs = gdb.read(op(db), "MATCH (a)-[m:MOVED]->(b) RETURN a.id AS a, b.id AS b, m.person_id AS p ORDER BY p")
    assert [(r["a"], r["b"]) for r in legs] == [("UNR:Asia", "UNR:Asia"), ("UNR:Asia", "UNR:Europe")]
    v = gdb.read(op(db), "MATCH (p:Person {id: 'CTDC:V2'})-[i:INVOLVED_IN]->(c:Case) RETURN p, i.role AS role, c")[0]
    assert v["p"]["sex"] == "M" and v["role"] == "victim" and v["c"]["exploitation_type"] == "forced_labour"
    assert v["p"]["sources"] == ["CTDC"] and str(v["p"]["first_seen"]) == "2019-01-01"
    # country-level CTDC rows use the gazetteer's countries
    ingest_bundle(db, make_bundle({"locations": full_tables()["locations"]}), rejects_path=tmp_path / "l.csv")
    path2 = tmp_path / "ctdc2.csv"
    path2.write_text("identifier,yearOfRegistration,gender,citizenship,CountryOfExploitation,isForcedLabour\n"
                     "9,2020,Male,MM,TH,1\n", encoding="utf-8")
    ingest_ctdc(db, path2, rejects_path=tmp_path / "rej2.csv")
    leg = gdb.read(op(db), "MATCH (a)-[m:MOVED {source_record_id: 'J9'}]->(b) RETURN a.id AS a, b.id AS b")
    assert leg == [{"a": "MMR", "b": "THA"}]
