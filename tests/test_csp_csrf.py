"""CSP nonces and CSRF protection (issue 9, findings 3 and 8).

* every template in ``viz/templates`` follows the page rules: inline ``<script>``/``<style>`` carry
  ``nonce="{{ csp_nonce }}"``, no inline ``on…=`` handler, every POST form carries the CSRF field —
  so pages other helpers add are checked when they merge;
* served pages: the CSP header has a fresh nonce per response, no ``'unsafe-inline'`` for scripts, and
  every inline script/style of the page carries that nonce;
* a cookie-authenticated state-changing request without the session's token, or from another origin
  (another port of the same host included), is refused and audited; bearer calls are not affected.

The real-browser attack (a page on another port auto-submits a form with the admin's cookie) is in
``tests/test_trust_browser.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import ApiSettings, create_access_token
from viz.pages import TEMPLATES, render_page

PASSWORD = "correct-horse-battery"

_TAG = re.compile(r"<(script|style)\b([^>]*)>", re.I)
_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.I | re.S)


def _templates() -> list[Path]:
    found = sorted(TEMPLATES.rglob("*.html"))
    assert found, "no templates found"
    return found


def _template_problems(text: str) -> list[str]:
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)  # Jinja comments
    problems = []
    for m in _TAG.finditer(text):
        attrs = m.group(2)
        if m.group(1).lower() == "script" and re.search(r"\btype\s*=\s*[\"']application/(ld\+)?json[\"']", attrs):
            continue  # data, never executed (the script_json filter)
        if re.search(r"\bsrc\s*=", attrs):
            continue  # a same-origin file ('self')
        if 'nonce="{{ csp_nonce }}"' not in attrs:
            problems.append(f"<{m.group(1)}{attrs}> without nonce=\"{{{{ csp_nonce }}}}\"")
    for m in _HANDLER.finditer(text):
        problems.append(f"inline event handler: {m.group(0)[:80]!r}")
    for m in _FORM.finditer(text):
        if re.search(r"method\s*=\s*[\"']?post", m.group(1), re.I) and 'name="csrf_token"' not in m.group(2):
            problems.append(f"POST form without the csrf_token field: <form{m.group(1)}>")
    return problems


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.name)
def test_every_template_follows_the_csp_and_csrf_rules(path: Path) -> None:
    problems = _template_problems(path.read_text(encoding="utf-8"))
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_the_template_scan_catches_each_rule() -> None:
    bad = ('<script>alert(1)</script><style>b{}</style><button onclick="x()">'
           '<form method="post" action="/x"><button></button></form>')
    got = _template_problems(bad)
    assert len(got) == 4, got
    good = ('<script nonce="{{ csp_nonce }}">x()</script><script type="application/json">{}</script>'
            '<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token }}"></form>'
            '<form method="get"></form>')
    assert _template_problems(good) == []


def test_render_page_outside_a_request_gets_a_nonce_and_no_token() -> None:
    html = render_page("login.html", next="/ui/", error=None)
    nonces = set(re.findall(r'nonce="([^"]+)"', html))
    assert len(nonces) == 1 and len(next(iter(nonces))) >= 16
    assert '<meta name="csrf-token" content="">' in html


# ------------------------------------------------------------------ served pages
@pytest.fixture
def app(tmp_path: Path) -> Any:
    a = create_app(ApiSettings(home=tmp_path / "home", env="development", secret_key="k" * 48))
    a.state.users.add("admin1", PASSWORD, "admin")
    a.state.users.add("victim", PASSWORD, "viewer")
    return a


def _login(c: TestClient) -> str:
    r = c.post("/ui/login", data={"username": "admin1", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get("/ui/")
    m = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert m, "no CSRF token in the page"
    return m.group(1)


def _nonce(resp: Any) -> str:
    csp = resp.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and "'unsafe-inline'" not in script_src.group(1), csp
    m = re.search(r"'nonce-([A-Za-z0-9_-]{16,})'", csp)
    assert m, csp
    return m.group(1)


def test_each_response_has_its_own_nonce_on_every_inline_script_and_style(app: Any) -> None:
    c = TestClient(app)
    _login(c)
    seen = set()
    for path in ("/ui/login", "/ui/", "/ui/routes", "/docs", "/api/admin/audit?format=html"):
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
        nonce = _nonce(r)
        seen.add(nonce)
        for m in _TAG.finditer(r.text):
            attrs = m.group(2)
            if "application/json" in attrs or "src=" in attrs:
                continue
            assert f'nonce="{nonce}"' in attrs, (path, m.group(0))
        assert not _HANDLER.search(r.text), path
    assert len(seen) == 5, "nonces must differ per response"


def test_cookie_post_without_the_token_is_refused_and_audited(app: Any) -> None:
    c = TestClient(app)
    token = _login(c)
    r = c.post("/api/admin/users/victim/disable")
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_refused"
    r = c.post("/api/admin/users/victim/disable", headers={"X-CSRF-Token": token[:-2] + "xx"})
    assert r.status_code == 403
    assert app.state.users.get("victim").disabled is False
    refused = app.state.audit.entries(action="csrf_refused")
    assert len(refused) == 2 and refused[0].username == "admin1" and refused[0].target.endswith("/disable")
    # with the token (header) it works
    r = c.post("/api/admin/users/victim/disable", headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and app.state.users.get("victim").disabled is True
    # the form field works too (enable)
    r = c.post("/api/admin/users/victim/enable", data={"csrf_token": token})
    assert r.status_code == 200 and app.state.users.get("victim").disabled is False


@pytest.mark.parametrize("headers", [
    {"Origin": "http://testserver:8001"},  # another port of the same host
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "https://testserver"},  # another scheme
    {"Sec-Fetch-Site": "same-site"},  # what a browser sends from another port
    {"Sec-Fetch-Site": "cross-site"},
], ids=["other-port", "other-host", "null", "other-scheme", "same-site", "cross-site"])
def test_cross_origin_posts_are_refused_even_with_the_token(app: Any, headers: dict[str, str]) -> None:
    c = TestClient(app)
    token = _login(c)
    for path in ("/api/admin/users/victim/disable", "/ui/logout", "/api/resolution/run"):
        r = c.post(path, headers={"X-CSRF-Token": token, **headers}, follow_redirects=False)
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_refused", (path, r.text)
    assert app.state.users.get("victim").disabled is False
    # the session was not ended by the refused logout
    assert c.get("/api/auth/me").status_code == 200


def test_same_origin_browser_headers_pass(app: Any) -> None:
    c = TestClient(app)
    token = _login(c)
    r = c.post("/api/admin/users/victim/disable",
               headers={"X-CSRF-Token": token, "Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200


def test_logout_and_login_forms_carry_the_token(app: Any) -> None:
    c = TestClient(app)
    token = _login(c)
    page = c.get("/ui/").text
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in page
    assert c.post("/ui/logout", data={}, follow_redirects=False).status_code == 403
    assert c.post("/ui/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303


def test_bearer_calls_are_not_affected(app: Any) -> None:
    c = TestClient(app)
    _login(c)  # a session cookie is present too: the bearer header decides
    tok = create_access_token(app.state.api_settings, "admin1", "admin",
                              password_changed_at=app.state.users.password_changed_at("admin1"),
                              session_version=app.state.users.session_version("admin1"))
    r = c.post("/api/admin/users/victim/disable", headers={"Authorization": f"Bearer {tok}",
                                                           "Origin": "http://elsewhere.example"})
    assert r.status_code == 200
    c.cookies.clear()
    token, _ = app.state.users.create_token("admin1", "script", scope="admin")
    r = c.post("/api/admin/users/victim/enable", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


def test_the_token_is_bound_to_the_session(app: Any) -> None:
    """A token from one session (e.g. the attacker's own viewer login) does not work with another."""
    a, b = TestClient(app), TestClient(app)
    token_a = _login(a)
    token_b = _login(b)
    assert token_a != token_b
    r = b.post("/api/admin/users/victim/disable", headers={"X-CSRF-Token": token_a})
    assert r.status_code == 403
