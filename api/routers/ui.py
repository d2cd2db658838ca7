"""HTML pages: log in, home, routes; the workspace pages (search, entity, case) are in
:mod:`api.routers.profile`; the other views are the API routes with ``?format=html``
(network, brokers, trails, tables)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..deps import SESSION_COOKIE, authenticate_request, client_of
from ..security import User, create_access_token
from ._common import render

router = APIRouter(prefix="/ui", tags=["ui"], include_in_schema=False)


class _LoginRedirect(Exception):
    pass


def ui_user(request: Request) -> User:
    user = authenticate_request(request, None)
    if user is None:
        raise _LoginRedirect()
    return user


UiUser = Annotated[User, Depends(ui_user)]


def _safe_next(value: str | None) -> str:
    # only same-site relative paths, never //host or scheme URLs
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/ui/"


@router.get("/login", response_class=HTMLResponse)
def login_page(next: Annotated[str | None, Query(max_length=500)] = None) -> HTMLResponse:
    return render("login.html", title="Log in", user=None, error=None, next=_safe_next(next))


@router.post("/login")
def login(request: Request, username: Annotated[str, Form(max_length=64)], password: Annotated[str, Form(max_length=200)],
          next: Annotated[str, Form(max_length=500)] = "/ui/") -> Response:
    app = request.app
    if app.state.login_limiter.retry_after(username, client_of(request)) > 0:
        app.state.audit.record(username[:64], "login_throttled", "", {"via": "ui"}, client_of(request))
        return render("login.html", status_code=429, title="Log in", user=None, next=_safe_next(next),
                      error="Too many failed logins; wait a few minutes before trying again.")
    user = app.state.users.authenticate(username, password)
    if user is None:
        app.state.login_limiter.failed(username, client_of(request))
        app.state.audit.record(username[:64], "login_failed", "", {"via": "ui"}, client_of(request))
        return render("login.html", status_code=401, title="Log in", user=None, next=_safe_next(next),
                      error="Wrong user name or password, or the account is disabled.")
    app.state.login_limiter.succeeded(username, client_of(request))
    app.state.audit.record(user.username, "login", "", {"via": "ui"}, client_of(request))
    s = app.state.api_settings
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(SESSION_COOKIE, create_access_token(
        s, user.username, user.role, password_changed_at=app.state.users.password_changed_at(user.username)), max_age=s.token_minutes * 60,
                    httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")
    return resp


@router.post("/logout")
def logout() -> Response:
    resp = RedirectResponse("/ui/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/", response_class=HTMLResponse)
def home(user: UiUser) -> HTMLResponse:
    # the search page without a query (the search itself: api/routers/profile.py)
    return render("search.html", title="Search", user=user, res=None, text="", by="q", params={}, error=None)


@router.get("/routes", response_class=HTMLResponse)
def routes_page(request: Request, user: UiUser) -> HTMLResponse:
    keys = ("level", "cases", "years", "nationality", "exploitation_type", "sex", "age", "pair")
    q = {k: request.query_params.get(k) for k in keys}
    qs = urlencode({k: v for k, v in q.items() if v})
    q.setdefault("level", "country")
    return render("routes.html", title="Routes", user=user, q=q, qs=qs)


def install(app: Any) -> None:
    """Send unauthenticated UI requests to the login page."""

    @app.exception_handler(_LoginRedirect)
    async def _to_login(request: Request, exc: _LoginRedirect) -> Response:
        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/ui/login?" + urlencode({"next": nxt}), status_code=303)
