"""Agencies' own files through a YAML mapping: Thai headers, codes, Buddhist-era dates."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from graph import db as gdb
from ingest.mapping import MappingError, _parse_with_format, ingest_mapped, load_mapping
from tests.conftest import op

HEADERS = ["ลำดับ", "เลขคดี", "สถานีตำรวจ", "วันที่รับแจ้ง", "จังหวัด", "ข้อหา", "ลักษณะการแสวงประโยชน์",
           "สถานะคดี", "ชื่อ-สกุล", "เลขประจำตัวประชาชน", "เลขหนังสือเดินทาง", "สัญชาติ", "เพศ", "วันเกิด",
           "ฐานะในคดี", "โทรศัพท์", "หมายเหตุ"]


def _register(path: Path, rows: list[list[Any]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ทะเบียนคดี"
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_dates_with_thai_months_and_buddhist_era() -> None:
    assert _parse_with_format("15/01/2567", "%d/%m/%Y", "buddhist") == "2024-01-15"
    assert _parse_with_format("๑๕ ม.ค. ๒๕๖๗", "%d %b %Y", "buddhist") == "2024-01-15"
    assert _parse_with_format("3 กุมภาพันธ์ 2567", "%d %B %Y", "buddhist") == "2024-02-03"
    assert _parse_with_format("29/02/2567", "%d/%m/%Y", "buddhist") == "2024-02-29"  # 2024 is a leap year
    assert _parse_with_format("29/02/2566", "%d/%m/%Y", "buddhist") is None  # 2023 is not
    assert _parse_with_format("15/01/2567 10:30", "%d/%m/%Y %H:%M", "buddhist") == "2024-01-15T10:30:00"


def test_a_mapping_naming_an_unknown_field_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("source: RTP\noutputs:\n  - table: persons\n    source_record_id: '{a}'\n"
                   "    fields: {shoe_size: b}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="no field shoe_size"):
        load_mapping(bad)


@pytest.mark.neo4j
def test_xlsx_with_thai_headers_and_buddhist_era_dates_loads_with_the_right_rejects(db: Any, tmp_path: Path) -> None:
    rows = [
        ["1", "123/2567", "สภ.เมืองสมุทรสาคร", "15/01/2567", "สมุทรสาคร", "ค้ามนุษย์", "ประมง", "2",
         "สมชาย ใจดี", "1101700203450", "", "ไทย", "ชาย", "12/05/2530", "ผู้จัดหา", "081-234-5678", "ประกันตัว"],
        ["2", "123/2567", "สภ.เมืองสมุทรสาคร", "15/01/2567", "สมุทรสาคร", "ค้ามนุษย์", "ประมง", "2",
         "อ่อง จ่อ", "", "MA123456", "เมียนมา", "ชาย", "04/03/2544", "ผู้เสียหาย", "", ""],
        # bad: 31 February (BE 2545), a national id with a wrong check digit
        ["3", "123/2567", "สภ.เมืองสมุทรสาคร", "15/01/2567", "สมุทรสาคร", "ค้ามนุษย์", "ประมง", "2",
         "มาลี ดีงาม", "1101700203451", "", "ไทย", "หญิง", "31/02/2545", "พยาน", "", ""],
        # bad: a role code the mapping does not know
        ["4", "124/2567", "สภ.แม่สอด", "01/03/2567", "ตาก", "ค้ามนุษย์", "ค้าประเวณี", "1",
         "นิด หน่อย", "", "", "ไทย", "หญิง", "01/01/2540", "ผู้บงการ", "", ""],
    ]
    path = _register(tmp_path / "register.xlsx", rows)
    rej = tmp_path / "rej.csv"
    s = ingest_mapped(db, "rtp_case_register.yml", path, rejects_path=rej)
    out = s.as_dict()
    assert out["agency_rows"] == 4
    assert out["unmapped_columns"] == ["สถานีตำรวจ", "หมายเหตุ"]  # reported, not loaded
    got = {(r["file"], r["line"], r["field"]): r["reason"] for r in _rejects(rej)}
    assert set(got) == {("register.xlsx", "4", "วันเกิด"), ("register.xlsx", "4", "เลขประจำตัวประชาชน"),
                        ("register.xlsx", "5", "ฐานะในคดี"), ("register.xlsx", "4", "ลำดับ,เลขคดี")}, got
    assert "not a calendar date" in got[("register.xlsx", "4", "วันเกิด")]
    assert "(persons.birth_date)" in got[("register.xlsx", "4", "วันเกิด")]
    assert "checksum" in got[("register.xlsx", "4", "เลขประจำตัวประชาชน")]
    assert "'ผู้บงการ' is not one of" in got[("register.xlsx", "5", "ฐานะในคดี")]
    # the row's person was rejected, so its involvement has no party: rejected as well, same row
    # (the field names the agency columns the reference is made of)
    assert "unknown reference" in got[("register.xlsx", "4", "ลำดับ,เลขคดี")]
    assert "(involvements.party_id)" in got[("register.xlsx", "4", "ลำดับ,เลขคดี")]
    raw = next(r["raw"] for r in _rejects(rej) if r["line"] == "4")
    assert "มาลี ดีงาม" in raw  # the agency's row as written
    st = gdb.stats(op(db))
    assert st["nodes"]["Case"] == 2 and st["nodes"]["Person"] == 3
    assert st["relationships"]["INVOLVED_IN"] == 2
    c = gdb.read(op(db), "MATCH (c:Case {id: 'RTP:C:123/2567'}) RETURN c")[0]["c"]
    assert str(c["opened_on"]) == "2024-01-15" and c["status"] == "investigation"
    assert c["exploitation_type"] == "fishing" and c["sources"] == ["RTP"]
    p = gdb.read(op(db), "MATCH (p:Person)-[i:INVOLVED_IN]->(:Case) WHERE p.full_name = 'สมชาย ใจดี' "
                         "RETURN p, i.role AS role")[0]
    assert str(p["p"]["birth_date"]) == "1987-05-12" and p["p"]["nationality"] == "THA"
    assert p["p"]["sex"] == "M" and p["role"] == "recruiter" and p["p"]["phones"] == ["+66812345678"]
    assert p["p"]["source_record_ids"] == ["RTP:P:123/2567:1"]
    # re-running changes nothing
    ingest_mapped(db, "rtp_case_register.yml", path, rejects_path=tmp_path / "rej2.csv")
    assert gdb.stats(op(db)) == st


@pytest.mark.neo4j
def test_generated_agency_files_load_through_the_shipped_mappings(db: Any, tmp_path: Path) -> None:
    from ingest.generate import generate_agency_files, generate_bundle

    generate_bundle(tmp_path / "b", seed=3, persons=300)
    truth = generate_agency_files(tmp_path / "b", tmp_path / "agency")
    s1 = ingest_mapped(db, "rtp_case_register.yml", tmp_path / "agency" / "rtp_case_register.xlsx",
                       rejects_path=tmp_path / "r1.csv")
    s2 = ingest_mapped(db, "amlo_transaction_report.yml", tmp_path / "agency" / "amlo_transaction_report.csv",
                       rejects_path=tmp_path / "r2.csv")
    assert s1.rejected == 0 and s2.rejected == 0, _rejects(tmp_path / "r1.csv") + _rejects(tmp_path / "r2.csv")
    assert s2.unmapped_columns == ["ประเภทธุรกรรม", "หมายเหตุ"]
    st = gdb.stats(op(db))
    assert st["nodes"]["Case"] == truth["rtp"]["Case"] and st["nodes"]["Person"] == truth["rtp"]["Person"]
    assert st["relationships"]["INVOLVED_IN"] == truth["rtp"]["INVOLVED_IN"]
    assert st["nodes"]["BankAccount"] == truth["amlo"]["BankAccount"]
    assert st["relationships"]["TRANSFERRED"] == truth["amlo"]["TRANSFERRED"]
    tx = gdb.read(op(db), "MATCH ()-[t:TRANSFERRED]->() RETURN t.amount AS a, t.at AS at LIMIT 1")[0]
    assert tx["a"] > 0 and 2000 < tx["at"].year < 2100  # Buddhist era converted
