"""Saved investigations: save, list, open (re-read through the opener's scope), share, export."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from views import investigations as v
from views.models import InvestigationIn, InvestigationOut, InvestigationShare, InvestigationSummary

from ..deps import InvestigatorScope
from ._exports import FILE_RESPONSES, GraphFormat, GraphFormatQ, graph_file

router = APIRouter(prefix="/api/investigations", tags=["investigations"])
_lock = threading.Lock()

IdP = Annotated[str, Path(max_length=40, pattern=r"^inv-[0-9a-f]{16}$")]


def store(request: Request) -> v.InvestigationStore:
    """The app's investigation store (``investigations.sqlite`` beside the users database, mode 0600)."""
    st = request.app.state
    with _lock:
        if getattr(st, "investigations", None) is None:
            st.investigations = v.InvestigationStore(st.api_settings.home / "investigations.sqlite")
    return st.investigations


@router.post("", response_model=InvestigationSummary, status_code=201,
             summary="Save a network workspace: nodes, positions, filters, notes; optionally shared (investigator)")
def save(body: InvestigationIn, request: Request, scope: InvestigatorScope) -> InvestigationSummary:
    return v.save(scope, store(request), body)


@router.get("", response_model=list[InvestigationSummary],
            summary="Your investigations and those shared with you or your units (investigator)")
def list_all(request: Request, scope: InvestigatorScope) -> list[InvestigationSummary]:
    return v.list_investigations(scope, store(request))


@router.get("/{investigation_id}", response_model=InvestigationOut, responses=FILE_RESPONSES,
            summary="Open an investigation as you may see it (investigator); format= exports it")
def open_one(investigation_id: IdP, request: Request, scope: InvestigatorScope,
             format: GraphFormatQ = GraphFormat.json) -> Any:
    inv = v.open_investigation(scope, store(request), investigation_id)
    if format is GraphFormat.html:
        from .entities import network_page

        info = inv.model_dump(exclude={"graph"})
        return network_page(scope, inv.graph, f"Investigation: {inv.name}", inv.start, filters=inv.filters,
                            investigation=info, positions=inv.positions, export_url=inv.url)
    if format is not GraphFormat.json:
        return graph_file(scope, inv.graph, format, title=inv.name, target=investigation_id,
                          positions=inv.positions)
    return inv


@router.post("/{investigation_id}/share", response_model=InvestigationSummary,
             summary="Share an investigation with named users and units (its owner)")
def share(investigation_id: IdP, body: InvestigationShare, request: Request,
          scope: InvestigatorScope) -> InvestigationSummary:
    return v.share(scope, store(request), investigation_id, body.users, body.units)
