"""Brokers, communities and key players for one case, a set of cases or everything."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from views import analytics as v
from views.models import BrokerRow, CommunityRow, KeyPlayerRow, Table

from ..deps import InvestigatorScope
from ._common import ACCEPTED, html_table
from ._exports import TableFormat, TableFormatQ, export_links, table_file

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

CasesQ = Annotated[str | None, Query(description="comma-separated case ids (default: everything)", max_length=4000)]


@router.get("/brokers", response_model=Table[BrokerRow], responses=ACCEPTED, summary="Rank brokers (investigator)")
def brokers(request: Request, scope: InvestigatorScope, cases: CasesQ = None,
            group: Annotated[str, Query(pattern=r"^[a-z_]{1,30}$")] = "nationality",
            top: Annotated[int, Query(ge=1, le=1000)] = 50, format: TableFormatQ = TableFormat.json) -> Any:
    if format in (TableFormat.csv, TableFormat.xlsx):
        res = v.brokers(scope, cases, group=group, top=top)
        return table_file(scope, [r.model_dump() for r in res.data], format, title="brokers", target="brokers")
    if format is TableFormat.html:
        from viz.views import render_broker_view

        H, df, ids = v.broker_view(scope, cases, group=group, top=top)
        return HTMLResponse(render_broker_view(H, df, title="Brokers" + (f" — cases {', '.join(ids)}" if ids else ""),
                                               expand_url="/api/entities/{id}/neighbourhood?depth=1",
                                               user=scope.user, role=scope.role,
                                               downloads=export_links(request, ("csv", "xlsx"))))
    return v.brokers(scope, cases, group=group, top=top)


@router.get("/communities", response_model=Table[CommunityRow], responses=ACCEPTED,
            summary="Communities (investigator)")
def communities(request: Request, scope: InvestigatorScope, cases: CasesQ = None,
                method: Annotated[str, Query(pattern="^(louvain|leiden)$")] = "louvain",
                seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 0, format: TableFormatQ = TableFormat.json) -> Any:
    res = v.communities(scope, cases, method=method, seed=seed)
    if format in (TableFormat.csv, TableFormat.xlsx):
        return table_file(scope, [r.model_dump() for r in res.data], format, title="communities",
                          target="communities")
    if format is TableFormat.html:
        return html_table("Communities", [r.model_dump() for r in res.data], user=scope,
                          links={"node": "/ui/entity/{value}"}, extra_links=export_links(request, ("csv", "xlsx")),
                          note=f"method {res.meta.get('method')}, modularity {res.meta.get('modularity')}")
    return res


@router.get("/keyplayers", response_model=Table[KeyPlayerRow], responses=ACCEPTED,
            summary="Key players to remove (investigator; large networks run as a job)")
def keyplayers(request: Request, scope: InvestigatorScope, cases: CasesQ = None,
               k: Annotated[int, Query(ge=1, le=50)] = 5, seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 0,
               format: TableFormatQ = TableFormat.json) -> Any:
    res = v.keyplayers(scope, cases, k=k, seed=seed)
    if format in (TableFormat.csv, TableFormat.xlsx):
        return table_file(scope, [r.model_dump() for r in res.data], format, title="key players",
                          target="keyplayers")
    if format is TableFormat.html:
        return html_table(f"Key players (k = {k})", [r.model_dump() for r in res.data], user=scope,
                          links={"node": "/ui/entity/{value}"}, extra_links=export_links(request, ("csv", "xlsx")))
    return res
