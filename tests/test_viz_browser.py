"""Browser tests of the rendered pages (headless Debian chromium, all network blocked).

Run with ``pytest -m browser``; skipped when playwright or /usr/bin/chromium is absent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import networkx as nx
import pandas as pd
import pytest

from tests.browser import chromium
from viz.network import render_network
from viz.routemap import routemap_html

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=window.__xss=1;alert(1)>"
XSS2 = "</script><script>window.__xss=2;alert(2)</script>"
SHOTS = Path("/tmp")


class _Site:
    """Serves ``pages`` (path -> html) and the neighbours endpoint on 127.0.0.1."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.expand_calls: list[str] = []
        site = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:
                u = urlparse(self.path)
                if u.path.startswith("/api/entities/") and u.path.endswith("/neighbours"):
                    nid = unquote(u.path.split("/")[3])
                    site.expand_calls.append(nid)
                    body = json.dumps({
                        "nodes": [
                            {"id": f"{nid}-n1", "label": "Person", "name": XSS, "score": 0.5, "sources": ["DSI"]},
                            {"id": f"{nid}-n2", "label": "Vehicle", "name": "กข 1234 กรุงเทพมหานคร"},
                            {"id": nid, "label": "Person", "name": "already there"},
                        ],
                        "edges": [
                            {"from": nid, "to": f"{nid}-n1", "type": "ASSOCIATED_WITH"},
                            {"from": f"{nid}-n1", "to": f"{nid}-n2", "type": "OWNS"},
                        ],
                    }).encode()
                    ctype = "application/json"
                elif u.path in site.pages:
                    body, ctype = site.pages[u.path].encode("utf-8"), "text/html; charset=utf-8"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[_Site]:
    s = _Site()
    yield s
    s.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:  # a missing chromium fails, never skips
        yield b


@pytest.fixture
def page(browser: Any, site: _Site) -> Iterator[Any]:
    pg = browser.new_page(viewport={"width": 1280, "height": 760})
    pg.dialogs = []
    pg.errors = []
    pg.blocked = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(site.base + "/") or url.startswith("file://"):
            route.continue_()
        else:
            pg.blocked.append(url)
            route.abort()

    pg.route("**/*", guard)
    yield pg
    pg.close()


def _graph() -> nx.Graph:
    G = nx.Graph()
    G.add_node("p1", label="Person", name=XSS, score=0.9, sources=["RTP"])
    G.add_node("p2", label="Person", name=XSS2, score=0.2)
    G.add_node("c1", label="Case", name="ATPD 12/2567")
    G.add_node("a1", label="BankAccount", name="KTB 123-4-56789-0")
    G.add_edge("p1", "c1", type="INVOLVED_IN", role="suspect")
    G.add_edge("p2", "c1", type="INVOLVED_IN", role="victim")
    G.add_edge("p1", "a1", type="HOLDS")
    return G


