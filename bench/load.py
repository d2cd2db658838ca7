"""Bounded load test of the API on loopback: N concurrent clients, mixed reads, T seconds.

    python bench/load.py                              # the configured database as it is
    python bench/load.py --generate 2000 --clear      # load a synthetic bundle first
    python bench/load.py --clients 50 --seconds 60    # the defaults

The API runs as a separate ``uvicorn`` process on 127.0.0.1 (a free port)
with a throw-away NETINTEL_HOME for its users and audit log (every personal
read writes an audit entry, as in production) and points at the configured
Neo4j.  The clients (one asyncio task each, httpx, keep-alive) loop over a
weighted mix of reads — neighbourhoods (depth 1 and 2), entities, name
search, case networks, stats, corridors and transit hubs — as an
investigator (aggregates partly as a viewer).  Every non-200 answer or
transport error counts as an error.  Writes ``bench/results/load.json`` with
requests, errors, throughput and p50/p95/p99 overall and per endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import db as gdb  # noqa: E402
from graph.settings import get_settings  # noqa: E402

MAX_CLIENTS = 200
MAX_SECONDS = 300


def _pct(xs: list[float]) -> dict[str, float]:
    if not xs:
        return {"n": 0}
    a = np.asarray(xs) * 1000.0
    return {"n": len(xs), "p50_ms": round(float(np.percentile(a, 50)), 2),
            "p95_ms": round(float(np.percentile(a, 95)), 2), "p99_ms": round(float(np.percentile(a, 99)), 2),
            "max_ms": round(float(a.max()), 2), "mean_ms": round(float(a.mean()), 2)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(ns: Any, home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NETINTEL_HOME": str(home), "NEO4J_URI": ns.uri, "NEO4J_USER": ns.user,
           "NEO4J_PASSWORD": ns.password(), "NETINTEL_ENV": "production"}
    cmd = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--no-access-log"]
    log = (home / "server.log").open("wb")  # a file, not a pipe: a full pipe would stall the server
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"API did not start: {(home / 'server.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("API did not become ready within 60 s")


def _tokens(home: Path) -> dict[str, str]:
    from api.security import UserStore, create_access_token, get_api_settings

    s = get_api_settings(home)
    store = UserStore(s.users_db)
    out = {}
    for role in ("viewer", "investigator"):
        name = f"load-{role}"
        if store.get(name) is None:
            store.add(name, "load-password-" + os.urandom(6).hex(), role)
        out[role] = create_access_token(s, name, role, minutes=60, password_changed_at=store.password_changed_at(name))
    return out


def _mix(persons: list[str], cases: list[str], names: list[str]) -> list[tuple[str, str, str, float]]:
    """(name, role, url template, weight); ``{p}``, ``{c}``, ``{q}`` are filled per request."""
    mix = [("neighbourhood_d1", "investigator", "/api/entities/{p}/neighbourhood?label=Person&depth=1", 25),
           ("neighbourhood_d2", "investigator", "/api/entities/{p}/neighbourhood?label=Person&depth=2", 10),
           ("entity", "investigator", "/api/entities/{p}?label=Person", 20),
           ("search_name", "investigator", "/api/search?q={q}", 15),
           ("case_network", "investigator", "/api/cases/{c}/network?depth=1", 10),
           ("stats", "viewer", "/api/stats", 8),
           ("corridors", "viewer", "/api/routes/corridors", 6),
           ("hubs", "viewer", "/api/routes/hubs", 6)]
    if not cases:
        mix = [m for m in mix if "{c}" not in m[2]]
    if not names:
        mix = [m for m in mix if "{q}" not in m[2]]
    return [(n, r, u, float(w)) for n, r, u, w in mix]


async def _run(base: str, tokens: dict[str, str], mix: list[tuple[str, str, str, float]], persons: list[str],
               cases: list[str], names: list[str], clients: int, seconds: float, seed: int) -> dict[str, Any]:
    import httpx

    lat: dict[str, list[float]] = {m[0]: [] for m in mix}
    errors: dict[str, int] = {m[0]: 0 for m in mix}
    samples: list[str] = []
    weights = [m[3] for m in mix]
    stop_at = time.monotonic() + seconds

    async def client(i: int) -> None:
        rnd = random.Random(seed + i)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as c:
            while time.monotonic() < stop_at:
                name, role, tmpl, _ = rnd.choices(mix, weights)[0]
                url = tmpl.format(p=rnd.choice(persons), c=rnd.choice(cases) if cases else "",
                                  q=rnd.choice(names) if names else "")
                t0 = time.perf_counter()
                try:
                    r = await c.get(url, headers={"Authorization": f"Bearer {tokens[role]}"})
                    ok = r.status_code == 200
                    if not ok and len(samples) < 20:
                        samples.append(f"{url}: HTTP {r.status_code} {r.text[:200]}")
                except httpx.HTTPError as exc:
                    ok = False
                    if len(samples) < 20:
                        samples.append(f"{url}: {type(exc).__name__} {exc}")
                dt = time.perf_counter() - t0
                if ok:
                    lat[name].append(dt)
                else:
                    errors[name] += 1

    t0 = time.monotonic()
    await asyncio.gather(*(client(i) for i in range(clients)))
    wall = time.monotonic() - t0
    allx = [x for v in lat.values() for x in v]
    n_err = sum(errors.values())
    return {"requests": len(allx) + n_err, "errors": n_err, "ok": len(allx), "wall_seconds": round(wall, 2),
            "throughput_rps": round((len(allx) + n_err) / wall, 1), "latency": _pct(allx),
            "per_endpoint": {k: {**_pct(v), "errors": errors[k]} for k, v in lat.items()},
            "error_samples": samples}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--sample", type=int, default=200, help="distinct start persons/cases/names")
    ap.add_argument("--generate", type=int, default=0, help="load a synthetic bundle of this many persons first")
    ap.add_argument("--clear", action="store_true", help="with --generate: empty the database first")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load.json")
    args = ap.parse_args()
    clients = max(1, min(args.clients, MAX_CLIENTS))
    seconds = max(1.0, min(args.seconds, MAX_SECONDS))

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
        out = Path(tempfile.mkdtemp(prefix="bench-load-"))
        generate_bundle(out, seed=7, persons=args.generate)
        ingest_bundle(driver, out, rejects_path=out / "rejects.csv")
        gdb.ensure_schema(driver)

    from graph.explore import sample_ids

    size = gdb.stats(driver)
    persons = sample_ids(driver, "Person", args.sample, min_degree=2)
    cases = sample_ids(driver, "Case", args.sample, min_degree=2)
    names = [r["n"] for r in gdb.read(driver, "MATCH (p:Person) WHERE p.full_name_latin IS NOT NULL "
                                              "RETURN split(p.full_name_latin, ' ')[0] AS n ORDER BY p.id LIMIT $k",
                                      k=args.sample)]
    driver.close()
    if not persons:
        sys.exit("no person with 2+ relationships: load data first (--generate 2000 --clear)")
    n_nodes, n_rels = sum(size["nodes"].values()), sum(size["relationships"].values())
    print(f"database: {n_nodes:,} nodes, {n_rels:,} relationships; {clients} clients for {seconds:g} s",
          file=sys.stderr)

    home = Path(tempfile.mkdtemp(prefix="bench-load-home-"))
    tokens = _tokens(home)
    port = _free_port()
    proc = _start_server(ns, home, port)
    try:
        mix = _mix(persons, cases, names)
        res = asyncio.run(_run(f"http://127.0.0.1:{port}", tokens, mix, persons, cases, names, clients, seconds,
                               args.seed))
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    from api.audit import verify_audit

    audit = verify_audit(home / "audit.sqlite")
    server_log = (home / "server.log").read_text(errors="replace")
    if res["errors"]:
        print(f"server log: {home / 'server.log'}", file=sys.stderr)
    report = {
        "database": {"uri": ns.uri, "nodes": n_nodes, "relationships": n_rels},
        "clients": clients, "seconds": seconds, "mix": [{"name": n, "role": r, "url": u, "weight": w}
                                                        for n, r, u, w in mix],
        "server": "uvicorn, 1 process, loopback; audit log on (one entry per personal read)",
        "audit_entries_written": audit.entries, "audit_chain_ok": audit.ok,
        "server_log_tail": server_log[-3000:] if res["errors"] else "",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        **res,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("requests", "errors", "throughput_rps", "latency")}), file=sys.stderr)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
