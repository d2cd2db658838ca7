"""Entities and cases with their neighbourhood; shortest paths."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from graph.model import NODE_LABELS, REL_TYPES
from views import explore as v
from views._common import split_list
from views.models import GraphOut, NodeOut, PathsOut

from ..deps import InvestigatorScope
from ._common import Format, FormatQ
from ._exports import FILE_RESPONSES, GraphFormat, GraphFormatQ, graph_file

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
HubLimitQ = Annotated[int | None, Query(ge=1, le=500, description="at most this many neighbours of an "
                                                                  "expanded hub (default 100)")]
ExpandQ = Annotated[str | None, Query(max_length=2000, description="ids of dense hubs whose neighbours you want "
                                                                   "(otherwise they come back collapsed)")]


def workspace(scope: Any, *, filters: dict[str, Any] | None = None, investigation: Any = None,
              export_url: str | None = None) -> dict[str, Any]:
    """What the network page needs to work: where to expand, search, find paths and save, the lists
    of the filter panel and the current filters."""
    from graph.explore import HUB_LIMIT
    from graph.model import AGENCIES

    return {
        "expandUrl": "/api/entities/{id}/neighbourhood",
        "searchUrl": "/api/search",
        "pathUrl": "/api/paths/shortest",
        "investigationsUrl": "/api/investigations",
        "labels": list(NODE_LABELS),
        "types": list(REL_TYPES),
        "agencies": [[k, v] for k, v in AGENCIES.items()],
        "hubLimit": HUB_LIMIT,
        "filters": {k: v for k, v in (filters or {}).items() if v},
        "investigation": investigation,
        "exportUrl": export_url,
        "user": scope.user,
    }


def network_page(scope: Any, data: Any, title: str, start: str | None, *, filters: dict[str, Any] | None = None,
                 investigation: Any = None, positions: dict[str, Any] | None = None,
                 export_url: str | None = None) -> HTMLResponse:
    """The investigator's network page (site header, canvas, tools) for a network view."""
    from viz.network import workspace_page

    g = data.model_dump(by_alias=True) if hasattr(data, "model_dump") else data
    page = workspace_page(g, title=title, start=start, positions=positions, user=scope.user, role=scope.role,
                          workspace=workspace(scope, filters=filters, investigation=investigation,
                                              export_url=export_url))
    return HTMLResponse(page)


def _filters(labels: str | None, types: str | None, agency: str | None, since: dt.date | None,
             until: dt.date | None) -> dict[str, Any]:
    return {"labels": split_list(labels), "types": split_list(types), "agency": agency,
            "since": since.isoformat() if since else None, "until": until.isoformat() if until else None}


def _neighbourhood(scope: Any, entity_id: str, label: str | None, depth: int, labels: str | None,
                   types: str | None, since: dt.date | None, until: dt.date | None, agency: str | None,
                   limit: int, expand: str | None, format: GraphFormat, hub_limit: int | None = None,
                   merged: bool = False) -> Any:
    params: dict[str, Any] = {"label": label, "depth": depth, "labels": labels, "types": types, "since": since,
                              "until": until, "agency": agency, "limit": limit, "expand": expand,
                              "hub_limit": hub_limit}
    if merged:  # the records accepted as this person drawn as one node (duplicate review)
        from views.resolution import merged_neighbourhood

        data = merged_neighbourhood(scope, entity_id, **params)
    else:
        data = v.neighbourhood(scope, entity_id, **params)
    start = data.nodes[0]
    title = f"{start.label} {start.name} — neighbourhood (depth {depth})" + (
        ", accepted duplicates merged" if merged else "")
    if format is GraphFormat.html:
        return network_page(scope, data, title, str(start.id), filters=_filters(labels, types, agency, since, until))
    if format is not GraphFormat.json:
        return graph_file(scope, data, format, title=title, target=entity_id)
    return data


@entities.get("/{entity_id}", response_model=NodeOut, summary="One entity (investigator)")
def get_entity(entity_id: str, scope: InvestigatorScope, label: LabelQ = None,
               format: FormatQ = Format.json) -> Any:
    if format is Format.html:  # an entity's page is its profile (a case's: its workspace), read there
        to = f"/ui/entity/{quote(entity_id, safe='')}" + (f"?label={quote(label)}" if label else "")
        return RedirectResponse(to, status_code=303)
    return v.entity(scope, entity_id, label)


