"""API latency vs the raw Cypher behind it, same run, loopback only.

    python bench/api.py                       # the configured database as it is
    python bench/api.py --generate 3000 --clear   # load a synthetic bundle first

Measures, for a sample of well-connected persons and cases, the
neighbourhood endpoint (depth 1 and 2) and the route-map endpoints
(corridors JSON, map HTML, GeoJSON), with one client and with 8 concurrent
clients (bounded request counts), and times the same reads called directly
(``graph.explore.neighbourhood``; the journeys/locations projections for the
route map) in the same process.  Reports p50/p95/p99 in milliseconds and the
database size; writes ``bench/results/api.json``.

The API runs in this process under uvicorn on 127.0.0.1 with a throw-away
NETINTEL_HOME for its users and audit log (each request writes an audit
entry, as in production).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import db as gdb  # noqa: E402
from graph.settings import get_settings  # noqa: E402


def _pct(xs: list[float]) -> dict[str, float]:
    a = np.asarray(xs) * 1000.0
    return {"n": len(xs), "p50_ms": round(float(np.percentile(a, 50)), 2),
            "p95_ms": round(float(np.percentile(a, 95)), 2), "p99_ms": round(float(np.percentile(a, 99)), 2),
            "mean_ms": round(float(a.mean()), 2)}


def _timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(driver: Any, ns: Any, home: Path) -> tuple[str, str, Any]:
    import uvicorn

    from api.app import create_app
    from api.security import ApiSettings, create_access_token

    s = ApiSettings(home=home, env="development", secret_key=os.urandom(32).hex(), token_minutes=60)
    app = create_app(s, neo4j_settings=ns, driver=driver)
    app.state.users.add("bench", "bench-password-" + os.urandom(4).hex(), "investigator")
    token = create_access_token(s, "bench", "investigator", minutes=60,
                                password_changed_at=app.state.users.password_changed_at("bench"))
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", token, srv


def _http(base: str, token: str, urls: list[str], concurrency: int) -> list[float]:
    import httpx

    local = threading.local()

    def one(url: str) -> float:
        if not hasattr(local, "c"):
            local.c = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120)
        t = time.perf_counter()
        r = local.c.get(url)
        dt = time.perf_counter() - t
        if r.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {r.status_code} {r.text[:200]}")
        return dt

    if concurrency == 1:
        return [one(u) for u in urls]
    with ThreadPoolExecutor(concurrency) as ex:
        return list(ex.map(one, urls))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=80, help="requests per endpoint and mode (bounded)")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--sample", type=int, default=20, help="distinct start entities")
    ap.add_argument("--generate", type=int, default=0, help="load a synthetic bundle of this many persons first")
    ap.add_argument("--clear", action="store_true", help="with --generate: empty the database first")
    ap.add_argument("--skip-maps", action="store_true",
                    help="skip the route-map endpoints (they aggregate the whole database per request)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "api.json")
    args = ap.parse_args()
    n_req = max(8, min(args.requests, 2000))

    ns = get_settings()
    driver = gdb.connect(ns)
    gdb.ensure_schema(driver)
    if args.generate:
        from ingest.generate import generate_bundle
        from ingest.loader import ingest_bundle

        if args.clear:
            gdb.clear_database(driver)
        elif sum(gdb.stats(driver)["nodes"].values()):
            sys.exit("the database is not empty: add --clear to replace it with the generated bundle")
        out = Path(tempfile.mkdtemp(prefix="bench-api-"))
        generate_bundle(out, seed=7, persons=args.generate)
        ingest_bundle(driver, out, rejects_path=out / "rejects.csv")
        gdb.ensure_schema(driver)

    from graph.explore import neighbourhood, sample_ids
    from graph.projection import journeys, location_hierarchy, location_table

    size = gdb.stats(driver)
    n_nodes = sum(size["nodes"].values())
    n_rels = sum(size["relationships"].values())
    persons = sample_ids(driver, "Person", args.sample, min_degree=3)
    if not persons:
        sys.exit("no person with 3+ relationships: load data first (--generate 3000 --clear)")
    print(f"database: {n_nodes:,} nodes, {n_rels:,} relationships; {len(persons)} start persons", file=sys.stderr)

    home = Path(tempfile.mkdtemp(prefix="bench-api-home-"))
    base, token, srv = _serve(driver, ns, home)
    results: dict[str, Any] = {}
    try:
        for depth in (1, 2):
            urls = [f"/api/entities/{persons[i % len(persons)]}/neighbourhood?label=Person&depth={depth}"
                    for i in range(n_req)]
            sizes = [len(neighbourhood(driver, p, depth=depth, node_label="Person")["nodes"]) for p in persons]
            _http(base, token, urls[: min(8, n_req)], 1)  # warm-up
            raw = []
            for i in range(n_req):
                t0 = time.perf_counter()
                neighbourhood(driver, persons[i % len(persons)], depth=depth, node_label="Person")
                raw.append(time.perf_counter() - t0)
            results[f"neighbourhood_depth{depth}"] = {
                "nodes_returned_mean": round(float(np.mean(sizes)), 1),
                "raw_cypher": _pct(raw),
                "http_1_client": _pct(_http(base, token, urls, 1)),
                f"http_{args.concurrency}_concurrent": _pct(_http(base, token, urls, args.concurrency)),
            }
            print(f"neighbourhood depth {depth}: {results[f'neighbourhood_depth{depth}']}", file=sys.stderr)

        def route_reads() -> None:
            journeys(driver)
            location_hierarchy(driver)
            location_table(driver)

        n_map = max(8, n_req // 4)  # heavier: whole-database aggregation per request
        raw = [] if args.skip_maps else [_timed(route_reads) for _ in range(n_map)]
        for name, url in () if args.skip_maps else (("routes_corridors_json", "/api/routes/corridors"),
                          ("routemap_html", "/api/routes/map?format=html"),
                          ("routemap_geojson", "/api/routes/map?format=geojson")):
            _http(base, token, [url], 1)
            results[name] = {
                "raw_cypher_projections": _pct(raw),
                "http_1_client": _pct(_http(base, token, [url] * n_map, 1)),
                f"http_{args.concurrency}_concurrent": _pct(_http(base, token, [url] * n_map, args.concurrency)),
            }
            print(f"{name}: {results[name]}", file=sys.stderr)
    finally:
        srv.should_exit = True
        driver.close()

    report = {
        "database": {"uri": ns.uri, "nodes": n_nodes, "relationships": n_rels, **size},
        "target_nodes": 1_000_000,
        "meets_target_size": n_nodes >= 1_000_000,
        "requests_per_endpoint": n_req,
        "concurrency": args.concurrency,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "note": "raw_cypher = the same graph reads called in-process (no HTTP, JSON, auth or audit); "
                "route-map HTTP also runs analytics.routes and the map rendering",
        "results": results,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
