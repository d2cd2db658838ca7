"""Issue 13: the two-country view, readable maps, the briefing page, flows as input, trends, valid files.

Store tests run on a generated bundle in the real Neo4j; the map and file
checks run on corridors with known answers.
"""

from __future__ import annotations

import html as htmllib
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analytics.flows import flows_corridors, read_flows
from graph.scope import Scope
from views import routes as v
from viz import routemap as rm
from viz.labels import Box, overlaps

# ----------------------------------------------------------------- fixtures
LOCS = pd.DataFrame([
    {"id": "MMR", "name": "Myanmar", "lat": 21.9, "lon": 95.96, "kind": "country"},
    {"id": "THA", "name": "Thailand", "lat": 15.87, "lon": 100.99, "kind": "country"},
    {"id": "LAO", "name": "Lao People's Democratic Republic", "lat": 19.86, "lon": 102.5, "kind": "country"},
    {"id": "KHM", "name": "Cambodia", "lat": 12.57, "lon": 104.99, "kind": "country"},
    {"id": "MYS", "name": "Malaysia", "lat": 4.21, "lon": 101.98, "kind": "country"},
    {"id": "KOR", "name": "Republic of Korea", "lat": 35.91, "lon": 127.77, "kind": "country"},
    {"id": "JPN", "name": "Japan", "lat": 36.2, "lon": 138.25, "kind": "country"},
    {"id": "USA", "name": "United States of America", "lat": 39.8, "lon": -98.6, "kind": "country"},
    {"id": "TWN", "name": "Taiwan Province of China", "lat": 23.7, "lon": 120.96, "kind": "area"},
])
CORR = pd.DataFrame({
    "source": ["MMR", "LAO", "THA", "KHM", "THA", "THA", "THA", "MMR", "THA"],
    "transit": [(), (), (), ("THA",), (), (), (), ("THA",), ()],
    "destination": ["THA", "THA", "MMR", "MYS", "KOR", "JPN", "THA", "MYS", "USA"],
    "victims": [417, 167, 33, 30, 22, 12, 150, 9, 6],
    "cases": [120, 60, 10, 8, 7, 5, 40, 3, 2],
})


def _boxes(html: str) -> list[Box]:
    rects = re.findall(r'<rect class="rm-lbox" x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"', html)
    return [Box(float(x), float(y), float(w), float(h)) for x, y, w, h in rects]


def _texts(page: str) -> list[str]:
    return [htmllib.unescape(t) for t in re.findall(r'<rect class="rm-lbox"[^>]*/><text[^>]*>([^<]*)</text>', page)]


# ------------------------------------------------------------ readable map
def test_no_two_label_boxes_overlap_and_counts_are_off_the_markers() -> None:
    html = rm.routemap_html(CORR, LOCS, title="Corridors")
    boxes = _boxes(html)
    texts = _texts(html)
    assert len(boxes) >= 9 + 5 and "Republic of Korea" in texts and "Japan" in texts and "167" in texts
    assert overlaps(boxes) == []
    markers = [(float(x), float(y)) for x, y in re.findall(r'<circle class="rm-source" cx="([-\d.]+)" cy="([-\d.]+)"',
                                                           html)]
    for b in boxes:  # no label covers a marker (count labels included)
        assert not any(b.x < x < b.x + b.w and b.y < y < b.y + b.h for x, y in markers)


def test_fixed_width_scale_with_reference_values() -> None:
    a = rm.routemap_html(CORR, LOCS)
    b = rm.routemap_html(CORR[CORR["victims"] < 100], LOCS)

    def width_of(html: str, route: str) -> str:
        return re.search(r'stroke-width="([\d.]+)" marker-end="url\(#rm-arrow\)"><title>' + route, html).group(1)

    # the same corridor has the same width on two maps whose largest corridors differ
    assert width_of(a, "Cambodia → Thailand → Malaysia") == width_of(b, "Cambodia → Thailand → Malaysia")
    assert all(v in a for v in (">10<", ">100<", ">1,000<")) or all(f" {v}</span>" in a for v in ("10", "100", "1,000"))


def test_province_outlines_and_thai_names() -> None:
    locs = pd.DataFrame([
        {"id": "TH-63", "name": "ตาก", "lat": 16.88, "lon": 99.13, "kind": "province"},
        {"id": "TH-74", "name": "สมุทรสาคร", "lat": 13.55, "lon": 100.27, "kind": "province"},
        {"id": "MM-13", "name": "รัฐกะเหรี่ยง", "lat": 17.0, "lon": 97.7, "kind": "province"},
    ])
    corr = pd.DataFrame({"source": ["MM-13"], "transit": [("TH-63",)], "destination": ["TH-74"],
                         "victims": [40], "cases": [9]})
    html = rm.routemap_html(corr, locs, lang="th", title="ทางเดิน")
    assert html.count('class="rm-province') > 20 and "Natural Earth" in html
    assert "ตาก" in _texts(html) and "สมุทรสาคร" in _texts(html)
    assert overlaps(_boxes(html)) == []


