"""The investigator-facing FastAPI application.

``create_app()`` builds the app; ``uvicorn api.app:create_app --factory``
serves it (``netintel serve`` does this).  JSON API under ``/api``, HTML
pages under ``/ui``, OpenAPI at ``/openapi.json`` and offline docs at
``/docs``; ``/health`` (the process) and ``/ready`` (Neo4j reachable).
"""

from __future__ import annotations

import html
import json
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from .audit import AuditLog, UnauthenticatedAudit
from .errors import NotFound, error_body, install_handlers
from .security import ApiSettings, LoginLimiter, UserStore, check_settings, get_api_settings

__all__ = ["create_app"]

log = logging.getLogger("netintel.api")

#: Swagger UI from npm's swagger-ui-dist 5 (reads OpenAPI 3.1), bundled in viz/static/swagger-ui
_SWAGGER_FILES = {"swagger-ui-bundle.js": "application/javascript", "swagger-ui.css": "text/css",
                  "netintel-docs.js": "application/javascript", "LICENSE.txt": "text/plain",
                  "NOTICE.txt": "text/plain"}


def _swagger_dir() -> Path | None:
    p = Path(__file__).resolve().parent.parent / "viz" / "static" / "swagger-ui"
    return p if all((p / f).is_file() for f in _SWAGGER_FILES) else None


_DOCS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>netintel API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head><body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/netintel-docs.js"></script>
</body></html>
"""


def _docs_routes(app: FastAPI) -> None:
    """``/docs``: Swagger UI 5 (bundled from npm's ``swagger-ui-dist``, so it reads the app's
    OpenAPI 3.1) served by the app itself, scripts as files; without the bundle, a plain
    server-rendered endpoint list.  Nothing is loaded from another origin."""
    sdir = _swagger_dir()

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if sdir is not None:
            return HTMLResponse(_DOCS_PAGE)
        spec = app.openapi()
        rows = []
        for path, ops in sorted(spec.get("paths", {}).items()):
            for method, op in ops.items():
                params = ", ".join(p["name"] for p in op.get("parameters", []))
                rows.append(f"<tr><td>{html.escape(method.upper())}</td><td><code>{html.escape(path)}</code></td>"
                            f"<td>{html.escape(op.get('summary', ''))}</td><td>{html.escape(params)}</td></tr>")
        body = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>netintel API</title></head><body>"
                "<h1>netintel API</h1><p>Machine-readable: <a href='/openapi.json'>/openapi.json</a></p>"
                "<table border='1' cellpadding='4'><tr><th>method</th><th>path</th><th>summary</th>"
                f"<th>parameters</th></tr>{''.join(rows)}</table></body></html>")
        return HTMLResponse(body)

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> Response:
        if sdir is None or name not in _SWAGGER_FILES:
            raise NotFound("no such asset")
        return FileResponse(sdir / name, media_type=_SWAGGER_FILES[name])


class _BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


class SizeLimits:
    """ASGI middleware: 413 for bodies over ``max_body`` bytes (declared in
    ``Content-Length`` or streamed), 414 for query strings over ``max_query``
    characters; both in the API's error shape."""

    def __init__(self, app: Any, max_body: int, max_query: int) -> None:
        self.app, self.max_body, self.max_query = app, max_body, max_query

    @staticmethod
    async def _reject(send: Any, status: int, code: str, message: str) -> None:
        body = json.dumps(error_body(code, message, None)).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query:
            await self._reject(send, 414, "uri_too_long", f"query string longer than {self.max_query} characters")
            return
        for k, v in scope.get("headers", ()):
            if k == b"content-length":
                try:
                    n = int(v)
                except ValueError:
                    await self._reject(send, 400, "bad_request", "invalid Content-Length")
                    return
                if n > self.max_body:
                    await self._reject(send, 413, "too_large", f"request body larger than {self.max_body} bytes")
                    return
        seen = 0
        started = responded = False
        too_large = f"request body larger than {self.max_body} bytes"

        async def limited_receive() -> Any:
            nonlocal seen, responded
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_body:
                    if not started and not responded:
                        # answer now: frameworks may turn an exception raised while reading into a 400
                        await self._reject(send, 413, "too_large", too_large)
                        responded = True
                    raise _BodyTooLarge(self.max_body)
            return msg

        async def tracking_send(msg: Any) -> None:
            nonlocal started
            if responded:
                return  # the 413 has been sent; drop whatever the app answers
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except Exception:
            if not responded:
                raise


def _configure_views(ns: Any) -> None:
    """Size the view cache and the job workers from the settings."""
    from views import cache, jobs

    cache.configure(ns.cache_entries)
    jobs.configure(ns.job_workers)


