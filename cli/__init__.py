"""The ``netintel`` command line: one command per stage of the pipeline.

A top-level package over the same views as the API (:mod:`views`): every
command that reads the graph builds one :class:`graph.scope.Scope` for the
call (``--as USER`` for a user's scope, else an explicit operator scope,
both audited; see :mod:`cli._common`) and calls the view the API route
calls.

Layout: :mod:`cli.neo4j` (the managed server), :mod:`cli.data` (generate,
ingest, stats, db), :mod:`cli.users` (users, demo-admin), :mod:`cli.server`
(serve, audit), :mod:`cli.analyse` (the analytics), :mod:`cli.output`
(table / CSV / JSON).
"""

from __future__ import annotations

import sys

import typer

from ._common import err
from .analyse import analyse_app
from .data import db_app, generate, ingest, stats
from .exchange import export
from .neo4j import neo4j_app
from .report import report_app
from .server import audit_app, serve
from .users import demo_admin, users_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="netintel",
    help="Network intelligence for counter-trafficking: Neo4j store, ingest, analytics, API.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _private_files() -> None:
    """Network intelligence for counter-trafficking: Neo4j store, ingest, analytics, API."""
    from core.files import set_private_umask

    set_private_umask()  # whatever a command writes (store, rejects, exports, logs) is 0600/0700


app.add_typer(neo4j_app, name="neo4j")
app.command("generate")(generate)
app.command("ingest")(ingest)
app.command("stats")(stats)
app.command("export")(export)
app.add_typer(db_app, name="db")
app.command("serve")(serve)
app.add_typer(users_app, name="users")
app.command("demo-admin")(demo_admin)
app.add_typer(audit_app, name="audit")
app.add_typer(analyse_app, name="analyse")
app.add_typer(report_app, name="report")


def main() -> None:
    """The ``netintel`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
