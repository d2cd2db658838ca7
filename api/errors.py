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
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        if exc.status == 404:
            audit_not_found(request, exc.message)
        return _json(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _json(422, "invalid_parameters", "request parameters are invalid", _validation_details(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return _json(exc.status_code, code, str(exc.detail), None, getattr(exc, "headers", None))

    try:
        from neo4j.exceptions import ServiceUnavailable, SessionExpired

        async def _neo4j_down(_: Request, exc: Exception) -> JSONResponse:
            return _json(503, "database_unavailable", "the graph database is not reachable; retry later",
                         headers={"Retry-After": "5"})

        app.add_exception_handler(ServiceUnavailable, _neo4j_down)
        app.add_exception_handler(SessionExpired, _neo4j_down)
    except ImportError:  # pragma: no cover
        pass

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if _is_query_timeout(exc):
            log.warning("query timeout on %s %s", request.method, request.url.path)
            return _json(504, "query_timeout", "the query took too long and was stopped; narrow it down")
        if _is_neo4j_unavailable(exc):
            return _json(503, "database_unavailable", "the graph database is not reachable; retry later",
                         headers={"Retry-After": "5"})
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _json(500, "internal_error", "internal server error")
