"""Broker ranking: one row per person with a score and a reason an investigator can read.

Combines three views of brokerage — shortest-path betweenness (who lies on
the routes between others), Burt's constraint (who has structural holes
around them) and Gould–Fernandez brokerage (who connects *groups*, e.g.
nationalities) — into one score, and explains each person's row in words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from analytics.brokerage import ROLES, GroupSpec, _groups, brokered_triples, gould_fernandez
from analytics.centrality import betweenness, constraint

__all__ = ["rank_brokers", "broker_subgraph"]

#: Which role names the reason when two roles have the same count.
_ROLE_PREFERENCE = ("gatekeeper", "representative", "liaison", "itinerant", "coordinator")


def _share_below(x: pd.Series) -> pd.Series:
    """Share of the *other* nodes with a strictly lower value: 0 for the minimum, 1 for a unique maximum."""
    n = len(x)
    if n < 2:
        return pd.Series(np.zeros(n), index=x.index)
    return (x.rank(method="min") - 1) / (n - 1)


def _word(G: nx.Graph, v: Hashable) -> str:
    """What a node is, for the reason text: its ``role``, else its ``label``, else 'person'."""
    d = G.nodes[v]
    w = d.get("role") or d.get("label")
    return str(w).lower() if w else "person"


def _plural(word: str, count: int) -> str:
    if count == 1:
        return word
    if word == "person":
        return "people"
    return word if word.endswith("s") else word + "s"


def _describe(G: nx.Graph, nodes: set[Hashable], grp: dict[Hashable, Hashable]) -> str:
    """'2 MMR recruiters, 1 THA employer and 1 THA transporter' (largest first; '3 people of group 2' for codes)."""
    by: Counter[tuple[str, str]] = Counter()
    for v in nodes:
        by[(str(grp[v]), _word(G, v))] += 1
    parts = [
        f"{c} {g} {_plural(w, c)}" if any(ch.isalpha() for ch in g) else f"{c} {_plural(w, c)} of group {g}"
        for (g, w), c in sorted(by.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _dominant(counts: dict[str, int]) -> list[str]:
    """Roles with at least half of the node's largest role count, largest first."""
    top = max(counts.values(), default=0)
    if top == 0:
        return []
    keep = [r for r in _ROLE_PREFERENCE if counts[r] * 2 >= top]
    return sorted(keep, key=lambda r: -counts[r])


