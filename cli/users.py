"""``netintel users …`` and ``netintel demo-admin``: the API's users (``NETINTEL_HOME/users.sqlite``)."""

from __future__ import annotations

import json
import secrets
from typing import Annotated

import typer

from api.security import ROLES, ApiSettings, UserStore, get_api_settings

from ._common import audit_cli, err, fail

__all__ = ["users_app", "demo_admin", "ensure_demo_admin"]

users_app = typer.Typer(help="Manage API users (stored in NETINTEL_HOME/users.sqlite).", no_args_is_help=True)


def _store() -> UserStore:
    return UserStore(get_api_settings().users_db)


def _password(password: str | None) -> str:
    if password:
        return password
    pw = typer.prompt("Password (≥ 12 characters)", hide_input=True, confirmation_prompt=True)
    return str(pw)


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option(help=f"one of {', '.join(ROLES)}")] = "viewer",
    password: Annotated[str | None, typer.Option(help="(prompted when omitted)")] = None,
) -> None:
    """Add a user (audited)."""
    try:
        _store().add(username, _password(password), role)
    except ValueError as exc:
        fail(str(exc), 2)
    audit_cli("users add", "user_admin", username, change="add", role=role)
    err.print(f"user {username} added ({role})", highlight=False)


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument()]) -> None:
    """Disable a user: their sessions end and their API tokens are revoked (audited)."""
    try:
        _store().set_disabled(username, True, by="cli")
    except KeyError:
        fail(f"no user {username!r}", 2)
    audit_cli("users disable", "user_admin", username, change="disable")
    err.print(f"user {username} disabled", highlight=False)


@users_app.command("enable")
def users_enable(username: Annotated[str, typer.Argument()]) -> None:
    """Enable a disabled user again (old sessions and API tokens stay dead; audited)."""
    try:
        _store().set_disabled(username, False, by="cli")
    except KeyError:
        fail(f"no user {username!r}", 2)
    audit_cli("users enable", "user_admin", username, change="enable")
    err.print(f"user {username} enabled", highlight=False)


@users_app.command("reset")
def users_reset(
    username: Annotated[str, typer.Argument()],
    password: Annotated[str | None, typer.Option(help="(prompted when omitted)")] = None,
) -> None:
    """Set a new password: every session ends and every API token of the user is revoked (audited)."""
    try:
        _store().reset_password(username, _password(password), by="cli")
    except KeyError:
        fail(f"no user {username!r}", 2)
    except ValueError as exc:
        fail(str(exc), 2)
    audit_cli("users reset", "user_admin", username, change="reset_password")
    err.print(f"password of {username} reset", highlight=False)


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """List users, roles and units."""
    users = _store().list()
    if as_json:
        print(json.dumps([{"username": u.username, "role": u.role, "disabled": u.disabled,
                           "created_at": u.created_at, "units": list(u.units)} for u in users]))
        return
    for u in users:
        print(f"{u.username:20} {u.role:13} {'disabled' if u.disabled else 'active':9} {u.created_at}"
              + (f"  units: {', '.join(u.units)}" if u.units else ""))


def ensure_demo_admin(settings: ApiSettings | None = None) -> tuple[str, str]:
    """Create (once) an ``admin`` user with a random password written to
    ``NETINTEL_HOME/admin-password`` (mode 0600); return ``(user, password)``.

    When the user exists already the stored password file is read back.
    """
    from api.security import _write_private

    s = settings or get_api_settings()
    store = UserStore(s.users_db)
    path = s.admin_password_file
    if store.get("admin") is not None:
        if path.exists():
            return "admin", path.read_text(encoding="utf-8").strip()
        raise RuntimeError(f"user admin exists but {path} is missing; reset it with `netintel users reset admin`")
    password = secrets.token_urlsafe(18)
    store.add("admin", password, "admin")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    _write_private(path, password + "\n")
    audit_cli("demo-admin", "user_admin", "admin", change="add", role="admin", password_file=str(path))
    return "admin", password


def demo_admin() -> None:
    """Create (once) the demo `admin` user and say where its password is (never printed: demo
    output is often logged, and the log would keep it)."""
    try:
        user, _password = ensure_demo_admin()
    except RuntimeError as exc:
        fail(str(exc))
    path = get_api_settings().admin_password_file
    print(f"Log in at http://127.0.0.1:8000/ui/ as {user!r}; the password is in {path} (mode 0600, "
          f"readable only by this account): cat {path}")
