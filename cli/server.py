"""``netintel serve`` and ``netintel audit verify``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ._common import err, fail, home_paths

__all__ = ["serve", "audit_app"]

audit_app = typer.Typer(help="The tamper-evident audit log (NETINTEL_HOME/audit.sqlite).", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
) -> None:
    """Serve the API and web UI (http://HOST:PORT/ui/, docs at /docs)."""
    import uvicorn

    from api.app import create_app
    from api.security import UnsafeSettings

    try:
        app = create_app()
    except UnsafeSettings as exc:
        fail(str(exc), 2)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"warning: listening on {host}; put a TLS-terminating proxy in front of it", highlight=False)
    err.print(f"netintel UI on http://{host}:{port}/ui/ (API docs: /docs)", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


@audit_app.command("verify")
def audit_verify(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Verify the audit log's hash chain (exit 1 when it was tampered with)."""
    from api.audit import verify_audit

    v = verify_audit(home_paths()[1])
    if as_json:
        print(json.dumps(v.as_dict()))
    else:
        state = "OK" if v.ok else f"BROKEN at entry {v.first_bad_seq}: {v.reason}"
        print(f"audit log: {v.entries} entries verified, {state}; head {v.head}")
    if not v.ok:
        raise typer.Exit(1)