def rank_brokers(
    G: nx.Graph,
    group: GroupSpec = "nationality",
    top: int | None = None,
    *,
    k: int | None = None,
    seed: int | None = None,
    fill: Hashable = "unknown",
) -> pd.DataFrame:
    """Rank every person as a broker, with the Gould–Fernandez roles and a reason.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Person network (e.g. :func:`graph.projection.person_network`).
    group : str or mapping, default "nationality"
        Node attribute (or mapping node → group) for the brokerage roles.
    top : int, optional
        Return only the ``top`` best-ranked rows.
    k, seed : int, optional
        Pivot sampling for betweenness (see :func:`analytics.centrality.betweenness`);
        exact when ``k`` is None.
    fill : hashable, default "unknown"
        Group of persons without one (they count as one more group).

    Returns
    -------
    pandas.DataFrame
        Sorted by ``rank``; columns ``node, rank, score, role, roles,
        groups_bridged, betweenness, betweenness_rank, constraint,
        brokerage_total, coordinator, itinerant, representative, gatekeeper,
        liaison, reason`` (plus ``name`` when nodes have one).

    Notes
    -----
    ``score`` = mean of three percentile scores, each the share of the other
    persons with a strictly lower value (0 = lowest, 1 = highest) of:
    betweenness, 1 − constraint (isolated persons count as fully
    constrained) and the Gould–Fernandez total.  Equal weights keep it
    explainable; every component is also in the row.  ``rank`` 1 is the
    highest score (ties share the rank, ordered by betweenness).  ``roles``
    lists the Gould–Fernandez roles with at least half of the person's
    largest role count; ``role`` is the first of them.  In an undirected
    network gatekeeper and representative counts are always equal (the
    direction of a tie is unknown), so the reason then says
    "gatekeeper/representative".  ``groups_bridged`` are the groups of the
    person and of everyone in a pair they broker across groups (empty when
    they broker none; their own group only for pure coordinators).

    References
    ----------
    Gould & Fernandez (1989), https://doi.org/10.2307/270949 ; Burt (1992),
    *Structural Holes*; Morselli, C. (2010). Assessing vulnerable and
    strategic positions in a criminal network. *J. Contemporary Criminal
    Justice* 26(4), 382–392. https://doi.org/10.1177/1043986210377105

    Examples
    --------
    >>> G = nx.Graph([("r1", "b"), ("r2", "b"), ("b", "e1")])
    >>> nx.set_node_attributes(G, {"r1": "MMR", "r2": "MMR", "b": "THA", "e1": "THA"}, "nationality")
    >>> nx.set_node_attributes(G, {"r1": "recruiter", "r2": "recruiter", "b": "broker", "e1": "employer"}, "role")
    >>> df = rank_brokers(G)
    >>> df.iloc[0].node, df.iloc[0].reason
    ('b', 'links 2 MMR recruiters and 1 THA employer as gatekeeper/representative (2 of 3 brokered pairs; betweenness rank 1 of 4)')
    """
    grp = _groups(G, group, fill)
    nodes = list(G.nodes)
    n = len(nodes)
    gf = gould_fernandez(G, grp)
    bt = betweenness(G, k=k, seed=seed, backend="auto")  # igraph's C code (exact or on sampled pivots) when installed
    con = constraint(G)
    df = pd.DataFrame({"node": nodes})
    df["betweenness"] = bt["betweenness"].to_numpy()
    df["constraint"] = con["constraint"].to_numpy()
    df["brokerage_total"] = gf["total"].to_numpy()
    for r in ROLES:
        df[r] = gf[r].to_numpy()
    openness = (1 - df["constraint"]).fillna(0.0)
    df["score"] = (
        _share_below(df["betweenness"]) + _share_below(openness) + _share_below(df["brokerage_total"].astype(float))
    ) / 3
    df["betweenness_rank"] = df["betweenness"].rank(method="min", ascending=False).astype(int)
    order = df.sort_values(["score", "betweenness"], ascending=False, kind="stable").index
    df["rank"] = df["score"].rank(method="min", ascending=False).astype(int)
    df = df.loc[order].reset_index(drop=True)
    if top is not None:
        df = df.head(top).copy()

    # endpoints of every brokered pair, per broker and role (only for the rows we return)
    ends: dict[Hashable, dict[str, tuple[set[Hashable], set[Hashable]]]] = {
        v: {r: (set(), set()) for r in ROLES} for v in df["node"]
    }
    for a, b, c, role in brokered_triples(G, grp, nodes=list(df["node"])):
        src, dst = ends[b][role]
        src.add(a)
        dst.add(c)

    directed = G.is_directed()
    roles_col, role_col, bridged_col, reason_col = [], [], [], []
    for row in df.itertuples(index=False):
        v = row.node
        counts = {r: int(getattr(row, r)) for r in ROLES}
        dom = _dominant(counts)
        if not directed and {"gatekeeper", "representative"} <= set(dom):
            dom = ["gatekeeper", "representative"] + [r for r in dom if r not in ("gatekeeper", "representative")]
        roles_col.append(dom)
        role_col.append(dom[0] if dom else "")
        cross = set()
        for r in ROLES[1:]:
            s, t = ends[v][r]
            cross |= s | t
        if cross:
            bridged = sorted({grp[v], *(grp[u] for u in cross)}, key=str)
        elif counts["coordinator"]:
            bridged = [grp[v]]
        else:
            bridged = []
        bridged_col.append(bridged)
        reason_col.append(_reason(G, v, row, dom, ends[v], grp, directed, n))
    df["roles"] = roles_col
    df["role"] = role_col
    df["groups_bridged"] = bridged_col
    df["reason"] = reason_col
    cols = ["node", "rank", "score", "role", "roles", "groups_bridged", "betweenness", "betweenness_rank",
            "constraint", "brokerage_total", *ROLES, "reason"]
    if any("name" in G.nodes[v] for v in df["node"]):
        df["name"] = [G.nodes[v].get("name") for v in df["node"]]
        cols.insert(1, "name")
    return df[cols]


