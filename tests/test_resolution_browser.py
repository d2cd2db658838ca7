"""Duplicate review in headless Debian chromium (network blocked): an analyst opens the
candidates, reviews a Thai/Latin pair side by side, accepts it with a reason, sees the history,
and the person's profile then shows the merged person with both source records."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph import db as gdb
from graph.scope import Scope
from ingest.loader import ingest_bundle
from tests.browser import OfflinePage, chromium, new_app, serve
from tests.test_resolution_review import CASES, INVOLVEMENTS, PASSWORD, PERSONS
from views import resolution as v

pytestmark = [pytest.mark.browser, pytest.mark.neo4j]
SHOTS = Path(os.environ.get("NETINTEL_SCREENSHOTS", "/tmp/netintel-screenshots"))


@pytest.fixture(scope="module")
def server(driver: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.conftest import write_csv

    gdb.clear_database(driver)
    d = tmp_path_factory.mktemp("erui")
    write_csv(d / "persons.csv", PERSONS)
    write_csv(d / "cases.csv", CASES)
    write_csv(d / "involvements.csv", INVOLVEMENTS)
    assert ingest_bundle(driver, d, rejects_path=d / "rejects.csv").rejected == 0
    v.run(Scope.operator(driver, reason="test"))
    app = new_app(tmp_path_factory.mktemp("eruihome"), neo4j_settings, driver, secret="r")
    app.state.users.add("ana", PASSWORD, "analyst")
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_accept_a_candidate_in_the_ui_then_the_profile_shows_the_merged_person(server: str, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    # the page's own CSP applies (no bypass): this test evaluates no script of its own
    s = OfflinePage(browser, server)
    page = s.page
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if m.type == "error" and "Content Security Policy" in m.text
            else None)

    page.goto(server + "/ui/resolution/candidates")
    assert "/ui/login" in page.url
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/ui/resolution/candidates")
    page.wait_for_selector("#candidates")
    page.screenshot(path=str(SHOTS / "er-candidates.png"), full_page=True)
    weights = [c.strip() for c in page.locator("#candidates tr td.num:nth-child(1)").all_inner_texts()]
    assert len(weights) >= 4 and len(set(weights)) == len(weights)  # two decimals, all distinct
    assert all("." in w and len(w.split(".")[1]) == 2 for w in weights)

    page.locator('#candidates tr[data-left="DSI-1"][data-right="RTP-7"] a.review').click()
    page.wait_for_selector("#side-by-side")
    side = page.inner_text("#side-by-side")
    assert "สมชาย ใจดี" in side and "Somchai Jaidee" in side and "1990-03-15" in side
    assert page.locator('#side-by-side tr[data-field="name"]').get_attribute("class") == "agree"
    assert page.inner_text("#state") == "pending"
    page.screenshot(path=str(SHOTS / "er-review.png"), full_page=True)

    # a judgement needs a reason: the browser refuses the empty form
    page.click("#accept")
    assert page.inner_text("#state") == "pending"
    page.fill("#reason", "same phone and birth date; Thai and RTGS spellings of one name")
    page.click("#accept")
    page.wait_for_selector("#history")
    assert page.inner_text("#state") == "accepted"
    hist = page.inner_text("#history")
    assert "ana" in hist and "same phone and birth date" in hist
    page.screenshot(path=str(SHOTS / "er-accepted.png"), full_page=True)

    # undo, then accept again: both kept in the history
    page.click("#undo")
    page.wait_for_selector("#state.state-pending")
    page.fill("#reason", "re-checked: same person")
    page.click("#accept")
    page.wait_for_selector("#state.state-accepted")
    assert page.locator("#history tr").count() == 4  # header + accepted, undo, accepted

    # the profile of either record now shows one person with both source records
    page.goto(server + "/ui/entity/RTP-7")
    page.wait_for_selector("#merged-person")
    merged = page.inner_text("#merged-person")
    assert "DSI-1" in merged and "RTP-7" in merged and "สมชาย ใจดี" in merged
    page.screenshot(path=str(SHOTS / "er-profile-merged.png"), full_page=True)
    page.click("#merged-person a.one-person")
    page.wait_for_selector("#source-records")
    assert page.locator("#source-records tr[data-id]").count() == 2
    page.screenshot(path=str(SHOTS / "er-one-person.png"), full_page=True)

    # the network toggle: the two records drawn as one person node
    page.goto(server + "/ui/entity/RTP-7")
    page.click("#merged-person a.net-merged")
    page.wait_for_selector("#netintel-data", state="attached")
    data = json.loads(page.locator("#netintel-data").text_content() or "{}")
    ids = {str(n["id"]) for n in data["nodes"]}
    assert "RTP-7" in ids and "DSI-1" not in ids and "C1" in ids
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SHOTS / "er-network-merged.png"))

    assert csp == [], csp
    s.close()
