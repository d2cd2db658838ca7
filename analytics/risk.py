"""Laundering risk per account: one score that combines typology hits at several
time scales, amounts, counterparties' risk and past judgements, with reasons.

Importable as ``from analytics.money import account_risk``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics._transfers import _prepare
from analytics.typologies import TypologyConfig, typologies

__all__ = ["account_risk", "RISK_WEIGHTS", "RISK_COLUMNS", "ACTIVE_MEMBERS"]
#: weight of one finding of each kind for the account at its centre
RISK_WEIGHTS = {"cycle": 0.9, "fan_in": 0.8, "fan_out": 0.6, "scatter_gather": 0.8, "gather_scatter": 0.6,
                "pass_through": 0.5, "structuring": 0.7}
#: (kind, scale) whose every named account takes an active part (a ring, the
#: intermediaries of a scatter-gather, the parties of a months-long arrangement of
#: similar amounts): they all get the kind's full weight.  In the other findings
#: (a burst of payments to or from one account, a pass-through, structuring) the
#: other accounts are the centre's counterparties: that says something about the
#: centre, and reaches them only through the counterparty term.
ACTIVE_MEMBERS = frozenset({("cycle", "fast"), ("cycle", "slow"), ("scatter_gather", "fast"),
                            ("fan_in", "slow"), ("fan_out", "slow")})
RISK_COLUMNS = ["account", "score", "reasons"]
#: a transfer with a flagged counterparty is evidence of half that counterparty's base score
_NB_SCALE = 0.5


def account_risk(
    transfers: pd.DataFrame,
    *,
    findings: pd.DataFrame | None = None,
    threshold: float = 2_000_000,
    config: TypologyConfig | None = None,
    neighbour_weight: float = 0.5,
    split_weight: float = 0.8,
    member_weight: float = 0.0,
    split_tolerance: float = 1.0,
) -> pd.DataFrame:
    """One laundering-risk score per account, with the reasons in plain words.

    The score combines, per account:

    * **typology hits** at both time scales (:func:`typologies` with its fast
      hour-to-week windows and its slow 180-day scale): each finding adds its
      kind's weight (:data:`RISK_WEIGHTS`) to the account at its centre and to
      every account of a finding in which all take part (:data:`ACTIVE_MEMBERS`:
      cycles, scatter-gathers, slow fan-ins / fan-outs); the counterparties named
      by a burst finding (fast fan-in / fan-out, gather-scatter, pass-through,
      structuring) get ``member_weight`` × the weight (0 by default: ordinary
      customers pay busy accounts too — AMLSim's normal accounts do — so they
      are reached through the counterparty term instead).  The strongest hit
      of each (kind, scale) counts (repeated hits of one kind are not
      independent evidence), combined over kinds as a noisy-or
      ``1 - Π(1 - w)``; a kind found at both scales counts as corroboration;
    * **amounts**: repeated same-day transfers to one counterparty in pieces
      of a similar size (the largest at most ``1 + split_tolerance`` times the
      smallest, i.e. ≤ 2 × by default) — a payment split into pieces — add
      ``split_weight × (1 - e^-n)`` for ``n`` extra pieces, to both ends; the
      money moved in findings centred on the account is reported;
    * **counterparties' risk**: ``neighbour_weight`` × a noisy-or over the
      account's transfers of its counterparty's base score
      ``1 - Π(1 - base)`` — every transfer with a flagged account is evidence,
      several of them add up;
    * **ties** (accounts with the same score) are ordered by their
      counterparties' own counterparty risk — the same noisy-or one hop
      further — and only then by account id;
    * **past judgements**, where the findings carry a ``status`` column (the
      alert queue): a dismissed finding adds nothing, an escalated one counts
      1.5 times.

    No labels are used: the weights are fixed defaults (chosen on one half of
    IBM's AMLSim sample and checked on held-out runs, ``bench/amlsim.py``).

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
    split_tolerance : float
        Same-day pieces to one counterparty are one split payment when the
        largest is at most ``1 + split_tolerance`` times the smallest (1.0).
    member_weight : float
        Share of a burst finding's weight given to the counterparties it names.

    Returns
    -------
    DataFrame
        ``account, score, reasons`` sorted by score (highest first; equal
        scores by the two-hop counterparty risk, then account id); score in
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
    keep_not = np.ones(n)  # Π(1 - w)
    hits: list[dict[tuple[str, str], int]] = [{} for _ in range(n)]
    around: list[dict[tuple[str, str], int]] = [{} for _ in range(n)]  # counterparty of a burst's centre
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
        key = (str(row.kind), str(getattr(row, "scale", "fast") or "fast"))
        w = RISK_WEIGHTS.get(key[0], 0.5) * (1.5 if status == "escalated" else 1.0)
        active = key in ACTIVE_MEMBERS
        for j, acc in enumerate(row.accounts):
            i = code.get(str(acc))
            if i is None:
                continue
            if j == 0 or active:
                wi = min(w, 0.95)
                hits[i][key] = hits[i].get(key, 0) + 1
            else:
                wi = min(w * member_weight, 0.95)
                around[i][key] = around[i].get(key, 0) + 1
            if wi > 0:
                best[i][key] = max(best[i].get(key, 0.0), wi)
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
    # split payments: ≥ 2 transfers to one counterparty on one day in pieces of a similar size
    day = tx.t // 86_400_000_000_000
    df = pd.DataFrame({"s": tx.src, "d": tx.dst, "day": day, "a": tx.amount})
    grp = df.groupby(["s", "d", "day"])["a"].agg(["size", "min", "max"])
    grp = grp[(grp["size"] >= 2) & (grp["max"] <= (1 + split_tolerance) * grp["min"])]
    splits = np.zeros(n)
    extra = grp["size"].to_numpy(dtype=float) - 1
    np.add.at(splits, grp.index.get_level_values("s").to_numpy(dtype=np.int64), extra)
    np.add.at(splits, grp.index.get_level_values("d").to_numpy(dtype=np.int64), extra)
    split_term = split_weight * (1 - np.exp(-splits))
    base = 1 - (1 - typ) * (1 - split_term)
    # counterparties: noisy-or over the account's transfers of the counterparty's base score
    a = np.concatenate([tx.src, tx.dst]).astype(np.int64)
    b = np.concatenate([tx.dst, tx.src]).astype(np.int64)

    def noisy_or(v: np.ndarray) -> np.ndarray:
        return 1 - np.exp(np.bincount(a, weights=np.log1p(-np.minimum(_NB_SCALE * v[b], 0.99)), minlength=n))

    nb = noisy_or(base)
    # one hop further (the counterparties' own counterparty risk): breaks ties only
    nb2 = noisy_or(nb)
    flagged = np.zeros(n)
    fl = base[b] > 0
    pairs = np.unique(np.stack([a[fl], b[fl]]), axis=1) if fl.any() else np.zeros((2, 0), dtype=np.int64)
    np.add.at(flagged, pairs[0], 1)
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
        for (k, sc), c in sorted(around[i].items()):
            parts.append(f"counterparty of the centre of {c} {k.replace('_', '-')}{'s' if c > 1 else ''} ({sc})")
        if moved[i] > 0:
            parts.append(f"{moved[i]:,.2f} moved in findings centred on it")
        if splits[i] > 0:
            parts.append(f"{int(splits[i])} repeated same-day payment{'s' if splits[i] > 1 else ''} "
                         "split into pieces of a similar size")
        if judged[i].get("escalated"):
            c = judged[i]["escalated"]
            parts.append(f"{c} escalated alert{'s' if c > 1 else ''} (counted 1.5 times)")
        if judged[i].get("dismissed"):
            c = judged[i]["dismissed"]
            parts.append(f"{c} dismissed alert{'s' if c > 1 else ''} (not counted)")
        if nb[i] >= 0.05:
            c = int(flagged[i])
            parts.append(f"counterparties' risk {nb[i]:.2f} ({c} flagged counterpart{'ies' if c > 1 else 'y'})")
        reasons.append("; ".join(parts))
    out = pd.DataFrame({"account": names, "score": np.round(score, 6), "reasons": reasons, "_tie": np.round(nb2, 9)})
    out = out.sort_values(["score", "_tie", "account"], ascending=[False, False, True], kind="stable")
    return out[RISK_COLUMNS].reset_index(drop=True)
