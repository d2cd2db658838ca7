"""Visualisation layer: offline pages, escaping, model styles, layouts, route-map exports."""

from __future__ import annotations

import io
import json
import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from graph.model import NODES
from viz.network import render_network
from viz.routemap import (
    prepare_corridors,
    routemap_csv,
    routemap_geojson,
    routemap_html,
    routemap_metadata,
    routemap_pdf,
    routemap_png,
)
from viz.views import render_broker_view, render_case_view, render_money_trail

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "</script><script>alert(1)</script>"

# a tag/attribute that would make the browser fetch something from another host
_REMOTE = re.compile(
    r"""<(script|link|img|iframe|source|embed|object)\b[^>]*\b(src|href|data)\s*=\s*["']?\s*(https?:)?//"""
    r"""|url\(\s*["']?\s*(https?:)?//|@import""",
    re.I,
)


def _payload(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="netintel-data">(.*?)</script>', html, re.S)
    assert m, "page data block missing"
    return json.loads(m.group(1))


def _graph() -> nx.Graph:
    G = nx.Graph()
    G.add_node("p1", label="Person", name=XSS_IMG, score=0.9, sources=["RTP"], source_record_ids=["R-1"])
    G.add_node("p2", label="Person", name=XSS_SCRIPT, score=0.1)
    G.add_node("c1", label="Case", name="ATPD 12/2567", sources=["ATPD"])
    G.add_node("o1", label="Organisation", name="Sea Star Fishing Co.")
    G.add_node("a1", label="BankAccount", name="KTB 123-4-56789-0")
    G.add_edge("p1", "c1", type="INVOLVED_IN", role="suspect", source="ATPD", source_record_id="X1")
    G.add_edge("p2", "c1", type="INVOLVED_IN", role="victim")
    G.add_edge("p1", "o1", type="DIRECTS")
    G.add_edge("p1", "a1", type="HOLDS")
    return G


# ------------------------------------------------------------------ network pages
def test_network_page_is_offline_and_inlines_vis_network() -> None:
    html = render_network(_graph(), title="t", expand_url="/api/entities/{id}/neighbours?depth=1")
    assert not _REMOTE.search(html)
    assert "<script src" not in html.lower() and "<link" not in html.lower()
    assert "vis-network" in html and "new vis.Network" in html  # library inline, page uses it


def test_names_and_title_are_escaped_everywhere() -> None:
    html = render_network(_graph(), title="<b>T</b>" + XSS_IMG)
    assert XSS_IMG not in html and XSS_SCRIPT not in html
    assert "<b>T</b>" not in html
    assert "&lt;b&gt;T&lt;/b&gt;" in html  # the title as text
    data = _payload(html)  # and the JSON round-trips to the original strings
    names = {n["id"]: n["label"] for n in data["nodes"]}
    assert names["p1"] == XSS_IMG and names["p2"] == XSS_SCRIPT
    block = html[html.index('id="netintel-data">'):]
    block = block[: block.index("</script>")]
    assert "<" not in block[len('id="netintel-data">'):] and "&" not in block
    # tooltips are data rows for textContent, not HTML strings
    assert all("title" not in n for n in data["nodes"])
    assert ["sources", "RTP"] in data["nodes"][0]["_info"]
    assert ["source_record_ids", "R-1"] in data["nodes"][0]["_info"]


def test_json_escapes_line_separators() -> None:
    G = nx.Graph()
    G.add_node("x", label="Person", name="a\u2028b\u2029c&d")
    html = render_network(G, title="t")
    assert "\u2028" not in html and "\u2029" not in html
    assert _payload(html)["nodes"][0]["label"] == "a\u2028b\u2029c&d"


def test_colours_shapes_and_legend_come_from_the_model() -> None:
    data = _payload(render_network(_graph(), title="t"))
    spec = {n.label: n for n in NODES}
    kinds = {"p1": "Person", "c1": "Case", "o1": "Organisation", "a1": "BankAccount"}
    for n in data["nodes"]:
        if n["id"] in kinds:
            assert n["color"] == spec[kinds[n["id"]]].colour
            assert n["shape"] == spec[kinds[n["id"]]].shape
    legend = {row[0]: (row[1], row[2]) for row in data["legend"]["nodes"]}
    assert set(legend) == {"Person", "Case", "Organisation", "BankAccount"}
    for lab, (col, shape) in legend.items():
        assert (col, shape) == (spec[lab].colour, spec[lab].shape)
    # expansion styles for any label are shipped too
    assert {k: v["color"] for k, v in data["styles"].items() if k != "_default"} == {n.label: n.colour for n in NODES}
    edge_legend = dict(data["legend"]["edges"])
    assert edge_legend["suspect"] != edge_legend["victim"]


def test_size_follows_score() -> None:
    data = _payload(render_network(_graph(), title="t"))
    size = {n["id"]: n["size"] for n in data["nodes"]}
    assert size["p1"] > size["p2"]


def test_physics_below_threshold_fixed_positions_above() -> None:
    G = nx.path_graph(12)
    nx.set_node_attributes(G, "Person", "label")
    small = _payload(render_network(G, title="t", fixed_layout_threshold=20))
    assert small["fixed"] is False and small["options"]["physics"]["enabled"] is True
    assert small["options"]["physics"]["stabilization"]["iterations"] <= 300
    assert all("x" not in n for n in small["nodes"])
    big = _payload(render_network(G, title="t", fixed_layout_threshold=10))
    assert big["fixed"] is True and big["options"]["physics"] == {"enabled": False}
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) and n["physics"] is False for n in big["nodes"])
    assert len({(n["x"], n["y"]) for n in big["nodes"]}) == 12  # a real layout, not all at one point


