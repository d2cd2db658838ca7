"""How netintel shows numbers, scores, amounts and dates to people.

One set of pure functions, registered as the Jinja filters ``num``, ``score``,
``money`` and ``date`` of the page system (:mod:`viz.pages`) and usable by
exports and the CLI alike:

* numbers with thousands separators;
* scores to two decimals, or as a percentage;
* amounts with two decimals, thousands separators and the currency;
* dates and times in Asia/Bangkok time (the users' time zone), optionally in
  the Buddhist era (พ.ศ. = Common Era + 543) as Thai documents write them.

Missing values (None, NaN, "") come back as ``empty`` (default ``""``), so a
template never prints ``None`` or ``nan``.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["BANGKOK", "BE_OFFSET", "num", "score", "money", "date", "to_bangkok", "FILTERS"]

#: the users' time zone (Thailand has no daylight saving time: UTC+7 all year)
BANGKOK = ZoneInfo("Asia/Bangkok")
#: Buddhist era year = Common Era year + 543
BE_OFFSET = 543


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and not math.isfinite(v))


def _number(v: Any) -> float | int | None:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int | float):
        return v
    if isinstance(v, Decimal):
        return float(v)
    try:
        d = Decimal(str(v).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return int(d) if d == d.to_integral_value() and "." not in str(v) else float(d)


def _fixed(n: float | int | Decimal, decimals: int) -> str:
    """``n`` with ``decimals`` decimals and thousands separators, halves rounded up (as people do:
    0.125 → 0.13, not the binary float's 0.12)."""
    d = Decimal(str(n)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{d:,.{decimals}f}"


def num(value: Any, decimals: int | None = None, empty: str = "") -> str:
    """A number with thousands separators; integers without decimals, other numbers
    with at most two (or exactly ``decimals``).

    Examples
    --------
    >>> num(1234567), num(1234.5), num(1234.5678), num(1234.5, 2), num(None), num("12000")
    ('1,234,567', '1,234.5', '1,234.57', '1,234.50', '', '12,000')
    >>> num("n/a")
    'n/a'
    """
    if _missing(value):
        return empty
    n = _number(value)
    if n is None:
        return str(value)
    if decimals is not None:
        return _fixed(n, int(decimals))
    if isinstance(n, int):
        return f"{n:,}"
    text = _fixed(n, 2).rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def score(value: Any, percent: bool = False, empty: str = "") -> str:
    """A score to two decimals, or (``percent=True``) a 0..1 score as a percentage.

    Examples
    --------
    >>> score(0.87654), score(0.87654, percent=True), score(0.8765, percent=True), score(1), score(None)
    ('0.88', '87.7%', '87.7%', '1.00', '')
    """
    if _missing(value):
        return empty
    n = _number(value)
    if n is None:
        return str(value)
    return f"{_fixed(Decimal(str(n)) * 100, 1)}%" if percent else _fixed(n, 2)


def money(value: Any, currency: str | None = None, empty: str = "") -> str:
    """An amount with two decimals and thousands separators, followed by its currency.

    Examples
    --------
    >>> money(1250000), money(99.5, "THB"), money("1234.567", "USD"), money(None, "THB"), money(0.125)
    ('1,250,000.00', '99.50 THB', '1,234.57 USD', '', '0.13')
    """
    if _missing(value):
        return empty
    n = _number(value)
    if n is None:
        return str(value)
    text = _fixed(n, 2)
    return f"{text} {currency}" if currency else text


def to_bangkok(value: Any) -> dt.datetime | dt.date | None:
    """A date stays a date; a datetime (naive ones are UTC) or ISO text becomes a Bangkok datetime.

    >>> to_bangkok("2024-03-01T20:30:00Z").isoformat()
    '2024-03-02T03:30:00+07:00'
    >>> to_bangkok("2024-03-01")
    datetime.date(2024, 3, 1)
    """
    if _missing(value):
        return None
    if hasattr(value, "to_native"):  # neo4j.time values
        value = value.to_native()
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) <= 10 and "T" not in text:
                return dt.date.fromisoformat(text)
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(BANGKOK)
    if isinstance(value, dt.date):
        return value
    return None


def date(value: Any, buddhist: bool = False, time: bool | None = None, empty: str = "") -> str:
    """A date (or date and time, in Asia/Bangkok) as ``YYYY-MM-DD`` / ``YYYY-MM-DD HH:MM``;
    ``buddhist=True`` writes the Buddhist-era year with ``พ.ศ.``.

    ``time`` defaults to showing the time for datetimes and not for dates.
    Values that are not dates are returned as they are.

    Examples
    --------
    >>> date("2024-03-01T20:30:00Z")
    '2024-03-02 03:30 ICT'
    >>> date("2024-03-01"), date("2024-03-01", buddhist=True)
    ('2024-03-01', '2567-03-01 พ.ศ.')
    >>> date(dt.datetime(2024, 1, 1, 0, 0, tzinfo=dt.UTC), buddhist=True, time=False)
    '2567-01-01 พ.ศ.'
    >>> date(None), date("soon")
    ('', 'soon')
    """
    if _missing(value):
        return empty
    d = to_bangkok(value)
    if d is None:
        return str(value)
    year = d.year + (BE_OFFSET if buddhist else 0)
    text = f"{year:04d}-{d.month:02d}-{d.day:02d}"
    show_time = isinstance(d, dt.datetime) if time is None else (time and isinstance(d, dt.datetime))
    if show_time and isinstance(d, dt.datetime):
        text += f" {d.hour:02d}:{d.minute:02d} ICT"
    if buddhist:
        text += " พ.ศ."
    return text


#: the Jinja filters of the page system
FILTERS = {"num": num, "score": score, "money": money, "date": date}
