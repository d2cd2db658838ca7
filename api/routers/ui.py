"""HTML pages: log in, search, entity page, routes; the other views are the
API routes with ``?format=html`` (network, brokers, trails, tables)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..deps import SESSION_COOKIE, DriverDep, authenticate_request, client_of, scope_of
from ..errors import ApiError, NotFound
from ..security import User, create_access_token, role_allows
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
    return render("home.html", title="Search", user=user, hits=None, by="q", value="", error=None)


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, driver: DriverDep, user: UiUser,
           by: Annotated[str, Query(pattern="^(q|id|phone|plate|account)$")] = "q",
           value: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    from views.explore import search as run_search

    if not role_allows(user.role, "investigator"):
        return render("home.html", status_code=403, title="Search", user=user, hits=None, by=by, value=value,
                      error="Your role cannot search for persons.")
    try:
        criterion: dict[str, Any] = {by: value}
        res = run_search(scope_of(request, user, driver, via="ui"), **criterion)
    except ApiError as exc:
        return render("home.html", status_code=exc.status, title="Search", user=user, hits=None, by=by,
                      value=value, error=exc.message)
    hits = [h.model_dump() for h in res.data]
    return render("home.html", title="Search", user=user, hits=hits, by=by, value=value, error=None)


@router.get("/entity/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: str, driver: DriverDep, user: UiUser,
                label: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    from graph.model import NODE_LABELS
    from views.explore import entity

    if not role_allows(user.role, "investigator"):
        return render("table.html", status_code=403, title="Not allowed", rows=[], cols=[], links={}, user=user,
                      note="Your role cannot see persons or entities.", extra_links=[])
    scope = scope_of(request, user, driver, via="ui")
    try:
        node = entity(scope, entity_id, label if label in NODE_LABELS else None)
    except NotFound:
        return render("table.html", status_code=404, title="Not found", rows=[], cols=[], links={}, user=user,
                      note=f"No entity with id {entity_id}.", extra_links=[])
    from views.resolution import profile_section

    dup = profile_section(scope, entity_id) if node.label == "Person" else None
    return render("entity.html", title=str(node.name), entity=node.model_dump(exclude_none=True), user=user,
                  resolution=dup)


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