def test_expand_url_is_passed_through() -> None:
    url = "/api/entities/{id}/neighbours?depth=1"
    assert _payload(render_network(_graph(), title="t", expand_url=url))["expandUrl"] == url
    assert _payload(render_network(_graph(), title="t"))["expandUrl"] is None


def test_broker_view_highlights_by_gould_fernandez_role() -> None:
    G = _graph()
    df = pd.DataFrame({"node": ["p1", "p2"], "role": ["gatekeeper", "liaison"], "broker_score": [3.0, 1.0]})
    data = _payload(render_broker_view(G, df))
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id["p1"]["borderWidth"] == 4 and by_id["p2"]["borderWidth"] == 4
    assert by_id["p1"]["color"]["border"] != by_id["p2"]["color"]["border"]
    assert "borderWidth" not in by_id["c1"]
    legend = " ".join(r[0] for r in data["legend"]["highlight"])
    for role in ("coordinator", "itinerant", "representative", "gatekeeper", "liaison"):
        assert role in legend
    assert by_id["p1"]["size"] > by_id["p2"]["size"]
    # a broker without a role ("", betweenness alone) is not outlined, and the legend has no nameless row
    df2 = pd.DataFrame({"node": ["p1", "p2"], "role": ["gatekeeper", ""], "broker_score": [3.0, 1.0]})
    data2 = _payload(render_broker_view(G, df2))
    by_id2 = {n["id"]: n for n in data2["nodes"]}
    assert by_id2["p1"]["borderWidth"] == 4 and "borderWidth" not in by_id2["p2"]
    assert all(r[0] for r in data2["legend"]["highlight"]) and len(data2["legend"]["highlight"]) == 5


def test_case_view_is_the_neighbourhood_of_the_case() -> None:
    G = _graph()
    G.add_node("far", label="Person", name="far away")
    G.add_edge("far", "o1", type="MEMBER_OF")
    ids1 = {n["id"] for n in _payload(render_case_view(G, "c1", depth=1))["nodes"]}
    assert ids1 == {"c1", "p1", "p2"}
    ids3 = {n["id"] for n in _payload(render_case_view(G, "c1", depth=3))["nodes"]}
    assert "far" in ids3
    with pytest.raises(KeyError):
        render_case_view(G, "nope")


