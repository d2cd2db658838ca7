"""Normalisation of raw field values: one small pure function per kind.

Each ``parse_*`` function takes a raw string and returns the clean value or
raises :class:`FieldError` with a reason a clerk can act on.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import pycountry

from core import rules
from core.errors import InvalidInput
from core.rules import clean_text, thai_digits_to_ascii, thai_id_check_digit

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


class FieldError(InvalidInput):
    """A value that cannot be accepted; the message says why."""


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


def parse_date(value: str) -> dt.date:
    """ISO ``YYYY-MM-DD`` or ``DD/MM/YYYY``; Thai digits and Buddhist-era years accepted
    (the rule is :func:`core.rules.parse_date`)."""
    try:
        return rules.parse_date(value)
    except ValueError as e:
        raise FieldError(str(e)) from None


def parse_datetime(value: str) -> dt.datetime:
    """ISO 8601 date-time (a plain date means midnight); naive times are Asia/Bangkok (UTC+7).

    Thai digits and Buddhist-era years are accepted as in :func:`parse_date`.
    """
    v = rules.iso_to_common_era(value).replace("Z", "+00:00")
    try:
        out = dt.datetime.fromisoformat(v)
    except ValueError:
        try:
            d = parse_date(v)
        except FieldError:
            raise FieldError(f"not a date-time (expected ISO 8601): {value!r}") from None
        out = dt.datetime(d.year, d.month, d.day)
    if not rules.MIN_YEAR <= out.year <= rules.MAX_YEAR:
        raise FieldError(f"date-time out of range: {value!r}")
    if out.tzinfo is None:
        out = out.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))
    return out


def parse_country(value: str) -> str:
    """ISO 3166-1 alpha-3 code from an alpha-2/alpha-3 code or an English name
    (:func:`core.rules.country_alpha3`)."""
    try:
        return rules.country_alpha3(value)
    except ValueError as e:
        raise FieldError(str(e)) from None


@lru_cache(maxsize=256)
def parse_currency(value: str) -> str:
    v = value.strip().upper()
    if v == "฿":
        v = "THB"
    if not (len(v) == 3 and pycountry.currencies.get(alpha_3=v)):
        raise FieldError(f"unknown currency code {value!r} (use ISO 4217, e.g. THB, MMK)")
    return v


def parse_thai_id(value: str) -> str:
    """A Thai national ID as 13 digits with a valid check digit (:func:`core.rules.parse_thai_id`)."""
    try:
        return rules.parse_thai_id(value)
    except ValueError as e:
        raise FieldError(str(e)) from None


def parse_phone(value: str) -> str:
    """A phone number in E.164 form; Thai local numbers (0XXXXXXXX[X]) get +66
    (the rule is :func:`core.rules.phone_e164`)."""
    try:
        return rules.phone_e164(value)
    except ValueError as e:
        raise FieldError(str(e)) from None


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
