"""Scoring against truth: hand-checked numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import evaluate as E


def test_prf() -> None:
    r = E.prf({"a", "b", "c", "d"}, {"a", "b", "x"})
    assert (r["true_positives"], r["precision"], r["recall"]) == (2, 0.5, pytest.approx(2 / 3))
    assert r["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert E.prf(set(), set())["precision"] == 1.0


def test_score_brokers() -> None:
    ranked = pd.DataFrame({"node": ["b1", "x", "b2", "y", "b3"], "roles": [["gatekeeper"], [], ["liaison"], [], []]})
    truth = [{"id": "b1", "role": "gatekeeper"}, {"id": "b2", "role": "gatekeeper"}, {"id": "b3", "role": "liaison"}]
    s = E.score_brokers(ranked, truth, k=3)
    assert s["true_positives"] == 2 and s["recall"] == pytest.approx(2 / 3)
    assert s["median_rank_of_planted"] == 3.0  # ranks 1, 3, 5
    assert s["role_agreement"] == pytest.approx(1 / 3)


def test_score_routes_and_corridors() -> None:
    routes = pd.DataFrame([
        {"person_id": "p1", "case_id": "c1", "source": "MMR", "transit": (), "destination": "THA", "complete": True},
        {"person_id": "p2", "case_id": "c1", "source": "LAO", "transit": ("THA",), "destination": "MYS",
         "complete": True},
        {"person_id": "p3", "case_id": "c2", "source": "KHM", "transit": (), "destination": None, "complete": False},
    ])
    truth = [
        {"person_id": "p1", "case_id": "c1", "source": "MMR", "transit": [], "destination": "THA", "complete": True},
        {"person_id": "p2", "case_id": "c1", "source": "LAO", "transit": [], "destination": "MYS", "complete": True},
        {"person_id": "p3", "case_id": "c2", "source": "KHM", "transit": [], "destination": None, "complete": False},
    ]
    s = E.score_routes(routes, truth)
    assert s["exact"] == 2 and s["accuracy"] == pytest.approx(2 / 3)
    cor = pd.DataFrame([{"source": "MMR", "transit": (), "destination": "THA", "victims": 1, "cases": 1}])
    assert E.score_corridors(cor, [{"source": "MMR", "transit": [], "destination": "THA", "victims": 1,
                                    "cases": 1}])["all_exact"]
    assert not E.score_corridors(cor, [{"source": "MMR", "transit": [], "destination": "THA", "victims": 2,
                                        "cases": 1}])["all_exact"]


def test_score_typologies_and_duplicates() -> None:
    findings = pd.DataFrame([{"kind": "cycle", "transfers": ["t1", "t2", "t3"]},
                             {"kind": "cycle", "transfers": ["n1", "n2"]},
                             {"kind": "fan_in", "transfers": ["f1", "f2", "f3", "f4", "f5"]}])
    truth = [{"kind": "cycle", "transfers": ["t1", "t2", "t3"]}, {"kind": "fan_in", "transfers": ["g1", "g2"]}]
    s = E.score_typologies(findings, truth)
    assert s["cycle"] == {"planted": 1, "found": 2, "planted_found": 1, "recall": 1.0, "precision": 0.5}
    assert s["fan_in"]["recall"] == 0.0 and s["fan_in"]["precision"] == 0.0
    pairs = pd.DataFrame({"id_left": ["a", "c"], "id_right": ["b", "d"], "is_match": [True, False]})
    d = E.score_duplicates(pairs, [["b", "a"], ["e", "f"]])
    assert (d["precision"], d["recall"]) == (1.0, 0.5)
