"""Money trails and laundering typologies (analysts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from core.errors import InvalidInput, NotFound
from graph.scope import Scope

from ._common import cached, jsonable, records, table
from .models import AccountInfo, FlowAccount, RiskRow, Table, TraceOut, TraceRow, TransferRow, TypologyRow

__all__ = ["transfers", "trace", "trace_view", "typologies", "trail", "paths", "trail_out", "risk",
           "findings", "holder_accounts", "resolve_account", "MAX_TRAIL_PATHS"]

#: a trail stops (``truncated``) after this many paths
MAX_TRAIL_PATHS = 20_000


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
    scope.require("analyst")
    if not threshold > 0:
        raise InvalidInput("threshold must be positive")
    if account:
        _account(scope, account)
    df = findings(scope, threshold)
    if account and len(df):
        df = df[[account in list(a) for a in df["accounts"]]].reset_index(drop=True)
    scope.audit("read_personal", account or "*", view="typologies", rows=len(df))
    return Table[TypologyRow].model_validate(table(TypologyRow, df, account=account, threshold=threshold))


# ----------------------------------------------------------- trace workspace
def _window(tx: pd.DataFrame, since: dt.date | None, until: dt.date | None, currency: str | None) -> pd.DataFrame:
    """Transfers inside the absolute date range (inclusive days, Asia/Bangkok) and currency."""
    from viz.format import BANGKOK

    if since and until and since > until:
        raise InvalidInput("the date range ends before it starts")
    if not len(tx):
        return tx
    keep = pd.Series(True, index=tx.index)
    local = tx["at"].dt.tz_convert(BANGKOK) if tx["at"].dt.tz is not None else tx["at"]
    if since:
        keep &= local.dt.date >= since
    if until:
        keep &= local.dt.date <= until
    if currency:
        keep &= tx["currency"].fillna("").str.upper() == currency.upper()
    return tx[keep]


def _check(direction: str, max_hops: int, window_hours: float) -> None:
    if direction not in ("forward", "backward"):
        raise InvalidInput("direction must be forward or backward")
    if not 1 <= max_hops <= 8:
        raise InvalidInput("max_hops must be 1..8")
    if not 0 < window_hours <= 24 * 365 * 5:
        raise InvalidInput("window_hours must be in (0, 43800]")


def trail_out(scope: Scope, hops: pd.DataFrame, truncated: bool = False, **meta: Any) -> TraceOut:
    """Hops → the typed trail: hops, each transfer once, per-account totals in and out and holders."""
    from graph.money import account_holders

    if not len(hops):
        return TraceOut(hops=[], transfers=[], accounts=[], truncated=truncated, meta=jsonable(meta))
    once = hops.drop_duplicates("txn_id")
    t_in = once.groupby("target")["amount"].sum()
    t_out = once.groupby("source")["amount"].sum()
    ids = sorted(set(once["source"]) | set(once["target"]))
    info = account_holders(scope, ids)
    accounts = [FlowAccount(account=a, total_in=float(t_in.get(a, 0.0)), total_out=float(t_out.get(a, 0.0)),
                            info=AccountInfo.model_validate(info.get(a, {}))) for a in ids]
    tr = [TransferRow.model_validate(r) for r in records(once[["txn_id", "source", "target", "amount",
                                                               "currency", "at"]])]
    rows = [TraceRow.model_validate(r) for r in records(hops)]
    return TraceOut(hops=rows, transfers=tr, accounts=accounts, truncated=truncated, meta=jsonable(meta))


def _run_paths(fn: Any, *args: Any, **kw: Any) -> tuple[pd.DataFrame, bool]:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        df = fn(*args, max_paths=MAX_TRAIL_PATHS, **kw)
    return df, any("truncated" in str(w.message) for w in caught)


def _with_currency(hops: pd.DataFrame, tx: pd.DataFrame) -> pd.DataFrame:
    if len(hops) and "currency" not in hops.columns:
        hops = hops.merge(tx[["txn_id", "currency"]].drop_duplicates("txn_id"), on="txn_id", how="left")
    return hops


def trail(scope: Scope, account: str, *, direction: str = "forward", max_hops: int = 4,
          window_hours: float = 168.0, min_amount: float = 0.0, since: dt.date | None = None,
          until: dt.date | None = None, currency: str | None = None) -> TraceOut:
    """The trace workspace: the money trail from (or into) ``account`` with every setting
    of the page (direction, hops, window per hop, absolute date range, minimum
    amount, currency), as hops, transfers and accounts with totals and holders."""
    from analytics.money import trace as run

    scope.require("analyst")
    _check(direction, max_hops, window_hours)
    _account(scope, account)
    tx = _window(transfers(scope), since, until, currency)
    hops, truncated = _run_paths(run, tx, account, direction=direction, max_hops=max_hops,
                                 window=dt.timedelta(hours=window_hours), min_amount=min_amount)
    hops = _with_currency(hops, tx)
    scope.audit("read_personal", account, view="money_trail", direction=direction, hops=len(hops),
                since=since, until=until)
    return trail_out(scope, hops, truncated, account=account, direction=direction, max_hops=max_hops,
                     window_hours=window_hours, min_amount=min_amount, since=since, until=until,
                     currency=currency)


def paths(scope: Scope, source: str, target: str, *, max_hops: int = 6, window_hours: float = 168.0,
          min_amount: float = 0.0, since: dt.date | None = None, until: dt.date | None = None,
          currency: str | None = None) -> TraceOut:
    """Temporal money paths from ``source`` to ``target`` (:func:`analytics.trace.paths_between`)."""
    from analytics.money import paths_between

    scope.require("analyst")
    _check("forward", max_hops, window_hours)
    if source == target:
        raise InvalidInput("give two different accounts")
    _account(scope, source)
    _account(scope, target)
    tx = _window(transfers(scope), since, until, currency)
    hops, truncated = _run_paths(paths_between, tx, source, target, max_hops=max_hops,
                                 window=dt.timedelta(hours=window_hours), min_amount=min_amount)
    hops = _with_currency(hops, tx)
    scope.audit("read_personal", f"{source}->{target}", view="money_paths", hops=len(hops))
    return trail_out(scope, hops, truncated, source=source, target=target, max_hops=max_hops,
                     window_hours=window_hours, min_amount=min_amount, since=since, until=until,
                     currency=currency)


def findings(scope: Scope, threshold: float = 2_000_000, *, fresh: bool = False) -> pd.DataFrame:
    """The typology findings on what the scope may see (cached per data version unless ``fresh``)."""
    from analytics.money import typologies as run

    if fresh:
        return run(transfers(scope), threshold=threshold)
    df: pd.DataFrame = cached(scope, "typologies", (float(threshold),),
                              lambda: run(transfers(scope), threshold=threshold))
    return df


def risk(scope: Scope, *, statuses: dict[str, str] | None = None, top: int = 100,
         threshold: float = 2_000_000) -> Table[RiskRow]:
    """Accounts ranked by laundering risk (:func:`analytics.money.account_risk`) with plain
    reasons; ``statuses`` maps alert ids to their triage status (past judgements)."""
    from analytics.money import account_risk
    from graph.money import account_holders
    from views.alert_store import alert_id

    scope.require("analyst")
    if not 1 <= top <= 10_000:
        raise InvalidInput("top must be 1..10000")
    tx = transfers(scope)
    f = findings(scope, threshold)
    if statuses and len(f):
        f = f.assign(status=[statuses.get(alert_id(k, a, t)) for k, a, t in
                             zip(f["kind"], f["accounts"], f["transfers"], strict=True)])
    r = account_risk(tx, findings=f).head(top) if len(tx) else pd.DataFrame(columns=["account", "score", "reasons"])
    r = r[r["score"] > 0] if len(r) else r
    info = account_holders(scope, list(r["account"])) if len(r) else {}
    rows = [RiskRow(rank=i + 1, account=str(a), score=float(s), reasons=str(why),
                    holder=(", ".join(str(h["name"]) for h in info.get(a, {}).get("holders", []))
                            or info.get(a, {}).get("holder_name")))
            for i, (a, s, why) in enumerate(zip(r["account"], r["score"], r["reasons"], strict=True))]
    scope.audit("read_personal", "*", view="account_risk", rows=len(rows))
    return Table[RiskRow](data=rows, count=len(rows), meta={"top": top, "threshold": threshold})


def holder_accounts(scope: Scope, holder_id: str) -> list[dict[str, Any]]:
    """The accounts a person or organisation holds (to start a trace from them); audited."""
    from graph.money import held_accounts

    scope.require("analyst")
    rows = held_accounts(scope, holder_id)
    scope.audit("read_personal", holder_id, view="held_accounts", rows=len(rows))
    return rows


def resolve_account(scope: Scope, value: str) -> str:
    """An account id from what an analyst typed: the id itself, or an account number
    that matches exactly one visible account."""
    from graph.explore import existing, find_by_account

    scope.require("analyst")
    value = value.strip()
    if not value:
        raise InvalidInput("give an account")
    if existing(scope, "BankAccount", [value]):
        return value
    hits = [h for h in find_by_account(scope, value) if h.get("label") == "BankAccount"]
    if len(hits) == 1:
        return str(hits[0]["id"])
    if len(hits) > 1:
        raise InvalidInput(f"{len(hits)} accounts have the number {value!r}: give the account id")
    raise NotFound(f"no bank account with id or number {value!r}")
