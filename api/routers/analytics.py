"""Brokers, communities and key players for one case, a set of cases or everything."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from ..deps import AuditDep, DriverDep, Investigator, visibility
from ..errors import BadRequest
from ._common import Format, FormatQ, TableOut, check_cases, html_table, table_out

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

CasesQ = Annotated[str | None, Query(description="comma-separated case ids (default: everything)", max_length=4000)]
_SAMPLE_ABOVE = 3000  # exact betweenness below, 500 sampled pivots above


def _network(driver: Any, user: Any, cases: str | None) -> tuple[Any, list[str] | None]:
    from graph.explore import compartment, restrict_network
    from graph.projection import person_network

    comp = compartment(driver, visibility(user))
    ids = check_cases(driver, cases, comp)
    return restrict_network(driver, person_network(driver, ids), comp), ids


@router.get("/brokers", response_model=TableOut, summary="Rank brokers (investigator)")
def brokers(driver: DriverDep, user: Investigator, audit: AuditDep, cases: CasesQ = None,
            group: Annotated[str, Query(pattern=r"^[a-z_]{1,30}$")] = "nationality",
            top: Annotated[int, Query(ge=1, le=1000)] = 50, format: FormatQ = Format.json) -> Any:
    from analytics.brokers import rank_brokers

    G, ids = _network(driver, user, cases)
    if group not in ("nationality", "sex", "role"):
        raise BadRequest("group must be nationality, sex or role")
    k = 500 if G.number_of_nodes() > _SAMPLE_ABOVE else None
    df = rank_brokers(G, group=group, top=top, k=k, seed=0 if k else None)
    audit(user, "read_personal", ",".join(ids or ["*"]), view="brokers", rows=len(df))
    if format is Format.html:
        from analytics.brokers import broker_subgraph
        from viz.views import render_broker_view

        H = broker_subgraph(G, df, top=min(top, 20)) if len(df) else G
        return HTMLResponse(render_broker_view(H, df, title="Brokers" + (f" — cases {', '.join(ids)}" if ids else ""),
                                               expand_url="/api/entities/{id}/neighbourhood?depth=1"))
    return table_out(df, cases=ids, group=group, sampled_pivots=k, persons=G.number_of_nodes())


@router.get("/communities", response_model=TableOut, summary="Communities (investigator)")
def communities(driver: DriverDep, user: Investigator, audit: AuditDep, cases: CasesQ = None,
                method: Annotated[str, Query(pattern="^(louvain|leiden)$")] = "louvain",
                seed: Annotated[int, Query(ge=0)] = 0, format: FormatQ = Format.json) -> Any:
    from analytics.communities import communities as run

    G, ids = _network(driver, user, cases)
    df = run(G, method=method, seed=seed)
    names = {n: d.get("name") for n, d in G.nodes(data=True)}
    df.insert(1, "name", [names.get(n) for n in df["node"]])
    audit(user, "read_personal", ",".join(ids or ["*"]), view="communities", rows=len(df))
    meta = {"cases": ids, "method": df.attrs.get("method", method), "modularity": df.attrs.get("modularity")}
    if format is Format.html:
        return html_table("Communities", table_out(df).data, user=user, links={"node": "/ui/entity/{value}"},
                          note=f"method {meta['method']}, modularity {meta['modularity']}")
    return table_out(df, **meta)


@router.get("/keyplayers", response_model=TableOut, summary="Key players to remove (investigator)")
def keyplayers(driver: DriverDep, user: Investigator, audit: AuditDep, cases: CasesQ = None,
               k: Annotated[int, Query(ge=1, le=50)] = 5, seed: Annotated[int, Query(ge=0)] = 0,
               format: FormatQ = Format.json) -> Any:
    from analytics.keyplayers import fragmentation

    G, ids = _network(driver, user, cases)
    df = fragmentation(G, k, seed=seed)
    names = {n: d.get("name") for n, d in G.nodes(data=True)}
    df.insert(1, "name", [names.get(n) for n in df["node"]])
    audit(user, "read_personal", ",".join(ids or ["*"]), view="keyplayers", rows=len(df))
    if format is Format.html:
        return html_table(f"Key players (k = {k})", table_out(df).data, user=user,
                          links={"node": "/ui/entity/{value}"})
    return table_out(df, cases=ids, k=k)
