"""FastAPI dependencies: the driver, the current user, roles, the audit log.

``DriverDep`` is the one Neo4j driver of the process (opened in the app's
lifespan; reopened lazily if Neo4j was down at start).  ``CurrentUser`` is
authenticated by, in order: an ``Authorization: Bearer`` header holding a
login JWT or an API token (``nit_…``), or the UI's ``netintel_session``
cookie (HttpOnly, SameSite=Strict, holding a login JWT).  ``Viewer``,
``Investigator``, ``Analyst`` and ``Admin`` additionally require that role (or
a higher one); a refusal is written to the audit log.

Every driver handed to a route is a :class:`GuardedDriver`: its read
transactions carry a server-side timeout (``NETINTEL_QUERY_TIMEOUT``) and its
managed transactions retry transient errors for at most
``NETINTEL_DB_RETRY_SECONDS`` (so a stopped database answers 503 quickly and
a restarted one is used again without restarting the API).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from neo4j import Driver

from graph.scope import Scope

from .audit import WRITE_BEHIND, AuditLog
from .errors import Forbidden, Unauthorized, Unavailable
from .security import TOKEN_PREFIX, ApiSettings, User, UserStore, decode_access_token, role_allows

__all__ = [
    "SESSION_COOKIE",
    "oauth2_scheme",
    "get_driver",
    "DriverDep",
    "authenticate_request",
    "current_user",
    "CurrentUser",
    "require",
    "Viewer",
    "Investigator",
    "Analyst",
    "Admin",
    "Auditor",
    "AuditDep",
    "GuardedDriver",
    "client_of",
    "scope_of",
    "ViewerScope",
    "InvestigatorScope",
    "AnalystScope",
    "AdminScope",
]

SESSION_COOKIE = "netintel_session"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)
_driver_lock = threading.Lock()


class _GuardedSession:
    def __init__(self, session: Any, timeout: float | None) -> None:
        self._s, self._timeout = session, timeout

    def __enter__(self) -> _GuardedSession:
        self._s.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._s.__exit__(*exc)

    def execute_read(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        from neo4j import unit_of_work

        if self._timeout and getattr(fn, "timeout", None) is None:
            fn = unit_of_work(timeout=self._timeout)(fn)
        return self._s.execute_read(fn, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s, name)


class GuardedDriver:
    """A neo4j ``Driver`` whose read transactions time out and whose retries are bounded.

    Everything else is delegated to the wrapped driver (writes are not given a
    timeout: an ingest may legitimately run long).
    """

    def __init__(self, driver: Any, query_timeout: float | None, retry_seconds: float) -> None:
        self._driver, self._timeout, self._retry = driver, query_timeout, retry_seconds

    @property
    def wrapped(self) -> Any:
        """The neo4j driver underneath (its identity keys per-database caches)."""
        return self._driver

    def session(self, **config: Any) -> _GuardedSession:
        config.setdefault("max_transaction_retry_time", self._retry)
        return _GuardedSession(self._driver.session(**config), self._timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)


def _guard(request: Request, drv: Any) -> Any:
    s: ApiSettings = request.app.state.api_settings
    return GuardedDriver(drv, s.query_timeout, s.db_retry_seconds)


def get_driver(request: Request) -> Driver:
    """The process' Neo4j driver (guarded); 503 when Neo4j cannot be reached."""
    state = request.app.state
    drv = getattr(state, "driver", None)
    if drv is not None:
        return _guard(request, drv)
    with _driver_lock:
        if state.driver is None:
            from graph.db import connect

            try:
                state.driver = connect(state.neo4j_settings)
            except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
                raise Unavailable("the graph database is not reachable; retry later",
                                  {"uri": state.neo4j_settings.uri}) from exc
        return _guard(request, state.driver)


async def _driver_dep(request: Request) -> Driver:
    # on the event loop: no thread-pool hop for the common case; connecting (which may wait) goes to a thread
    drv = getattr(request.app.state, "driver", None)
    if drv is not None:
        return _guard(request, drv)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(get_driver, request)


DriverDep = Annotated[Driver, Depends(_driver_dep)]


def _user_from_jwt(settings: ApiSettings, store: UserStore, token: str, via: str,
                   request: Request | None = None) -> User | None:
    claims = decode_access_token(settings, token)
    if claims is None:
        return None
    state = store.session_state(str(claims["sub"]))
    if state is None:
        return None
    user, pwc, sv = state
    if user.disabled:
        return None
    if claims.get("pwc") != (pwc or ""):
        return None  # issued before the last password reset
    if int(claims.get("sv", 0)) != sv:
        return None  # the session ended: logout, disable, enable or reset since it was issued
    sid = str(claims.get("sid") or "")
    if request is not None and via == "cookie":
        _maybe_renew(request, settings, user, claims)
    return User(user.username, user.role, False, user.created_at, via=via, units=user.units, session_id=sid)


