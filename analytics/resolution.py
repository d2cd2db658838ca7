"""Cross-agency entity resolution of person records (Thai and Latin script).

Stages (after nomenklatura):

1. **prepare** each record once (:func:`analytics.resolution_features.prepare`):
   names romanised (:mod:`analytics.transliterate`) and phonetically keyed,
   Buddhist-era birth years converted, IDs and phones reduced to digits;
2. **block** (:func:`candidate_pairs`): records sharing a key are candidates —
   keyed given+family name skeletons, each name-token skeleton with the birth
   year, the birth date with day and month sorted (so a swap still meets),
   the ID number and the phone's last nine digits.  A key shared by more than
   ``max_block`` records is ignored (its pairs must meet through another
   key), so the candidate count grows about linearly, never as all pairs;
3. **compare** each candidate with the named feature functions of
   :data:`analytics.resolution_features.FEATURES`;
4. **score** with a scikit-learn :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
   (``random_state`` fixed; it handles missing features natively) trained on
   generated labelled pairs (:func:`analytics.synthetic.training_pairs`); the
   **threshold** is the lowest score whose precision is ≥ ``target_precision``
   (default 0.95) on the blocked candidates of a separately generated, held-out
   record set (:func:`analytics.synthetic.synthetic_records`, so the class
   balance is the one blocking really produces);
5. a person **judges** each candidate (stored by the graph layer as
   ``SAME_AS``); :func:`clusters` turns accepted judgements into entities.

The generated data (:mod:`analytics.synthetic`) use the real name pools of
:mod:`ingest.names`, their romanisation variants, native/Latin script choice,
typos, day/month swaps, Buddhist-era years, phone formats and missing fields;
hard negatives are namesakes, relatives (same family name, address,
sometimes phone) and people sharing a birth date.  Measured precision and
recall are on such generated data and say nothing certain about real agency
files.

References
----------
Fellegi, I. P., & Sunter, A. B. (1969). A theory for record linkage. *JASA* 64(328), 1183–1210.
https://doi.org/10.1080/01621459.1969.10501049
Christen, P. (2012). A survey of indexing techniques for scalable record linkage and
deduplication. *IEEE TKDE* 24(9), 1537–1555. https://doi.org/10.1109/TKDE.2011.127
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.resolution_features import (
    CANONICAL_COLUMNS,
    FEATURE_NAMES,
    FEATURES,
    Prepared,
    prepare,
)
from analytics.synthetic import synthetic_records, training_pairs, true_pairs
from analytics.transliterate import skeleton

__all__ = [
    "CANONICAL_COLUMNS",
    "ResolutionModel",
    "block_keys",
    "candidate_pairs",
    "feature_matrix",
    "train_model",
    "default_model",
    "choose_threshold",
    "save_model",
    "load_model",
    "find_duplicates",
    "clusters",
    # generated records live in analytics.synthetic; these two stay importable from here for
    # bench/analytics_resolution.py (import them from analytics.synthetic in new code)
    "synthetic_records",
    "true_pairs",
]


# ---------------------------------------------------------------- blocking
def block_keys(p: Prepared) -> set[str]:
    """The blocking keys of one prepared record (see the module notes).

    Examples
    --------
    >>> from analytics.resolution_features import prepare
    >>> sorted(block_keys(prepare({"id": "a", "full_name": "สมชาย ใจดี", "birth_date": "1990-03-15"})))
    ['b:1990-03-15', 'd:smc|03-15', 'g:smc|cd', 'n:cdsmc', 't:cd|1990', 't:smc|1990']
    """
    keys: set[str] = set()
    year = p.birth.year if p.birth else None
    if p.given and p.family:
        keys.add(f"g:{skeleton(p.given)}|{skeleton(p.family)}")
    for tok in p.tokens:
        if year is not None and len(tok) > 1:
            keys.add(f"t:{skeleton(tok)}|{year}")
    if p.birth is not None:
        lo, hi = sorted((p.birth.month, p.birth.day))
        keys.add(f"b:{p.birth.year}-{lo:02d}-{hi:02d}")
        if p.tokens:  # a wrong year: first name token with day and month
            keys.add(f"d:{skeleton(p.tokens[0])}|{lo:02d}-{hi:02d}")
    if len(p.id_number) >= 6:
        keys.add(f"i:{p.id_number}")
    if p.phone:
        keys.add(f"p:{p.phone[-9:]}")
    if p.tokens:  # the whole keyed name, for records with little else
        keys.add(f"n:{''.join(sorted(skeleton(t) for t in p.tokens))}")
    return keys


def candidate_pairs(prepared: Sequence[Prepared], max_block: int = 100) -> tuple[np.ndarray, dict[str, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of records that share a blocking key.

    Returns the pairs as an ``(n, 2)`` int array and statistics
    (``blocks``, ``skipped_blocks`` larger than ``max_block``, ``pairs``).
    """
    index: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(prepared):
        for k in block_keys(p):
            index[k].append(i)
    pairs: set[tuple[int, int]] = set()
    skipped = 0
    for members in index.values():
        if len(members) < 2:
            continue
        if len(members) > max_block:
            skipped += 1
            continue
        for a in range(len(members)):
            ma = members[a]
            for b in range(a + 1, len(members)):
                mb = members[b]
                pairs.add((ma, mb) if ma < mb else (mb, ma))
    arr = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    return arr, {"blocks": len(index), "skipped_blocks": skipped, "pairs": len(arr)}


