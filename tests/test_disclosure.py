"""Disclosure control of aggregates (views.disclosure): the insider's attacks of issue 9 recover nothing.

On a generated bundle loaded in the real Neo4j, a viewer narrows the corridor
filters until one victim would remain, and subtracts published cells (a
corridor minus its women, all years minus a range, a map total minus its
shown corridors), on the corridors view and on the route-map CSV and GeoJSON.
The investigator's exact answers are the ground truth of each attack.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

import pandas as pd
import pytest

from core.errors import Forbidden, QuerySetTooSmall
from graph.scope import Scope
from views import disclosure as sdc
from views import routes as v
from viz import routemap as rm


# ---------------------------------------------------------------- pure rule
def _rows(spec: dict[str, int], prefix: str = "r") -> pd.DataFrame:
    rows = []
    for cell, n in spec.items():
        rows += [{"c": cell, "record": f"{prefix}{cell}{i}", "case_id": f"case-{cell}-{i % 3}"} for i in range(n)]
    return pd.DataFrame(rows)


class _Audit(list[tuple[str, str, dict[str, Any]]]):
    def __call__(self, user: str, action: str, target: str, details: dict[str, Any]) -> None:
        self.append((action, target, details))


def test_cell_key_is_a_function_of_the_record_set() -> None:
    key = b"s" * 32
    ids = [f"p{i}" for i in range(40)]
    a = sdc.cell_key(sdc.record_keys(ids, key))
    b = sdc.cell_key(sdc.record_keys(list(reversed(ids)), key))
    assert a == b  # order does not matter: the same set gets the same noise, repeats gain nothing
    assert sdc.cell_key(sdc.record_keys(ids[:-1], key)) != a
    # the perturbation table has mean 0 and the published value never drops below the threshold
    assert abs(sum(d * p for d, p in sdc.PTABLE)) < 1e-12 and abs(sum(p for _, p in sdc.PTABLE) - 1) < 1e-12
    assert all(sdc.publish(n, k) in (None, *range(5, 60)) for n in range(0, 50) for k in range(0, 2**32, 2**28))
    assert [sdc.publish(n, 0) for n in range(5)] == [None] * 5


def test_small_rows_are_not_listed_and_totals_are_sums_of_the_cells() -> None:
    audit = _Audit()
    viewer = Scope(None, "vera", "viewer", auditor=audit)  # type: ignore[arg-type]
    rows = _rows({"A": 30, "B": 12, "C": 3, "D": 1, "E": 2})
    d = sdc.aggregate(viewer, rows, ["c"], counts={"victims": "record", "cases": "case_id"}, key=b"k" * 32)
    assert set(d.cells["c"]) == {"A", "B"}  # C, D, E are neither listed nor counted one by one
    assert d.total == int(d.cells["victims"].sum()) + (d.other or 0)
    assert d.other is None or 5 <= d.other <= 8  # the pooled 6 victims of C, D, E: one cell, 6 ± 2 (or "<5")
    assert d.cells["cases"].isna().all() and d.cells["suppressed"].all()  # 3 cases each: below 5
    assert audit and audit[-1][0] == "read_aggregate" and audit[-1][2]["method"] == "cell-key"
    # investigators see the exact counts, small rows included when asked
    inv = Scope(None, "ines", "investigator")  # type: ignore[arg-type]
    e = sdc.aggregate(inv, rows, ["c"], key=b"k" * 32, list_small=True)
    assert dict(zip(e.cells["c"], e.cells["victims"], strict=True)) == {"A": 30, "B": 12, "C": 3, "E": 2, "D": 1}
    assert e.total == 48


def test_minimum_query_set_size_stops_narrowing() -> None:
    viewer = Scope(None, "vera", "viewer")  # type: ignore[arg-type]
    few = sdc.aggregate(viewer, _rows({"A": 6}), ["c"], key=b"k" * 32)
    assert few.refused and few.cells.empty and few.meta()["disclosure"] == "refused"
    with pytest.raises(QuerySetTooSmall):
        sdc.guard_query_set(viewer, [f"x{i}" for i in range(3)], "corridors", key=b"k" * 32)
    assert not sdc.aggregate(viewer, _rows({"A": 20}), ["c"], key=b"k" * 32).refused


# ------------------------------------------------------------ on the store
@pytest.fixture(scope="module")
def generated(driver: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from graph.db import clear_database
    from ingest.generate import generate_bundle
    from ingest.loader import ingest_bundle
    from views.cache import cache

    clear_database(driver)
    out = tmp_path_factory.mktemp("sdc")
    generate_bundle(out, seed=5, persons=1200)
    ingest_bundle(driver, out, rejects_path=out / "rejects.csv")
    cache.clear()
    return driver


def _scopes(driver: Any) -> tuple[Scope, Scope, _Audit]:
    audit = _Audit()
    return (Scope.for_user(driver, "vera", "viewer", auditor=audit), Scope.for_user(driver, "ines", "investigator"),
            audit)


def _cells(t: Any) -> dict[tuple[str, tuple[str, ...], str], int | None]:
    return {(r.source, tuple(r.transit), r.destination): r.victims for r in t.data}


def test_narrowing_attack_recovers_nobody(generated: Any) -> None:
    viewer, inv, audit = _scopes(generated)
    nats = ["MMR", "LAO", "KHM", "THA", "VNM"]
    singles = 0
    for nat, sex, age, years in itertools.product(nats, ["M", "F"], ["-17", "18-25", "26-"], [None, "2021", "2022"]):
        q = v.RouteQuery.parse(nationality=nat, sex=sex, age=age, years=years)
        truth = _cells(v.corridors(inv, q))
        singles += sum(1 for n in truth.values() if n == 1)
        seen = v.corridors(viewer, q)
        for r in seen.data:  # nothing small is listed: no row, so no age/sex/nationality of a lone victim
            assert r.victims is not None and r.victims >= 5, (q.raw, r)
            assert truth[(r.source, tuple(r.transit), r.destination)] >= 5
        if 0 < sum(n or 0 for n in truth.values()) < 8:
            assert seen.meta["disclosure"] == "refused" and not seen.data, q.raw
    assert singles > 20  # the attack had lone victims to find: the investigator's view shows them
    # every viewer query was audited as an aggregate read
    assert sum(1 for a in audit if a[0] == "read_aggregate" and a[1] == "corridors") >= 90
    with pytest.raises(Forbidden):
        v.corridors(viewer, v.RouteQuery.parse(cases="C-1"))


def _differences(viewer: Scope, inv: Scope, wide: v.RouteQuery, narrow: v.RouteQuery) -> list[tuple[int, int]]:
    """(true difference, difference of the viewer's published cells) where the remainder is a small cell."""
    tw, tn = _cells(v.corridors(inv, wide)), _cells(v.corridors(inv, narrow))
    sw, sn = _cells(v.corridors(viewer, wide)), _cells(v.corridors(viewer, narrow))
    out = []
    for k, n in tw.items():
        m = tn.get(k, 0) or 0
        if n is not None and 1 <= n - m <= 4 and sw.get(k) is not None and sn.get(k) is not None:
            out.append((n - m, int(sw[k] or 0) - int(sn[k] or 0)))
    return out


def test_subtraction_attacks_recover_nothing(generated: Any) -> None:
    viewer, inv, _ = _scopes(generated)
    pairs = []
    # a corridor minus its women = its men; all years minus a range = the years left out
    for nat in (None, "MMR", "LAO", "KHM"):
        pairs += _differences(viewer, inv, v.RouteQuery.parse(nationality=nat),
                              v.RouteQuery.parse(nationality=nat, sex="F"))
        pairs += _differences(viewer, inv, v.RouteQuery.parse(nationality=nat),
                              v.RouteQuery.parse(nationality=nat, years="2013-2022"))
        pairs += _differences(viewer, inv, v.RouteQuery.parse(nationality=nat, years="2019-2023"),
                              v.RouteQuery.parse(nationality=nat, years="2019-2022"))
    assert len(pairs) >= 10, pairs  # the attacks had suppressed cells to aim at
    hits = sum(1 for true, guess in pairs if true == guess)
    # with independent noise per cell the guess is right about as often as two draws of the
    # perturbation table agree (sum of p^2 = 0.26); without protection it would always be right
    assert hits / len(pairs) < 0.6, pairs
    assert any(g < 1 or g > 4 for _t, g in pairs)  # some guesses are not even a possible small count
    # asking again does not average the noise away: the same set gives the same numbers
    q = v.RouteQuery.parse(nationality="MMR")
    assert _cells(v.corridors(viewer, q)) == _cells(v.corridors(viewer, v.RouteQuery.parse(nationality="MMR",
                                                                                           years="1900-2100")))


def _csv_counts(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def test_route_map_csv_and_geojson_totals_reveal_no_suppressed_cell(generated: Any) -> None:
    viewer, inv, _ = _scopes(generated)
    for q in (v.RouteQuery.parse(), v.RouteQuery.parse(nationality="MMR"), v.RouteQuery.parse(level="province"),
              v.RouteQuery.parse(nationality="MMR", sex="F")):
        m = v.route_map(viewer, q)
        truth = v.route_map(inv, q)
        csv = _csv_counts(rm.routemap_csv(m.corridors, m.locations))
        fc = rm.routemap_geojson(m.corridors, m.locations, extra={"total": m.meta["total"],
                                                                  "other": m.meta.get("other")})
        exact = {(r["source"], tuple(r["transit"]), r["destination"]): r["victims"]
                 for r in truth.corridors.to_dict("records")}
        # every listed row is a published cell >= 5 whose true count is >= 5; the numbers are numeric
        assert csv["victims"].dtype.kind in "if" and (csv["victims"] >= 5).all()
        assert csv["victims"].notna().all() and csv["suppressed"].dtype == bool  # only a small *cases* count
        assert csv.loc[csv["suppressed"], "cases"].isna().all()                  # is ever suppressed in a row
        small = {k for k, n in exact.items() if n < 5}
        listed = {(r.source, tuple(t for t in str(r.transit).split(" > ") if t and t != "nan"), r.destination)
                  for r in csv.itertuples()}
        assert not (listed & small), q.raw
        # the map's total is the sum of what it shows (plus the pooled smaller corridors when shown):
        # total minus the shown corridors is the pooled cell, never a count of one suppressed corridor
        corridors = [f for f in fc["features"] if f["properties"]["feature"] == "corridor"]
        shown = sum(f["properties"]["victims"] for f in corridors)
        md = fc["metadata"]
        assert md["total"] == shown + (md["other"] or 0) == int(csv["victims"].sum()) + (md["other"] or 0)
        assert "corridors with <" not in str(md)  # no "+5 corridors <5"