# ---------------------------------------------------------------- briefing
def _pdf_size_pt(pdf: bytes) -> tuple[float, float]:
    m = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert m, "no MediaBox"
    return float(m.group(1)), float(m.group(2))


def _fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the PDF's pages use, and whether its glyphs are embedded (read with pypdf: a
    font file in the font's descriptor, or in its descendant's for a composite font)."""
    from pypdf import PdfReader

    out: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            parts = [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]
            descs = [p["/FontDescriptor"].get_object() for p in parts if "/FontDescriptor" in p]
            out[str(font["/BaseFont"]).lstrip("/")] = any(k in d for d in descs
                                                          for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return out


def test_pdf_is_a4_with_an_embedded_thai_font(tmp_path: Path) -> None:
    pdf = rm.routemap_pdf(CORR, LOCS, title="เส้นทางการค้ามนุษย์ เมียนมา–ไทย", lang="th",
                          classification="confidential", orientation="portrait")
    w, h = _pdf_size_pt(pdf)
    assert (round(w), round(h)) == (595, 842)  # A4 portrait in points
    fonts = _fonts(pdf)
    thai = {name: embedded for name, embedded in fonts.items() if "NotoSansThai" in name}
    assert thai and all(thai.values()), fonts  # every Thai font embedded
    land = rm.routemap_pdf(CORR, LOCS, title="Myanmar–Thailand")
    assert tuple(round(x) for x in _pdf_size_pt(land)) == (842, 595)


def test_briefing_page_texts() -> None:
    info = {"years_covered": "2019–2024", "filters_plain": "Level: countries. Journeys on which both Myanmar and "
            "Thailand appear.", "disclosure": "cell-key", "total": 844, "other_display": "<5",
            "left_out": [{"reason": "no place of exploitation recorded", "journeys": 160, "display": "160"}],
            "sources": ["Royal Thai Police (RTP)", "Department of Special Investigation (DSI)"]}
    html = rm.routemap_html(CORR, LOCS, title="MMR–THA for the JWG", info=info, classification="official",
                            stamp="vera 2026-12-01 10:00 UTC")
    for s in ("MMR–THA for the JWG", "Years covered: 2019–2024", "both Myanmar and Thailand", "FOR OFFICIAL USE ONLY",
              "Royal Thai Police (RTP)", "do not imply official endorsement", "United Nations usage",
              "160 journeys with no place of exploitation recorded", "Share", "Change"):
        assert s in html, s
    assert html.count("FOR OFFICIAL USE ONLY") == 2  # top and bottom, not across the map
    assert 'class="rm-wm"' not in html
    th = rm.routemap_html(CORR, LOCS, title="ทดสอบ", info=info, lang="th", classification="official")
    assert "ปีที่ครอบคลุม" in th and "ใช้ในราชการ" in th and "ผู้เสียหาย" in th


# ------------------------------------------------------------------- files
def test_geojson_features_are_valid_points_for_domestic_and_split_at_the_antimeridian() -> None:
    from shapely.geometry import shape

    fc = rm.routemap_geojson(CORR, LOCS)
    assert fc["features"] and all(shape(f["geometry"]).is_valid for f in fc["features"])
    by_route = {f["properties"].get("route_codes"): f for f in fc["features"]}
    assert by_route["THA > THA"]["geometry"]["type"] == "Point"  # domestic corridor
    usa = by_route["THA > USA"]["geometry"]
    assert usa["type"] == "MultiLineString"  # the short way, across the Pacific
    lons = [x for part in usa["coordinates"] for x, _ in part]
    assert min(lons) >= -180 and max(lons) <= 180 and max(lons) == 180 and min(lons) == -180
    p = by_route["MMR > THA"]["properties"]
    assert (p["source"], p["source_name"], p["destination_name"]) == ("MMR", "Myanmar", "Thailand")


# ------------------------------------------------------------------- flows
FLOWS = """origin,destination,count,year
MMR,THA,"1,150",2021
LAO,THA,<5,2021
KHM,THA,37,2021
VNM,THA,..,2021
XXA,THA,9,2021
"""


def test_flows_with_thousands_and_below_five_draw_a_map_with_both() -> None:
    f = read_flows(pd.read_csv(io.StringIO(FLOWS), dtype=str, keep_default_na=False),
                   known=lambda c: c in set(LOCS["id"]) | {"KHM", "VNM"})
    reasons = [(w.line, w.reason) for w in f.warnings]
    assert (5, "count not readable: dropped") in reasons and (6, "place XXA is not on the map") in reasons
    corr = flows_corridors(f)
    html = rm.routemap_html(corr, LOCS, title="UNODC flows")
    texts = _texts(html)
    assert "1,150" in texts and "<5" in texts  # both drawn, as published
    assert re.search(r'class="rm-arc sup"[^>]*><title>Lao People', html)  # "<5" drawn dashed
    assert "n/a" in html  # cases are unknown in aggregate data
    csv = pd.read_csv(io.StringIO(rm.routemap_csv(corr, LOCS)))
    assert csv.loc[csv["source"] == "MMR", "victims"].item() == 1150
    assert bool(csv.loc[csv["source"] == "LAO", "suppressed"].item())


# ------------------------------------------------------------ on the store
@pytest.fixture(scope="module")
def generated(driver: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from graph.db import clear_database
    from ingest.generate import generate_bundle
    from ingest.loader import ingest_bundle
    from views.cache import cache

    clear_database(driver)
    out = tmp_path_factory.mktemp("briefing")
    generate_bundle(out, seed=3, persons=3000)
    ingest_bundle(driver, out, rejects_path=out / "rejects.csv")
    cache.clear()
    return driver


def test_pair_has_both_directions_the_through_routes_and_every_level(generated: Any) -> None:
    inv = Scope.for_user(generated, "ines", "investigator")
    q = v.RouteQuery.parse(pair="MMR-THA")
    rows = {(r.source, tuple(r.transit), r.destination): r.victims for r in v.corridors(inv, q).data}
    assert ("MMR", (), "THA") in rows and ("THA", (), "MMR") in rows  # both directions
    through = [k for k in rows if "THA" in k[1] or "MMR" in k[1] or (k[0] == "MMR" and k[2] not in ("THA", "MMR"))]
    assert through  # routes on which both appear beyond the pair itself (onward or through)
    assert all({"MMR", "THA"} <= {k[0], *k[1], k[2]} for k in rows)
    # the same journeys, at province level: corridors, each touching both countries
    prov = v.corridors(inv, v.RouteQuery.parse(pair="THA-MMR", level="province"))
    assert prov.count > 0 and sum(r.victims for r in prov.data) == sum(rows.values())
    # the border-crossing level of its own: crossings appear as stops
    bc = v.corridors(inv, v.RouteQuery.parse(pair="MMR-THA", level="border_crossing"))
    assert any(t.startswith("BC-") for r in bc.data for t in r.transit)
    # names, share, left-out journeys with reasons; hub totals agree with the corridors
    first = v.corridors(inv, v.RouteQuery.parse(pair="MMR-THA", years="2022-2023")).data[0]
    assert first.source_name and first.share is not None and first.previous is not None
    allq = v.RouteQuery.parse()
    t = v.corridors(inv, allq)
    assert t.meta["left_out"] and all(x["reason"] for x in t.meta["left_out"])
    hubs = {h.location: h.victims for h in v.hubs(inv, allq).data}
    for hub, n in hubs.items():
        assert n == sum(r.victims for r in t.data if hub in r.transit)


def test_demo_maps_have_no_overlapping_labels(generated: Any) -> None:
    viewer = Scope.for_user(generated, "vera", "viewer")
    for q in (v.RouteQuery.parse(), v.RouteQuery.parse(pair="MMR-THA", level="province")):
        m = v.route_map(viewer, q)
        html = rm.routemap_html(m.corridors, m.locations, info=m.meta, title="demo")
        assert _boxes(html) and overlaps(_boxes(html)) == [], q.raw


def test_trends_count_the_first_leg_year(generated: Any) -> None:
    viewer = Scope.for_user(generated, "vera", "viewer")
    t = v.trends(viewer, v.RouteQuery.parse(pair="MMR-THA"), by="total")
    assert t.count >= 2 and "first leg" in t.meta["year_counted"]
    years = [r.year for r in t.data]
    assert years == sorted(years) and all(r.victims is None or r.victims >= 5 for r in t.data)


# -------------------------------------------------------------------- CLI
def test_cli_flows_map_and_clear_errors(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli import app

    flows = tmp_path / "glotip.csv"
    flows.write_text(FLOWS, encoding="utf-8")
    out = tmp_path / "unodc.pdf"
    res = CliRunner().invoke(app, ["analyse", "routes", "--flows", str(flows), "--map", str(out), "--lang", "th",
                                   "--title", "ทดสอบ", "--orientation", "portrait", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "MMR,THA,1150" in res.stdout and "warning: line 5: count not readable" in res.output
    assert out.read_bytes()[:5] == b"%PDF-" and tuple(round(x) for x in _pdf_size_pt(out.read_bytes())) == (595, 842)
    csv_out = tmp_path / "unodc.csv"
    assert CliRunner().invoke(app, ["analyse", "routes", "--flows", str(flows), "--map", str(csv_out)]).exit_code == 0
    assert int(pd.read_csv(csv_out).set_index("source").loc["MMR", "victims"]) == 1150
    assert (tmp_path / "unodc.meta.json").exists()
    for bad, says in ((["--nationality", "XYZ"], "unknown nationality"), (["--exploitation-type", "fishin"],
                      "unknown exploitation type"), (["--years", "last year"], "years must look like"),
                      (["--pair", "MMR"], "pair must be"), (["--level", "planet"], "unknown level"),
                      (["--map", str(tmp_path / "x.docx")], "unknown format"), (["--lang", "fr"], "unknown language")):
        r = CliRunner().invoke(app, ["analyse", "routes", "--csv", str(flows), *bad])
        assert r.exit_code == 2 and says in r.output and "Traceback" not in r.output, (bad, r.output)
