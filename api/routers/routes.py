"""Routes, corridors, transit hubs and the route map (HTML, PNG, PDF, GeoJSON, CSV)."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from graph.model import EXPLOITATION_TYPES

from ..deps import AuditDep, DriverDep, Investigator, Viewer, visibility
from ..errors import BadRequest
from ..security import role_allows
from ._common import Format, FormatQ, TableOut, check_cases, html_table, table_out

router = APIRouter(prefix="/api/routes", tags=["routes"])

_ISO3 = re.compile(r"^[A-Z]{3}$")


class MapFormat(StrEnum):
    html = "html"
    png = "png"
    pdf = "pdf"
    geojson = "geojson"
    csv = "csv"


class RouteFilters:
    """Query parameters shared by every route view."""

    def __init__(
        self,
        level: Annotated[str, Query(pattern="^(country|province)$")] = "country",
        cases: Annotated[str | None, Query(max_length=4000, description="comma-separated case ids")] = None,
        years: Annotated[str | None, Query(max_length=40, description="2020, 2018-2024 or 2019,2021")] = None,
        nationality: Annotated[str | None, Query(max_length=40, description="ISO3, comma separated")] = None,
        exploitation_type: Annotated[str | None, Query(max_length=200)] = None,
        sex: Annotated[str | None, Query(pattern="^[MFX](,[MFX])*$")] = None,
        age: Annotated[str | None, Query(pattern=r"^\d{0,3}-\d{0,3}$", description="18-30, -17 or 60-")] = None,
        pair: Annotated[str | None, Query(pattern=r"^[A-Z]{3}-[A-Z]{3}$", description="source-destination, MMR-THA")]
        = None,
    ) -> None:
        self.level, self.cases, self.pair = level, cases, pair
        self.raw = {k: v for k, v in {"level": level, "cases": cases, "years": years, "nationality": nationality,
                                      "exploitation_type": exploitation_type, "sex": sex, "age": age,
                                      "pair": pair}.items() if v}
        self.years = _years(years)
        self.nationality = _codes(nationality)
        self.exploitation_type = _choices(exploitation_type)
        self.sex = sex.split(",") if sex else None
        self.age = _age(age)


def _years(v: str | None) -> list[int] | None:
    if not v:
        return None
    try:
        if "-" in v:
            a, b = (int(x) for x in v.split("-", 1))
            if b < a or b - a > 200:
                raise ValueError
            return list(range(a, b + 1))
        return [int(x) for x in v.split(",") if x.strip()]
    except ValueError:
        raise BadRequest(f"years must look like 2020, 2018-2024 or 2019,2021, not {v!r}") from None


def _codes(v: str | None) -> list[str] | None:
    if not v:
        return None
    out = [x.strip().upper() for x in v.split(",") if x.strip()]
    if not all(_ISO3.match(x) for x in out):
        raise BadRequest("nationality must be ISO 3166-1 alpha-3 codes (e.g. MMR,KHM)")
    return out


def _choices(v: str | None) -> list[str] | None:
    if not v:
        return None
    out = [x.strip() for x in v.split(",") if x.strip()]
    bad = [x for x in out if x not in EXPLOITATION_TYPES]
    if bad:
        raise BadRequest(f"unknown exploitation type(s) {bad}", {"allowed": list(EXPLOITATION_TYPES)})
    return out


def _age(v: str | None) -> tuple[float | None, float | None] | None:
    if not v:
        return None
    lo, hi = v.split("-", 1)
    a, b = (float(lo) if lo else None), (float(hi) if hi else None)
    if a is not None and b is not None and b < a:
        raise BadRequest("age range is reversed")
    return (a, b)


FiltersDep = Annotated[RouteFilters, Depends()]


#: counts below this are not shown to viewers (corridors, hubs, route maps)
SUPPRESS_BELOW = 5


def _suppress(df: Any, user: Any, columns: tuple[str, ...]) -> Any:
    """For roles below investigator: counts under :data:`SUPPRESS_BELOW` become None
    and a ``suppressed`` column says which rows lost a number."""
    if role_allows(user.role, "investigator") or not len(df):
        return df
    out = df.copy()
    hit = None
    for c in columns:
        if c in out.columns:
            small = out[c].notna() & (out[c].astype("Float64") < SUPPRESS_BELOW)
            out[c] = out[c].astype("object").where(~small, None)
            hit = small if hit is None else hit | small
    out["suppressed"] = hit.fillna(False).astype(bool) if hit is not None else False
    return out


def _routes(driver: Any, user: Any, f: RouteFilters) -> Any:
    from analytics.routes import routes
    from graph.explore import compartment, restrict_journeys
    from graph.projection import journeys, location_hierarchy

    comp = compartment(driver, visibility(user))
    ids = check_cases(driver, f.cases, comp)
    j = restrict_journeys(driver, journeys(driver, ids), comp)
    hierarchy, levels = location_hierarchy(driver)
    return routes(j, level=f.level, hierarchy=hierarchy, levels=levels)


def _filtered(df: Any, f: RouteFilters) -> Any:
    """Routes kept by the filters (the same semantics as :func:`analytics.routes.corridors`)."""
    import pandas as pd

    mask = pd.Series(True, index=df.index)
    for col, allowed in (("year", f.years), ("nationality", f.nationality),
                         ("exploitation_type", f.exploitation_type), ("sex", f.sex)):
        if allowed is not None and col in df.columns:
            mask &= df[col].isin(allowed)
    if f.age is not None and "age" in df.columns:
        age = pd.to_numeric(df["age"], errors="coerce")
        lo, hi = f.age
        if lo is not None:
            mask &= age >= lo
        if hi is not None:
            mask &= age <= hi
    return df[mask.fillna(False)]


def _corridors(driver: Any, user: Any, f: RouteFilters) -> Any:
    from analytics.routes import corridors

    df = corridors(_routes(driver, user, f), years=f.years, nationality=f.nationality,
                   exploitation_type=f.exploitation_type, sex=f.sex, age=f.age)
    if f.pair:
        s, d = f.pair.split("-")
        df = df[(df["source"] == s) & (df["destination"] == d)].reset_index(drop=True)
    return df


@router.get("", response_model=TableOut, summary="One route per journey (investigator: names persons)")
def list_routes(driver: DriverDep, user: Investigator, audit: AuditDep, f: FiltersDep,
                format: FormatQ = Format.json) -> Any:
    df = _routes(driver, user, f)
    audit(user, "read_personal", f.cases or "*", view="routes", rows=len(df))
    if format is Format.html:
        return html_table("Routes", table_out(df).data, user=user, links={"person_id": "/ui/entity/{value}",
                                                                          "case_id": "/ui/entity/{value}"})
    return table_out(df, filters=f.raw)


@router.get("/corridors", response_model=TableOut,
            summary="Corridors: aggregated routes (viewer; counts below 5 suppressed for viewers)")
def list_corridors(driver: DriverDep, user: Viewer, f: FiltersDep,
                   format: FormatQ = Format.json) -> Any:
    df = _suppress(_corridors(driver, user, f), user, ("victims", "cases"))
    if format is Format.html:
        return html_table("Corridors", table_out(df).data, user=user, note=f"filters: {f.raw}")
    return table_out(df, filters=f.raw)


@router.get("/hubs", response_model=TableOut,
            summary="Transit hubs (viewer; counts below 5 suppressed for viewers)")
def list_hubs(driver: DriverDep, user: Viewer, f: FiltersDep,
              format: FormatQ = Format.json) -> Any:
    from analytics.routes import transit_hubs

    df = _filtered(_routes(driver, user, f), f)
    hubs = _suppress(transit_hubs(df), user, ("victims", "routes", "cases"))
    if format is Format.html:
        return html_table("Transit hubs", table_out(hubs).data, user=user, note=f"filters: {f.raw}")
    return table_out(hubs, filters=f.raw)


@router.get("/map", summary="Route map as HTML, PNG, PDF, GeoJSON or CSV (viewer)",
            responses={200: {"content": {"text/html": {}, "image/png": {}, "application/pdf": {},
                                         "application/geo+json": {}, "text/csv": {}}}})
def route_map(driver: DriverDep, user: Viewer, audit: AuditDep, f: FiltersDep,
              format: Annotated[MapFormat, Query()] = MapFormat.html,
              min_count: Annotated[int, Query(ge=1, le=1000, description="suppress smaller counts")] = 5,
              download: bool = False) -> Response:
    from graph.projection import location_table
    from viz import routemap as rm

    if min_count < 5 and not role_allows(user.role, "investigator"):
        raise BadRequest("viewers cannot lower the small-count suppression below 5")
    df = _corridors(driver, user, f)
    locs = location_table(driver)
    filters = {k: v for k, v in f.raw.items()}
    today = dt.date.today().isoformat()
    kw: dict[str, Any] = {"filters": filters, "min_count": min_count, "generated": today,
                          "title": "Trafficking corridors"}
    name = f"routemap-{f.level}-{today}"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    mark = f"netintel · {user.username} · {stamp}"
    audit(user, "export", "routemap", format=format.value, filters=filters, corridors=len(df), watermark=mark)
    disp = {"Content-Disposition": f'attachment; filename="{name}.{format.value}"'} if download else {}
    if format is MapFormat.html:
        return HTMLResponse(rm.routemap_html(df, locs, watermark=mark, **kw), headers=disp)
    if format is MapFormat.png:
        return Response(rm.routemap_png(df, locs, watermark=mark, **kw), media_type="image/png", headers=disp)
    if format is MapFormat.pdf:
        return Response(rm.routemap_pdf(df, locs, watermark=mark, **kw), media_type="application/pdf",
                        headers=disp)
    if format is MapFormat.geojson:
        return JSONResponse(rm.routemap_geojson(df, locs, **kw), media_type="application/geo+json", headers=disp)
    return Response(rm.routemap_csv(df, locs, **kw), media_type="text/csv; charset=utf-8", headers=disp)
