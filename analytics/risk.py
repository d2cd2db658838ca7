"""Laundering risk per account: one score that combines typology hits at several
time scales, amounts, counterparties' risk and past judgements, with reasons.

Importable as ``from analytics.money import account_risk``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics._transfers import _prepare
from analytics.typologies import TypologyConfig, typologies

__all__ = ["account_risk", "RISK_WEIGHTS", "RISK_COLUMNS"]
#: weight of one finding of each kind for the account at its centre (members get half)
RISK_WEIGHTS = {"cycle": 0.9, "fan_in": 0.8, "fan_out": 0.6, "scatter_gather": 0.8, "gather_scatter": 0.6,
                "pass_through": 0.5, "structuring": 0.7}
RISK_COLUMNS = ["account", "score", "reasons"]


def account_risk(
    transfers: pd.DataFrame,
    *,
    findings: pd.DataFrame | None = None,
    threshold: float = 2_000_000,
    config: TypologyConfig | None = None,
    neighbour_weight: float = 0.5,
    split_weight: float = 0.5,
    rare_share: float = 0.01,
) -> pd.DataFrame:
    """One laundering-risk score per account, with the reasons in plain words.

    The score combines, per account:

    * **typology hits** at both time scales (:func:`typologies` with its fast
      hour-to-week windows and its slow 180-day scale): each finding adds its
      kind's weight (:data:`RISK_WEIGHTS`; full for the account at the centre
      of the finding, half for the other accounts it names), the strongest
      hit of each (kind, scale) combined as a noisy-or ``1 - Π(1 - w)``
      (repeated hits of one kind are not independent evidence); a hit at both scales counts as corroboration;
      a (kind, scale) that names more than ``rare_share`` (1 %) of all
      accounts (and more than 3) is down-weighted in proportion — where ordinary customers
      show the same pattern, one hit separates little;
    * **amounts**: repeated same-day transfers of near-equal amounts to one
      counterparty (payments split into pieces), weighted by ``split_weight``;
      the money moved in findings is reported;
    * **counterparties' risk**: ``neighbour_weight`` × the amount-weighted mean
      base score of the accounts it exchanged money with;
    * **past judgements**, where the findings carry a ``status`` column (the
      alert queue): a dismissed finding adds nothing, an escalated one counts
      1.5 times.

    Parameters
    ----------
    transfers : DataFrame
        ``txn_id, source, target, amount, at`` (+ ``currency``).
    findings : DataFrame, optional
        Precomputed :func:`typologies` rows (with ``status`` when judged);
        computed with ``threshold``/``config`` when omitted.
    threshold, config
        Passed to :func:`typologies`.
    neighbour_weight, split_weight : float
        Weights of the counterparty and split-payment terms.
    rare_share : float
        Share of all accounts a (kind, scale) may name at full weight.

    Returns
    -------
    DataFrame
        ``account, score, reasons`` sorted by score (highest first); score in
        ``[0, 1 + neighbour_weight]``; accounts with no cue score 0 and are
        listed last with an empty reason.

    Examples
    --------
    >>> t = pd.DataFrame({"txn_id": ["a", "b", "c", "d"], "source": ["X", "Y", "Z", "Q"],
    ...                   "target": ["Y", "Z", "X", "X"], "amount": [100.0, 99.0, 98.0, 5.0],
    ...                   "at": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-02-01"])})
    >>> r = account_risk(t)
    >>> r["account"].tolist()[:3], r.iloc[-1]["account"]
    (['X', 'Y', 'Z'], 'Q')
    >>> r.iloc[0]["reasons"].split("; ")[0]
    'in 1 cycle (fast)'
    """
    tx = _prepare(transfers, drop_self=True)
    names = [str(n) for n in tx.names]
    n = len(names)
    if n == 0:
        return pd.DataFrame(columns=RISK_COLUMNS)
    f = typologies(transfers, threshold, config=config) if findings is None else findings
    code = {a: i for i, a in enumerate(names)}
    # rarity: a (kind, scale) that names more than ``rare_share`` of all accounts
    # says less about each of them (its weight shrinks in proportion)
    centres: dict[tuple[str, str], set[str]] = {}
    for row in f.itertuples(index=False):
        centres.setdefault((str(row.kind), str(getattr(row, "scale", "fast") or "fast")), set()).update(
            str(a) for a in row.accounts)
    allowed = max(rare_share * n, 3.0)
    rarity = {k: min(1.0, allowed / max(len(v), 1)) for k, v in centres.items()}
    keep_not = np.ones(n)  # Π(1 - w)
    hits: list[dict[tuple[str, str], int]] = [{} for _ in range(n)]
    moved = np.zeros(n)
    judged: list[dict[str, int]] = [{} for _ in range(n)]
    best: list[dict[tuple[str, str], float]] = [{} for _ in range(n)]
    for row in f.itertuples(index=False):
        status = getattr(row, "status", None)
        if status in ("dismissed", "escalated"):
            for acc in row.accounts:
                i = code.get(str(acc))
                if i is not None:
                    judged[i][str(status)] = judged[i].get(str(status), 0) + 1
        if status == "dismissed":
            continue
        scale = str(getattr(row, "scale", "fast") or "fast")
        w = RISK_WEIGHTS.get(str(row.kind), 0.5) * (1.5 if status == "escalated" else 1.0)
        w *= rarity.get((str(row.kind), scale), 1.0)
        for j, acc in enumerate(row.accounts):
            i = code.get(str(acc))
            if i is None:
                continue
            wi = min(w if j == 0 else w / 2, 0.95)
            key = (str(row.kind), scale)
            best[i][key] = max(best[i].get(key, 0.0), wi)
            hits[i][key] = hits[i].get(key, 0) + 1
            if j == 0:
                moved[i] += float(row.amount)
    # repeated hits of one (kind, scale) are not independent evidence: the strongest counts
    for i in range(n):
        for wi in best[i].values():
            keep_not[i] *= 1 - wi
    typ = 1 - keep_not
    # corroboration: one kind found at both time scales
    both = np.array([any((k, "fast") in h and (k, "slow") in h for k, _ in h) for h in hits])
    typ = np.where(both, 1 - (1 - typ) ** 1.5, typ)
    # split payments: ≥ 2 transfers to one counterparty on one day with near-equal amounts
    day = tx.t // 86_400_000_000_000
    df = pd.DataFrame({"s": tx.src, "d": tx.dst, "day": day, "a": tx.amount})
    grp = df.groupby(["s", "d", "day"])["a"].agg(["size", "min", "max"])
    grp = grp[(grp["size"] >= 2) & (grp["max"] <= 1.1 * grp["min"])]
    splits = np.zeros(n)
    for (s_, d_, _), r in grp.iterrows():
        splits[int(s_)] += r["size"] - 1
        splits[int(d_)] += r["size"] - 1
    split_term = split_weight * (1 - np.exp(-splits / 3))
    base = 1 - (1 - typ) * (1 - split_term)
    # counterparties: amount-weighted mean base score of the accounts it exchanged money with
    a = np.concatenate([tx.src, tx.dst])
    b = np.concatenate([tx.dst, tx.src])
    amt = np.concatenate([tx.amount, tx.amount])
    flow = np.bincount(a, weights=amt, minlength=n)
    nb = np.bincount(a, weights=amt * base[b], minlength=n) / np.where(flow > 0, flow, 1)
    score = base + neighbour_weight * nb
    reasons: list[str] = []
    for i in range(n):
        parts = []
        by_kind: dict[str, list[str]] = {}
        for (k, sc), c in sorted(hits[i].items()):
            by_kind.setdefault(k, []).append(f"{sc}" if c == 1 else f"{sc} ×{c}")
        for k, scales in by_kind.items():
            cnt = sum(hits[i][(k, s.split()[0])] for s in scales)
            label = k.replace("_", "-")
            parts.append(f"in {cnt} {label}{'s' if cnt > 1 else ''} ({', '.join(scales)})")
        if moved[i] > 0:
            parts.append(f"{moved[i]:,.2f} moved in findings centred on it")
        if splits[i] > 0:
            parts.append(f"{int(splits[i])} repeated same-day payment{'s' if splits[i] > 1 else ''} "
                         "split into near-equal pieces")
        if judged[i].get("escalated"):
            c = judged[i]["escalated"]
            parts.append(f"{c} escalated alert{'s' if c > 1 else ''} (counted 1.5 times)")
        if judged[i].get("dismissed"):
            c = judged[i]["dismissed"]
            parts.append(f"{c} dismissed alert{'s' if c > 1 else ''} (not counted)")
        if nb[i] >= 0.05:
            parts.append(f"counterparties' risk {nb[i]:.2f}")
        reasons.append("; ".join(parts))
    out = pd.DataFrame({"account": names, "score": np.round(score, 6), "reasons": reasons})
    return out.sort_values(["score", "account"], ascending=[False, True], kind="stable").reset_index(drop=True)
