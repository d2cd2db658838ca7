"""Betweenness (exact and pivot-sampled) and Burt's structural-hole measures.

All functions take a NetworkX graph and return a tidy DataFrame with a
``node`` column and one column per measure, in graph node order.
"""

from __future__ import annotations

import random
from collections.abc import Hashable

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["betweenness", "betweenness_error_bound", "constraint", "effective_size"]


def betweenness(
    G: nx.Graph, k: int | None = None, seed: int | None = None, *, backend: str = "networkx"
) -> pd.DataFrame:
    """Shortest-path betweenness, unnormalised and unweighted.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Directed paths are used for a DiGraph.  Edge weights are ignored.
    k : int, optional
        ``None`` (default): exact (Brandes 2001, O(nm)).  Otherwise the
        number of pivots (source nodes) sampled uniformly without
        replacement; the partial sums are rescaled so that the result is an
        unbiased estimate of the exact value (NetworkX ≥ 3.5 rescaling:
        ``(n-1)/k`` for non-pivot nodes, ``(n-1)/(k-1)`` for pivot nodes).
    seed : int, optional
        Seed of the pivot sample (only used when ``k`` is given).
    backend : {"networkx", "igraph", "auto"}
        ``"igraph"`` computes with python-igraph's C implementation (much
        faster): exact, or for ``k`` pivots the same pivots NetworkX would
        draw for ``seed`` (``random.Random(seed).sample``) summed by igraph's
        subset betweenness and rescaled as NetworkX does, so both backends
        give the same numbers; ``"auto"`` uses igraph when it is installed,
        NetworkX otherwise.

    Returns
    -------
    pandas.DataFrame
        ``node, betweenness``.  For an undirected graph each unordered pair
        {s, t} is counted once (as UCINET, igraph and ``sna`` with
        ``gmode="graph"``); for a DiGraph every ordered pair.

    Notes
    -----
    **Error of the sampled estimate.**  With ``k`` pivots each node's
    estimate is an average of k bounded terms: a pivot s contributes its
    dependency δ_s(v) ∈ [0, n-2] (Brandes & Pich 2007).  By Hoeffding's
    inequality (which also holds for sampling without replacement)

        P(|b̂(v) − b(v)| ≥ ε · c · n (n-2)) ≤ 2 exp(−2 k ε²),

    with c = 1 for a DiGraph and c = 1/2 for an undirected graph, and over
    all n nodes at once (union bound) P(max_v error ≥ ε c n(n-2)) ≤
    2 n exp(−2 k ε²).  So k = ln(2n/α) / (2 ε²) pivots bound every node's
    error by ε c n(n-2) with probability 1-α; see
    :func:`betweenness_error_bound`.  The bound is loose (measured maximum
    errors were 3–20× below it), but source sampling is noisy for nodes next
    to a pivot, and rankings of nodes with middling betweenness are unstable.
    Measured with ``python bench/analytics_brokers.py`` (seed 1, results in
    ``bench/results/analytics_brokers.json``), against exact values:

    ============================ ======= ===== ========== ==============
    graph                        n       k     Spearman ρ top-1 % recall
    ============================ ======= ===== ========== ==============
    Barabási–Albert, m = 2       1 000   100   0.92       0.9
    Barabási–Albert, m = 2       10 000  200   0.93       0.79
    G(n, m), mean degree 4       1 000   200   0.95       0.7
    G(n, m), mean degree 4       10 000  200   0.90       0.2
    ============================ ======= ===== ========== ==============

    So sampling finds the few dominant hubs of a heavy-tailed network but
    not the top 1 % of a homogeneous one; use exact values (or
    ``backend="igraph"``) whenever the graph allows it.

    References
    ----------
    Brandes, U. (2001). A faster algorithm for betweenness centrality.
    *J. Math. Sociology* 25(2), 163–177. https://doi.org/10.1080/0022250X.2001.9990249

    Brandes, U. & Pich, C. (2007). Centrality estimation in large networks.
    *Int. J. Bifurcation and Chaos* 17(7), 2303–2318. https://doi.org/10.1142/S0218127407018403

    Examples
    --------
    >>> betweenness(nx.path_graph(3)).betweenness.tolist()
    [0.0, 1.0, 0.0]
    >>> betweenness(nx.DiGraph([(0, 1), (1, 2)])).betweenness.tolist()
    [0.0, 1.0, 0.0]
    """
    H = _simple(G)
    if backend == "auto":
        backend = "igraph" if _has_igraph() else "networkx"
    if k is not None and k >= H.number_of_nodes():
        k = None
    if backend == "igraph":
        values = _igraph_betweenness(H) if k is None else _igraph_sampled_betweenness(H, k, seed)
    elif backend == "networkx":
        bc = nx.betweenness_centrality(H, k=k, normalized=False, seed=seed)
        values = [bc[v] for v in H.nodes]
    else:
        raise ValueError(f"unknown backend {backend!r}")
    return pd.DataFrame({"node": list(H.nodes), "betweenness": np.asarray(values, dtype=float)})


