"""Validate the broker analytics on real criminal / organisational networks (prints numbers).

Reads the datasets from /work/shared/datasets (or $NETINTEL_DATASETS) at run
time; nothing is copied into the repository.  Not a test.

    python scripts/validate_brokers.py

Checks:
* betweenness: NetworkX (ours) vs python-igraph, exact, max |difference|;
* constraint / effective size: ours (sparse) vs NetworkX's per-node code;
* Gould–Fernandez counts: ours vs an independent all-triples enumeration;
* z-scores (sna formulas) and the whole-network (gli) z per role;
* CAVIAR: where N1 (Daniel Serero) and N12 (Pierre Gagné) rank on
  betweenness per phase — Morselli (2009, 2010) reports them as the most
  central brokers; rank_brokers' top rows with their reasons;
* key players (k = 3) and Louvain modularity.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.brokerage import ROLES, brokerage_global, gould_fernandez  # noqa: E402
from analytics.brokers import rank_brokers  # noqa: E402
from analytics.centrality import betweenness, constraint, effective_size  # noqa: E402
from analytics.communities import communities  # noqa: E402
from analytics.keyplayers import fragmentation  # noqa: E402
from graph.settings import get_settings  # noqa: E402

DATA = get_settings().datasets  # NETINTEL_DATASETS


def _load(name: str, directed: bool, nodes_df: pd.DataFrame | None = None,
          edges_df: pd.DataFrame | None = None) -> nx.Graph:
    d = DATA / name
    nodes = pd.read_csv(d / "nodes.csv", dtype=str) if nodes_df is None else nodes_df
    edges = pd.read_csv(d / "edges.csv", dtype={"source": str, "target": str}) if edges_df is None else edges_df
    G: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    for r in nodes.to_dict(orient="records"):
        G.add_node(str(r["id"]), **{k: v for k, v in r.items() if k != "id"})
    for r in edges.itertuples(index=False):
        if str(r.source) != str(r.target):
            G.add_edge(str(r.source), str(r.target))
    return G


def _brute_total(G: nx.Graph) -> int:
    def arc(u: str, v: str) -> bool:
        return G.has_edge(u, v)

    # an undirected nx graph answers has_edge both ways: the fully mutual digraph
    return sum(1 for a, b, c in itertools.permutations(G.nodes, 3) if arc(a, b) and arc(b, c) and not arc(a, c))


def _best_kp3(G: nx.Graph) -> float:
    """Exact best F for k = 3: every pair, then the best third node from one low-link DFS."""
    from analytics.keyplayers import _Edges

    E = _Edges(G)
    m = E.n - 3
    best = min(float(np.nanmin(E.pair_sums([a, b]))) for a, b in itertools.combinations(range(E.n), 2))
    return 1 - best / (m * (m - 1))


def _check(name: str, G: nx.Graph, group: str = "group") -> None:
    print(f"\n=== {name}: {G.number_of_nodes()} nodes, {G.number_of_edges()} "
          f"{'arcs' if G.is_directed() else 'edges'}, groups {sorted(set(nx.get_node_attributes(G, group).values()))}")
    ours = betweenness(G).betweenness.to_numpy()
    ig = betweenness(G, backend="igraph").betweenness.to_numpy()
    print(f"betweenness vs igraph: max |diff| = {np.abs(ours - ig).max():.3g}")
    live = [v for v in G if len(set(nx.all_neighbors(G, v)) - {v})]
    c = constraint(G).set_index("node").constraint
    e = effective_size(G).set_index("node").effective_size
    nc = nx.constraint(G, nodes=live)
    ne = nx.effective_size(G, nodes=live)
    print(f"constraint vs networkx: max |diff| = {max(abs(c[v] - nc[v]) for v in live):.3g}; "
          f"effective size: {max(abs(e[v] - ne[v]) for v in live):.3g}")
    gf = gould_fernandez(G, group, z=True)
    if G.number_of_nodes() <= 70:
        print(f"GF total brokered pairs: ours {int(gf.total.sum())}, all-triples enumeration {_brute_total(G)}")
    glob = brokerage_global(G, group)
    print("network-level brokerage (observed / expected / z):")
    for r in glob.itertuples(index=False):
        print(f"  {r.role:15s} {r.observed:7.0f} {r.expected:9.2f} {r.z:7.2f}")
    top = gf.sort_values("z_total", ascending=False).head(5)
    print("highest z_total:", ", ".join(f"{v} ({z:.2f})" for v, z in zip(top.node, top.z_total, strict=True)))
    rb = rank_brokers(G, group=group, top=5)
    print("rank_brokers top 5:")
    for r in rb.itertuples(index=False):
        print(f"  {r.rank:2d} {r.node:>4s} score {r.score:.3f} btw {r.betweenness:8.1f} "
              f"constraint {r.constraint:.3f} GF {r.brokerage_total:4d} — {r.reason}")
    kp = fragmentation(G, 3, seed=0)
    print(f"key players (k=3): {kp.node.tolist()}  F {kp.attrs['fragmentation_before']:.3f} -> "
          f"{kp.attrs['fragmentation_after']:.4f}; exact optimum over all 3-sets {_best_kp3(G):.4f}")
    cm = communities(G, seed=0)
    print(f"louvain: {cm.community.nunique()} communities, modularity {cm.attrs['modularity']:.3f}")


def fmt(s: pd.Series, v: str) -> str:
    """Rank of v, or '-' when v is not in this phase."""
    return f"{int(s[v]):>3d}" if v in s.index else "  -"


def _caviar() -> None:
    d = DATA / "caviar"
    nodes = pd.read_csv(d / "nodes.csv", dtype=str)
    edges = pd.read_csv(d / "edges.csv", dtype={"source": str, "target": str})
    pn = pd.read_csv(d / "phase_nodes.csv", dtype=str)
    print("\n=== CAVIAR per phase (directed; group trafficker/non_trafficker)")
    print("phase  n  arcs  rank(N1) rank(N12) [directed btw] rank(N1) rank(N12) [undirected]  top-3 directed  "
          "max|ours-igraph|  z_total(N1) z_total(N12)")
    for ph in range(1, 12):
        ids = set(pn.loc[pn.phase == str(ph), "id"])
        G = _load("caviar", True, nodes[nodes.id.isin(ids)], edges[edges.phase == ph])
        bt = betweenness(G)
        btu = betweenness(G.to_undirected())
        ig = betweenness(G, backend="igraph")
        rk = bt.set_index("node").betweenness.rank(ascending=False, method="min")
        rku = btu.set_index("node").betweenness.rank(ascending=False, method="min")
        z = gould_fernandez(G, "group", z=True).set_index("node").z_total
        top3 = bt.sort_values("betweenness", ascending=False).node.head(3).tolist()

        def fz(v: str, z: pd.Series = z) -> str:
            return f"{z[v]:6.2f}" if v in z.index else "     -"

        print(f"{ph:5d} {G.number_of_nodes():2d} {G.number_of_edges():5d}   {fmt(rk, '1')}      {fmt(rk, '12')}"
              f"                  {fmt(rku, '1')}      {fmt(rku, '12')}               {','.join(top3):14s}"
              f"  {np.abs(bt.betweenness - ig.betweenness).max():.2g}            {fz('1')}      {fz('12')}")
    G = _load("caviar_full", True)
    _check("CAVIAR complete matrix (directed)", G)


def main() -> int:
    if not DATA.exists():
        print(f"datasets not found at {DATA} (set NETINTEL_DATASETS); nothing to validate")
        return 0
    pd.set_option("display.width", 200)
    _caviar()
    _check("Krackhardt advice (directed; group = department)", _load("krackhardt_advice", True))
    _check("London gang (undirected; group = birthplace)", _load("london_gang", False))
    _check("Italian gangs (undirected; group = country code)", _load("italian_gangs", False))
    print("\nroles in GF columns:", ", ".join(ROLES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
