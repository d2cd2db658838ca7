"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from ..deps import DriverDep, Viewer, get_driver, visibility
from ..errors import Unavailable

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str


class Stats(BaseModel):
    nodes: dict[str, int]
    relationships: dict[str, int]


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
def stats(driver: DriverDep, user: Viewer) -> Any:
    from graph.explore import visible_stats

    return visible_stats(driver, visibility(user))
