"""Each domain rule once: ingest and entity resolution read the same text the same way."""

from __future__ import annotations

import ast
import datetime as dt
import random
from pathlib import Path

import pytest

from analytics import resolution_features as rf
from analytics import synthetic
from core import rules
from ingest import generate
from ingest import normalise as nz

ROOT = Path(__file__).resolve().parents[1]

DATES = [
    ("2024-01-15", dt.date(2024, 1, 15)),
    ("15/01/2024", dt.date(2024, 1, 15)),
    ("15/01/2567", dt.date(2024, 1, 15)),  # Buddhist era
    ("๑๕/๐๑/๒๕๖๗", dt.date(2024, 1, 15)),  # Thai digits, Buddhist era
    ("๒๕๓๓-๐๓-๑๕", dt.date(1990, 3, 15)),
    ("2533-03-15", dt.date(1990, 3, 15)),
    ("15.03.2533", dt.date(1990, 3, 15)),
    ("15-3-1990", dt.date(1990, 3, 15)),
    ("1990/3/5", dt.date(1990, 3, 5)),
    ("19900315", dt.date(1990, 3, 15)),
    ("2024-01-15T10:00:00", dt.date(2024, 1, 15)),
    ("15/01/2567 09:30", dt.date(2024, 1, 15)),
    ("2567-02-29", dt.date(2024, 2, 29)),  # BE 2567 = CE 2024, a leap year
    ("29/02/2535", dt.date(1992, 2, 29)),
]


@pytest.mark.parametrize(("raw", "expected"), DATES)
def test_ingest_and_resolution_read_a_date_alike(raw: str, expected: dt.date) -> None:
    assert nz.parse_date(raw) == rf.parse_birth_date(raw) == rules.parse_date(raw) == expected
    assert rf.prepare({"id": "x", "full_name": "A B", "birth_date": raw}).birth == expected


@pytest.mark.parametrize("raw", ["2568-02-29", "2024-02-30", "1800-01-01", "abc", "15-Jan-2024", ""])
def test_a_date_ingest_rejects_is_missing_for_resolution(raw: str) -> None:
    with pytest.raises(nz.FieldError):
        nz.parse_date(raw)
    assert rf.parse_birth_date(raw) is None


def test_only_resolution_reads_a_month_above_12_as_a_swap() -> None:
    with pytest.raises(nz.FieldError):
        nz.parse_date("03/25/1990")
    assert rf.parse_birth_date("03/25/1990") == dt.date(1990, 3, 25)


def test_datetimes_use_the_same_era_rule() -> None:
    bkk = dt.timezone(dt.timedelta(hours=7))
    assert nz.parse_datetime("2567-02-29T10:30:00") == dt.datetime(2024, 2, 29, 10, 30, tzinfo=bkk)
    assert nz.parse_datetime("๒๕๖๗-๐๑-๐๕") == dt.datetime(2024, 1, 5, tzinfo=bkk)
    with pytest.raises(nz.FieldError):
        nz.parse_datetime("2568-02-29T10:30:00")


PHONES = ["081-234-5678", "0812345678", "+66 81 234 5678", "๐๘๑๒๓๔๕๖๗๘", "๐๘๑-๒๓๔-๕๖๗๘", "02-123-4567",
          "+95 9 123 4567", "0066812345678", "66 81 234 5678"]


@pytest.mark.parametrize("raw", PHONES)
def test_ingest_and_resolution_read_a_phone_alike(raw: str) -> None:
    e164 = nz.parse_phone(raw)
    assert e164 == rules.phone_e164(raw) == "+" + rf.normalise_phone(raw)
    assert rf.prepare({"id": "x", "phone": raw}).phone == e164[1:]


@pytest.mark.parametrize("raw", ["12", "812345678", "123456789012345678"])
def test_a_phone_ingest_rejects_is_missing_for_resolution(raw: str) -> None:
    with pytest.raises(nz.FieldError):
        nz.parse_phone(raw)
    assert rf.normalise_phone(raw) == ""


@pytest.mark.parametrize("raw", ["1-1017-00203-45-0", "1 1017 00203 45 0", "๑๑๐๑๗๐๐๒๐๓๔๕๐", "1101700203450"])
def test_ingest_and_resolution_read_a_thai_id_alike(raw: str) -> None:
    assert nz.parse_thai_id(raw) == rf.normalise_id(raw) == "1101700203450"


def test_thai_digits_and_check_digit_are_one_rule() -> None:
    assert nz.thai_digits_to_ascii is rules.thai_digits_to_ascii
    assert nz.thai_id_check_digit is rules.thai_id_check_digit
    assert rules.thai_digits_to_ascii(rules.ascii_to_thai_digits("0123456789")) == "0123456789"
    rng = random.Random(0)
    for _ in range(50):  # both generators make IDs that ingest accepts
        pid = generate.thai_national_id(rng)
        assert nz.parse_thai_id(pid) == pid
        sid = synthetic._thai_id(rng)
        assert nz.parse_thai_id(sid) == sid


def test_core_imports_no_other_netintel_package() -> None:
    ours = {"analytics", "api", "bench", "cli", "graph", "ingest", "views", "viz", "scripts"}
    for path in sorted((ROOT / "core").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            bad = [n for n in names if n.split(".")[0] in ours]
            assert not bad, f"{path.name} imports {bad}: core is the bottom layer"


@pytest.mark.parametrize(("raw", "code"), [("MM", "MMR"), ("lao", "LAO"), ("Cambodia", "KHM"), ("THA", "THA")])
def test_ingest_and_resolution_read_a_nationality_alike(raw: str, code: str) -> None:
    assert nz.parse_country(raw) == rf.normalise_nationality(raw) == code
    assert rf.prepare({"id": "x", "nationality": raw}).nationality == code


def test_ingest_and_resolution_clean_names_alike() -> None:
    raw = "  สมชาย\u200b  ใจดี "  # a zero-width space and runs of spaces, as pasted from documents
    assert nz.clean_text(raw) == "สมชาย ใจดี"
    assert rf.prepare({"id": "x", "full_name": raw}) == rf.prepare({"id": "x", "full_name": nz.clean_text(raw)})
