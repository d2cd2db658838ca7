"""Money trails and laundering typologies (analyst)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from views import money as v
from views.models import RiskRow, Table, TraceOut, TraceRow, TypologyRow

from ..deps import AnalystScope
from ._common import Format, FormatQ, html_table

router = APIRouter(prefix="/api/money", tags=["money"])


@router.get("/trace/{account}", response_model=Table[TraceRow], summary="Money trail from an account (analyst)")
def trace(account: str, scope: AnalystScope,
          direction: Annotated[str, Query(pattern="^(forward|backward)$")] = "forward",
          max_hops: Annotated[int, Query(ge=1, le=8)] = 4,
          window_hours: Annotated[float, Query(gt=0, le=24 * 365)] = 168.0,
          min_amount: Annotated[float, Query(ge=0, le=1e15, allow_inf_nan=False)] = 0.0,
          format: FormatQ = Format.json) -> Any:
    kw: dict[str, Any] = {"direction": direction, "max_hops": max_hops, "window_hours": window_hours,
                          "min_amount": min_amount}
    if format is Format.html:
        df, accounts = v.trace_view(scope, account, **kw)
        accs: Any = accounts
        if not len(df):
            return html_table(f"Money trail {direction} from {account}", [], user=scope,
                              note="no transfers match the parameters")
        from viz.views import render_money_trail

        return HTMLResponse(render_money_trail(df, title=f"Money trail {direction} from {account}",
                                               accounts=accs, highlight=[account], user=scope.user,
                                               role=scope.role))
    return v.trace(scope, account, **kw)


@router.get("/typologies", response_model=Table[TypologyRow], summary="Laundering typologies (analyst)")
def typologies(scope: AnalystScope,
               account: Annotated[str | None, Query(max_length=200, description="only findings involving it")]
               = None,
               threshold: Annotated[float, Query(gt=0, le=1e15, allow_inf_nan=False)] = 2_000_000,
               format: FormatQ = Format.json) -> Any:
    res = v.typologies(scope, account=account, threshold=threshold)
    if format is Format.html:
        from viz.format import date, money

        rows = [{**r.model_dump(), "amount": money(r.amount), "start": date(r.start), "end": date(r.end)}
                for r in res.data]
        return html_table("Laundering typologies" + (f" involving {account}" if account else ""), rows,
                          user=scope, extra_links=[("alert queue", "/ui/alerts")])
    return res


class TrailFormat(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def _export(scope: AnalystScope, out: TraceOut, fmt: TrailFormat, name: str) -> Any:
    if fmt is TrailFormat.json:
        return out
    from viz.moneyflow import trail_csv, trail_xlsx

    scope.audit("export", name, format=fmt.value, transfers=len(out.transfers))
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:80]
    if fmt is TrailFormat.csv:
        return Response(trail_csv(out), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'})
    return Response(trail_xlsx(out), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{safe}.xlsx"'})


Since = Annotated[dt.date | None, Query(description="first day (Asia/Bangkok), inclusive")]
Until = Annotated[dt.date | None, Query(description="last day (Asia/Bangkok), inclusive")]
Currency = Annotated[str | None, Query(max_length=3, pattern="^[A-Za-z]{3}$")]
Hours = Annotated[float, Query(gt=0, le=24 * 365 * 5, description="window per hop, from the first hop")]


@router.get("/trail/{account}", response_model=TraceOut,
            summary="Trace workspace: the trail with every setting, totals and holders (analyst)")
def trail(account: str, scope: AnalystScope,
          direction: Annotated[str, Query(pattern="^(forward|backward)$")] = "forward",
          max_hops: Annotated[int, Query(ge=1, le=8)] = 4, window_hours: Hours = 168.0,
          min_amount: Annotated[float, Query(ge=0)] = 0.0, since: Since = None, until: Until = None,
          currency: Currency = None, format: TrailFormat = TrailFormat.json) -> Any:
    out = v.trail(scope, account, direction=direction, max_hops=max_hops, window_hours=window_hours,
                  min_amount=min_amount, since=since, until=until, currency=currency)
    return _export(scope, out, format, f"trail-{direction}-{account}")


@router.get("/paths", response_model=TraceOut, summary="Money paths between two accounts (analyst)")
def paths(scope: AnalystScope, source: Annotated[str, Query(min_length=1, max_length=200)],
          target: Annotated[str, Query(min_length=1, max_length=200)],
          max_hops: Annotated[int, Query(ge=1, le=8)] = 6, window_hours: Hours = 168.0,
          min_amount: Annotated[float, Query(ge=0)] = 0.0, since: Since = None, until: Until = None,
          currency: Currency = None, format: TrailFormat = TrailFormat.json) -> Any:
    out = v.paths(scope, source, target, max_hops=max_hops, window_hours=window_hours, min_amount=min_amount,
                  since=since, until=until, currency=currency)
    return _export(scope, out, format, f"paths-{source}-{target}")


@router.get("/risk", response_model=Table[RiskRow], summary="Accounts ranked by laundering risk (analyst)")
def risk(request: Request, scope: AnalystScope, top: Annotated[int, Query(ge=1, le=10_000)] = 100,
         format: FormatQ = Format.json) -> Any:
    from views import alerts

    store = alerts.store_at(request.app.state.api_settings.home)
    res = v.risk(scope, statuses=alerts.statuses(scope, store), top=top)
    if format is Format.html:
        from viz.format import score

        return html_table("Account risk", [{**r.model_dump(), "score": score(r.score)} for r in res.data],
                          user=scope, links={"account": "/ui/trace?account={value}"},
                          note="One score per account: typology hits at fast and slow time scales, payments "
                               "split into pieces of a similar size, counterparties' risk and past alert "
                               "judgements.", extra_links=[("alert queue", "/ui/alerts")])
    return res
