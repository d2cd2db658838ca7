"""Money trails and laundering typologies (analyst)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from ..deps import Analyst, AuditDep, DriverDep, visibility
from ..errors import NotFound
from ._common import Format, FormatQ, TableOut, html_table, table_out

router = APIRouter(prefix="/api/money", tags=["money"])


def _account(driver: Any, account: str, comp: Any) -> None:
    from graph.explore import existing

    if not existing(driver, "BankAccount", [account], comp):
        raise NotFound(f"no bank account with id {account!r}")


def _transfers(driver: Any, comp: Any) -> Any:
    from graph.explore import restrict_transfers
    from graph.projection import transfers

    return restrict_transfers(driver, transfers(driver), comp)


@router.get("/trace/{account}", response_model=TableOut, summary="Money trail from an account (analyst)")
def trace(account: str, driver: DriverDep, user: Analyst, audit: AuditDep,
          direction: Annotated[str, Query(pattern="^(forward|backward)$")] = "forward",
          max_hops: Annotated[int, Query(ge=1, le=8)] = 4,
          window_hours: Annotated[float, Query(gt=0, le=24 * 365)] = 168.0,
          min_amount: Annotated[float, Query(ge=0)] = 0.0,
          format: FormatQ = Format.json) -> Any:
    from analytics.money import trace as run
    from graph.explore import account_details, compartment

    comp = compartment(driver, visibility(user))
    _account(driver, account, comp)
    tx = _transfers(driver, comp)
    hops = run(tx, account, direction=direction, max_hops=max_hops, window=dt.timedelta(hours=window_hours),
               min_amount=min_amount, max_paths=20_000)
    if len(hops) and "currency" not in hops.columns:
        hops = hops.merge(tx[["txn_id", "currency"]].drop_duplicates("txn_id"), on="txn_id", how="left")
    audit(user, "read_personal", account, view="money_trace", direction=direction, hops=len(hops))
    if format is Format.html:
        if not len(hops):
            return html_table(f"Money trail {direction} from {account}", [], user=user,
                              note="no transfers match the parameters")
        from viz.views import render_money_trail

        df = hops.rename(columns={"path": "path_id"})
        accs = account_details(driver, sorted(set(df["source"]) | set(df["target"])))
        return HTMLResponse(render_money_trail(df, title=f"Money trail {direction} from {account}",
                                               accounts=accs, highlight=[account]))
    return table_out(hops, account=account, direction=direction, max_hops=max_hops, window_hours=window_hours,
                     min_amount=min_amount)


@router.get("/typologies", response_model=TableOut, summary="Laundering typologies (analyst)")
def typologies(driver: DriverDep, user: Analyst, audit: AuditDep,
               account: Annotated[str | None, Query(max_length=200, description="only findings involving it")]
               = None,
               threshold: Annotated[float, Query(gt=0)] = 2_000_000,
               format: FormatQ = Format.json) -> Any:
    from analytics.money import typologies as run
    from graph.explore import compartment

    comp = compartment(driver, visibility(user))
    if account:
        _account(driver, account, comp)
    df = run(_transfers(driver, comp), threshold=threshold)
    if account and len(df):
        df = df[[account in list(a) for a in df["accounts"]]].reset_index(drop=True)
    audit(user, "read_personal", account or "*", view="typologies", rows=len(df))
    if format is Format.html:
        return html_table("Laundering typologies" + (f" involving {account}" if account else ""),
                          table_out(df).data, user=user)
    return table_out(df, account=account, threshold=threshold)
