"""Routes, corridors and transit hubs on hand-built journeys (answers checked by hand)."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from analytics.routes import corridors, corridors_from_flows, cross_border, routes, transit_hubs, trends

# Small LOCATED_IN hierarchy: border crossings -> provinces -> countries.
PARENT = {
    "MM-17": "MMR",  # Shan
    "MM-MYAWADDY": "MMR",
    "BC-MAESAI": "TH-57",  # Mae Sai crossing, Chiang Rai
    "BC-MAESOT": "TH-63",  # Mae Sot crossing, Tak
    "TH-57": "THA",
    "TH-63": "THA",
    "TH-10": "THA",  # Bangkok
    "TH-74": "THA",  # Samut Sakhon
    "LA-VT": "LAO",
    "BC-HUAYXAI": "LA-BK",
    "LA-BK": "LAO",
    "KH-18": "KHM",
}
KIND = {
    "MMR": "country", "THA": "country", "LAO": "country", "KHM": "country",
    "MM-17": "province", "MM-MYAWADDY": "district", "TH-57": "province", "TH-63": "province",
    "TH-10": "province", "TH-74": "province", "LA-VT": "province", "LA-BK": "province", "KH-18": "province",
    "BC-MAESAI": "border_crossing", "BC-MAESOT": "border_crossing", "BC-HUAYXAI": "border_crossing",
}


def _graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for node, kind in KIND.items():
        g.add_node(node, kind=kind)
    g.add_edges_from(PARENT.items())  # child -> parent
    return g


def _journey(pid: str, cid: str, stops: list[tuple[str, str]], **extra: object) -> list[dict[str, object]]:
    return [{"person_id": pid, "case_id": cid, "leg": i, "location": loc, "stage": st, **extra}
            for i, (loc, st) in enumerate(stops)]


R, T, E = "recruitment", "transit", "exploitation"


def _journeys() -> pd.DataFrame:
    rows = []
    # Shan -> Mae Sai border -> Samut Sakhon: MMR -> () -> THA
    rows += _journey("p1", "c1", [("MM-17", R), ("BC-MAESAI", T), ("TH-74", E)],
                     year=2021, nationality="MMR", sex="F", age=17, exploitation_type="fishing")
    # domestic: Mae Sot (Tak) -> Bangkok: THA -> () -> THA
    rows += _journey("p2", "c1", [("BC-MAESOT", R), ("TH-10", E)],
                     year=2021, nationality="THA", sex="F", age=22, exploitation_type="sexual")
    # Myawaddy -> Mae Sot -> Bangkok -> Samut Sakhon (two exploitation places): last one is destination
    rows += _journey("p3", "c2", [("MM-MYAWADDY", R), ("BC-MAESOT", T), ("TH-10", E), ("TH-74", E)],
                     year=2022, nationality="MMR", sex="M", age=30, exploitation_type="fishing")
    # Cambodia -> Laos (two places, collapse) -> Chiang Rai border -> Bangkok: KHM -> (LAO,) -> THA
    rows += _journey("p4", "c3", [("KH-18", R), ("LA-VT", T), ("BC-HUAYXAI", T), ("BC-MAESAI", T),
                                  ("TH-10", E)],
                     year=2022, nationality="KHM", sex="F", age=16, exploitation_type="sexual")
    # missing exploitation: reported, not guessed
    rows += _journey("p5", "c3", [("KH-18", R), ("LA-VT", T)], year=2022, nationality="KHM", sex="M", age=40)
    # missing recruitment
    rows += _journey("p6", "c4", [("BC-MAESAI", T), ("TH-74", E)], year=2022, nationality="MMR", sex="M", age=35)
    return pd.DataFrame(rows)


def _by_person(df: pd.DataFrame) -> dict[str, dict[str, object]]:
    return {r["person_id"]: r for r in df.to_dict("records")}


@pytest.mark.parametrize("hierarchy", ["mapping", "graph"])
def test_country_routes(hierarchy: str) -> None:
    if hierarchy == "mapping":
        out = routes(_journeys(), "country", hierarchy=PARENT, levels=KIND)
    else:
        out = routes(_journeys(), "country", hierarchy=_graph())
    r = _by_person(out)
    assert len(out) == 6
    assert (r["p1"]["source"], r["p1"]["transit"], r["p1"]["destination"]) == ("MMR", (), "THA")
    assert (r["p2"]["source"], r["p2"]["transit"], r["p2"]["destination"]) == ("THA", (), "THA")
    assert (r["p3"]["source"], r["p3"]["transit"], r["p3"]["destination"]) == ("MMR", (), "THA")
    assert (r["p4"]["source"], r["p4"]["transit"], r["p4"]["destination"]) == ("KHM", ("LAO",), "THA")
    assert all(r[p]["complete"] for p in ("p1", "p2", "p3", "p4"))
    assert not r["p5"]["complete"]
    assert (r["p5"]["source"], r["p5"]["destination"], r["p5"]["missing"]) == ("KHM", None, ("exploitation",))
    assert r["p5"]["transit"] == ("LAO",)
    assert (r["p6"]["source"], r["p6"]["destination"], r["p6"]["missing"]) == (None, "THA", ("recruitment",))
    assert not r["p6"]["complete"]
    # carried per-journey columns
    assert r["p4"]["year"] == 2022 and r["p4"]["nationality"] == "KHM" and r["p4"]["age"] == 16


def test_cross_border_domestic() -> None:
    out = routes(_journeys(), "country", hierarchy=PARENT, levels=KIND)
    xb = dict(zip(out["person_id"], cross_border(out), strict=True))
    assert [bool(xb[p]) for p in ("p1", "p2", "p3", "p4")] == [True, False, True, True]
    assert bool(xb["p5"]) is True  # KHM -> LAO already crosses a border, destination unknown
    assert pd.isna(xb["p6"])  # only Thai places known, recruitment missing: undecidable
    # the column-free fallback compares the country-level route itself
    bare = out[["source", "transit", "destination"]]
    assert cross_border(bare).tolist()[:4] == [True, False, True, True]


@pytest.mark.parametrize("hierarchy", ["mapping", "graph"])
def test_province_routes(hierarchy: str) -> None:
    h = PARENT if hierarchy == "mapping" else _graph()
    lv = KIND if hierarchy == "mapping" else None
    r = _by_person(routes(_journeys(), "province", hierarchy=h, levels=lv))
    # border crossings map up to their province
    assert (r["p1"]["source"], r["p1"]["transit"], r["p1"]["destination"]) == ("MM-17", ("TH-57",), "TH-74")
    assert (r["p2"]["source"], r["p2"]["transit"], r["p2"]["destination"]) == ("TH-63", (), "TH-10")
    # Myawaddy (a district directly under the country) has no province: stays coarse (MMR);
    # Bangkok (an earlier exploitation place) becomes transit
    assert (r["p3"]["source"], r["p3"]["transit"], r["p3"]["destination"]) == ("MMR", ("TH-63", "TH-10"), "TH-74")
    # Huay Xai crossing -> LA-BK; repeats of the same province collapse
    assert r["p4"]["transit"] == ("LA-VT", "LA-BK", "TH-57")
    assert not bool(r["p2"]["cross_border"]) and bool(r["p1"]["cross_border"])


def test_repeats_collapse_and_endpoints_not_in_transit() -> None:
    j = pd.DataFrame(_journey("p", "c", [("TH-10", R), ("TH-63", T), ("LA-VT", T), ("LAO", T), ("TH-57", T),
                                         ("TH-74", E)]))
    r = routes(j, hierarchy=PARENT, levels=KIND).iloc[0]
    # THA THA LAO LAO THA THA -> collapse -> THA LAO THA -> transit without endpoints
    assert (r["source"], r["transit"], r["destination"]) == ("THA", ("LAO",), "THA")
    assert bool(r["cross_border"]) is True


def test_codes_without_level_information() -> None:
    # no hierarchy: AAA codes are countries; ISO 3166-2 codes map to their country
    j = pd.DataFrame(_journey("p", "c", [("MMR", R), ("LAO", T), ("LAO", T), ("TH-74", E)]))
    r = routes(j).iloc[0]
    assert (r["source"], r["transit"], r["destination"]) == ("MMR", ("LAO",), "THA")
    # an unknown place cannot be mapped: it is reported, not guessed
    j2 = pd.DataFrame(_journey("q", "c", [("somewhere", R), ("TH-74", E)]))
    r2 = routes(j2).iloc[0]
    assert r2["source"] is None and r2["destination"] == "THA" and not r2["complete"]
    assert r2["missing"] == ("recruitment (unmapped)",)


def test_legs_sorted_before_building() -> None:
    j = pd.DataFrame(_journey("p4", "c3", [("KH-18", R), ("LA-VT", T), ("TH-10", E)])).iloc[::-1]
    r = routes(j, hierarchy=PARENT, levels=KIND).iloc[0]
    assert (r["source"], r["transit"], r["destination"]) == ("KHM", ("LAO",), "THA")


def test_corridors_counts_and_filters() -> None:
    rt = routes(_journeys(), hierarchy=PARENT, levels=KIND)
    c = corridors(rt)
    got = {(r.source, r.transit, r.destination): (r.victims, r.cases, r.cross_border) for r in c.itertuples()}
    assert got == {("MMR", (), "THA"): (2, 2, True), ("THA", (), "THA"): (1, 1, False),
                   ("KHM", ("LAO",), "THA"): (1, 1, True)}
    assert c.iloc[0]["source"] == "MMR" and list(c.columns[:5]) == ["source", "transit", "destination", "victims",
                                                                     "cases"]
    assert corridors(rt, years=2021)["victims"].sum() == 2
    assert corridors(rt, years=[2022], nationality="MMR")["victims"].tolist() == [1]
    assert corridors(rt, exploitation_type="sexual", sex="F")["source"].tolist() == ["KHM", "THA"]
    assert corridors(rt, age=(None, 17))["source"].tolist() == ["KHM", "MMR"]  # children: p4 (16), p1 (17)
    assert corridors(rt, min_victims=2)["source"].tolist() == ["MMR"]
    inc = corridors(rt, include_incomplete=True)
    assert inc["victims"].sum() == 6
    with pytest.raises(ValueError, match="exploitation_type"):
        corridors(rt.drop(columns=["exploitation_type"]), exploitation_type="fishing")


def test_corridors_weighted() -> None:
    j = _journeys()
    j["weight"] = j["person_id"].map({"p1": 3.0, "p2": 1.0, "p3": 0.5, "p4": 2.0, "p5": 1.0, "p6": 1.0})
    c = corridors(routes(j, hierarchy=PARENT, levels=KIND))
    assert c[["source", "victims"]].values.tolist() == [["MMR", 3.5], ["KHM", 2.0], ["THA", 1.0]]


def test_transit_hubs_and_trends() -> None:
    rt = routes(_journeys(), "province", hierarchy=PARENT, levels=KIND)
    hubs = transit_hubs(rt)
    got = dict(zip(hubs["location"], hubs["victims"], strict=True))
    # p1: TH-57; p3: TH-63, TH-10; p4: LA-VT, LA-BK, TH-57; incomplete journeys passed through too:
    # p5: LA-VT, p6: TH-57
    assert got == {"TH-57": 3, "LA-VT": 2, "TH-63": 1, "TH-10": 1, "LA-BK": 1}
    assert hubs["location"].iloc[:2].tolist() == ["TH-57", "LA-VT"]
    assert hubs.set_index("location").loc["TH-57", "corridors"] == 3
    tr = trends(routes(_journeys(), hierarchy=PARENT, levels=KIND).query("complete"))
    assert tr[["year", "source", "victims"]].values.tolist() == [
        [2021, "MMR", 1], [2021, "THA", 1], [2022, "KHM", 1], [2022, "MMR", 1]]


def test_corridors_from_flows() -> None:
    flows = pd.DataFrame({
        "citizenship": ["MMR", "MMR", "LAO", "THA", "KHM", "MMR"],
        "detected_in": ["THA", "THA", "THA", "THA", "THA", "MYS"],
        "n": [10, "25", 7, 4, "<5", 2],  # '<5' (suppressed) is not a number: skipped
    })
    c = corridors_from_flows(flows, origin="citizenship", destination="detected_in", count="n")
    assert c[["source", "destination", "victims"]].values.tolist() == [
        ["MMR", "THA", 35], ["LAO", "THA", 7], ["THA", "THA", 4], ["MMR", "MYS", 2]]
    assert c["transit"].tolist() == [()] * 4
    assert c["cross_border"].tolist() == [True, True, False, True]
    assert corridors_from_flows(flows, "citizenship", "detected_in", "n", min_victims=5)["victims"].tolist() == [35, 7]
