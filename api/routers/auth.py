"""Log in (OAuth2 password flow → short-lived JWT), who am I, API tokens for scripts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from ..deps import AuditDep, CurrentUser, client_of
from ..errors import TooManyRequests, Unauthorized
from ..security import create_access_token

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class UserPublic(BaseModel):
    username: str
    role: str
    disabled: bool = False
    created_at: str = ""
    units: list[str] = []


class ApiTokenIn(BaseModel):
    name: str = Field("script", min_length=1, max_length=80)


class ApiTokenOut(BaseModel):
    token: str
    name: str
    note: str = "shown once; store it safely"


def check_throttle(request: Request, username: str, via: str) -> None:
    """429 (audited) when this user name / client address failed too often recently."""
    limiter = request.app.state.login_limiter
    wait = limiter.retry_after(username, client_of(request))
    if wait > 0:
        request.app.state.audit.record(username[:64], "login_throttled", "", {"via": via}, client_of(request))
        raise TooManyRequests("too many failed logins; wait before trying again",
                              {"retry_after_seconds": int(wait) + 1}, headers={"Retry-After": str(int(wait) + 1)})


@router.post("/token", response_model=Token, summary="Log in (OAuth2 password flow; failures are throttled)",
             responses={429: {"description": "too many failed logins"}})
def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    s = request.app.state.api_settings
    check_throttle(request, form.username, "api")
    user = request.app.state.users.authenticate(form.username, form.password)
    if user is None:
        request.app.state.login_limiter.failed(form.username, client_of(request))
        request.app.state.audit.record(form.username[:64], "login_failed", "", {}, client_of(request))
        raise Unauthorized("wrong user name or password, or the account is disabled")
    request.app.state.login_limiter.succeeded(form.username, client_of(request))
    request.app.state.audit.record(user.username, "login", "", {"via": "api"}, client_of(request))
    return Token(access_token=create_access_token(s, user.username, user.role,
                                                     password_changed_at=request.app.state.users.password_changed_at(user.username)), expires_in=s.token_minutes * 60)


@router.get("/me", response_model=UserPublic, summary="The authenticated user")
def me(user: CurrentUser) -> UserPublic:
    return UserPublic(username=user.username, role=user.role, created_at=user.created_at, units=list(user.units))


@router.post("/api-tokens", response_model=ApiTokenOut, status_code=201, summary="Create an API token for scripts")
def api_token(request: Request, body: ApiTokenIn, user: CurrentUser, audit: AuditDep) -> ApiTokenOut:
    if user.via == "api_token":
        raise Unauthorized("log in with a password to create API tokens")
    token = request.app.state.users.create_token(user.username, body.name)
    audit(user, "api_token_created", user.username, name=body.name)
    return ApiTokenOut(token=token, name=body.name)
