"""Alert triage (analyst): the queue of typology findings, one alert, its changes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from views import alerts as v
from views.alert_store import AlertStore
from views.models import AlertDetail, AlertRow, AlertRun, Table

from ..deps import AnalystScope
from ._common import Format, FormatQ, html_table

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


def store_of(request: Request) -> AlertStore:
    """The alert store of this app's home folder (next to users and the audit log)."""
    return v.store_at(request.app.state.api_settings.home)


class AlertChange(BaseModel):
    status: Literal["new", "assigned", "escalated", "dismissed"] | None = None
    assignee: str | None = Field(None, max_length=64)
    note: str | None = Field(None, max_length=4000)


@router.get("", response_model=Table[AlertRow], summary="The alert queue (analyst)")
def queue(request: Request, scope: AnalystScope,
          status: Annotated[str | None, Query(pattern="^(new|assigned|escalated|dismissed)$")] = None,
          account: Annotated[str | None, Query(max_length=200)] = None,
          kind: Annotated[str | None, Query(max_length=40)] = None,
          format: FormatQ = Format.json) -> Any:
    res = v.queue(scope, store_of(request), status=status, account=account, kind=kind)
    if format is Format.html:
        return html_table("Alerts", [r.model_dump() for r in res.data], user=scope,
                          links={"id": "/ui/alerts/{value}"})
    return res


@router.post("/run", response_model=AlertRun, summary="Re-run the typologies into the queue (analyst)")
def run(request: Request, scope: AnalystScope) -> AlertRun:
    return v.run(scope, store_of(request))


@router.get("/{alert_id}", response_model=AlertDetail, summary="One alert with its history and subgraph (analyst)")
def one(alert_id: str, request: Request, scope: AnalystScope) -> AlertDetail:
    return v.alert(scope, store_of(request), alert_id)


@router.post("/{alert_id}", response_model=AlertDetail, summary="Change status or assignee, or add a note (analyst)")
def change(alert_id: str, body: AlertChange, request: Request, scope: AnalystScope) -> AlertDetail:
    return v.change(scope, store_of(request), alert_id, status=body.status, assignee=body.assignee, note=body.note)