def _maybe_renew(request: Request, settings: ApiSettings, user: User, claims: dict[str, Any]) -> None:
    """A UI session in use is renewed: past half its life the cookie is reissued (same session id,
    so the CSRF token stays; same session version).  :mod:`api.websec` adds the cookie to the response
    unless the route sets or clears the session cookie itself."""
    import time

    from .security import create_access_token
    from .websec import RENEW_STATE, session_cookie_header

    life = settings.token_minutes * 60
    if float(claims["exp"]) - time.time() > life / 2:
        return
    token = create_access_token(settings, user.username, user.role, password_changed_at=claims.get("pwc") or None,
                                session_version=int(claims.get("sv", 0)), sid=str(claims.get("sid") or ""),
                                started=claims.get("st"))
    setattr(request.state, RENEW_STATE, session_cookie_header(token, life, request.url.scheme == "https"))


def authenticate_request(request: Request, bearer: str | None) -> User | None:
    """The user behind a bearer token or the session cookie, or None."""
    settings: ApiSettings = request.app.state.api_settings
    store: UserStore = request.app.state.users
    if bearer:
        if bearer.startswith(TOKEN_PREFIX):
            return store.user_for_token(bearer)
        return _user_from_jwt(settings, store, bearer, "jwt")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return _user_from_jwt(settings, store, cookie, "cookie", request)
    return None


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def current_user(request: Request, bearer: Annotated[str | None, Depends(oauth2_scheme)]) -> User:
    user = authenticate_request(request, bearer)
    if user is None:
        raise Unauthorized("authentication required (log in or send a valid bearer token)")
    if user.read_only and request.method not in _SAFE_METHODS:
        request.app.state.audit.record(user.username, "access_denied", request.url.path,
                                       {"reason": "read-only token", "method": request.method,
                                        "path": request.url.path, "via": user.via, "token": user.token_id},
                                       client_of(request))
        raise Forbidden("this API token is read-only", {"token": user.token_id})
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require(role: str) -> Callable[..., Coroutine[Any, Any, User]]:
    """Dependency: the current user, who must have ``role`` or a higher one (refusals are audited)."""

    async def _dep(request: Request, user: CurrentUser) -> User:
        if not role_allows(user.role, role):
            request.app.state.audit.record(user.username, "access_denied", request.url.path,
                                           {"needed": role, "role": user.role, "method": request.method,
                                            "path": request.url.path},
                                           client_of(request))
            raise Forbidden(f"this needs the {role} role; you are {user.role}", {"needed": role, "role": user.role})
        return user

    _dep.__name__ = f"require_{role}"
    return _dep


Viewer = Annotated[User, Depends(require("viewer"))]
Investigator = Annotated[User, Depends(require("investigator"))]
Analyst = Annotated[User, Depends(require("analyst"))]
Admin = Annotated[User, Depends(require("admin"))]


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


@dataclass
class Auditor:
    """Records audit entries for the current request (who and from where are filled in)."""

    log: AuditLog
    request: Request

    def __call__(self, user: User, action: str, target: str = "", **details: Any) -> None:
        details.setdefault("path", self.request.url.path)
        details.setdefault("via", user.via)
        self.log.record(user.username, action, target, details, client_of(self.request))


async def _auditor(request: Request) -> Auditor:
    return Auditor(request.app.state.audit, request)


AuditDep = Annotated[Auditor, Depends(_auditor)]


def scope_of(request: Request, user: User, driver: Any, via: str | None = None) -> Scope:
    """The request's :class:`graph.scope.Scope`: who asks, their role and units, and an
    auditor that records the request's path, channel and client address with each entry."""
    log: AuditLog = request.app.state.audit
    path, client = request.url.path, client_of(request)
    via = via or user.via

    def auditor(username: str, action: str, target: str, details: dict[str, Any]) -> None:
        details.setdefault("path", path)
        details.setdefault("via", via)
        if action in WRITE_BEHIND:  # aggregate reads: queued, the request does not wait for the fsync
            log.record_later(username, action, target, details, client)
        else:
            log.record(username, action, target, details, client)

    scope = Scope.for_user(driver, user.username, user.role, tuple(user.units or ()), auditor)
    request.state.scope = scope
    return scope


def _scope_dep(role: str) -> Callable[..., Coroutine[Any, Any, Scope]]:
    needed = require(role)

    async def _dep(request: Request, user: User = Depends(needed),  # noqa: B008
                   driver: Driver = Depends(_driver_dep)) -> Scope:  # noqa: B008
        return scope_of(request, user, driver)

    _dep.__name__ = f"scope_{role}"
    return _dep


#: the scope of the request's user, who must have at least that role (built once per request)
ViewerScope = Annotated[Scope, Depends(_scope_dep("viewer"))]
InvestigatorScope = Annotated[Scope, Depends(_scope_dep("investigator"))]
AnalystScope = Annotated[Scope, Depends(_scope_dep("analyst"))]
AdminScope = Annotated[Scope, Depends(_scope_dep("admin"))]
