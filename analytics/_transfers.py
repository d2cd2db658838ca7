"""Transfers as sorted arrays: the preparation shared by :mod:`analytics.trace`
and :mod:`analytics.typologies` (private; not part of the public API).

Transfers are rows ``txn_id, source, target, amount, currency, at`` (``at`` a
datetime; naive or time-zone aware, not mixed).  :func:`_prepare` turns such a
DataFrame into a :class:`_Tx`: integer account codes, int64 nanosecond times,
sorted by time then transfer id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["TRANSFER_COLUMNS", "_Tx", "_ns", "_prepare"]

TRANSFER_COLUMNS = ("txn_id", "source", "target", "amount", "at")


@dataclass
class _Tx:
    """Transfers as sorted arrays: integer account codes, int64 ns times."""

    txn: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    amount: np.ndarray
    t: np.ndarray
    names: np.ndarray
    currency: np.ndarray | None
    tz: Any

    def __len__(self) -> int:
        return len(self.t)

    def subset(self, mask: np.ndarray) -> _Tx:
        return replace(self, txn=self.txn[mask], src=self.src[mask], dst=self.dst[mask],
                       amount=self.amount[mask], t=self.t[mask],
                       currency=None if self.currency is None else self.currency[mask])

    def ts(self, ns: int | np.integer) -> pd.Timestamp:
        out = pd.Timestamp(int(ns), unit="ns")
        return out.tz_localize("UTC").tz_convert(self.tz) if self.tz is not None else out


def _ns(td: dt.timedelta | pd.Timedelta) -> int:
    return int(pd.Timedelta(td).value)


def _prepare(transfers: pd.DataFrame, min_amount: float = 0.0, drop_self: bool = False) -> _Tx:
    need = list(TRANSFER_COLUMNS)
    missing = [c for c in need if c not in transfers.columns]
    if missing:
        raise ValueError(f"transfers lack columns {missing}")
    at = pd.to_datetime(transfers["at"])
    tz = getattr(at.dt, "tz", None)
    t = pd.DatetimeIndex(at).as_unit("ns").asi8
    amount = pd.to_numeric(transfers["amount"], errors="coerce").to_numpy(dtype="float64")
    keep = ~np.isnan(amount) & ~at.isna().to_numpy() & (amount >= min_amount)
    keep &= transfers["source"].notna().to_numpy() & transfers["target"].notna().to_numpy()
    names, codes = np.unique(
        np.concatenate([transfers["source"].to_numpy(dtype=object), transfers["target"].to_numpy(dtype=object)])
        .astype(str), return_inverse=True)
    n = len(transfers)
    src, dst = codes[:n].astype(np.int64), codes[n:].astype(np.int64)
    if drop_self:
        keep &= src != dst
    txn = transfers["txn_id"].to_numpy(dtype=object)
    cur = transfers["currency"].to_numpy(dtype=object) if "currency" in transfers.columns else None
    idx = np.flatnonzero(keep)
    order = idx[np.lexsort((txn[idx].astype(str), t[idx]))]
    return _Tx(txn=txn[order], src=src[order], dst=dst[order], amount=amount[order], t=t[order],
               names=names.astype(object), currency=None if cur is None else cur[order], tz=tz)
