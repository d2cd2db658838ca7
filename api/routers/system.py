"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from views import explore as v
from views.models import Stats

from ..deps import ViewerScope, get_driver
from ..errors import Unavailable
from ._common import answer

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str


@router.get("/health", response_model=Health, summary="The process is up")
def health() -> Health:
    return Health(status="ok")


@router.get("/ready", response_model=Health, summary="Neo4j is reachable (else 503)",
            responses={503: {"description": "Neo4j not reachable"}})
def ready(request: Request) -> Health:
    drv = get_driver(request)
    try:
        drv.verify_connectivity()
    except Exception as exc:  # noqa: BLE001 - any failure: not ready
        raise Unavailable("the graph database is not reachable", {"uri": request.app.state.neo4j_settings.uri}) from exc
    return Health(status="ready")


@router.get("/api/stats", response_model=Stats, tags=["system"],
            summary="Node and relationship counts (without what is hidden from you) (viewer)")
async def stats(scope: ViewerScope) -> Any:
    return await answer(v.stats, scope)