def feature_matrix(left: Sequence[Prepared], right: Sequence[Prepared]) -> np.ndarray:
    """Feature values (rows: pairs, columns: :data:`FEATURE_NAMES`), ``nan`` where missing."""
    out = np.empty((len(left), len(FEATURES)), dtype=float)
    for r, (a, b) in enumerate(zip(left, right, strict=True)):
        out[r] = [f(a, b) for f in FEATURES]
    return out


# ------------------------------------------------------------------ model
def _single_thread() -> Any:
    """OpenMP limited to one thread: on a small shared machine the thread pool of
    HistGradientBoosting is over ten times slower than one thread for these sizes."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


@dataclass
class ResolutionModel:
    """A trained pair classifier with the feature names it was trained on and its threshold."""

    classifier: Any
    feature_names: tuple[str, ...]
    threshold: float
    metrics: dict[str, float] = field(default_factory=dict)

    def check(self) -> None:
        """Raise ``ValueError`` when the features of this code differ from the model's."""
        if tuple(self.feature_names) != FEATURE_NAMES:
            raise ValueError(
                "model was trained on different features: "
                f"model {list(self.feature_names)} vs code {list(FEATURE_NAMES)}; retrain it")

    def score(self, x: np.ndarray) -> np.ndarray:
        """Match probability for each feature row."""
        self.check()
        if len(x) == 0:
            return np.zeros(0)
        with _single_thread():
            return np.asarray(self.classifier.predict_proba(x)[:, 1], dtype=float)


def _prepare_frame(records: pd.DataFrame, use_dictionary: bool) -> list[Prepared]:
    cols = [c for c in (*CANONICAL_COLUMNS, "full_name_latin") if c in records.columns]
    return [prepare(r, use_dictionary) for r in records[cols].to_dict("records")]


def _pair_features(pairs: pd.DataFrame, use_dictionary: bool = True) -> np.ndarray:
    side = {s: pairs[[f"{c}_{s}" for c in CANONICAL_COLUMNS]].set_axis(list(CANONICAL_COLUMNS), axis=1)
            for s in ("left", "right")}
    return feature_matrix(_prepare_frame(side["left"], use_dictionary), _prepare_frame(side["right"], use_dictionary))


def choose_threshold(scores: np.ndarray, labels: np.ndarray, target_precision: float = 0.95) -> float:
    """Lowest score threshold whose precision (``score >= t``) is at least ``target_precision``.

    Falls back to the threshold of highest precision when the target is never reached.

    Examples
    --------
    >>> choose_threshold(np.array([0.9, 0.8, 0.7, 0.6]), np.array([1, 1, 0, 1]), 0.75)
    0.6
    """
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order].astype(float)
    tp = np.cumsum(y)
    precision = tp / np.arange(1, len(y) + 1)
    # only cut between distinct scores
    last_of_tie = np.r_[s[1:] != s[:-1], True]
    ok = np.flatnonzero((precision >= target_precision) & last_of_tie & (y.sum() > 0))
    if len(ok):
        return float(s[ok[-1]])
    cand = np.flatnonzero(last_of_tie)
    return float(s[cand[np.argmax(precision[cand])]]) if len(cand) else 0.5


