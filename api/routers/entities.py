"""Entities and cases with their neighbourhood; shortest paths."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from graph.model import NODE_LABELS, REL_TYPES

from ..deps import AuditDep, DriverDep, Investigator, visibility
from ..errors import BadRequest, NotFound
from ._common import Format, FormatQ, GraphOut, NodeOut, graph_to_nx, render, split_list

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


def _label(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if value not in NODE_LABELS:
        raise BadRequest(f"unknown label {value!r}", {"allowed": list(NODE_LABELS)})
    return value


def _labels(value: str | None) -> list[str] | None:
    items = split_list(value, "label")
    for x in items or []:
        _label(x)
    return items


def _types(value: str | None) -> list[str] | None:
    items = split_list(value, "type")
    for t in items or []:
        if t not in REL_TYPES:
            raise BadRequest(f"unknown relationship type {t!r}", {"allowed": list(REL_TYPES)})
    return items


def _network_html(data: dict[str, Any], title: str, start: str | None) -> HTMLResponse:
    from viz.network import render_network

    G = graph_to_nx(data)
    page = render_network(G, title=title, highlight=[start] if start else None,
                          expand_url="/api/entities/{id}/neighbourhood?depth=1")
    return HTMLResponse(page)


def neighbourhood_view(driver: Any, user: Any, audit: Any, entity_id: str, label: str | None, depth: int,
                       labels: str | None, types: str | None, since: dt.date | None, until: dt.date | None,
                       agency: str | None, limit: int, format: Format) -> Any:
    from graph.explore import neighbourhood

    if since and until and since > until:
        raise BadRequest("since is after until")
    data = neighbourhood(driver, entity_id, depth=depth, node_label=_label(label), labels=_labels(labels),
                         rel_types=_types(types), since=since.isoformat() if since else None,
                         until=until.isoformat() if until else None, agency=agency, limit=limit,
                         user=visibility(user))
    if data is None:
        raise NotFound(f"no entity with id {entity_id!r}" + (f" and label {label}" if label else ""))
    audit(user, "read_personal", entity_id, view="neighbourhood", depth=depth, nodes=len(data["nodes"]))
    if format is Format.html:
        start = data["nodes"][0]
        return _network_html(data, f"{start['label']} {start['name']} — neighbourhood (depth {depth})",
                             str(start["id"]))
    return data


@entities.get("/{entity_id}", response_model=NodeOut, summary="One entity (investigator)")
def get_entity(entity_id: str, driver: DriverDep, user: Investigator, audit: AuditDep, label: LabelQ = None,
               format: FormatQ = Format.json) -> Any:
    from graph.explore import entity

    node = entity(driver, entity_id, _label(label), visibility(user))
    if node is None:
        raise NotFound(f"no entity with id {entity_id!r}")
    audit(user, "read_personal", entity_id, view="entity", label=node["label"])
    if format is Format.html:
        return render("entity.html", title=str(node["name"]), entity=node, user=user)
    return node


@entities.get("/{entity_id}/neighbourhood", response_model=GraphOut,
              summary="Entity and its neighbourhood to depth 1–3, filtered and capped (investigator)")
def get_neighbourhood(entity_id: str, driver: DriverDep, user: Investigator, audit: AuditDep,
                      label: LabelQ = None, depth: DepthQ = 1, labels: LabelsQ = None, types: TypesQ = None,
                      since: DateQ = None, until: DateQ = None, agency: AgencyQ = None, limit: LimitQ = 500,
                      format: FormatQ = Format.json) -> Any:
    return neighbourhood_view(driver, user, audit, entity_id, label, depth, labels, types, since, until, agency,
                              limit, format)


@cases.get("/{case_id}", response_model=NodeOut, summary="One case (investigator)")
def get_case(case_id: str, driver: DriverDep, user: Investigator, audit: AuditDep,
             format: FormatQ = Format.json) -> Any:
    return get_entity(case_id, driver, user, audit, "Case", format)


@cases.get("/{case_id}/network", response_model=GraphOut, summary="A case and its neighbourhood (investigator)")
def get_case_network(case_id: str, driver: DriverDep, user: Investigator, audit: AuditDep, depth: DepthQ = 2,
                     labels: LabelsQ = None, types: TypesQ = None, since: DateQ = None, until: DateQ = None,
                     agency: AgencyQ = None, limit: LimitQ = 500, format: FormatQ = Format.json) -> Any:
    return neighbourhood_view(driver, user, audit, case_id, "Case", depth, labels, types, since, until, agency,
                              limit, format)


@paths.get("/shortest", response_model=GraphOut, summary="Shortest path between two entities (investigator)")
def get_shortest_path(
    driver: DriverDep, user: Investigator, audit: AuditDep,
    from_id: Annotated[str, Query(min_length=1, max_length=200)],
    to_id: Annotated[str, Query(min_length=1, max_length=200)],
    max_length: Annotated[int, Query(ge=1, le=10)] = 6,
    types: TypesQ = None,
    format: FormatQ = Format.json,
) -> Any:
    from graph.explore import shortest_path

    data = shortest_path(driver, from_id, to_id, max_length=max_length, rel_types=_types(types),
                         user=visibility(user))
    if data is None:
        raise NotFound("one of the two entities does not exist", {"from_id": from_id, "to_id": to_id})
    audit(user, "read_personal", f"{from_id}..{to_id}", view="shortest_path", length=data["length"])
    if format is Format.html:
        title = f"Shortest path {from_id} → {to_id}" + ("" if data["length"] is not None else " (none found)")
        return _network_html(data, title, from_id)
    return data


router.include_router(entities)
router.include_router(cases)
router.include_router(paths)