def test_money_trail_is_time_ordered_left_to_right() -> None:
    hops = pd.DataFrame({
        "path_id": [0, 0, 0, 1],
        "hop": [1, 2, 3, 1],
        "txn_id": ["t1", "t2", "t3", "t1"],
        "source": ["A", "B", "C", "A"],
        "target": ["B", "C", "D", "B"],
        "amount": [1_000_000.0, 950_000.0, 900_000.0, 1_000_000.0],
        "currency": ["THB"] * 4,
        "at": pd.to_datetime(["2024-03-01 09:00", "2024-03-01 12:30", "2024-03-02 08:00", "2024-03-01 09:00"]),
    })
    html = render_money_trail(hops)
    data = _payload(html)
    level = {n["id"]: n["level"] for n in data["nodes"]}
    assert level == {"A": 0, "B": 1, "C": 2, "D": 3}
    assert data["options"]["layout"]["hierarchical"]["direction"] == "LR"
    labels = sorted(e["label"] for e in data["edges"])
    assert len(labels) == 3  # t1 on two paths drawn once
    assert "1,000,000 THB\n2024-03-01 09:00" in labels
    assert "950,000 THB\n2024-03-01 12:30" in labels
    assert not _REMOTE.search(html)


# ------------------------------------------------------------------ route maps
LOCS = pd.DataFrame([
    {"id": "MMR", "name": "Myanmar", "lat": 21.0, "lon": 96.0, "kind": "country"},
    {"id": "LAO", "name": "Laos", "lat": 19.0, "lon": 102.5, "kind": "country"},
    {"id": "KHM", "name": "Cambodia", "lat": 12.5, "lon": 104.9, "kind": "country"},
    {"id": "THA", "name": "ประเทศไทย", "lat": 15.0, "lon": 101.0, "kind": "country"},
    {"id": "MYS", "name": "Malaysia", "lat": 4.2, "lon": 102.0, "kind": "country"},
])
# victims 3 and cases 2/4 are below min_count=5 and must vanish from every export
CORR = pd.DataFrame({
    "source": ["MMR", "LAO", "KHM", "MMR"],
    "transit": [(), (), ("LAO",), ("THA",)],
    "destination": ["THA", "THA", "THA", "MYS"],
    "victims": [1234, 57, 3, 21],
    "cases": [311, 4, 2, 9],
})
SECRET_VICTIMS = 3
FILTERS = {"years": "2020-2024", "exploitation_type": "fishing", "sex": "M"}


def test_suppression_rule_in_prepared_data() -> None:
    cs, places = prepare_corridors(CORR, LOCS, min_count=5)
    by_route = {c["route"]: c for c in cs}
    assert by_route["KHM > LAO > THA"]["victims"] is None
    assert by_route["KHM > LAO > THA"]["victims_display"] == "<5"
    assert by_route["LAO > THA"]["cases"] is None and by_route["LAO > THA"]["victims"] == 57
    # totals only over shown values: THA (destination or transit) sees 1234 + 57 + 21; the 3 is not added
    assert places["THA"]["victims_shown"] == 1234 + 57 + 21
    assert places["THA"]["suppressed_corridors"] == 1
    assert places["LAO"]["victims_shown"] == 57
    # configurable threshold
    cs10, _ = prepare_corridors(CORR, LOCS, min_count=100)
    assert [c["victims"] for c in cs10 if c["victims"] is not None] == [1234]


def test_route_map_html_offline_escaped_and_suppressed() -> None:
    locs = LOCS.copy()
    locs.loc[locs["id"] == "MYS", "name"] = XSS_IMG
    html = routemap_html(CORR, locs, title="Corridors " + XSS_SCRIPT, filters=FILTERS, watermark="RESTRICTED")
    assert not _REMOTE.search(html)
    assert XSS_IMG not in html and XSS_SCRIPT not in html
    assert html.count('<path class="rm-arc') == len(CORR)
    assert "fishing" in html and "RESTRICTED" in html and "Natural Earth" in html
    data = json.loads(re.search(r'id="routemap-data">(.*?)</script>', html, re.S).group(1))
    victims = [c["victims"] for c in data["corridors"]]
    assert SECRET_VICTIMS not in victims and None in victims
    assert "&lt;5" in html
    # the suppressed corridor is the only dashed one, with the fixed minimum width
    sup = re.findall(r'<path class="rm-arc sup"[^>]*stroke-width="([\d.]+)"', html)
    assert sup == ["1.20"]  # viz.maplayout.SUPPRESSED_WIDTH: no number in the width
    # a total that includes the suppressed value is never printed
    for leaked in (1234 + 57 + 21 + SECRET_VICTIMS, 1234 + 57 + SECRET_VICTIMS, 57 + SECRET_VICTIMS):
        assert f"{leaked:,} victims" not in html
    assert f"{1234 + 57 + 21:,} victims" in html  # per-place total of shown corridors (THA)