def _reason(
    G: nx.Graph,
    v: Hashable,
    row: Any,
    dom: list[str],
    ends: dict[str, tuple[set[Hashable], set[Hashable]]],
    grp: dict[Hashable, Hashable],
    directed: bool,
    n: int,
) -> str:
    """Plain-language explanation of one broker row."""
    rank_txt = f"betweenness rank {row.betweenness_rank} of {n}" if row.betweenness > 0 else "betweenness 0"
    contacts = len(set(nx.all_neighbors(G, v)) - {v}) if directed else len(set(G[v]) - {v})
    if contacts == 0:
        return "no ties in this network"
    if not dom:
        if contacts == 1:
            return "a single contact: brokers no pairs"
        return f"brokers no pairs: its {contacts} contacts are directly connected to each other ({rank_txt})"
    used: tuple[str, ...]
    if not directed and dom[:2] == ["gatekeeper", "representative"]:
        label, used = "gatekeeper/representative", ("gatekeeper", "representative")
    else:
        label, used = dom[0], (dom[0],)
    src: set[Hashable] = set()
    dst: set[Hashable] = set()
    for r in used:
        src |= ends[r][0]
        dst |= ends[r][1]
    # ordered pairs as in sna; an undirected tie brokers each unordered pair twice
    per = 1 if directed else 2
    total = int(row.brokerage_total) // per
    mine = sum(int(getattr(row, r)) for r in used) // per
    pairs = f"{mine} of {total} brokered pairs" if mine != total else f"{total} brokered pair{'s' if total != 1 else ''}"
    if directed:
        what = f"links {_describe(G, src, grp)} to {_describe(G, dst, grp)}"
    else:
        what = f"links {_describe(G, src | dst, grp)}"
    return f"{what} as {label} ({pairs}; {rank_txt})"


def broker_subgraph(G: nx.Graph, brokers_df: pd.DataFrame, top: int = 10, radius: int = 1) -> nx.Graph:
    """The broker network: the top brokers and everyone within ``radius`` ties of them.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    brokers_df : pandas.DataFrame
        Output of :func:`rank_brokers` (needs ``node`` and ``rank``).
    top : int, default 10
        How many of the best-ranked brokers to centre on.
    radius : int, default 1
        Hops around each broker (ties followed in both directions).

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        Induced subgraph (a copy) with node attributes ``broker`` (bool),
        ``broker_rank``, ``broker_score`` and ``broker_reason`` on the top
        brokers.

    Examples
    --------
    >>> G = nx.path_graph(6)
    >>> df = rank_brokers(G, group={v: 0 for v in G})
    >>> sorted(broker_subgraph(G, df, top=1, radius=1).nodes)
    [1, 2, 3]
    """
    best = brokers_df.sort_values("rank", kind="stable").head(top)
    keep: set[Hashable] = set()
    for v in best["node"]:
        if v in G:
            keep |= set(nx.ego_graph(G, v, radius=radius, undirected=True).nodes)
    H = G.subgraph(keep).copy()
    nx.set_node_attributes(H, False, "broker")
    for row in best.itertuples(index=False):
        if row.node in H:
            H.nodes[row.node].update(broker=True, broker_rank=int(row.rank), broker_score=float(row.score),
                                     broker_reason=getattr(row, "reason", ""))
    return H