def create_app(settings: ApiSettings | None = None, *, neo4j_settings: Any = None, driver: Any = None) -> FastAPI:
    """Build the API.

    Parameters
    ----------
    settings : ApiSettings, optional
        Defaults to :func:`api.security.get_api_settings` (environment).
        Outside development, unsafe settings raise
        :class:`api.security.UnsafeSettings`.
    neo4j_settings : graph.settings.Settings, optional
        Where Neo4j is (default: the environment).
    driver : neo4j.Driver, optional
        Use this driver instead of opening one (it is then not closed by the app).
    """
    from graph.settings import get_settings

    s = settings or get_api_settings()
    check_settings(s)
    ns = neo4j_settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        # the threads that run sync routes and store reads; answers from memory stay on the loop
        anyio.to_thread.current_default_thread_limiter().total_tokens = s.request_threads
        sys.setswitchinterval(s.switch_interval_ms / 1000)
        own = driver is None
        if own:
            from graph.db import connect

            try:
                app.state.driver = connect(ns)
                from graph.db import ensure_schema

                ensure_schema(app.state.driver)  # indexes + the RestrictedCase marks compartments rely on
            except Exception as exc:  # noqa: BLE001 - start anyway; /ready says 503 until it is back
                log.warning("Neo4j not reachable at start (%s); will retry on demand", exc)
                app.state.driver = None
        else:
            app.state.driver = driver
        warmer = None
        if own:  # a served app keeps the common aggregates warm (tests drive their own driver and cache)
            from views.warm import Warmer

            warmer = Warmer(lambda: app.state.driver).start()
        try:
            yield
        finally:
            app.state.unauth_audit.flush()
            app.state.audit.flush()  # the aggregate entries still queued (write-behind)
            if warmer is not None:
                warmer.stop()
            if own and app.state.driver is not None:
                app.state.driver.close()
            app.state.driver = None

    app = FastAPI(
        title="netintel",
        version="0.1",
        description="Network intelligence for counter-trafficking: entities, networks, brokers, routes, "
                    "money trails and duplicate persons. Authenticate with `POST /api/auth/token`.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.api_settings = s
    app.state.neo4j_settings = ns
    app.state.driver = driver
    app.state.users = UserStore(s.users_db)
    app.state.audit = AuditLog(s.audit_db, s.audit_key_path, s.audit_anchor_path)
    # failed logins and refused forms: bounded, so nobody can flood the log without logging in
    app.state.unauth_audit = UnauthenticatedAudit(app.state.audit, s.unauth_audit_per_minute)
    app.state.login_limiter = LoginLimiter(s.login_attempts, s.login_window_seconds)
    install_handlers(app)
    _docs_routes(app)

    from .routers import (
        admin,
        alerts,
        analyst_ui,
        analytics,
        auth,
        entities,
        investigations,
        jobs,
        money,
        resolution,
        routes,
        search,
        system,
        ui,
    )
    from .routers.justice import router as justice_router

    for r in (system.router, auth.router, search.router, entities.router, investigations.router, analytics.router,
              routes.router, money.router, alerts.router, resolution.router, jobs.router, admin.router, ui.router,
              analyst_ui.router, justice_router, resolution.ui_router):
        app.include_router(r)
    from .routers import profile as workspace  # entity profiles, case workspaces, timelines, the search page

    app.include_router(workspace.router)
    _configure_views(ns)

    from views.jobs import JobAccepted

    @app.exception_handler(JobAccepted)
    async def _accepted(request: Request, exc: JobAccepted) -> Response:
        from fastapi.responses import JSONResponse

        job = exc.job
        if job.request_url is None:  # asked again once done, the same request answers at once from the cache
            job.request_url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return JSONResponse({"job": job.public(), "message": exc.message}, status_code=202,
                            headers={"Location": job.url, "Retry-After": "2"})
    ui.install(app)

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        resp: Response = await call_next(request)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our own forms,
        # which the CSRF origin check (api.websec) must refuse; other origins still get no referrer
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if request.url.path.startswith("/api/") or request.url.path.startswith("/ui"):
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    from .websec import WebSecurity

    # CSP nonce per response, CSRF + Origin checks, session renewal (inside the size limits)
    app.add_middleware(WebSecurity, settings=s)
    app.add_middleware(SizeLimits, max_body=s.max_body_bytes, max_query=s.max_query_chars)
    if s.proxy_headers:
        # behind a TLS proxy: the real client address (audit, login throttling) and scheme (Secure
        # cookies, the CSRF origin check) from X-Forwarded-For/-Proto, trusted only from these peers
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(s.trusted_proxies))

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=303)

    return app
