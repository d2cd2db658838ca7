"""Gould–Fernandez brokerage roles relative to a node attribute.

A node *b* brokers the ordered pair *(a, c)* when there are arcs a→b and
b→c, the three nodes are distinct and there is **no** arc a→c.  The
brokerage is classified by the groups of *(a, b, c)* into the five roles of
Gould & Fernandez (1989).  The definition, the role codes and the z-scores
follow statnet's ``sna::brokerage`` (Butts) exactly, so numbers can be
compared with R:

============== ======= =================================================
role           sna     groups of (a, b, c)
============== ======= =================================================
coordinator    ``w_I`` all three in the same group
itinerant      ``w_O`` a and c in one group, b in another
representative ``b_IO`` b in a's group, c in another
gatekeeper     ``b_OI`` b in c's group, a in another
liaison        ``b_O`` three different groups
============== ======= =================================================

An undirected graph is treated as the fully mutual digraph (each edge is
two arcs), edge weights are ignored and self-loops are dropped.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

__all__ = [
    "ROLES",
    "gould_fernandez",
    "brokerage_zscores",
    "brokerage_global",
    "brokered_triples",
]

#: Role names in sna's column order (w_I, w_O, b_IO, b_OI, b_O).
ROLES: tuple[str, ...] = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")

GroupSpec = str | Mapping[Hashable, Hashable]


def _groups(G: nx.Graph, group: GroupSpec, fill: Hashable | None = None) -> dict[Hashable, Hashable]:
    """Group of every node, from an attribute name or a mapping; ``fill`` for missing ones."""
    if isinstance(group, Mapping):
        got = {v: group.get(v) for v in G.nodes}
    else:
        got = {v: d.get(group) for v, d in G.nodes(data=True)}
    missing = [v for v, g in got.items() if g is None or (isinstance(g, float) and np.isnan(g))]
    if missing:
        if fill is None:
            raise ValueError(
                f"{len(missing)} node(s) have no group {group!r} (e.g. {missing[:3]!r}); "
                "give every node a group or pass fill="
            )
        for v in missing:
            got[v] = fill
    return got


def _arcs(G: nx.Graph) -> tuple[dict[Hashable, set[Hashable]], dict[Hashable, set[Hashable]]]:
    """Successor and predecessor sets without self-loops (undirected: both = neighbours)."""
    succ = {v: {u for u in G.successors(v) if u != v} if G.is_directed() else {u for u in G[v] if u != v}
            for v in G.nodes}
    if G.is_directed():
        pred = {v: {u for u in G.predecessors(v) if u != v} for v in G.nodes}
    else:
        pred = succ
    return succ, pred


def _role_index(ga: Hashable, gb: Hashable, gc: Hashable) -> int:
    """Index into :data:`ROLES` of the brokerage a→b→c (same branch order as sna's C code)."""
    if gb == ga:
        return 0 if gb == gc else 2
    if gb == gc:
        return 3
    if ga == gc:
        return 1
    return 4


def brokered_triples(
    G: nx.Graph, group: GroupSpec, nodes: Any = None, *, fill: Hashable | None = None
) -> Iterator[tuple[Hashable, Hashable, Hashable, str]]:
    """Yield every brokered triple ``(a, b, c, role)`` with b in ``nodes`` (default: all).

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    group : str or mapping
        Node attribute holding the group, or a mapping node → group.
    nodes : iterable, optional
        Brokers to enumerate (default: every node).
    fill : hashable, optional
        Group given to nodes without one (default: raise ``ValueError``).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> list(brokered_triples(G, {"a": 1, "b": 1, "c": 2}))
    [('a', 'b', 'c', 'representative')]
    """
    grp = _groups(G, group, fill)
    succ, pred = _arcs(G)
    for b in G.nodes if nodes is None else nodes:
        gb = grp[b]
        for a in pred[b]:
            ga, sa = grp[a], succ[a]
            for c in succ[b]:
                if c != a and c not in sa:
                    yield a, b, c, ROLES[_role_index(ga, gb, grp[c])]


def _raw_counts(G: nx.Graph, grp: Mapping[Hashable, Hashable]) -> np.ndarray:
    """N × 5 matrix of role counts in node order (sna's ``raw.nli`` without the total)."""
    succ, pred = _arcs(G)
    idx = {v: i for i, v in enumerate(G.nodes)}
    out = np.zeros((len(idx), 5))
    for b, i in idx.items():
        gb = grp[b]
        for a in pred[b]:
            ga, sa = grp[a], succ[a]
            for c in succ[b]:
                if c != a and c not in sa:
                    out[i, _role_index(ga, gb, grp[c])] += 1
    return out


def _density(G: nx.Graph) -> float:
    """Arc density m / (N (N-1)) with undirected edges counted as two arcs, self-loops dropped."""
    n = G.number_of_nodes()
    m = G.number_of_edges() - nx.number_of_selfloops(G)
    if not G.is_directed():
        m *= 2
    return m / (n * (n - 1)) if n > 1 else float("nan")


def _group_moments(d: float, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expectation and variance of each role count for a broker of each group (sna ``exp.grp``)."""
    N = float(sizes.sum())
    p = d**2 * (1 - d)
    q = d**3 * (1 - d) ** 3
    ebr = np.zeros((len(sizes), 6))
    vbr = np.zeros((len(sizes), 6))
    for i, ni in enumerate(sizes):
        o = np.delete(sizes, i)  # sizes of the other groups
        ebr[i, 0] = p * (ni - 1) * (ni - 2)
        vbr[i, 0] = ebr[i, 0] * (1 - p) + 2 * (ni - 1) * (ni - 2) * (ni - 3) * q
        ebr[i, 1] = p * np.sum(o * (o - 1))
        vbr[i, 1] = ebr[i, 1] * (1 - p) + 2 * np.sum(o * (o - 1) * (o - 2)) * q
        ebr[i, 2] = p * (N - ni) * (ni - 1)
        vbr[i, 2] = ebr[i, 2] * (1 - p) + 2 * ((ni - 1) * _choose2(N - ni) + (N - ni) * _choose2(ni - 1)) * q
        ebr[i, 3] = ebr[i, 2]
        vbr[i, 3] = vbr[i, 2]
        ebr[i, 4] = p * (np.sum(np.outer(o, o)) - np.sum(o**2))
        vbr[i, 4] = ebr[i, 4] * (1 - p) + 4 * np.sum(o * _choose2(N - o - ni) * q)
        ebr[i, 5] = p * (N - 1) * (N - 2)
        vbr[i, 5] = ebr[i, 5] * (1 - p) + 2 * (N - 1) * (N - 2) * (N - 3) * q
    return ebr, vbr


def _choose2(x: Any) -> Any:
    """R's ``choose(x, 2)`` = x (x-1) / 2 (also right for x = 0, 1)."""
    x = np.asarray(x, dtype=float)
    return x * (x - 1) / 2


def _zdiv(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with R semantics (0/0 → NaN, x/0 → ±Inf) and no warnings."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


def gould_fernandez(G: nx.Graph, group: GroupSpec, *, z: bool = False, fill: Hashable | None = None) -> pd.DataFrame:
    """Gould–Fernandez brokerage role counts per node.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Undirected graphs count as fully mutual digraphs; weights are ignored.
    group : str or mapping
        Name of a node attribute holding the group (e.g. ``"nationality"``)
        or a mapping node → group.
    z : bool, default False
        Also return ``z_coordinator … z_total``: z-scores against a random
        digraph with the same density and group sizes, exactly as
        ``sna::brokerage`` (``z.nli``); see :func:`brokerage_zscores`.
    fill : hashable, optional
        Group given to nodes that have none (default: raise ``ValueError``).

    Returns
    -------
    pandas.DataFrame
        ``node, group, coordinator, itinerant, representative, gatekeeper,
        liaison, total`` (integer counts of brokered ordered pairs), one row
        per node in graph order, plus the ``z_*`` columns when ``z=True``.

    Notes
    -----
    Every brokered ordered pair counts 1 for each broker on a 2-path between
    them (no 1/k sharing), as in ``sna::brokerage``.  In an undirected graph
    a node's representative and gatekeeper counts are always equal (each
    brokered pair is seen in both directions).

    References
    ----------
    Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation: a formal
    approach to brokerage in transaction networks. *Sociological Methodology*
    19, 89–126. https://doi.org/10.2307/270949

    Butts, C. T. (2008). Social network analysis with sna. *Journal of
    Statistical Software* 24(6). https://doi.org/10.18637/jss.v024.i06

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> df = gould_fernandez(G, {"a": "MMR", "b": "THA", "c": "THA"})
    >>> df.loc[df.node == "b", ["gatekeeper", "total"]].values.tolist()
    [[1, 1]]
    """
    grp = _groups(G, group, fill)
    raw = _raw_counts(G, grp)
    df = pd.DataFrame(raw.astype(np.int64), columns=list(ROLES))
    df["total"] = df[list(ROLES)].sum(axis=1)
    df.insert(0, "group", [grp[v] for v in G.nodes])
    df.insert(0, "node", list(G.nodes))
    if z:
        zs = _zscores(G, grp, raw)
        for j, name in enumerate((*ROLES, "total")):
            df[f"z_{name}"] = zs["z"][:, j]
    return df


def _zscores(G: nx.Graph, grp: Mapping[Hashable, Hashable], raw: np.ndarray) -> dict[str, Any]:
    """sna's exp.nli / sd.nli / z.nli and the global (gli) statistics."""
    nodes = list(G.nodes)
    clid = list(dict.fromkeys(grp[v] for v in nodes))  # order of first appearance, as unique() in R
    sizes = np.array([sum(1 for v in nodes if grp[v] == c) for c in clid], dtype=float)
    d = _density(G)
    ebr, vbr = _group_moments(d, sizes)
    br = np.column_stack([raw, raw.sum(axis=1)])
    rows = [clid.index(grp[v]) for v in nodes]
    exp = ebr[rows]
    sd = np.sqrt(vbr[rows])
    return {"raw": br, "exp": exp, "sd": sd, "z": _zdiv(br - exp, sd), "d": d, "clid": clid, "n": sizes}


def brokerage_zscores(G: nx.Graph, group: GroupSpec, *, fill: Hashable | None = None) -> pd.DataFrame:
    """Observed, expected, standard deviation and z-score of every role per node.

    The null model is the one of ``sna::brokerage``: a Bernoulli digraph with
    the observed arc density ``d = m / (N (N-1))`` (undirected edges count
    twice) and the observed group sizes.  For a broker in a group of size
    ``n_i`` the expected number of coordinator pairs is
    ``d² (1-d) (n_i-1)(n_i-2)``, and so on for each role; the variances are
    Butts' closed forms.  z = (observed − expected) / sd; 0/0 gives NaN
    (e.g. coordinator in a group of one or two), as in R.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    group : str or mapping
        Node attribute name or mapping node → group.
    fill : hashable, optional
        Group for nodes without one (default: raise ``ValueError``).

    Returns
    -------
    pandas.DataFrame
        ``node, group`` then, for each of ``coordinator, itinerant,
        representative, gatekeeper, liaison, total``: the observed count
        (plain name), ``exp_<role>``, ``sd_<role>`` and ``z_<role>``.
        ``.attrs["density"]`` holds d.

    References
    ----------
    Gould & Fernandez (1989), https://doi.org/10.2307/270949 ;
    Butts, sna package, function ``brokerage`` (R source, file ``gli.R``).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> zs = brokerage_zscores(G, {"a": 1, "b": 1, "c": 2, "d": 2})
    >>> round(float(zs.loc[1, "exp_total"]), 6)   # d = 3/12: d²(1-d)(N-1)(N-2)
    0.28125
    """
    grp = _groups(G, group, fill)
    raw = _raw_counts(G, grp)
    zs = _zscores(G, grp, raw)
    df = pd.DataFrame({"node": list(G.nodes), "group": [grp[v] for v in G.nodes]})
    for j, name in enumerate((*ROLES, "total")):
        df[name] = zs["raw"][:, j].astype(np.int64)
        df[f"exp_{name}"] = zs["exp"][:, j]
        df[f"sd_{name}"] = zs["sd"][:, j]
        df[f"z_{name}"] = zs["z"][:, j]
    df.attrs["density"] = zs["d"]
    return df


def brokerage_global(G: nx.Graph, group: GroupSpec, *, fill: Hashable | None = None) -> pd.DataFrame:
    """Whole-network brokerage: observed totals per role against the random expectation.

    Reproduces ``raw.gli``, ``exp.gli``, ``sd.gli`` and ``z.gli`` of
    ``sna::brokerage``.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    group : str or mapping
    fill : hashable, optional

    Returns
    -------
    pandas.DataFrame
        One row per role plus ``total``: ``role, observed, expected, sd, z``.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> brokerage_global(G, {"a": 1, "b": 1, "c": 2}).set_index("role").loc["representative", "observed"]
    np.float64(1.0)
    """
    grp = _groups(G, group, fill)
    raw = _raw_counts(G, grp)
    gbr = np.append(raw.sum(axis=0), raw.sum())
    nodes = list(G.nodes)
    clid = list(dict.fromkeys(grp[v] for v in nodes))
    n = np.array([sum(1 for v in nodes if grp[v] == c) for c in clid], dtype=float)
    N = float(n.sum())
    d = _density(G)
    p, q3, q4, q5 = d**2 * (1 - d), d**3 * (1 - d) ** 3, d**4 * (1 - d) ** 2, d**5 * (1 - d)
    e = np.zeros(6)
    v = np.zeros(6)
    e[0] = p * np.sum(n * (n - 1) * (n - 2))
    v[0] = e[0] * (1 - p) + np.sum(n * (n - 1) * (n - 2) * ((4 * n - 10) * q3 - 4 * (n - 3) * q4 + (n - 3) * q5))
    e[1] = p * np.sum(n * (N - n) * (n - 1))
    x, y = np.meshgrid(n, n, indexing="ij")
    v[1] = e[1] * (1 - p) + (
        np.sum(x * y * (x - 1) * ((2 * x + 2 * y - 6) * q3 + (N - x - 1) * q5))
        - np.sum(n * n * (n - 1) * ((4 * n - 6) * q3 + (N - n - 1) * q5))
    )
    e[2] = p * np.sum(n * (N - n) * (n - 1))
    v[2] = e[2] * (1 - p) + np.sum(n * (N - n) * (n - 1) * ((N - 3) * q3 + (n - 2) * q5))
    e[3], v[3] = e[2], v[2]
    e[4] = p * (np.sum(x * y * (N - x - y)) - np.sum(n * n * (N - 2 * n)))
    v[4] = e[4] * (1 - p)
    K = len(n)
    for i in range(K):
        for j in range(K):
            for k in range(K):
                if i != j and j != k and i != k:
                    v[4] += n[i] * n[j] * n[k] * (
                        (4 * (N - n[j]) - 2 * (n[i] + n[k] + 1)) * q3
                        - (4 * (N - n[k]) - 2 * (n[i] + n[j] + 1)) * q4
                        + (N - (n[i] + n[k] + 1)) * q5
                    )
    e[5] = p * N * (N - 1) * (N - 2)
    v[5] = e[5] * (1 - p) + N * (N - 1) * (N - 2) * ((4 * N - 10) * q3 - 4 * (N - 3) * q4 + (N - 3) * q5)
    sd = np.sqrt(v)
    return pd.DataFrame({"role": [*ROLES, "total"], "observed": gbr, "expected": e, "sd": sd, "z": _zdiv(gbr - e, sd)})
