"""Shared pieces of the routers: response models, formats, tables, HTML pages."""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from ..errors import BadRequest, NotFound

__all__ = [
    "Format",
    "FormatQ",
    "NodeOut",
    "EdgeOut",
    "GraphOut",
    "TableOut",
    "jsonable",
    "records",
    "table_out",
    "render",
    "html_table",
    "split_list",
    "check_cases",
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


class NodeOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str | None
    label: str
    name: Any = None


class EdgeOut(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    from_: str | None = Field(alias="from")
    to: str | None
    type: str


class GraphOut(BaseModel):
    nodes: list[NodeOut]
    edges: list[EdgeOut]
    truncated: bool
    length: int | None = None


class TableOut(BaseModel):
    """A result table: ``data`` rows and their ``count`` (plus optional ``meta``)."""

    data: list[dict[str, Any]]
    count: int
    meta: dict[str, Any] = {}


def jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, tuple | list | set | frozenset):
        return [jsonable(x) for x in v]
    if isinstance(v, dt.datetime | dt.date | pd.Timestamp):
        return v.isoformat()
    if hasattr(v, "iso_format"):  # neo4j.time values
        return v.iso_format()
    if v is pd.NA or v is pd.NaT or v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        try:
            return jsonable(v.item())
        except (ValueError, AttributeError):
            return str(v)
    if hasattr(v, "tolist"):
        return jsonable(v.tolist())
    return v


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): jsonable(v) for k, v in r.items()} for r in df.to_dict(orient="records")]


def table_out(df: pd.DataFrame, **meta: Any) -> TableOut:
    rows = records(df)
    return TableOut(data=rows, count=len(rows), meta=jsonable(meta))


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


def split_list(value: str | None, what: str = "value", max_items: int = 200) -> list[str] | None:
    """``"a,b, c"`` → ``["a", "b", "c"]`` (None for empty)."""
    if value is None or not value.strip():
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if len(items) > max_items:
        raise BadRequest(f"too many {what}s (at most {max_items})")
    return items or None


def check_cases(driver: Any, cases: str | None, user: str | None) -> list[str] | None:
    """Parse ``cases`` and 404 when one is unknown (or hidden from the user)."""
    from graph.explore import existing

    ids = split_list(cases, "case")
    if ids is None:
        return None
    found = existing(driver, "Case", ids, user)
    missing = [c for c in ids if c not in found]
    if missing:
        raise NotFound(f"unknown case(s): {', '.join(missing[:10])}", {"missing": missing[:50]})
    return ids


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