def betweenness_error_bound(n: int, k: int, alpha: float = 0.05, *, directed: bool = False) -> float:
    """Hoeffding bound on the absolute error of pivot-sampled betweenness.

    With probability at least ``1 - alpha`` every node's estimate from
    :func:`betweenness` with ``k`` pivots is within the returned value of its
    exact (unnormalised) betweenness: ``c n (n-2) sqrt(ln(2n/alpha) / (2k))``,
    c = 1 directed, 1/2 undirected.

    Parameters
    ----------
    n : int
        Number of nodes.
    k : int
        Number of pivots.
    alpha : float
        Failure probability for all nodes together.
    directed : bool

    Returns
    -------
    float

    Examples
    --------
    >>> round(betweenness_error_bound(1000, 1000, 0.05) / (0.5 * 1000 * 998), 3)
    0.073
    """
    c = 1.0 if directed else 0.5
    return float(c * n * (n - 2) * np.sqrt(np.log(2 * n / alpha) / (2 * k)))


def _simple(G: nx.Graph) -> nx.Graph:
    """Copy without self-loops, parallel edges or weights (keeps node order)."""
    H = nx.DiGraph() if G.is_directed() else nx.Graph()
    H.add_nodes_from(G.nodes)
    H.add_edges_from((u, v) for u, v in G.edges() if u != v)
    return H


def _has_igraph() -> bool:
    try:
        import igraph  # noqa: F401
    except ImportError:
        return False
    return True


def _igraph_betweenness(H: nx.Graph) -> list[float]:
    """Exact betweenness through python-igraph (same counting convention as NetworkX)."""
    import igraph as ig

    idx = {v: i for i, v in enumerate(H.nodes)}
    g = ig.Graph(n=len(idx), edges=[(idx[u], idx[v]) for u, v in H.edges()], directed=H.is_directed())
    return [float(x) for x in g.betweenness(directed=H.is_directed())]


def _igraph_sampled_betweenness(H: nx.Graph, k: int, seed: int | None) -> list[float]:
    """Source-sampled betweenness through igraph, equal to NetworkX's for the same ``seed``.

    NetworkX samples ``random.Random(seed).sample(list(G), k)`` and sums each pivot's
    dependencies over ordered pairs; igraph's subset betweenness sums the same but
    halves them for an undirected graph.  The result is rescaled as NetworkX ≥ 3.5
    does without endpoints: ``(n-1)/(k-1)`` for pivots, ``(n-1)/k`` for the others,
    halved for an undirected graph.
    """
    import igraph as ig

    nodes = list(H.nodes)
    idx = {v: i for i, v in enumerate(nodes)}
    pivots = random.Random(seed).sample(nodes, k)
    directed = H.is_directed()
    g = ig.Graph(n=len(idx), edges=[(idx[u], idx[v]) for u, v in H.edges()], directed=directed)
    raw = np.asarray(g.betweenness(directed=directed, sources=[idx[s] for s in pivots]), dtype=float)
    if not directed:
        raw *= 2.0  # back to ordered pairs, as NetworkX accumulates them
    n, correction = len(nodes), (1.0 if directed else 2.0)
    scale = np.full(n, (n - 1) / (k * correction))
    scale[[idx[s] for s in pivots]] = (n - 1) / ((k - 1) * correction) if k > 1 else np.nan
    return [float(x) for x in raw * scale]


