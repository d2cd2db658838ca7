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
