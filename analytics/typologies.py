"""Laundering typologies on bank transfers.

Transfers are rows ``txn_id, source, target, amount, currency, at`` (``at`` a
datetime; naive or time-zone aware, not mixed).  Everything here is a pure
function on that DataFrame and returns a tidy DataFrame.

*Typologies* (:func:`typologies`) are the patterns of the FATF/Egmont
literature as agreed in the project conventions (kinds ``fan_in``,
``fan_out``, ``scatter_gather``, ``gather_scatter``, ``cycle``,
``pass_through``, ``structuring``).  Detection uses sorted arrays, binary
search and grouped sliding windows (no all-pairs joins), and a
window-bounded depth-first search restricted to strongly connected components
for cycles, so 10^5–10^6 transfers take seconds to minutes.

Temporal tracing of money trails is in :mod:`analytics.trace`.

References
----------
.. [1] FATF (2018). *Professional Money Laundering*. FATF, Paris.
.. [2] Altman, E. et al. (2023). Realistic Synthetic Financial Transactions for
   Anti-Money Laundering Models. NeurIPS Datasets and Benchmarks.
   https://doi.org/10.48550/arXiv.2306.16424 (fan-in/out, scatter-gather,
   gather-scatter, cycle patterns).
.. [3] Kumar, R. & Calders, T. (2018). 2SCENT: An Efficient Algorithm to
   Enumerate All Simple Temporal Cycles. PVLDB 11(11).
   https://doi.org/10.14778/3236187.3236189
"""

from __future__ import annotations

import bisect
import datetime as dt
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from analytics._transfers import _ns, _prepare, _Tx

__all__ = [
    "KINDS",
    "FINDING_COLUMNS",
    "TypologyConfig",
    "typologies",
    "fan_in",
    "fan_out",
    "scatter_gather",
    "gather_scatter",
    "cycles",
    "pass_through",
    "structuring",
    "slow_fan_in",
    "slow_fan_out",
    "slow_cycles",
    "SCALES",
]

KINDS = ("fan_in", "fan_out", "scatter_gather", "gather_scatter", "cycle", "pass_through", "structuring")
FINDING_COLUMNS = ["kind", "accounts", "transfers", "amount", "start", "end", "reason", "scale"]
#: the time scales a finding can come from (``scale`` column)
SCALES = ("fast", "slow")
_NS = {"h": 3_600_000_000_000, "d": 86_400_000_000_000}


@dataclass(frozen=True)
class TypologyConfig:
    """Parameters of :func:`typologies` (defaults from the project conventions).

    Attributes
    ----------
    window : timedelta
        Fan-in / fan-out / scatter-gather / gather-scatter window (72 h).
    min_counterparties : int
        Distinct senders (fan-in) or recipients (fan-out), default 5.
    min_intermediaries : int
        Distinct intermediaries for scatter-gather, distinct senders *and*
        recipients for gather-scatter, default 3.
    cycle_window : timedelta
        Last hop of a cycle at most this long after its first (7 days).
    cycle_min_len, cycle_max_len : int
        Cycle length in transfers (2–6).
    pass_through_ratio : float
        Share of an incoming amount forwarded (0.9).
    pass_through_window : timedelta
        Forwarding delay (24 h).
    pass_through_min : int
        Forwarding events for an account to be flagged (2).
    structuring_window : timedelta
        Window for structuring (7 days).
    structuring_min : int
        Transfers in the band (3).
    structuring_low : float
        Band is ``[structuring_low * T, T)`` (0.8).
    currency : str or None
        When set, structuring only counts transfers in this currency.
    max_cycles : int
        Stop the cycle search (with a warning) after this many cycles.
    fan_dedicated_share : float
        Second cue of a *fast* fan-in / fan-out (0.5): a counterparty is
        *dedicated* when at least this share of all it sent (fan-in) or
        received (fan-out) went to / came from the central account.  A burst of
        counterparties is a finding only when at least half of them are
        dedicated or half of them (and at least ``min_counterparties``) moved
        similar amounts (within ``similar_tolerance``): a burst of ordinary customers paying one
        busy account is not laundering.  ``0`` turns the cue off.
    similar_tolerance : float
        Amounts are *similar* when the largest is at most ``1 + tolerance``
        times the smallest (0.25 for fan-in / fan-out).
    slow_window : timedelta
        The *slow* time scale (180 days): fan-ins, fan-outs and cycles that
        span weeks or months, which the fast windows cannot see.  ``None``
        turns the slow scale off.
    slow_min_counterparties : int
        Distinct counterparties of a slow fan-in / fan-out (3) paying similar
        amounts (``similar_tolerance``) within ``slow_window``, with at least
        one counterparty paying more than once (a recurring arrangement, not
        a few chance payments).
    cycle_tolerance : float
        A slow cycle is a ring of transfers carrying the same amount: the
        largest hop at most ``1 + cycle_tolerance`` times the smallest (0.02,
        room for fees), all within ``slow_window``, in any order (money that
        goes round repeatedly need not be seen in hop order).
    """

    window: dt.timedelta = dt.timedelta(hours=72)
    min_counterparties: int = 5
    min_intermediaries: int = 3
    cycle_window: dt.timedelta = dt.timedelta(days=7)
    cycle_min_len: int = 2
    cycle_max_len: int = 6
    pass_through_ratio: float = 0.9
    pass_through_window: dt.timedelta = dt.timedelta(hours=24)
    pass_through_min: int = 2
    structuring_window: dt.timedelta = dt.timedelta(days=7)
    structuring_min: int = 3
    structuring_low: float = 0.8
    currency: str | None = None
    max_cycles: int = 1_000_000
    fan_dedicated_share: float = 0.5
    similar_tolerance: float = 0.25
    slow_window: dt.timedelta | None = dt.timedelta(days=180)
    slow_min_counterparties: int = 3
    cycle_tolerance: float = 0.02


