"""FastAPI dependencies: the driver, the current user, roles, the audit log.

``DriverDep`` is the one Neo4j driver of the process (opened in the app's
lifespan; reopened lazily if Neo4j was down at start).  ``CurrentUser`` is
authenticated by, in order: an ``Authorization: Bearer`` header holding a
login JWT or an API token (``nit_…``), or the UI's ``netintel_session``
cookie (HttpOnly, SameSite=Strict, holding a login JWT).  ``Viewer``,
``Investigator``, ``Analyst`` and ``Admin`` additionally require that role (or
a higher one).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from neo4j import Driver

from .audit import AuditLog
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
    "visibility",
]

SESSION_COOKIE = "netintel_session"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)
_driver_lock = threading.Lock()


def get_driver(request: Request) -> Driver:
    """The process' Neo4j driver; 503 when Neo4j cannot be reached."""
    state = request.app.state
    drv = getattr(state, "driver", None)
    if drv is not None:
        return drv  # type: ignore[no-any-return]
    with _driver_lock:
        if state.driver is None:
            from graph.db import connect

            try:
                state.driver = connect(state.neo4j_settings)
            except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
                raise Unavailable("the graph database is not reachable; retry later",
                                  {"uri": state.neo4j_settings.uri}) from exc
        return state.driver  # type: ignore[no-any-return]


DriverDep = Annotated[Driver, Depends(get_driver)]


def _user_from_jwt(settings: ApiSettings, store: UserStore, token: str, via: str) -> User | None:
    claims = decode_access_token(settings, token)
    if claims is None:
        return None
    user = store.get(str(claims["sub"]))
    if user is None or user.disabled:
        return None
    if claims.get("pwc") != (store.password_changed_at(user.username) or ""):
        return None  # issued before the last password reset
    return User(user.username, user.role, False, user.created_at, via=via)


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
        return _user_from_jwt(settings, store, cookie, "cookie")
    return None


def current_user(request: Request, bearer: Annotated[str | None, Depends(oauth2_scheme)]) -> User:
    user = authenticate_request(request, bearer)
    if user is None:
        raise Unauthorized("authentication required (log in or send a valid bearer token)")
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require(role: str) -> Callable[[User], User]:
    """Dependency: the current user, who must have ``role`` or a higher one."""

    def _dep(user: CurrentUser) -> User:
        if not role_allows(user.role, role):
            raise Forbidden(f"this needs the {role} role; you are {user.role}", {"needed": role, "role": user.role})
        return user

    _dep.__name__ = f"require_{role}"
    return _dep


Viewer = Annotated[User, Depends(require("viewer"))]
Investigator = Annotated[User, Depends(require("investigator"))]
Analyst = Annotated[User, Depends(require("analyst"))]
Admin = Annotated[User, Depends(require("admin"))]


def visibility(user: User) -> str | None:
    """The ``user`` argument of :mod:`graph.explore` (None: sees every compartment)."""
    return None if user.role == "admin" else user.username


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


def _auditor(request: Request) -> Auditor:
    return Auditor(request.app.state.audit, request)


AuditDep = Annotated[Auditor, Depends(_auditor)]
