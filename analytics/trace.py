"""Money trails: temporal tracing between bank accounts.

Transfers are rows ``txn_id, source, target, amount, currency, at`` (``at`` a
datetime; naive or time-zone aware, not mixed).  Everything here is a pure
function on that DataFrame and returns a tidy DataFrame.

*Temporal paths* (:func:`trace`, :func:`paths_between`) follow money the way
it can actually have moved: each hop is no earlier than the previous one
(forward; no later for a backward trace) and every hop lies within ``window``
of the **first** hop.  Paths are simple (an account appears at most once).
The ``carried`` column is the bottleneck amount — the minimum amount along the
path so far — i.e. the most money from the first hop that can have reached
that point (an upper bound; proportional allocation is not attempted).

Laundering typologies are in :mod:`analytics.typologies`.

References
----------
.. [1] Kempe, D., Kleinberg, J. & Kumar, A. (2002). Connectivity and inference
   problems for temporal networks. *J. Computer and System Sciences* 64(4), 820–842.
   https://doi.org/10.1006/jcss.2002.1829 (time-respecting paths).
"""

from __future__ import annotations

import bisect
import datetime as dt
import warnings
from collections import deque
from collections.abc import Hashable

import numpy as np
import pandas as pd

from analytics._transfers import _ns, _prepare, _Tx

__all__ = ["PATH_COLUMNS", "trace", "paths_between"]

PATH_COLUMNS = ["path", "hop", "txn_id", "source", "target", "amount", "at", "carried"]


def _empty_paths() -> pd.DataFrame:
    return pd.DataFrame(columns=PATH_COLUMNS)


def _temporal_paths(
    tx: _Tx,
    start: int,
    *,
    backward: bool,
    max_hops: int,
    window: int,
    goal: int | None = None,
    dist: np.ndarray | None = None,
    max_paths: int,
) -> list[list[int]]:
    """DFS over time-respecting simple paths; returns lists of transfer indices.

    With ``goal``, only paths ending at ``goal`` are kept, and ``dist`` (static
    hop distance to ``goal``) prunes accounts that cannot reach it in the hops left.
    """
    frm, to = (tx.dst, tx.src) if backward else (tx.src, tx.dst)
    t = -tx.t if backward else tx.t
    order = np.lexsort((t, frm))
    t_l = t[order].tolist()
    to_l = to[order].tolist()
    idx_l = order.tolist()
    first = np.searchsorted(frm[order], np.arange(len(tx.names) + 1), side="left").tolist()
    dist_l = dist.tolist() if dist is not None else None
    paths: list[list[int]] = []
    truncated = False

    def emit(edges: list[int]) -> None:
        nonlocal truncated
        if len(paths) >= max_paths:
            truncated = True
        else:
            paths.append(list(edges))

    def extend(node: int, t_prev: int, t_max: int, visited: set[int], edges: list[int]) -> None:
        if goal is not None and node == goal:
            emit(edges)
            return
        grew = False
        if len(edges) < max_hops:
            lo, hi = first[node], first[node + 1]
            i = bisect.bisect_left(t_l, t_prev, lo, hi)
            j = bisect.bisect_right(t_l, t_max, lo, hi)
            left = max_hops - len(edges) - 1
            for k in range(i, j):
                nxt = to_l[k]
                if nxt in visited or (dist_l is not None and dist_l[nxt] > left):
                    continue
                grew = True
                edges.append(idx_l[k])
                visited.add(nxt)
                extend(nxt, t_l[k], t_max, visited, edges)
                visited.discard(nxt)
                edges.pop()
                if truncated:
                    return
        if goal is None and not grew:
            emit(edges)

    for k in range(first[start], first[start + 1]):
        nxt = to_l[k]
        if nxt == start or (dist_l is not None and dist_l[nxt] > max_hops - 1):
            continue
        extend(nxt, t_l[k], t_l[k] + window, {start, nxt}, [idx_l[k]])
        if truncated:
            break
    if truncated:
        warnings.warn(f"money trail truncated at max_paths={max_paths} paths", RuntimeWarning, stacklevel=3)
    return paths


def _paths_frame(tx: _Tx, paths: list[list[int]]) -> pd.DataFrame:
    if not paths:
        return _empty_paths()
    path_id = np.repeat(np.arange(len(paths)), [len(p) for p in paths])
    hop = np.concatenate([np.arange(1, len(p) + 1) for p in paths])
    idx = np.concatenate([np.asarray(p, dtype=np.int64) for p in paths])
    amount = tx.amount[idx]
    carried = np.concatenate([np.minimum.accumulate(tx.amount[np.asarray(p)]) for p in paths])
    at = pd.to_datetime(tx.t[idx], unit="ns")
    if tx.tz is not None:
        at = at.tz_localize("UTC").tz_convert(tx.tz)
    return pd.DataFrame({"path": path_id, "hop": hop, "txn_id": tx.txn[idx], "source": tx.names[tx.src[idx]],
                         "target": tx.names[tx.dst[idx]], "amount": amount, "at": at, "carried": carried})


def _code(tx: _Tx, account: Hashable) -> int | None:
    pos = np.searchsorted(tx.names, str(account))
    return int(pos) if pos < len(tx.names) and tx.names[pos] == str(account) else None