# ------------------------------------------------------- sorted windows
def _window_end(group: np.ndarray, t: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                q_group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index ranges ``[a, b)`` of rows (sorted by ``group, t``) with ``group == q_group``
    and ``lo <= t <= hi``, by binary search on a composite integer key."""
    if len(t) == 0:
        z = np.zeros(len(q_group), dtype=np.int64)
        return z, z
    tmin = min(int(t.min()), int(lo.min()) if len(lo) else 0)
    span = max(int(t.max()), int(hi.max()) if len(hi) else 0) - tmin + 1
    ngroups = int(max(group.max(), q_group.max() if len(q_group) else 0)) + 1
    div = 1
    while (span // div + 2) * ngroups >= 2**62:
        div *= 1000
    m = span // div + 2
    key = group * m + (t - tmin) // div
    a = np.searchsorted(key, q_group * m + (lo - tmin) // div, side="left")
    b = np.searchsorted(key, q_group * m + (hi - tmin) // div, side="right")
    return a.astype(np.int64), b.astype(np.int64)


def _expand(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges ``[a_i, b_i)``: (owner i, index) of every member."""
    lens = np.maximum(b - a, 0)
    owner = np.repeat(np.arange(len(a)), lens)
    if len(owner) == 0:
        return owner, owner
    starts = np.repeat(a - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    return owner, starts + np.arange(len(owner))


class _Sorted:
    """Transfers sorted by an account key (``src`` or ``dst``) then time."""

    def __init__(self, tx: _Tx, by: str) -> None:
        key = getattr(tx, by)
        self.order = np.lexsort((tx.t, key))
        self.key = key[self.order]
        self.t = tx.t[self.order]

# -------------------------------------------------------------- findings
class _Findings:
    def __init__(self, tx: _Tx) -> None:
        self.tx = tx
        self.rows: list[dict[str, Any]] = []

    def add(self, kind: str, accounts: Iterable[int], idx: Iterable[int], amount: float, reason: str,
            scale: str = "fast") -> None:
        ix = np.unique(np.fromiter(idx, dtype=np.int64))
        self.rows.append({
            "kind": kind,
            "accounts": [str(self.tx.names[a]) for a in dict.fromkeys(int(x) for x in accounts)],
            "transfers": [self.tx.txn[i] for i in ix],
            "amount": float(amount),
            "start": self.tx.ts(self.tx.t[ix].min()),
            "end": self.tx.ts(self.tx.t[ix].max()),
            "reason": reason,
            "scale": scale,
        })

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=FINDING_COLUMNS)


def _hours(ns: int) -> str:
    """A duration for a reason, to a tenth: ``"24 h"``, ``"67.5 h"``, ``"2.8 days"``.

    >>> _hours(24 * _NS["h"]), _hours(int(2.81547 * 24 * _NS["h"]))
    ('24 h', '2.8 days')
    """
    h = ns / _NS["h"]
    return f"{round(h, 1):g} h" if h < 48 else f"{round(h / 24, 1):g} days"


def _pair_share(tx: _Tx, center_by: str) -> dict[tuple[int, int], float]:
    """For fan-in (center = target): share of each sender's total sent amount that
    went to each recipient, keyed ``(center, other)``; mirrored for fan-out."""
    other = tx.src if center_by == "dst" else tx.dst
    center = tx.dst if center_by == "dst" else tx.src
    df = pd.DataFrame({"c": center, "o": other, "a": tx.amount})
    pair = df.groupby(["c", "o"], sort=False)["a"].sum()
    total = df.groupby("o")["a"].sum()
    share = pair / total.reindex(pair.index.get_level_values("o")).to_numpy()
    return {(int(c), int(o)): float(v) for (c, o), v in share.items()}


def _similar_parties(amount: np.ndarray, party: np.ndarray, k: int, tol: float) -> bool:
    """Are there ≥ k distinct parties whose transfers lie in one band [a, a·(1+tol)]?"""
    order = np.argsort(amount, kind="stable")
    a, p = amount[order], party[order]
    hi = np.searchsorted(a, a * (1 + tol), side="right")
    return any(len(set(p[i:hi[i]].tolist())) >= k for i in range(len(a)) if hi[i] - i >= k)


def _fan(tx: _Tx, center_by: str, k: int, window: int, kind: str, *, dedicated: float = 0.0,
         tol: float = 0.25) -> pd.DataFrame:
    """Fan-in (center = target) or fan-out (center = source): ≥ k distinct
    counterparties within ``window``; overlapping qualifying windows of an
    account merge into one finding.  With ``dedicated`` > 0 a burst is kept
    only when half its counterparties are dedicated (≥ ``dedicated`` of their
    flow is with the center) or half of them (≥ k) moved similar amounts (``tol``)."""
    out = _Findings(tx)
    share = _pair_share(tx, center_by) if dedicated > 0 else {}
    other_by = "src" if center_by == "dst" else "dst"
    s = _Sorted(tx, center_by)
    other = getattr(tx, other_by)[s.order]
    a, b = _window_end(s.key, s.t, s.t, s.t + window, s.key)
    cand = (b - np.arange(len(s.t))) >= k
    if not cand.any():
        return out.frame()
    bounds = np.searchsorted(s.key, np.unique(s.key[cand]))
    ends = np.searchsorted(s.key, s.key[bounds], side="right")
    other_l, b_l = other.tolist(), b.tolist()
    word = "senders" if kind == "fan_in" else "recipients"
    for g0, g1 in zip(bounds.tolist(), ends.tolist(), strict=True):
        counter: Counter[int] = Counter()
        hi = g0
        episodes: list[list[int]] = []  # [lo, hi)
        for i in range(g0, g1):
            while hi < b_l[i]:
                counter[other_l[hi]] += 1
                hi += 1
            if len(counter) >= k:
                if episodes and i < episodes[-1][1]:
                    episodes[-1][1] = b_l[i]
                else:
                    episodes.append([i, b_l[i]])
            c = other_l[i]
            counter[c] -= 1
            if not counter[c]:
                del counter[c]
        for lo, up in episodes:
            idx = s.order[lo:up]
            parties = sorted(set(other[lo:up].tolist()))
            amt = float(tx.amount[idx].sum())
            cue = ""
            if dedicated > 0:
                centre = int(s.key[lo])
                n_ded = sum(1 for o in parties if share.get((centre, o), 0.0) >= dedicated)
                if 2 * n_ded >= len(parties):
                    cue = f"; {n_ded} of them deal mostly with this account"
                elif _similar_parties(tx.amount[idx], other[lo:up], max(k, (len(parties) + 1) // 2), tol):
                    cue = "; at least half of them moved similar amounts"
                else:
                    continue
            out.add(kind, [int(s.key[lo]), *parties], idx, amt,
                    f"{len(parties)} distinct {word} in {up - lo} transfers totalling {amt:,.2f}, "
                    f"each within {_hours(window)} of the window start{cue}")
    return out.frame()


def _scatter_gather(tx: _Tx, m: int, window: int) -> pd.DataFrame:
    """A → B_i → C with ≥ m distinct B, B's forward no earlier than its receipt,
    everything within ``window`` of the first scatter transfer."""
    out = _Findings(tx)
    n_acc = len(tx.names)
    pairs_sd = np.unique(np.stack([tx.src, tx.dst]), axis=1) if len(tx) else np.zeros((2, 0), np.int64)
    out_deg = np.bincount(pairs_sd[0], minlength=n_acc)
    in_deg = np.bincount(pairs_sd[1], minlength=n_acc)
    e1 = np.flatnonzero(out_deg[tx.src] >= m)
    e2_mask = in_deg[tx.dst] >= m
    s = _Sorted(tx.subset(e2_mask), "src")
    e2_global = np.flatnonzero(e2_mask)[s.order]
    a, b = _window_end(s.key, s.t, tx.t[e1], tx.t[e1] + window, tx.dst[e1])
    owner, pos = _expand(a, b)
    p1 = e1[owner]
    p2 = e2_global[pos]
    keep = tx.dst[p2] != tx.src[p1]
    p1, p2 = p1[keep], p2[keep]
    if not len(p1):
        return out.frame()
    df = pd.DataFrame({"A": tx.src[p1], "C": tx.dst[p2], "B": tx.dst[p1], "t1": tx.t[p1], "t2": tx.t[p2],
                       "e1": p1, "e2": p2})
    nb = df.groupby(["A", "C"])["B"].transform("nunique")
    df = df[nb >= m].sort_values(["A", "C", "t1", "t2"], kind="stable")
    for (_, _), g in df.groupby(["A", "C"], sort=False):
        _episodes_pairs(out, tx, g, m, window, "scatter_gather")
    return out.frame()


def _episodes_pairs(out: _Findings, tx: _Tx, g: pd.DataFrame, m: int, window: int, kind: str) -> None:
    t1 = g["t1"].to_numpy()
    t2 = g["t2"].to_numpy()
    bb = g["B"].to_numpy()
    e1 = g["e1"].to_numpy()
    e2 = g["e2"].to_numpy()
    end = np.searchsorted(t1, t1 + window, side="right")
    episodes: list[tuple[int, set[int]]] = []  # (hi, members)
    for i in range(len(t1)):
        js = np.arange(i, end[i])
        js = js[t2[js] <= t1[i] + window]
        if len(np.unique(bb[js])) < m:
            continue
        if episodes and i < episodes[-1][0]:
            episodes[-1] = (int(end[i]), episodes[-1][1] | set(js.tolist()))
        else:
            episodes.append((int(end[i]), set(js.tolist())))
    for _, members in episodes:
        ix = np.fromiter(members, dtype=np.int64)
        first_legs = np.unique(e1[ix])
        mids = sorted(set(bb[ix].tolist()))
        amt = float(tx.amount[first_legs].sum())
        a_acc, c_acc = int(tx.src[e1[ix[0]]]), int(tx.dst[e2[ix[0]]])
        out.add(kind, [a_acc, *mids, c_acc], np.concatenate([e1[ix], e2[ix]]), amt,
                f"{tx.names[a_acc]} paid {amt:,.2f} through {len(mids)} intermediaries that forwarded to "
                f"{tx.names[c_acc]} within {_hours(window)}")


def _gather_scatter(tx: _Tx, m: int, window: int) -> pd.DataFrame:
    """G receives from ≥ m distinct senders and pays ≥ m distinct recipients, all
    in a window ``[t, t + window]`` starting at one of the receipts."""
    out = _Findings(tx)
    si = _Sorted(tx, "dst")
    so = _Sorted(tx, "src")
    ia, ib = _window_end(si.key, si.t, si.t, si.t + window, si.key)
    oa, ob = _window_end(so.key, so.t, si.t, si.t + window, si.key)
    cand = ((ib - np.arange(len(si.t))) >= m) & ((ob - oa) >= m)
    if not cand.any():
        return out.frame()
    senders = tx.src[si.order]
    recips = tx.dst[so.order]
    for g in np.unique(si.key[cand]).tolist():
        g0, g1 = np.searchsorted(si.key, [g, g + 1])
        ep: list[list[int]] = []  # [in_lo, in_hi, out_lo, out_hi]
        for i in range(g0, g1):
            if not cand[i]:
                continue
            ns = len(set(senders[i:ib[i]].tolist()))
            nr = len(set(recips[oa[i]:ob[i]].tolist()))
            if ns < m or nr < m:
                continue
            if ep and i < ep[-1][1]:
                ep[-1][1], ep[-1][3] = int(ib[i]), max(ep[-1][3], int(ob[i]))
            else:
                ep.append([i, int(ib[i]), int(oa[i]), int(ob[i])])
        for lo, hi, olo, ohi in ep:
            inc, outg = si.order[lo:hi], so.order[olo:ohi]
            s_set = sorted(set(tx.src[inc].tolist()))
            r_set = sorted(set(tx.dst[outg].tolist()))
            amt = float(tx.amount[inc].sum())
            out.add("gather_scatter", [g, *s_set, *r_set], np.concatenate([inc, outg]), amt,
                    f"received {amt:,.2f} from {len(s_set)} senders and paid {len(r_set)} recipients "
                    f"within {_hours(window)}")
    return out.frame()


def _cycles(tx: _Tx, min_len: int, max_len: int, window: int, max_cycles: int) -> pd.DataFrame:
    """Simple temporal cycles with strictly increasing times, last hop within
    ``window`` of the first; each cycle is enumerated once, from its earliest
    transfer (which is unique because times strictly increase)."""
    out = _Findings(tx)
    n_acc = len(tx.names)
    if not len(tx):
        return out.frame()
    g = csr_matrix((np.ones(len(tx), dtype=np.int8), (tx.src, tx.dst)), shape=(n_acc, n_acc))
    _, comp = connected_components(g, directed=True, connection="strong")
    inner = comp[tx.src] == comp[tx.dst]
    sub = np.flatnonzero(inner)
    if not len(sub):
        return out.frame()
    order = sub[np.lexsort((tx.t[sub], tx.src[sub]))]
    key = tx.src[order]
    first = np.searchsorted(key, np.arange(n_acc + 1)).tolist()
    t_l = tx.t[order].tolist()
    to_l = tx.dst[order].tolist()
    idx_l = order.tolist()
    found: list[list[int]] = []
    stop = False

    def extend(u: int, node: int, t_prev: int, t_max: int, visited: set[int], edges: list[int]) -> None:
        nonlocal stop
        lo, hi = first[node], first[node + 1]
        i = bisect.bisect_right(t_l, t_prev, lo, hi)  # strictly later
        j = bisect.bisect_right(t_l, t_max, lo, hi)
        for k in range(i, j):
            nxt = to_l[k]
            if nxt == u:
                if len(edges) + 1 >= min_len:
                    found.append([*edges, idx_l[k]])
                    if len(found) >= max_cycles:
                        stop = True
                        return
            elif nxt not in visited and len(edges) + 1 < max_len:
                visited.add(nxt)
                edges.append(idx_l[k])
                extend(u, nxt, t_l[k], t_max, visited, edges)
                edges.pop()
                visited.discard(nxt)
                if stop:
                    return

    for e0 in sub[np.argsort(tx.t[sub], kind="stable")].tolist():
        u, v = int(tx.src[e0]), int(tx.dst[e0])
        t0 = int(tx.t[e0])
        extend(u, v, t0, t0 + window, {u, v}, [e0])
        if stop:
            warnings.warn(f"cycle search stopped at max_cycles={max_cycles}", RuntimeWarning, stacklevel=3)
            break
    for c in found:
        ix = np.asarray(c, dtype=np.int64)
        amt = float(tx.amount[ix].min())
        out.add("cycle", tx.src[ix].tolist(), ix, amt,
                f"{len(c)} transfers returned to {tx.names[tx.src[ix[0]]]} within "
                f"{_hours(int(tx.t[ix[-1]] - tx.t[ix[0]]))}; at most {amt:,.2f} went round")
    return out.frame()


def _pass_through(tx: _Tx, ratio: float, window: int, min_events: int) -> pd.DataFrame:
    """An incoming transfer to B followed, within ``window`` (at or after it), by
    outgoing transfers of B summing to ≥ ratio × its amount; ≥ ``min_events`` per account."""
    out = _Findings(tx)
    so = _Sorted(tx, "src")
    amt_o = tx.amount[so.order]
    csum = np.concatenate([[0.0], np.cumsum(amt_o)])
    a, b = _window_end(so.key, so.t, tx.t, tx.t + window, tx.dst)
    forwarded = csum[b] - csum[a]
    ok = (b > a) & (forwarded >= ratio * tx.amount) & (tx.amount > 0)
    inc = np.flatnonzero(ok)
    if not len(inc):
        return out.frame()
    counts = np.bincount(tx.dst[inc], minlength=len(tx.names))
    inc = inc[counts[tx.dst[inc]] >= min_events]
    inc = inc[np.argsort(tx.dst[inc], kind="stable")]
    for acc, grp in pd.Series(inc).groupby(tx.dst[inc], sort=True):
        ii = grp.to_numpy()
        _, pos = _expand(a[ii], b[ii])
        outs = so.order[pos]
        senders = sorted(set(tx.src[ii].tolist()))
        recips = sorted(set(tx.dst[outs].tolist()) - {int(acc)})
        amt = float(tx.amount[ii].sum())
        out.add("pass_through", [int(acc), *senders, *recips], np.concatenate([ii, outs]), amt,
                f"forwarded ≥ {ratio:.0%} of {len(ii)} incoming transfers ({amt:,.2f}) "
                f"within {_hours(window)}")
    return out.frame()


def _structuring(tx: _Tx, threshold: float, low: float, n_min: int, window: int,
                 currency: str | None) -> pd.DataFrame:
    """≥ n_min transfers from one account in ``[low·T, T)`` within ``window``,
    summing to ≥ T; overlapping windows merge."""
    mask = (tx.amount >= low * threshold) & (tx.amount < threshold)
    if currency is not None and tx.currency is not None:
        mask &= tx.currency == currency
    sub = tx.subset(mask)
    out = _Findings(tx)
    if not len(sub):
        return out.frame()
    s = _Sorted(sub, "src")
    amt = sub.amount[s.order]
    csum = np.concatenate([[0.0], np.cumsum(amt)])
    start = np.arange(len(s.t))
    _, b = _window_end(s.key, s.t, s.t, s.t + window, s.key)
    qual = np.flatnonzero(((b - start) >= n_min) & ((csum[b] - csum[start]) >= threshold))
    if not len(qual):
        return out.frame()
    glob = np.flatnonzero(mask)[s.order]
    ep: list[list[int]] = []
    for i in qual.tolist():
        if ep and i < ep[-1][1] and s.key[i] == s.key[ep[-1][0]]:
            ep[-1][1] = int(b[i])
        else:
            ep.append([i, int(b[i])])
    for lo, hi in ep:
        idx = glob[lo:hi]
        total = float(amt[lo:hi].sum())
        out.add("structuring", [int(s.key[lo]), *sorted(set(sub.dst[s.order[lo:hi]].tolist()))], idx, total,
                f"{hi - lo} transfers each in [{low * threshold:,.0f}, {threshold:,.0f}) totalling "
                f"{total:,.2f} within {_hours(window)}")
    return out.frame()


# ------------------------------------------------------------ slow scale
def _days(ns: int) -> str:
    return f"{ns / _NS['d']:,.0f} days"


def _slow_fan(tx: _Tx, center_by: str, k: int, tol: float, window: int, kind: str) -> pd.DataFrame:
    """Slow fan-in (center = target) / fan-out (center = source): ≥ k distinct
    counterparties whose transfers with the center lie in one amount band
    ``[a, a·(1+tol)]`` within ``window``, at least one of them more than once
    (a recurring arrangement).  One finding per center: the union of its bands."""
    out = _Findings(tx)
    if not len(tx):
        return out.frame()
    center = tx.dst if center_by == "dst" else tx.src
    other = tx.src if center_by == "dst" else tx.dst
    # only centers with a counterparty that pays (or is paid) more than once can qualify
    pairs = pd.DataFrame({"c": center, "o": other}).value_counts()
    rep = {int(c) for c, _ in pairs[pairs >= 2].index}
    n_o = pd.Series(other).groupby(center).nunique()
    cands = sorted(rep & {int(c) for c in n_o[n_o >= k].index})
    if not cands:
        return out.frame()
    order = np.lexsort((tx.amount, center))
    ckey = center[order]
    word = "senders" if kind == "fan_in" else "recipients"
    verb = "paid" if kind == "fan_in" else "were paid"
    for c in cands:
        lo, hi = np.searchsorted(ckey, [c, c + 1])
        idx = order[lo:hi]
        a, o, t = tx.amount[idx], other[idx], tx.t[idx]
        top = np.searchsorted(a, a * (1 + tol), side="right")
        members: set[int] = set()
        for i in range(len(a)):
            j = int(top[i])
            if j - i <= k or j <= i:
                continue
            band_o = o[i:j]
            if len(set(band_o.tolist())) < k or int(t[i:j].max() - t[i:j].min()) > window:
                continue
            if len(set(band_o.tolist())) == j - i:  # nobody more than once
                continue
            members.update(range(i, j))
        if not members:
            continue
        m = np.fromiter(sorted(members), dtype=np.int64)
        ix = idx[m]
        parties = sorted(set(o[m].tolist()))
        counts = Counter(o[m].tolist())
        repeat = sum(1 for v in counts.values() if v > 1)
        amt = float(tx.amount[ix].sum())
        span = int(tx.t[ix].max() - tx.t[ix].min())
        out.add(kind, [c, *parties], ix, amt,
                f"{len(parties)} {word} {verb} {len(ix)} similar amounts ({float(a[m].min()):,.2f}–"
                f"{float(a[m].max()):,.2f}, {amt:,.2f} in all) over {_days(span)}; "
                f"{repeat} of them more than once", scale="slow")
    return out.frame()


def _slow_cycles(tx: _Tx, min_len: int, max_len: int, tol: float, window: int, max_cycles: int) -> pd.DataFrame:
    """Rings of transfers carrying the same amount (largest hop ≤ (1+tol) × smallest),
    all within ``window`` of each other, in any order; one finding per ring of
    accounts (enumerated once, from its smallest account code)."""
    out = _Findings(tx)
    n_acc = len(tx.names)
    if not len(tx):
        return out.frame()
    g = csr_matrix((np.ones(len(tx), dtype=np.int8), (tx.src, tx.dst)), shape=(n_acc, n_acc))
    _, comp = connected_components(g, directed=True, connection="strong")
    sub = np.flatnonzero(comp[tx.src] == comp[tx.dst])
    if not len(sub):
        return out.frame()
    order = sub[np.lexsort((tx.t[sub], tx.amount[sub], tx.dst[sub], tx.src[sub]))]
    # adjacency: src -> [(dst, [(amount, t, index)...])] with duplicate (amount, t) collapsed
    adj: dict[int, list[tuple[int, list[tuple[float, int, int]]]]] = {}
    for s_, d_, a_, t_, i_ in zip(tx.src[order].tolist(), tx.dst[order].tolist(), tx.amount[order].tolist(),
                                  tx.t[order].tolist(), order.tolist(), strict=True):
        lst = adj.setdefault(s_, [])
        if not lst or lst[-1][0] != d_:
            lst.append((d_, []))
        legs = lst[-1][1]
        if not legs or legs[-1][:2] != (a_, t_):
            legs.append((a_, t_, i_))
    rings: dict[tuple[int, ...], None] = {}
    stop = False

    def extend(start: int, node: int, lo: float, hi: float, t0: int, t1: int, path: list[int]) -> None:
        nonlocal stop
        for nxt, legs in adj.get(node, ()):
            if nxt < start or (nxt != start and nxt in path):
                continue
            if nxt != start and len(path) >= max_len:
                continue
            tried: set[tuple[float, float, int, int]] = set()
            for a_, t_, _ in legs:
                nlo, nhi, nt0, nt1 = min(lo, a_), max(hi, a_), min(t0, t_), max(t1, t_)
                if nhi > nlo * (1 + tol) or nt1 - nt0 > window:
                    continue
                if nxt == start:
                    if len(path) >= min_len:
                        rings.setdefault(tuple(path))
                        if len(rings) >= max_cycles:
                            stop = True
                    break
                key = (nlo, nhi, nt0, nt1)
                if key in tried:
                    continue
                tried.add(key)
                path.append(nxt)
                extend(start, nxt, nlo, nhi, nt0, nt1, path)
                path.pop()
                if stop:
                    return

    for s0 in sorted(adj):
        for nxt, legs in adj[s0]:
            if nxt <= s0:
                continue
            seen: set[tuple[float, int]] = set()
            for a_, t_, _ in legs:
                if (a_, t_) in seen:
                    continue
                seen.add((a_, t_))
                extend(s0, nxt, a_, a_, t_, t_, [s0, nxt])
                if stop:
                    break
            if stop:
                break
        if stop:
            warnings.warn(f"slow cycle search stopped at max_cycles={max_cycles}", RuntimeWarning, stacklevel=3)
            break
    pair_rows = pd.Series(np.arange(len(tx))).groupby([tx.src, tx.dst]).indices if rings else {}
    for ring in rings:
        ix: list[np.ndarray] = []
        ref = float(np.median(np.concatenate([tx.amount[pair_rows[(a, b)]]
                                              for a, b in zip(ring, [*ring[1:], ring[0]], strict=True)])))
        for a, b in zip(ring, [*ring[1:], ring[0]], strict=True):
            rows = np.asarray(pair_rows[(a, b)])
            fit = rows[np.abs(tx.amount[rows] - ref) <= tol * ref]
            ix.append(fit if len(fit) else rows[[int(np.argmin(np.abs(tx.amount[rows] - ref)))]])
        members = np.concatenate(ix)
        span = int(tx.t[members].max() - tx.t[members].min())
        amt = float(tx.amount[members].min())
        out.add("cycle", list(ring), members, amt,
                f"a ring of {len(ring)} accounts passed the same amount (≈{ref:,.2f}) round in "
                f"{len(members)} transfers over {_days(span)}, in any order", scale="slow")
    return out.frame()


# ------------------------------------------------------------ public API
def _cfg(config: TypologyConfig | None, overrides: dict[str, Any]) -> TypologyConfig:
    return replace(config or TypologyConfig(), **{k: v for k, v in overrides.items() if v is not None})


def fan_in(transfers: pd.DataFrame, *, window: dt.timedelta | None = None, k: int | None = None,
           dedicated_share: float | None = None) -> pd.DataFrame:
    """Accounts receiving from ≥ k distinct senders within ``window`` (defaults 5, 72 h).

    Overlapping qualifying windows of one account form one finding; its
    ``accounts`` list starts with the receiving account.  A burst counts only
    with a second cue (see :attr:`TypologyConfig.fan_dedicated_share`: half
    the senders send mostly to this account, or half of them similar amounts);
    ``dedicated_share=0`` counts every burst.  The slow scale is
    :func:`slow_fan_in`.

    Examples
    --------
    >>> t = pd.DataFrame({"txn_id": list("abcde"), "source": list("PQRST"), "target": ["Z"] * 5,
    ...                   "amount": [10.0] * 5, "at": pd.date_range("2024-01-01", periods=5, freq="h")})
    >>> fan_in(t)[["accounts", "amount"]].values.tolist()
    [[['Z', 'P', 'Q', 'R', 'S', 'T'], 50.0]]
    """
    c = _cfg(None, {"window": window, "min_counterparties": k, "fan_dedicated_share": dedicated_share})
    return _fan(_prepare(transfers, drop_self=True), "dst", c.min_counterparties, _ns(c.window), "fan_in",
                dedicated=c.fan_dedicated_share, tol=c.similar_tolerance)


def fan_out(transfers: pd.DataFrame, *, window: dt.timedelta | None = None, k: int | None = None,
            dedicated_share: float | None = None) -> pd.DataFrame:
    """Accounts paying ≥ k distinct recipients within ``window`` (defaults 5, 72 h), with
    the same second cue as :func:`fan_in` (recipients fed mostly by this account,
    or similar amounts).

    Examples
    --------
    >>> t = pd.DataFrame({"txn_id": list("abcde"), "source": ["Z"] * 5, "target": list("PQRST"),
    ...                   "amount": [10.0] * 5, "at": pd.date_range("2024-01-01", periods=5, freq="h")})
    >>> fan_out(t)["accounts"].tolist()
    [['Z', 'P', 'Q', 'R', 'S', 'T']]
    """
    c = _cfg(None, {"window": window, "min_counterparties": k, "fan_dedicated_share": dedicated_share})
    return _fan(_prepare(transfers, drop_self=True), "src", c.min_counterparties, _ns(c.window), "fan_out",
                dedicated=c.fan_dedicated_share, tol=c.similar_tolerance)


def scatter_gather(transfers: pd.DataFrame, *, window: dt.timedelta | None = None,
                   m: int | None = None) -> pd.DataFrame:
    """A → B₁…Bₘ → C: ≥ m distinct intermediaries (default 3) each forward to C no
    earlier than they received, all within ``window`` (72 h) of the first
    scatter transfer.  ``accounts`` = ``[A, B…, C]``; amount = sum of the
    scatter transfers.

    Examples
    --------
    >>> at = pd.to_datetime(["2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 02:00",
    ...                      "2024-01-01 05:00", "2024-01-01 06:00", "2024-01-01 07:00"])
    >>> t = pd.DataFrame({"txn_id": list("abcdef"), "source": ["A", "A", "A", "B1", "B2", "B3"],
    ...                   "target": ["B1", "B2", "B3", "C", "C", "C"], "amount": [10.0] * 6, "at": at})
    >>> scatter_gather(t)["accounts"].tolist()
    [['A', 'B1', 'B2', 'B3', 'C']]
    """
    c = _cfg(None, {"window": window, "min_intermediaries": m})
    return _scatter_gather(_prepare(transfers, drop_self=True), c.min_intermediaries, _ns(c.window))


def gather_scatter(transfers: pd.DataFrame, *, window: dt.timedelta | None = None,
                   m: int | None = None) -> pd.DataFrame:
    """G receives from ≥ m distinct senders and pays ≥ m distinct recipients inside one
    ``window`` (72 h) that starts at one of the receipts (default m = 3).
    ``accounts`` = ``[G, senders…, recipients…]``; amount = sum received.

    Examples
    --------
    >>> at = pd.date_range("2024-01-01", periods=6, freq="h")
    >>> t = pd.DataFrame({"txn_id": list("abcdef"), "source": ["S1", "S2", "S3", "G", "G", "G"],
    ...                   "target": ["G", "G", "G", "R1", "R2", "R3"], "amount": [10.0] * 6, "at": at})
    >>> gather_scatter(t)["accounts"].tolist()
    [['G', 'S1', 'S2', 'S3', 'R1', 'R2', 'R3']]
    """
    c = _cfg(None, {"window": window, "min_intermediaries": m})
    return _gather_scatter(_prepare(transfers, drop_self=True), c.min_intermediaries, _ns(c.window))


def cycles(transfers: pd.DataFrame, *, window: dt.timedelta | None = None, min_len: int | None = None,
           max_len: int | None = None, max_cycles: int | None = None) -> pd.DataFrame:
    """Temporal cycles: 2–6 transfers with strictly increasing times, returning to
    the first account within ``window`` (7 days).  ``amount`` is the minimum
    transfer of the cycle (the most that can have gone round); ``accounts`` in
    cycle order from the account of the earliest transfer.

    Search: restrict to transfers inside a strongly connected component
    (scipy), then a depth-first search from each transfer bounded by length
    and time, in the spirit of 2SCENT [3]_.

    Examples
    --------
    >>> t = pd.DataFrame({"txn_id": ["a", "b", "c"], "source": ["X", "Y", "Z"], "target": ["Y", "Z", "X"],
    ...                   "amount": [100.0, 95.0, 90.0],
    ...                   "at": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])})
    >>> cycles(t)[["accounts", "transfers", "amount"]].values.tolist()
    [[['X', 'Y', 'Z'], ['a', 'b', 'c'], 90.0]]
    """
    c = _cfg(None, {"cycle_window": window, "cycle_min_len": min_len, "cycle_max_len": max_len,
                    "max_cycles": max_cycles})
    return _cycles(_prepare(transfers, drop_self=True), c.cycle_min_len, c.cycle_max_len,
                   _ns(c.cycle_window), c.max_cycles)


def pass_through(transfers: pd.DataFrame, *, ratio: float | None = None, window: dt.timedelta | None = None,
                 min_events: int | None = None) -> pd.DataFrame:
    """Mule accounts: ≥ ``min_events`` (2) incoming transfers each followed within
    ``window`` (24 h, at or after the receipt) by outgoing transfers summing
    to ≥ ``ratio`` (90 %) of it.  One finding per account: ``accounts`` =
    ``[mule, senders…, recipients…]``, amount = sum of forwarded receipts.

    Examples
    --------
    >>> at = pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-03 09:00",
    ...                      "2024-01-03 12:00"])
    >>> t = pd.DataFrame({"txn_id": list("abcd"), "source": ["S", "M", "S", "M"], "target": ["M", "R"] * 2,
    ...                   "amount": [100.0, 95.0, 50.0, 48.0], "at": at})
    >>> pass_through(t)[["accounts", "amount"]].values.tolist()
    [[['M', 'S', 'R'], 150.0]]
    """
    c = _cfg(None, {"pass_through_ratio": ratio, "pass_through_window": window, "pass_through_min": min_events})
    return _pass_through(_prepare(transfers, drop_self=True), c.pass_through_ratio,
                         _ns(c.pass_through_window), c.pass_through_min)


def structuring(transfers: pd.DataFrame, threshold: float = 2_000_000, *, low: float | None = None,
                n_min: int | None = None, window: dt.timedelta | None = None,
                currency: str | None = None) -> pd.DataFrame:
    """Smurfing under a reporting threshold T: ≥ ``n_min`` (3) transfers from one
    account within ``window`` (7 days), each in ``[low·T, T)`` (low 0.8),
    summing to ≥ T.  T defaults to THB 2,000,000 (AMLO cash reporting).

    Examples
    --------
    >>> t = pd.DataFrame({"txn_id": list("abc"), "source": ["A"] * 3, "target": ["B", "C", "D"],
    ...                   "amount": [1_900_000.0, 1_800_000.0, 1_950_000.0],
    ...                   "at": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-04"])})
    >>> structuring(t)[["accounts", "amount"]].values.tolist()
    [[['A', 'B', 'C', 'D'], 5650000.0]]
    """
    c = _cfg(None, {"structuring_low": low, "structuring_min": n_min, "structuring_window": window,
                    "currency": currency})
    return _structuring(_prepare(transfers, drop_self=True), threshold, c.structuring_low, c.structuring_min,
                        _ns(c.structuring_window), c.currency)


def slow_fan_in(transfers: pd.DataFrame, *, window: dt.timedelta | None = None, k: int | None = None,
                tolerance: float | None = None) -> pd.DataFrame:
    """Slow fan-in: ≥ k (3) senders paying one account similar amounts (largest ≤
    1.25 × smallest) within ``window`` (180 days), at least one of them more
    than once.  One finding per receiving account (``scale`` = ``"slow"``).

    Examples
    --------
    >>> at = pd.to_datetime(["2024-01-05", "2024-01-05", "2024-02-20", "2024-04-02", "2024-04-02"])
    >>> t = pd.DataFrame({"txn_id": list("abcde"), "source": ["P", "P", "Q", "R", "R"], "target": ["Z"] * 5,
    ...                   "amount": [3.2, 3.3, 3.1, 3.6, 3.0], "at": at})
    >>> slow_fan_in(t)[["accounts", "scale"]].values.tolist()
    [[['Z', 'P', 'Q', 'R'], 'slow']]
    """
    c = _cfg(None, {"slow_window": window, "slow_min_counterparties": k, "similar_tolerance": tolerance})
    w = c.slow_window or dt.timedelta(days=180)
    return _slow_fan(_prepare(transfers, drop_self=True), "dst", c.slow_min_counterparties, c.similar_tolerance,
                     _ns(w), "fan_in")


def slow_fan_out(transfers: pd.DataFrame, *, window: dt.timedelta | None = None, k: int | None = None,
                 tolerance: float | None = None) -> pd.DataFrame:
    """Slow fan-out: one account paying ≥ k (3) recipients similar amounts within
    ``window`` (180 days), at least one of them more than once."""
    c = _cfg(None, {"slow_window": window, "slow_min_counterparties": k, "similar_tolerance": tolerance})
    w = c.slow_window or dt.timedelta(days=180)
    return _slow_fan(_prepare(transfers, drop_self=True), "src", c.slow_min_counterparties, c.similar_tolerance,
                     _ns(w), "fan_out")


def slow_cycles(transfers: pd.DataFrame, *, window: dt.timedelta | None = None, tolerance: float | None = None,
                min_len: int | None = None, max_len: int | None = None,
                max_cycles: int | None = None) -> pd.DataFrame:
    """Slow cycles: rings of 2–6 accounts passing the same amount round (largest hop ≤
    1.02 × smallest) within ``window`` (180 days), in any order — a ring that
    recurs over months is seen in whatever order its hops happen to fall.

    Examples
    --------
    >>> t = pd.DataFrame({"txn_id": ["a", "b", "c"], "source": ["X", "Y", "Z"], "target": ["Y", "Z", "X"],
    ...                   "amount": [11.51, 11.51, 11.51],
    ...                   "at": pd.to_datetime(["2024-03-01", "2024-01-10", "2024-05-02"])})
    >>> slow_cycles(t)[["accounts", "transfers"]].values.tolist()  # transfers in time order
    [[['X', 'Y', 'Z'], ['b', 'a', 'c']]]
    """
    c = _cfg(None, {"slow_window": window, "cycle_tolerance": tolerance, "cycle_min_len": min_len,
                    "cycle_max_len": max_len, "max_cycles": max_cycles})
    w = c.slow_window or dt.timedelta(days=180)
    return _slow_cycles(_prepare(transfers, drop_self=True), c.cycle_min_len, c.cycle_max_len, c.cycle_tolerance,
                        _ns(w), c.max_cycles)


def typologies(
    transfers: pd.DataFrame,
    threshold: float = 2_000_000,
    *,
    kinds: Iterable[str] | None = None,
    config: TypologyConfig | None = None,
) -> pd.DataFrame:
    """All laundering typologies in one table.

    Parameters
    ----------
    transfers : DataFrame
        ``txn_id, source, target, amount, at`` (+ ``currency``).  Self
        transfers are ignored.
    threshold : float
        Reporting threshold T for structuring (THB 2,000,000 by default).
    kinds : iterable of str, optional
        Subset of :data:`KINDS` to run (default all).
    config : TypologyConfig, optional
        Windows, minimum counts and ratios (defaults in :class:`TypologyConfig`).

    Returns
    -------
    DataFrame
        ``kind, accounts`` (list; the central account first) ``, transfers``
        (list of txn ids) ``, amount, start, end, reason, scale``; one row per
        finding, deduplicated on (kind, set of transfers).  ``scale`` is
        ``"fast"`` (the hour-to-week windows) or ``"slow"`` (fan-in, fan-out
        and cycles over ``config.slow_window``, 180 days by default), so
        patterns that take months are found with the default settings.

    Examples
    --------
    >>> t = pd.DataFrame({"txn_id": ["a", "b"], "source": ["X", "Y"], "target": ["Y", "X"],
    ...                   "amount": [10.0, 9.0], "at": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    >>> typologies(t)["kind"].tolist()
    ['cycle']
    """
    c = config or TypologyConfig()
    chosen = list(KINDS) if kinds is None else list(kinds)
    unknown = set(chosen) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown typology kinds {sorted(unknown)}; choose from {KINDS}")
    tx = _prepare(transfers, drop_self=True)
    w = _ns(c.window)
    sw = None if c.slow_window is None else _ns(c.slow_window)
    ded, tol = c.fan_dedicated_share, c.similar_tolerance

    def both(fast: Any, slow: Any) -> pd.DataFrame:
        frames = [f for f in (fast(), slow() if sw is not None else None) if f is not None and len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FINDING_COLUMNS)

    def cyc() -> pd.DataFrame:
        fast = _cycles(tx, c.cycle_min_len, c.cycle_max_len, _ns(c.cycle_window), c.max_cycles)
        if sw is None:
            return fast
        slow = _slow_cycles(tx, c.cycle_min_len, c.cycle_max_len, c.cycle_tolerance, sw, c.max_cycles)
        if len(fast) and len(slow):  # a ring already found in hop order is not reported twice
            seen = {frozenset(a) for a in fast["accounts"]}
            slow = slow[[frozenset(a) not in seen for a in slow["accounts"]]]
        frames = [f for f in (fast, slow) if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else fast

    runs = {
        "fan_in": lambda: both(lambda: _fan(tx, "dst", c.min_counterparties, w, "fan_in", dedicated=ded, tol=tol),
                               lambda: _slow_fan(tx, "dst", c.slow_min_counterparties, tol, sw or 0, "fan_in")),
        "fan_out": lambda: both(lambda: _fan(tx, "src", c.min_counterparties, w, "fan_out", dedicated=ded, tol=tol),
                                lambda: _slow_fan(tx, "src", c.slow_min_counterparties, tol, sw or 0, "fan_out")),
        "scatter_gather": lambda: _scatter_gather(tx, c.min_intermediaries, w),
        "gather_scatter": lambda: _gather_scatter(tx, c.min_intermediaries, w),
        "cycle": cyc,
        "pass_through": lambda: _pass_through(tx, c.pass_through_ratio, _ns(c.pass_through_window),
                                              c.pass_through_min),
        "structuring": lambda: _structuring(tx, threshold, c.structuring_low, c.structuring_min,
                                            _ns(c.structuring_window), c.currency),
    }
    frames = [f for k in chosen if len(f := runs[k]())]
    if not frames:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    res = pd.concat(frames, ignore_index=True)
    key = [(k, frozenset(t)) for k, t in zip(res["kind"], res["transfers"], strict=True)]
    res = res[~pd.Series(key, index=res.index).duplicated()]
    return res.reset_index(drop=True)
