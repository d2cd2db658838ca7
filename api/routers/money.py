"""Money trails and laundering typologies (analyst)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from views import money as v
from views.models import Table, TraceRow, TypologyRow

from ..deps import AnalystScope
from ._common import Format, FormatQ, html_table

router = APIRouter(prefix="/api/money", tags=["money"])


@router.get("/trace/{account}", response_model=Table[TraceRow], summary="Money trail from an account (analyst)")
def trace(account: str, scope: AnalystScope,
          direction: Annotated[str, Query(pattern="^(forward|backward)$")] = "forward",
          max_hops: Annotated[int, Query(ge=1, le=8)] = 4,
          window_hours: Annotated[float, Query(gt=0, le=24 * 365)] = 168.0,
          min_amount: Annotated[float, Query(ge=0)] = 0.0,
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
               threshold: Annotated[float, Query(gt=0)] = 2_000_000,
               format: FormatQ = Format.json) -> Any:
    res = v.typologies(scope, account=account, threshold=threshold)
    if format is Format.html:
        return html_table("Laundering typologies" + (f" involving {account}" if account else ""),
                          [r.model_dump() for r in res.data], user=scope)
    return res
