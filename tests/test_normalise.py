"""Normalisation and validation rules, one value at a time (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest import normalise as nz
from ingest.validate import validate_row


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-15", dt.date(2024, 1, 15)),
        ("15/01/2024", dt.date(2024, 1, 15)),
        ("15/01/2567", dt.date(2024, 1, 15)),  # Buddhist era
        ("๑๕/๐๑/๒๕๖๗", dt.date(2024, 1, 15)),  # Thai digits
        ("2567-01-15", dt.date(2024, 1, 15)),
        ("2024-01-15T10:00:00", dt.date(2024, 1, 15)),
        # 29 February of a Buddhist-era leap year: BE 2567 is CE 2024 (a leap year); the year is
        # converted before the date is built (this was rejected before core.rules)
        ("2567-02-29", dt.date(2024, 2, 29)),
        ("29/02/2535", dt.date(1992, 2, 29)),
    ],
)
def test_dates(raw: str, expected: dt.date) -> None:
    assert nz.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2024-02-30", "15-Jan-2024", "1800-01-01", "abc", "2568-02-29", "03/25/1990"])
def test_bad_dates(raw: str) -> None:
    with pytest.raises(nz.FieldError):
        nz.parse_date(raw)


def test_datetime_defaults_to_bangkok_time() -> None:
    v = nz.parse_datetime("2024-01-05T10:30:00")
    assert v.utcoffset() == dt.timedelta(hours=7)
    assert nz.parse_datetime("2024-01-05T03:30:00Z") == v


def test_thai_id_checksum() -> None:
    # check digit computed by hand: 1*13+1*12+0*11+1*10+7*9+0*8+0*7+2*6+0*5+3*4+4*3+5*2 = 144; 144 % 11 = 1;
    # (11 - 1) % 10 = 0
    assert nz.thai_id_check_digit("110170020345") == 0
    assert nz.parse_thai_id("1-1017-00203-45-0") == "1101700203450"
    with pytest.raises(nz.FieldError, match="checksum"):
        nz.parse_thai_id("1101700203459")
    with pytest.raises(nz.FieldError, match="13 digits"):
        nz.parse_thai_id("12345")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("081-234-5678", "+66812345678"),
        ("0812345678", "+66812345678"),
        ("+66 81 234 5678", "+66812345678"),
        ("๐๘๑๒๓๔๕๖๗๘", "+66812345678"),
        ("02-123-4567", "+6621234567"),
        ("+95 9 123 4567", "+9591234567"),
        ("0066812345678", "+66812345678"),
    ],
)
def test_phones(raw: str, expected: str) -> None:
    assert nz.parse_phone(raw) == expected


def test_bad_phone() -> None:
    with pytest.raises(nz.FieldError):
        nz.parse_phone("12")


def test_plates_and_text() -> None:
    assert nz.parse_plate("1กข 1234") == "1กข1234"
    assert nz.parse_plate("กข-๑๒๓๔") == "กข1234"
    # NFC: a decomposed é becomes one code point; zero-width spaces go; whitespace collapses
    assert nz.clean_text("  Jose\u0301\u200b  Ramos ") == "José Ramos"


def test_codes() -> None:
    assert nz.parse_country("MM") == "MMR"
    assert nz.parse_country("lao") == "LAO"
    assert nz.parse_country("Cambodia") == "KHM"
    assert nz.parse_currency("thb") == "THB"
    with pytest.raises(nz.FieldError):
        nz.parse_country("XX")
    with pytest.raises(nz.FieldError):
        nz.parse_currency("BHT")


def test_amounts() -> None:
    assert nz.parse_amount("฿1,950,000.00") == 1950000.0
    assert nz.parse_amount("๕๐๐ บาท") == 500.0
    with pytest.raises(nz.FieldError, match="≥ 0"):
        nz.parse_amount("-1")


def test_validate_row_collects_every_problem() -> None:
    rec, problems = validate_row("transfers", {"source": "AMLO", "source_record_id": "x", "from_account": "A",
                                               "to_account": "B", "txn_id": "T", "amount": "-1",
                                               "currency": "ZZZ", "at": "yesterday"})
    assert rec is None
    assert {f for f, _ in problems} == {"amount", "currency", "at"}


def test_person_needs_a_name() -> None:
    rec, problems = validate_row("persons", {"source": "RTP", "source_record_id": "1", "sex": "F"})
    assert rec is None and problems == [("full_name", "a person needs at least one name")]


def test_default_id_is_source_and_record_id() -> None:
    rec, problems = validate_row("persons", {"source": "rtp", "source_record_id": "77", "full_name": "A"})
    assert not problems and rec is not None and rec.id == "RTP:77"
