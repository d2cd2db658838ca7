"""The investigator's network page in headless Debian chromium (network blocked), on synthetic data
(``ingest.generate``, fixed seed) in the project's real Neo4j, served by the real app:

* the filter panel hides locations (no orphan cases left behind) and later expansions honour it;
* a dense hub (Bangkok) arrives collapsed and expands on demand with a cap; parallel journey legs
  (Yangon) are drawn without errors;
* a path between two people picked by name (autocomplete over /api/search) avoids locations;
* a saved investigation shared with a unit is reopened by another user of that unit, and a user
  outside the compartment sees less;
* the GraphML / GEXF exports read back with networkx with the JSON view's counts; the ANX is
  well-formed with one chart item per node and link.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse
from xml.etree import ElementTree as ET

import networkx as nx
import pytest

from graph import db as gdb
from graph.db import read
from ingest.generate import generate_bundle
from ingest.loader import ingest_bundle
from tests.browser import OfflinePage, chromium, new_app, serve
from tests.conftest import op, write_csv

pytestmark = [pytest.mark.browser, pytest.mark.neo4j]

PASSWORD = "a-long-test-password"
SHOTS = Path("/tmp")
USERS = {"ines": ("unit-a", "team-x"), "kim": ("unit-a", "team-x"), "omar": ("team-x",), "zed": ()}


@pytest.fixture(scope="module")
def site(driver: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    gdb.clear_database(driver)
    d = tmp_path_factory.mktemp("netbundle")
    generate_bundle(d, seed=11, persons=600)
    assert ingest_bundle(driver, d, rejects_path=d / "rejects.csv").rejected == 0
    # a compartment: a case restricted to unit-a, with its suspect, an associate of a Bangkok resident
    resident = _bangkok_resident({"driver": driver})
    x = tmp_path_factory.mktemp("secret")
    write_csv(x / "persons.csv", [{"id": "SEC-P1", "source": "DSI", "source_record_id": "sec-p1",
                                   "full_name": "Secret Suspect", "nationality": "THA"}])
    write_csv(x / "cases.csv", [{"id": "SEC-C1", "source": "DSI", "source_record_id": "sec-c1",
                                 "case_number": "SEC-1/2567", "restricted_to": "unit-a",
                                 "exploitation_type": "sexual"}])
    write_csv(x / "involvements.csv", [{"source": "DSI", "source_record_id": "sec-i1", "party_id": "SEC-P1",
                                        "case_id": "SEC-C1", "role": "suspect"}])
    write_csv(x / "associations.csv", [{"source": "DSI", "source_record_id": "sec-a1", "person_id": "SEC-P1",
                                        "other_id": resident, "kind": "associate"}])
    assert ingest_bundle(driver, x, rejects_path=x / "rejects.csv").rejected == 0
    # two accounts with twelve transfers between them (one back), and one transfer to a third
    m = tmp_path_factory.mktemp("money")
    write_csv(m / "accounts.csv", [{"id": a, "source": "AMLO", "source_record_id": a.lower(), "bank_code": "004",
                                    "account_number": f"99000{k}", "currency": "THB"}
                                   for k, a in enumerate(("BND-A", "BND-B", "BND-C"))])
    legs = [("BND-A", "BND-B")] * 11 + [("BND-B", "BND-A"), ("BND-A", "BND-C")]
    write_csv(m / "transfers.csv", [
        {"source": "AMLO", "source_record_id": f"bnd-t{k}", "from_account": a, "to_account": b, "txn_id": f"BNDTX{k}",
         "amount": str(100 * (k + 1)), "currency": "THB", "at": f"2024-01-{k + 1:02d}T10:00:00"}
        for k, (a, b) in enumerate(legs)])
    assert ingest_bundle(driver, m, rejects_path=m / "rejects.csv").rejected == 0
    app = new_app(tmp_path_factory.mktemp("nethome"), neo4j_settings, driver)
    for name, units in USERS.items():
        app.state.users.add(name, PASSWORD, "investigator")
        app.state.users.set_units(name, units)
    with serve(app) as base:
        yield {"base": base, "app": app, "driver": driver}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


class _Session(OfflinePage):
    """An investigator logged in, with console errors counted too."""

    def __init__(self, browser: Any, base: str, user: str, *, enforce_csp: bool = False) -> None:
        # enforce_csp: the app's nonce-only CSP applies (CSRF token sent from the meta tag by network.js)
        super().__init__(browser, base, console_errors=True, viewport={"width": 1500, "height": 900},
                         bypass_csp=not enforce_csp)
        self.login(user, PASSWORD)

    def open_network(self, path: str) -> Any:
        pg = self.page
        pg.goto(self.base + path)
        pg.wait_for_function("() => window.netintel && window.netintel.nodes.length > 0")
        pg.wait_for_function("() => document.getElementById('ni-status').textContent.indexOf('nodes') >= 0",
                             timeout=20000)
        return pg


def _one(site: dict[str, Any], q: str, **params: Any) -> Any:
    rows = read(op(site["driver"]), q, **params)
    assert rows, q
    return rows[0]


def _bangkok_resident(site: dict[str, Any]) -> str:
    return str(_one(site, "MATCH (p:Person)-[:LIVES_AT]->(:Location {id: 'TH-10'}) "
                          "WHERE COUNT { (p)-[:INVOLVED_IN]->(:`Case`) } > 0 AND COUNT { (p)--() } >= 3 "
                          "RETURN p.id AS id ORDER BY p.id LIMIT 1")["id"])


VISIBLE = """(() => { const n = window.netintel.nodes, e = window.netintel.edges;
  return {nodes: n.get({filter: x => !x.hidden}).map(x => [x.id, x._kind]),
          edges: e.get({filter: x => !x.hidden}).map(x => [x.from, x.to])}; })()"""


def _reachable(vis: dict[str, Any], start: str) -> set[str]:
    G = nx.Graph()
    G.add_nodes_from(n for n, _ in vis["nodes"])
    G.add_edges_from(vis["edges"])
    return set(nx.node_connected_component(G, start))


def test_filter_panel_hides_locations_and_later_expansions_honour_it(site: dict[str, Any], browser: Any) -> None:
    start = _bangkok_resident(site)
    s = _Session(browser, site["base"], "ines")
    pg = s.open_network(f"/api/entities/{quote(start)}/neighbourhood?label=Person&depth=2&format=html")
    before = pg.evaluate(VISIBLE)
    assert any(k == "Location" for _, k in before["nodes"])
    pg.screenshot(path=str(SHOTS / "network-bangkok-depth2.png"))
    # untick Location in the filter panel and apply
    pg.uncheck("#ni-f-labels input[value=Location]")
    pg.click("#ni-f-apply")
    vis = pg.evaluate(VISIBLE)
    assert vis["nodes"] and not any(k == "Location" for _, k in vis["nodes"])
    # nothing is left floating: every shown node still connects to the start (no orphan cases)
    assert {n for n, _ in vis["nodes"]} == _reachable(vis, start)
    assert "labels=" in pg.url and "Location" not in pg.url.split("labels=")[1].split("&")[0]
    legend = pg.inner_text("#ni-legend")
    assert "Location" not in legend and "Person" in legend
    # expand a person: the request carries the filter, and no location arrives
    other = next(n for n, k in vis["nodes"] if k == "Person" and n != start)
    n0 = pg.evaluate("window.netintel.nodes.length")
    s.requests.clear()
    pg.evaluate(f"window.netintel.expand({other!r})")
    pg.wait_for_function("() => document.getElementById('ni-status').textContent.indexOf('+') >= 0", timeout=15000)
    asked = [u for u in s.requests if "/neighbourhood" in u]
    assert asked and "labels=" in asked[0] and "Location" not in asked[0].split("labels=")[1].split("&")[0]
    got = s.get(urlparse(asked[0]).path + "?" + urlparse(asked[0]).query).json()
    assert got["nodes"] and all(n["label"] != "Location" for n in got["nodes"][1:])
    after = pg.evaluate(VISIBLE)
    assert not any(k == "Location" for _, k in after["nodes"])
    assert pg.evaluate("window.netintel.nodes.length") >= n0
    # new nodes were laid out, not stacked on one spot
    pos = pg.evaluate("Object.values(window.netintel.network.getPositions()).map(p => [Math.round(p.x), Math.round(p.y)])")
    assert len({tuple(p) for p in pos}) == len(pos)
    # undo the expansion, then the filter: locations come back
    pg.click("#ni-undo")
    pg.click("#ni-undo")
    assert any(k == "Location" for _, k in pg.evaluate(VISIBLE)["nodes"])
    s.close()


def test_dense_hub_arrives_collapsed_and_expands_with_a_cap(site: dict[str, Any], browser: Any) -> None:
    start = _bangkok_resident(site)
    s = _Session(browser, site["base"], "ines")
    pg = s.open_network(f"/api/entities/{quote(start)}/neighbourhood?label=Person&depth=1&format=html")
    hub = pg.evaluate("window.netintel.nodes.get('TH-10')")
    assert hub["_collapsed"] is True and hub["_degree"] > 50 and "(+" in hub["label"]
    assert "collapsed hub" in pg.inner_text("#ni-legend")
    # select it: the panel offers to expand it with the cap
    pg.evaluate("window.netintel.network.selectNodes(['TH-10'])")
    pg.evaluate("window.netintel.network.body.emitter.emit('click', {nodes: ['TH-10'], edges: []})")
    assert pg.is_visible("#ni-expand-hub") and "of" in pg.inner_text("#ni-expand-hub")
    n0 = pg.evaluate("window.netintel.nodes.length")
    pg.click("#ni-expand-hub")
    pg.wait_for_function("() => document.getElementById('ni-status').textContent.indexOf('cap') >= 0", timeout=20000)
    added = pg.evaluate("window.netintel.nodes.length") - n0
    assert 50 < added <= 100 + 1
    assert pg.evaluate("window.netintel.nodes.get('TH-10')._collapsed") is False
    # Yangon's journey legs: many parallel MOVED relationships between the same two places
    yangon = _one(site, "MATCH (:Location {id: 'MM-06'})-[r:MOVED]-(o:Location) "
                        "RETURN o.id AS other, count(r) AS n ORDER BY n DESC LIMIT 1")
    assert yangon["n"] > 1
    pg = s.open_network("/api/entities/MM-06/neighbourhood?label=Location&depth=1&types=MOVED&format=html")
    view = s.get("/api/entities/MM-06/neighbourhood?label=Location&depth=1&types=MOVED").json()
    drawn = pg.evaluate("window.netintel.edges.getIds({filter: e => !e._bundle})")
    assert len(drawn) == len(set(drawn)) == len(view["edges"])
    between = pg.evaluate(f"""window.netintel.edges.get({{filter: e => !e._bundle && ((e.from === 'MM-06'
        && e.to === {yangon['other']!r}) || (e.to === 'MM-06' && e.from === {yangon['other']!r}))}}).length""")
    assert between == yangon["n"]
    # pairs with BUNDLE_AT legs or more are drawn as one bundle each, holding every leg
    from viz.network import BUNDLE_AT
    bundles = pg.evaluate("window.netintel.bundles()")
    assert sum(b["count"] for b in bundles) == sum(len(b["members"]) for b in bundles)
    assert all(b["count"] >= BUNDLE_AT and b["type"] == "MOVED" for b in bundles)
    assert len({m for b in bundles for m in b["members"]}) == sum(b["count"] for b in bundles)
    assert (yangon["n"] >= BUNDLE_AT) == any({b["from"], b["to"]} == {"MM-06", yangon["other"]} for b in bundles)
    # expanding the other end by MOVED adds its legs without "already exists" errors
    pg.evaluate(f"window.netintel.expand({yangon['other']!r}, {{type: 'MOVED'}})")
    pg.wait_for_function("() => document.getElementById('ni-status').textContent.indexOf('+') >= 0", timeout=20000)
    assert "failed" not in pg.inner_text("#ni-status")
    pg.wait_for_timeout(1500)
    pg.screenshot(path=str(SHOTS / "network-yangon-expand.png"))
    s.close()


def test_parallel_transfers_are_one_bundle_that_sums_them_and_is_drawn_apart_on_double_click(
        site: dict[str, Any], browser: Any) -> None:
    s = _Session(browser, site["base"], "ines")
    pg = s.open_network("/api/entities/BND-A/neighbourhood?label=BankAccount&depth=1&format=html")
    bundles = pg.evaluate("window.netintel.bundles()")
    assert [(b["type"], b["count"], {b["from"], b["to"]}) for b in bundles] == [("TRANSFERRED", 12, {"BND-A", "BND-B"})]
    vis = pg.evaluate(VISIBLE)
    assert sorted(tuple(sorted(e)) for e in vis["edges"]) == [("BND-A", "BND-B"), ("BND-A", "BND-C")]
    assert "13 edges (12 in 1 bundle)" in pg.inner_text("#ni-status")
    assert "TRANSFERRED (13)" in pg.inner_text("#ni-legend")  # the legend counts relationships, not lines
    bid = bundles[0]["id"]
    tip = pg.evaluate(f"window.netintel.edges.get({bid!r}).title.textContent")
    total = sum(100 * (k + 1) for k in range(12))  # 7,800
    assert f"total THB{total:,}" in tip and "2024-01-01 – 2024-01-12" in tip and "relationships12" in tip
    assert pg.evaluate(f"window.netintel.edges.get({bid!r}).arrows") in ("to, from", None)  # both ways, when drawn
    pg.wait_for_timeout(800)
    pg.screenshot(path=str(SHOTS / "network-bundle.png"))
    # a double-click on the bundle draws each transfer; another on one of them bundles them again
    pg.evaluate(f"window.netintel.network.body.emitter.emit('doubleClick', {{nodes: [], edges: [{bid!r}]}})")
    assert pg.evaluate("window.netintel.bundles()") == []
    assert len(pg.evaluate(VISIBLE)["edges"]) == 13 and "13 edges" in pg.inner_text("#ni-status")
    pg.wait_for_timeout(500)
    pg.screenshot(path=str(SHOTS / "network-bundle-apart.png"))
    one = bundles[0]["members"][0]
    pg.evaluate(f"window.netintel.network.body.emitter.emit('doubleClick', {{nodes: [], edges: [{one!r}]}})")
    assert len(pg.evaluate("window.netintel.bundles()")) == 1 and len(pg.evaluate(VISIBLE)["edges"]) == 2
    pg.click("#ni-undo")  # undo restores the drawn-apart state
    assert pg.evaluate("window.netintel.bundles()") == [] and len(pg.evaluate(VISIBLE)["edges"]) == 13
    pg.click("#ni-undo")
    assert len(pg.evaluate("window.netintel.bundles()")) == 1
    # a time window leaving fewer than BUNDLE_AT transfers between the two: drawn apart, the bundle gone
    pg.evaluate("window.netintel.setFilters({labels: null, types: null, agency: null, since: '2024-01-02', "
                "until: '2024-01-03'})")
    assert pg.evaluate("window.netintel.bundles()") == []
    assert sorted(tuple(sorted(e)) for e in pg.evaluate(VISIBLE)["edges"]) == [("BND-A", "BND-B")] * 2
    pg.evaluate("window.netintel.setFilters({labels: null, types: null, agency: null, since: null, until: null})")
    assert [b["count"] for b in pg.evaluate("window.netintel.bundles()")] == [12]
    s.close()


def test_path_between_two_people_picked_by_name_avoids_locations(site: dict[str, Any], browser: Any) -> None:
    pair = _one(site, """
        MATCH (a:Person)-[:LIVES_AT]->(l:Location)<-[:LIVES_AT]-(b:Person)
        WHERE a.id < b.id AND NOT (a)--(b) AND NOT EXISTS { (a)--(x)--(b) WHERE NOT x:Location }
          AND EXISTS { MATCH p = (a)-[*3]-(b) WHERE none(n IN nodes(p) WHERE n:Location) }
        RETURN a.id AS a, a.full_name AS an, b.id AS b, b.full_name AS bn, l.id AS place ORDER BY a.id LIMIT 1""")
    # through the shared place the path would be 2 steps: the default search does not go there
    s = _Session(browser, site["base"], "ines")
    through = s.get(f"/api/paths/shortest?from={quote(pair['a'])}&to={quote(pair['b'])}&exclude_labels=").json()
    assert through["length"] == 2 and through["nodes"][1]["label"] == "Location"
    s_json = s.get(f"/api/paths/shortest?from={quote(pair['a'])}&to={quote(pair['b'])}&k=3").json()
    assert s_json["paths"] and all(n["label"] != "Location" for n in s_json["nodes"])
    pg = s.open_network(f"/api/entities/{quote(pair['a'])}/neighbourhood?label=Person&depth=1&format=html")
    pg.click("#ni-paths summary")
    for field, name, pid in (("from", pair["an"], pair["a"]), ("to", pair["bn"], pair["b"])):
        pg.fill(f"#ni-path-{field}", "")
        pg.type(f"#ni-path-{field}", str(name), delay=10)
        pg.wait_for_function(f"() => Array.from(document.querySelectorAll('#ni-path-{field}-list option'))"
                             f".some(o => o.value.endsWith(' \u00b7 ' + {pid!r}))", timeout=15000)
        option = pg.evaluate(f"Array.from(document.querySelectorAll('#ni-path-{field}-list option'))"
                             f".map(o => o.value).find(v => v.endsWith(' \u00b7 ' + {pid!r}))")
        pg.fill(f"#ni-path-{field}", option)
    assert pg.is_checked("#ni-path-noloc")
    pg.click("#ni-path-go")
    pg.wait_for_selector("#ni-path-result .ni-path", timeout=20000)
    shown = pg.inner_text("#ni-path-result")
    assert shown.startswith("1. ") and "steps" in shown
    on_path = pg.evaluate("window.netintel.network.getSelectedNodes()")
    kinds = pg.evaluate(f"{on_path!r}.map(id => window.netintel.nodes.get(id)._kind)")
    assert pair["a"] in on_path and pair["b"] in on_path and "Location" not in kinds
    pg.wait_for_timeout(1500)
    pg.screenshot(path=str(SHOTS / "network-path.png"))
    # nothing found: said so, with a longer search offered
    none = s.get(f"/api/paths/shortest?from={quote(pair['a'])}&to={quote(pair['b'])}&max_length=1").json()
    assert none["paths"] == [] and "No path" in none["message"] and "longer" in none["message"]
    assert "max_length=3" in none["longer"]
    pg.select_option("#ni-path-len", "4")
    pg.evaluate("document.getElementById('ni-path-len').append(new Option('1', '1'))")
    pg.select_option("#ni-path-len", "1")
    pg.click("#ni-path-go")
    pg.wait_for_function("() => document.getElementById('ni-path-result').textContent.indexOf('No path') >= 0")
    assert pg.is_visible("#ni-path-longer")
    s.close()


def _counts(g: Any) -> tuple[int, int]:
    return g.number_of_nodes(), g.number_of_edges()


def _check_exports(s: _Session, url: str, view: dict[str, Any]) -> None:
    sep = "&" if "?" in url else "?"
    n, m = len(view["nodes"]), len(view["edges"])
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        r = s.get(url + sep + "format=" + fmt)
        assert r.status == 200 and "attachment" in r.headers["content-disposition"], (url, fmt)
        assert _counts(reader(io.BytesIO(r.body()))) == (n, m), (url, fmt)
    root = ET.fromstring(s.get(url + sep + "format=anx").body())
    assert root.tag == "Chart" and len(root.findall("./ChartItemCollection/ChartItem")) == n + m
    assert len(root.findall(".//ChartItem/End/Entity")) == n and len(root.findall(".//ChartItem/Link")) == m
    assert s.get(url + sep + "format=png").body()[:8] == b"\x89PNG\r\n\x1a\n"


def test_saved_investigation_shared_with_a_unit_and_reopened(site: dict[str, Any], browser: Any) -> None:
    start = _bangkok_resident(site)
    ines = _Session(browser, site["base"], "ines", enforce_csp=True)
    pg = ines.open_network(f"/api/entities/{quote(start)}/neighbourhood?label=Person&depth=1&format=html")
    # ines (unit-a) sees the restricted suspect among the associates; expanding it brings the secret case
    assert "SEC-P1" in pg.evaluate("window.netintel.nodes.getIds()")
    pg.evaluate("window.netintel.expand('SEC-P1')")
    pg.wait_for_function("() => window.netintel.nodes.get('SEC-C1') !== null", timeout=15000)
    pg.evaluate(f"window.netintel.pin({start!r})")
    saved = pg.evaluate("window.netintel.nodes.length")
    pg.click("#ni-inv summary")
    pg.fill("#ni-inv-name", "Bangkok ring")
    pg.fill("#ni-inv-notes", "check the bank accounts")
    pg.fill("#ni-inv-units", "team-x")
    pg.click("#ni-inv-save")
    pg.wait_for_function("() => document.getElementById('ni-inv-msg').textContent.indexOf('saved as') >= 0")
    inv_id = pg.inner_text("#ni-inv-msg").split("saved as ")[1].strip()
    ines.close()

    # kim (unit-a, team-x) opens it from the list on the network page and sees all of it
    kim = _Session(browser, site["base"], "kim", enforce_csp=True)
    pg = kim.open_network(f"/api/entities/{quote(start)}/neighbourhood?label=Person&format=html")
    pg.click("#ni-inv summary")
    pg.wait_for_function(f"() => Array.from(document.querySelectorAll('#ni-inv-list option')).some(o => o.value === {inv_id!r})")
    pg.select_option("#ni-inv-list", inv_id)
    pg.click("#ni-inv-open")
    pg.wait_for_url(f"**/api/investigations/{inv_id}?format=html")
    pg.wait_for_function("() => window.netintel && window.netintel.nodes.length > 0")
    assert pg.evaluate("window.netintel.nodes.length") == saved
    assert {"SEC-P1", "SEC-C1"} <= set(pg.evaluate("window.netintel.nodes.getIds()"))
    assert pg.input_value("#ni-inv-notes") == "check the bank accounts"
    assert pg.evaluate("window.netintel.pinned()") == [start]
    assert "Bangkok ring" in (pg.text_content("#ni-inv-current") or "")
    pg.click("#ni-inv summary")
    pg.screenshot(path=str(SHOTS / "network-investigation-kim.png"))
    kim_view = kim.get(f"/api/investigations/{inv_id}").json()
    _check_exports(kim, f"/api/investigations/{inv_id}", kim_view["graph"])
    kim.close()

    # omar (team-x only) is outside unit-a's compartment: the same investigation shows less
    omar = _Session(browser, site["base"], "omar")
    pg = omar.open_network(f"/api/investigations/{inv_id}?format=html")
    ids = set(pg.evaluate("window.netintel.nodes.getIds()"))
    assert len(ids) == saved - 2 and not ids & {"SEC-P1", "SEC-C1"}
    pg.screenshot(path=str(SHOTS / "network-investigation-omar.png"))
    assert "SEC-P1" not in pg.content() and "Secret Suspect" not in pg.content()
    body = omar.get(f"/api/investigations/{inv_id}").text()
    assert "SEC-P1" not in body and "SEC-C1" not in body
    omar.close()

    # zed (no unit) is not shared with: it looks like a missing one
    zed = _Session(browser, site["base"], "zed")
    assert zed.get(f"/api/investigations/{inv_id}").status == 404
    assert inv_id not in zed.get("/api/investigations").text()
    zed.close()

    audit = site["app"].state.audit
    assert [e.username for e in audit.entries(action="investigation_save", limit=10)] == ["ines"]
    opened = {e.username for e in audit.entries(action="investigation_open", limit=50)}
    assert {"kim", "omar"} <= opened


def test_exports_match_the_json_views(site: dict[str, Any], browser: Any) -> None:
    start = _bangkok_resident(site)
    case = _one(site, "MATCH (p:Person {id: $p})-[:INVOLVED_IN]->(c:`Case`) RETURN c.id AS id LIMIT 1", p=start)["id"]
    s = _Session(browser, site["base"], "ines")
    for url in (f"/api/entities/{quote(start)}/neighbourhood?label=Person&depth=2",
                f"/api/cases/{quote(case)}/network?depth=2",
                f"/api/paths/shortest?from={quote(start)}&to={quote(case)}&k=3"):
        view = s.get(url).json()
        assert view["nodes"], url
        _check_exports(s, url, view)
    # the export buttons of the page point at the same view with format=
    pg = s.open_network(f"/api/entities/{quote(start)}/neighbourhood?label=Person&depth=2&format=html")
    href = pg.get_attribute("a.ni-export[data-format=gexf]", "href")
    assert href is not None and "format=gexf" in href and "depth=2" in href
    with pg.expect_download() as dl:
        pg.click("a.ni-export[data-format=anx]")
    assert ET.parse(dl.value.path()).getroot().tag == "Chart"
    s.close()
