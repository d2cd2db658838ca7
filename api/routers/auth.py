"""Log in (OAuth2 password flow → short-lived JWT), who am I, API tokens for scripts.

API tokens expire (``days``, 1–365, default 90), carry a scope (``read-only``: GET only; or a role
that caps the owner's, e.g. ``analyst``), are listed and revoked by their owner here and by admins under
``/api/admin/api-tokens``; a password reset or a disable revokes all of a user's tokens.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from ..deps import AuditDep, CurrentUser, client_of
from ..errors import TooManyRequests, Unauthorized
from ..security import TOKEN_SCOPES, ApiToken, create_access_token

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


_SCOPE = "^(" + "|".join(TOKEN_SCOPES) + ")$"
TokenId = Annotated[str, Path(pattern="^[0-9a-f]{16}$", description="the token's id (from the listing)")]


class ApiTokenIn(BaseModel):
    name: str = Field("script", min_length=1, max_length=80)
    days: int = Field(90, ge=1, le=365, description="the token expires after this many days")
    scope: str = Field("read-only", pattern=_SCOPE,
                       description="read-only (GET only, the owner's role) or a role that caps the owner's")


class ApiTokenInfo(BaseModel):
    """An API token as listed (never the token itself)."""

    id: str
    username: str
    name: str
    scope: str
    created_at: str
    expires_at: str
    revoked: bool
    revoked_at: str = ""
    revoked_by: str = ""
    last_used_at: str = ""
    active: bool


class ApiTokenOut(ApiTokenInfo):
    token: str
    note: str = "shown once; store it safely"


def token_info(t: ApiToken) -> ApiTokenInfo:
    return ApiTokenInfo(id=t.id, username=t.username, name=t.name, scope=t.scope, created_at=t.created_at,
                        expires_at=t.expires_at, revoked=t.revoked, revoked_at=t.revoked_at,
                        revoked_by=t.revoked_by, last_used_at=t.last_used_at, active=t.active)


def check_throttle(request: Request, username: str, via: str) -> None:
    """429 (audited) when this user name / client address failed too often recently."""
    limiter = request.app.state.login_limiter
    wait = limiter.retry_after(username, client_of(request))
    if wait > 0:
        request.app.state.unauth_audit.record(username[:64], "login_throttled", "", {"via": via}, client_of(request))
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
        request.app.state.unauth_audit.record(form.username[:64], "login_failed", "", {"via": "api"},
                                              client_of(request))
        raise Unauthorized("wrong user name or password, or the account is disabled")
    request.app.state.login_limiter.succeeded(form.username, client_of(request))
    request.app.state.audit.record(user.username, "login", "", {"via": "api"}, client_of(request))
    state = request.app.state.users.session_state(user.username)
    return Token(access_token=create_access_token(s, user.username, user.role,
                                                  password_changed_at=state[1] if state else None,
                                                  session_version=state[2] if state else 0),
                 expires_in=s.token_minutes * 60)


@router.get("/me", response_model=UserPublic, summary="The authenticated user")
def me(user: CurrentUser) -> UserPublic:
    return UserPublic(username=user.username, role=user.role, created_at=user.created_at, units=list(user.units))


@router.post("/api-tokens", response_model=ApiTokenOut, status_code=201, summary="Create an API token for scripts")
def api_token(request: Request, body: ApiTokenIn, user: CurrentUser, audit: AuditDep) -> ApiTokenOut:
    if user.via == "api_token":
        raise Unauthorized("log in with a password to create API tokens")
    token, info = request.app.state.users.create_token(user.username, body.name, days=body.days, scope=body.scope)
    audit(user, "api_token_created", user.username, name=body.name, token=info.id, scope=body.scope,
          expires_at=info.expires_at)
    return ApiTokenOut(token=token, **token_info(info).model_dump())


@router.get("/api-tokens", response_model=list[ApiTokenInfo], summary="List your API tokens")
def my_tokens(request: Request, user: CurrentUser) -> list[ApiTokenInfo]:
    return [token_info(t) for t in request.app.state.users.list_tokens(user.username)]


@router.delete("/api-tokens/{token_id}", response_model=ApiTokenInfo, summary="Revoke one of your API tokens")
def revoke_my_token(request: Request, token_id: TokenId, user: CurrentUser, audit: AuditDep) -> ApiTokenInfo:
    t = request.app.state.users.revoke_token(token_id, by=user.username, owner=user.username)
    audit(user, "api_token_revoked", user.username, token=token_id)
    return token_info(t)
