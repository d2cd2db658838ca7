"""``netintel serve`` and ``netintel audit verify``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ._common import audit_log, err, fail, home_paths

__all__ = ["serve", "audit_app"]

audit_app = typer.Typer(help="The tamper-evident audit log (NETINTEL_HOME/audit.sqlite).", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    proxy_headers: Annotated[bool | None, typer.Option(
        "--proxy-headers/--no-proxy-headers",
        help="trust X-Forwarded-For/-Proto from NETINTEL_TRUSTED_PROXIES (behind a TLS proxy); "
             "default NETINTEL_PROXY_HEADERS")] = None,
) -> None:
    """Serve the API and web UI (http://HOST:PORT/ui/, docs at /docs)."""
    import dataclasses

    import uvicorn

    from api.app import create_app
    from api.security import UnsafeSettings, get_api_settings

    try:
        s = get_api_settings()
        if proxy_headers is not None:
            s = dataclasses.replace(s, proxy_headers=proxy_headers)
        app = create_app(s)
    except UnsafeSettings as exc:
        fail(str(exc), 2)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"warning: listening on {host}; put a TLS-terminating proxy in front of it", highlight=False)
    if s.proxy_headers:
        err.print(f"trusting forwarded headers from {', '.join(s.trusted_proxies)}", highlight=False)
    err.print(f"netintel UI on http://{host}:{port}/ui/ (API docs: /docs)", highlight=False)
    import logging

    logging.getLogger("uvicorn.access").addFilter(_no_query_strings)
    # the app applies forwarded headers itself (api.app: only from the trusted proxies)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


def _no_query_strings(record: object) -> bool:
    """Access log lines without query strings: they carry searched names, phone numbers, plates."""
    args = getattr(record, "args", None)
    if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
        record.args = (*args[:2], args[2].split("?", 1)[0] + "?…", *args[3:])  # type: ignore[attr-defined]
    return True


@audit_app.command("verify")
def audit_verify(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Verify the audit log's hash chain (exit 1 when it was tampered with)."""
    from api.audit import default_anchor, default_key_file, verify_audit
    from graph.settings import get_settings

    s = get_settings()
    db = home_paths()[1]
    v = verify_audit(db, s.audit_key_file or default_key_file(db), s.audit_anchor or default_anchor(db))
    if as_json:
        print(json.dumps(v.as_dict()))
    else:
        where = f" at entry {v.first_bad_seq}" if v.first_bad_seq else ""
        state = "OK" if v.ok else f"BROKEN{where}: {v.reason}"
        print(f"audit log: {v.entries} entries verified, {v.anchored} checkpointed, {state}; head {v.head}")
    if not v.ok:
        raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor() -> None:
    """Checkpoint the head of a log made before anchoring existed (once, after an upgrade; audited).
    Refuses a log whose chain is broken."""
    log = audit_log()
    v = log.verify(require_anchor=False)
    if not v.ok:
        fail(f"the chain is broken at entry {v.first_bad_seq}: {v.reason}")
    after = log.adopt()
    log.record(f"os:{_os_user()}", "audit_adopted", "audit", {"entries": v.entries, "head": v.head,
                                                           "via": "cli"}, "cli")
    print(f"checkpointed {after.entries} entries (head {after.head}) in {log.anchor}")


def _os_user() -> str:
    from ._common import _os_user as who

    return who()
