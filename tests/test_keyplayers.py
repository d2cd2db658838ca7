"""Key players (KPP-Neg fragmentation) against brute force, and community detection."""

from __future__ import annotations

import itertools

import networkx as nx
import pandas as pd
import pytest

from analytics.communities import communities, modularity
from analytics.keyplayers import fragmentation, fragmentation_score


def _F_brute(G, removed):
    """Fragmentation written independently: count connected ordered pairs among the nodes left."""
    H = G.to_undirected() if G.is_directed() else G.copy()
    H.remove_nodes_from(removed)
    n = H.number_of_nodes()
    if n < 2:
        return 1.0
    connected = sum(len(c) * (len(c) - 1) for c in nx.connected_components(H))
    return 1 - connected / (n * (n - 1))


def test_fragmentation_score_by_hand():
    assert fragmentation_score(nx.path_graph(4)) == 0.0
    # path of 5 without its middle: two pairs -> 1 - (2 + 2) / (4 * 3)
    assert fragmentation_score(nx.path_graph(5), [2]) == pytest.approx(2 / 3)
    # star without its hub: all isolates
    assert fragmentation_score(nx.star_graph(5), [0]) == 1.0
    G = nx.Graph([(0, 1)])
    G.add_node(2)
    assert fragmentation_score(G) == pytest.approx(1 - 2 / 6)


def test_star_and_barbell():
    df = fragmentation(nx.star_graph(6), 1)
    assert df["node"].tolist() == [0]
    assert df.attrs["fragmentation_before"] == 0.0 and df.attrs["fragmentation_after"] == 1.0
    df2 = fragmentation(nx.barbell_graph(4, 1), 1)  # the bridge node between two K4
    assert df2["node"].tolist() == [4]
    assert df2["fragmentation_after"].iloc[0] == pytest.approx(1 - 2 * 4 * 3 / (8 * 7))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_matches_brute_force_over_all_k_subsets(seed, k):
    G = nx.gnp_random_graph(10, 0.28, seed=seed, directed=seed == 4)
    best = max(_F_brute(G, S) for S in itertools.combinations(G.nodes, k))
    df = fragmentation(G, k, seed=seed)
    assert len(df) == k and df["order"].tolist() == list(range(1, k + 1))
    assert df.attrs["fragmentation_after"] == pytest.approx(best)
    assert _F_brute(G, df["node"].tolist()) == pytest.approx(best)
    # cumulative column: F after removing the first `order` nodes
    for i in range(k):
        assert df["fragmentation_cumulative"].iloc[i] == pytest.approx(_F_brute(G, df["node"].tolist()[: i + 1]))
    assert df.attrs["fragmentation_before"] == pytest.approx(_F_brute(G, []))


def test_k_larger_than_graph_is_clipped():
    df = fragmentation(nx.path_graph(3), 5)
    assert sorted(df["node"]) == [0, 1, 2] and df.attrs["fragmentation_after"] == 1.0


def _two_cliques():
    G = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(5))
    G.add_edge(0, 5)
    return G


@pytest.mark.parametrize("method", ["louvain", "leiden"])
def test_communities_two_cliques(method):
    if method == "leiden":
        pytest.importorskip("igraph")
    G = _two_cliques()
    df = communities(G, method=method, seed=3)
    assert list(df.columns) == ["node", "community"]
    groups = sorted(sorted(g) for g in df.groupby("community")["node"].apply(list))
    assert groups == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    # by hand: m = 21; each community has 10 internal edges and total degree 21
    assert df.attrs["modularity"] == pytest.approx(2 * (10 / 21 - (21 / 42) ** 2))


def test_modularity_by_hand_and_bad_method():
    G = nx.Graph([(0, 1), (1, 2), (2, 0), (3, 4)])
    part = pd.DataFrame({"node": [0, 1, 2, 3, 4], "community": [0, 0, 0, 1, 1]})
    # m = 4; Q = (3/4 - (6/8)^2) + (1/4 - (2/8)^2)
    assert modularity(G, part) == pytest.approx(3 / 4 - 9 / 16 + 1 / 4 - 1 / 16)
    with pytest.raises(ValueError):
        communities(G, method="girvan")


@pytest.mark.parametrize("G", [nx.cycle_graph(9), nx.grid_2d_graph(3, 4), nx.circular_ladder_graph(5)])
def test_plateaus_where_no_single_removal_disconnects(G):
    # biconnected graphs: every first greedy step gains nothing, so the search must look further
    for k in (2, 3):
        best = max(_F_brute(G, S) for S in itertools.combinations(G.nodes, k))
        df = fragmentation(G, k, seed=1)
        assert df.attrs["fragmentation_after"] == pytest.approx(best)


def _pairs_brute(G, removed):
    """Σ s(s − 1) over the components of G − removed, written independently."""
    H = G.copy()
    H.remove_nodes_from(removed)
    return sum(len(c) * (len(c) - 1) for c in nx.connected_components(H))


@pytest.mark.parametrize("cache_nodes", [4_000_000, 12])
def test_answers_of_a_graph_of_many_components_equal_brute_force(cache_nodes, monkeypatch):
    """The search works out again only the components holding deleted nodes and keeps their
    answers (a bounded number: 12 nodes' worth forces evictions); every answer, asked in
    any order and again, equals brute force on the whole graph."""
    import random

    from analytics.keyplayers import _Edges

    monkeypatch.setattr(_Edges, "CACHE_NODES", cache_nodes)
    G = nx.disjoint_union_all([nx.barbell_graph(4, 2), nx.path_graph(5), nx.cycle_graph(6), nx.star_graph(4),
                               nx.empty_graph(3), nx.complete_graph(2)])
    E = _Edges(G)
    assert sorted(E.comp_size.tolist(), reverse=True) == [10, 6, 5, 5, 2, 1, 1, 1]
    rng = random.Random(5)
    nodes = list(G.nodes)
    asked = [[], [0], [4, 5], [4, 5], [0], [12, 3], []] + [rng.sample(nodes, rng.randint(1, 4)) for _ in range(40)]
    for removed in asked:
        idx = [E.nodes.index(v) for v in removed]
        sums = E.pair_sums(idx)
        for i, v in enumerate(E.nodes):
            if v in removed:
                assert sums[i] != sums[i]  # NaN for a deleted node
            else:
                assert sums[i] == _pairs_brute(G, [*removed, v]), (removed, v)
        assert E.pair_total(idx) == _pairs_brute(G, removed)
        assert E.frag(idx) == pytest.approx(_F_brute(G, removed))
    assert E._kept_nodes <= cache_nodes


def test_largest_component():
    from analytics.keyplayers import largest_component

    assert largest_component(nx.empty_graph(0)) == (0, 0)
    assert largest_component(nx.disjoint_union(nx.cycle_graph(5), nx.star_graph(6))) == (7, 6)
    assert largest_component(nx.DiGraph([(0, 1), (2, 1), (3, 4)])) == (3, 2)
