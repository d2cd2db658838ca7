"""Broker ranking: scores, roles, groups bridged, reasons and the broker subgraph."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from analytics.brokers import broker_subgraph, rank_brokers


def _trafficking_star():
    # two MMR recruiters and a THA employer tied only through a THA broker; the employer also
    # knows a THA driver who knows the broker (so the broker-employer-driver triangle is closed)
    G = nx.Graph([("r1", "b"), ("r2", "b"), ("b", "e1"), ("e1", "d1"), ("b", "d1")])
    nx.set_node_attributes(G, {"r1": "MMR", "r2": "MMR", "b": "THA", "e1": "THA", "d1": "THA"}, "nationality")
    nx.set_node_attributes(
        G, {"r1": "recruiter", "r2": "recruiter", "b": "broker", "e1": "employer", "d1": "transporter"}, "role"
    )
    return G


def test_columns_and_top_broker():
    df = rank_brokers(_trafficking_star())
    for col in ["node", "score", "rank", "roles", "groups_bridged", "betweenness", "constraint",
                "brokerage_total", "reason"]:
        assert col in df.columns
    top = df.iloc[0]
    assert top["node"] == "b" and top["rank"] == 1
    # b: pairs (r1,r2) itinerant x2, (r_i, e1) and (r_i, d1) gatekeeper/representative x2 each
    assert (top["itinerant"], top["gatekeeper"], top["representative"], top["brokerage_total"]) == (2, 4, 4, 10)
    # itinerant (2) has at least half of the largest count (4): also dominant
    assert top["roles"] == ["gatekeeper", "representative", "itinerant"]
    assert top["groups_bridged"] == ["MMR", "THA"]
    assert top["betweenness"] == pytest.approx(5.0)  # r1-r2, r1-e1, r1-d1, r2-e1, r2-d1
    assert top["reason"] == (
        "links 2 MMR recruiters, 1 THA employer and 1 THA transporter as gatekeeper/representative "
        "(4 of 5 brokered pairs; betweenness rank 1 of 5)"
    )


def test_score_is_mean_of_share_below():
    G = nx.path_graph(4)
    df = rank_brokers(G, group={v: "X" for v in G}).set_index("node")
    # nodes 1 and 2: betweenness 2 (0 others below... 2 of 3 others strictly lower),
    # constraint 0.5 -> 1-c = 0.5 > 0 of the leaves (2/3), brokerage 2 > 0 (2/3)
    assert df.loc[1, "score"] == pytest.approx(2 / 3)
    assert df.loc[0, "score"] == pytest.approx(0.0)
    assert df.loc[1, "rank"] == 1 and df.loc[2, "rank"] == 1 and df.loc[0, "rank"] == 3
    assert df.loc[1, "roles"] == ["coordinator"] and df.loc[1, "groups_bridged"] == ["X"]
    assert df.loc[0, "reason"] == "a single contact: brokers no pairs"


def test_directed_reason_names_both_sides_and_top():
    G = nx.DiGraph([("a", "b"), ("x", "b"), ("b", "c")])
    nx.set_node_attributes(G, {"a": "MMR", "x": "MMR", "b": "THA", "c": "THA"}, "nationality")
    nx.set_node_attributes(G, "Person", "label")
    df = rank_brokers(G, top=1)
    assert len(df) == 1
    row = df.iloc[0]
    assert row["role"] == "gatekeeper" and row["gatekeeper"] == 2
    assert row["reason"] == "links 2 MMR people to 1 THA person as gatekeeper (2 brokered pairs; betweenness rank 1 of 4)"


def test_isolate_and_missing_group():
    G = nx.Graph([("a", "b"), ("b", "c")])
    G.add_node("z")
    nx.set_node_attributes(G, {"a": "LAO", "b": "THA"}, "nationality")  # c and z have none
    df = rank_brokers(G).set_index("node")
    assert df.loc["z", "reason"] == "no ties in this network"
    assert df.loc["b", "liaison"] == 2  # c counts in the group "unknown"
    assert df.loc["b", "groups_bridged"] == ["LAO", "THA", "unknown"]


def test_broker_subgraph_radius_and_attributes():
    G = nx.path_graph(7)
    df = rank_brokers(G, group={v: 0 for v in G})
    H = broker_subgraph(G, df, top=1, radius=2)
    assert sorted(H.nodes) == [1, 2, 3, 4, 5]
    assert H.nodes[3]["broker"] is True and H.nodes[3]["broker_rank"] == 1
    assert H.nodes[1]["broker"] is False
    assert isinstance(df, pd.DataFrame)
