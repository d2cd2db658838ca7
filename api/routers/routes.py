"""Routes, corridors, transit hubs, trends, the route map / briefing page (HTML, PNG, PDF, GeoJSON, CSV,
metadata) and maps from uploaded aggregate flows."""

from __future__ import annotations

import datetime as dt
import io
import re
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from core.errors import InvalidInput
from graph.scope import Scope
from views import routes as v
from views.models import CorridorRow, HubRow, RouteRow, Table, TrendRow

from ..deps import InvestigatorScope, ViewerScope
from ._common import Format, FormatQ, answer, html_table, render

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
    cases: Annotated[str | None, Query(max_length=4000, description="comma-separated case ids (investigators)")]
    = None,
    years: Annotated[str | None, Query(max_length=40, description="2020, 2018-2024 or 2019,2021")] = None,
    nationality: Annotated[str | None, Query(max_length=40, description="ISO3, comma separated")] = None,
    exploitation_type: Annotated[str | None, Query(max_length=200)] = None,
    sex: Annotated[str | None, Query(pattern="^[MFX](,[MFX])*$")] = None,
    age: Annotated[str | None, Query(pattern=r"^\d{0,3}-\d{0,3}$", description="18-30, -17 or 60-")] = None,
    pair: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}-[A-Za-z]{3}$",
                                      description="two countries, MMR-THA: every journey on which both appear")]
    = None,
) -> v.RouteQuery:
    """The query parameters shared by every route view, parsed by the view layer."""
    return v.RouteQuery.parse(level=level, cases=cases, years=years, nationality=nationality,
                              exploitation_type=exploitation_type, sex=sex, age=age, pair=pair)


QueryDep = Annotated[v.RouteQuery, Depends(route_query)]
LangQ = Annotated[str, Query(pattern="^(en|th)$", description="language of names and texts: en or th")]


@router.get("", response_model=Table[RouteRow], summary="One route per journey (investigator: names persons)")
def list_routes(scope: InvestigatorScope, q: QueryDep, format: FormatQ = Format.json) -> Any:
    res = v.routes(scope, q)
    if format is Format.html:
        return html_table("Routes", [r.model_dump() for r in res.data], user=scope,
                          links={"person_id": "/ui/entity/{value}", "case_id": "/ui/entity/{value}"})
    return res


_TABLE_COLUMNS = ["route", "victims", "cases", "share", "previous", "change", "cross_border", "suppressed"]


@router.get("/corridors", response_model=Table[CorridorRow],
            summary="Corridors with names, victims, cases, share and change on the previous period (viewer; "
                    "disclosure-controlled below investigator)")
async def list_corridors(scope: ViewerScope, q: QueryDep, format: FormatQ = Format.json, lang: LangQ = "en") -> Any:
    res = await answer(v.corridors, scope, q, lang=lang)
    if format is Format.html:
        rows = [{k: r.model_dump()[k] for k in _TABLE_COLUMNS} for r in res.data]
        return html_table("Corridors", rows, user=scope, note=_note(res.meta))
    return res


def _note(meta: dict[str, Any]) -> str:
    parts = [str(meta.get("filters_plain") or ""), str(meta.get("note") or "")]
    if meta.get("years_covered"):
        parts.append(f"Years covered: {meta['years_covered']} ({meta.get('year_counted')}).")
    left = meta.get("left_out") or []
    if left:
        parts.append("Left out: " + "; ".join(f"{x['display']} journeys with {x['reason']}" for x in left) + ".")
    return " ".join(p for p in parts if p)


@router.get("/hubs", response_model=Table[HubRow],
            summary="Transit hubs (viewer; victims are the listed corridors through the hub, so hub and map agree)")
async def list_hubs(scope: ViewerScope, q: QueryDep, format: FormatQ = Format.json, lang: LangQ = "en") -> Any:
    res = await answer(v.hubs, scope, q, lang=lang)
    if format is Format.html:
        return html_table("Transit hubs", [r.model_dump() for r in res.data], user=scope, note=_note(res.meta))
    return res


@router.get("/trends", response_model=Table[TrendRow],
            summary="Victims per year, per corridor or in total (viewer; disclosure-controlled; the year of the "
                    "journey's first leg is counted)")
async def list_trends(scope: ViewerScope, q: QueryDep, format: FormatQ = Format.json,
                      by: Annotated[str, Query(pattern="^(corridor|total)$")] = "corridor",
                      lang: LangQ = "en") -> Any:
    res = await answer(v.trends, scope, q, by=by, lang=lang)
    if format is Format.html:
        from viz.trends import trend_chart

        rows = [r.model_dump() for r in res.data]
        note = f"Year counted: {res.meta.get('year_counted')}. {res.meta.get('note') or ''}"
        return render("trends.html", title="Trends", heading="Victims per year", rows=rows, chart=trend_chart(rows),
                      note=note, filters_plain=res.meta.get("filters_plain", ""), user=scope)
    return res


@router.get("/map", summary="The route map / briefing page as HTML, PNG, PDF (A4), GeoJSON, CSV or the CSV's "
                            "metadata (viewer)",
            responses={200: {"content": {"text/html": {}, "image/png": {}, "application/pdf": {},
                                         "application/geo+json": {}, "text/csv": {}, "application/json": {}}}})
