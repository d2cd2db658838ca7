"""The ``netintel`` command line: one command per stage of the pipeline."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from graph.settings import get_settings

app = typer.Typer(
    name="netintel",
    help="Network intelligence for counter-trafficking: Neo4j store, ingest, analytics, API.",
    no_args_is_help=True,
    add_completion=False,
)
neo4j_app = typer.Typer(help="Install and run the project's own Neo4j Community server.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(db_app, name="db")


def _register_analyse() -> None:
    from api.cli_analyse import analyse_app

    app.add_typer(analyse_app, name="analyse")


_register_analyse()


def _register_api() -> None:
    from api.cli_api import audit_verify, serve, users_app

    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
    audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
    audit_app.command("verify")(audit_verify)
    app.add_typer(audit_app, name="audit")


_register_api()


@app.command("demo-admin")
def demo_admin() -> None:
    """Create (once) the demo `admin` user and print how to log in."""
    from api.cli_api import ensure_demo_admin

    user, password = ensure_demo_admin()
    print(f"Log in at http://127.0.0.1:8000/ui/ as {user!r} with password {password!r} "
          f"(stored in {get_settings().home / 'admin-password'}, mode 0600)")

err = Console(stderr=True)


def _server() -> Any:
    from graph.server import Neo4jServer

    s = get_settings()
    return s, Neo4jServer(s)


def _fail(msg: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {msg}", highlight=False)
    raise typer.Exit(code)


def _driver() -> Any:
    from graph.db import connect

    try:
        return connect()
    except Exception as exc:  # noqa: BLE001 - one clear message for the user
        s = get_settings()
        hint = "" if not s.managed else " (is it running? `netintel neo4j start`)"
        _fail(f"cannot reach Neo4j at {s.uri}{hint}: {exc}")


# ------------------------------------------------------------------ neo4j
@neo4j_app.command("install")
def neo4j_install() -> None:
    """Download Neo4j Community 5.26 LTS from Maven Central (cached in ~/.m2)."""
    from graph.server import ServerError

    s, srv = _server()
    if not s.managed:
        err.print(f"NEO4J_URI is set ({s.uri}): using that server, nothing to install.")
        return
    try:
        path = srv.install(log=err.print)
    except ServerError as exc:
        _fail(str(exc))
    err.print(f"Neo4j {s.neo4j_version} installed (classpath: {path}).")


@neo4j_app.command("start")
def neo4j_start(timeout: float = typer.Option(180.0, help="seconds to wait for Bolt")) -> None:
    """Start the managed Neo4j (installs it first if needed); waits until Bolt answers."""
    from graph.server import ServerError

    s, srv = _server()
    if not s.managed:
        drv = _driver()
        drv.close()
        err.print(f"NEO4J_URI is set: external Neo4j at {s.uri} answers; nothing to start.")
        return
    try:
        st = srv.start(timeout=timeout, log=err.print)
    except ServerError as exc:
        _fail(str(exc))
    err.print(f"Neo4j is running (pid {st.pid}) at {st.uri}; password in {s.password_file} (mode 0600).")


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the managed Neo4j (no-op when it is not running)."""
    s, srv = _server()
    if not s.managed:
        err.print("NEO4J_URI is set: the external server is not managed by netintel.")
        return
    was = srv.stop()
    err.print("Neo4j stopped." if was else "Neo4j was not running.")


@neo4j_app.command("status")
def neo4j_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show whether the managed Neo4j is installed and running."""
    s, srv = _server()
    if not s.managed:
        out: dict[str, Any] = {"managed": False, "uri": s.uri}
    else:
        out = {"managed": True, **srv.status().as_dict()}
    if as_json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:10} {v}")
    if s.managed and not out["running"]:
        raise typer.Exit(3)


# ----------------------------------------------------------------- ingest
@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="bundle folder (or one table file)")],
    rejects: Annotated[Path | None, typer.Option(help="rejects CSV (default rejects/<bundle>.rejects.csv)")] = None,
    batch_size: Annotated[int, typer.Option(help="rows per transaction")] = 5000,
    writers: Annotated[int, typer.Option(help="concurrent write transactions")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Validate and load a bundle; bad rows go to the rejects file, good rows load."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ingest.loader import ingest_bundle

    drv = _driver()
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, disable=as_json or not err.is_terminal) as prog:
            tasks: dict[str, Any] = {}

            def tick(table: str, n: int) -> None:
                if table not in tasks:
                    tasks[table] = prog.add_task(table, total=None)
                prog.advance(tasks[table], n)

            summary = ingest_bundle(drv, path, rejects_path=rejects, batch_size=batch_size, progress=tick,
                                    writers=writers)
    except FileNotFoundError as exc:
        _fail(str(exc), 2)
    finally:
        drv.close()
    out = summary.as_dict()
    if as_json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        _print_summary(out)


def _print_summary(out: dict[str, Any]) -> None:
    from rich.table import Table

    t = Table(title=f"Ingest of {out['bundle']}")
    for col in ("file", "table", "rows", "loaded", "rejected"):
        t.add_column(col, justify="left" if col in ("file", "table") else "right")
    for name, f in out["files"].items():
        t.add_row(name, f["table"], str(f["rows"]), str(f["loaded"]), str(f["rejected"]))
    Console().print(t)
    print(
        f"{out['rows']} rows, {out['rejected']} rejected, in {out['seconds']} s "
        f"({out['nodes_per_s']} nodes/s, {out['relationships_per_s']} relationships/s)"
    )
    if out["rejected"]:
        print(f"Rejected rows with file, line and reason: {out['rejects_file']}")
    if out["ignored_files"]:
        print(f"Ignored files (not a known table): {', '.join(out['ignored_files'])}")


# --------------------------------------------------------------- generate
@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="folder to write the bundle to")],
    seed: Annotated[int, typer.Option(help="random seed (same seed, same bundle)")] = 42,
    persons: Annotated[int, typer.Option(help="number of person records")] = 1000,
) -> None:
    """Write a realistic synthetic bundle plus truth.json (expected counts and planted patterns)."""
    from ingest.generate import generate_bundle

    truth = generate_bundle(out, seed=seed, persons=persons)
    n = sum(truth["counts"]["nodes"].values())
    r = sum(truth["counts"]["relationships"].values())
    err.print(f"Wrote {out} ({n} nodes, {r} relationships expected; truth in {out / 'truth.json'}).")


# ------------------------------------------------------------------ stats
@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Count nodes per label and relationships per type in Neo4j."""
    from graph.db import stats as db_stats

    drv = _driver()
    try:
        out = db_stats(drv)
    finally:
        drv.close()
    if as_json:
        print(json.dumps(out, indent=2))
        return
    for kind in ("nodes", "relationships"):
        print(kind)
        for k, v in out[kind].items():
            print(f"  {k:16} {v:>10}")


@db_app.command("clear")
def db_clear(yes: Annotated[bool, typer.Option("--yes", help="really delete everything")] = False) -> None:
    """Delete every node and relationship of the database."""
    from graph.db import clear_database

    if not yes:
        _fail("refusing to delete the database without --yes", 2)
    drv = _driver()
    try:
        clear_database(drv)
    finally:
        drv.close()
    err.print("Database cleared.")


@db_app.command("schema")
def db_schema() -> None:
    """Create constraints and indexes (idempotent) and print them."""
    from graph.cypher import schema_statements
    from graph.db import ensure_schema

    drv = _driver()
    try:
        ensure_schema(drv)
    finally:
        drv.close()
    for stmt in schema_statements():
        print(stmt + ";")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
