"""Ready-made network views: brokers, one case, a money trail.

Each returns a standalone offline HTML page (see :mod:`viz.network`) with the
site header, so an API route can call one function and return the string.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx
import pandas as pd

from viz.network import GF_ROLE_COLOURS, _page, network_payload

__all__ = ["render_broker_view", "render_case_view", "render_money_trail", "GF_ROLE_DESCRIPTIONS"]

#: Gould & Fernandez (1989) brokerage roles, relative to a group attribute
#: (here: nationality).  Broker B on a path A -> B -> C.
GF_ROLE_DESCRIPTIONS: dict[str, str] = {
    "coordinator": "A, B, C all in one group",
    "itinerant": "A and C in one group, B in another",
    "representative": "B in A's group, passes to another group",
    "gatekeeper": "B in C's group, receives from another group",
    "liaison": "A, B, C in three different groups",
}

_NODE_COLS = ("node", "person_id", "id")
_SCORE_COLS = ("broker_score", "score", "betweenness")


def _first(cols: tuple[str, ...], df: pd.DataFrame) -> str | None:
    return next((c for c in cols if c in df.columns), None)


def _broker_roles(brokers_df: pd.DataFrame, node_col: str) -> dict[Hashable, str]:
    if "role" in brokers_df.columns:
        # a broker by betweenness alone has no Gould–Fernandez role (""): sized by its score, not outlined
        return {r[node_col]: str(r["role"]) for _, r in brokers_df.iterrows() if pd.notna(r["role"]) and str(r["role"])}
    role_cols = [c for c in GF_ROLE_COLOURS if c in brokers_df.columns]
    out: dict[Hashable, str] = {}
    for _, r in brokers_df.iterrows():
        counts = {c: float(r[c]) for c in role_cols if pd.notna(r[c]) and float(r[c]) > 0}
        if counts:
            out[r[node_col]] = max(counts, key=lambda c: counts[c])
    return out


def render_broker_view(
    G: nx.Graph,
    brokers_df: pd.DataFrame,
    *,
    title: str = "Broker network",
    expand_url: str | None = None,
    fixed_layout_threshold: int = 300,
    user: str | None = None,
    role: str | None = None,
    downloads: list[tuple[str, str]] | None = None,
) -> str:
    """Network page with brokers outlined by their Gould–Fernandez role.

    Parameters
    ----------
    G : networkx.Graph
        Person network (nodes with ``label``, ``name`` ...).
    brokers_df : pandas.DataFrame
        One row per broker: a node id column (``node``, ``person_id`` or ``id``),
        either a ``role`` column or one count column per Gould–Fernandez role
        (the largest wins), and optionally ``broker_score``/``score`` (node size).
    title, expand_url, fixed_layout_threshold, user, role
        As in :func:`viz.network.render_network`.
    downloads : list of (text, href), optional
        Links to the ranked broker table in other formats (CSV, XLSX), shown in the header.

    Returns
    -------
    str
        Standalone HTML; the legend lists the five roles.

    References
    ----------
    Gould, R. V., & Fernandez, R. M. (1989). Structures of mediation: A formal
    approach to brokerage in transaction networks. Sociological Methodology 19,
    89–126. https://doi.org/10.2307/270949

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"])
    >>> nx.set_node_attributes(G, "Person", "label")
    >>> df = pd.DataFrame({"node": ["b"], "role": ["liaison"], "broker_score": [1.0]})
    >>> "liaison" in render_broker_view(G, df)
    True
    """
    node_col = _first(_NODE_COLS, brokers_df)
    if node_col is None:
        raise ValueError(f"brokers_df needs a node id column, one of {_NODE_COLS}")
    H = G.copy()
    score_col = _first(_SCORE_COLS, brokers_df)
    if score_col is not None:
        for _, r in brokers_df.iterrows():
            if r[node_col] in H and pd.notna(r[score_col]):
                H.nodes[r[node_col]]["score"] = float(r[score_col])
    roles = {n: gf for n, gf in _broker_roles(brokers_df, node_col).items() if n in H}
    for n, gf in roles.items():
        H.nodes[n]["broker_role"] = gf
    payload = network_payload(H, highlight=roles, size_attr="score" if score_col else None,
                              expand_url=expand_url, fixed_layout_threshold=fixed_layout_threshold,
                              highlight_title="Gould–Fernandez broker roles")
    payload["legend"]["highlight"] = [[f"{r}: {d}", GF_ROLE_COLOURS[r]] for r, d in GF_ROLE_DESCRIPTIONS.items()] + [
        [t, c] for t, c in payload["legend"]["highlight"] if t not in GF_ROLE_COLOURS
    ]
    return _page(title, payload, user=user, role=role, downloads=downloads)


def render_case_view(
    G: nx.Graph,
    case_id: Hashable,
    *,
    depth: int = 2,
    title: str | None = None,
    expand_url: str | None = None,
    user: str | None = None,
    role: str | None = None,
) -> str:
    """Network page of everything within ``depth`` hops of one case.

    ``user`` and ``role`` (optional) are shown in the site header.

    Raises
    ------
    KeyError
        If ``case_id`` is not a node of ``G``.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c1", label="Case", name="DSI 12/2567")
    >>> G.add_node("p1", label="Person", name="Aung")
    >>> G.add_edge("p1", "c1", type="INVOLVED_IN", role="victim")
    >>> "DSI 12/2567" in render_case_view(G, "c1")
    True
    """
    if case_id not in G:
        raise KeyError(f"case {case_id!r} is not in the graph")
    sub = nx.ego_graph(G, case_id, radius=depth, undirected=True)
    name = G.nodes[case_id].get("name") or case_id
    payload = network_payload(sub, highlight={case_id: "this case"}, expand_url=expand_url)
    return _page(title or f"Case {name}", payload, user=user, role=role)


def _money_levels(hops: pd.DataFrame) -> dict[Hashable, int]:
    """Left-to-right level: an account sits one step right of the account that first paid it."""
    level: dict[Hashable, int] = {}
    for _, r in hops.iterrows():
        level.setdefault(r["source"], 0)
        if r["target"] not in level:
            level[r["target"]] = level[r["source"]] + 1
    return level


def render_money_trail(
    hops_df: pd.DataFrame,
    *,
    title: str = "Money trail",
    accounts: Mapping[Hashable, Mapping[str, Any]] | None = None,
    highlight: Any = None,
    user: str | None = None,
    role: str | None = None,
) -> str:
    """Time-ordered money trail, laid out left to right, amounts and dates on edges.

    Parameters
    ----------
    hops_df : pandas.DataFrame
        Rows ``path_id, hop, txn_id, source, target, amount, currency, at``
        (source/target are account ids).  A transfer on several paths is drawn once.
    title : str
        Page heading.
    accounts : mapping account id -> attributes, optional
        Extra node attributes (``name``, ``holder_name``, ``bank_code``, provenance ...).
    highlight : iterable or mapping, optional
        As in :func:`viz.network.render_network` (e.g. the traced account).
    user, role : str, optional
        Who is logged in, shown in the site header.

    Examples
    --------
    >>> hops = pd.DataFrame({"path_id": [0, 0], "hop": [1, 2], "txn_id": ["t1", "t2"],
    ...     "source": ["A", "B"], "target": ["B", "C"], "amount": [1e6, 9.5e5],
    ...     "currency": ["THB", "THB"], "at": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 15:00"])})
    >>> "950,000 THB" in render_money_trail(hops)
    True
    """
    hops = hops_df.copy()
    hops["at"] = pd.to_datetime(hops["at"])
    hops = hops.sort_values(["at", "path_id", "hop"], kind="stable")
    accounts = accounts or {}
    G = nx.MultiDiGraph()
    for acc in pd.unique(pd.concat([hops["source"], hops["target"]])):
        attrs = {"label": "BankAccount", "name": str(acc), **dict(accounts.get(acc, {}))}
        if "name" not in accounts.get(acc, {}) and accounts.get(acc, {}).get("holder_name"):
            attrs["name"] = f"{accounts[acc]['holder_name']} ({acc})"
        G.add_node(acc, **attrs)
    for txn, grp in hops.groupby("txn_id", sort=False):
        r = grp.iloc[0]
        at = r["at"]
        G.add_edge(
            r["source"], r["target"], key=txn, type="TRANSFERRED", txn_id=str(txn),
            amount=float(r["amount"]), currency=str(r["currency"]),
            at=at.strftime("%Y-%m-%d %H:%M") if pd.notna(at) else "",
            paths=sorted({str(p) for p in grp["path_id"]}),
            _edge_label=f"{float(r['amount']):,.0f} {r['currency']}\n"
                        + (at.strftime("%Y-%m-%d %H:%M") if pd.notna(at) else ""),
        )
    payload = network_payload(G, highlight=highlight, edge_label_attr="_edge_label", levels=_money_levels(hops))
    return _page(title, payload, user=user, role=role)
