"""Gould–Fernandez brokerage: hand-checked triads, brute force and R ``sna::brokerage`` values."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pytest

from analytics.brokerage import ROLES, brokerage_global, brokerage_zscores, brokered_triples, gould_fernandez

ROLE_CASES = {
    # groups of (a, b, c) for the 2-path a -> b -> c
    "coordinator": ("X", "X", "X"),
    "itinerant": ("X", "Y", "X"),
    "representative": ("X", "X", "Y"),
    "gatekeeper": ("X", "Y", "Y"),
    "liaison": ("X", "Y", "Z"),
}


def _row(df, node):
    return df.set_index("node").loc[node]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_on_a_directed_path(role):
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    ga, gb, gc = ROLE_CASES[role]
    df = gould_fernandez(G, {"a": ga, "b": gb, "c": gc})
    assert list(df.columns) == ["node", "group", *ROLES, "total"]
    b = _row(df, "b")
    assert b[role] == 1 and b["total"] == 1
    assert sum(b[r] for r in ROLES) == 1
    assert _row(df, "a")["total"] == 0 and _row(df, "c")["total"] == 0


def test_closed_triad_is_not_brokerage():
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")])
    assert gould_fernandez(G, {"a": 1, "b": 1, "c": 1})["total"].sum() == 0
    # only c -> a missing? then b still brokers nothing for (a, c), but (c, a) has no 2-path via b
    G2 = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")])  # 3-cycle: every node brokers one pair
    assert gould_fernandez(G2, {"a": 1, "b": 1, "c": 1})["total"].tolist() == [1, 1, 1]


def test_undirected_counts_both_directions():
    G = nx.Graph([("a", "b"), ("b", "c")])
    b = _row(gould_fernandez(G, {"a": "MMR", "b": "MMR", "c": "THA"}), "b")
    # (a, c): representative; (c, a): gatekeeper — the same as a fully mutual digraph
    assert (b["representative"], b["gatekeeper"], b["total"]) == (1, 1, 2)
    D = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "b")])
    d = gould_fernandez(D, {"a": "MMR", "b": "MMR", "c": "THA"})
    assert d[list(ROLES)].to_numpy().tolist() == gould_fernandez(G, {"a": "MMR", "b": "MMR", "c": "THA"})[
        list(ROLES)
    ].to_numpy().tolist()


def test_star_hub_brokers_every_pair_of_leaves():
    G = nx.star_graph(4)  # hub 0, leaves 1..4
    groups = {0: "H", 1: "A", 2: "A", 3: "B", 4: "C"}
    hub = _row(gould_fernandez(G, groups), 0)
    # ordered leaf pairs: 12 = 4*3; same-group pairs (1,2),(2,1) -> itinerant; the other 10 liaison
    assert (hub["itinerant"], hub["liaison"], hub["total"]) == (2, 10, 12)


def test_attribute_name_weights_and_selfloops_ignored():
    G = nx.DiGraph()
    G.add_edge("a", "b", weight=5)
    G.add_edge("b", "c", weight=0.1)
    G.add_edge("b", "b")
    nx.set_node_attributes(G, {"a": "X", "b": "Y", "c": "Y"}, "nationality")
    assert _row(gould_fernandez(G, "nationality"), "b")["gatekeeper"] == 1


def test_missing_group_raises_or_is_filled():
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    nx.set_node_attributes(G, {"a": "X", "b": "Y"}, "nationality")
    with pytest.raises(ValueError, match="no group"):
        gould_fernandez(G, "nationality")
    df = gould_fernandez(G, "nationality", fill="UNK")
    assert _row(df, "b")["liaison"] == 1


def _brute(G, groups):
    """Independent enumeration of all ordered triples (a, b, c)."""
    out = {v: dict.fromkeys(ROLES, 0) for v in G}
    directed = G.is_directed()

    def arc(u, v):
        return G.has_edge(u, v) if directed else G.has_edge(u, v) or G.has_edge(v, u)

    for a, b, c in itertools.permutations(G.nodes, 3):
        if arc(a, b) and arc(b, c) and not arc(a, c):
            ga, gb, gc = groups[a], groups[b], groups[c]
            if ga == gb == gc:
                role = "coordinator"
            elif ga == gc:
                role = "itinerant"
            elif ga == gb:
                role = "representative"
            elif gb == gc:
                role = "gatekeeper"
            else:
                role = "liaison"
            out[b][role] += 1
    return out


@pytest.mark.parametrize("seed", range(6))
def test_matches_brute_force_triple_enumeration(seed):
    rnd = random.Random(seed)
    G = nx.gnp_random_graph(9, 0.35, seed=seed, directed=seed % 2 == 0)
    groups = {v: rnd.choice("ABC") for v in G}
    df = gould_fernandez(G, groups).set_index("node")
    expected = _brute(G, groups)
    for v in G:
        assert {r: int(df.loc[v, r]) for r in ROLES} == expected[v]
    triples = list(brokered_triples(G, groups))
    assert len(triples) == int(df["total"].sum())


# --- z-scores: R sna 2.8 ``brokerage()`` output, as recorded (with the R script that produced
# them) in the test fixtures of SNA.jl (statistical-network-analysis-with-Julia/SNA.jl,
# test/fixtures/sna_inference.toml, graphs g1 and g2).  Rows = vertices 1..N, columns =
# w_I, w_O, b_IO, b_OI, b_O, t.
NAN = float("nan")
R_G2_EDGES = [(3, 1), (1, 2), (4, 2), (1, 3), (2, 3), (4, 3), (5, 3), (2, 4), (5, 4), (1, 5), (2, 5), (3, 5), (4, 5)]
R_G2_CL = [3, 3, 1, 3, 3]
R_G2_Z = [
    [-0.9366274829933221, NAN, -0.66229564467026569, 0.83062212297192228, NAN, -0.53737136809893848],
    [0.1190247942603516, NAN, -0.66229564467026569, -0.66229564467026569, NAN, -0.53737136809893848],
    [NAN, 0.85028871737281964, NAN, NAN, NAN, 0.85028871737281964],
    [0.1190247942603516, NAN, -0.66229564467026569, -0.66229564467026569, NAN, -0.53737136809893848],
    [0.1190247942603516, NAN, -0.66229564467026569, 0.83062212297192228, NAN, 0.15645867463694058],
]
R_G2_GLI_Z = [-0.28954403486013958, 0.85028871737281964, -1.0663228654324228, 0.13550623057481606, NAN,
              -0.29079681942099672]
R_G1_EDGES = [(2, 5), (5, 8), (3, 9), (5, 9), (7, 9), (8, 9), (8, 10), (9, 10)]  # undirected, 11 vertices
R_G1_CL = [2, 2, 3, 2, 1, 2, 2, 3, 1, 3, 3]
R_G1_RAW_TOTAL = [0, 0, 0, 0, 4, 0, 0, 2, 16, 0, 0]
R_G1_Z_TOTAL = [-0.77899525203524289] * 4 + [1.1359771926657554, -0.77899525203524289, -0.77899525203524289,
                                              0.17849097031525624, 6.88089452676875, -0.77899525203524289,
                                              -0.77899525203524289]
R_G1_Z_GATE_REP_9 = 5.1971316960077134  # z of vertex 9 as gatekeeper and as representative
R_G1_GLI_Z = [-0.91751944340744152, -0.0047274466218065071, 0.36304268231381209, 0.36304268231381209,
              1.2108781818074277, 0.48232030423318695]


def test_zscores_match_r_sna_directed():
    G = nx.DiGraph()
    G.add_nodes_from(range(1, 6))
    G.add_edges_from(R_G2_EDGES)
    df = gould_fernandez(G, dict(zip(range(1, 6), R_G2_CL, strict=True)), z=True)
    got = df[[f"z_{r}" for r in (*ROLES, "total")]].to_numpy()
    np.testing.assert_allclose(got, np.array(R_G2_Z), rtol=1e-9, equal_nan=True)
    glob = brokerage_global(G, dict(zip(range(1, 6), R_G2_CL, strict=True)))
    np.testing.assert_allclose(glob["z"].to_numpy(), R_G2_GLI_Z, rtol=1e-9, equal_nan=True)


def test_zscores_match_r_sna_undirected():
    G = nx.Graph()
    G.add_nodes_from(range(1, 12))
    G.add_edges_from(R_G1_EDGES)
    groups = dict(zip(range(1, 12), R_G1_CL, strict=True))
    zs = brokerage_zscores(G, groups)
    assert zs["total"].tolist() == R_G1_RAW_TOTAL
    assert zs["z_total"].to_numpy() == pytest.approx(R_G1_Z_TOTAL, rel=1e-9)
    v9 = zs.set_index("node").loc[9]
    assert v9["z_representative"] == pytest.approx(R_G1_Z_GATE_REP_9, rel=1e-9)
    assert v9["z_gatekeeper"] == pytest.approx(R_G1_Z_GATE_REP_9, rel=1e-9)
    assert brokerage_global(G, groups)["z"].to_numpy() == pytest.approx(R_G1_GLI_Z, rel=1e-9)


def test_expected_total_by_hand():
    # 4 nodes, 3 arcs: d = 3/12; E[total] = d^2 (1-d) (N-1)(N-2) = 0.0625*0.75*6
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    zs = brokerage_zscores(G, {"a": 1, "b": 1, "c": 2, "d": 2})
    d = 0.25
    e = d**2 * (1 - d) * 3 * 2
    var = e * (1 - d**2 * (1 - d)) + 2 * 3 * 2 * 1 * d**3 * (1 - d) ** 3
    assert zs["exp_total"].tolist() == pytest.approx([e] * 4)
    b = zs.set_index("node").loc["b"]
    assert b["sd_total"] == pytest.approx(var**0.5)
    assert b["z_total"] == pytest.approx((1 - e) / var**0.5)
    assert zs.attrs["density"] == pytest.approx(d)
    # coordinator in a group of two: expectation 0 and sd 0 -> z is NaN (0/0), as in R
    assert np.isnan(b["z_coordinator"])