def test_network_page_renders_expands_and_never_runs_names(page: Any, site: _Site) -> None:
    site.pages["/net.html"] = render_network(_graph(), title="Case " + XSS,
                                             expand_url="/api/entities/{id}/neighbours?depth=1")
    page.goto(site.base + "/net.html")
    page.wait_for_function("window.netintel && window.netintel.nodes.length > 0")
    assert page.evaluate("window.netintel.nodes.length") == 4
    assert page.evaluate("window.netintel.edges.length") == 3
    # the names are plain text in the data set and in the heading
    assert page.evaluate("window.netintel.nodes.get('p1')._info[1]") == ["name", XSS]
    assert page.evaluate("window.netintel.nodes.get('p1').label") == XSS[:39] + "\u2026"  # long labels cut
    assert page.evaluate("window.netintel.nodes.get('p2')._info[1]") == ["name", XSS2]
    assert page.inner_text("h1") == "Case " + XSS
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    # hover tooltip for p1 is a DOM element whose text is the name
    tip_text = page.evaluate("window.netintel.nodes.get('p1').title.textContent")
    assert XSS in tip_text and "RTP" in tip_text
    # legend from the model
    legend = page.inner_text("#ni-legend")
    assert "Person" in legend and "Case" in legend and "suspect" in legend
    # search box selects the matching node
    page.fill("#ni-search", "ktb 123")
    assert page.evaluate("window.netintel.network.getSelectedNodes()") == ["a1"]
    page.fill("#ni-search", "")

    # click p1 with the real mouse at its canvas position
    page.wait_for_timeout(300)
    box = page.evaluate("""() => { const n = window.netintel.network;
        const p = n.canvasToDOM(n.getPosition('p1'));
        const r = document.getElementById('ni-network').getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y}; }""")
    page.mouse.click(box["x"], box["y"])
    page.wait_for_function("window.netintel.nodes.length > 4", timeout=5000)
    assert site.expand_calls == ["p1"]
    assert page.evaluate("window.netintel.nodes.length") == 6  # two new, the existing one not duplicated
    assert page.evaluate("window.netintel.edges.length") == 5
    new = page.evaluate("window.netintel.nodes.get('p1-n2')")
    assert new["color"] == "#756bb1" and new["shape"] == "triangle"  # Vehicle style from the model
    assert page.evaluate("window.netintel.nodes.get('p1-n1').title.textContent").count(XSS) == 1

    # a second expansion through the vis event emitter (no mouse)
    page.evaluate("window.netintel.network.body.emitter.emit('click', {nodes: ['c1'], edges: []})")
    page.wait_for_function("window.netintel.nodes.length > 6", timeout=5000)
    assert site.expand_calls == ["p1", "c1"]

    # hover the new node to show its tooltip, then screenshot
    page.wait_for_timeout(400)
    pos = page.evaluate("""() => { const n = window.netintel.network;
        const p = n.canvasToDOM(n.getPosition('p1-n1'));
        const r = document.getElementById('ni-network').getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y}; }""")
    page.mouse.move(pos["x"], pos["y"])
    page.wait_for_timeout(600)
    page.screenshot(path=str(SHOTS / "netintel_network.png"))

    assert page.evaluate("window.__xss") is None
    assert page.dialogs == [] and page.errors == [] and page.blocked == []


def test_route_map_page_draws_one_arc_per_corridor(page: Any, site: _Site) -> None:
    locs = pd.DataFrame([
        {"id": "MMR", "name": "Myanmar", "lat": 21.0, "lon": 96.0, "kind": "country"},
        {"id": "LAO", "name": "Laos", "lat": 19.0, "lon": 102.5, "kind": "country"},
        {"id": "KHM", "name": "Cambodia", "lat": 12.5, "lon": 104.9, "kind": "country"},
        {"id": "THA", "name": "ประเทศไทย", "lat": 15.0, "lon": 101.0, "kind": "country"},
        {"id": "MYS", "name": XSS, "lat": 4.2, "lon": 102.0, "kind": "country"},
    ])
    corr = pd.DataFrame({
        "source": ["MMR", "LAO", "KHM", "MMR", "THA"],
        "transit": [(), (), ("LAO",), ("THA",), ()],
        "destination": ["THA", "THA", "THA", "MYS", "THA"],
        "victims": [1234, 57, 3, 21, 8],
        "cases": [311, 14, 2, 9, 6],
    })
    site.pages["/map.html"] = routemap_html(corr, locs, title="Corridors " + XSS2,
                                            filters={"years": "2020-2024"}, watermark="RESTRICTED")
    page.goto(site.base + "/map.html")
    page.wait_for_selector("svg#rm-svg")
    assert page.locator("path.rm-arc").count() == 5
    assert page.locator("path.rm-arc.sup").count() == 1
    assert page.locator("path.rm-country").count() > 10
    assert page.locator("circle.rm-source").count() == 4  # MMR, LAO, KHM, THA
    assert page.locator("rect.rm-destination").count() == 2  # THA, MYS
    assert page.locator("rect.rm-transit").count() == 2  # LAO, THA
    assert XSS in page.evaluate("document.getElementById('rm-svg').textContent")  # as text
    total = page.inner_text("#rm-total")
    assert "1,320 victims on 4 shown corridors" in total and "<5" in total
    page.select_option("#rm-pair", "MMR-THA")  # every corridor on which both appear
    assert page.locator("path.rm-arc:visible").count() == 2
    assert page.inner_text("#rm-total").startswith("1,255 victims on 2 shown")
    page.select_option("#rm-pair", "")
    page.locator("path.rm-arc").first.dispatch_event("mouseenter")
    assert "MMR > THA" in page.inner_text("#rm-info")
    page.screenshot(path=str(SHOTS / "netintel_routemap.png"), full_page=True)
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == [] and page.errors == [] and page.blocked == []


