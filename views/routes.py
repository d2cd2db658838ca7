"""Routes, corridors, transit hubs and the route map's data.

The journeys projection and the routes computed from it are whole-database
work: cached per (data version, compartment, level, cases); every filter is
then applied to the cached routes.  Counts shown to viewers pass
:func:`disclose` (the one disclosure rule of these views).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from core.errors import InvalidInput
from graph.model import EXPLOITATION_TYPES
from graph.scope import Scope

from ._common import cached, check_cases, table
from .models import CorridorRow, HubRow, RouteRow, Table

__all__ = ["RouteQuery", "routes", "corridors", "hubs", "route_map", "disclose", "SUPPRESS_BELOW", "LEVELS"]

LEVELS = ("country", "province")
#: counts below this are not shown to roles below investigator (corridors, hubs, route maps)
SUPPRESS_BELOW = 5
_ISO3 = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class RouteQuery:
    """The filters every route view takes, parsed and checked once (API, UI and CLI alike)."""

    level: str = "country"
    cases: tuple[str, ...] | None = None
    years: tuple[int, ...] | None = None
    nationality: tuple[str, ...] | None = None
    exploitation_type: tuple[str, ...] | None = None
    sex: tuple[str, ...] | None = None
    age: tuple[float | None, float | None] | None = None
    pair: tuple[str, str] | None = None
    raw: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def parse(cls, *, level: str | None = "country", cases: str | None = None, years: str | None = None,
              nationality: str | None = None, exploitation_type: str | None = None, sex: str | None = None,
              age: str | None = None, pair: str | None = None) -> RouteQuery:
        """From the text forms: ``years`` 2020, 2018-2024 or 2019,2021; ``nationality`` ISO3 list;
        ``sex`` M,F,X; ``age`` 18-30, -17 or 60-; ``pair`` MMR-THA."""
        level = level or "country"
        if level not in LEVELS:
            raise InvalidInput(f"level must be one of {', '.join(LEVELS)}")
        raw = {k: v for k, v in {"level": level, "cases": cases, "years": years, "nationality": nationality,
                                 "exploitation_type": exploitation_type, "sex": sex, "age": age,
                                 "pair": pair}.items() if v}
        case_ids = tuple(x.strip() for x in cases.split(",") if x.strip()) if cases else None
        return cls(level, case_ids or None, _years(years), _codes(nationality), _choices(exploitation_type),
                   _sex(sex), _age(age), _pair(pair), raw)

    def key(self) -> tuple[Any, ...]:
        return (self.level, self.cases, self.years, self.nationality, self.exploitation_type, self.sex, self.age,
                self.pair)


def _years(v: str | None) -> tuple[int, ...] | None:
    if not v:
        return None
    try:
        if "-" in v:
            a, b = (int(x) for x in v.split("-", 1))
            if b < a or b - a > 200:
                raise ValueError
            return tuple(range(a, b + 1))
        return tuple(int(x) for x in v.split(",") if x.strip())
    except ValueError:
        raise InvalidInput(f"years must look like 2020, 2018-2024 or 2019,2021, not {v!r}") from None


def _codes(v: str | None) -> tuple[str, ...] | None:
    if not v:
        return None
    out = tuple(x.strip().upper() for x in v.split(",") if x.strip())
    if not all(_ISO3.match(x) for x in out):
        raise InvalidInput("nationality must be ISO 3166-1 alpha-3 codes (e.g. MMR,KHM)")
    return out


def _choices(v: str | None) -> tuple[str, ...] | None:
    if not v:
        return None
    out = tuple(x.strip() for x in v.split(",") if x.strip())
    bad = [x for x in out if x not in EXPLOITATION_TYPES]
    if bad:
        raise InvalidInput(f"unknown exploitation type(s) {bad}", {"allowed": list(EXPLOITATION_TYPES)})
    return out


def _sex(v: str | None) -> tuple[str, ...] | None:
    if not v:
        return None
    out = tuple(x.strip().upper() for x in v.split(",") if x.strip())
    if not all(x in ("M", "F", "X") for x in out):
        raise InvalidInput("sex must be M, F or X (comma separated)")
    return out


def _age(v: str | None) -> tuple[float | None, float | None] | None:
    if not v:
        return None
    if not re.fullmatch(r"\d{0,3}-\d{0,3}", v):
        raise InvalidInput("age must look like 18-30, -17 or 60-")
    lo, hi = v.split("-", 1)
    a, b = (float(lo) if lo else None), (float(hi) if hi else None)
    if a is not None and b is not None and b < a:
        raise InvalidInput("age range is reversed")
    return (a, b)


def _pair(v: str | None) -> tuple[str, str] | None:
    if not v:
        return None
    if not re.fullmatch(r"[A-Z]{3}-[A-Z]{3}", v):
        raise InvalidInput("pair must look like MMR-THA (source-destination)")
    s, d = v.split("-")
    return (s, d)


# --------------------------------------------------------------- disclosure
def disclose(scope: Scope, df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """For roles below investigator: counts under :data:`SUPPRESS_BELOW` become None
    and a ``suppressed`` column says which rows lost a number."""
    if scope.allows("investigator") or not len(df):
        out = df.copy()
        out["suppressed"] = False
        return out
    out = df.copy()
    hit = None
    for c in columns:
        if c in out.columns:
            small = out[c].notna() & (out[c].astype("Float64") < SUPPRESS_BELOW)
            out[c] = out[c].astype("object").where(~small, None)
            hit = small if hit is None else hit | small
    out["suppressed"] = hit.fillna(False).astype(bool) if hit is not None else False
    return out


# -------------------------------------------------------------------- views
def _routes(scope: Scope, q: RouteQuery) -> pd.DataFrame:
    from analytics.routes import routes as compute
    from graph.projection import journeys, location_hierarchy

    ids = check_cases(scope, list(q.cases) if q.cases else None)

    def run() -> pd.DataFrame:
        hl: Any = cached(scope, "location_hierarchy", (), lambda: location_hierarchy(scope))
        hierarchy, levels = hl
        j = cached(scope, "journeys", tuple(ids or ()), lambda: journeys(scope, ids))
        return compute(j, level=q.level, hierarchy=hierarchy, levels=levels)

    df: pd.DataFrame = cached(scope, "routes", (q.level, tuple(ids or ())), run)
    return df


def _filters(q: RouteQuery) -> dict[str, Any]:
    return {"years": list(q.years) if q.years else None, "nationality": list(q.nationality) if q.nationality
            else None, "exploitation_type": list(q.exploitation_type) if q.exploitation_type else None,
            "sex": list(q.sex) if q.sex else None, "age": q.age}


def routes(scope: Scope, q: RouteQuery) -> Table[RouteRow]:
    """One route per journey (names persons: investigators)."""
    from analytics.routes import filter_routes

    scope.require("investigator")
    df = filter_routes(_routes(scope, q), **_filters(q))
    scope.audit("read_personal", ",".join(q.cases or ["*"]), view="routes", rows=len(df))
    return Table[RouteRow].model_validate(table(RouteRow, df, filters=q.raw))


def _corridors(scope: Scope, q: RouteQuery) -> pd.DataFrame:
    from analytics.routes import corridors as compute

    def run() -> pd.DataFrame:
        df = compute(_routes(scope, q), **_filters(q))
        if q.pair:
            s, d = q.pair
            df = df[(df["source"] == s) & (df["destination"] == d)].reset_index(drop=True)
        return df

    out: pd.DataFrame = cached(scope, "corridors", q.key(), run)
    return out


def corridors(scope: Scope, q: RouteQuery) -> Table[CorridorRow]:
    """Corridors (aggregated routes); counts below 5 suppressed for viewers."""
    scope.require("viewer")
    df = disclose(scope, _corridors(scope, q), ("victims", "cases"))
    scope.audit("read_aggregate", "corridors", filters=q.raw, rows=len(df))
    return Table[CorridorRow].model_validate(table(CorridorRow, df, filters=q.raw))


def hubs(scope: Scope, q: RouteQuery) -> Table[HubRow]:
    """Transit hubs; counts below 5 suppressed for viewers."""
    from analytics.routes import filter_routes, transit_hubs

    scope.require("viewer")
    raw = cached(scope, "hubs", q.key(), lambda: transit_hubs(filter_routes(_routes(scope, q), **_filters(q))))
    df = disclose(scope, raw, ("victims", "routes", "cases", "corridors"))
    scope.audit("read_aggregate", "hubs", filters=q.raw, rows=len(df))
    return Table[HubRow].model_validate(table(HubRow, df, filters=q.raw))


def route_map(scope: Scope, q: RouteQuery, *, min_count: int = SUPPRESS_BELOW, format: str = "html",
              watermark: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(corridors, locations)`` for a route-map export in ``format`` (the exports suppress
    counts below ``min_count``; only investigators and above may lower it below 5)."""
    from graph.projection import location_table

    scope.require("viewer")
    if min_count < SUPPRESS_BELOW and not scope.allows("investigator"):
        raise InvalidInput("viewers cannot lower the small-count suppression below 5")
    df = _corridors(scope, q)
    scope.audit("export", "routemap", format=format, filters=q.raw, corridors=len(df), watermark=watermark)
    locs = cached(scope, "location_table", (), lambda: location_table(scope))
    return df.copy(), locs.copy()
