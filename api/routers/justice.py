"""Prosecution and victim assistance: indicators, pipeline, assistance coverage, unpaid
compensation and provincial dashboards (JSON, or the page with ``?format=html``)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse, Response

from views import justice as v
from views.models import CoverageOut, DashboardOut, IndicatorRow, PipelineOut, Table, UnpaidRow

from ..deps import InvestigatorScope, ViewerScope
from ._common import Format, FormatQ, render

router = APIRouter(tags=["justice"])


class ReportFormat(StrEnum):
    json = "json"
    html = "html"
    xlsx = "xlsx"
    csv = "csv"
    pdf = "pdf"


def _mark(user: str) -> str:
    return f"netintel · {user} · {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}"


@router.get("/api/indicators", response_model=Table[IndicatorRow],
            summary="Yearly indicators with the change on the year before (viewer; counts below 5 suppressed "
                    "for viewers); also as html, xlsx, csv, pdf",
            responses={200: {"content": {"text/html": {}, "text/csv": {}, "application/pdf": {},
                                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def indicators(scope: ViewerScope,
               year: Annotated[int | None, Query(ge=1900, le=2200, description="one year (default: all)")] = None,
               dimension: Annotated[str | None, Query(pattern="^(|nationality|sex|age_group|exploitation_type)$",
                                                      description="'' totals only, or one breakdown")] = None,
               format: Annotated[ReportFormat, Query()] = ReportFormat.json) -> Any:
    from viz import reports

    res = v.indicators(scope, year, dimension, export=None if format in (ReportFormat.json, ReportFormat.html)
                       else format.value)
    rows = [r.model_dump() for r in res.data]
    name = f"indicators-{year or 'all'}"
    disp = {"Content-Disposition": f'attachment; filename="{name}.{format.value}"'}
    if format is ReportFormat.csv:
        return Response(reports.indicators_csv(rows), media_type="text/csv; charset=utf-8", headers=disp)
    if format is ReportFormat.xlsx:
        return Response(reports.indicators_xlsx(rows, watermark=_mark(scope.user)), headers=disp,
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if format is ReportFormat.pdf:
        return Response(reports.indicators_pdf(rows, watermark=_mark(scope.user)), media_type="application/pdf",
                        headers=disp)
    if format is ReportFormat.html:
        return render("indicators.html", title="Yearly indicators", user=scope, tables=reports.wide_tables(rows),
                      year=year, years=v.indicator_years(scope), meta=res.meta)
    return res


async def pipeline_query(
    agency: Annotated[str | None, Query(max_length=200, description="case agencies, comma separated")] = None,
    province: Annotated[str | None, Query(max_length=400, description="province codes (TH-50) or names")] = None,
    exploitation_type: Annotated[str | None, Query(max_length=200)] = None,
    years: Annotated[str | None, Query(max_length=40, description="year of the complaint: 2020, 2018-2024")] = None,
    by: Annotated[str | None, Query(pattern="^(agency|province|exploitation_type)$")] = None,
    stalled_days: Annotated[int, Query(ge=1, le=36500, description="no event for more than this: stalled")] = 365,
    as_of: Annotated[dt.date | None, Query(description="count stalls to this day (default: latest event)")] = None,
) -> v.PipelineQuery:
    return v.PipelineQuery.parse(agency=agency, province=province, exploitation_type=exploitation_type, years=years,
                                 by=by, stalled_days=stalled_days, as_of=as_of)


PipelineDep = Annotated[v.PipelineQuery, Depends(pipeline_query)]


@router.get("/api/pipeline", response_model=PipelineOut,
            summary="Case pipeline: attrition complaint → conviction, days from stage to stage, stalled cases "
                    "(viewer; suppressed below investigator)")
def pipeline(scope: ViewerScope, q: PipelineDep, format: FormatQ = Format.json) -> Any:
    res = v.pipeline(scope, q)
    if format is Format.html:
        return render("pipeline.html", title="Case pipeline", user=scope, res=res.model_dump(), q=q.raw,
                      stages=_bars(res.attrition))
    return res


def _bars(attrition: list[Any]) -> dict[str, Any]:
    from viz.charts import bar_chart

    groups: dict[str, list[tuple[str, float | None]]] = {}
    for r in attrition:
        groups.setdefault(r.group, []).append((r.stage.replace("_", " "), r.cases))
    return {g: bar_chart(items, title=f"Cases reaching each stage — {g}") for g, items in groups.items()}


@router.get("/api/assistance/coverage", response_model=CoverageOut,
            summary="Victim-assistance coverage (viewer: suppressed counts; per-victim rows for the protection unit)")
def assistance_coverage(scope: ViewerScope, format: FormatQ = Format.json) -> Any:
    res = v.assistance_coverage(scope)
    if format is Format.html:
        return render("coverage.html", title="Victim assistance coverage", user=scope, res=res.model_dump())
    return res


@router.get("/api/compensation/unpaid", response_model=Table[UnpaidRow],
            summary="Convicted offenders with compensation unpaid, and the assets in the graph that could pay "
                    "(investigator)")
def compensation_unpaid(scope: InvestigatorScope, format: FormatQ = Format.json,
                        as_of: Annotated[dt.date | None, Query()] = None) -> Any:
    res = v.compensation_unpaid(scope, as_of)
    if format is Format.html:
        return render("unpaid.html", title="Unpaid compensation", user=scope, rows=[r.model_dump() for r in res.data],
                      meta=res.meta)
    return res


@router.get("/api/provinces", summary="Provinces with a dashboard for you (viewer; province users: their own)")
def provinces(scope: ViewerScope, format: FormatQ = Format.json) -> Any:
    rows = v.provinces(scope)
    if format is Format.html:
        return render("provinces.html", title="Provinces", user=scope, rows=rows)
    return {"data": rows, "count": len(rows)}


@router.get("/api/provinces/{code}/dashboard", response_model=DashboardOut,
            summary="A province's dashboard: cases, victims, screenings, shelter occupancy, pipeline, stalled "
                    "cases (viewer; suppressed below investigator)")
def province_dashboard(scope: ViewerScope, code: Annotated[str, Path(max_length=20, description="ISO 3166-2 code, e.g. TH-50")],
                       format: FormatQ = Format.json,
                       as_of: Annotated[dt.date | None, Query()] = None,
                       stalled_days: Annotated[int, Query(ge=1, le=36500)] = 365) -> Any:
    res = v.province_dashboard(scope, code, as_of, stalled_days)
    if format is Format.html:
        return _dashboard_page(scope, res)
    return res


def _dashboard_page(scope: Any, res: DashboardOut) -> HTMLResponse:
    from viz.charts import bar_chart, line_chart

    charts = {
        "status": bar_chart([(k, x) for k, x in sorted(res.cases_by_status.items())], title="Cases by status"),
        "types": bar_chart([(k.replace("_", " "), x) for k, x in sorted(res.cases_by_exploitation_type.items())],
                           title="Cases by form of exploitation", colour="#457b9d"),
        "screenings": bar_chart([(k.replace("_", " "), x) for k, x in res.screenings.items()],
                                title="Screenings by outcome", colour="#e76f51"),
        "occupancy": line_chart([(m["month"], m["occupied"]) for m in res.occupancy_by_month],
                                title="Persons in shelter, first day of each month"),
        "pipeline": bar_chart([(r.stage.replace("_", " "), r.cases) for r in res.attrition],
                              title="Cases reaching each stage", colour="#2a9d8f"),
    }
    return render("dashboard.html", title=f"Province dashboard — {res.province.get('name')}", user=scope,
                  res=res.model_dump(), charts=charts)
