"""Per-response page security: CSP nonces, CSRF protection, session renewal.

:class:`WebSecurity` is pure ASGI middleware around the whole app.  For every
HTTP request it

1. makes a fresh CSP nonce and the session's CSRF token and hands both to the
   page system (:func:`viz.pages.use_page_security`): every template gets
   ``csp_nonce`` and ``csrf_token``;
2. answers the response with ``Content-Security-Policy`` whose ``script-src``
   and ``style-src`` allow ``'self'`` and that nonce only (no
   ``'unsafe-inline'`` for scripts; see :func:`content_security_policy`);
3. refuses (403 ``csrf_refused``, audited) a state-changing request
   (POST/PUT/PATCH/DELETE) that carries no ``Authorization`` header when
   * it comes from another origin: ``Sec-Fetch-Site`` other than
     ``same-origin``/``none`` (another *port* of the same host is
     ``same-site``, and refused), or an ``Origin`` that is not this
     scheme://host:port (``null`` included); or
   * it is authenticated by the session cookie and lacks the session's CSRF
     token, sent as header ``X-CSRF-Token`` or form field ``csrf_token``.
   Bearer-token calls (scripts) are not affected: a browser never adds an
   ``Authorization`` header to a cross-site form or a simple request;
4. adds the renewed session cookie that :func:`api.deps._maybe_renew` left in
   the request state, unless the route set or cleared the cookie itself;
5. audits the refusals (403, ``access_denied``) and not-found answers (404,
   ``not_found``: hidden ids answer like missing ones) of UI pages (``/ui/…``)
   to a logged-in user — the API's are audited by its dependencies and error
   handler.

The CSRF token is ``HMAC-SHA256(secret key, session id)``
(:func:`api.security.csrf_token_for`): bound to the session, so a cookie
planted from a sibling site (cookies do not separate ports) cannot bring its
own token, and never stored.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response

from viz.pages import page_security, use_page_security

from .errors import error_body
from .security import ApiSettings, csrf_token_for, decode_access_token

__all__ = ["WebSecurity", "content_security_policy", "session_cookie_header", "RENEW_STATE", "CSRF_HEADER",
           "CSRF_FIELD", "SAFE_METHODS"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

SESSION_COOKIE = "netintel_session"  # = api.deps.SESSION_COOKIE (deps imports this module lazily)
RENEW_STATE = "netintel_renew_cookie"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def content_security_policy(nonce: str) -> str:
    """The policy of a response whose inline scripts and styles carry ``nonce``.

    Style *attributes* stay allowed (``style-src-attr 'unsafe-inline'``): vis-network positions
    its widgets through them and they cannot run script; style *elements* need the nonce.
    """
    n = f"'nonce-{nonce}'"
    return (f"default-src 'self'; script-src 'self' {n}; style-src 'self' {n}; style-src-elem 'self' {n}; "
            "style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'")


def session_cookie_header(token: str, max_age: int, secure: bool) -> str:
    """The ``Set-Cookie`` value of the UI session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS)."""
    r = Response()
    r.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="strict", secure=secure, path="/")
    return r.headers["set-cookie"]


def _origin_problem(scope: Scope, headers: Headers) -> str | None:
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return f"cross-origin request refused (Sec-Fetch-Site: {site})"
    origin = headers.get("origin")
    if origin is None:
        return None  # not sent by scripts and old browsers; the CSRF token still applies
    if origin == "null":
        return "request from an opaque origin refused"
    own_host = (headers.get("host") or "").lower()
    parts = urlsplit(origin.lower())
    default = {"http": "80", "https": "443"}.get(parts.scheme, "")
    o_host = parts.netloc[:-len(":" + default)] if default and parts.netloc.endswith(":" + default) else parts.netloc
    h_host = own_host[:-len(":" + default)] if default and own_host.endswith(":" + default) else own_host
    if parts.scheme != scope.get("scheme", "http") or o_host != h_host:
        return f"cross-origin request refused (Origin {origin} is not this site)"
    return None


class WebSecurity:
    """ASGI middleware: CSP nonce, CSRF and Origin checks, session renewal (see the module)."""

    def __init__(self, app: Any, settings: ApiSettings) -> None:
        self.app, self.settings = app, settings

    def _session(self, headers: Headers) -> dict[str, Any] | None:
        cookie = Request({"type": "http", "headers": headers.raw}).cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        return decode_access_token(self.settings, cookie)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        claims = self._session(headers)
        sid = str(claims.get("sid") or "") if claims else ""
        csrf = csrf_token_for(self.settings, sid) if sid else ""
        sec = page_security(csrf)
        csp = content_security_policy(sec.csp_nonce)

        if scope["method"] not in SAFE_METHODS and "authorization" not in headers:
            problem = _origin_problem(scope, headers)
            if problem is None and claims is not None:
                provided = headers.get(CSRF_HEADER)
                if provided is None and headers.get("content-type", "").split(";")[0].strip() in _FORM_TYPES:
                    provided, receive = await _form_field(scope, receive, CSRF_FIELD)
                if not provided or not sid or not hmac.compare_digest(provided.encode(), csrf.encode()):
                    problem = "missing or wrong CSRF token (reload the page and try again)"
            if problem is not None:
                self._audit_refusal(scope, headers, claims, problem)
                await _refuse(send, problem, csp)
                return

        async def send_with_headers(msg: MutableMapping[str, Any]) -> None:
            if msg["type"] == "http.response.start":
                h = MutableHeaders(scope=msg)
                h["content-security-policy"] = csp
                renew = scope.get("state", {}).get(RENEW_STATE)
                if renew and not any(v.startswith(SESSION_COOKIE + "=") for v in h.getlist("set-cookie")):
                    h.append("set-cookie", renew)
                if msg.get("status") in (403, 404) and scope["path"].startswith("/ui/"):
                    _audit_ui_answer(scope, int(msg["status"]))
            await send(msg)

        with use_page_security(sec):
            await self.app(scope, receive, send_with_headers)

    def _audit_refusal(self, scope: Scope, headers: Headers, claims: dict[str, Any] | None, problem: str) -> None:
        app = scope.get("app")
        if app is None or not hasattr(app.state, "audit"):
            return
        client = scope.get("client")
        addr = client[0] if client else ""
        details = {"reason": problem, "method": scope["method"], "path": scope["path"],
                   "origin": headers.get("origin"), "sec_fetch_site": headers.get("sec-fetch-site")}
        if claims is not None:  # a validly signed session: a real user was the target
            app.state.audit.record(str(claims.get("sub", ""))[:64], "csrf_refused", scope["path"], details, addr)
        elif hasattr(app.state, "unauth_audit"):
            app.state.unauth_audit.record("", "csrf_refused", scope["path"], details, addr)


def _audit_ui_answer(scope: Scope, status: int) -> None:
    user = scope.get("state", {}).get("user")
    app = scope.get("app")
    if user is None or app is None or not hasattr(app.state, "audit"):
        return
    client = scope.get("client")
    action = "access_denied" if status == 403 else "not_found"
    app.state.audit.record(user.username, action, scope["path"],
                           {"path": scope["path"], "method": scope["method"], "via": "ui", "role": user.role,
                            "status": status}, client[0] if client else "")


async def _refuse(send: Send, message: str, csp: str) -> None:
    import json

    body = json.dumps(error_body("csrf_refused", message, None)).encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


async def _form_field(scope: Scope, receive: Receive, name: str) -> tuple[str | None, Receive]:
    """Read the (size-limited, see :class:`api.app.SizeLimits`) body, parse it as a form and return
    the field ``name`` and a ``receive`` that replays the body to the app."""
    chunks: list[bytes] = []
    more = True
    while more:
        msg = await receive()
        if msg["type"] != "http.request":
            break
        chunks.append(msg.get("body", b""))
        more = msg.get("more_body", False)
    body = b"".join(chunks)
    sent = False

    async def replay() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    sent_once = False

    async def once() -> MutableMapping[str, Any]:
        nonlocal sent_once
        if not sent_once:
            sent_once = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    value: str | None = None
    try:
        form = await Request(scope, once).form(max_files=100, max_fields=1000)
        v = form.get(name)
        value = v if isinstance(v, str) else None
        await form.close()
    except Exception:  # noqa: BLE001 - an unparsable form has no token; the app answers its own error
        value = None
    return value, replay