def route_map(scope: ViewerScope, q: QueryDep,
              format: Annotated[MapFormat, Query()] = MapFormat.html,
              min_count: Annotated[int, Query(ge=1, le=1000, description="suppress smaller counts")] = 5,
              title: Annotated[str, Query(max_length=200, description="the page's title")] = "Trafficking corridors",
              lang: LangQ = "en",
              orientation: Annotated[str, Query(pattern="^(landscape|portrait)$")] = "landscape",
              classification: Annotated[str, Query(pattern="^(|official|confidential|secret)$",
                                                   description="marking at the top and bottom of the page")] = "",
              download: bool = False) -> Response:
    stamp = f"{scope.user} · {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}"
    m = v.route_map(scope, q, min_count=min_count, format=format.value, watermark=stamp, lang=lang)
    return _map_response(scope, m, format, title=title, lang=lang, orientation=orientation,
                         classification=classification, download=download, slug=q.slug(), min_count=min_count,
                         stamp=stamp)


def _map_response(scope: Scope, m: v.RouteMap, format: MapFormat, *, title: str, lang: str, orientation: str,
                  classification: str, download: bool, slug: str, min_count: int = 5, stamp: str | None = None,
                  flows_name: str | None = None) -> Response:
    from viz import routemap as rm

    today = dt.date.today().isoformat()
    df, locs, info = m.corridors, m.locations, m.meta
    name = f"routemap_{slug}_{lang}_{today}"
    ext = {"meta": "meta.json"}.get(format.value, format.value)
    disp = {"Content-Disposition": f'attachment; filename="{name}.{ext}"'} if download else {}
    extra = _public_meta(info)
    page: dict[str, Any] = {"title": title, "min_count": min_count, "generated": today, "lang": lang, "info": info,
                            "classification": classification, "orientation": orientation, "stamp": stamp,
                            "flows_name": flows_name}
    if format is MapFormat.html:
        return HTMLResponse(rm.routemap_html(df, locs, user=scope.user, role=scope.role, **page), headers=disp)
    if format is MapFormat.png:
        return Response(rm.routemap_png(df, locs, **page), media_type="image/png", headers=disp)
    if format is MapFormat.pdf:
        return Response(rm.routemap_pdf(df, locs, **page), media_type="application/pdf", headers=disp)
    kw: dict[str, Any] = {"title": title, "min_count": min_count, "generated": today, "extra": extra}
    if format is MapFormat.geojson:
        return JSONResponse(rm.routemap_geojson(df, locs, filters=info.get("filters"), **kw),
                            media_type="application/geo+json", headers=disp)
    if format is MapFormat.meta:
        return JSONResponse(rm.routemap_metadata(df, locs, filters=info.get("filters"), **kw), headers=disp)
    return Response(rm.routemap_csv(df, locs, min_count=min_count).encode("utf-8"),
                    media_type="text/csv; charset=utf-8", headers=disp)


def _public_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """What the view says about the numbers (disclosure, totals, left out, years, warnings), for the exports."""
    keys = ("disclosure", "total", "other", "other_display", "note", "left_out", "years_covered", "year_counted",
            "filters_plain", "previous_period", "sources", "warnings", "compare", "flows_name")
    return {k: meta[k] for k in keys if k in meta}


@router.post("/flows", summary="Route map, corridor table and exports from aggregate flows (viewer): a CSV "
                               "upload of origin, destination, count[, year], e.g. UNODC GLOTIP",
             responses={200: {"content": {"text/html": {}, "image/png": {}, "application/pdf": {},
                                          "application/geo+json": {}, "text/csv": {}, "application/json": {}}}})
async def flows_map(scope: ViewerScope, file: Annotated[UploadFile, File(description="CSV, UTF-8")],
                    format: Annotated[MapFormat, Query()] = MapFormat.html,
                    title: Annotated[str, Form(max_length=200)] = "Detected victims (aggregate flows)",
                    years: Annotated[str | None, Form(max_length=40)] = None,
                    lang: Annotated[str, Form(pattern="^(en|th)$")] = "en",
                    orientation: Annotated[str, Form(pattern="^(landscape|portrait)$")] = "landscape",
                    classification: Annotated[str, Form(pattern="^(|official|confidential|secret)$")] = "",
                    compare: Annotated[bool, Form()] = True,
                    download: bool = False) -> Response:
    import pandas as pd
    from starlette.concurrency import run_in_threadpool

    raw = await file.read()
    name = (file.filename or "flows.csv")[:120]
    try:
        table = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InvalidInput(f"{name}: not a readable UTF-8 CSV ({type(exc).__name__})") from None
    m = await run_in_threadpool(lambda: v.flows_map(scope, table, name=name, years=years or None, lang=lang,
                                                    compare=compare))
    slug = "flows_" + (re.sub(r"[^A-Za-z0-9_+\-]", "", name.rsplit(".", 1)[0])[:60] or "file")
    if years:
        slug += "_" + re.sub(r"[^0-9,\-]", "", years)
    return _map_response(scope, m, format, title=title, lang=lang, orientation=orientation,
                         classification=classification, download=download, slug=slug, flows_name=name)
