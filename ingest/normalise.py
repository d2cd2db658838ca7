"""Normalisation of raw field values: one small pure function per kind.

Each ``parse_*`` function takes a raw string and returns the clean value or
raises :class:`FieldError` with a reason a clerk can act on.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

import pycountry

__all__ = [
    "FieldError",
    "clean_text",
    "thai_digits_to_ascii",
    "parse_int",
    "parse_float",
    "parse_amount",
    "parse_date",
    "parse_datetime",
    "parse_country",
    "parse_currency",
    "parse_thai_id",
    "thai_id_check_digit",
    "parse_phone",
    "parse_phones",
    "parse_plate",
    "parse_list",
]


class FieldError(ValueError):
    """A value that cannot be accepted; the message says why."""


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_WS = re.compile(r"\s+")
# zero-width characters that creep into Thai text (ZWSP, ZWNJ, ZWJ, BOM)
_ZW = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)


def thai_digits_to_ascii(value: str) -> str:
    return value.translate(_THAI_DIGITS)


def clean_text(value: str) -> str:
    """Unicode NFC, zero-width characters removed, whitespace collapsed."""
    if value.isascii():
        return " ".join(value.split())
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return _WS.sub(" ", value.translate(_ZW)).strip()


def parse_int(value: str) -> int:
    v = thai_digits_to_ascii(value).replace(",", "").strip()
    if not re.fullmatch(r"[+-]?\d+", v):
        raise FieldError(f"not a whole number: {value!r}")
    return int(v)


def parse_float(value: str) -> float:
    v = thai_digits_to_ascii(value).replace(",", "").strip()
    try:
        out = float(v)
    except ValueError:
        raise FieldError(f"not a number: {value!r}") from None
    if out != out or out in (float("inf"), float("-inf")):
        raise FieldError(f"not a finite number: {value!r}")
    return out


def parse_amount(value: str) -> float:
    v = thai_digits_to_ascii(value).strip()
    v = re.sub(r"^(THB|฿)\s*|\s*(บาท|THB)$", "", v)
    out = parse_float(v)
    if out < 0:
        raise FieldError(f"amount must be ≥ 0, got {value!r}")
    return round(out, 2)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def _fix_era(d: dt.date) -> dt.date:
    """Buddhist-era years (CE + 543) are converted to CE."""
    if d.year > 2400:
        try:
            return d.replace(year=d.year - 543)
        except ValueError:  # 29 Feb in a BE year that is not a CE leap year
            raise FieldError(f"invalid Buddhist-era date {d.isoformat()}") from None
    return d


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_date(value: str) -> dt.date:
    """ISO ``YYYY-MM-DD`` or ``DD/MM/YYYY``; Thai digits and Buddhist-era years accepted."""
    v = thai_digits_to_ascii(value).strip()
    m = _ISO_DATE.fullmatch(v)
    if m is not None:  # fast path for the common case
        try:
            d = _fix_era(dt.date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            raise FieldError(f"not a date (expected YYYY-MM-DD or DD/MM/YYYY): {value!r}") from None
        if not _MIN_YEAR <= d.year <= _MAX_YEAR:
            raise FieldError(f"date out of range {_MIN_YEAR}–{_MAX_YEAR}: {value!r}")
        return d
    if "T" in v or " " in v:
        v = v.split("T")[0].split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            d = dt.datetime.strptime(v, fmt).date()
        except ValueError:
            continue
        d = _fix_era(d)
        if not _MIN_YEAR <= d.year <= _MAX_YEAR:
            raise FieldError(f"date out of range {_MIN_YEAR}–{_MAX_YEAR}: {value!r}")
        return d
    raise FieldError(f"not a date (expected YYYY-MM-DD or DD/MM/YYYY): {value!r}")


def parse_datetime(value: str) -> dt.datetime:
    """ISO 8601 date-time (a plain date means midnight); naive times are Asia/Bangkok (UTC+7)."""
    v = thai_digits_to_ascii(value).strip().replace("Z", "+00:00")
    try:
        out = dt.datetime.fromisoformat(v)
    except ValueError:
        try:
            d = parse_date(v)
        except FieldError:
            raise FieldError(f"not a date-time (expected ISO 8601): {value!r}") from None
        out = dt.datetime(d.year, d.month, d.day)
    if out.year > 2400:
        out = out.replace(year=out.year - 543)
    if not _MIN_YEAR <= out.year <= _MAX_YEAR:
        raise FieldError(f"date-time out of range: {value!r}")
    if out.tzinfo is None:
        out = out.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))
    return out


@lru_cache(maxsize=512)
def parse_country(value: str) -> str:
    """ISO 3166-1 alpha-3 code from an alpha-2/alpha-3 code or an English name."""
    v = value.strip()
    hit = None
    if len(v) == 3:
        hit = pycountry.countries.get(alpha_3=v.upper())
    elif len(v) == 2:
        hit = pycountry.countries.get(alpha_2=v.upper())
    if hit is None and len(v) > 3:
        try:
            hit = pycountry.countries.lookup(v)
        except LookupError:
            hit = None
    if hit is None:
        raise FieldError(f"unknown country code {value!r} (use ISO 3166 alpha-3, e.g. THA, MMR)")
    return str(hit.alpha_3)


@lru_cache(maxsize=256)
def parse_currency(value: str) -> str:
    v = value.strip().upper()
    if v == "฿":
        v = "THB"
    if not (len(v) == 3 and pycountry.currencies.get(alpha_3=v)):
        raise FieldError(f"unknown currency code {value!r} (use ISO 4217, e.g. THB, MMK)")
    return v


def thai_id_check_digit(first12: str) -> int:
    """Check digit of a Thai national ID from its first 12 digits."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


_ID_SEP = re.compile(r"[\s-]")


def parse_thai_id(value: str) -> str:
    v = _ID_SEP.sub("", thai_digits_to_ascii(value))
    if not re.fullmatch(r"\d{13}", v):
        raise FieldError(f"Thai national ID must have 13 digits, got {value!r}")
    if thai_id_check_digit(v[:12]) != int(v[12]):
        raise FieldError(f"Thai national ID checksum fails: {value!r}")
    return v


def parse_phone(value: str) -> str:
    """A phone number in E.164 form; Thai local numbers (0XXXXXXXX[X]) get +66."""
    v = thai_digits_to_ascii(value).strip()
    plus = v.startswith("+") or v.startswith("00")
    digits = re.sub(r"\D", "", v)
    if v.startswith("00"):
        digits = digits[2:]
    if not plus:
        if digits.startswith("66") and len(digits) in (10, 11):
            plus = True
        elif digits.startswith("0") and len(digits) in (9, 10):
            digits = "66" + digits[1:]
            plus = True
    if not plus or not 8 <= len(digits) <= 15:
        raise FieldError(f"not a phone number: {value!r}")
    return "+" + digits


def parse_list(value: str) -> list[str]:
    return [clean_text(p) for p in re.split(r"[;|]", value) if clean_text(p)]


def parse_phones(value: str) -> list[str]:
    return list(dict.fromkeys(parse_phone(p) for p in parse_list(value)))


def parse_plate(value: str) -> str:
    """A Thai plate like ``1กข 1234`` → ``1กข1234``: spaces, dots and hyphens removed, Thai digits ASCII."""
    v = re.sub(r"[\s.\-]", "", thai_digits_to_ascii(clean_text(value))).upper()
    if not re.fullmatch(r"[0-9A-Z\u0E00-\u0E7F]{2,10}", v):
        raise FieldError(f"not a vehicle plate: {value!r}")
    return v
