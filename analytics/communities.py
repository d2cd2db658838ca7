"""Community detection (Louvain; Leiden when igraph is available)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx
import pandas as pd

__all__ = ["communities", "modularity"]


def _to_undirected_simple(G: nx.Graph) -> nx.Graph:
    H = nx.Graph()
    H.add_nodes_from(G.nodes)
    H.add_edges_from((u, v) for u, v in G.edges() if u != v)
    return H


def communities(
    G: nx.Graph, method: str = "louvain", seed: int | None = None, *, resolution: float = 1.0
) -> pd.DataFrame:
    """Partition the network into communities.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Edge weights are ignored; a DiGraph is used as is by Louvain
        (directed modularity) and made undirected for Leiden.
    method : {"louvain", "leiden"}
        ``"louvain"``: :func:`networkx.community.louvain_communities`.
        ``"leiden"``: the ``leidenalg`` package if installed, otherwise
        python-igraph's built-in ``community_leiden`` (modularity
        objective); raises ``ImportError`` if neither is installed.
    seed : int, optional
        Random seed (results of both methods depend on it).
    resolution : float, default 1.0
        Modularity resolution γ (larger → smaller communities).

    Returns
    -------
    pandas.DataFrame
        ``node, community`` with communities numbered 0, 1, … by decreasing
        size (ties by first node).  ``.attrs["modularity"]`` holds the
        modularity of the partition (computed on ``G`` by NetworkX) and
        ``.attrs["method"]`` the method used.

    References
    ----------
    Blondel, V. D. et al. (2008). Fast unfolding of communities in large
    networks. *J. Stat. Mech.* P10008. https://doi.org/10.1088/1742-5468/2008/10/P10008

    Traag, V. A., Waltman, L. & van Eck, N. J. (2019). From Louvain to
    Leiden: guaranteeing well-connected communities. *Sci. Rep.* 9, 5233.
    https://doi.org/10.1038/s41598-019-41695-z

    Examples
    --------
    >>> G = nx.barbell_graph(4, 0)
    >>> df = communities(G, seed=1)
    >>> sorted(df.groupby("community").node.apply(sorted).tolist())
    [[0, 1, 2, 3], [4, 5, 6, 7]]
    >>> round(df.attrs["modularity"], 4)
    0.4231
    """
    H = G if G.is_directed() else _to_undirected_simple(G)
    if method == "louvain":
        parts = nx.community.louvain_communities(H, weight=None, resolution=resolution, seed=seed)
    elif method == "leiden":
        parts = _leiden(_to_undirected_simple(G), seed, resolution)
    else:
        raise ValueError(f"unknown method {method!r} (louvain or leiden)")
    return _frame(G, parts, method, resolution)


def _leiden(H: nx.Graph, seed: int | None, resolution: float) -> list[set[Hashable]]:
    """Leiden through leidenalg (preferred) or igraph's own implementation."""
    try:
        import igraph as ig
    except ImportError as exc:  # pragma: no cover - igraph is a dev dependency
        raise ImportError("method='leiden' needs python-igraph (pip install python-igraph)") from exc
    nodes = list(H.nodes)
    idx = {v: i for i, v in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=[(idx[u], idx[v]) for u, v in H.edges()])
    try:
        import leidenalg

        part = leidenalg.find_partition(
            g, leidenalg.RBConfigurationVertexPartition, resolution_parameter=resolution, seed=seed
        )
        membership = list(part.membership)
    except ImportError:
        if seed is not None:
            import random

            random.seed(seed)
            ig.set_random_number_generator(random)
        membership = g.community_leiden(objective_function="modularity", resolution=resolution,
                                         n_iterations=-1).membership
    groups: dict[int, set[Hashable]] = {}
    for v, m in zip(nodes, membership, strict=True):
        groups.setdefault(m, set()).add(v)
    return list(groups.values())


def _frame(G: nx.Graph, parts: Iterable[set[Hashable]], method: str, resolution: float) -> pd.DataFrame:
    pos = {v: i for i, v in enumerate(G.nodes)}
    ordered = sorted((set(p) for p in parts), key=lambda p: (-len(p), min(pos[v] for v in p)))
    label = {v: c for c, p in enumerate(ordered) for v in p}
    df = pd.DataFrame({"node": list(G.nodes), "community": [label[v] for v in G.nodes]})
    df.attrs["modularity"] = modularity(G, df, resolution=resolution)
    df.attrs["method"] = method
    return df


def modularity(G: nx.Graph, partition: pd.DataFrame, *, resolution: float = 1.0) -> float:
    """Newman modularity of a ``node, community`` partition (unweighted).

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    partition : pandas.DataFrame
        With columns ``node`` and ``community`` covering every node.
    resolution : float, default 1.0

    Returns
    -------
    float

    Examples
    --------
    >>> G = nx.Graph([(0, 1), (2, 3)])
    >>> modularity(G, pd.DataFrame({"node": [0, 1, 2, 3], "community": [0, 0, 1, 1]}))
    0.5
    """
    H = G if G.is_directed() else _to_undirected_simple(G)
    if H.number_of_edges() == 0:
        return float("nan")
    parts = partition.groupby("community")["node"].apply(set).tolist()
    return float(nx.community.modularity(H, parts, weight=None, resolution=resolution))
