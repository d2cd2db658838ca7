"""Brokers, communities and key players, for a set of cases or everything.

The person network behind them is a whole-database projection, cached per
(data version, compartment, cases).  The analytics themselves are bounded:
each runs as a job process and the request waits at most the time budget
(``NETINTEL_BUDGET_SECONDS``); longer work answers with the job (202), and
work whose estimated size is beyond what a job may take answers at once
with :class:`core.errors.OverBudget` (422) naming what to narrow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx
import pandas as pd

from core.errors import InvalidInput, OverBudget
from graph.scope import Scope

from ._common import budget_seconds, cached, check_cases, table
from .cache import cache
from .jobs import run_bounded
from .models import BrokerRow, CommunityRow, KeyPlayerRow, Table

__all__ = ["person_network", "brokers", "broker_view", "communities", "keyplayers", "KEYPLAYER_MAX_SECONDS",
           "keyplayer_estimate", "GROUPS", "DEFAULT_BUDGET"]

GROUPS = ("nationality", "sex", "role")
#: ``budget=DEFAULT_BUDGET``: wait ``NETINTEL_BUDGET_SECONDS``; ``None``: wait until done (the CLI)
DEFAULT_BUDGET = -1.0
_SAMPLE_ABOVE = 3000  # exact betweenness below, 500 sampled pivots above
#: key-player searches estimated to take longer than this are refused (narrow them) rather than queued
KEYPLAYER_MAX_SECONDS = 900.0
#: the key-player search's speeds on this machine class (README, "Key players on the whole 10^6 graph"):
#: nodes + edges of a component searched per second, nodes + edges set up per second, nodes whose
#: answers are put together per second (each search's array work on the whole graph)
_DFS_VISITS_PER_SECOND = 1.0e6
_SETUP_PER_SECOND = 1.5e5
_ARRAY_NODES_PER_SECOND = 1.0e8


def person_network(scope: Scope, cases: str | Sequence[str] | None = None) -> tuple[nx.Graph, list[str] | None]:
    """The person network the scope may see (for ``cases``, or everything), cached."""
    from graph.projection import person_network as project

    ids = check_cases(scope, cases)
    G = cached(scope, "person_network", tuple(ids or ()), lambda: project(scope, ids))
    return G, ids


def _bounded(scope: Scope, kind: str, key: tuple[Any, ...], target: str, args: tuple[Any, ...],
             params: dict[str, Any], budget: float | None) -> pd.DataFrame:
    ckey = (kind, *scope.cache_key(), *key)
    hit, value = cache.peek(ckey)
    if hit:
        return value
    result: pd.DataFrame = run_bounded(scope.user, kind, ckey, target, args, budget=budget, params=params,
                                       on_result=lambda r: cache.put(ckey, r))
    return result


def _budget(budget: float | None) -> float | None:
    return budget_seconds() if budget == DEFAULT_BUDGET else budget


def brokers(scope: Scope, cases: str | Sequence[str] | None = None, *, group: str = "nationality",
            top: int = 50, budget: float | None = DEFAULT_BUDGET) -> Table[BrokerRow]:
    """Rank brokers: Gould–Fernandez roles, betweenness, constraint and a plain-language reason."""
    scope.require("investigator")
    if group not in GROUPS:
        raise InvalidInput(f"group must be one of {', '.join(GROUPS)}")
    G, ids = person_network(scope, cases)
    k = 500 if G.number_of_nodes() > _SAMPLE_ABOVE else None
    params = {"cases": ids, "group": group, "top": top}
    df = _bounded(scope, "brokers", (tuple(ids or ()), group, top), "views._work:brokers",
                  (G, group, top, k, 0 if k else None), params, _budget(budget))
    scope.audit("read_personal", ",".join(ids or ["*"]), view="brokers", rows=len(df))
    return Table[BrokerRow].model_validate(table(BrokerRow, df, cases=ids, group=group, sampled_pivots=k,
                                                 persons=G.number_of_nodes()))


def broker_view(scope: Scope, cases: str | Sequence[str] | None = None, *, group: str = "nationality",
                top: int = 50, budget: float | None = DEFAULT_BUDGET) -> tuple[nx.Graph, pd.DataFrame, list[str] | None]:
    """The broker subgraph and ranking for the broker page."""
    from analytics.brokers import broker_subgraph

    res = brokers(scope, cases, group=group, top=top, budget=budget)
    G, ids = person_network(scope, cases)
    df = pd.DataFrame([r.model_dump() for r in res.data])
    H = broker_subgraph(G, df, top=min(top, 20)) if len(df) else G
    return H, df, ids


def communities(scope: Scope, cases: str | Sequence[str] | None = None, *, method: str = "louvain",
                seed: int = 0, budget: float | None = DEFAULT_BUDGET) -> Table[CommunityRow]:
    """Communities of the person network (Louvain or Leiden)."""
    scope.require("investigator")
    if method not in ("louvain", "leiden"):
        raise InvalidInput("method must be louvain or leiden")
    G, ids = person_network(scope, cases)
    df = _bounded(scope, "communities", (tuple(ids or ()), method, seed), "views._work:communities",
                  (G, method, seed), {"cases": ids, "method": method, "seed": seed}, _budget(budget))
    scope.audit("read_personal", ",".join(ids or ["*"]), view="communities", rows=len(df))
    return Table[CommunityRow].model_validate(table(CommunityRow, df, cases=ids,
                                                    method=df.attrs.get("method", method),
                                                    modularity=df.attrs.get("modularity")))


def keyplayer_estimate(G: nx.Graph, k: int, restarts: int = 10, largest: tuple[int, int] | None = None) -> float:
    """Estimated seconds of :func:`analytics.keyplayers.fragmentation` (worst case:
    ``restarts + 2`` starts × about ``k`` passes × ``k`` searches, each of the largest
    component, ``largest`` (nodes, edges; computed when not given), and the array
    work on the whole graph), plus setting up the graph."""
    from analytics.keyplayers import largest_component

    n, m = G.number_of_nodes(), G.number_of_edges()
    ln, lm = largest_component(G) if largest is None else largest
    search = (ln + lm) / _DFS_VISITS_PER_SECOND + n / _ARRAY_NODES_PER_SECOND
    return (n + m) / _SETUP_PER_SECOND + (restarts + 2) * k * k * search


def keyplayers(scope: Scope, cases: str | Sequence[str] | None = None, *, k: int = 5, seed: int = 0,
               budget: float | None = DEFAULT_BUDGET) -> Table[KeyPlayerRow]:
    """The k persons whose removal fragments the network most (KPP-Neg)."""
    scope.require("investigator")
    if not 1 <= k <= 50:
        raise InvalidInput("k must be 1..50")
    from analytics.keyplayers import largest_component

    G, ids = person_network(scope, cases)
    largest = cached(scope, "person_network_largest", tuple(ids or ()), lambda: largest_component(G))
    est = keyplayer_estimate(G, k, largest=largest)
    if est > KEYPLAYER_MAX_SECONDS:
        # the largest k that fits, for the message
        setup, per_k2 = keyplayer_estimate(G, 0, largest=largest), keyplayer_estimate(G, 1, largest=largest)
        fit = max(1, int((max(0.0, KEYPLAYER_MAX_SECONDS - setup) / max(per_k2 - setup, 1e-12)) ** 0.5))
        raise OverBudget(
            f"key players for k={k} on {G.number_of_nodes():,} persons would take about {est / 60:.0f} minutes; "
            f"narrow it: choose cases (cases=...) or k ≤ {fit}",
            {"narrow": ["cases", "k"], "persons": G.number_of_nodes(), "relationships": G.number_of_edges(),
             "estimated_seconds": round(est), "limit_seconds": KEYPLAYER_MAX_SECONDS, "largest_k": fit})
    df = _bounded(scope, "keyplayers", (tuple(ids or ()), k, seed), "views._work:keyplayers", (G, k, seed),
                  {"cases": ids, "k": k, "seed": seed, "estimated_seconds": round(est)}, _budget(budget))
    scope.audit("read_personal", ",".join(ids or ["*"]), view="keyplayers", rows=len(df))
    return Table[KeyPlayerRow].model_validate(table(KeyPlayerRow, df, cases=ids, k=k))
