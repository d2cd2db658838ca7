"""Aggregate flows (origin, destination, count[, year]) as corridors: UNODC GLOTIP and national tables.

Published tables write counts as text: ``"1,150"`` (thousands separator),
``"<5"`` (suppressed by the publisher), ``""`` or ``".."`` (not available).
:func:`read_flows` reads them all, keeps every row it can place and says why
it dropped the others; :func:`flows_corridors` turns the rows into the
corridor table the route map, the corridor table and every export draw
(``cases`` unknown: aggregate data has no cases).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["FlowWarning", "Flows", "parse_count", "read_flows", "flows_corridors", "FLOW_COLUMNS"]

#: accepted header names, first match wins (case-insensitive)
FLOW_COLUMNS: dict[str, tuple[str, ...]] = {
    "origin": ("origin", "source", "from", "citizenship", "category_iso3", "origin_iso3"),
    "destination": ("destination", "to", "detected_in", "country_of_detection", "iso3_code", "destination_iso3"),
    "count": ("count", "victims", "value", "txtvalue", "n"),
    "year": ("year",),
}
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$|^\d+\.0+$")
_BELOW = re.compile(r"^<\s*(\d+)$")


@dataclass(frozen=True)
class FlowWarning:
    """A row left out or a place that cannot be drawn: ``line`` is the file line (header = 1)."""

    line: int | None
    reason: str
    value: str = ""


@dataclass
class Flows:
    """Parsed flows: ``rows`` (origin, destination, victims or <NA>, below (the publisher's bound for
    ``<5``), year, line) and the ``warnings``."""

    rows: pd.DataFrame
    warnings: list[FlowWarning] = field(default_factory=list)


def parse_count(text: Any) -> tuple[int | None, int | None]:
    """``(count, below)``: ``"1,150"`` → (1150, None); ``"<5"`` → (None, 5); unreadable → (None, None).

    >>> parse_count("1,150"), parse_count("<5"), parse_count(12), parse_count("12.0"), parse_count("..")
    ((1150, None), (None, 5), (12, None), (12, None), (None, None))
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None, None
    if isinstance(text, int | float) and not isinstance(text, bool):
        return (int(text), None) if float(text).is_integer() and text >= 0 else (None, None)
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    m = _BELOW.match(s)
    if m:
        return None, int(m.group(1))
    if _NUMBER.match(s):
        return int(float(s.replace(",", ""))), None
    return None, None


def _column(df: pd.DataFrame, what: str) -> str | None:
    low = {str(c).strip().lower(): c for c in df.columns}
    for name in FLOW_COLUMNS[what]:
        if name in low:
            return str(low[name])
    return None


def read_flows(df: pd.DataFrame, *, known: Callable[[str], bool] | None = None,
               years: Iterable[int] | None = None) -> Flows:
    """Read a flows table (columns by :data:`FLOW_COLUMNS`; counts as published text).

    Parameters
    ----------
    df : DataFrame
        Read with ``dtype=str`` so that ``"1,150"`` and ``"<5"`` arrive as written.
    known : callable, optional
        ``known(code)`` is True when the place can be drawn; other places are kept in the table
        and warned about ("not on the map").
    years : iterable of int, optional
        Keep these years only (rows without a year are kept).

    Examples
    --------
    >>> f = read_flows(pd.DataFrame({"origin": ["MMR", "LAO", "KHM", "XXX", "MMR"],
    ...     "destination": ["THA", "THA", "THA", "THA", "MYS"], "count": ["1,150", "<5", "n/a", "7", "12"]}),
    ...     known=lambda c: c != "XXX")
    >>> f.rows[["origin", "victims", "below"]].values.tolist()
    [['MMR', 1150, <NA>], ['LAO', <NA>, 5], ['XXX', 7, <NA>], ['MMR', 12, <NA>]]
    >>> [(w.line, w.reason) for w in f.warnings]
    [(4, 'count not readable: dropped'), (5, 'place XXX is not on the map')]
    """
    cols = {k: _column(df, k) for k in FLOW_COLUMNS}
    missing = [k for k in ("origin", "destination", "count") if cols[k] is None]
    if missing:
        raise ValueError(f"flows need columns {', '.join(missing)} (accepted names: "
                         + "; ".join(f"{k}: {', '.join(FLOW_COLUMNS[k])}" for k in missing) + ")")
    keep_years = set(years) if years is not None else None
    out: list[dict[str, Any]] = []
    warns: list[FlowWarning] = []
    warned_places: set[str] = set()
    for i, r in enumerate(df.to_dict("records")):
        line = i + 2
        o = str(r[cols["origin"]] or "").strip().upper()
        d = str(r[cols["destination"]] or "").strip().upper()
        if not o or not d or o == "NAN" or d == "NAN":
            warns.append(FlowWarning(line, "origin or destination missing: dropped"))
            continue
        year = None
        if cols["year"] is not None:
            y = pd.to_numeric(r[cols["year"]], errors="coerce")
            year = None if pd.isna(y) else int(y)
            if keep_years is not None and year is not None and year not in keep_years:
                continue
        n, below = parse_count(r[cols["count"]])
        if n is None and below is None:
            warns.append(FlowWarning(line, "count not readable: dropped", str(r[cols["count"]])))
            continue
        for place in (o, d):
            if known is not None and not known(place) and place not in warned_places:
                warned_places.add(place)
                warns.append(FlowWarning(line, f"place {place} is not on the map", place))
        out.append({"origin": o, "destination": d, "victims": n, "below": below, "year": year, "line": line})
    rows = pd.DataFrame(out, columns=["origin", "destination", "victims", "below", "year", "line"])
    for c in ("victims", "below", "year"):
        rows[c] = pd.array(rows[c].tolist(), dtype="Int64")
    return Flows(rows, warns)


def flows_corridors(flows: Flows) -> pd.DataFrame:
    """One corridor per (origin, destination): the sum of its published counts.

    ``victims`` is ``<NA>`` and ``suppressed`` True when every count of the pair was ``<5``;
    ``below_parts`` counts the ``<5`` values a sum leaves out; ``cases`` is unknown
    (``cases_known`` False) and ``transit`` empty (the tables have no transit).

    >>> f = read_flows(pd.DataFrame({"origin": ["MMR", "MMR", "LAO"], "destination": ["THA"] * 3,
    ...                              "count": ["1,150", "<5", "<5"]}))
    >>> flows_corridors(f)[["source", "victims", "suppressed", "below_parts"]].values.tolist()
    [['MMR', 1150, False, 1], ['LAO', <NA>, True, 1]]
    """
    rows = flows.rows
    out = []
    for (o, d), part in rows.groupby(["origin", "destination"], sort=False):
        nums = part["victims"].dropna()
        below = int(part["victims"].isna().sum())
        out.append({"source": o, "transit": (), "destination": d,
                    "victims": int(nums.sum()) if len(nums) else None, "cases": None,
                    "cross_border": o != d, "suppressed": not len(nums), "below_parts": below,
                    "cases_known": False, "years": sorted({int(y) for y in part["year"].dropna()})})
    df = pd.DataFrame(out, columns=["source", "transit", "destination", "victims", "cases", "cross_border",
                                    "suppressed", "below_parts", "cases_known", "years"])
    df["victims"] = pd.array(df["victims"].tolist(), dtype="Int64")
    df["cases"] = pd.array(df["cases"].tolist(), dtype="Int64")
    return df.sort_values("victims", ascending=False, kind="stable", na_position="last").reset_index(drop=True)