def test_route_map_geojson_structure() -> None:
    fc = routemap_geojson(CORR, LOCS, filters=FILTERS)
    assert fc["type"] == "FeatureCollection"
    lines = [f for f in fc["features"] if f["geometry"]["type"] == "LineString"]
    points = [f for f in fc["features"] if f["geometry"]["type"] == "Point"]
    assert len(lines) == 4 and {p["properties"]["id"] for p in points} == set(LOCS["id"])
    for f in fc["features"]:
        assert f["type"] == "Feature" and isinstance(f["properties"], dict)
        coords = f["geometry"]["coordinates"]
        pts = coords if f["geometry"]["type"] == "LineString" else [coords]
        for lon, lat in pts:
            assert -180 <= lon <= 180 and -90 <= lat <= 90
    khm = next(f for f in lines if f["properties"]["source"] == "KHM")
    assert khm["geometry"]["coordinates"] == [[104.9, 12.5], [102.5, 19.0], [101.0, 15.0]]
    assert khm["properties"]["victims"] is None and khm["properties"]["victims_display"] == "<5"
    text = json.dumps(fc)
    assert '"victims": 3' not in text and '"cases": 2' not in text and '"cases": 4' not in text
    assert fc["metadata"]["filters_applied"] == FILTERS


def test_route_map_csv_opens_with_plain_read_csv() -> None:
    path = io.BytesIO(routemap_csv(CORR, LOCS).encode("utf-8"))
    assert path.getvalue()[:3] == b"\xef\xbb\xbf"  # UTF-8 BOM for Excel
    df = pd.read_csv(path)  # no options: no comment lines, BOM skipped
    assert list(df.columns[:3]) == ["source", "source_name", "transit"] and "suppressed" in df.columns
    assert df["victims"].dtype.kind in "if" and df["suppressed"].dtype == bool
    row = df[df["source"] == "KHM"].iloc[0]  # 3 victims: no number, flagged
    assert pd.isna(row["victims"]) and pd.isna(row["cases"]) and bool(row["suppressed"])
    assert int(df[df["source"] == "MMR"].iloc[0]["victims"]) == 1234
    assert {"Myanmar", "Cambodia", "ประเทศไทย"} <= set(df["source_name"]) | set(df["destination_name"])
    meta = routemap_metadata(CORR, LOCS, filters=FILTERS)
    assert "fishing" in meta["filters"] and meta["victims_shown"] == int(df["victims"].sum())


def _png_array(png: bytes) -> np.ndarray:
    import matplotlib.image as mpimg

    return mpimg.imread(io.BytesIO(png), format="png")


def test_route_map_png_is_a_real_picture_and_pdf_is_pdf() -> None:
    png = routemap_png(CORR, LOCS, title="ทางเดิน MMR–THA", filters=FILTERS, watermark="RESTRICTED", dpi=100)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 30_000
    img = _png_array(png)
    assert img.shape[0] > 800 and img.shape[1] > 1000
    assert img[..., :3].std() > 0.05
    assert len(np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 50
    pdf = routemap_pdf(CORR, LOCS, title="ทางเดิน MMR–THA", filters=FILTERS)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert b"NotoSansThai" in pdf or b"Loma" in pdf or b"Garuda" in pdf  # a Thai font was embedded


def test_png_does_not_draw_suppressed_numbers() -> None:
    # the same map with the small corridor's count changed gives the identical picture
    other = CORR.copy()
    other.loc[other["source"] == "KHM", ["victims", "cases"]] = [1, 1]
    kw = {"title": "t", "generated": "2024-01-01", "dpi": 50}
    assert routemap_png(CORR, LOCS, **kw) == routemap_png(other, LOCS, **kw)
    bigger = CORR.copy()
    bigger.loc[bigger["source"] == "KHM", ["victims", "cases"]] = [9, 9]
    assert routemap_png(CORR, LOCS, **kw) != routemap_png(bigger, LOCS, **kw)
