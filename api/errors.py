"""One error shape for every 4xx/5xx answer of the API.

``{"error": {"code": "not_found", "message": "...", "details": ...}}``

Routes raise :class:`ApiError` subclasses; validation errors, HTTP errors of
Starlette/FastAPI, Neo4j being unreachable and unexpected exceptions are all
mapped to the same shape by :func:`install_handlers`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

__all__ = [
    "ApiError",
    "BadRequest",
    "NotFound",
    "Unauthorized",
    "Forbidden",
    "Conflict",
    "Unavailable",
    "TooLarge",
    "TooManyRequests",
    "QueryTimeout",
    "OverBudget",
    "error_body",
    "error_page",
    "navigating",
    "install_handlers",
    "audit_not_found",
]

log = logging.getLogger("netintel.api")


from core.errors import (  # noqa: E402 - the one tree; the API names are aliases
    Conflict,
    Forbidden,
    NetintelError,
    NotFound,
    OverBudget,
    QueryTimeout,
    TooLarge,
    TooManyRequests,
    Unauthorized,
    Unavailable,
)
from core.errors import InvalidInput as BadRequest  # noqa: E402

#: every error the API answers with derives from it
ApiError = NetintelError


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "too_large",
               414: "uri_too_long", 415: "unsupported_media_type", 422: "invalid_parameters",
               429: "too_many_requests", 503: "unavailable"}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The one error shape."""
    return {"error": {"code": code, "message": message, "details": details}}


def _json(status: int, code: str, message: str, details: Any = None,
          headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def navigating(request: Request) -> bool:
    """A browser loading a page (not a script, not a bearer call): it gets pages, not JSON."""
    return (request.method == "GET" and "authorization" not in request.headers
            and "text/html" in request.headers.get("accept", "")
            and request.headers.get("sec-fetch-mode", "navigate") == "navigate")


#: what an error page says, by status (the API's message follows)
_PAGE_TITLES = {400: "That request is not valid", 403: "Not for your role", 404: "Not found",
                405: "Not allowed", 413: "Too large", 414: "Address too long", 422: "Some parameters are invalid",
                429: "Too many requests", 500: "Something went wrong", 503: "The database is not reachable",
                504: "The query took too long"}


def error_page(status: int, message: str, *, user: Any = None, path: str = "", code: str | None = None,
               title: str | None = None, headers: dict[str, str] | None = None) -> HTMLResponse:
    """The one error page (``viz/templates/error.html``, with the site header) of every UI answer
    that is not a success: refused roles, missing or hidden records, invalid parameters."""
    from viz.pages import render_page

    html = render_page("error.html", title=title or _PAGE_TITLES.get(status, f"Error {status}"), status=status,
                       code=code or _HTTP_CODES.get(status, "error"), message=message, path=path, user=user)
    keep = {k: v for k, v in (headers or {}).items() if k.lower() in ("retry-after", "www-authenticate")}
    return HTMLResponse(html, status_code=status, headers=keep)


def _answer(request: Request, status: int, code: str, message: str, details: Any = None,
            headers: dict[str, str] | None = None) -> Response:
    """The one error shape as JSON, or, for a browser page load, the error page."""
    if not navigating(request):
        return _json(status, code, message, details, headers)
    return error_page(status, message, user=getattr(request.state, "user", None), path=request.url.path, code=code,
                      headers=headers)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: set[int] = set()
    out: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        out.append(e)
        e = e.__cause__ or e.__context__
    return out


def _is_neo4j_unavailable(exc: BaseException) -> bool:
    """Neo4j unreachable, restarting, or a transient error that outlived the retries."""
    try:
        from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError
    except ImportError:  # pragma: no cover
        return False
    return any(isinstance(e, ServiceUnavailable | SessionExpired | ConnectionError | TransientError)
               or "failed to obtain a connection from the pool" in str(e)  # overloaded: retry later
               for e in _chain(exc))


def _is_query_timeout(exc: BaseException) -> bool:
    """A transaction stopped by its timeout (``Neo.ClientError.Transaction.TransactionTimedOut…``)."""
    for e in _chain(exc):
        code = str(getattr(e, "code", "") or "")
        if "TransactionTimedOut" in code:  # not ...Terminated: a shutting-down server terminates them (503)
            return True
    return False


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for e in exc.errors():
        # never echo the offending input back (it may be a password)
        out.append({"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": e.get("type")})
    return out


def audit_not_found(request: Request, message: str, via: str | None = None) -> None:
    """Audit a 404 answered to a logged-in user (``not_found``): hidden (compartmented) ids answer 404
    like missing ones, and probing for them must leave a trace.  The entry does not say which it was."""
    user = getattr(request.state, "user", None)
    audit = getattr(request.app.state, "audit", None)
    if user is None or audit is None or request.url.path.startswith("/ui/"):
        return  # UI pages: audited by api.websec from the answer's status
    client = request.client.host if request.client else ""
    audit.record(user.username, "not_found", request.url.path,
                 {"path": request.url.path, "method": request.method, "via": via or user.via,
                  "message": message[:200]}, client)


def install_handlers(app: FastAPI) -> None:
    """Map every error to :func:`error_body`."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        if exc.status == 404:
            audit_not_found(request, exc.message)
        return _answer(request, exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return _answer(request, 422, "invalid_parameters", "request parameters are invalid",
                       _validation_details(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return _answer(request, exc.status_code, code, str(exc.detail), None, getattr(exc, "headers", None))

    try:
        from neo4j.exceptions import ServiceUnavailable, SessionExpired

        async def _neo4j_down(request: Request, exc: Exception) -> Response:
            return _answer(request, 503, "database_unavailable", "the graph database is not reachable; retry later",
                           headers={"Retry-After": "5"})

        app.add_exception_handler(ServiceUnavailable, _neo4j_down)
        app.add_exception_handler(SessionExpired, _neo4j_down)
    except ImportError:  # pragma: no cover
        pass

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        if _is_query_timeout(exc):
            log.warning("query timeout on %s %s", request.method, request.url.path)
            return _answer(request, 504, "query_timeout", "the query took too long and was stopped; narrow it down")
        if _is_neo4j_unavailable(exc):
            return _answer(request, 503, "database_unavailable", "the graph database is not reachable; retry later",
                           headers={"Retry-After": "5"})
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _answer(request, 500, "internal_error", "internal server error")
