"""Statistical disclosure control: the one rule for every aggregate a viewer can reach.

Corridors, transit hubs, route maps in every format, trends, stats and (later)
indicators and dashboards pass their counts through this module before a
role below ``investigator`` sees them.  Investigators and above see exact
counts; their views still call :func:`aggregate` so that the same code path
(and the same audit entry) serves everybody.

The method (documented with its parameters in ``docs/security.md``,
"Disclosure control of aggregates")
-----------------------------------------------------------------------------
1. **Record keys.**  Every contributing record (a victim's journey, a case)
   gets a fixed pseudo-random key ``HMAC-SHA256(secret, record id)`` reduced
   to 32 bits.  The secret lives in ``NETINTEL_HOME/disclosure_key`` (0600),
   generated once and never shown; it is independent of the login-token key,
   so rotating that key does not re-draw the noise.
2. **Cell keys (the cell-key method of national statistics offices, as used
   by the ABS TableBuilder and the ONS for the census).**  A cell's key is the
   sum of its records' keys modulo 2^32: the same set of records always gets
   the same key, whichever filters produced it, in any order.
3. **Perturbation.**  A cell of ``n >= THRESHOLD`` records is published as
   ``max(THRESHOLD, n + d)`` where ``d`` in ``-2..+2`` is read off the
   perturbation table :data:`PTABLE` at the cell key (probabilities 0.1, 0.2,
   0.4, 0.2, 0.1: mean 0, variance 1.2).  Asking the same cell again gives the
   same number, so averaging repeated queries gains nothing, and differencing
   two published cells (a total minus its women, all years minus a range of
   years) leaves the difference of two independent noises, not the count of
   the records in between.
4. **Small cells.**  A cell of fewer than ``THRESHOLD`` (5) records is
   suppressed: its row is not listed at all (its attributes are not shown).
   The suppressed rows of a table are pooled into one "smaller corridors"
   cell, published by the same rule (``<5`` when that pool is small or empty,
   so a shown ``<5`` means "0 to 4").
5. **Totals never contradict the cells.**  A table's total is the sum of its
   published cells (the pooled cell included when it is shown); no
   separately computed true total is ever published.
6. **Minimum query-set size.**  A query whose filters describe fewer than
   ``MIN_QUERY_SET`` (10) records, measured by the perturbed count of the whole
   query set, publishes nothing: :func:`aggregate` answers an empty table
   whose ``meta`` says why (``disclosure: "refused"``), and
   :func:`guard_query_set` raises :class:`core.errors.QuerySetTooSmall` for
   callers that prefer an error.  Narrowing filters stops there.
7. **Case filters** (``cases=``) single out cases: they are reserved for
   investigators (:func:`check_filters` refuses them below that role).
8. **Audit.**  Every aggregate query is written to the audit log
   (``read_aggregate``, with the view, the filters, the rows returned and the
   method) and every refusal (``aggregate_refused``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.errors import ConfigError, Forbidden, QuerySetTooSmall
from graph.scope import Scope

__all__ = [
    "THRESHOLD",
    "MIN_QUERY_SET",
    "PTABLE",
    "MODULUS",
    "Rule",
    "RULE",
    "Disclosed",
    "exact_for",
    "check_filters",
    "record_keys",
    "cell_key",
    "noise",
    "publish",
    "aggregate",
    "guard_query_set",
    "disclosure_key",
    "display",
]

#: cells of fewer records are suppressed for roles below investigator
THRESHOLD = 5
#: a viewer query whose filters describe fewer records (perturbed) is refused
MIN_QUERY_SET = 10
#: perturbation table: probability of adding -2, -1, 0, +1, +2 to a published cell
PTABLE: tuple[tuple[int, float], ...] = ((-2, 0.1), (-1, 0.2), (0, 0.4), (1, 0.2), (2, 0.1))
#: record and cell keys are integers modulo this
MODULUS = 2**32


@dataclass(frozen=True)
class Rule:
    """The parameters of the method (one instance, :data:`RULE`, is used everywhere)."""

    threshold: int = THRESHOLD
    min_query_set: int = MIN_QUERY_SET
    ptable: tuple[tuple[int, float], ...] = PTABLE

    def with_threshold(self, threshold: int | None) -> Rule:
        """The same rule with a higher small-cell threshold (never a lower one)."""
        if threshold is None or threshold <= self.threshold:
            return self
        return Rule(threshold, max(self.min_query_set, threshold), self.ptable)


RULE = Rule()


# -------------------------------------------------------------------- keys
_key_lock = threading.Lock()
_key_cache: dict[str, bytes] = {}


def disclosure_key(home: Path | None = None) -> bytes:
    """The secret behind the record keys: ``NETINTEL_HOME/disclosure_key`` (0600), made once."""
    if home is None:
        from graph.settings import get_settings

        home = get_settings().home
    path = Path(home) / "disclosure_key"
    with _key_lock:
        hit = _key_cache.get(str(path))
        if hit is not None:
            return hit
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_hex(32))
        key = path.read_text().strip().encode()
        if len(key) < 32:
            raise ConfigError(f"{path} holds no usable disclosure key (delete it to have one made)")
        _key_cache[str(path)] = key
        return key


def record_keys(ids: Iterable[str], key: bytes) -> np.ndarray:
    """32-bit record keys ``HMAC-SHA256(key, id)`` (as uint64 so that sums stay exact).

    Examples
    --------
    >>> k = record_keys(["a", "b"], b"k" * 32)
    >>> bool(k.dtype == np.uint64 and (k < MODULUS).all() and k[0] != k[1])
    True
    """
    out = [int.from_bytes(hmac.new(key, str(i).encode(), hashlib.sha256).digest()[:4], "big") for i in ids]
    return np.asarray(out, dtype=np.uint64)


def cell_key(keys: np.ndarray | Sequence[int]) -> int:
    """The cell key: the sum of the record keys modulo 2^32 (order does not matter).

    >>> cell_key([MODULUS - 1, 2]) == 1
    True
    """
    return int(sum(int(k) for k in keys) % MODULUS)


def noise(ckey: int, rule: Rule = RULE) -> int:
    """The perturbation the cell key selects from the table (deterministic).

    >>> [noise(int(u * MODULUS)) for u in (0.05, 0.2, 0.5, 0.8, 0.95)]
    [-2, -1, 0, 1, 2]
    """
    u = (ckey % MODULUS) / MODULUS
    acc = 0.0
    for d, p in rule.ptable:
        acc += p
        if u < acc:
            return d
    return rule.ptable[-1][0]


def publish(n: int, ckey: int, rule: Rule = RULE) -> int | None:
    """The published value of a cell of ``n`` records with key ``ckey``: ``None`` (suppressed)
    below the threshold, else the perturbed count, never below the threshold.

    >>> publish(3, 0), publish(40, int(0.5 * MODULUS)), publish(5, 0)
    (None, 40, 5)
    """
    if n < rule.threshold:
        return None
    return max(rule.threshold, int(n) + noise(ckey, rule))


def display(v: int | None, rule: Rule = RULE) -> str:
    """``"1,234"`` or ``"<5"``."""
    return f"<{rule.threshold}" if v is None else f"{int(v):,}"


# ------------------------------------------------------------------ checks
def exact_for(scope: Scope) -> bool:
    """True when the scope sees exact counts (investigator and above)."""
    return scope.allows("investigator")


def check_filters(scope: Scope, view: str, *, cases: Sequence[str] | None = None,
                  filters: Mapping[str, Any] | None = None) -> None:
    """Refuse case-level filters below investigator (audited)."""
    if cases and not exact_for(scope):
        scope.audit("aggregate_refused", view, reason="cases filter", filters=dict(filters or {}))
        raise Forbidden("filtering aggregates by case (cases=) is for investigators: a case's counts "
                        "describe its people", {"needed": "investigator", "role": scope.role})


def _too_small(record_ids: Sequence[str], key: bytes | None, rule: Rule, kind: str) -> bool:
    n = len(record_ids)
    if n == 0:
        return False  # nothing to describe: an empty answer reveals no one
    k = key if key is not None else disclosure_key()
    return n + noise(cell_key(record_keys([f"{kind}:{i}" for i in record_ids], k)), rule) < rule.min_query_set


def guard_query_set(scope: Scope, record_ids: Sequence[str], view: str, *, key: bytes | None = None,
                    rule: Rule = RULE, filters: Mapping[str, Any] | None = None, kind: str = "record") -> None:
    """Raise :class:`core.errors.QuerySetTooSmall` (below investigator, audited) when the records,
    perturbed, number fewer than the minimum query-set size."""
    if exact_for(scope) or not _too_small(record_ids, key, rule, kind):
        return
    scope.audit("aggregate_refused", view, reason="query set too small", filters=dict(filters or {}))
    raise QuerySetTooSmall(
        f"these filters describe fewer than {rule.min_query_set} victims; widen them (fewer filters, "
        f"more years) to see aggregates", {"min_query_set": rule.min_query_set})


# --------------------------------------------------------------- aggregate
@dataclass
class Disclosed:
    """A disclosed table: the cells to show and what the table says about the rest.

    ``cells``: the key columns, then one column per count (published value, ``<NA>`` when
    suppressed), ``suppressed`` (a count of the row is suppressed) and ``n_records`` is never
    included.  ``other``: the pooled cell of the rows not listed (``None`` when shown as
    ``<threshold>``); ``total``: the sum of the published cells; ``exact``: the counts are exact.
    """

    cells: pd.DataFrame
    other: int | None
    total: int
    exact: bool
    rule: Rule = field(default=RULE)
    hidden: int = 0  # rows not listed (exact scopes only: 0 for viewers, who are never told)
    refused: bool = False  # the query set was too small: nothing is published

    def meta(self) -> dict[str, Any]:
        """What a table's ``meta`` says about disclosure (same words in every format)."""
        t = self.rule.threshold
        if self.refused:
            return {"disclosure": "refused", "total": None, "threshold": t, "other": None, "other_display": None,
                    "note": f"these filters describe fewer than {self.rule.min_query_set} victims: nothing is "
                            f"published; widen them (fewer filters, more years)"}
        if self.exact:
            return {"disclosure": "exact", "total": self.total, "threshold": t,
                    "note": f"exact counts (investigator); counts below {t} are marked in exports"}
        other = display(self.other, self.rule)
        return {"disclosure": "cell-key", "total": self.total, "threshold": t, "other": self.other,
                "other_display": other,
                "note": (f"counts are perturbed by at most ±2 (cell-key method) and rows under {t} are not "
                         f"listed; together those rows count {other}; totals are sums of the cells shown")}


