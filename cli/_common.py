"""What every command shares: errors, the driver, and the one scope per call.

A command that reads the graph opens **one** :class:`graph.scope.Scope` with
:func:`scoped` and hands it to the view function the API route calls:

* ``--as USER`` — that user's scope (role and units from the user store
  ``NETINTEL_HOME/users.sqlite``: compartments apply);
* otherwise an explicit operator scope, ``Scope.operator(driver, reason=<command>)``.

Either way the scope's auditor writes to the API's audit log
(``NETINTEL_HOME/audit.sqlite``) with ``via="cli"``, so reads of personal
data from the command line are audited like the API's.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from core.errors import Forbidden, NetintelError
from graph.scope import Scope
from graph.settings import get_settings

__all__ = ["err", "fail", "driver", "scoped", "make_scope", "home_paths", "AsOpt", "cli_auditor", "audit_log",
           "cli_client", "audit_cli"]

err = Console(stderr=True, soft_wrap=True)

#: the ``--as USER`` option of every command that reads the graph
AsOpt = Annotated[str | None, typer.Option(
    "--as", metavar="USER",
    help="read as this user of NETINTEL_HOME/users.sqlite (their role and units apply); "
         "default: an operator scope that sees everything (audited)")]


def fail(msg: str, code: int = 1) -> NoReturn:
    """Print ``error: msg`` on stderr and exit with ``code``."""
    err.print(f"[bold red]error:[/] {escape(msg)}", highlight=False)
    raise typer.Exit(code)


def home_paths() -> tuple[Path, Path]:
    """``(users.sqlite, audit.sqlite)`` under ``NETINTEL_HOME`` (the API's files)."""
    from api.security import ApiSettings

    a = ApiSettings(home=get_settings().home)
    return a.users_db, a.audit_db


def audit_log(audit_db: Path | None = None) -> Any:
    """The API's :class:`api.audit.AuditLog` (``audit_db``, default ``NETINTEL_HOME/audit.sqlite``) with the
    configured key and anchor (``NETINTEL_AUDIT_KEY_FILE``, ``NETINTEL_AUDIT_ANCHOR``)."""
    from api.audit import AuditLog, default_anchor, default_key_file

    s = get_settings()
    db = audit_db if audit_db is not None else home_paths()[1]
    return AuditLog(db, s.audit_key_file or default_key_file(db), s.audit_anchor or default_anchor(db))


def driver() -> Any:
    """A verified Neo4j driver, or a clear error (exit 1) naming the server."""
    from graph.db import connect

    try:
        return connect()
    except Exception as exc:  # noqa: BLE001 - one clear message for the user
        s = get_settings()
        hint = "" if not s.managed else " (is it running? `netintel neo4j start`)"
        fail(f"cannot reach Neo4j at {s.uri}{hint}: {exc}")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def cli_client() -> str:
    """``cli:<os user>@<host>``: who really ran a command (the audit entries' client)."""
    return f"cli:{_os_user()}@{socket.gethostname()}"


def audit_cli(command: str, action: str, target: str = "", **details: Any) -> None:
    """Audit a change made from the command line (user administration, ingest): the OS user who ran
    it is the entry's user (``os:<name>``) and client."""
    details.setdefault("via", "cli")
    details.setdefault("command", command)
    audit_log().record(f"os:{_os_user()}", action, target, details, cli_client())


def cli_auditor(command: str, audit_db: Path | None = None) -> Callable[[str, str, str, dict[str, Any]], None]:
    """An auditor for :class:`Scope` that appends to the API's audit log with ``via="cli"``.

    The log file is opened on the first entry (a command that reads nothing
    personal does not create it).  ``client`` is ``cli:<os user>@<host>``:
    who really ran the command, also when it ran ``--as`` someone else.
    """
    path = audit_db if audit_db is not None else home_paths()[1]
    client = cli_client()
    log: list[Any] = []

    def auditor(username: str, action: str, target: str, details: dict[str, Any]) -> None:
        if not log:
            log.append(audit_log(path))
        details.setdefault("via", "cli")
        details.setdefault("command", command)
        log[0].record(username, action, target, details, client)

    return auditor


def make_scope(drv: Any, command: str, as_user: str | None = None) -> Scope:
    """The one scope of a CLI call: ``as_user``'s (from the user store) or an operator's."""
    from api.security import UserStore

    users_db, audit_db = home_paths()
    auditor = cli_auditor(command, audit_db)
    if as_user is None:
        return Scope.operator(drv, reason=command, auditor=auditor)
    user = UserStore(users_db).get(as_user) if users_db.exists() else None
    if user is None:
        fail(f"no user {as_user!r} in {users_db} (add one with `netintel users add`)", 2)
    if user.disabled:
        fail(f"user {as_user!r} is disabled", 2)
    return Scope.for_user(drv, user.username, user.role, tuple(user.units or ()), auditor)


@contextmanager
def scoped(command: str, as_user: str | None = None) -> Iterator[Scope]:
    """Open the driver, build the call's one scope, run the body; errors of the
    views (not found, forbidden, invalid input, over budget) become a message and
    exit code 2, other netintel errors exit code 1.  The driver is closed after."""
    drv = driver()
    try:
        scope = make_scope(drv, command, as_user)
        try:
            yield scope
        except Forbidden as exc:
            scope.audit("access_denied", command, role=scope.role, details=exc.details)
            fail(exc.message, 2)
        except NetintelError as exc:
            fail(exc.message, 2 if 400 <= exc.status < 500 else 1)
    finally:
        drv.close()
