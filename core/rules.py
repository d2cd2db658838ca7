"""Domain rules for Thai records, implemented once: digits, dates, ID numbers, phones.

Ingest (:mod:`ingest.normalise`, which validates and stores a value) and
entity resolution (:mod:`analytics.resolution_features`, which compares two
records) apply the same rule to the same text, so a value reads the same
wherever it is read.  Each function is pure and raises :class:`ValueError`
with a reason a clerk can act on when the text cannot be read; callers turn
that into their own error (ingest's ``FieldError``) or into "missing"
(resolution).

The rules:

* **Thai digits** (``๐``–``๙``) are the ASCII digits ``0``–``9``.
* **Buddhist era**: a year above 2400 is a Buddhist-era year, CE + 543 (the
  Thai calendar year has begun on 1 January since 1941, so the offset is the
  same all year).  The year is converted *before* the date is built, so
  29 February of a BE leap year (e.g. 2567 = 2024) is a valid date.
* **Dates**: ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (separators ``-``, ``/`` or
  ``.``, one- or two-digit day and month) or ``YYYYMMDD``; a time after
  ``T`` or a space is ignored; years 1900–2100 after conversion.
* **Thai national ID**: 13 digits, the last a mod-11 check digit of the first 12.
* **ID numbers** compare by their ASCII letters and digits only.
* **Text** is Unicode NFC with zero-width characters removed and whitespace collapsed.
* **Countries** are ISO 3166-1 alpha-3 codes (from alpha-2, alpha-3 or an English name).
* **Phones** are E.164: ``+`` and 8–15 digits; ``00`` is the international
  prefix; a Thai local number ``0XXXXXXXX[X]`` gets country code 66, and
  ``66`` followed by 8 or 9 digits is taken as already international.

This module imports nothing from other netintel packages (only the standard
library and pycountry).

Examples
--------
>>> parse_date("๑๕/๐๓/๒๕๓๓")
datetime.date(1990, 3, 15)
>>> phone_e164("๐๘๑-๒๓๔-๕๖๗๘")
'+66812345678'
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

import pycountry

__all__ = [
    "BUDDHIST_ERA_OFFSET",
    "MIN_YEAR",
    "MAX_YEAR",
    "clean_text",
    "thai_digits_to_ascii",
    "ascii_to_thai_digits",
    "country_alpha3",
    "common_era_year",
    "buddhist_era_year",
    "iso_to_common_era",
    "parse_date",
    "thai_id_check_digit",
    "parse_thai_id",
    "compact_id",
    "phone_e164",
]

BUDDHIST_ERA_OFFSET = 543
_BE_ABOVE = 2400  # a year above this is Buddhist era
MIN_YEAR, MAX_YEAR = 1900, 2100

_TO_ASCII = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


# ------------------------------------------------------------ text, digits
_WS = re.compile(r"\s+")
# zero-width characters that creep into Thai text (ZWSP, ZWNJ, ZWJ, BOM)
_ZW = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)


def clean_text(text: str) -> str:
    """Unicode NFC, zero-width characters removed, whitespace collapsed.

    Examples
    --------
    >>> clean_text("  Jose\u0301\u200b  Ramos ")
    'José Ramos'
    """
    if text.isascii():
        return " ".join(text.split())
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _WS.sub(" ", text.translate(_ZW)).strip()


def thai_digits_to_ascii(text: str) -> str:
    """Thai digits ``๐``–``๙`` replaced by ASCII ``0``–``9``; everything else unchanged.

    Examples
    --------
    >>> thai_digits_to_ascii("พ.ศ. ๒๕๖๗")
    'พ.ศ. 2567'
    """
    return text.translate(_TO_ASCII)


def ascii_to_thai_digits(text: str) -> str:
    """ASCII digits replaced by Thai digits (the inverse of :func:`thai_digits_to_ascii`).

    Examples
    --------
    >>> ascii_to_thai_digits("081-234")
    '๐๘๑-๒๓๔'
    """
    return text.translate(_TO_THAI)


# -------------------------------------------------------------- countries
@lru_cache(maxsize=512)
def country_alpha3(text: str) -> str:
    """ISO 3166-1 alpha-3 code from an alpha-2 or alpha-3 code or an English name (pycountry).

    Raises
    ------
    ValueError
        Not a country pycountry knows.

    Examples
    --------
    >>> country_alpha3("MM"), country_alpha3("lao"), country_alpha3("Cambodia")
    ('MMR', 'LAO', 'KHM')
    """
    v = text.strip()
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
        raise ValueError(f"unknown country code {text!r} (use ISO 3166 alpha-3, e.g. THA, MMR)")
    return str(hit.alpha_3)


# ------------------------------------------------------------------ dates
def common_era_year(year: int) -> int:
    """The CE year of a year that may be Buddhist era (above 2400: minus 543).

    Examples
    --------
    >>> common_era_year(2567), common_era_year(2024)
    (2024, 2024)
    """
    return year - BUDDHIST_ERA_OFFSET if year > _BE_ABOVE else year


def buddhist_era_year(year: int) -> int:
    """The Buddhist-era year of a CE year (plus 543).

    Examples
    --------
    >>> buddhist_era_year(2024)
    2567
    """
    return year + BUDDHIST_ERA_OFFSET


_ISO_YEAR = re.compile(r"(\d{4})(?=-)")


def iso_to_common_era(text: str) -> str:
    """An ISO 8601 text (``YYYY-...``) with a Buddhist-era year rewritten in CE;
    any other text unchanged (Thai digits are converted either way).

    Examples
    --------
    >>> iso_to_common_era("2567-02-29T10:30:00")
    '2024-02-29T10:30:00'
    """
    v = thai_digits_to_ascii(text).strip()
    m = _ISO_YEAR.match(v)
    if m is not None and int(m[1]) > _BE_ABOVE:
        return f"{common_era_year(int(m[1])):04d}{v[4:]}"
    return v


_DATE_PATTERNS = (  # (pattern, order of the groups)
    (re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"), "y_md"),
    (re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})"), "d_my"),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), "ymd"),
)


def _date_parts(text: str) -> tuple[int, int, int] | None:
    for pat, order in _DATE_PATTERNS:
        m = pat.fullmatch(text)
        if m is None:
            continue
        g = [int(x) for x in m.groups() if x.isdigit()]
        if order == "d_my":
            return g[2], g[1], g[0]
        return g[0], g[1], g[2]
    return None


def parse_date(text: str, *, swap_month_day: bool = False) -> dt.date:
    """A calendar date from agency text (see the module notes for the layouts).

    Parameters
    ----------
    text : str
        The raw value; Thai digits and Buddhist-era years are accepted, and a
        time after ``T`` or a space is ignored.
    swap_month_day : bool
        Read a "month" above 12 with a day of at most 12 as the day/month swap
        it is (entity resolution compares such dates; ingest rejects them).

    Returns
    -------
    datetime.date

    Raises
    ------
    ValueError
        Unreadable, not a calendar date, or outside 1900–2100 (after conversion).

    Examples
    --------
    >>> parse_date("2567-02-29"), parse_date("15.03.2533")
    (datetime.date(2024, 2, 29), datetime.date(1990, 3, 15))
    >>> parse_date("03/25/1990", swap_month_day=True)
    datetime.date(1990, 3, 25)
    """
    v = thai_digits_to_ascii(text).strip()
    if "T" in v or " " in v:
        v = v.split("T")[0].split(" ")[0]
    parts = _date_parts(v)
    if parts is None:
        raise ValueError(f"not a date (expected YYYY-MM-DD or DD/MM/YYYY): {text!r}")
    y, m, d = parts
    y = common_era_year(y)
    if swap_month_day and m > 12 >= d:
        m, d = d, m
    try:
        out = dt.date(y, m, d)
    except ValueError:
        raise ValueError(f"not a calendar date: {text!r}") from None
    if not MIN_YEAR <= out.year <= MAX_YEAR:
        raise ValueError(f"date out of range {MIN_YEAR}–{MAX_YEAR}: {text!r}")
    return out


# ------------------------------------------------------------ ID numbers
def thai_id_check_digit(first12: str) -> int:
    """Check digit of a Thai national ID from its first 12 digits (mod 11).

    Examples
    --------
    >>> thai_id_check_digit("110170020345")
    0
    """
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


_NOT_ID = re.compile(r"[^0-9A-Z]")


def compact_id(text: str) -> str:
    """An ID or passport number as compared and stored: upper case, Thai digits
    ASCII, everything but ASCII letters and digits removed.

    Examples
    --------
    >>> compact_id("1-1017-๐๐๒๐๓-45-0"), compact_id("mb 123.456")
    ('1101700203450', 'MB123456')
    """
    return _NOT_ID.sub("", thai_digits_to_ascii(text).upper())


_THIRTEEN = re.compile(r"\d{13}")


def parse_thai_id(text: str) -> str:
    """A Thai national ID as its 13 digits, the check digit verified.

    Raises
    ------
    ValueError
        Not 13 digits, or the check digit fails.

    Examples
    --------
    >>> parse_thai_id("1 1017 00203 45 0")
    '1101700203450'
    """
    v = compact_id(text)
    if not _THIRTEEN.fullmatch(v):
        raise ValueError(f"Thai national ID must have 13 digits, got {text!r}")
    if thai_id_check_digit(v[:12]) != int(v[12]):
        raise ValueError(f"Thai national ID checksum fails: {text!r}")
    return v


# ----------------------------------------------------------------- phones
_NOT_DIGIT = re.compile(r"\D")


def phone_e164(text: str) -> str:
    """A phone number in E.164 form (``+`` and 8–15 digits).

    ``+`` or ``00`` starts an international number; a Thai local number
    ``0XXXXXXXX[X]`` gets country code 66; ``66`` and 8 or 9 more digits is
    read as international already.

    Raises
    ------
    ValueError
        Anything else (too short, too long, or a bare number with no country).

    Examples
    --------
    >>> phone_e164("081-234-5678"), phone_e164("0066 81 234 5678"), phone_e164("+95 9 123 4567")
    ('+66812345678', '+66812345678', '+9591234567')
    """
    v = thai_digits_to_ascii(text).strip()
    plus = v.startswith("+") or v.startswith("00")
    digits = _NOT_DIGIT.sub("", v)
    if v.startswith("00"):
        digits = digits[2:]
    if not plus:
        if digits.startswith("66") and len(digits) in (10, 11):
            plus = True
        elif digits.startswith("0") and len(digits) in (9, 10):
            digits = "66" + digits[1:]
            plus = True
    if not plus or not 8 <= len(digits) <= 15:
        raise ValueError(f"not a phone number: {text!r}")
    return "+" + digits
