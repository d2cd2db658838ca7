"""``netintel neo4j install|start|stop|status``: the project's own Neo4j Community server."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from graph.settings import get_settings

from ._common import driver, err, fail

__all__ = ["neo4j_app"]

neo4j_app = typer.Typer(help="Install and run the project's own Neo4j Community server.", no_args_is_help=True)


def _server() -> Any:
    from graph.server import Neo4jServer

    s = get_settings()
    return s, Neo4jServer(s)


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
        fail(str(exc))
    err.print(f"Neo4j {s.neo4j_version} installed (classpath: {path}).")


@neo4j_app.command("start")
def neo4j_start(timeout: Annotated[float, typer.Option(help="seconds to wait for Bolt")] = 180.0) -> None:
    """Start the managed Neo4j (installs it first if needed); waits until Bolt answers."""
    from graph.server import ServerError

    s, srv = _server()
    if not s.managed:
        drv = driver()
        drv.close()
        err.print(f"NEO4J_URI is set: external Neo4j at {s.uri} answers; nothing to start.")
        return
    try:
        st = srv.start(timeout=timeout, log=err.print)
    except ServerError as exc:
        fail(str(exc))
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
def neo4j_status(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Show whether the managed Neo4j is installed and running (exit code 3 when it is not)."""
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
