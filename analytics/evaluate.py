"""Score analytic results against a known truth (the generator's ``truth.json``).

Pure functions: results (DataFrames) and truth (plain dicts/lists) in, a small
dict of precision / recall / F1 and counts out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

__all__ = [
    "prf",
    "score_brokers",
    "score_routes",
    "score_corridors",
    "score_typologies",
    "score_duplicates",
]


def prf(found: Iterable[Any], expected: Iterable[Any]) -> dict[str, float | int]:
    """Precision, recall and F1 of a found set against an expected set.

    Examples
    --------
    >>> prf({1, 2, 3}, {2, 3, 4})["recall"]
    0.6666666666666666
    """
    f, e = set(found), set(expected)
    tp = len(f & e)
    p = tp / len(f) if f else (1.0 if not e else 0.0)
    r = tp / len(e) if e else 1.0
    return {"found": len(f), "expected": len(e), "true_positives": tp, "precision": p, "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0}


def score_brokers(ranked: pd.DataFrame, truth_brokers: Sequence[dict[str, Any]], k: int | None = None,
                  node_col: str = "node") -> dict[str, Any]:
    """How many planted brokers are among the top ``k`` ranked people (k defaults to 2× the planted count)."""
    expected = {b["id"] for b in truth_brokers}
    k = k or 2 * len(expected)
    top = list(ranked[node_col].head(k))
    out: dict[str, Any] = {"k": k, **prf(top, expected)}
    ranks = {n: i + 1 for i, n in enumerate(ranked[node_col])}
    out["median_rank_of_planted"] = float(pd.Series([ranks.get(b, len(ranks) + 1) for b in expected]).median()) \
        if expected else None
    if "roles" in ranked.columns:
        role_of = dict(zip(ranked[node_col], ranked["roles"], strict=False))
        hits = [b for b in truth_brokers if b.get("role") and b["role"] in _as_list(role_of.get(b["id"]))]
        out["role_agreement"] = len(hits) / len(truth_brokers) if truth_brokers else None
    return out


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [x.strip() for x in v.replace(";", ",").split(",")]
    return list(v)


def _route_key(source: Any, transit: Any, destination: Any) -> tuple[Any, tuple[Any, ...], Any]:
    def clean(x: Any) -> Any:
        return None if x is None or (isinstance(x, float) and x != x) else x

    return clean(source), tuple(transit or ()), clean(destination)


def score_routes(routes_df: pd.DataFrame, truth_routes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Share of journeys whose route (source, transit, destination, complete) equals the truth."""
    got = {(r.person_id, r.case_id): (_route_key(r.source, r.transit, r.destination), bool(r.complete))
           for r in routes_df.itertuples()}
    exact = 0
    for t in truth_routes:
        want = (_route_key(t["source"], t["transit"], t["destination"]), bool(t["complete"]))
        exact += got.get((t["person_id"], t["case_id"])) == want
    return {"journeys_expected": len(truth_routes), "journeys_found": len(got), "exact": exact,
            "accuracy": exact / len(truth_routes) if truth_routes else 1.0}


def score_corridors(corridors_df: pd.DataFrame, truth_corridors: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Corridors equal to the truth (same key, victims and cases)."""
    got = {_route_key(r.source, r.transit, r.destination): (int(r.victims), int(r.cases))
           for r in corridors_df.itertuples()}
    want = {_route_key(t["source"], t["transit"], t["destination"]): (int(t["victims"]), int(t["cases"]))
            for t in truth_corridors}
    exact = sum(1 for k, v in want.items() if got.get(k) == v)
    return {"corridors_expected": len(want), "corridors_found": len(got), "exact": exact,
            "all_exact": exact == len(want) == len(got)}


def score_typologies(findings: pd.DataFrame, truth_patterns: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per kind: recall of planted patterns (a planted pattern is found when a finding of
    the same kind shares at least half of its transfers) and precision of findings."""
    out: dict[str, Any] = {}
    kinds = sorted({p["kind"] for p in truth_patterns} | set(findings["kind"]) if len(findings) else
                   {p["kind"] for p in truth_patterns})
    for kind in kinds:
        planted = [set(p["transfers"]) for p in truth_patterns if p["kind"] == kind]
        found = [set(f) for f in findings.loc[findings["kind"] == kind, "transfers"]] if len(findings) else []
        hit_planted = sum(1 for p in planted if any(len(p & f) >= max(1, len(p) / 2) for f in found))
        all_planted = set().union(*planted) if planted else set()
        true_found = sum(1 for f in found if len(f & all_planted) >= max(1, len(f) / 2))
        out[kind] = {"planted": len(planted), "found": len(found), "planted_found": hit_planted,
                     "recall": hit_planted / len(planted) if planted else None,
                     "precision": true_found / len(found) if found else None}
    return out


def score_duplicates(pairs: pd.DataFrame, truth_pairs: Sequence[Sequence[str]]) -> dict[str, Any]:
    """Precision / recall of predicted duplicate pairs (order of a pair does not matter)."""
    sel = pairs[pairs["is_match"]] if "is_match" in pairs.columns else pairs
    found = {frozenset((a, b)) for a, b in zip(sel["id_left"], sel["id_right"], strict=True)}
    expected = {frozenset(p) for p in truth_pairs}
    return prf(found, expected)