def _mutual(G: nx.Graph, weight: str | None) -> tuple[list[Hashable], sp.csr_array]:
    """Symmetric 'mutual weight' matrix S = W + Wᵀ (undirected: 2W), no self-loops."""
    nodes = list(G.nodes)
    idx = {v: i for i, v in enumerate(nodes)}
    rows, cols, vals = [], [], []
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        w = 1.0 if weight is None else float(d.get(weight, 1.0))
        rows += [idx[u], idx[v]]
        cols += [idx[v], idx[u]]
        vals += [w, w]
    n = len(nodes)
    S = sp.csr_array((vals, (rows, cols)), shape=(n, n))
    S.sum_duplicates()
    return nodes, S


def _row_scale(S: sp.csr_array, by: np.ndarray) -> sp.csr_array:
    """Divide each row of S by ``by`` (rows with by == 0 stay 0)."""
    inv = np.divide(1.0, by, out=np.zeros_like(by, dtype=float), where=by != 0)
    return sp.csr_array(sp.diags_array(inv) @ S)


def constraint(G: nx.Graph, weight: str | None = None) -> pd.DataFrame:
    """Burt's network constraint of every node.

    c_i = Σ_{j ∈ N(i)} (p_ij + Σ_{q ∈ N(i), q ≠ i, j} p_iq p_qj)², where
    p_ij = (w_ij + w_ji) / Σ_k (w_ik + w_ki) is the share of i's ties
    invested in j (in- and out-arcs together for a DiGraph).  Low constraint
    = many structural holes = brokerage opportunity.  Same definition as
    :func:`networkx.constraint`, computed with sparse matrices.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    weight : str, optional
        Edge attribute used as tie strength (default: every tie 1).

    Returns
    -------
    pandas.DataFrame
        ``node, constraint``; NaN for isolated nodes.

    References
    ----------
    Burt, R. S. (1992). *Structural Holes: The Social Structure of
    Competition*. Harvard University Press. https://doi.org/10.4159/9780674029095

    Examples
    --------
    >>> constraint(nx.star_graph(3)).constraint.round(4).tolist()   # hub: 3 × (1/3)²
    [0.3333, 1.0, 1.0, 1.0]
    >>> constraint(nx.complete_graph(3)).constraint.tolist()        # (1/2 + 1/4)² × 2
    [1.125, 1.125, 1.125]
    """
    nodes, S = _mutual(G, weight)
    P = _row_scale(S, np.asarray(S.sum(axis=1)).ravel())
    P2 = P @ P
    mask = (S > 0).astype(float)
    local = (P + P2 * mask) ** 2  # only entries j ∈ N(i)
    c = np.asarray((local * mask).sum(axis=1)).ravel()
    deg = np.diff(S.indptr)
    c = np.where(deg > 0, c, np.nan)
    return pd.DataFrame({"node": nodes, "constraint": c})


def effective_size(G: nx.Graph, weight: str | None = None) -> pd.DataFrame:
    """Burt's effective size of every node's ego network.

    E_i = Σ_{j ∈ N(i)} (1 − Σ_{q ∈ N(i), q ≠ j} p_iq m_jq), with p as in
    :func:`constraint` and m_jq = (w_jq + w_qj) / max_k (w_jk + w_kj).  For an
    unweighted undirected graph this is Borgatti's n − 2t/n (n alters, t ties
    among them).  Same definition as :func:`networkx.effective_size`.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    weight : str, optional
        Edge attribute used as tie strength (default: every tie 1).

    Returns
    -------
    pandas.DataFrame
        ``node, effective_size``; NaN for isolated nodes.

    References
    ----------
    Burt (1992), *Structural Holes*; Borgatti, S. P. (1997). Structural
    holes: unpacking Burt's redundancy measures. *Connections* 20(1), 35–38.

    Examples
    --------
    >>> effective_size(nx.star_graph(3)).effective_size.tolist()
    [3.0, 1.0, 1.0, 1.0]
    >>> effective_size(nx.complete_graph(4)).effective_size.tolist()   # 3 - 2·3/3
    [1.0, 1.0, 1.0, 1.0]
    """
    nodes, S = _mutual(G, weight)
    P = _row_scale(S, np.asarray(S.sum(axis=1)).ravel())
    M = _row_scale(S, np.asarray(S.max(axis=1).todense()).ravel())
    B = (S > 0).astype(float)
    redundancy = np.asarray(((B @ M) * P).sum(axis=1)).ravel()
    deg = np.diff(S.indptr).astype(float)
    e = np.where(deg > 0, deg - redundancy, np.nan)
    return pd.DataFrame({"node": nodes, "effective_size": e})
