"""The indicators page and a province dashboard in headless Debian chromium, network
blocked: tables by year with changes, the year picker, the exports, the dashboard's
numbers and its offline SVG charts; a province user cannot open another province.

Screenshots go to ``$NETINTEL_SCREENSHOTS`` when it is set (to look at them)."""

from __future__ import annotations

import csv
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from api.app import create_app
from api.security import ApiSettings
from graph import db as gdb
from ingest.generate import generate_bundle
from ingest.loader import ingest_bundle
from tests.test_ui_browser import ARGS, CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.neo4j]
PASSWORD = "justice-browser-pw-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def world(driver: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import uvicorn

    from ingest import gazetteer as gz

    d = tmp_path_factory.mktemp("jbrowser")
    truth = generate_bundle(d, seed=7, persons=800)
    gdb.clear_database(driver)
    assert ingest_bundle(driver, d, rejects_path=d / "rejects.csv").rejected == 0
    with (d / "cases.csv").open(encoding="utf-8") as fh:
        counts = Counter(r["province"] for r in csv.DictReader(fh) if r["province"] and r["exploitation_type"])
    name = counts.most_common(1)[0][0]
    code = next(r["id"] for r in gz.LOCATIONS if r["kind"] == "province" and r["name"] == name)
    app = create_app(ApiSettings(home=tmp_path_factory.mktemp("jbhome"), env="development", secret_key="b" * 48),
                     neo4j_settings=neo4j_settings, driver=driver)
    app.state.users.add("analyst1", PASSWORD, "analyst")
    app.state.users.add("pdc", PASSWORD, "investigator")
    app.state.users.set_units("pdc", [f"province-{code}", "protection"])
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield {"url": f"http://127.0.0.1:{port}", "truth": truth, "code": code, "name": name}
    srv.should_exit = True
    t.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing at /usr/bin/chromium (run `make system-deps`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _page(browser: Any, server: str, user: str) -> tuple[Any, Any, list[str], list[str]]:
    origin = urlparse(server).netloc
    foreign: list[str] = []
    dialogs: list[str] = []
    ctx = browser.new_context(accept_downloads=True, bypass_csp=True, viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()

    def guard(route: Any) -> None:
        if urlparse(route.request.url).netloc != origin and not route.request.url.startswith(("data:", "blob:")):
            foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", guard)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server + "/ui/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(server + "/ui/")
    return ctx, page, foreign, dialogs


def _shot(page: Any, name: str, tmp_path: Path) -> None:
    out = Path(os.environ.get("NETINTEL_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / name), full_page=False)


def test_indicators_page(world: dict[str, Any], browser: Any, tmp_path: Path) -> None:
    server, truth = world["url"], world["truth"]
    ctx, page, foreign, dialogs = _page(browser, server, "analyst1")
    page.click("header.site-header a:has-text('Indicators')")
    page.wait_for_selector("section.ind-table")
    assert page.locator("h1").inner_text() == "Yearly indicators"
    head = page.locator("section.ind-table").first
    assert head.locator("h2").inner_text() == "Headline indicators"
    # one row per year, the convictions column as in truth (analysts see restricted cases? no: compartments
    # apply, so compare with the years only) and a change below each value after the first year
    years = [int(x) for x in head.locator("tr th:first-child").all_inner_texts()[1:]]
    assert years == sorted(int(y) for y in truth["indicators"])
    assert head.locator("td .chg").count() > 0
    assert page.locator("section.ind-table").count() >= 9  # headline + breakdowns of victims
    _shot(page, "indicators.png", tmp_path)
    # pick one year
    last = str(years[-1])
    page.select_option("#year", last)
    page.click("#indicator-filter button")
    page.wait_for_selector("section.ind-table")
    assert page.locator("section.ind-table").first.locator("tr th:first-child").all_inner_texts()[1:] == [last]
    # the xlsx export downloads a real workbook
    with page.expect_download() as dl:
        page.click("a.export[data-format=xlsx]")
    path = tmp_path / "ind.xlsx"
    dl.value.save_as(path)
    assert path.read_bytes()[:2] == b"PK"
    assert dialogs == [] and foreign == [], (dialogs, foreign)
    ctx.close()


def test_province_dashboard(world: dict[str, Any], browser: Any, tmp_path: Path) -> None:
    server, code, name = world["url"], world["code"], world["name"]
    ctx, page, foreign, dialogs = _page(browser, server, "pdc")
    page.click("header.site-header a:has-text('Provinces')")
    rows = page.locator("#provinces tr td:first-child").all_inner_texts()
    assert rows == [code]  # a province user lists only their own
    page.click(f"#provinces a:has-text('{name}')")
    page.wait_for_selector("#kpis")
    assert name in page.locator("h1").inner_text()
    assert int(page.inner_text("#kpi-cases").replace(",", "")) > 0
    assert int(page.inner_text("#kpi-victims").replace(",", "")) > 0
    charts = page.locator("#charts svg")
    assert charts.count() == 5
    for i in range(5):  # every chart is drawn (has bars or a line) and visible
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 40
    assert page.locator("#charts svg rect, #charts svg polyline").count() > 10
    assert page.locator("#stalled tr").count() > 1
    _shot(page, "dashboard.png", tmp_path)
    # another province is not found for this user
    other = "TH-10" if code != "TH-10" else "TH-50"
    resp = page.goto(server + f"/api/provinces/{other}/dashboard?format=html")
    assert resp is not None and resp.status == 404
    assert dialogs == [] and foreign == [], (dialogs, foreign)
    ctx.close()
