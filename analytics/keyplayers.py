"""Key-player problem, negative form (KPP-Neg): who to remove to fragment the network."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

__all__ = ["fragmentation", "fragmentation_score", "largest_component"]


class _Edges:
    """The simple undirected (weak) graph as arrays, for the key-player search's many
    "what if these nodes were gone" questions.

    Deleting nodes only changes the components they are in, so every answer is the
    whole graph's, kept once, with the components that hold deleted nodes worked out
    again: a depth-first search of those components only (kept, a bounded number,
    because the swap search asks about the same ones again).  On national data, with
    most persons in small components or none, an answer costs a few array operations
    instead of a search of the whole graph.
    """

    #: components' answers kept (their total size, in nodes)
    CACHE_NODES = 4_000_000

    def __init__(self, G: nx.Graph) -> None:
        self.nodes: list[Hashable] = list(G.nodes)
        idx = {v: i for i, v in enumerate(self.nodes)}
        pairs = {(min(a, b), max(a, b)) for a, b in ((idx[u], idx[v]) for u, v in G.edges()) if a != b}
        arr = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
        self.u, self.v = arr[:, 0], arr[:, 1]
        self.n = n = len(self.nodes)
        self.degree = np.bincount(np.concatenate([self.u, self.v]), minlength=n)
        self.adj: list[list[int]] = [[] for _ in range(n)]
        for a, b in zip(self.u.tolist(), self.v.tolist(), strict=True):
            self.adj[a].append(b)
            self.adj[b].append(a)
        A = sp.coo_array((np.ones(len(self.u)), (self.u, self.v)), shape=(n, n))
        _, lab = connected_components(A, directed=False) if n else (0, np.zeros(0, dtype=np.int64))
        self.comp = np.asarray(lab, dtype=np.int64)
        self.comp_size = np.bincount(self.comp, minlength=1 if n else 0).astype(np.int64)
        self._order = np.argsort(self.comp, kind="stable")
        self._first = np.concatenate([[0], np.cumsum(self.comp_size)])
        self._base_total = float(np.sum(self.comp_size * (self.comp_size - 1.0)))
        self._base: tuple[np.ndarray, np.ndarray] | None = None
        self._kept: OrderedDict[tuple[int, frozenset[int]], tuple[np.ndarray, np.ndarray, np.ndarray, float]] = (
            OrderedDict())
        self._kept_nodes = 0
        # the searches' scratch arrays, allocated once and reset after each search
        self._disc = [-1] * n
        self._low = [0] * n
        self._size = [1] * n
        self._psum = [0] * n  # Σ p over the pieces deleting the node cuts off
        self._ppairs = [0] * n  # Σ p (p − 1) over them

    def _members(self, cid: int) -> list[int]:
        members: list[int] = self._order[self._first[cid]:self._first[cid + 1]].tolist()
        return members

    def _search(self, members: Sequence[int], gone: frozenset[int]) -> tuple[list[int], list[int], list[int], float]:
        """One iterative Tarjan DFS (low-links) of the nodes ``members`` (whole components
        of G) without ``gone``: deleting v splits its component into the DFS subtrees of
        the children w with low[w] ≥ disc[v] plus the rest, so all answers cost O(n + m).

        Returns the nodes searched, for each the size c of its component of G − gone and
        Σ p(p − 1) over the parts deleting it leaves (those subtrees and the rest), and
        Σ c(c − 1) over the components searched.
        """
        adj, disc, low, size, psum, ppairs = self.adj, self._disc, self._low, self._size, self._psum, self._ppairs
        seen: list[int] = []
        csizes: list[int] = []
        starts: list[int] = []  # where each component begins in ``seen``
        timer = 0
        for root in members:
            if root in gone or disc[root] != -1:
                continue
            starts.append(len(seen))
            disc[root] = low[root] = timer
            timer += 1
            seen.append(root)
            stack = [(root, -1, iter(adj[root]))]
            while stack:
                v, parent, it = stack[-1]
                advanced = False
                for w in it:
                    if w == parent or w in gone:
                        continue
                    if disc[w] == -1:
                        disc[w] = low[w] = timer
                        timer += 1
                        seen.append(w)
                        stack.append((w, v, iter(adj[w])))
                        advanced = True
                        break
                    if disc[w] < low[v]:
                        low[v] = disc[w]
                if advanced:
                    continue
                stack.pop()
                if parent != -1:
                    if low[v] < low[parent]:
                        low[parent] = low[v]
                    size[parent] += size[v]
                    if low[v] >= disc[parent]:
                        s = size[v]
                        psum[parent] += s
                        ppairs[parent] += s * (s - 1)
            csizes.append(len(seen) - starts[-1])
        starts.append(len(seen))
        comp_of: list[int] = []
        local: list[int] = []
        for j, c in enumerate(csizes):
            for v in seen[starts[j]:starts[j + 1]]:
                rest = c - 1 - psum[v]
                comp_of.append(c)
                local.append(ppairs[v] + rest * (rest - 1))
                disc[v], size[v], psum[v], ppairs[v] = -1, 1, 0, 0
        return seen, comp_of, local, float(sum(c * (c - 1) for c in csizes))

    def _component(self, cid: int, gone: frozenset[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """The answers of component ``cid`` of G without ``gone`` (its nodes), kept."""
        key = (cid, gone)
        hit = self._kept.get(key)
        if hit is not None:
            self._kept.move_to_end(key)
            return hit
        seen, comp_of, local, total = self._search(self._members(cid), gone)
        out = (np.array(seen, dtype=np.int64), np.array(comp_of, dtype=float), np.array(local, dtype=float), total)
        size = int(self.comp_size[cid])
        if size <= self.CACHE_NODES // 4:
            self._kept[key] = out
            self._kept_nodes += size
            while self._kept_nodes > self.CACHE_NODES:
                (old, _), _ = self._kept.popitem(last=False)
                self._kept_nodes -= int(self.comp_size[old])
        return out

    def _touched(self, removed: Sequence[int]) -> dict[int, frozenset[int]]:
        by: dict[int, set[int]] = {}
        for r in removed:
            by.setdefault(int(self.comp[r]), set()).add(int(r))
        return {cid: frozenset(rs) for cid, rs in by.items()}

    def pair_total(self, removed: Sequence[int]) -> float:
        """Σ s(s − 1) over the components of G − removed."""
        total = self._base_total
        for cid, rs in self._touched(removed).items():
            c = float(self.comp_size[cid])
            total += self._component(cid, rs)[3] - c * (c - 1)
        return total

    def pair_sums(self, removed: Sequence[int]) -> np.ndarray:
        """For every node v: Σ s(s-1) over the components of G − removed − v (NaN for removed v)."""
        if self._base is None:
            # components of one or two nodes: deleting a node leaves nothing connected in it
            csub = self.comp_size[self.comp].astype(float)
            local = np.zeros(self.n)
            big = self._order[(self.comp_size >= 3)[self.comp[self._order]]].tolist()
            if big:
                searched, _, parts, _ = self._search(big, frozenset())
                local[searched] = parts
            self._base = (csub, local)
        csub, local = self._base[0].copy(), self._base[1].copy()
        total = self._base_total
        for cid, rs in self._touched(removed).items():
            nodes, comp_of, loc, t = self._component(cid, rs)
            csub[nodes], local[nodes] = comp_of, loc
            c = float(self.comp_size[cid])
            total += t - c * (c - 1)
        out = total - csub * (csub - 1) + local
        out[list(removed)] = np.nan
        return out

    def frag(self, removed: Sequence[int]) -> float:
        """F of the graph left after deleting ``removed`` (n = nodes left)."""
        m = self.n - len(set(removed))
        if m < 2:
            return 1.0
        return float(1.0 - self.pair_total(removed) / (m * (m - 1)))


def largest_component(G: nx.Graph) -> tuple[int, int]:
    """Nodes and edges of the largest (weak) component of G: the most one of the key-player
    search's depth-first searches visits (each searches only the components holding
    deleted nodes).

    >>> largest_component(nx.disjoint_union(nx.path_graph(3), nx.complete_graph(4)))
    (4, 6)
    """
    comps = nx.weakly_connected_components(G) if G.is_directed() else nx.connected_components(G)
    best: set[Hashable] = max(comps, key=len, default=set())
    return len(best), G.subgraph(best).number_of_edges()


def fragmentation_score(G: nx.Graph, removed: Sequence[Hashable] = ()) -> float:
    """Borgatti's fragmentation F = 1 − Σ_k s_k (s_k − 1) / (n (n − 1)).

    s_k are the sizes of the (weak) components of G after deleting
    ``removed``, and n the number of nodes left.  F = 0 for a connected
    graph, 1 when no two nodes are connected.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
    removed : sequence of nodes

    Returns
    -------
    float

    Examples
    --------
    >>> fragmentation_score(nx.path_graph(3), [1])
    1.0
    >>> round(fragmentation_score(nx.path_graph(5), [2]), 4)   # two pairs: 1 - 4/12
    0.6667
    """
    E = _Edges(G)
    idx = {v: i for i, v in enumerate(E.nodes)}
    return E.frag([idx[v] for v in removed])


def fragmentation(
    G: nx.Graph,
    k: int,
    seed: int | None = None,
    *,
    restarts: int = 10,
    pair_start_max_n: int = 1000,
    max_passes: int = 50,
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """The k nodes whose removal fragments the network most (KPP-Neg).

    Greedy start (add, one at a time, the node whose removal raises F most)
    followed by Borgatti's swap optimisation: repeatedly make the best swap
    of a chosen node for an unchosen one while it increases F; stop at a
    local optimum or after ``max_passes`` passes.  The swap search is then
    repeated from ``restarts`` random starting sets (Borgatti's advice: the
    greedy start can be a poor local optimum when no single removal
    disconnects anything) and the best set is kept.  Ties are broken at
    random with ``seed``.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        A DiGraph is fragmented through its weak components.
    k : int
        Size of the set (clipped to the number of nodes).
    seed : int, optional
        Random tie-breaking and random starts.
    restarts : int, default 10
        Extra random starting sets for the swap search.
    pair_start_max_n : int, default 1000
        Up to this many nodes, one more start begins from the exact best
        pair (n depth-first searches), completed greedily.
    max_passes : int, default 50
    progress : callable, optional
        Called with the fraction of the search done (0..1) after each start;
        long runs report through it (and a job runner may stop them there).

    Returns
    -------
    pandas.DataFrame
        One row per chosen node: ``node, order, degree, fragmentation_cumulative,
        fragmentation_before, fragmentation_after``.  ``order`` 1 is the node
        whose removal alone fragments most, then each next node adds the most
        given the earlier ones; ``fragmentation_cumulative`` is F after
        removing nodes 1…order.  ``fragmentation_before`` (F of G) and
        ``fragmentation_after`` (F without the whole set, n = nodes left) are
        repeated on every row and also stored in ``.attrs``.

    Notes
    -----
    Each pass costs k depth-first searches, O(k (n + m)): one low-link DFS
    of G minus k−1 chosen nodes gives the fragmentation after deleting any
    further node (articulation-point splitting), so all n − k candidate
    swaps for that slot are scored at once.  Only the components holding
    chosen nodes are searched again (the rest is the whole graph's answer,
    kept), so on a graph of many components a search costs the size of the
    largest of them (:func:`largest_component`), not of G.

    The best set does not depend on whether n in F counts the removed nodes
    (they would be isolates adding nothing to the sum, so only the constant
    denominator changes); we report F on the remaining nodes.  The swap
    search is a local search: on small graphs the test suite checks it
    against brute force over all k-subsets.

    References
    ----------
    Borgatti, S. P. (2006). Identifying sets of key players in a social
    network. *Computational and Mathematical Organization Theory* 12, 21–34.
    https://doi.org/10.1007/s10588-006-7084-x

    Examples
    --------
    >>> G = nx.barbell_graph(3, 1)   # two triangles joined through node 3
    >>> df = fragmentation(G, 1)
    >>> df.node.tolist(), round(df.attrs["fragmentation_after"], 4)   # two triangles: 1 - 12/30
    ([3], 0.6)
    """
    E = _Edges(G)
    nodes, n, deg, _frag = E.nodes, E.n, E.degree, E.frag
    k = max(0, min(k, n))
    rng = np.random.default_rng(seed)
    before = _frag([])

    def best_additions(removed: list[int]) -> tuple[float, list[int]]:
        """Smallest Σ s(s-1) after also deleting one more node, and the nodes achieving it."""
        sums = E.pair_sums(removed)
        best = float(np.nanmin(sums))
        return best, [int(v) for v in np.flatnonzero(np.abs(sums - best) <= 1e-9)]

    def swap_search(chosen: list[int]) -> tuple[list[int], float]:
        current = _frag(chosen)
        for _ in range(max_passes):
            best_sum, best_swaps = np.inf, []
            for i in range(len(chosen)):
                rest = chosen[:i] + chosen[i + 1:]
                s_min, vs = best_additions(rest)
                vs = [v for v in vs if v != chosen[i]]
                if not vs:
                    continue
                if s_min < best_sum - 1e-9:
                    best_sum, best_swaps = s_min, [(i, v) for v in vs]
                elif abs(s_min - best_sum) <= 1e-9:
                    best_swaps += [(i, v) for v in vs]
            m = n - len(chosen)
            f_best = 1.0 - best_sum / (m * (m - 1)) if m >= 2 else 1.0
            if not best_swaps or f_best <= current + 1e-12:
                break
            i, v = best_swaps[int(rng.integers(len(best_swaps)))]
            chosen = chosen[:i] + [v] + chosen[i + 1:]
            current = _frag(chosen)
        return chosen, current

    starts = 1 + (1 if 2 <= k < n and n <= pair_start_max_n else 0) + (restarts if 0 < k < n else 0)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done / starts)

    greedy: list[int] = []
    for _ in range(k):
        _, vs = best_additions(greedy)
        greedy.append(vs[int(rng.integers(len(vs)))])
    chosen, current = swap_search(greedy) if k else ([], before)
    step()
    if 2 <= k < n and n <= pair_start_max_n:
        # second start: the exact best pair (one low-link DFS per first node), completed greedily;
        # escapes the plateaus where no single removal disconnects anything
        best_pair, best_sum = None, np.inf
        for a in range(n):
            sums = E.pair_sums([a])
            sums[: a + 1] = np.nan
            if np.all(np.isnan(sums)):
                continue
            b = int(np.nanargmin(sums))
            if sums[b] < best_sum - 1e-9:
                best_pair, best_sum = [a, b], float(sums[b])
        if best_pair is not None:
            start = list(best_pair)
            while len(start) < k:
                _, vs = best_additions(start)
                start.append(vs[int(rng.integers(len(vs)))])
            s_set, s_f = swap_search(start)
            if s_f > current + 1e-12:
                chosen, current = s_set, s_f
        step()
    for _ in range(restarts if 0 < k < n else 0):
        start = [int(v) for v in rng.choice(n, size=k, replace=False)]
        s_set, s_f = swap_search(start)
        if s_f > current + 1e-12:
            chosen, current = s_set, s_f
        step()

    # order the final set greedily, for reading
    ordered: list[int] = []
    cum: list[float] = []
    left = list(chosen)
    while left:
        scores = [_frag([*ordered, v]) for v in left]
        j = int(np.argmax(scores))
        ordered.append(left.pop(j))
        cum.append(scores[j])
    df = pd.DataFrame({
        "node": [nodes[i] for i in ordered],
        "order": np.arange(1, len(ordered) + 1),
        "degree": [int(deg[i]) for i in ordered],
        "fragmentation_cumulative": cum,
    })
    df["fragmentation_before"] = before
    df["fragmentation_after"] = current
    df.attrs["fragmentation_before"] = before
    df.attrs["fragmentation_after"] = current
    return df
