"""Whole-graph analytics on the loaded database, through the views (the API's and CLI's
interface): the person network's projection, brokers, communities, key players, and the
route map, corridors and stats, first computed and then served from the read path's cache.

    python bench/wholegraph.py [--skip brokers,communities,keyplayers,routes] [--k 5]

Run it after ``bench/scale.py`` on the same ``NETINTEL_HOME``.  Each step reports
its wall time and memory: this process's resident set after the step and its
peak so far (VmRSS / VmHWM), and the peak resident set of the job processes the
views run the analytics in (``jobs_peak_mib``: the forkserver's children, summed,
sampled every 0.2 s while the step runs; they are not this process's waited-for
children, so ``RUSAGE_CHILDREN`` does not see them).  Writes ``bench/results/wholegraph.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import db as gdb  # noqa: E402
from graph.scope import Scope  # noqa: E402
from graph.settings import get_settings  # noqa: E402


def _mem() -> dict[str, float]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out[line.split(":")[0]] = round(int(line.split()[1]) / 1024, 1)
    out["children_peak_mib"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    return out


def _descendants_rss_mib() -> float:
    """Summed resident set of every process below this one (from ``/proc``)."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            parent[int(d.name)] = int(fields[1])
            rss[int(d.name)] = int(fields[21]) * resource.getpagesize()
        except (OSError, ValueError, IndexError):
            continue
    me, total = os.getpid(), 0
    for pid in rss:
        p = parent.get(pid)
        while p and p != me:
            p = parent.get(p)
        if p == me:
            total += rss[pid]
    return total / 2**20


def _step(results: dict[str, Any], name: str, fn: Callable[[], Any]) -> Any:
    print(f"{name} ...", file=sys.stderr, flush=True)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _descendants_rss_mib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t = time.perf_counter()
    try:
        value = fn()
        error = None
    except Exception as exc:  # noqa: BLE001 - a failed step is reported, the others still run
        value, error = None, f"{type(exc).__name__}: {exc}"[:500]
    seconds = round(time.perf_counter() - t, 2)
    done.set()
    sampler.join()
    results[name] = {"seconds": seconds, **_mem(), "jobs_peak_mib": round(peak[0], 1),
                     **({"error": error} if error else {})}
    print(f"  {results[name]}", file=sys.stderr, flush=True)
    return value


def _save(res: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, default=str) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skip", default="", help="comma-separated steps to skip (brokers, communities, keyplayers, "
                                               "routes)")
    ap.add_argument("--k", type=int, default=5, help="key players: the size of the set")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "wholegraph.json")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    from views import analytics, routes
    from views.explore import stats

    s = get_settings()
    drv = gdb.connect(s)
    scope = Scope.operator(drv, "bench/wholegraph.py")
    res: dict[str, Any] = {"database": gdb.stats(scope)}
    if "routes" not in skip:
        q = routes.RouteQuery.parse(level="country")
        _step(res, "route_map_first", lambda: routes.route_map(scope, q, format="html"))
        _step(res, "route_map_from_cache", lambda: routes.route_map(scope, q, format="html"))
        _step(res, "corridors_from_cache", lambda: routes.corridors(scope, q))
        _step(res, "stats_first", lambda: stats(scope))
        _step(res, "stats_from_cache", lambda: stats(scope))
        _save(res, args.out)
    G = _step(res, "person_network_projection", lambda: analytics.person_network(scope)[0])
    if G is not None:
        res["person_network"] = {"persons": G.number_of_nodes(), "ties": G.number_of_edges()}
    _save(res, args.out)
    if "communities" not in skip:
        c = _step(res, "communities_leiden_whole_graph",
                  lambda: analytics.communities(scope, method="leiden", budget=None))
        if c is not None:
            res["communities"] = {"rows": len(c.data), "modularity": c.meta.get("modularity")}
        _save(res, args.out)
    if "brokers" not in skip:
        b = _step(res, "brokers_whole_graph", lambda: analytics.brokers(scope, top=20, budget=None))
        if b is not None:
            res["brokers_top5"] = [{"node": r.node, "score": r.score, "role": r.role} for r in b.data[:5]]
        _save(res, args.out)
    if "keyplayers" not in skip:
        res["keyplayers_estimated_seconds"] = round(analytics.keyplayer_estimate(G, args.k)) if G is not None else None
        kp = _step(res, f"keyplayers_k{args.k}_whole_graph", lambda: analytics.keyplayers(scope, k=args.k, budget=None))
        if kp is not None:
            res["keyplayers"] = [{"node": r.node, "order": r.order, "degree": r.degree,
                                  "fragmentation_cumulative": r.fragmentation_cumulative} for r in kp.data]
    drv.close()
    res["machine"] = {"cpus": os.cpu_count(), "load_average_at_end": os.getloadavg(), "heap": s.heap,
                      "pagecache": s.pagecache}
    res["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, default=str) + "\n")
    print(json.dumps(res, indent=2, default=str))


if __name__ == "__main__":
    main()
