"""Issue 9 in a real browser (Debian chromium, headless, no other host reachable).

* Cross-port CSRF: the admin is logged in to the app; a page served by *another port of the same host*
  auto-submits a form to ``POST /api/admin/users/{name}/disable`` (and ``/ui/logout``).  The browser
  sends the admin's SameSite=Strict cookie (another port is the same site) — and the app refuses.
* CSP is enforced (no ``bypass_csp``): the pages run with nonces only, and the browser reports no
  violation on the login, search, routes, network and docs pages.
* Logout ends the session on the server: the old cookie, put back, no longer works; an ended session
  lands on a re-login page, not a bare 401.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph import db as gdb
from ingest.loader import ingest_bundle
from tests.browser import OfflinePage, chromium, new_app, serve
from tests.conftest import free_port
from tests.test_api import PASSWORD, _tables

pytestmark = [pytest.mark.browser, pytest.mark.neo4j]


@pytest.fixture(scope="module")
def site(driver: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    from tests.conftest import write_csv

    gdb.clear_database(driver)
    d = tmp_path_factory.mktemp("trustbundle")
    for table, rows in _tables().items():
        write_csv(d / f"{table}.csv", rows)
    assert ingest_bundle(driver, d, rejects_path=d / "rejects.csv").rejected == 0
    app = new_app(tmp_path_factory.mktemp("trusthome"), neo4j_settings, driver)
    app.state.users.add("admin1", PASSWORD, "admin")
    app.state.users.add("victim", PASSWORD, "investigator")
    with serve(app) as url:
        yield url, app


@pytest.fixture(scope="module")
def attacker(site: tuple[str, Any]) -> Iterator[str]:
    """A second web server on another port of the same host, serving auto-submitting forms."""
    target = site[0]
    pages = {
        "/disable": f"""<!DOCTYPE html><html><body><h1>cat pictures</h1>
<form id="f" method="post" action="{target}/api/admin/users/victim/disable"><input name="x" value="1"></form>
<script>document.getElementById("f").submit();</script></body></html>""",
        "/disable-with-guess": f"""<!DOCTYPE html><html><body>
<form id="f" method="post" action="{target}/api/admin/users/victim/disable">
<input name="csrf_token" value="guess"></form>
<script>document.getElementById("f").submit();</script></body></html>""",
        "/logout": f"""<!DOCTYPE html><html><body>
<form id="f" method="post" action="{target}/ui/logout"></form>
<script>document.getElementById("f").submit();</script></body></html>""",
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = pages.get(self.path, "not here").encode()
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a: Any) -> None:
            pass

    port = int(free_port())
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{port}"
    srv.shutdown()
    t.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _login(page: Any, url: str, user: str = "admin1") -> None:
    page.goto(url + "/ui/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(url + "/ui/")


def test_a_form_on_another_port_cannot_act_with_the_admin_cookie(site: tuple[str, Any], attacker: str,
                                                                  browser: Any, tmp_path: Path) -> None:
    url, app = site
    s = OfflinePage(browser, url, also=(attacker,))  # the app's CSP applies
    page = s.page
    _login(page, url)
    before = app.state.audit.count()
    for attack in ("/disable", "/disable-with-guess", "/logout"):
        with page.expect_response(lambda r: r.url.startswith(url) and r.request.method == "POST") as info:
            page.goto(attacker + attack)
        resp = info.value
        assert resp.status == 403, (attack, resp.status)
        assert "csrf_refused" in resp.text()
        sent = resp.request.all_headers()
        assert "netintel_session=" in sent.get("cookie", ""), "the browser did send the admin cookie"
        assert sent.get("origin") == attacker, sent.get("origin")  # from the other port
    page.screenshot(path=str(tmp_path / "csrf-refused.png"))
    assert app.state.users.get("victim").disabled is False
    refused = [e for e in app.state.audit.entries(limit=50) if e.seq > before and e.action == "csrf_refused"]
    assert len(refused) == 3 and {e.username for e in refused} == {"admin1"}
    # the admin is still logged in (the forged logout did nothing) and the real page works
    page.goto(url + "/ui/")
    assert page.locator("#site-user").inner_text().startswith("admin1")
    s.close()


def test_pages_run_under_the_nonce_csp_and_logout_ends_the_session(site: tuple[str, Any], browser: Any,
                                                                  tmp_path: Path) -> None:
    url, app = site
    s = OfflinePage(browser, url)  # the app's CSP applies
    page, ctx = s.page, s.ctx
    _login(page, url, "admin1")
    # the framed check in base.html ran (nonce'd inline script): the header is visible at top level
    assert page.locator("#site-header").is_visible()
    page.fill("#search-form input[name=q]", "สมชาย")
    page.click("#search-form button")
    page.wait_for_selector("#hits a.hit")
    page.locator("#hits a.hit").first.click()  # the person's profile (workspace page)
    page.wait_for_load_state("load")
    page.screenshot(path=str(tmp_path / "profile-under-csp.png"))
    # open the network of the entity (vis-network inline, nonce'd) and wait for its canvas
    page.goto(url + "/api/analytics/brokers?format=html")
    page.wait_for_selector("#ni-network canvas", timeout=20000)
    page.screenshot(path=str(tmp_path / "network-under-csp.png"))
    page.goto(url + "/ui/routes")
    frame = page.frame_locator("#routemap")
    frame.locator("#rm-svg").wait_for(timeout=20000)
    page.screenshot(path=str(tmp_path / "routes-under-csp.png"))
    page.goto(url + "/docs")
    page.wait_for_load_state("load")
    violations = [m for m in s.console if "Content Security Policy" in m or "Refused to" in m]
    assert not violations, violations
    # log out with the real button (a same-origin form with the token)
    page.goto(url + "/ui/")
    old = [c for c in ctx.cookies() if c["name"] == "netintel_session"]
    assert old
    page.click(".site-header button[type=submit]")
    page.wait_for_url(url + "/ui/login")
    # put the old cookie back: the server ended that session, so it is not accepted
    ctx.add_cookies(old)
    page.goto(url + "/api/analytics/brokers?format=html")
    assert "/ui/login" in page.url and "ended=1" in page.url
    assert page.locator("#session-ended").is_visible()
    page.screenshot(path=str(tmp_path / "session-ended.png"))
    s.close()