def aggregate(scope: Scope, rows: pd.DataFrame, keys: Sequence[str], *, record: str = "record",
              counts: Mapping[str, str] | None = None, view: str = "aggregate",
              filters: Mapping[str, Any] | None = None, rule: Rule = RULE, key: bytes | None = None,
              list_small: bool = False, audit: bool = True, guard: bool = True) -> Disclosed:
    """Group ``rows`` (one per contributing record) by ``keys`` and disclose the counts.

    Parameters
    ----------
    rows : DataFrame
        One row per record: the ``keys`` columns, the ``record`` id column and the columns
        named in ``counts``.
    counts : mapping
        Output column → the column whose *distinct* values it counts (default
        ``{"victims": record}``).  The first one decides whether a row is listed.
    list_small : bool
        Exact scopes only: keep rows under the threshold (marked ``suppressed``, counts kept).
    guard : bool
        Apply the minimum query-set size to ``rows`` (below investigator).

    Examples
    --------
    A table of 3 corridors; the viewer sees neither the 2-victim row nor its number:

    >>> from graph.scope import Scope
    >>> rows = pd.DataFrame({"c": ["A"] * 20 + ["B"] * 9 + ["C"] * 2})
    >>> rows["record"] = [f"r{i}" for i in range(len(rows))]
    >>> d = aggregate(Scope(None, "v", "viewer"), rows, ["c"], key=b"k" * 32, audit=False)
    >>> d.cells["c"].tolist(), d.total == int(d.cells["victims"].sum()) + (d.other or 0)
    (['A', 'B'], True)
    >>> e = aggregate(Scope(None, "i", "investigator"), rows, ["c"], key=b"k" * 32, audit=False)
    >>> e.cells["victims"].tolist(), e.other, e.total
    ([20, 9], 2, 31)
    """
    counts = dict(counts or {"victims": record})
    first = next(iter(counts))
    exact = exact_for(scope)
    keys = list(keys)
    if not exact and guard:
        if _too_small(list(dict.fromkeys(rows[record].astype(str))), key, rule, record):
            if audit:
                scope.audit("read_aggregate", view, filters=dict(filters or {}), rows=0, method="cell-key",
                            refused="query set too small")
            return Disclosed(pd.DataFrame(columns=[*keys, *counts, "suppressed"]), None, 0, False, rule,
                             refused=True)
    if not len(rows):
        empty = pd.DataFrame(columns=[*keys, *counts, "suppressed"])
        d = Disclosed(empty, None, 0, exact, rule)
        if audit:
            scope.audit("read_aggregate", view, filters=dict(filters or {}), rows=0,
                        method="exact" if exact else "cell-key")
        return d
    k = b"" if exact else (key if key is not None else disclosure_key())
    g = rows.groupby(keys, sort=False, dropna=False)
    out_rows: list[dict[str, Any]] = []
    pooled: list[str] = []
    hidden = 0
    total = 0
    for gkey, part in g:
        kv = gkey if isinstance(gkey, tuple) else (gkey,)
        row: dict[str, Any] = dict(zip(keys, kv, strict=True))
        sup = False
        listed = True
        for out_col, src in counts.items():
            ids = list(dict.fromkeys(part[src].dropna().astype(str)))
            n = len(ids)
            if exact:
                v: int | None = n
                small = n < rule.threshold
            else:
                v = publish(n, cell_key(record_keys([f"{src}:{i}" for i in ids], k)), rule)
                small = v is None
            row[out_col] = v
            if small:
                sup = True
                if out_col == first:
                    listed = list_small and exact
                    if not listed:
                        pooled.extend(part[record].astype(str))
            if out_col == first and exact:
                total += n
        row["suppressed"] = sup
        if listed:
            out_rows.append(row)
        else:
            hidden += 1
    cells = pd.DataFrame(out_rows, columns=[*keys, *counts, "suppressed"])
    for c in counts:
        cells[c] = pd.array(cells[c].tolist(), dtype="Int64")
    cells = cells.sort_values(first, ascending=False, kind="stable", na_position="last").reset_index(drop=True)
    pooled_ids = list(dict.fromkeys(pooled))
    other: int | None
    if exact:
        other = len(pooled_ids) if pooled_ids else None
    else:
        other = publish(len(pooled_ids), cell_key(record_keys([f"{record}:{i}" for i in pooled_ids], k)),
                        rule) if pooled_ids else None
        total = int(cells[first].fillna(0).sum()) + (other or 0)
        hidden = 0
    d = Disclosed(cells, other, total, exact, rule, hidden)
    if audit:
        scope.audit("read_aggregate", view, filters=dict(filters or {}), rows=len(cells),
                    method="exact" if exact else "cell-key")
    return d
