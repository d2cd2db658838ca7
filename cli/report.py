"""``netintel report …``: the yearly indicators, the case pipeline, assistance coverage,
unpaid compensation and a province's dashboard — the views the API routes call, with
one scope per call (``--as USER`` or an operator's)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from ._common import AsOpt, fail, scoped
from .output import Format, FormatOpt, emit, frame, jsonable

__all__ = ["report_app"]

report_app = typer.Typer(help="Prosecution and victim-assistance reports: indicators, pipeline, coverage, "
                              "unpaid compensation, province dashboards.", no_args_is_help=True)

AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="count stalls / time since verdict to this day "
                                                             "(YYYY-MM-DD; default: the latest event)")]


def _date(v: str | None) -> dt.date | None:
    if not v:
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        fail(f"--as-of must be a date YYYY-MM-DD, not {v!r}", 2)


@report_app.command("indicators")
def indicators_cmd(
    year: Annotated[int | None, typer.Option(help="one year (default: all)")] = None,
    dimension: Annotated[str | None, typer.Option(help="'' totals, or nationality, sex, age_group, "
                                                       "exploitation_type")] = "",
    out: Annotated[Path | None, typer.Option("--out", help="write an export: .xlsx, .csv or .pdf")] = None,
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """Yearly indicators with the change on the year before (suppressed below investigator)."""
    from views.justice import indicators
    from views.models import IndicatorRow
    from viz import reports

    kind = out.suffix.lower().lstrip(".") if out else None
    if kind not in (None, "xlsx", "csv", "pdf"):
        fail("--out must end in .xlsx, .csv or .pdf", 2)
    with scoped("report indicators", as_user) as scope:
        res = indicators(scope, year, dimension if out is None else None, export=kind)
    if out is not None:
        rows = [r.model_dump() for r in res.data]
        mark = f"netintel · {scope.user} · {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC}"
        if kind == "csv":
            out.write_text(reports.indicators_csv(rows), encoding="utf-8")
        elif kind == "xlsx":
            out.write_bytes(reports.indicators_xlsx(rows, watermark=mark))
        else:
            out.write_bytes(reports.indicators_pdf(rows, watermark=mark))
        print(f"wrote {out} ({len(rows):,} rows)")
        return
    emit(frame(res.data, IndicatorRow), fmt, "Yearly indicators",
         ["indicator", "dimension", "group", "year", "value", "change", "change_pct"])


@report_app.command("pipeline")
def pipeline_cmd(
    agency: Annotated[str | None, typer.Option(help="case agencies (comma separated)")] = None,
    province: Annotated[str | None, typer.Option(help="province codes (TH-50) or names")] = None,
    exploitation_type: Annotated[str | None, typer.Option(help="e.g. fishing,sexual")] = None,
    years: Annotated[str | None, typer.Option(help="year of the complaint: 2020, 2018-2024")] = None,
    by: Annotated[str | None, typer.Option(help="agency, province or exploitation_type")] = None,
    stalled_days: Annotated[int, typer.Option(help="no event for more than this many days: stalled")] = 365,
    as_of: AsOfOpt = None,
    stalled: Annotated[bool, typer.Option("--stalled", help="list the stalled cases instead")] = False,
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """The case pipeline: attrition complaint → conviction and days from stage to stage."""
    from core.errors import InvalidInput
    from views.justice import PipelineQuery, pipeline
    from views.models import AttritionRow, StalledRow, TransitionRow

    try:
        q = PipelineQuery.parse(agency=agency, province=province, exploitation_type=exploitation_type, years=years,
                                by=by, stalled_days=stalled_days, as_of=_date(as_of))
    except InvalidInput as exc:
        fail(exc.message, 2)
    with scoped("report pipeline", as_user) as scope:
        res = pipeline(scope, q)
    if fmt is Format.json:
        print(json.dumps(jsonable(res.model_dump()), ensure_ascii=False, indent=1))
        return
    if stalled:
        emit(frame(res.stalled, StalledRow), fmt, f"Stalled cases (as of {res.meta['as_of']})")
        return
    emit(frame(res.attrition, AttritionRow), fmt, "Attrition")
    if fmt is Format.table:
        emit(frame(res.transitions, TransitionRow), fmt, "Days from stage to stage")
        print(f"stalled cases: {res.stalled_count if res.stalled_count is not None else '<5'}")


@report_app.command("coverage")
def coverage_cmd(
    persons: Annotated[bool, typer.Option("--persons", help="one row per victim with gaps (protection unit)")] = False,
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """Victim-assistance coverage: never screened, never sheltered, no services, repatriation."""
    from views.justice import assistance_coverage
    from views.models import CoveragePersonRow

    with scoped("report coverage", as_user) as scope:
        res = assistance_coverage(scope)
    if persons:
        if not res.persons and not res.meta.get("protected"):
            fail("per-victim rows need the protection unit", 2)
        emit(frame(res.persons, CoveragePersonRow), fmt, "Victims",
             ["person_id", "screened", "identified", "sheltered", "services", "days_to_first_assistance", "gaps"])
        return
    emit(pd.DataFrame([{"measure": k, "value": v} for k, v in res.summary.items()], dtype=object), fmt,
         "Assistance coverage")


@report_app.command("unpaid")
def unpaid_cmd(as_of: AsOfOpt = None, fmt: FormatOpt = Format.table, as_user: AsOpt = None) -> None:
    """Convicted offenders with compensation unpaid and the assets that could pay (investigator)."""
    from views.justice import compensation_unpaid
    from views.models import UnpaidRow

    with scoped("report unpaid", as_user) as scope:
        res = compensation_unpaid(scope, _date(as_of))
    emit(frame(res.data, UnpaidRow), fmt, f"Unpaid compensation (as of {res.meta['as_of']})",
         ["offender_id", "name", "owed", "days_since_verdict", "vehicles", "accounts", "companies",
          "receiving_accounts", "recovered"])


@report_app.command("dashboard")
def dashboard_cmd(
    code: Annotated[str, typer.Argument(help="province code, e.g. TH-50")],
    as_of: AsOfOpt = None,
    stalled_days: Annotated[int, typer.Option(help="no event for more than this many days: stalled")] = 365,
    as_user: AsOpt = None,
) -> None:
    """A province's dashboard as JSON (cases, victims, screenings, shelter occupancy, pipeline)."""
    from views.justice import province_dashboard

    with scoped("report dashboard", as_user) as scope:
        res = province_dashboard(scope, code, _date(as_of), stalled_days)
    print(json.dumps(jsonable(res.model_dump()), ensure_ascii=False, indent=1))
