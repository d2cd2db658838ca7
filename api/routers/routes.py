"""Routes, corridors, transit hubs and the route map (HTML, PNG, PDF, GeoJSON, CSV)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from views import routes as v
from views.models import CorridorRow, HubRow, RouteRow, Table

from ..deps import InvestigatorScope, ViewerScope
from ._common import Format, FormatQ, answer, html_table

router = APIRouter(prefix="/api/routes", tags=["routes"])


class MapFormat(StrEnum):
    html = "html"
    png = "png"
    pdf = "pdf"
    geojson = "geojson"
    csv = "csv"
    meta = "meta"


async def route_query(
    level: Annotated[str, Query(pattern="^(country|province|border_crossing)$")] = "country",
    cases: Annotated[str | None, Query(max_length=4000, description="comma-separated case ids")] = None,
    years: Annotated[str | None, Query(max_length=40, description="2020, 2018-2024 or 2019,2021")] = None,
    nationality: Annotated[str | None, Query(max_length=40, description="ISO3, comma separated")] = None,
    exploitation_type: Annotated[str | None, Query(max_length=200)] = None,
    sex: Annotated[str | None, Query(pattern="^[MFX](,[MFX])*$")] = None,
    age: Annotated[str | None, Query(pattern=r"^\d{0,3}-\d{0,3}$", description="18-30, -17 or 60-")] = None,
    pair: Annotated[str | None, Query(pattern=r"^[A-Z]{3}-[A-Z]{3}$", description="source-destination, MMR-THA")]
    = None,
) -> v.RouteQuery:
    """The query parameters shared by every route view, parsed by the view layer."""
    return v.RouteQuery.parse(level=level, cases=cases, years=years, nationality=nationality,
                              exploitation_type=exploitation_type, sex=sex, age=age, pair=pair)


QueryDep = Annotated[v.RouteQuery, Depends(route_query)]


@router.get("", response_model=Table[RouteRow], summary="One route per journey (investigator: names persons)")
def list_routes(scope: InvestigatorScope, q: QueryDep, format: FormatQ = Format.json) -> Any:
    res = v.routes(scope, q)
    if format is Format.html:
        return html_table("Routes", [r.model_dump() for r in res.data], user=scope,
                          links={"person_id": "/ui/entity/{value}", "case_id": "/ui/entity/{value}"})
    return res


@router.get("/corridors", response_model=Table[CorridorRow],
            summary="Corridors: aggregated routes (viewer; counts below 5 suppressed for viewers)")
async def list_corridors(scope: ViewerScope, q: QueryDep, format: FormatQ = Format.json) -> Any:
    res = await answer(v.corridors, scope, q)
    if format is Format.html:
        return html_table("Corridors", [r.model_dump() for r in res.data], user=scope, note=f"filters: {q.raw}")
    return res


@router.get("/hubs", response_model=Table[HubRow],
            summary="Transit hubs (viewer; counts below 5 suppressed for viewers)")
async def list_hubs(scope: ViewerScope, q: QueryDep, format: FormatQ = Format.json) -> Any:
    res = await answer(v.hubs, scope, q)
    if format is Format.html:
        return html_table("Transit hubs", [r.model_dump() for r in res.data], user=scope, note=f"filters: {q.raw}")
    return res


@router.get("/map", summary="Route map as HTML, PNG, PDF, GeoJSON or CSV (viewer)",
            responses={200: {"content": {"text/html": {}, "image/png": {}, "application/pdf": {},
                                         "application/geo+json": {}, "text/csv": {}}}})
def route_map(scope: ViewerScope, q: QueryDep,
              format: Annotated[MapFormat, Query()] = MapFormat.html,
              min_count: Annotated[int, Query(ge=1, le=1000, description="suppress smaller counts")] = 5,
              download: bool = False) -> Response:
    from viz import routemap as rm

    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    mark = f"netintel · {scope.user} · {stamp}"
    m = v.route_map(scope, q, min_count=min_count, format=format.value, watermark=mark)
    df, locs = m.corridors, m.locations
    today = dt.date.today().isoformat()
    kw: dict[str, Any] = {"filters": dict(q.raw), "min_count": min_count, "generated": today,
                          "title": "Trafficking corridors"}
    name = f"routemap_{q.slug()}_{today}"
    ext = {"meta": "meta.json"}.get(format.value, format.value)
    disp = {"Content-Disposition": f'attachment; filename="{name}.{ext}"'} if download else {}
    extra = _public_meta(m.meta)
    if format is MapFormat.html:
        return HTMLResponse(rm.routemap_html(df, locs, watermark=mark, user=scope.user, role=scope.role, **kw),
                            headers=disp)
    if format is MapFormat.png:
        return Response(rm.routemap_png(df, locs, watermark=mark, **kw), media_type="image/png", headers=disp)
    if format is MapFormat.pdf:
        return Response(rm.routemap_pdf(df, locs, watermark=mark, **kw), media_type="application/pdf",
                        headers=disp)
    if format is MapFormat.geojson:
        return JSONResponse(rm.routemap_geojson(df, locs, extra=extra, **kw), media_type="application/geo+json",
                            headers=disp)
    if format is MapFormat.meta:
        return JSONResponse(rm.routemap_metadata(df, locs, extra=extra, **kw), headers=disp)
    return Response(rm.routemap_csv(df, locs, min_count=min_count).encode("utf-8"),
                    media_type="text/csv; charset=utf-8", headers=disp)


def _public_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """What the view says about the numbers (disclosure, totals, left out, years), for the exports."""
    keys = ("disclosure", "total", "other", "other_display", "note", "left_out", "years_covered", "year_counted",
            "filters_plain", "previous_period", "sources")
    return {k: meta[k] for k in keys if k in meta}
