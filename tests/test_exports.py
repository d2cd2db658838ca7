"""Exports of network and table views (viz.exports): pure functions on small graphs with known answers."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any
from xml.etree import ElementTree as ET

import networkx as nx
import pytest

from graph.model import NODE_LABELS
from viz import exports as ex

G: dict[str, Any] = {
    "nodes": [
        {"id": "P1", "label": "Person", "name": "สมชาย ใจดี", "nationality": "THA", "phones": ["+66812345678"],
         "sources": ["DSI", "RTP"], "score": 0.5},
        {"id": "P2", "label": "Person", "name": "မြင့်", "nationality": "MMR", "score": 1},
        {"id": "C1", "label": "Case", "name": "ATPD-1/2567", "opened": "2024-01-02"},
        {"id": "TH-10", "label": "Location", "name": "Bangkok", "collapsed": True, "degree": 852},
        {"id": "MM-06", "label": "Location", "name": "Yangon"},
    ],
    "edges": [
        {"id": "r1", "from": "P1", "to": "C1", "type": "INVOLVED_IN", "role": "suspect", "source": "DSI"},
        {"id": "r2", "from": "P2", "to": "C1", "type": "INVOLVED_IN", "role": "victim", "source": "DSI"},
        {"id": "r3", "from": "P1", "to": "TH-10", "type": "LIVES_AT"},
        # parallel journey legs between the same two places
        {"id": "r4", "from": "MM-06", "to": "TH-10", "type": "MOVED", "case_id": "C1", "at": "2024-01-01"},
        {"id": "r5", "from": "MM-06", "to": "TH-10", "type": "MOVED", "case_id": "C1", "at": "2024-02-01"},
        {"id": "r6", "from": "P1", "to": "P2", "type": "SAME_AS", "score": 0.71},
    ],
}


def test_graphml_and_gexf_read_back_with_the_same_counts_labels_and_properties(tmp_path: Any) -> None:
    import igraph

    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        body, media, ext = ex.export_graph(G, fmt, title="t")
        path = tmp_path / f"g.{ext}"
        path.write_bytes(body)
        H = reader(path)
        assert H.number_of_nodes() == 5 and H.number_of_edges() == 6, fmt  # parallel legs kept
        if fmt == "graphml":
            assert H.nodes["P1"]["label"] == "สมชาย ใจดี" and H.nodes["P1"]["kind"] == "Person"
            assert H.nodes["P1"]["phones"] == "+66812345678" and H.nodes["TH-10"]["degree"] == 852
        else:  # GEXF keeps the display name as the node label (what Gephi shows)
            assert H.nodes["P1"]["label"] == "สมชาย ใจดี" and H.nodes["P1"]["kind"] == "Person"
        types = sorted(d["relationship"] for _, _, d in H.edges(data=True))
        assert types == ["INVOLVED_IN", "INVOLVED_IN", "LIVES_AT", "MOVED", "MOVED", "SAME_AS"]
    ig = igraph.Graph.Read_GraphML(str(tmp_path / "g.graphml"))
    assert (ig.vcount(), ig.ecount()) == (5, 6)
    assert sorted(ig.vs["kind"]) == ["Case", "Location", "Location", "Person", "Person"]


def test_mixed_attribute_types_are_declared_once() -> None:
    g = {"nodes": [{"id": "a", "label": "Person", "x": 1}, {"id": "b", "label": "Person", "x": "one"},
                   {"id": "c", "label": "Person", "y": 1}, {"id": "d", "label": "Person", "y": 2.5}], "edges": []}
    H = nx.read_graphml(io.BytesIO(ex.graph_graphml(g)))
    assert H.nodes["a"]["x"] == "1" and H.nodes["b"]["x"] == "one"  # int and text → text
    assert H.nodes["c"]["y"] == 1.0 and H.nodes["d"]["y"] == 2.5  # int and float → float


def test_anx_is_i2_chart_xml_with_one_item_per_entity_and_link() -> None:
    body = ex.graph_anx(G, title="Case ATPD-1/2567")
    root = ET.fromstring(body)
    assert root.tag == "Chart"
    items = root.findall("./ChartItemCollection/ChartItem")
    assert len(items) == len(G["nodes"]) + len(G["edges"])
    ents = root.findall("./ChartItemCollection/ChartItem/End/Entity")
    links = root.findall("./ChartItemCollection/ChartItem/Link")
    assert len(ents) == 5 and len(links) == 6
    assert {e.get("EntityId") for e in ents} == {"P1", "P2", "C1", "TH-10", "MM-06"}
    types = {e.get("EntityId"): e.find("./Icon/IconStyle").get("Type") for e in ents}  # type: ignore[union-attr]
    assert types["P1"] == "Person" and types["C1"] == "Event" and types["TH-10"] == "Location"
    # links point at entity ids; the SAME_AS candidate is tentative, facts are confirmed
    by_end = {(lk.get("End1Id"), lk.get("End2Id"), lk.find("LinkStyle").get("Type")):  # type: ignore[union-attr]
              lk.find("LinkStyle").get("StrengthReference") for lk in links}  # type: ignore[union-attr]
    assert by_end[("P1", "P2", "SAME_AS")] == "Tentative" and by_end[("P1", "C1", "INVOLVED_IN")] == "Confirmed"
    declared = {t.get("Name") for t in root.findall("./EntityTypeCollection/EntityType")}
    assert declared == {"Person", "Event", "Location"}
    assert {t.get("Name") for t in root.findall("./LinkTypeCollection/LinkType")} == \
        {"INVOLVED_IN", "LIVES_AT", "MOVED", "SAME_AS"}
    strengths = {s.get("Id") for s in root.findall("./StrengthCollection/Strength")}
    assert {"Confirmed", "Tentative"} <= strengths
    # properties become attributes of declared classes
    classes = {c.get("Name") for c in root.findall("./AttributeClassCollection/AttributeClass")}
    p1 = next(i for i in items if i.find("./End/Entity") is not None and i.find("./End/Entity").get("EntityId") == "P1")  # type: ignore[union-attr]
    attrs = {a.get("AttributeClass"): a.get("Value") for a in p1.findall("./AttributeCollection/Attribute")}
    assert attrs["nationality"] == "THA" and attrs["sources"] == "DSI; RTP" and set(attrs) <= classes
    assert p1.get("Label") == "สมชาย ใจดี"


def test_every_model_label_has_an_i2_type() -> None:
    assert set(ex.I2_ENTITY_TYPES) == set(NODE_LABELS)


def test_anx_uses_saved_positions() -> None:
    root = ET.fromstring(ex.graph_anx(G, positions={"P1": [100, 200], "P2": [-50, 10]}))
    ends = {i.find("./End/Entity").get("EntityId"): i.find("End")  # type: ignore[union-attr]
            for i in root.findall("./ChartItemCollection/ChartItem") if i.find("End") is not None}
    assert (ends["P1"].get("X"), ends["P1"].get("Y")) == ("100", "200")


def test_csv_zip_has_nodes_and_edges() -> None:
    z = zipfile.ZipFile(io.BytesIO(ex.graph_csv_zip(G)))
    assert sorted(z.namelist()) == ["edges.csv", "nodes.csv"]
    nodes = list(csv.DictReader(io.StringIO(z.read("nodes.csv").decode())))
    edges = list(csv.DictReader(io.StringIO(z.read("edges.csv").decode())))
    assert len(nodes) == 5 and len(edges) == 6
    assert list(nodes[0])[:3] == ["id", "label", "name"] and list(edges[0])[:4] == ["id", "from", "to", "type"]
    assert {e["id"] for e in edges} == {"r1", "r2", "r3", "r4", "r5", "r6"}
    assert next(n for n in nodes if n["id"] == "P1")["phones"] == "+66812345678"


@pytest.mark.parametrize(("fmt", "magic"), [("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF"), ("svg", b"<?xml")])
def test_pictures_have_title_date_and_watermark(fmt: str, magic: bytes) -> None:
    body = ex.graph_image(G, fmt, title="Case ATPD-1/2567", user="ines", generated="2024-01-02 10:00 (Asia/Bangkok)")
    assert body.startswith(magic)
    if fmt == "svg":
        text = body.decode()
        assert "Case ATPD-1/2567" in text  # the title element of the document
    if fmt == "png":
        import matplotlib.image as mpimg
        import numpy as np

        img = np.asarray(mpimg.imread(io.BytesIO(body), format="png"))[..., :3]
        assert img.shape[0] > 500 and float(img.std()) > 0.02


def test_pictures_render_every_script_without_missing_glyphs(recwarn: Any) -> None:
    fams = ex.font_families()
    assert "Noto Sans Thai" in fams and "Noto Sans Myanmar" in fams
    g = {"nodes": [{"id": "a", "label": "Person", "name": "สมชาย"}, {"id": "b", "label": "Person", "name": "မြင့်"},
                   {"id": "c", "label": "Person", "name": "ສົມສັກ"}, {"id": "d", "label": "Person", "name": "សុខា"},
                   {"id": "e", "label": "Person", "name": "王小明"}], "edges": []}
    ex.graph_image(g, "png", title="scripts")
    missing = [str(w.message) for w in recwarn if "missing from font" in str(w.message)]
    assert missing == [], missing


def test_tables_export_csv_with_bom_and_xlsx_with_types() -> None:
    from openpyxl import load_workbook

    rows = [{"node": "P1", "name": "สมชาย", "score": 0.8123, "roles": ["liaison", "gatekeeper"]},
            {"node": "P2", "name": "=HYPERLINK(\"x\")", "score": 0.5, "roles": []},
            {"node": "P3", "name": "+66812345678", "score": None, "roles": ["coordinator"]}]
    body, media, ext = ex.export_table(rows, "csv")
    assert ext == "csv" and body.startswith("\ufeff".encode())
    got = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["node"] for r in got] == ["P1", "P2", "P3"] and got[0]["roles"] == "liaison; gatekeeper"
    assert got[1]["name"].startswith("'=") and got[2]["name"] == "+66812345678"  # no formula, phone intact
    body, media, ext = ex.export_table(rows, "xlsx", title="brokers")
    ws = load_workbook(io.BytesIO(body)).active
    assert ws.title == "brokers"
    values = list(ws.values)
    assert values[0] == ("node", "name", "score", "roles")
    assert values[1][2] == pytest.approx(0.8123) and values[1][1] == "สมชาย"
    assert isinstance(values[2][1], str) and values[2][1].startswith("'=")
    with pytest.raises(ValueError):
        ex.export_table(rows, "docx")
