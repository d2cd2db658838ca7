"""``format=`` for network views and table views: the files of :mod:`viz.exports` as responses.

Network endpoints (neighbourhood, case network, paths, investigations) take
:data:`GraphFormatQ` (json, html, png, svg, pdf, csv, graphml, gexf, anx);
table endpoints (brokers, communities, key players, candidates, search) take
:data:`TableFormatQ` (json, html, csv, xlsx).  An export is the view the
caller was allowed to see (the view function already read it through the
scope and audited it); the export itself is audited too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import Response

from graph.scope import Scope

__all__ = ["GraphFormat", "GraphFormatQ", "TableFormat", "TableFormatQ", "graph_file", "table_file", "export_links",
           "FILE_RESPONSES"]


class GraphFormat(StrEnum):
    json = "json"
    html = "html"
    png = "png"
    svg = "svg"
    pdf = "pdf"
    csv = "csv"
    graphml = "graphml"
    gexf = "gexf"
    anx = "anx"


class TableFormat(StrEnum):
    json = "json"
    html = "html"
    csv = "csv"
    xlsx = "xlsx"


GraphFormatQ = Annotated[GraphFormat, Query(description="json (default), html (the network page), png, svg, pdf "
                                                        "(title, date, watermark), csv (nodes + edges zipped), "
                                                        "graphml, gexf, anx (i2 Analyst's Notebook)")]
TableFormatQ = Annotated[TableFormat, Query(description="json (default), html, csv or xlsx")]

#: OpenAPI: the file answers of an export
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}, "image/svg+xml": {}, "application/pdf": {}, "application/zip": {},
                      "application/graphml+xml": {}, "application/gexf+xml": {}, "application/xml": {},
                      "text/csv": {},
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}}


def _filename(title: str, ext: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-.")[:60] or "netintel"
    return f"netintel-{stem}-{dt.date.today().isoformat()}.{ext}"


def _download(body: bytes, media: str, name: str) -> Response:
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def graph_file(scope: Scope, data: Any, fmt: GraphFormat, *, title: str, target: str,
               positions: Mapping[str, Sequence[float]] | None = None) -> Response:
    """The network view ``data`` (a GraphOut or its dict) as a file in ``fmt``."""
    from viz.exports import export_graph

    g = data.model_dump(by_alias=True) if hasattr(data, "model_dump") else dict(data)
    body, media, ext = export_graph(g, fmt.value, title=title, user=scope.user, positions=positions)
    scope.audit("export", target, format=fmt.value, nodes=len(g.get("nodes", [])), edges=len(g.get("edges", [])))
    return _download(body, media, _filename(title, ext))


def table_file(scope: Scope, rows: Sequence[Mapping[str, Any]], fmt: TableFormat, *, title: str,
               target: str) -> Response:
    """Table rows as ``csv`` or ``xlsx``."""
    from viz.exports import export_table

    body, media, ext = export_table(rows, fmt.value, title=title)
    scope.audit("export", target, format=fmt.value, rows=len(rows))
    return _download(body, media, _filename(title, ext))


def export_links(request: Request, formats: Sequence[str]) -> list[tuple[str, str]]:
    """``(text, href)`` links to the same request in other formats (for a page's download bar)."""
    q = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    return [(f"Download {f.upper()}", request.url.path + "?" + urlencode([*q, ("format", f)])) for f in formats]