@entities.get("/{entity_id}/neighbourhood", response_model=GraphOut, responses=FILE_RESPONSES,
              summary="Entity and its neighbourhood to depth 1–3, filtered and capped, hubs collapsed (investigator)")
def get_neighbourhood(entity_id: str, scope: InvestigatorScope,
                      label: LabelQ = None, depth: DepthQ = 1, labels: LabelsQ = None, types: TypesQ = None,
                      since: DateQ = None, until: DateQ = None, agency: AgencyQ = None, limit: LimitQ = 500,
                      expand: ExpandQ = None, hub_limit: HubLimitQ = None,
                      format: GraphFormatQ = GraphFormat.json,
                      merged: Annotated[bool, Query(description="draw the records accepted as the same person "
                                                                "as one node")] = False) -> Any:
    return _neighbourhood(scope, entity_id, label, depth, labels, types, since, until, agency, limit, expand,
                          format, hub_limit, merged)


@cases.get("/{case_id}", response_model=NodeOut, summary="One case (investigator)")
def get_case(case_id: str, scope: InvestigatorScope, format: FormatQ = Format.json) -> Any:
    return get_entity(case_id, scope, "Case", format)


@cases.get("/{case_id}/network", response_model=GraphOut, responses=FILE_RESPONSES,
           summary="A case and its neighbourhood (investigator)")
def get_case_network(case_id: str, scope: InvestigatorScope, depth: DepthQ = 2,
                     labels: LabelsQ = None, types: TypesQ = None, since: DateQ = None, until: DateQ = None,
                     agency: AgencyQ = None, limit: LimitQ = 500, expand: ExpandQ = None,
                     format: GraphFormatQ = GraphFormat.json) -> Any:
    return _neighbourhood(scope, case_id, "Case", depth, labels, types, since, until, agency, limit, expand,
                          format)


@paths.get("/shortest", response_model=PathsOut, responses=FILE_RESPONSES,
           summary="The k shortest paths between two entities, not through locations unless asked (investigator)")
def get_shortest_path(
    scope: InvestigatorScope,
    from_: Annotated[str | None, Query(alias="from", min_length=1, max_length=200, description="entity id")] = None,
    to: Annotated[str | None, Query(min_length=1, max_length=200, description="entity id")] = None,
    from_id: Annotated[str | None, Query(min_length=1, max_length=200, description="same as from")] = None,
    to_id: Annotated[str | None, Query(min_length=1, max_length=200, description="same as to")] = None,
    k: Annotated[int, Query(ge=1, le=10, description="how many shortest paths")] = 1,
    max_length: Annotated[int, Query(ge=1, le=10)] = 6,
    types: TypesQ = None,
    exclude_labels: Annotated[str | None, Query(max_length=300, description="labels a path may not pass through "
                                                "(default Location; empty: none)")] = "Location",
    exclude_types: Annotated[str | None, Query(max_length=400, description="relationship types a path may not "
                                               "use")] = None,
    format: GraphFormatQ = GraphFormat.json,
) -> Any:
    a, b = from_ or from_id, to or to_id
    if not a or not b:
        from fastapi.exceptions import RequestValidationError

        raise RequestValidationError([{"loc": ("query", "from" if not a else "to"), "type": "missing",
                                       "msg": "give both ends: from and to (entity ids)", "input": None}])
    data = v.shortest_path(scope, a, b, k=k, max_length=max_length, types=types,
                           exclude_labels=exclude_labels or None, exclude_types=exclude_types)
    title = f"Paths {a} → {b}" + ("" if data.length is not None else " (none found)")
    if format is GraphFormat.html:
        return network_page(scope, data, title, a, filters={"types": split_list(types)})
    if format is not GraphFormat.json:
        return graph_file(scope, data, format, title=title, target=f"{a}..{b}")
    return data


router.include_router(entities)
router.include_router(cases)
router.include_router(paths)
