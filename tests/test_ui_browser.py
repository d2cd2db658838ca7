"""The web UI in headless Debian chromium: log in → search → network → expand → route map → PNG.

Needs /usr/bin/chromium (``make system-deps``) and the Python ``playwright``
package; the browser never reaches another host (every other request is
aborted and counted).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from graph import db as gdb
from ingest.loader import ingest_bundle
from tests.browser import chromium, new_app, serve
from tests.test_api import PASSWORD, XSS, _tables

pytestmark = [pytest.mark.browser, pytest.mark.neo4j]

@pytest.fixture(scope="module")
def server(driver: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.conftest import write_csv

    gdb.clear_database(driver)
    d = tmp_path_factory.mktemp("uibundle")
    for table, rows in _tables().items():
        write_csv(d / f"{table}.csv", rows)
    assert ingest_bundle(driver, d, rejects_path=d / "rejects.csv").rejected == 0
    app = new_app(tmp_path_factory.mktemp("uihome"), neo4j_settings, driver)
    app.state.users.add("ines", PASSWORD, "investigator")
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_login_search_network_expand_routemap_png(server: str, browser: Any, tmp_path: Path) -> None:
    origin = urlparse(server).netloc
    foreign: list[str] = []
    dialogs: list[str] = []
    # bypass_csp: playwright evaluates its probes with eval(); the CSP header is checked in test_api
    ctx = browser.new_context(accept_downloads=True, bypass_csp=True)
    page = ctx.new_page()

    def guard(route: Any) -> None:
        if urlparse(route.request.url).netloc != origin and not route.request.url.startswith(("data:", "blob:")):
            foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", guard)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # log in
    page.goto(server + "/ui/")
    assert "/ui/login" in page.url
    page.fill("input[name=username]", "ines")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(server + "/ui/")

    # search (Thai) and open the network of the hit
    page.fill("#search-form input[name=q]", "สมชาย")
    page.click("#search-form button")
    page.wait_for_selector("#hits a.hit")
    row = page.locator("#hits tr", has_text="สมชาย ใจดี")
    row.locator("a.net").click()
    page.wait_for_function("window.netintel && window.netintel.nodes.length > 0")
    # P1 and its 7 visible neighbours (the restricted case C2 is hidden from this user)
    assert page.evaluate("window.netintel.nodes.length") == 8
    ids = set(page.evaluate("window.netintel.nodes.getIds()"))
    assert ids == {"P1", "C1", "P2", "O1", "A1", "V1", "TH-74", "P9"}

    # a real double-click on the Samut Sakhon node loads its neighbours (THA and the Mae Sot crossing)
    page.evaluate("window.netintel.network.stopSimulation()")
    page.wait_for_timeout(300)
    xy = page.evaluate("""(() => { const n = window.netintel.network;
        const p = n.canvasToDOM(n.getPositions(['TH-74'])['TH-74']);
        const r = document.querySelector('#ni-network canvas').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; })()""")
    page.mouse.dblclick(xy[0], xy[1])
    page.wait_for_function("window.netintel.nodes.length >= 10", timeout=15000)
    assert {"THA", "BC-MAESOT"} <= set(page.evaluate("window.netintel.nodes.getIds()"))
    # the person named like an HTML tag is data, never markup
    assert page.evaluate("window.netintel.nodes.get('P9').label").startswith("<img")
    assert page.locator("#ni-network img").count() == 0

    # entity page of that person: text, no script
    page.goto(server + "/ui/entity/P9")
    assert page.inner_text("#entity-name") == XSS
    assert page.locator("main img").count() == 0

    # route map renders and exports a real PNG
    page.goto(server + "/ui/routes")
    frame = page.frame_locator("#routemap")
    frame.locator("svg path.rm-arc").first.wait_for(timeout=15000)
    assert frame.locator("svg path.rm-arc").count() == 1
    with page.expect_download() as dl:
        page.click("a.export[data-format=png]")
    path = tmp_path / "map.png"
    dl.value.save_as(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image as mpimg
    import numpy as np

    img = mpimg.imread(io.BytesIO(data), format="png")
    assert img.shape[0] > 300 and img.shape[1] > 300
    assert float(np.asarray(img)[..., :3].std()) > 0.05  # not a blank picture
    assert len(np.unique(np.asarray(img)[..., :3].reshape(-1, 3).round(2), axis=0)) > 20

    assert dialogs == [], f"a script ran: {dialogs}"
    assert foreign == [], f"requests to other hosts: {foreign}"
    ctx.close()
