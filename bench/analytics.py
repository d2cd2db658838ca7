"""Analytics benchmark and accuracy, side by side in one run.

    python bench/analytics.py --persons 20000

1. Runs the three part benchmarks (each writes its own JSON):
   * ``bench/analytics_brokers.py`` — sampled vs exact betweenness (rank
     correlation, top-1 % recall, speed-up) and NetworkX vs igraph at
     10^3–10^5 nodes;
   * ``bench/analytics_money.py`` — trace and typology time at 10^5 (and
     10^6) transfers;
   * ``bench/analytics_resolution.py`` — resolution throughput and F1.
2. Scores the whole pipeline on a generated bundle loaded into Neo4j against
   its ``truth.json``: planted brokers, routes and corridors, laundering
   patterns, duplicates — with the time each step took.
3. Merges everything into ``bench/results/analytics.json``.

Needs the managed Neo4j (``make bench`` uses the test instance).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
PARTS = ("analytics_brokers", "analytics_money", "analytics_resolution")


def run_parts(skip: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in PARTS:
        if part not in skip:
            print(f"== {part}", file=sys.stderr)
            subprocess.run([sys.executable, str(ROOT / "bench" / f"{part}.py")], check=True, cwd=ROOT)
        path = RESULTS / f"{part}.json"
        out[part] = json.loads(path.read_text()) if path.is_file() else None
    return out


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    res = fn(*args, **kwargs)
    return res, round(time.perf_counter() - t, 3)


def pipeline(persons: int, seed: int) -> dict[str, Any]:
    from analytics import evaluate as E
    from analytics.brokers import rank_brokers
    from analytics.money import typologies
    from analytics.resolution import find_duplicates
    from analytics.routes import corridors, routes
    from graph import db as gdb
    from graph import projection as P
    from graph.server import Neo4jServer
    from graph.settings import get_settings
    from ingest.generate import generate_bundle
    from ingest.loader import ingest_bundle

    s = get_settings()
    if s.managed:
        Neo4jServer(s).start(log=lambda m: print(m, file=sys.stderr))
    bundle = ROOT / "bench" / "data" / f"pipeline-{persons}-{seed}"
    if not (bundle / "truth.json").is_file():
        generate_bundle(bundle, seed=seed, persons=persons)
    truth = json.loads((bundle / "truth.json").read_text())
    driver = gdb.connect(s)
    gdb.clear_database(driver)
    summary, t_ingest = _timed(ingest_bundle, driver, bundle, rejects_path=ROOT / "bench" / "data" / "rejects.csv")
    out: dict[str, Any] = {"persons": persons, "seed": seed, "ingest_seconds": t_ingest,
                           "counts_match_truth": gdb.stats(driver) == truth["counts"]}

    G, t_proj = _timed(P.person_network, driver)
    ranked, t = _timed(rank_brokers, G, group="nationality")
    out["brokers"] = {"graph": {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()},
                      "projection_seconds": t_proj, "seconds": t,
                      **E.score_brokers(ranked, truth["brokers"])}

    j, t_proj = _timed(P.journeys, driver)
    parents, levels = P.location_hierarchy(driver)
    r, t = _timed(routes, j, level="country", hierarchy=parents, levels=levels)
    c, t_c = _timed(corridors, r)
    out["routes"] = {"journeys": int(r.shape[0]), "projection_seconds": t_proj, "seconds": t,
                     **E.score_routes(r, truth["routes"])}
    out["corridors"] = {"seconds": t_c, **E.score_corridors(c, truth["corridors"])}

    tx, t_proj = _timed(P.transfers, driver)
    found, t = _timed(typologies, tx)
    out["typologies"] = {"transfers": int(tx.shape[0]), "projection_seconds": t_proj, "seconds": t,
                         "by_kind": E.score_typologies(found, truth["laundering"])}

    recs, t_proj = _timed(P.person_records, driver)
    pairs, t = _timed(find_duplicates, recs)
    out["duplicates"] = {"records": int(recs.shape[0]), "projection_seconds": t_proj, "seconds": t,
                         "records_per_s": round(recs.shape[0] / t, 1) if t else None,
                         **E.score_duplicates(pairs, truth["duplicates"])}
    driver.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated parts not to re-run (their last JSON is used)")
    args = ap.parse_args()
    skip = {p.strip() for p in args.skip.split(",") if p.strip()}
    parts = run_parts(skip)
    result = {"parts": parts, "pipeline": pipeline(args.persons, args.seed),
              "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "analytics.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(json.dumps(result["pipeline"], indent=2, default=str))


if __name__ == "__main__":
    main()
