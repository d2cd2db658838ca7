"""Users, ingest and the audit log (admin)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from views.models import Table

from ..audit import verify_audit
from ..deps import Admin, AuditDep, DriverDep, client_of
from ..errors import BadRequest, Conflict, NotFound
from ..security import ROLES
from ._common import Format, FormatQ, html_table
from .auth import ApiTokenInfo, TokenId, UserPublic, token_info

router = APIRouter(prefix="/api/admin", tags=["admin"])


_UNIT = r"^[A-Za-z0-9._-]{1,64}$"


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    password: str = Field(min_length=12, max_length=200)
    role: str = Field(pattern="^(" + "|".join(ROLES) + ")$")
    units: list[Annotated[str, Field(pattern=_UNIT)]] = Field(default=[], max_length=50)


class UnitsIn(BaseModel):
    units: list[Annotated[str, Field(pattern=_UNIT)]] = Field(max_length=50)


class PasswordIn(BaseModel):
    password: str = Field(min_length=12, max_length=200)


class RoleIn(BaseModel):
    role: str = Field(pattern="^(" + "|".join(ROLES) + ")$")


class IngestIn(BaseModel):
    path: str = Field(min_length=1, max_length=1000,
                      description="bundle folder (or table file) inside the import folder "
                                  "(`NETINTEL_IMPORT_DIR`): a name relative to it, or an absolute path in it")


class VerifyOut(BaseModel):
    ok: bool
    entries: int
    head: str
    first_bad_seq: int | None = None
    reason: str = ""
    anchored: int = 0


def _pub(u: Any) -> UserPublic:
    return UserPublic(username=u.username, role=u.role, disabled=u.disabled, created_at=u.created_at,
                      units=list(u.units))


@router.get("/users", response_model=list[UserPublic], summary="List users (admin)")
def list_users(request: Request, user: Admin) -> list[UserPublic]:
    return [_pub(u) for u in request.app.state.users.list()]


@router.post("/users", response_model=UserPublic, status_code=201, summary="Add a user (admin)")
def add_user(request: Request, body: UserIn, user: Admin, audit: AuditDep) -> UserPublic:
    try:
        u = request.app.state.users.add(body.username, body.password, body.role)
    except ValueError as exc:
        raise Conflict(str(exc)) from exc
    if body.units:
        request.app.state.users.set_units(body.username, body.units)
        u = request.app.state.users.get(body.username)
    audit(user, "user_admin", body.username, change="add", role=body.role, units=body.units)
    return _pub(u)


def _change(request: Request, username: str, fn: Any) -> UserPublic:
    store = request.app.state.users
    try:
        fn(store)
    except KeyError:
        raise NotFound(f"no user {username!r}") from None
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    return _pub(store.get(username))


@router.post("/users/{username}/disable", response_model=UserPublic, summary="Disable a user (admin)")
def disable_user(request: Request, username: str, user: Admin, audit: AuditDep) -> UserPublic:
    if username == user.username:
        raise BadRequest("you cannot disable yourself")
    out = _change(request, username, lambda s: s.set_disabled(username, True, by=user.username))
    audit(user, "user_admin", username, change="disable")
    return out


@router.post("/users/{username}/enable", response_model=UserPublic, summary="Enable a user (admin)")
def enable_user(request: Request, username: str, user: Admin, audit: AuditDep) -> UserPublic:
    out = _change(request, username, lambda s: s.set_disabled(username, False))
    audit(user, "user_admin", username, change="enable")
    return out


@router.post("/users/{username}/password", response_model=UserPublic, summary="Reset a password (admin)")
def reset_password(request: Request, username: str, body: PasswordIn, user: Admin, audit: AuditDep) -> UserPublic:
    out = _change(request, username, lambda s: s.reset_password(username, body.password, by=user.username))
    audit(user, "user_admin", username, change="reset_password")
    return out


@router.post("/users/{username}/role", response_model=UserPublic, summary="Change a role (admin)")
def set_role(request: Request, username: str, body: RoleIn, user: Admin, audit: AuditDep) -> UserPublic:
    out = _change(request, username, lambda s: s.set_role(username, body.role))
    audit(user, "user_admin", username, change="role", role=body.role)
    return out


@router.post("/users/{username}/units", response_model=UserPublic,
             summary="Set the units a user belongs to (case compartments) (admin)")
def set_units(request: Request, username: str, body: UnitsIn, user: Admin, audit: AuditDep) -> UserPublic:
    out = _change(request, username, lambda s: s.set_units(username, body.units))
    audit(user, "user_admin", username, change="units", units=body.units)
    return out


@router.get("/api-tokens", response_model=list[ApiTokenInfo], summary="List API tokens of every user (admin)")
def list_tokens(request: Request, user: Admin,
                username: Annotated[str | None, Query(max_length=64)] = None) -> list[ApiTokenInfo]:
    return [token_info(t) for t in request.app.state.users.list_tokens(username)]


@router.delete("/api-tokens/{token_id}", response_model=ApiTokenInfo, summary="Revoke any API token (admin)")
def revoke_token(request: Request, token_id: TokenId, user: Admin, audit: AuditDep) -> ApiTokenInfo:
    t = request.app.state.users.revoke_token(token_id, by=user.username)
    audit(user, "api_token_revoked", t.username, token=token_id)
    return token_info(t)


class AuditEntryOut(BaseModel):
    seq: int
    at: str
    username: str
    action: str
    target: str
    details: dict[str, Any]
    client: str
    prev_hash: str
    hash: str


@router.get("/audit", response_model=Table[AuditEntryOut], summary="The audit log, newest first (admin)")
def audit_log(request: Request, user: Admin,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0, le=1_000_000_000_000)] = 0,
              username: Annotated[str | None, Query(max_length=64)] = None,
              action: Annotated[str | None, Query(max_length=40)] = None,
              format: FormatQ = Format.json) -> Any:
    entries = [e.as_dict() for e in request.app.state.audit.entries(limit=limit, offset=offset, username=username,
                                                                     action=action)]
    request.app.state.audit.record(user.username, "audit_view", "audit",
                                   {"username": username, "action": action, "rows": len(entries),
                                    "path": request.url.path, "via": user.via}, client_of(request))
    if format is Format.html:
        return html_table("Audit log", entries, user=user, note="append-only; hash-chained")
    return Table[AuditEntryOut](data=[AuditEntryOut.model_validate(e) for e in entries], count=len(entries),
                                meta={"total": request.app.state.audit.count()})


@router.get("/audit/verify", response_model=VerifyOut, summary="Verify the audit hash chain (admin)")
def audit_verify(request: Request, user: Admin) -> VerifyOut:
    log = request.app.state.audit
    return VerifyOut(**verify_audit(log.path, log.key_file, log.anchor).as_dict())


def import_path(root: Path, requested: str) -> Path:
    """The real path of bundle ``requested`` inside the import folder ``root``.

    ``requested`` is relative to ``root`` (or absolute inside it); ``~`` is not expanded.  The resolved
    real path (every symlink followed) must lie inside ``root``'s real path, and so must every file of
    a bundle folder: a symlink out of the folder, ``..`` segments leading out, or ``/etc`` are refused
    (:class:`core.errors.Forbidden`) without saying whether the target exists, and nothing outside
    ``root`` is ever listed.
    """
    import os

    from core.errors import Forbidden
    from core.files import is_inside

    refused = Forbidden("admin ingest loads only from the import folder (NETINTEL_IMPORT_DIR)",
                        {"import_dir": str(root)})
    if "\x00" in requested:
        raise refused
    if not root.is_dir():
        raise NotFound(f"the import folder {root} does not exist; create it (mode 0700) and put bundles in it")
    real_root = Path(os.path.realpath(root))
    p = Path(requested)
    candidate = p if p.is_absolute() else real_root / p
    real = Path(os.path.realpath(candidate))
    if not is_inside(real, real_root) or real == real_root:
        raise refused
    if not real.exists():
        raise NotFound(f"no bundle {requested!r} in the import folder")
    if real.is_dir():
        for entry in real.iterdir():  # the files the loader would read
            if not is_inside(Path(os.path.realpath(entry)), real_root):
                raise refused
    return real


@router.post("/ingest", summary="Load a bundle from the import folder on the server (admin)",
             responses={403: {"description": "the path is outside the import folder"}})
def ingest(request: Request, body: IngestIn, driver: DriverDep, user: Admin, audit: AuditDep) -> dict[str, Any]:
    from core.errors import Forbidden
    from ingest.loader import ingest_bundle

    root = request.app.state.api_settings.imports
    try:
        path = import_path(root, body.path)
    except Forbidden:
        audit(user, "ingest_refused", body.path[:300], reason="outside the import folder", import_dir=str(root))
        raise
    rejects = request.app.state.api_settings.home / "rejects" / f"{path.name}.rejects.csv"
    audit(user, "ingest", str(path), phase="start")
    summary = ingest_bundle(driver, path, rejects_path=rejects)
    out: dict[str, Any] = summary.as_dict()
    audit(user, "ingest", str(path), phase="done", rows=out.get("rows"), rejected=out.get("rejected"))
    return out
