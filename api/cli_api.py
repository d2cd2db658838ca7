"""``netintel serve``, ``netintel users …`` and the demo admin.

The lead registers them in :mod:`api.cli`::

    from api.cli_api import serve, users_app
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
"""

from __future__ import annotations

import json
import secrets
import sys
from typing import Annotated

import typer

from .security import ROLES, ApiSettings, UnsafeSettings, UserStore, get_api_settings

__all__ = ["serve", "users_app", "ensure_demo_admin", "audit_verify"]

users_app = typer.Typer(help="Manage API users (stored in NETINTEL_HOME/users.sqlite).", no_args_is_help=True)


def _err(msg: str, code: int = 1) -> None:
    print(f"error: {msg}", file=sys.stderr)
    raise typer.Exit(code)


def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
) -> None:
    """Serve the API and web UI (http://HOST:PORT/ui/, docs at /docs)."""
    import uvicorn

    from .app import create_app

    try:
        app = create_app()
    except UnsafeSettings as exc:
        _err(str(exc), 2)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {host}; put a TLS-terminating proxy in front of it", file=sys.stderr)
    print(f"netintel UI on http://{host}:{port}/ui/ (API docs: /docs)", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


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
    """Add a user."""
    try:
        _store().add(username, _password(password), role)
    except ValueError as exc:
        _err(str(exc), 2)
    print(f"user {username} added ({role})", file=sys.stderr)


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument()]) -> None:
    """Disable a user (their API tokens are revoked)."""
    try:
        _store().set_disabled(username, True)
    except KeyError:
        _err(f"no user {username!r}", 2)
    print(f"user {username} disabled", file=sys.stderr)


@users_app.command("reset")
def users_reset(
    username: Annotated[str, typer.Argument()],
    password: Annotated[str | None, typer.Option(help="(prompted when omitted)")] = None,
) -> None:
    """Set a new password (older login tokens stop working)."""
    try:
        _store().reset_password(username, _password(password))
    except KeyError:
        _err(f"no user {username!r}", 2)
    except ValueError as exc:
        _err(str(exc), 2)
    print(f"password of {username} reset", file=sys.stderr)


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List users and roles."""
    users = _store().list()
    if as_json:
        print(json.dumps([{"username": u.username, "role": u.role, "disabled": u.disabled,
                           "created_at": u.created_at} for u in users]))
        return
    for u in users:
        print(f"{u.username:20} {u.role:13} {'disabled' if u.disabled else 'active':9} {u.created_at}")


def ensure_demo_admin(settings: ApiSettings | None = None) -> tuple[str, str]:
    """Create (once) an ``admin`` user with a random password written to
    ``NETINTEL_HOME/admin-password`` (mode 0600); return ``(user, password)``.

    When the user exists already the stored password file is read back.
    """
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
    from .security import _write_private

    _write_private(path, password + "\n")
    return "admin", password


def audit_verify(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Verify the audit log's hash chain (exit 1 when it was tampered with)."""
    from .audit import verify_audit

    v = verify_audit(get_api_settings().audit_db)
    if as_json:
        print(json.dumps(v.as_dict()))
    else:
        state = "OK" if v.ok else f"BROKEN at entry {v.first_bad_seq}: {v.reason}"
        print(f"audit log: {v.entries} entries verified, {state}; head {v.head}")
    if not v.ok:
        raise typer.Exit(1)