def trace(
    transfers: pd.DataFrame,
    start: Hashable,
    direction: str = "forward",
    max_hops: int = 4,
    window: dt.timedelta = dt.timedelta(days=7),
    min_amount: float = 0,
    *,
    max_paths: int = 100_000,
) -> pd.DataFrame:
    """Follow money forward from (or backward into) an account along temporal paths.

    A forward path starts with a transfer out of ``start``; every further hop
    leaves the previous hop's target no earlier than the previous hop and no
    later than ``window`` after the **first** hop.  Backward is the mirror
    image: hop 1 is a transfer into ``start``, hop 2 a transfer into hop 1's
    source no later than hop 1 and no earlier than ``window`` before it, etc.
    Paths are simple and maximal (a path stops when it cannot be extended or
    reaches ``max_hops``); transfers below ``min_amount`` are ignored.

    Parameters
    ----------
    transfers : DataFrame
        ``txn_id, source, target, amount, at`` (+ ``currency``).
    start : hashable
        Account id.
    direction : {"forward", "backward"}
    max_hops : int
    window : timedelta
        Measured from the first hop.
    min_amount : float
    max_paths : int
        Stop (with a RuntimeWarning) after this many paths.

    Returns
    -------
    DataFrame
        One row per hop: ``path, hop, txn_id, source, target, amount, at,
        carried``; ``carried`` is the minimum amount of hops ``1..hop`` (the
        most that can have flowed from ``start`` through that hop).  Sorting a
        path's rows by ``hop`` reconstructs it; for backward traces hop 1 is the
        transfer into ``start``.

    Examples
    --------
    >>> t = pd.DataFrame({"txn_id": ["t1", "t2", "t3"], "source": ["A", "B", "B"],
    ...                   "target": ["B", "C", "D"], "amount": [100.0, 60.0, 30.0],
    ...                   "at": pd.to_datetime(["2024-01-01", "2024-01-02", "2023-12-31"])})
    >>> trace(t, "A")[["path", "hop", "txn_id", "carried"]].values.tolist()
    [[0, 1, 't1', 100.0], [0, 2, 't2', 60.0]]
    """
    if direction not in ("forward", "backward"):
        raise ValueError("direction must be 'forward' or 'backward'")
    tx = _prepare(transfers, min_amount)
    s = _code(tx, start)
    if s is None or max_hops < 1:
        return _empty_paths()
    paths = _temporal_paths(tx, s, backward=direction == "backward", max_hops=max_hops,
                            window=_ns(window), max_paths=max_paths)
    return _paths_frame(tx, paths)


def _hops_to(tx: _Tx, goal: int, max_hops: int) -> np.ndarray:
    """Static (time-free) hop distance of every account to ``goal`` (BFS on reversed edges)."""
    n = len(tx.names)
    dist = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    dist[goal] = 0
    order = np.argsort(tx.dst, kind="stable")
    d_sorted = tx.dst[order]
    s_sorted = tx.src[order]
    first = np.searchsorted(d_sorted, np.arange(n + 1))
    queue = deque([goal])
    while queue:
        v = queue.popleft()
        if dist[v] >= max_hops:
            continue
        for u in np.unique(s_sorted[first[v]:first[v + 1]]):
            if dist[u] > dist[v] + 1:
                dist[u] = dist[v] + 1
                queue.append(int(u))
    return dist


def paths_between(
    transfers: pd.DataFrame,
    a: Hashable,
    b: Hashable,
    max_hops: int = 6,
    window: dt.timedelta = dt.timedelta(days=7),
    min_amount: float = 0,
    *,
    max_paths: int = 100_000,
) -> pd.DataFrame:
    """Temporal paths from account ``a`` to account ``b``.

    Same rules as a forward :func:`trace` (hops no earlier than the previous,
    within ``window`` of the first hop, amount ≥ ``min_amount``, simple
    paths); a path ends when it reaches ``b``.  Accounts that cannot reach
    ``b`` in the remaining hops are pruned first (breadth-first search on the
    reversed transfer graph).

    Returns
    -------
    DataFrame
        Same columns as :func:`trace`; every path's last hop has target ``b``.

    Examples
    --------
    >>> t = pd.DataFrame({"txn_id": ["t1", "t2", "t3"], "source": ["A", "B", "A"],
    ...                   "target": ["B", "C", "C"], "amount": [100.0, 90.0, 5.0],
    ...                   "at": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])})
    >>> sorted(paths_between(t, "A", "C").groupby("path")["txn_id"].apply(tuple))
    [('t1', 't2'), ('t3',)]
    """
    tx = _prepare(transfers, min_amount)
    sa, sb = _code(tx, a), _code(tx, b)
    if sa is None or sb is None or sa == sb or max_hops < 1:
        return _empty_paths()
    dist = _hops_to(tx, sb, max_hops)
    if dist[sa] > max_hops:
        return _empty_paths()
    paths = _temporal_paths(tx, sa, backward=False, max_hops=max_hops, window=_ns(window), goal=sb,
                            dist=dist, max_paths=max_paths)
    return _paths_frame(tx, paths)

