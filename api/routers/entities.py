"""Entities and cases with their neighbourhood; shortest paths."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from graph.model import NODE_LABELS, REL_TYPES
from views import explore as v
from views.models import GraphOut, NodeOut

from ..deps import InvestigatorScope
from ._common import Format, FormatQ, graph_to_nx, render

entities = APIRouter(prefix="/api/entities", tags=["entities"])
cases = APIRouter(prefix="/api/cases", tags=["cases"])
paths = APIRouter(prefix="/api/paths", tags=["entities"])
router = APIRouter()

LabelQ = Annotated[str | None, Query(description=f"one of {', '.join(NODE_LABELS)}", max_length=40)]
DepthQ = Annotated[int, Query(ge=1, le=3, description="hops (1–3)")]
LabelsQ = Annotated[str | None, Query(description="neighbour labels to keep, comma separated", max_length=300)]
TypesQ = Annotated[str | None, Query(description=f"relationship types to follow ({', '.join(REL_TYPES)})",
                                     max_length=400)]
DateQ = Annotated[dt.date | None, Query(description="ISO date")]
AgencyQ = Annotated[str | None, Query(max_length=20, description="source agency code, e.g. DSI")]
LimitQ = Annotated[int, Query(ge=1, le=500, description="maximum nodes (≤ 500)")]
ExpandQ = Annotated[str | None, Query(max_length=2000, description="ids of dense hubs whose neighbours you want "
                                                                   "(otherwise they come back collapsed)")]


def _network_html(data: GraphOut, title: str, start: str | None, scope: Any) -> HTMLResponse:
    from viz.network import render_network

    G = graph_to_nx(data.model_dump(by_alias=True))
    page = render_network(G, title=title, highlight=[start] if start else None,
                          expand_url="/api/entities/{id}/neighbourhood?depth=1", user=scope.user, role=scope.role)
    return HTMLResponse(page)


def _neighbourhood(scope: Any, entity_id: str, label: str | None, depth: int, labels: str | None,
                   types: str | None, since: dt.date | None, until: dt.date | None, agency: str | None,
                   limit: int, expand: str | None, format: Format, merged: bool = False) -> Any:
    params = {"label": label, "depth": depth, "labels": labels, "types": types, "since": since, "until": until,
              "agency": agency, "limit": limit, "expand": expand}
    if merged:  # the records accepted as this person drawn as one node (duplicate review)
        from views.resolution import merged_neighbourhood

        data = merged_neighbourhood(scope, entity_id, **params)
    else:
        data = v.neighbourhood(scope, entity_id, **params)  # type: ignore[arg-type]
    if format is Format.html:
        start = data.nodes[0]
        return _network_html(data, f"{start.label} {start.name} — neighbourhood (depth {depth})"
                             + (", accepted duplicates merged" if merged else ""), str(start.id), scope)
    return data


@entities.get("/{entity_id}", response_model=NodeOut, summary="One entity (investigator)")
def get_entity(entity_id: str, scope: InvestigatorScope, label: LabelQ = None,
               format: FormatQ = Format.json) -> Any:
    node = v.entity(scope, entity_id, label)
    if format is Format.html:
        return render("entity.html", title=str(node.name), entity=node.model_dump(exclude_none=True), user=scope)
    return node


@entities.get("/{entity_id}/neighbourhood", response_model=GraphOut,
              summary="Entity and its neighbourhood to depth 1–3, filtered and capped, hubs collapsed (investigator)")
def get_neighbourhood(entity_id: str, scope: InvestigatorScope,
                      label: LabelQ = None, depth: DepthQ = 1, labels: LabelsQ = None, types: TypesQ = None,
                      since: DateQ = None, until: DateQ = None, agency: AgencyQ = None, limit: LimitQ = 500,
                      expand: ExpandQ = None, format: FormatQ = Format.json,
                      merged: Annotated[bool, Query(description="draw the records accepted as the same person "
                                                                "as one node")] = False) -> Any:
    return _neighbourhood(scope, entity_id, label, depth, labels, types, since, until, agency, limit, expand,
                          format, merged)


@cases.get("/{case_id}", response_model=NodeOut, summary="One case (investigator)")
def get_case(case_id: str, scope: InvestigatorScope, format: FormatQ = Format.json) -> Any:
    return get_entity(case_id, scope, "Case", format)


@cases.get("/{case_id}/network", response_model=GraphOut, summary="A case and its neighbourhood (investigator)")
def get_case_network(case_id: str, scope: InvestigatorScope, depth: DepthQ = 2,
                     labels: LabelsQ = None, types: TypesQ = None, since: DateQ = None, until: DateQ = None,
                     agency: AgencyQ = None, limit: LimitQ = 500, expand: ExpandQ = None,
                     format: FormatQ = Format.json) -> Any:
    return _neighbourhood(scope, case_id, "Case", depth, labels, types, since, until, agency, limit, expand,
                          format)


@paths.get("/shortest", response_model=GraphOut, summary="Shortest path between two entities (investigator)")
def get_shortest_path(
    scope: InvestigatorScope,
    from_id: Annotated[str, Query(min_length=1, max_length=200)],
    to_id: Annotated[str, Query(min_length=1, max_length=200)],
    max_length: Annotated[int, Query(ge=1, le=10)] = 6,
    types: TypesQ = None,
    format: FormatQ = Format.json,
) -> Any:
    data = v.shortest_path(scope, from_id, to_id, max_length=max_length, types=types)
    if format is Format.html:
        title = f"Shortest path {from_id} → {to_id}" + ("" if data.length is not None else " (none found)")
        return _network_html(data, title, from_id, scope)
    return data


router.include_router(entities)
router.include_router(cases)
router.include_router(paths)
