"""The routes page and the briefing page in a real browser (Debian chromium, network blocked), as a viewer.

On a generated bundle: the drop-downs, the MMR-THA briefing page at province level in Thai (label boxes
measured by the browser's own text layout never overlap), and a map drawn from an uploaded flows file
with "1,150" and "<5" (the form carries the CSRF token).  Screenshots go to /tmp/routes-shots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import OfflinePage, chromium, new_app, serve
from tests.test_api import PASSWORD
from tests.test_routes_briefing import FLOWS

pytestmark = [pytest.mark.browser, pytest.mark.neo4j]
SHOTS = Path("/tmp/routes-shots")


@pytest.fixture(scope="module")
def server(driver: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from graph.db import clear_database
    from ingest.generate import generate_bundle
    from ingest.loader import ingest_bundle
    from views.cache import cache

    clear_database(driver)
    out = tmp_path_factory.mktemp("routesui")
    generate_bundle(out, seed=3, persons=3000)
    ingest_bundle(driver, out, rejects_path=out / "rejects.csv")
    cache.clear()
    app = new_app(tmp_path_factory.mktemp("routeshome"), neo4j_settings, driver)
    app.state.users.add("vera", PASSWORD, "viewer")
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def session(server: str) -> Iterator[OfflinePage]:
    SHOTS.mkdir(exist_ok=True)
    with chromium() as b:
        s = OfflinePage(b, server, bypass_csp=True, viewport={"width": 1300, "height": 1000})
        yield s.login("vera", PASSWORD)
        s.close()


@pytest.fixture
def page(session: OfflinePage) -> Any:
    return session.page


_OVERLAPS = """() => {
  const bs = Array.from(document.querySelectorAll('g.rm-label text, g.rm-count text')).map(t => t.getBBox());
  const out = [];
  for (let i = 0; i < bs.length; i++) for (let j = i + 1; j < bs.length; j++) {
    const a = bs[i], b = bs[j];
    if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) out.push([i, j]);
  }
  return {n: bs.length, overlaps: out};
}"""


def test_routes_page_drop_downs_and_the_thai_province_briefing(server: str, page: Any,
                                                              session: OfflinePage) -> None:
    page.goto(server + "/ui/routes")
    assert page.locator("select[name=nationality] option").count() > 5
    assert page.locator("select[name=pair] option[value=MMR-THA]").count() == 1
    assert page.locator("select[name=level] option[value=border_crossing]").count() == 1
    page.select_option("select[name=pair]", "MMR-THA")
    page.select_option("select[name=level]", "province")
    page.select_option("select[name=lang]", "th")
    page.select_option("select[name=classification]", "official")
    page.fill("input[name=title]", "เส้นทางการค้ามนุษย์ เมียนมา–ไทย")
    page.click("#route-filters button[type=submit]")
    page.wait_for_url("**/ui/routes?*pair=MMR-THA*")
    assert "MMR-THA_province" in page.get_attribute("a.export[data-format=pdf]", "href") or \
        "pair=MMR-THA" in page.get_attribute("a.export[data-format=pdf]", "href")
    frame = page.frame_locator("#routemap")
    frame.locator("svg path.rm-arc").first.wait_for(timeout=30000)
    assert frame.locator("path.rm-province").count() > 20
    assert "ใช้ในราชการ" in frame.locator("#rm-mark-top").inner_text()
    assert "ปีที่ครอบคลุม" in frame.locator("#rm-years").inner_text()
    page.goto(server + "/api/routes/map?pair=MMR-THA&level=province&lang=th&classification=official&title=MMR-THA")
    page.wait_for_selector("svg#rm-svg")
    res = page.evaluate(_OVERLAPS)
    assert res["n"] > 10 and res["overlaps"] == [], res
    page.screenshot(path=str(SHOTS / "ui-briefing-province-th.png"), full_page=True)
    page.goto(server + "/api/routes/map?pair=MMR-THA&title=Myanmar%E2%80%93Thailand")
    page.wait_for_selector("svg#rm-svg")
    res = page.evaluate(_OVERLAPS)
    assert res["n"] > 5 and res["overlaps"] == [], res
    page.screenshot(path=str(SHOTS / "ui-briefing-country-en.png"), full_page=True)
    assert session.foreign == []


def test_flows_upload_draws_both_counts(server: str, page: Any, session: OfflinePage, tmp_path: Path) -> None:
    path = tmp_path / "glotip.csv"
    path.write_text(FLOWS, encoding="utf-8")
    page.goto(server + "/ui/routes")
    page.set_input_files("#flows-form input[name=file]", str(path))
    page.click("#flows-form button[type=submit]")
    page.wait_for_selector("svg#rm-svg", timeout=30000)
    labels = page.locator("g.rm-count text").all_text_contents()
    assert "1,150" in labels and "<5" in labels
    assert page.locator("path.rm-arc.sup").count() >= 1
    body = page.inner_text("body")
    assert "line 5: count not readable" in body and "n/a" in body and "National records" in body
    page.screenshot(path=str(SHOTS / "ui-flows.png"), full_page=True)
    assert session.foreign == []
