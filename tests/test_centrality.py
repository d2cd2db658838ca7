"""Betweenness (exact, sampled, igraph) and Burt's constraint / effective size."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from analytics.centrality import betweenness, betweenness_error_bound, constraint, effective_size


def _brute_betweenness(G):
    """Σ over pairs of the share of shortest paths through v, by listing all shortest paths."""
    out = dict.fromkeys(G, 0.0)
    pairs = itertools.permutations(G, 2) if G.is_directed() else itertools.combinations(G, 2)
    for s, t in pairs:
        if not nx.has_path(G, s, t):
            continue
        paths = list(nx.all_shortest_paths(G, s, t))
        for p in paths:
            for v in p[1:-1]:
                out[v] += 1 / len(paths)
    return out


def test_path_star_and_directed_by_hand():
    assert betweenness(nx.path_graph(4)).betweenness.tolist() == [0.0, 2.0, 2.0, 0.0]
    assert betweenness(nx.star_graph(4)).betweenness.tolist() == [6.0, 0, 0, 0, 0]  # C(4,2) leaf pairs
    # directed path: only (0,2), (0,3), (1,3) pass inside
    assert betweenness(nx.DiGraph([(0, 1), (1, 2), (2, 3)])).betweenness.tolist() == [0.0, 2.0, 2.0, 0.0]
    # a 4-cycle splits each opposite pair between two paths
    assert betweenness(nx.cycle_graph(4)).betweenness.tolist() == [0.5] * 4


@pytest.mark.parametrize("directed", [False, True])
def test_exact_matches_brute_force_and_igraph(directed):
    G = nx.gnp_random_graph(12, 0.25, seed=3, directed=directed)
    got = betweenness(G).set_index("node").betweenness
    ref = _brute_betweenness(G)
    assert [got[v] for v in G] == pytest.approx([ref[v] for v in G])
    ig = betweenness(G, backend="igraph").betweenness.to_numpy()
    assert ig == pytest.approx(got.to_numpy())


def test_weights_selfloops_and_multiedges_ignored():
    G = nx.MultiGraph([(0, 1), (0, 1), (1, 2), (2, 2)])
    G.add_edge(0, 1, weight=100)
    assert betweenness(G).betweenness.tolist() == [0.0, 1.0, 0.0]


def test_sampled_with_all_pivots_is_exact_and_seed_reproducible():
    G = nx.barabasi_albert_graph(60, 2, seed=1)
    exact = betweenness(G).betweenness.to_numpy()
    assert betweenness(G, k=60, seed=1).betweenness.to_numpy() == pytest.approx(exact)
    a = betweenness(G, k=10, seed=5).betweenness.to_numpy()
    b = betweenness(G, k=10, seed=5).betweenness.to_numpy()
    assert (a == b).all()


def test_sampled_estimate_is_unbiased_on_average():
    G = nx.barbell_graph(4, 2)
    exact = betweenness(G).betweenness.to_numpy()
    mean = np.mean([betweenness(G, k=3, seed=s).betweenness.to_numpy() for s in range(400)], axis=0)
    # Monte Carlo mean of 400 draws: within 10 % of the largest value everywhere
    assert np.abs(mean - exact).max() < 0.1 * exact.max()


def test_error_bound_formula():
    n, k, alpha = 500, 200, 0.05
    eps = np.sqrt(np.log(2 * n / alpha) / (2 * k))
    assert betweenness_error_bound(n, k, alpha) == pytest.approx(0.5 * n * (n - 2) * eps)
    assert betweenness_error_bound(n, k, alpha, directed=True) == pytest.approx(n * (n - 2) * eps)


def test_constraint_and_effective_size_by_hand():
    # star: hub has 3 unconnected alters, p = 1/3 each -> constraint 3 * (1/3)^2; leaves constrained 1
    assert constraint(nx.star_graph(3)).constraint.tolist() == pytest.approx([1 / 3, 1, 1, 1])
    assert effective_size(nx.star_graph(3)).effective_size.tolist() == pytest.approx([3, 1, 1, 1])
    # triangle: p = 1/2, indirect 1/2*1/2 -> (3/4)^2 per alter, two alters
    assert constraint(nx.complete_graph(3)).constraint.tolist() == pytest.approx([1.125] * 3)
    # Borgatti: effective size = n - 2t/n; node 0 of a 4-path-with-chord
    G = nx.Graph([(0, 1), (0, 2), (0, 3), (1, 2)])  # alters 1,2,3 with one tie among them
    assert effective_size(G).set_index("node").effective_size[0] == pytest.approx(3 - 2 * 1 / 3)
    iso = nx.Graph()
    iso.add_nodes_from([0, 1])
    iso.add_edge(0, 2)
    assert np.isnan(constraint(iso).constraint[1]) and np.isnan(effective_size(iso).effective_size[1])


@pytest.mark.parametrize("directed", [False, True])
def test_structural_holes_match_networkx(directed):
    G = nx.gnp_random_graph(25, 0.2, seed=7, directed=directed)
    for u, v in G.edges:
        G.edges[u, v]["weight"] = 1 + (u * 7 + v) % 3
    nodes = [v for v in G if len(list(nx.all_neighbors(G, v)))]
    for weight in (None, "weight"):
        c = constraint(G, weight=weight).set_index("node").constraint
        e = effective_size(G, weight=weight).set_index("node").effective_size
        # per-node (pure Python) code path of networkx
        nc = nx.constraint(G, nodes=nodes, weight=weight)
        ne = nx.effective_size(G, nodes=nodes, weight=weight)
        assert [c[v] for v in nodes] == pytest.approx([nc[v] for v in nodes])
        assert [e[v] for v in nodes] == pytest.approx([ne[v] for v in nodes])


@pytest.mark.parametrize("directed", [False, True])
def test_sampled_igraph_equals_sampled_networkx(directed):
    """igraph's C code on NetworkX's pivots for the same seed gives NetworkX's estimate."""
    G = nx.gnp_random_graph(200, 0.03, seed=4, directed=directed)
    for k in (1, 2, 25):
        nxb = betweenness(G, k=k, seed=9, backend="networkx").betweenness.to_numpy()
        igb = betweenness(G, k=k, seed=9, backend="igraph").betweenness.to_numpy()
        if k == 1:  # pivot rescaling (n-1)/(k-1) is undefined for one pivot in both
            assert np.isnan(nxb).sum() == np.isnan(igb).sum()
            nxb, igb = np.nan_to_num(nxb), np.nan_to_num(igb)
        assert igb == pytest.approx(nxb)
    assert betweenness(G, k=25, seed=9, backend="auto").betweenness.to_numpy() == pytest.approx(igb)
