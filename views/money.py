"""Money trails and laundering typologies (analysts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from core.errors import InvalidInput, NotFound
from graph.scope import Scope

from ._common import cached, table
from .models import Table, TraceRow, TypologyRow

__all__ = ["transfers", "trace", "trace_view", "typologies"]


def transfers(scope: Scope) -> pd.DataFrame:
    """Every transfer between accounts the scope may see (cached per data version and compartment)."""
    from graph.projection import transfers as project

    df: pd.DataFrame = cached(scope, "transfers", (), lambda: project(scope))
    return df


def _account(scope: Scope, account: str) -> None:
    from graph.explore import existing

    if not existing(scope, "BankAccount", [account]):
        raise NotFound(f"no bank account with id {account!r}")


def _trace(scope: Scope, account: str, direction: str, max_hops: int, window_hours: float,
           min_amount: float) -> pd.DataFrame:
    from analytics.money import trace as run

    scope.require("analyst")
    if direction not in ("forward", "backward"):
        raise InvalidInput("direction must be forward or backward")
    if not 1 <= max_hops <= 8:
        raise InvalidInput("max_hops must be 1..8")
    if not 0 < window_hours <= 24 * 365:
        raise InvalidInput("window_hours must be in (0, 8760]")
    _account(scope, account)
    tx = transfers(scope)
    hops = run(tx, account, direction=direction, max_hops=max_hops, window=dt.timedelta(hours=window_hours),
               min_amount=min_amount, max_paths=20_000)
    if len(hops) and "currency" not in hops.columns:
        hops = hops.merge(tx[["txn_id", "currency"]].drop_duplicates("txn_id"), on="txn_id", how="left")
    scope.audit("read_personal", account, view="money_trace", direction=direction, hops=len(hops))
    return hops


def trace(scope: Scope, account: str, *, direction: str = "forward", max_hops: int = 4,
          window_hours: float = 168.0, min_amount: float = 0.0) -> Table[TraceRow]:
    """The money trail from an account: each hop no earlier than the last, within the window."""
    hops = _trace(scope, account, direction, max_hops, window_hours, min_amount)
    return Table[TraceRow].model_validate(table(TraceRow, hops, account=account, direction=direction,
                                                max_hops=max_hops, window_hours=window_hours,
                                                min_amount=min_amount))


def trace_view(scope: Scope, account: str, *, direction: str = "forward", max_hops: int = 4,
               window_hours: float = 168.0, min_amount: float = 0.0) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The trail and the visible accounts' holders, for the money-trail page."""
    from graph.explore import account_details

    hops = _trace(scope, account, direction, max_hops, window_hours, min_amount)
    if not len(hops):
        return hops, {}
    df = hops.rename(columns={"path": "path_id"})
    return df, account_details(scope, sorted(set(df["source"]) | set(df["target"])))


def typologies(scope: Scope, *, account: str | None = None, threshold: float = 2_000_000) -> Table[TypologyRow]:
    """Laundering typologies (fan-in/out, scatter-gather, gather-scatter, cycles, pass-through,
    structuring), optionally only those involving ``account``."""
    from analytics.money import typologies as run

    scope.require("analyst")
    if not threshold > 0:
        raise InvalidInput("threshold must be positive")
    if account:
        _account(scope, account)
    df = cached(scope, "typologies", (float(threshold),), lambda: run(transfers(scope), threshold=threshold))
    if account and len(df):
        df = df[[account in list(a) for a in df["accounts"]]].reset_index(drop=True)
    scope.audit("read_personal", account or "*", view="typologies", rows=len(df))
    return Table[TypologyRow].model_validate(table(TypologyRow, df, account=account, threshold=threshold))
