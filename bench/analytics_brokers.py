"""Benchmark: sampled vs exact betweenness, NetworkX vs igraph (bounded to a few minutes).

    python bench/analytics_brokers.py            # writes bench/results/analytics_brokers.json

Graphs: Barabási–Albert (m=2, power-law degrees) and sparse G(n, m) with mean
degree 4, seed 1, at n = 10^3 and 10^4; BA at 10^5 with sampling only.

* n = 10^3: NetworkX exact, igraph exact, NetworkX sampled (k = 50, 100, 200).
* n = 10^4: igraph exact is the reference (it equals NetworkX exact — checked
  at 10^3 and in tests); NetworkX exact would take ~n × (time per pivot), so
  its time is *extrapolated* from the sampled runs and labelled so.
* n = 10^5: NetworkX sampled with k = 10 pivots only; no exact reference
  (both exact codes would take hours on this shared 2-core machine); the
  agreement between two independent samples (seeds 1, 2) is reported.

Metrics: Spearman ρ between estimate and exact, recall of the exact top 1 %
among the estimated top 1 %, max |error| against the Hoeffding bound
(α = 0.05), speed-up = exact NetworkX time / sampled time.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.centrality import betweenness, betweenness_error_bound  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "analytics_brokers.json"


def _timed(fn: Any, *a: Any, **kw: Any) -> tuple[np.ndarray, float]:
    t = time.perf_counter()
    df = fn(*a, **kw)
    return df["betweenness"].to_numpy(), time.perf_counter() - t


def _top(x: np.ndarray, frac: float = 0.01) -> set[int]:
    m = max(1, int(round(frac * len(x))))
    return set(np.argsort(-x, kind="stable")[:m].tolist())


def _compare(est: np.ndarray, exact: np.ndarray, n: int, k: int) -> dict[str, float]:
    rho = float(spearmanr(est, exact).statistic)
    rec = len(_top(est) & _top(exact)) / len(_top(exact))
    return {
        "spearman": round(rho, 4),
        "top1pct_recall": round(rec, 3),
        "max_abs_error": round(float(np.abs(est - exact).max()), 1),
        "hoeffding_bound_alpha05": round(betweenness_error_bound(n, k, 0.05), 1),
        "max_exact": round(float(exact.max()), 1),
    }


def _graph(kind: str, n: int) -> nx.Graph:
    if kind == "barabasi_albert_m2":
        return nx.barabasi_albert_graph(n, 2, seed=1)
    return nx.gnm_random_graph(n, 2 * n, seed=1)


def run() -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    t_all = time.perf_counter()
    for n in (1_000, 10_000):
        for kind in ("barabasi_albert_m2", "gnm_mean_degree_4"):
            G = _graph(kind, n)
            row: dict[str, Any] = {"graph": kind, "n": n, "m": G.number_of_edges(), "seed": 1}
            ig, t_ig = _timed(betweenness, G, backend="igraph")
            row["igraph_exact_s"] = round(t_ig, 3)
            if n <= 1_000:
                nxe, t_nx = _timed(betweenness, G)
                row["networkx_exact_s"] = round(t_nx, 3)
                row["networkx_vs_igraph_max_abs_diff"] = float(np.abs(nxe - ig).max())
                row["networkx_exact_time_is"] = "measured"
            samples = []
            per_pivot = []
            for k in ((50, 100, 200) if n <= 1_000 else (50, 200)):
                est, t = _timed(betweenness, G, k=k, seed=1)
                per_pivot.append(t / k)
                samples.append({"k": k, "seconds": round(t, 3), **_compare(est, ig, n, k)})
            if n > 1_000:
                t_nx = float(np.mean(per_pivot)) * n
                row["networkx_exact_s"] = round(t_nx, 1)
                row["networkx_exact_time_is"] = "extrapolated: mean seconds per pivot x n"
            for s in samples:
                s["speedup_vs_networkx_exact"] = round(t_nx / s["seconds"], 1)
            row["sampled"] = samples
            row["igraph_speedup_vs_networkx_exact"] = round(t_nx / t_ig, 1)
            results.append(row)
            print(json.dumps(row), flush=True)
    # 10^5: sampling only
    n, k = 100_000, 10
    G = _graph("barabasi_albert_m2", n)
    a, ta = _timed(betweenness, G, k=k, seed=1)
    b, tb = _timed(betweenness, G, k=k, seed=2)
    row = {
        "graph": "barabasi_albert_m2", "n": n, "m": G.number_of_edges(), "seed": 1,
        "sampled": [{"k": k, "seconds_seed1": round(ta, 1), "seconds_seed2": round(tb, 1),
                     "spearman_between_two_samples": round(float(spearmanr(a, b).statistic), 4),
                     "top1pct_overlap_between_two_samples": round(len(_top(a) & _top(b)) / len(_top(a)), 3),
                     "hoeffding_bound_alpha05": round(betweenness_error_bound(n, k, 0.05), 1)}],
        "networkx_exact_s": round((ta + tb) / (2 * k) * n, 0),
        "networkx_exact_time_is": "extrapolated: mean seconds per pivot x n",
        "igraph_exact_s": None,
        "igraph_note": "not run: extrapolated from 10^4 it would exceed the 5-minute budget",
    }
    results.append(row)
    print(json.dumps(row), flush=True)
    return {
        "benchmark": "analytics_brokers",
        "command": "python bench/analytics_brokers.py",
        "python": platform.python_version(),
        "networkx": nx.__version__,
        "igraph": __import__("igraph").__version__,
        "machine": f"{platform.machine()}, shared 2-core VM (timings are single runs, noisy)",
        "total_seconds": round(time.perf_counter() - t_all, 1),
        "results": results,
    }


def main() -> int:
    out = run()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT} in {out['total_seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
