"""Search latency: the one-box faceted search against the old names-only query, side by side.

    python bench/search.py                 # on the configured Neo4j (load a bench bundle first)
    python bench/search.py --n 200 --out bench/results/search.json

For ``--n`` sampled person names (half Latin, half Thai), a few case numbers,
places and phones, sequentially in one process (no concurrency, so the numbers
are per request, not throughput):

* ``names_only``: the read the search did before (``graph.explore.search_names``,
  one full-text query, first 20);
* ``search``: ``views.explore.search`` as the API calls it (every matcher,
  facets, total, context for one page of 20) — audit off.

Reports p50/p95/mean milliseconds for each and their ratio, and the load
average (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _stats(ms: list[float]) -> dict[str, float]:
    a = np.asarray(ms)
    return {"n": len(ms), "p50_ms": round(float(np.percentile(a, 50)), 2),
            "p95_ms": round(float(np.percentile(a, 95)), 2), "mean_ms": round(float(a.mean()), 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)

    from graph import explore as gx
    from graph.db import connect, read
    from graph.scope import Scope
    from graph.settings import get_settings
    from views.explore import search

    drv = connect(get_settings())
    scope = Scope.for_user(drv, "bench", "investigator", (), None)
    op = Scope.operator(drv, "bench")
    rows = read(op, "MATCH (p:Person) WHERE p.full_name_latin IS NOT NULL RETURN p.full_name_latin AS latin, "
                    "p.full_name AS name, p.phones AS phones ORDER BY p.id LIMIT 5000")
    cases = [r["num"] for r in read(op, "MATCH (c:Case) RETURN c.case_number AS num ORDER BY c.id LIMIT 200")]
    places = [r["nm"] for r in read(op, "MATCH (l:Location) RETURN l.name AS nm ORDER BY l.id")]
    rnd = random.Random(a.seed)
    sample = rnd.sample(rows, min(a.n, len(rows)))
    queries: list[tuple[str, str]] = []
    for i, r in enumerate(sample):
        word = (r["latin"] if i % 2 else (r["name"] or r["latin"])).split()[0]
        queries.append(("name", word))
    queries += [("case_number", c) for c in rnd.sample(cases, min(10, len(cases)))]
    queries += [("place", p) for p in rnd.sample(places, min(10, len(places)))]
    queries += [("phone", r["phones"][0]) for r in sample[:10] if r["phones"]]
    for q in queries[:5]:  # warm the page cache and the query plans
        search(scope, q=q[1])
        gx.search_names(scope, q[1], 20)
    old: list[float] = []
    new: list[float] = []
    totals: list[int] = []
    for kind, q in queries:
        if kind == "name":
            t = time.perf_counter()
            gx.search_names(scope, q, 20)
            old.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        res = search(scope, q=q)
        new.append((time.perf_counter() - t) * 1000)
        totals.append(res.total)
    report: dict[str, Any] = {
        "queries": len(queries), "kinds": {k: sum(1 for x, _ in queries if x == k) for k, _ in queries},
        "names_only": _stats(old), "search": _stats(new),
        "ratio_p50": round(_stats(new)["p50_ms"] / max(_stats(old)["p50_ms"], 1e-9), 2),
        "hits_total_mean": round(float(np.mean(totals)), 1),
        "loadavg": list(os.getloadavg()), "cpus": os.cpu_count(),
    }
    drv.close()
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if a.out:
        a.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