def _box(page: Any, selector: str) -> dict[str, float]:
    return page.evaluate(f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
                         " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })()")


def test_site_header_sits_above_network_map_and_table(page: Any, site: _Site) -> None:
    """The one page system: every page has the site header, which never covers the canvas or the map."""
    from viz.pages import render_page

    vh = 760
    site.pages["/hnet.html"] = render_network(_graph(), title="Case ATPD 12/2567", user="ines", role="investigator",
                                              expand_url="/api/entities/{id}/neighbours?depth=1")
    page.goto(site.base + "/hnet.html")
    page.wait_for_function("window.netintel && window.netintel.nodes.length > 0")
    head, net, legend = _box(page, "#site-header"), _box(page, "#ni-network"), _box(page, "#ni-legend")
    assert head["top"] == 0 and 30 <= head["bottom"] <= 50
    assert net["top"] >= head["bottom"] and legend["top"] >= head["bottom"]
    assert net["bottom"] == vh and net["bottom"] - net["top"] > 0.8 * vh  # the network fills the rest
    assert page.evaluate("document.documentElement.scrollHeight") <= vh  # no page scroll
    assert page.inner_text("#site-user") == "ines (investigator)"
    assert "Person" in page.inner_text("#ni-legend")
    page.fill("#ni-search", "ktb 123")
    assert page.evaluate("window.netintel.network.getSelectedNodes()") == ["a1"]
    page.fill("#ni-search", "")
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "netintel_page_network.png"))

    corr = pd.DataFrame({"source": ["MMR", "LAO"], "transit": [(), ()], "destination": ["THA", "THA"],
                         "victims": [120, 3], "cases": [30, 1]})
    site.pages["/hmap.html"] = routemap_html(corr, None, title="Corridors", user="vera", role="viewer")
    page.goto(site.base + "/hmap.html")
    page.wait_for_selector("svg#rm-svg")
    head, svg = _box(page, "#site-header"), _box(page, "#rm-svg")
    assert svg["top"] >= head["bottom"] and svg["bottom"] <= vh and svg["bottom"] - svg["top"] > 400
    page.screenshot(path=str(SHOTS / "netintel_page_routemap.png"))

    # framed (the routes page shows the map in an iframe): no second header inside the frame
    site.pages["/hframe.html"] = render_page("routes.html", title="Routes", q={"level": "country"}, qs="x=1",
                                             user="vera", role="viewer").replace(
        "/api/routes/map?x=1&amp;format=html", "/hmap.html")
    page.goto(site.base + "/hframe.html")
    frame = page.frame_locator("#routemap")
    frame.locator("svg path.rm-arc").first.wait_for()
    assert page.locator("#site-header").is_visible()
    assert not frame.locator("#site-header").is_visible()

    rows = [{"route": ["MMR", "THA"], "victims": 120, "cases": 30, "person_id": XSS}]
    site.pages["/htable.html"] = render_page("table.html", title="Corridors", rows=rows,
                                             cols=["route", "victims", "cases", "person_id"],
                                             links={"person_id": "/ui/entity/{value}"}, note="filters: none",
                                             user="ines", role="analyst")
    page.goto(site.base + "/htable.html")
    head, table = _box(page, "#site-header"), _box(page, "#results")
    assert table["top"] > head["bottom"]
    assert "MMR › THA" in page.inner_text("#results") and XSS in page.inner_text("#results")
    page.screenshot(path=str(SHOTS / "netintel_page_table.png"))
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == [] and page.errors == [] and page.blocked == []
