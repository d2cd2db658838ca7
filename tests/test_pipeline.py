"""The whole pipeline on a generated bundle, scored against its truth.json.

generate → ingest into the real Neo4j → project → analyse → compare with the
planted brokers, routes, corridors, laundering patterns and duplicates.
The bounds below are the measured quality with a safety margin; the exact
numbers are reported by bench/analytics.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analytics import evaluate as E
from graph import db as gdb
from graph import projection as P
from ingest.generate import generate_bundle
from ingest.loader import ingest_bundle
from tests.conftest import op

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def pipeline(driver: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("pipeline") / "bundle"
    truth = generate_bundle(out, seed=11, persons=1500)
    gdb.clear_database(driver)
    summary = ingest_bundle(driver, out, rejects_path=out.parent / "rejects.csv")
    return {"truth": truth, "summary": summary, "driver": driver, "bundle": out}


def test_loaded_counts_equal_truth(pipeline: dict[str, Any]) -> None:
    assert pipeline["summary"].rejected == 0
    assert gdb.stats(op(pipeline["driver"])) == pipeline["truth"]["counts"]
    on_disk = json.loads((Path(pipeline["bundle"]) / "truth.json").read_text())
    assert on_disk["counts"] == pipeline["truth"]["counts"]


def test_planted_brokers_rank_on_top(pipeline: dict[str, Any]) -> None:
    from analytics.brokers import rank_brokers

    G = P.person_network(op(pipeline["driver"]))
    ranked = rank_brokers(G, group="nationality")
    s = E.score_brokers(ranked, pipeline["truth"]["brokers"])
    assert s["recall"] >= 0.9, s


def test_routes_and_corridors_are_exact(pipeline: dict[str, Any]) -> None:
    from analytics.routes import corridors, routes

    parents, levels = P.location_hierarchy(op(pipeline["driver"]))
    r = routes(P.journeys(op(pipeline["driver"])), level="country", hierarchy=parents, levels=levels)
    s = E.score_routes(r, pipeline["truth"]["routes"])
    assert s["accuracy"] == 1.0, s
    c = E.score_corridors(corridors(r), pipeline["truth"]["corridors"])
    assert c["all_exact"], c


def test_cross_agency_duplicates_are_found(pipeline: dict[str, Any]) -> None:
    from analytics.resolution import find_duplicates

    pairs = find_duplicates(P.person_records(op(pipeline["driver"])))
    s = E.score_duplicates(pairs, pipeline["truth"]["duplicates"])
    assert s["recall"] >= 0.85 and s["precision"] >= 0.8, s
    n = P.write_same_as(pipeline["driver"], pairs[pairs["is_match"]], method="test")
    assert len(P.same_as_candidates(op(pipeline["driver"]), judgement="pending")) == n


def test_planted_laundering_patterns_are_found(pipeline: dict[str, Any]) -> None:
    from analytics.money import typologies

    found = typologies(P.transfers(op(pipeline["driver"])))
    s = E.score_typologies(found, pipeline["truth"]["laundering"])
    planted_kinds = {p["kind"] for p in pipeline["truth"]["laundering"]}
    assert planted_kinds == {"fan_in", "fan_out", "scatter_gather", "gather_scatter", "cycle", "pass_through",
                             "structuring"}
    for kind in planted_kinds:
        assert s[kind]["recall"] == 1.0, (kind, s[kind])
