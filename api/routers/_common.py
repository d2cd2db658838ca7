"""Shared pieces of the routers: formats, HTML pages (the models are the views')."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Query
from fastapi.responses import HTMLResponse

from graph.scope import WouldBlock, deferred_audit, memory_only
from views._common import jsonable, records, split_list
from views.models import EdgeOut, GraphOut, NodeOut

from ..audit import WRITE_BEHIND

T = TypeVar("T")

__all__ = [
    "Format",
    "FormatQ",
    "NodeOut",
    "EdgeOut",
    "GraphOut",
    "jsonable",
    "records",
    "render",
    "html_table",
    "split_list",
    "ACCEPTED",
    "answer",
    "graph_to_nx",
]


def _templates() -> Path:
    """Where the page templates live: ``viz/templates`` (the one page system, :mod:`viz.pages`)."""
    from viz.pages import TEMPLATES

    return TEMPLATES


_TEMPLATES = _templates()


class Format(StrEnum):
    json = "json"
    html = "html"


FormatQ = Annotated[Format, Query(description="json (default) or html")]

#: OpenAPI description of the 202 answer of views that can become a job
ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"description": "The work takes longer than a request may: it continues as a job. The body's "
                         "`job.url` reports progress (GET) and cancels it (DELETE); once done, the same request "
                         "answers at once."}}


def _jinja() -> Any:
    """The shared Jinja environment of :mod:`viz.pages` (autoescape on)."""
    from viz.pages import environment

    return environment()


def render(template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """Render a page template of ``viz/templates`` (autoescaped, with the site header) as an HTML response."""
    from viz.pages import render_page

    return HTMLResponse(render_page(template, **ctx), status_code=status_code)


def html_table(title: str, rows: list[dict[str, Any]], *, user: Any = None, links: dict[str, str] | None = None,
               note: str = "", extra_links: list[tuple[str, str]] | None = None) -> HTMLResponse:
    """A result table page; ``links`` maps a column to a URL template with ``{value}``."""
    cols = list(dict.fromkeys(k for r in rows for k in r))
    return render("table.html", title=title, rows=rows, cols=cols, links=links or {}, user=user, note=note,
                  extra_links=extra_links or [])


def graph_to_nx(data: dict[str, Any]) -> Any:
    """The ``{nodes, edges}`` JSON as a NetworkX MultiDiGraph for :mod:`viz.network`."""
    import networkx as nx

    G = nx.MultiDiGraph()
    for n in data["nodes"]:
        G.add_node(str(n["id"]), **{k: v for k, v in n.items() if k != "id"})
    for e in data["edges"]:
        attrs = {k: v for k, v in e.items() if k not in ("from", "to")}
        G.add_edge(str(e["from"]), str(e["to"]), **attrs)
    return G


#: worker threads for audit writes of answers given from memory: apart from the request pool, so
#: a warm aggregate never queues behind slow store reads for its audit entry
_AUDIT_THREADS = 8


def _write_all(pending: list[tuple[str, Callable[[], None]]]) -> None:
    for _action, write in pending:
        write()


async def answer(view: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``view``: on the event loop when it can answer from memory (a warm cached
    aggregate: no queue behind slower requests), otherwise in a worker thread, where it
    may read the store and compute.  From memory, the view's audit entries are written in a
    worker thread (the event loop never waits on the log's fsync), before the answer leaves."""
    from starlette.concurrency import run_in_threadpool

    try:
        with memory_only(), deferred_audit() as pending:
            out = view(*args, **kwargs)
    except WouldBlock:
        return await run_in_threadpool(view, *args, **kwargs)
    if pending and all(action in WRITE_BEHIND for action, _ in pending):
        _write_all(pending)  # queued for the log's writer thread: no wait here
    elif pending:
        import anyio.to_thread

        await anyio.to_thread.run_sync(_write_all, pending, limiter=_audit_limiter())
    return out


_limiters: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _audit_limiter() -> Any:
    """The audit threads' limiter of the running event loop (each test client runs its own)."""
    import asyncio

    import anyio

    loop = asyncio.get_running_loop()
    if loop not in _limiters:
        _limiters[loop] = anyio.CapacityLimiter(_AUDIT_THREADS)
    return _limiters[loop]
