"""HTML pages: log in, home, routes; the workspace pages (search, entity, case) are in
:mod:`api.routers.profile`; the other views are the API routes with ``?format=html``
(network, brokers, trails, tables)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..deps import SESSION_COOKIE, authenticate_request, client_of
from ..security import User, create_access_token, new_session_id
from ..websec import session_cookie_header
from ._common import render

router = APIRouter(prefix="/ui", tags=["ui"], include_in_schema=False)


class _LoginRedirect(Exception):
    pass


def ui_user(request: Request) -> User:
    user = authenticate_request(request, None)
    if user is None:
        raise _LoginRedirect()
    request.state.user = user  # api.websec audits the page's 403/404 answers with it
    return user


UiUser = Annotated[User, Depends(ui_user)]


def _safe_next(value: str | None) -> str:
    # only same-site relative paths, never //host or scheme URLs
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/ui/"


@router.get("/login", response_class=HTMLResponse)
def login_page(next: Annotated[str | None, Query(max_length=500)] = None,
               ended: Annotated[bool, Query()] = False) -> HTMLResponse:
    return render("login.html", title="Log in", user=None, error=None, next=_safe_next(next), ended=ended)


@router.post("/login")
def login(request: Request, username: Annotated[str, Form(max_length=64)], password: Annotated[str, Form(max_length=200)],
          next: Annotated[str, Form(max_length=500)] = "/ui/") -> Response:
    app = request.app
    if app.state.login_limiter.retry_after(username, client_of(request)) > 0:
        app.state.unauth_audit.record(username[:64], "login_throttled", "", {"via": "ui"}, client_of(request))
        return render("login.html", status_code=429, title="Log in", user=None, next=_safe_next(next),
                      error="Too many failed logins; wait a few minutes before trying again.")
    user = app.state.users.authenticate(username, password)
    if user is None:
        app.state.login_limiter.failed(username, client_of(request))
        app.state.unauth_audit.record(username[:64], "login_failed", "", {"via": "ui"}, client_of(request))
        return render("login.html", status_code=401, title="Log in", user=None, next=_safe_next(next),
                      error="Wrong user name or password, or the account is disabled.")
    app.state.login_limiter.succeeded(username, client_of(request))
    s = app.state.api_settings
    state = app.state.users.session_state(user.username)
    sid = new_session_id()
    app.state.audit.record(user.username, "login", "", {"via": "ui", "session": sid[:8]}, client_of(request))
    resp = RedirectResponse(_safe_next(next), status_code=303)
    token = create_access_token(s, user.username, user.role, password_changed_at=state[1] if state else None,
                                session_version=state[2] if state else 0, sid=sid)
    resp.headers.append("set-cookie", session_cookie_header(token, s.token_minutes * 60, request.url.scheme == "https"))
    return resp


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session on the server too: the user's session version moves on, so this cookie and
    every other login token of the user issued before stop working (API tokens are not affected)."""
    user = authenticate_request(request, None)
    if user is not None:
        request.app.state.users.end_sessions(user.username)
        request.app.state.audit.record(user.username, "logout", "", {"via": "ui", "session": user.session_id[:8]},
                                       client_of(request))
    resp = RedirectResponse("/ui/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                       secure=request.url.scheme == "https")
    return resp


@router.get("/", response_class=HTMLResponse)
def home(user: UiUser) -> HTMLResponse:
    # the search page without a query (the search itself: api/routers/profile.py)
    return render("search.html", title="Search", user=user, res=None, text="", by="q", params={}, error=None)


@router.get("/routes", response_class=HTMLResponse)
def routes_page(request: Request, user: UiUser) -> HTMLResponse:
    """The routes page: drop-downs for every filter, the briefing page's options, exports, the map."""
    from core.errors import InvalidInput
    from views import routes as rv
    from viz.briefing import CLASSIFICATIONS

    keys = ("level", "cases", "years", "nationality", "exploitation_type", "sex", "age", "pair")
    q = {k: request.query_params.get(k) for k in keys}
    page = {"title": request.query_params.get("title") or "Trafficking corridors",
            "lang": request.query_params.get("lang") or "en",
            "orientation": request.query_params.get("orientation") or "landscape",
            "classification": request.query_params.get("classification") or ""}
    error = None
    try:
        rv.RouteQuery.parse(**{k: v for k, v in q.items() if v})
        if page["lang"] not in rv.LANGS or page["orientation"] not in ("landscape", "portrait") \
                or page["classification"] not in CLASSIFICATIONS:
            raise InvalidInput("unknown page option (language, orientation or marking)")
    except InvalidInput as exc:
        error = exc.message
    qs = urlencode({**{k: v for k, v in q.items() if v}, **{k: v for k, v in page.items() if v}})
    q.setdefault("level", "country")
    opts = {**rv.options(), "classification": [(k, v[0] or "no marking") for k, v in CLASSIFICATIONS.items()]}
    return render("routes.html", status_code=400 if error else 200, title="Routes", user=user, q=q, qs=qs,
                  opts=opts, page=page, error=error)


def _relogin(request: Request) -> RedirectResponse:
    nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    q: dict[str, str] = {"next": nxt}
    if request.cookies.get(SESSION_COOKIE):  # there was a session: say that it ended
        q["ended"] = "1"
    resp = RedirectResponse("/ui/login?" + urlencode(q), status_code=303)
    if "ended" in q:
        resp.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    return resp


def install(app: Any) -> None:
    """Send unauthenticated UI requests, and browser page loads of API pages (``?format=html``,
    exports) whose session ended, to the login page ("your session has ended") instead of a bare 401;
    scripts and bearer calls keep the JSON 401."""
    from core.errors import Unauthorized

    from ..errors import error_body, navigating

    @app.exception_handler(_LoginRedirect)
    async def _to_login(request: Request, exc: _LoginRedirect) -> Response:
        return _relogin(request)

    @app.exception_handler(Unauthorized)
    async def _unauthorized(request: Request, exc: Unauthorized) -> Response:
        from fastapi.responses import JSONResponse

        if navigating(request):
            return _relogin(request)
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status,
                            headers=exc.headers)