def _prf(pred: Iterable[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    pred = set(pred)
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(truth) if truth else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "true_pairs": float(len(truth)), "predicted_pairs": float(len(pred))}


def train_model(n_pairs: int = 12000, seed: int = 0, target_precision: float = 0.95,
                holdout_records: int = 3000, use_dictionary: bool = True) -> ResolutionModel:
    """Train the pair classifier on :func:`~analytics.synthetic.training_pairs` and choose its threshold.

    The threshold is the lowest with precision ≥ ``target_precision`` on the
    blocked candidate pairs of ``synthetic_records(holdout_records, seed + 1)``;
    ``metrics`` records precision, recall and F1 of the resulting pair
    decisions on that held-out set (recall counted against *all* true pairs,
    so pairs lost by blocking count as misses).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    tp = training_pairs(n_pairs, seed)
    x = _pair_features(tp, use_dictionary)
    clf = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, max_leaf_nodes=31,
                                         l2_regularization=1.0, random_state=0)
    with _single_thread():
        clf.fit(x, tp["label"].to_numpy())
    model = ResolutionModel(clf, FEATURE_NAMES, 0.5)
    hold = synthetic_records(holdout_records, seed + 1)
    prepared = _prepare_frame(hold, use_dictionary)
    pairs, _ = candidate_pairs(prepared)
    scores = model.score(feature_matrix([prepared[i] for i in pairs[:, 0]], [prepared[j] for j in pairs[:, 1]]))
    ids = hold["id"].astype(str).to_numpy()
    truth = true_pairs(hold)
    cand = [tuple(sorted((ids[i], ids[j]))) for i, j in pairs]
    labels = np.array([c in truth for c in cand], dtype=int)
    model.threshold = choose_threshold(scores, labels, target_precision)
    chosen = [c for c, s in zip(cand, scores, strict=True) if s >= model.threshold]
    model.metrics = {f"holdout_{k}": v for k, v in _prf(chosen, truth).items()}
    model.metrics["target_precision"] = target_precision
    model.metrics["training_pairs"] = float(n_pairs)
    return model


@lru_cache(maxsize=2)
def default_model(use_dictionary: bool = True) -> ResolutionModel:
    """The model trained deterministically in-process on first use (cached in memory)."""
    return train_model(use_dictionary=use_dictionary)


def save_model(model: ResolutionModel, path: str | Path) -> None:
    """Save the classifier with its feature names, threshold and metrics (joblib/pickle:
    load only files you trust)."""
    import joblib

    joblib.dump({"format": "netintel-resolution/1", "feature_names": list(model.feature_names),
                 "threshold": model.threshold, "metrics": model.metrics, "classifier": model.classifier},
                Path(path))


def load_model(path: str | Path) -> ResolutionModel:
    """Load a model saved by :func:`save_model`; ``ValueError`` if its feature names differ from
    this code's :data:`~analytics.resolution_features.FEATURE_NAMES`."""
    import joblib

    data = joblib.load(Path(path))
    if not isinstance(data, dict) or data.get("format") != "netintel-resolution/1":
        raise ValueError(f"{path} is not a netintel resolution model")
    model = ResolutionModel(data["classifier"], tuple(data["feature_names"]), float(data["threshold"]),
                            dict(data.get("metrics", {})))
    model.check()
    return model


# --------------------------------------------------------------- resolve
def _reason(row: np.ndarray) -> str:
    bits = []
    names = dict(zip(FEATURE_NAMES, row, strict=True))
    if names["name_similarity"] >= 0.9:
        bits.append("names match" + (" across scripts" if names["scripts_differ"] == 1 else ""))
    elif names["name_similarity"] >= 0.75:
        bits.append("names similar")
    if names["birth_date_exact"] == 1:
        bits.append("same birth date")
    elif names["birth_date_swapped"] == 1:
        bits.append("birth date day/month swapped")
    elif names["birth_date_digits"] >= 0.875:
        bits.append("birth date one digit apart")
    if names["id_number_match"] == 1:
        bits.append("same ID number")
    elif names["id_number_match"] >= 0.85:
        bits.append("ID number nearly equal")
    if names["phone_match"] == 1:
        bits.append("same phone")
    if names["address_overlap"] >= 0.5:
        bits.append("same address")
    if names["sex_match"] == 0:
        bits.append("sex differs")
    if names["birth_year_gap"] >= 2:
        bits.append(f"birth years {int(names['birth_year_gap'])} apart")
    return "; ".join(bits)


def find_duplicates(records: pd.DataFrame, model: ResolutionModel | None = None, threshold: float | None = None,
                    *, max_block: int = 100, use_dictionary: bool = True) -> pd.DataFrame:
    """Candidate duplicate persons among ``records``.

    Parameters
    ----------
    records : DataFrame
        Canonical columns ``id, given_name, family_name, full_name, birth_date, sex,
        nationality, id_number, phone, address`` (any may be missing or NaN; extra
        columns are ignored, except ``full_name_latin`` used when no other name is given).
    model : ResolutionModel, optional
        Defaults to :func:`default_model` (trained in-process on first use, a few seconds).
    threshold : float, optional
        Score at or above which ``is_match`` is true; defaults to ``model.threshold``
        (precision ≥ 0.95 on held-out generated records).
    max_block : int
        Blocking keys shared by more records are ignored.
    use_dictionary : bool
        Romanise native-script names known to :mod:`ingest.names` from that dictionary
        (otherwise by the transliteration tables only).

    Returns
    -------
    DataFrame
        ``id_left, id_right, score, is_match, reasons`` plus one column per feature,
        one row per blocked candidate pair (``id_left < id_right``), best score first.

    Examples
    --------
    >>> recs = pd.DataFrame({"id": ["a", "b", "c"],
    ...     "full_name": ["สมชาย ใจดี", "Somchay Chaidee", "Malee Srisuk"],
    ...     "birth_date": ["15/03/2533", "1990-03-15", "1971-07-02"],
    ...     "phone": ["081-234-5678", "+66812345678", None]})
    >>> df = find_duplicates(recs)
    >>> df[["id_left", "id_right", "is_match"]].values.tolist()
    [['a', 'b', True]]
    """
    model = model if model is not None else default_model(use_dictionary)
    model.check()
    thr = model.threshold if threshold is None else float(threshold)
    columns = ["id_left", "id_right", "score", "is_match", "reasons", *FEATURE_NAMES]
    if records is None or len(records) == 0:
        return pd.DataFrame(columns=columns)
    prepared = _prepare_frame(records, use_dictionary)
    pairs, _ = candidate_pairs(prepared, max_block=max_block)
    if len(pairs) == 0:
        return pd.DataFrame(columns=columns)
    x = feature_matrix([prepared[i] for i in pairs[:, 0]], [prepared[j] for j in pairs[:, 1]])
    scores = model.score(x)
    ids = records["id"].astype(str).to_numpy()
    left, right = ids[pairs[:, 0]], ids[pairs[:, 1]]
    swap = left > right
    left, right = np.where(swap, right, left), np.where(swap, left, right)
    out = pd.DataFrame({"id_left": left, "id_right": right, "score": scores, "is_match": scores >= thr,
                        "reasons": [_reason(r) for r in x]})
    out = pd.concat([out, pd.DataFrame(x, columns=list(FEATURE_NAMES))], axis=1)
    out = out[out["id_left"] != out["id_right"]]
    return out.sort_values(["score", "id_left", "id_right"], ascending=[False, True, True]).reset_index(drop=True)


def clusters(judgements: pd.DataFrame, accepted: Sequence[str] = ("accepted",)) -> pd.DataFrame:
    """Entities: connected components of the accepted pairs.

    Parameters
    ----------
    judgements : DataFrame
        ``id_left, id_right`` and either ``judgement`` (rows whose judgement is in
        ``accepted`` count) or ``is_match`` (true rows count).

    Returns
    -------
    DataFrame
        ``id, cluster`` for every id in an accepted pair; ``cluster`` is the smallest id
        of the component.

    Examples
    --------
    >>> j = pd.DataFrame({"id_left": ["a", "b", "x"], "id_right": ["b", "c", "y"],
    ...                   "judgement": ["accepted", "accepted", "rejected"]})
    >>> clusters(j).values.tolist()
    [['a', 'a'], ['b', 'a'], ['c', 'a']]
    """
    if "judgement" in judgements.columns:
        keep = judgements[judgements["judgement"].isin(list(accepted))]
    elif "is_match" in judgements.columns:
        keep = judgements[judgements["is_match"].astype(bool)]
    else:
        raise ValueError("judgements need a 'judgement' or an 'is_match' column")
    parent: dict[str, str] = {}

    def find(u: str) -> str:
        parent.setdefault(u, u)
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for a, b in zip(keep["id_left"].astype(str), keep["id_right"].astype(str), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    rows = sorted((u, find(u)) for u in parent)
    return pd.DataFrame(rows, columns=["id", "cluster"])
