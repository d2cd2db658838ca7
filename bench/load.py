"""Bounded load test on loopback: the API over HTTP and the same mix as raw Cypher, side by side.

    python bench/load.py                                   # API and raw Cypher, 50 clients, 60 s each
    python bench/load.py --only api --workers 2            # only the API, two uvicorn worker processes
    python bench/load.py --only raw                        # only the store's own ceiling
    python bench/load.py --generate 20000 --clear          # load a synthetic bundle first
    python bench/load.py --scenario keyplayers             # keyplayers?k=50 while 20 clients read depth 1

Scenario ``mix`` (the default, ``bench/results/load.json``):

(a) **API**: the API runs as a separate ``uvicorn`` process (``--workers N``)
    on 127.0.0.1 (a free port) with a throw-away NETINTEL_HOME for its users
    and audit log (every personal read writes an audit entry, as in
    production) and points at the configured Neo4j.  Users are made with
    ``netintel users add`` and log in with ``POST /api/auth/token``.  The
    clients (one asyncio task each, httpx, one keep-alive connection each)
    loop over a weighted mix of reads — neighbourhoods (depth 1 and 2),
    entities, name search, case networks, stats, corridors and transit hubs —
    as an investigator (aggregates as a viewer).  Every non-200 answer or
    transport error counts as an error.
(b) **raw Cypher**: the same weighted mix, the same start persons, cases and
    names, the same number of concurrent clients for the same time, straight
    to Neo4j with the async Python driver: no access control, no cache, no
    JSON, no audit — the ceiling of the store under this concurrency.  What
    each raw query is, is written into the report (``raw.queries``).

The API runs first; its server is stopped before the raw run starts.  The
report has, for both, requests, errors, throughput and p50/p95/p99 overall,
per endpoint and for the cached aggregates (stats, corridors, hubs), the
API/raw ratios, and the "Done means" checks of issue 8.

Scenario ``keyplayers`` (``bench/results/load-keyplayers.json``): one server;
first a baseline of N clients (default 20) sending depth-1 neighbourhood
requests for ``--seconds``; then the same load again while one investigator
sends ``GET /api/analytics/keyplayers?k=50`` (no case filter) and waits up to
``--kp-timeout`` seconds (30) for an answer.  A 202 answer with a job
(``{"job": {"url": ...}}`` or a ``Location`` header) is polled until it is
done or failed, and cancelled with DELETE when it is still running at the
end.  Reports the keyplayers status, time to first answer, final job state,
and depth-1 p50/p95/p99 and errors (also for the requests sent while the
keyplayers request or job was in flight).

Every loop is bounded in count and time, every request has a client timeout
(≤ 60 s), the whole run has a deadline, and the server is always stopped.
Traffic goes only to 127.0.0.1.  The machine may be shared: the load
average before and after each phase is in the report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

MAX_CLIENTS = 200
MAX_SECONDS = 300
#: client timeout of one request (seconds; the brief: at most 60)
REQUEST_TIMEOUT = 60.0
#: upper bound of requests one client sends in one phase (a loop is never unbounded)
MAX_REQUESTS_PER_CLIENT = 200_000
#: after the nominal duration, requests in flight get this long before they are cancelled
GRACE_SECONDS = REQUEST_TIMEOUT + 5
#: the API's node cap of a neighbourhood (graph.explore.MAX_NODES)
MAX_NODES = 500
#: the API's per-hop row cap (limit * 4 + 50)
ROW_CAP = MAX_NODES * 4 + 50
SEARCH_LIMIT = 20
AGGREGATES = ("stats", "corridors", "hubs")
JOB_DONE = {"done", "failed", "error", "cancelled", "canceled", "succeeded", "finished"}


# ----------------------------------------------------------------- helpers
def _loadavg() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, ValueError):
        return None


def _tree_cpu(root: int) -> float:
    """CPU seconds (user + system) used so far by process ``root`` and its descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    kids: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            f = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kids.setdefault(int(f[1]), []).append(int(d.name))
        cpu[int(d.name)] = (int(f[11]) + int(f[12])) / tick
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo.extend(kids.get(pid, []))
    return total


def _neo4j_pid() -> int | None:
    """The Neo4j server's pid, from its pid file under NETINTEL_HOME (None when unknown)."""
    from graph.settings import get_settings

    for f in (get_settings().home / "neo4j").glob("**/run/neo4j.pid"):
        try:
            return int(f.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return None


def _cpu_per_request(before: dict[str, float], after: dict[str, float], requests: int) -> dict[str, Any]:
    """CPU milliseconds per request of each process: a figure the machine's other load barely
    changes (unlike latency), and the bound it implies for one Python server process."""
    out: dict[str, Any] = {"note": "CPU ms (user+system) per request during the phase; a single-worker "
                                   "server cannot serve more than 1000 / server_ms requests per CPU-second"}
    for k in before:
        if k in after and requests:
            out[f"{k}_ms"] = round(1000 * (after[k] - before[k]) / requests, 2)
    if out.get("server_ms"):
        out["server_bound_rps"] = round(1000 / out["server_ms"], 1)
    return out


def _pct(xs: list[float]) -> dict[str, Any]:
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


@dataclass
class Neo4jConn:
    uri: str
    user: str
    password: str


def _neo4j_conn() -> Neo4jConn:
    """The configured Neo4j, from the documented environment: NEO4J_URI/USER/PASSWORD,
    or the managed instance at NETINTEL_BOLT_PORT with its password under NETINTEL_HOME
    (read here rather than through graph.settings, which is being rewritten)."""
    env = os.environ
    if env.get("NEO4J_URI"):
        return Neo4jConn(env["NEO4J_URI"], env.get("NEO4J_USER", "neo4j"), env.get("NEO4J_PASSWORD", ""))
    home = Path(env.get("NETINTEL_HOME", ".netintel")).expanduser().resolve()
    pw = (home / "neo4j" / "password").read_text(encoding="utf-8").strip()
    return Neo4jConn(f"bolt://127.0.0.1:{env.get('NETINTEL_BOLT_PORT', '7687')}", "neo4j", pw)


def _check_loopback(uri: str) -> None:
    host = re.sub(r"^[a-z+]+://", "", uri).split("/")[0].rsplit(":", 1)[0].strip("[]")
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"refusing to load {uri}: this harness only sends traffic to 127.0.0.1")


def _netintel_cmd(app_dir: Path = ROOT) -> list[str]:
    """The ``netintel`` CLI; for another source tree (``--app-dir``), that tree's ``cli.main``."""
    exe = Path(sys.executable).parent / "netintel"
    if app_dir.resolve() == ROOT and exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "import sys; sys.argv[0] = 'netintel'; from cli import main; main()"]


# ------------------------------------------------------------ the database
def _generate(conn: Neo4jConn, persons: int, clear: bool, seed: int) -> None:
    import neo4j

    with neo4j.GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password)) as drv:
        n = drv.execute_query("MATCH (n) RETURN count(n) AS c").records[0]["c"]
        if n and not clear:
            sys.exit("the database is not empty: add --clear to replace it with the generated bundle")
        for _ in range(10_000):  # bounded: 10k batches of 10k nodes
            if not drv.execute_query("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS c"
                                     ).records[0]["c"]:
                break
    out = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = {**os.environ, "NEO4J_URI": conn.uri, "NEO4J_USER": conn.user, "NEO4J_PASSWORD": conn.password}
    subprocess.run([*_netintel_cmd(), "generate", "--out", str(out), "--seed", str(seed), "--persons", str(persons)],
                   cwd=ROOT, env=env, check=True, timeout=1800)
    subprocess.run([*_netintel_cmd(), "ingest", str(out)], cwd=ROOT, env=env, check=True, timeout=3600)


@dataclass
class Sample:
    nodes: int
    relationships: int
    node_counts: dict[str, int]
    rel_counts: dict[str, int]
    persons: list[str]
    cases: list[str]
    names: list[str]
    labels: list[str]
    rel_types: list[str]
    fulltext_index: str


_SAMPLE = "MATCH (n:{lab}) WHERE COUNT {{ (n)--() }} >= $min_degree RETURN n.id AS id ORDER BY n.id LIMIT $n"
_NAMES = ("MATCH (p:Person) WHERE p.full_name_latin IS NOT NULL "
          "RETURN split(p.full_name_latin, ' ')[0] AS n ORDER BY p.id LIMIT $k")


def _fulltext_index_name() -> str:
    try:
        from graph.model import FULLTEXT_INDEX

        return str(FULLTEXT_INDEX)
    except Exception:  # noqa: BLE001 - module being rewritten: the name it had
        return "entity_names"


def _sample(conn: Neo4jConn, k: int) -> Sample:
    import neo4j

    with neo4j.GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password)) as drv:
        def q(cypher: str, **params: Any) -> list[Any]:
            return list(drv.execute_query(cypher, params, routing_=neo4j.RoutingControl.READ).records)

        labels = sorted(r["label"] for r in q("CALL db.labels() YIELD label RETURN label"))
        types = sorted(r["relationshipType"] for r in q("CALL db.relationshipTypes() YIELD relationshipType "
                                                          "RETURN relationshipType"))
        node_counts = {lab: int(q(f"MATCH (n:`{lab}`) RETURN count(n) AS c")[0]["c"]) for lab in labels}
        rel_counts = {t: int(q(f"MATCH ()-[r:`{t}`]->() RETURN count(r) AS c")[0]["c"]) for t in types}
        persons = [r["id"] for r in q(_SAMPLE.format(lab="Person"), n=k, min_degree=2)] if "Person" in labels else []
        cases = [r["id"] for r in q(_SAMPLE.format(lab="Case"), n=k, min_degree=2)] if "Case" in labels else []
        names = [r["n"] for r in q(_NAMES, k=k) if r["n"]] if "Person" in labels else []
        index = _fulltext_index_name()
        found = {r["name"] for r in q("SHOW FULLTEXT INDEXES YIELD name RETURN name")}
        if index not in found:
            index = sorted(found)[0] if found else index
        total_n = int(q("MATCH (n) RETURN count(n) AS c")[0]["c"])
        total_r = int(q("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"])
    return Sample(total_n, total_r, node_counts, rel_counts, persons, cases, names, labels, types, index)


# ----------------------------------------------------------------- the mix
#: (name, role, url template, weight); ``{p}``, ``{c}``, ``{q}`` are filled per request
MIX: list[tuple[str, str, str, float]] = [
    ("neighbourhood_d1", "investigator", "/api/entities/{p}/neighbourhood?label=Person&depth=1", 25),
    ("neighbourhood_d2", "investigator", "/api/entities/{p}/neighbourhood?label=Person&depth=2", 10),
    ("entity", "investigator", "/api/entities/{p}?label=Person", 20),
    ("search_name", "investigator", "/api/search?q={q}", 15),
    ("case_network", "investigator", "/api/cases/{c}/network?depth=1", 10),
    ("stats", "viewer", "/api/stats", 8),
    ("corridors", "viewer", "/api/routes/corridors", 6),
    ("hubs", "viewer", "/api/routes/hubs", 6),
]


def _mix(s: Sample) -> list[tuple[str, str, str, float]]:
    mix = list(MIX)
    if not s.cases:
        mix = [m for m in mix if "{c}" not in m[2]]
    if not s.names:
        mix = [m for m in mix if "{q}" not in m[2]]
    return [(n, r, u, float(w)) for n, r, u, w in mix]


@dataclass
class Phase:
    """Latencies and errors of one measured phase, per endpoint."""

    names: list[str]
    lat: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    #: (start time, latency) of the successful requests, for windows
    starts: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for n in self.names:
            self.lat.setdefault(n, [])
            self.errors.setdefault(n, 0)
            self.statuses.setdefault(n, {})
            self.starts.setdefault(n, [])

    def record(self, name: str, t_start: float, dt: float, ok: bool, status: str, sample: str | None = None) -> None:
        self.statuses[name][status] = self.statuses[name].get(status, 0) + 1
        if ok:
            self.lat[name].append(dt)
            self.starts[name].append((t_start, dt))
        else:
            self.errors[name] += 1
            if sample and len(self.samples) < 25:
                self.samples.append(sample)

    def report(self, wall: float, nominal: float) -> dict[str, Any]:
        allx = [x for v in self.lat.values() for x in v]
        n_err = sum(self.errors.values())
        req = len(allx) + n_err
        per = {}
        for k, v in self.lat.items():
            n = len(v) + self.errors[k]
            per[k] = {"requests": n, "errors": self.errors[k], "throughput_rps": round(n / wall, 2) if wall else 0,
                      "status": self.statuses[k], **_pct(v)}
        agg = [x for k in AGGREGATES for x in self.lat.get(k, [])]
        agg_err = sum(self.errors.get(k, 0) for k in AGGREGATES)
        return {"requests": req, "errors": n_err, "ok": len(allx), "nominal_seconds": nominal,
                "wall_seconds": round(wall, 2), "throughput_rps": round(req / wall, 1) if wall else 0,
                "latency": _pct(allx), "per_endpoint": per,
                "cached_aggregates": {"endpoints": list(AGGREGATES), "requests": len(agg) + agg_err,
                                      "errors": agg_err, **_pct(agg)},
                "error_samples": self.samples}


async def _drive(clients: int | range, seconds: float,
                 make_client: Callable[[int, float], Coroutine[Any, Any, None]]) -> tuple[float, bool]:
    """Run ``clients`` client coroutines until ``seconds`` have passed; the
    ones still in flight after the grace period are cancelled.  Returns
    (wall seconds, whether some were cancelled)."""
    t0 = time.monotonic()
    stop_at = t0 + seconds
    ids = clients if isinstance(clients, range) else range(clients)
    tasks: list[asyncio.Task[None]] = [asyncio.create_task(make_client(i, stop_at)) for i in ids]
    _, pending = await asyncio.wait(tasks, timeout=seconds + GRACE_SECONDS)
    for t in pending:
        t.cancel()
    if pending:
        await asyncio.wait(pending, timeout=10)
    for t in tasks:
        if t.done() and not t.cancelled() and t.exception() is not None:
            print(f"client failed: {t.exception()!r}", file=sys.stderr)
    return time.monotonic() - t0, bool(pending)


# ------------------------------------------------------------- API (HTTP)
@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    home: Path
    port: int
    workers: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        try:
            return (self.home / "server.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> str:
        """Stop the server (SIGTERM, then SIGKILL of its process group) and say how it ended."""
        if self.proc.poll() is not None:
            return f"had exited with {self.proc.returncode}"
        self.proc.terminate()
        try:
            self.proc.wait(10)
            return "terminated"
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group of the process we started (its workers)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            return "did not exit after SIGKILL"
        return "killed (did not stop within 10 s of SIGTERM)"


def _make_users(home: Path, env: dict[str, str], app_dir: Path) -> dict[str, tuple[str, str]]:
    """``role → (user, password)``, added with ``netintel users add`` (the stable CLI)."""
    out = {}
    for role in ("viewer", "investigator"):
        name, pw = f"load-{role}", "load-password-" + secrets.token_hex(8)
        r = subprocess.run([*_netintel_cmd(app_dir), "users", "add", name, "--role", role, "--password", pw],
                           cwd=app_dir, env=env, capture_output=True, timeout=120)
        if r.returncode != 0:
            raise SystemExit(f"netintel users add failed: {r.stderr.decode(errors='replace')[-1000:]}")
        out[role] = (name, pw)
    return out


def _start_server(conn: Neo4jConn, workers: int, app: str, app_dir: Path) -> tuple[Server, dict[str, str]]:
    home = Path(tempfile.mkdtemp(prefix="bench-load-home-"))
    env = {**os.environ, "NETINTEL_HOME": str(home), "NEO4J_URI": conn.uri, "NEO4J_USER": conn.user,
           "NEO4J_PASSWORD": conn.password, "NETINTEL_ENV": "production",
           "PYTHONPATH": os.pathsep.join([str(app_dir), *filter(None, [os.environ.get("PYTHONPATH")])])}
    users = _make_users(home, env, app_dir)
    port = _free_port()
    cmd = [sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    # a file, not a pipe (a full pipe would stall the server); private like the rest of a production home
    log = open_private(home / "server.log", "wb")
    proc = subprocess.Popen(cmd, cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    srv = Server(proc, home, port, workers)
    import httpx

    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"API did not start: {srv.log()[-2000:]}")
            try:
                if httpx.get(f"{srv.base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise SystemExit("API did not become ready within 90 s")
        tokens = {}
        for role, (name, pw) in users.items():
            r = httpx.post(f"{srv.base}/api/auth/token", data={"username": name, "password": pw}, timeout=30)
            if r.status_code != 200:
                raise SystemExit(f"POST /api/auth/token as {name}: HTTP {r.status_code} {r.text[:300]}")
            tokens[role] = str(r.json()["access_token"])
    except BaseException:
        srv.stop()
        raise
    return srv, tokens


async def _run_api(base: str, tokens: dict[str, str], mix: list[tuple[str, str, str, float]], s: Sample,
                   clients: int, seconds: float, seed: int) -> dict[str, Any]:
    import httpx

    ph = Phase([m[0] for m in mix])
    weights = [m[3] for m in mix]

    async def client(i: int, stop_at: float) -> None:
        rnd = random.Random(seed + i)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, limits=limits) as c:
            for _ in range(MAX_REQUESTS_PER_CLIENT):
                if time.monotonic() >= stop_at:
                    break
                name, role, tmpl, _ = rnd.choices(mix, weights)[0]
                url = tmpl.format(p=rnd.choice(s.persons), c=rnd.choice(s.cases) if s.cases else "",
                                  q=rnd.choice(s.names) if s.names else "")
                t0 = time.perf_counter()
                try:
                    r = await c.get(url, headers={"Authorization": f"Bearer {tokens[role]}"})
                    ok, status, sample = r.status_code == 200, str(r.status_code), None
                    if not ok:
                        sample = f"{url}: HTTP {r.status_code} {r.text[:200]}"
                except httpx.HTTPError as exc:
                    ok, status, sample = False, type(exc).__name__, f"{url}: {type(exc).__name__} {exc}"
                ph.record(name, t0, time.perf_counter() - t0, ok, status, sample)

    wall, cancelled = await _drive(clients, seconds, client)
    return {**ph.report(wall, seconds), "clients_cancelled_after_grace": cancelled}


# ------------------------------------------------------- raw Cypher (bolt)
_HOP = """
MATCH (a)-[r]-(n) WHERE elementId(a) IN $frontier
RETURN elementId(n) AS eid, properties(n) AS props, labels(n) AS labels,
       elementId(r) AS rid, type(r) AS type, properties(r) AS rprops,
       startNode(r).id AS from_id, endNode(r).id AS to_id
LIMIT $rows
"""
_START = {lab: f"MATCH (n:{lab} {{id: $id}}) RETURN elementId(n) AS eid, properties(n) AS props, labels(n) AS labels"
          for lab in ("Person", "Case")}
_SEARCH = """
CALL db.index.fulltext.queryNodes($index, $query, {limit: $limit})
YIELD node, score
RETURN node.id AS id, labels(node) AS labels, score,
       coalesce(node.full_name, node.name, node.full_name_latin, node.name_latin) AS name,
       node.full_name_latin AS name_latin, node.nationality AS nationality
ORDER BY score DESC LIMIT $limit
"""
#: the journeys projection (one row per journey; ``$cases`` = null: every journey) and the location
#: hierarchy routes are rolled up with: the very queries of graph/projection.py, run raw
from core.files import open_private  # noqa: E402
from graph.projection import _JOURNEYS, _LOCATIONS  # noqa: E402

_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')


def _fulltext_query(text: str) -> str:
    """The Lucene query the API builds for ``?q=`` (graph.explore.fulltext_query):
    each word exactly, or within edit distance 2 for Latin words of ≥ 4 letters."""
    parts = []
    for w in [w for w in re.split(r"\s+", text.strip()) if w][:16]:
        e = re.sub(r"\b(AND|OR|NOT|TO)\b", lambda m: m.group(1).lower(), _LUCENE_SPECIAL.sub(r"\\\1", w))
        if not e.strip("\\"):
            continue
        parts.append(f"({e} OR {e.lower()}~)" if len(w) >= 4 and re.fullmatch(r"[A-Za-z0-9'.]+", w) else f"({e})")
    return " ".join(parts)


def _stats_query(s: Sample) -> str:
    parts = [f"MATCH (n:`{lab}`) RETURN 'node' AS kind, '{lab}' AS name, count(n) AS c" for lab in s.labels]
    parts += [f"MATCH ()-[r:`{t}`]->() RETURN 'rel' AS kind, '{t}' AS name, count(r) AS c" for t in s.rel_types]
    return "CALL () { " + " UNION ALL ".join(parts) + " } RETURN kind, name, c"


def _raw_queries(s: Sample) -> dict[str, Any]:
    """What each raw query is (written into the report)."""
    hop = _HOP.strip()
    return {
        "neighbourhood_d1": {"cypher": [_START["Person"], hop],
                             "note": "start person by id, then one breadth-first hop; nodes capped at "
                                     f"{MAX_NODES} in the client as the API does, $rows = {ROW_CAP}"},
        "neighbourhood_d2": {"cypher": [_START["Person"], hop, hop],
                             "note": f"as depth 1, then a second hop from the new nodes (≤ {MAX_NODES} nodes)"},
        "entity": {"cypher": [_START["Person"]], "note": "one person by id, all properties"},
        "search_name": {"cypher": [_SEARCH.strip()],
                        "note": f"index {s.fulltext_index!r}, the API's fuzzy Lucene query for the name, "
                                f"limit {SEARCH_LIMIT}"},
        "case_network": {"cypher": [_START["Case"], hop], "note": "start case by id, one hop, capped as above"},
        "stats": {"cypher": [_stats_query(s)],
                  "note": "count-store counts of every label and relationship type in one query"},
        "corridors": {"cypher": [_JOURNEYS.strip(), _LOCATIONS.strip()],
                      "note": "the journeys projection ($cases = null) and the location hierarchy, every row "
                              "fetched: what an uncached corridors aggregate reads (the pandas roll-up is not run)"},
        "hubs": {"cypher": [_JOURNEYS.strip(), _LOCATIONS.strip()],
                 "note": "the same two reads as corridors (an uncached hubs aggregate needs the same)"},
    }


async def _raw_part(conn: Neo4jConn, mix: list[tuple[str, str, str, float]], s: Sample, ids: range,
                    seconds: float, seed: int) -> dict[str, Any]:
    """Raw-Cypher clients ``ids`` (client numbers: the same seeds as the API run's clients)."""
    import neo4j

    clients = len(ids)
    ph = Phase([m[0] for m in mix])
    weights = [m[3] for m in mix]
    stats_q = _stats_query(s)
    drv = neo4j.AsyncGraphDatabase.driver(conn.uri, auth=(conn.user, conn.password),
                                          max_connection_pool_size=clients + 5,
                                          connection_acquisition_timeout=REQUEST_TIMEOUT,
                                          notifications_min_severity="OFF")

    async def fetch(tx: Any, q: str, **params: Any) -> list[Any]:
        res = await tx.run(q, params)
        return [rec async for rec in res]

    async def hops(tx: Any, start_q: str, entity_id: str, depth: int) -> int:
        start = await fetch(tx, start_q, id=entity_id)
        if not start:
            return 0
        nodes = {start[0]["eid"]}
        frontier = [start[0]["eid"]]
        for _ in range(depth):
            if not frontier:
                break
            nxt = []
            for r in await fetch(tx, _HOP, frontier=frontier, rows=ROW_CAP):
                if r["eid"] not in nodes and len(nodes) < MAX_NODES:
                    nodes.add(r["eid"])
                    nxt.append(r["eid"])
            frontier = nxt
        return len(nodes)

    async def work(tx: Any, name: str, ids: dict[str, str]) -> Any:
        if name == "neighbourhood_d1":
            return await hops(tx, _START["Person"], ids["p"], 1)
        if name == "neighbourhood_d2":
            return await hops(tx, _START["Person"], ids["p"], 2)
        if name == "case_network":
            return await hops(tx, _START["Case"], ids["c"], 1)
        if name == "entity":
            return len(await fetch(tx, _START["Person"], id=ids["p"]))
        if name == "search_name":
            return len(await fetch(tx, _SEARCH, index=s.fulltext_index, query=_fulltext_query(ids["q"]),
                                   limit=SEARCH_LIMIT))
        if name == "stats":
            return len(await fetch(tx, stats_q))
        if name in ("corridors", "hubs"):
            # the projection's query over every journey at once (the API pages it by person id)
            return len(await fetch(tx, _JOURNEYS, cases=None, after="", upto="\U0010ffff")) + \
                len(await fetch(tx, _LOCATIONS))
        raise ValueError(name)

    async def client(i: int, stop_at: float) -> None:
        rnd = random.Random(seed + i)
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= stop_at:
                break
            # the same random draws as the API run: the same endpoints and ids in the same order
            name = rnd.choices(mix, weights)[0][0]
            ids = {"p": rnd.choice(s.persons), "c": rnd.choice(s.cases) if s.cases else "",
                   "q": rnd.choice(s.names) if s.names else ""}
            t0 = time.perf_counter()
            try:
                async with drv.session(database="neo4j", default_access_mode=neo4j.READ_ACCESS) as session:
                    await asyncio.wait_for(session.execute_read(work, name, ids), REQUEST_TIMEOUT)
                ph.record(name, t0, time.perf_counter() - t0, True, "ok")
            except Exception as exc:  # noqa: BLE001 - any failure of one request is an error, not the end
                ph.record(name, t0, time.perf_counter() - t0, False, type(exc).__name__,
                          f"{name}: {type(exc).__name__} {str(exc)[:200]}")

    try:
        wall, cancelled = await _drive(ids, seconds, client)
    finally:
        await drv.close()
    return {"lat": ph.lat, "errors": ph.errors, "statuses": ph.statuses, "samples": ph.samples, "wall": wall,
            "cancelled": cancelled, "driver": neo4j.__version__}


def _run_raw(conn: Neo4jConn, mix: list[tuple[str, str, str, float]], s: Sample, clients: int, seconds: float,
             seed: int, procs: int) -> dict[str, Any]:
    """The raw-Cypher clients, split over ``procs`` client processes (one asyncio loop
    each) so that one loop decoding a large result does not stall the other clients."""
    procs = max(1, min(procs, clients))
    bounds = [round(clients * i / procs) for i in range(procs + 1)]
    parts_ids = [range(bounds[i], bounds[i + 1]) for i in range(procs)]
    if procs == 1:
        parts = [asyncio.run(_raw_part(conn, mix, s, parts_ids[0], seconds, seed))]
    else:
        tmp = Path(tempfile.mkdtemp(prefix="bench-load-raw-"))
        spec = {"conn": vars(conn), "mix": mix, "sample": vars(s), "seconds": seconds, "seed": seed}
        running = []
        for i, ids in enumerate(parts_ids):
            f = tmp / f"part{i}.json"
            f.write_text(json.dumps({**spec, "ids": [ids.start, ids.stop], "out": str(tmp / f"out{i}.json")}))
            running.append(subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--raw-part", str(f)],
                                            cwd=ROOT, start_new_session=True))
        deadline = time.monotonic() + seconds + GRACE_SECONDS + 60
        for pr in running:
            try:
                pr.wait(max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(pr.pid, signal.SIGKILL)  # a client process we started
                pr.wait(10)
        parts = []
        for i in range(procs):
            try:
                parts.append(json.loads((tmp / f"out{i}.json").read_text()))
            except (OSError, ValueError):
                print(f"raw client process {i} wrote no result", file=sys.stderr)
    ph = Phase([m[0] for m in mix])
    for part in parts:
        for k in ph.names:
            ph.lat[k] += part["lat"].get(k, [])
            ph.errors[k] += part["errors"].get(k, 0)
            for st, n in part["statuses"].get(k, {}).items():
                ph.statuses[k][st] = ph.statuses[k].get(st, 0) + n
        ph.samples += part["samples"][: max(0, 25 - len(ph.samples))]
    wall = max((p["wall"] for p in parts), default=seconds)
    return {**ph.report(wall, seconds), "clients_cancelled_after_grace": any(p["cancelled"] for p in parts),
            "client_processes": procs, "client_processes_reporting": len(parts),
            "client": f"neo4j async Python driver {parts[0]['driver'] if parts else '?'}, {procs} client "
                      f"process(es) of one asyncio loop each, one read transaction per request, one pooled "
                      f"connection per client, {REQUEST_TIMEOUT:g} s timeout"}


def _raw_part_main(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text())
    s = Sample(**spec["sample"])
    mix = [(a, b, c, float(d)) for a, b, c, d in spec["mix"]]
    res = asyncio.run(_raw_part(Neo4jConn(**spec["conn"]), mix, s, range(*spec["ids"]), spec["seconds"],
                                spec["seed"]))
    Path(spec["out"]).write_text(json.dumps(res))


def _ratios(api: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    def one(a: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k in ("p50_ms", "p95_ms", "p99_ms"):
            if a.get(k) is not None and r.get(k):
                out[k.replace("_ms", "")] = round(a[k] / r[k], 2)
        if "throughput_rps" in a and r.get("throughput_rps"):
            out["throughput"] = round(a["throughput_rps"] / r["throughput_rps"], 3)
        return out

    per = {k: one(v, raw["per_endpoint"].get(k, {})) for k, v in api["per_endpoint"].items()}
    overall = one({**api["latency"], "throughput_rps": api["throughput_rps"]},
                  {**raw["latency"], "throughput_rps": raw["throughput_rps"]})
    return {"note": "API / raw: latency ratios > 1 mean the API is slower; throughput ratio < 1 means it serves less",
            "overall": overall, "cached_aggregates": one(api["cached_aggregates"], raw["cached_aggregates"]),
            "per_endpoint": per}


def _done_means(api: dict[str, Any], clients: int, seconds: float, persons: int) -> dict[str, Any]:
    agg = api["cached_aggregates"]
    checks = {
        "setup: ≥ 50 clients, ≥ 60 s, ≥ 20,000 persons": clients >= 50 and seconds >= 60 and persons >= 20_000,
        "0 errors": api["errors"] == 0,
        "p95 ≤ 1 s overall": api["latency"].get("p95_ms", float("inf")) <= 1000,
        "cached aggregates (stats, corridors, hubs) p95 ≤ 200 ms": agg.get("p95_ms", float("inf")) <= 200,
        "≥ 80 requests/s": api["throughput_rps"] >= 80,
    }
    return {**checks, "all": all(checks.values())}


# ---------------------------------------------------- keyplayers scenario
async def _depth1_load(base: str, token: str, s: Sample, clients: int, seconds: float, seed: int,
                       extra: Callable[[], Coroutine[Any, Any, dict[str, Any]]] | None = None
                       ) -> tuple[dict[str, Any], dict[str, Any] | None, list[tuple[float, float]]]:
    """N clients of depth-1 neighbourhood requests for ``seconds`` (and ``extra`` run alongside)."""
    import httpx

    ph = Phase(["neighbourhood_d1"])

    async def client(i: int, stop_at: float) -> None:
        rnd = random.Random(seed + i)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, limits=limits) as c:
            for _ in range(MAX_REQUESTS_PER_CLIENT):
                if time.monotonic() >= stop_at:
                    break
                url = f"/api/entities/{rnd.choice(s.persons)}/neighbourhood?label=Person&depth=1"
                t0 = time.perf_counter()
                try:
                    r = await c.get(url, headers={"Authorization": f"Bearer {token}"})
                    ok, status, sample = r.status_code == 200, str(r.status_code), None
                    if not ok:
                        sample = f"{url}: HTTP {r.status_code} {r.text[:200]}"
                except httpx.HTTPError as exc:
                    ok, status, sample = False, type(exc).__name__, f"{url}: {type(exc).__name__} {exc}"
                ph.record("neighbourhood_d1", t0, time.perf_counter() - t0, ok, status, sample)

    extra_task = asyncio.create_task(extra()) if extra else None
    wall, cancelled = await _drive(clients, seconds, client)
    extra_res = None
    if extra_task is not None:
        try:
            extra_res = await asyncio.wait_for(extra_task, timeout=GRACE_SECONDS + 30)
        except TimeoutError:
            extra_res = {"error": "keyplayers client did not finish in time (cancelled)"}
    rep = ph.report(wall, seconds)
    rep["clients_cancelled_after_grace"] = cancelled
    return rep, extra_res, ph.starts["neighbourhood_d1"]


def _job_url(r: Any) -> str | None:
    loc = r.headers.get("location")
    try:
        body = r.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        job = body.get("job")
        if isinstance(job, dict) and job.get("url"):
            return str(job["url"])
        if isinstance(job, dict) and job.get("id"):
            return f"/api/jobs/{job['id']}"
        if isinstance(job, str):
            return job
    return str(loc) if loc else None


def _job_state(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    inner = body.get("job")
    job: dict[str, Any] = inner if isinstance(inner, dict) else body
    st = job.get("status") or job.get("state")
    return str(st).lower() if st is not None else None


async def _keyplayers(base: str, token: str, k: int, answer_timeout: float, until: float,
                      window: list[float]) -> dict[str, Any]:
    """One investigator asks for key players (no case filter); follows a 202 job until
    ``until`` (monotonic) and cancels it when still running.  ``window`` gets the
    (start, end) perf_counter times during which the request or job was in flight."""
    import httpx

    out: dict[str, Any] = {"request": f"GET /api/analytics/keyplayers?k={k}", "answer_timeout_s": answer_timeout}
    hdr = {"Authorization": f"Bearer {token}"}
    await asyncio.sleep(1.0)  # let the depth-1 clients get going
    t0 = time.perf_counter()
    window[:] = [t0, t0]
    async with httpx.AsyncClient(base_url=base, timeout=min(answer_timeout, REQUEST_TIMEOUT)) as c:
        try:
            r = await c.get(f"/api/analytics/keyplayers?k={k}", headers=hdr)
        except httpx.HTTPError as exc:
            out.update(status=type(exc).__name__, answered=False,
                       time_to_first_answer_s=None, gave_up_after_s=round(time.perf_counter() - t0, 2),
                       detail=str(exc)[:300])
            window[1] = time.perf_counter()
            return out
        first = time.perf_counter() - t0
        out.update(status=r.status_code, answered=True, time_to_first_answer_s=round(first, 3),
                   within_answer_timeout=first <= answer_timeout)
        try:
            body = r.json()
        except ValueError:
            body = None
        if r.status_code == 200:
            rows = body.get("rows") if isinstance(body, dict) else None
            data = body.get("data") if isinstance(body, dict) else None
            out["result_rows"] = len(rows if isinstance(rows, list) else data if isinstance(data, list) else [])
        elif r.status_code != 202:
            out["body"] = r.text[:500]
        window[1] = time.perf_counter()
        if r.status_code != 202:
            return out
        url = _job_url(r)
        out["job_url"] = url
        out["body"] = r.text[:500]
        if not url:
            out["job_final_state"] = "no job URL in the 202 answer"
            return out
        state, last = _job_state(body), body
        polls = 0
        while polls < 10_000 and state not in JOB_DONE and time.monotonic() < until:  # bounded in count and time
            polls += 1
            await asyncio.sleep(0.5)
            try:
                jr = await c.get(url, headers=hdr, timeout=10)
                last = jr.json() if jr.headers.get("content-type", "").startswith("application/json") else jr.text
                if jr.status_code == 200 and isinstance(last, dict) and not _job_state(last) and (
                        "rows" in last or "data" in last):
                    state = "done"
                else:
                    state = _job_state(last) or f"HTTP {jr.status_code}"
            except (httpx.HTTPError, ValueError) as exc:
                state = f"poll error {type(exc).__name__}"
            window[1] = time.perf_counter()
        out.update(job_polls=polls, job_final_state=state, job_seconds=round(time.perf_counter() - t0, 2),
                   job_last=(json.dumps(last)[:600] if not isinstance(last, str) else last[:600]))
        if state not in JOB_DONE:
            try:
                d = await c.delete(url, headers=hdr, timeout=10)
                out["job_cancel"] = {"status": d.status_code, "body": d.text[:300]}
            except httpx.HTTPError as exc:
                out["job_cancel"] = {"error": f"{type(exc).__name__} {exc}"}
    return out


def _kp_ok(kp: dict[str, Any] | None) -> bool:
    if not kp or not kp.get("answered") or kp.get("time_to_first_answer_s") is None:
        return False
    st = kp.get("status")
    return bool(kp["time_to_first_answer_s"] <= 30 and isinstance(st, int) and (st in (200, 202) or 400 <= st < 500))


def _scenario_keyplayers(args: argparse.Namespace, conn: Neo4jConn, s: Sample, clients: int,
                         seconds: float) -> dict[str, Any]:
    srv, tokens = _start_server(conn, args.workers, args.app, args.app_dir)
    load: dict[str, Any] = {"before": _loadavg()}
    try:
        base = asyncio.run(_depth1_load(srv.base, tokens["investigator"], s, clients, seconds, args.seed))[0]
        load["after_baseline"] = _loadavg()
        window: list[float] = []

        async def kp() -> dict[str, Any]:
            return await _keyplayers(srv.base, tokens["investigator"], args.k, args.kp_timeout,
                                     time.monotonic() + seconds, window)

        during, kp_res, starts = asyncio.run(_depth1_load(srv.base, tokens["investigator"], s, clients, seconds,
                                                          args.seed + 1000, kp))
        load["after_keyplayers"] = _loadavg()
        in_flight = [dt for t, dt in starts if window and window[0] <= t <= window[1]]
        during["while_keyplayers_in_flight"] = {
            "window_s": round(window[1] - window[0], 2) if window else None, **_pct(in_flight)}
    finally:
        stopped = srv.stop()
    log = srv.log()
    return {
        "scenario": "keyplayers",
        "server": {"workers": srv.workers, "stopped": stopped, "home": str(srv.home),
                   "log_lines": len(log.splitlines()),
                   "log_errors": len(re.findall(r"Traceback|ERROR|Exception", log)), "log_tail": log[-3000:]},
        "clients": clients, "seconds": seconds,
        "keyplayers": kp_res,
        "depth1_baseline": base,
        "depth1_with_keyplayers": during,
        "done_means": {
            "keyplayers answered within 30 s (result, 202 job or 4xx)": _kp_ok(kp_res),
            "depth-1 p95 ≤ 500 ms meanwhile": during["latency"].get("p95_ms", float("inf")) <= 500
            and during["errors"] == 0,
        },
        "loadavg": load,
    }


# -------------------------------------------------------------------- main
def _audit(home: Path, app_dir: Path) -> dict[str, Any]:
    """Entries in the server's audit log and whether its hash chain verifies (the served tree's own check)."""
    code = ("import json, sys; from api.audit import verify_audit; a = verify_audit(sys.argv[1]); "
            "print(json.dumps({'entries': a.entries, 'chain_ok': a.ok}))")
    try:
        r = subprocess.run([sys.executable, "-c", code, str(home / "audit.sqlite")], cwd=app_dir,
                           capture_output=True, timeout=300)
        if r.returncode == 0:
            return dict(json.loads(r.stdout.decode().strip().splitlines()[-1]))
        return {"error": r.stderr.decode(errors="replace")[-500:]}
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


def _scenario_mix(args: argparse.Namespace, conn: Neo4jConn, s: Sample, clients: int,
                  seconds: float) -> dict[str, Any]:
    mix = _mix(s)
    out: dict[str, Any] = {"scenario": "mix",
                           "mix": [{"name": n, "role": r, "url": u, "weight": w} for n, r, u, w in mix],
                           "loadavg": {"before": _loadavg()}}
    api = raw = None
    if args.only in ("api", "both"):
        srv, tokens = _start_server(conn, args.workers, args.app, args.app_dir)
        neo = _neo4j_pid()

        def cpu_now() -> dict[str, float]:
            server = _tree_cpu(srv.proc.pid)  # the server is this process's child: not the client's
            now = {"server": server, "client": _tree_cpu(os.getpid()) - server}
            if neo:
                now["neo4j"] = _tree_cpu(neo)
            return now

        try:
            cpu0 = cpu_now()
            api = asyncio.run(_run_api(srv.base, tokens, mix, s, clients, seconds, args.seed))
            api["cpu"] = _cpu_per_request(cpu0, cpu_now(), api["requests"])
        finally:
            stopped = srv.stop()
        log = srv.log()
        api["server"] = {"kind": f"uvicorn, {args.workers} worker process(es), loopback; audit log on "
                                 "(one entry per personal read)", "app": args.app, "stopped": stopped,
                         "home": str(srv.home), "log_lines": len(log.splitlines()),
                         "log_errors": len(re.findall(r"Traceback|ERROR|Exception", log)),
                         "log_tail": log[-3000:]}
        api["audit"] = _audit(srv.home, args.app_dir)
        api["done_means"] = _done_means(api, clients, seconds, s.node_counts.get("Person", 0))
        out["api"] = api
        out["loadavg"]["after_api"] = _loadavg()
        if args.only == "both":
            time.sleep(3)  # let the stopped server's last queries drain from Neo4j
    if args.only in ("raw", "both"):
        raw = _run_raw(conn, mix, s, clients, seconds, args.seed, args.raw_procs)
        raw["queries"] = _raw_queries(s)
        out["raw"] = raw
        out["loadavg"]["after_raw"] = _loadavg()
    if api and raw:
        out["ratios"] = _ratios(api, raw)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", choices=("mix", "keyplayers"), default="mix")
    ap.add_argument("--only", choices=("api", "raw", "both"), default="both", help="mix: what to measure")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--clients", type=int, default=None, help="concurrent clients (mix 50, keyplayers 20)")
    ap.add_argument("--seconds", type=float, default=None,
                    help="duration of each phase (mix 60, keyplayers 30: baseline and with keyplayers)")
    ap.add_argument("--k", type=int, default=50, help="keyplayers: k")
    ap.add_argument("--kp-timeout", type=float, default=30.0, help="keyplayers: seconds to wait for an answer")
    ap.add_argument("--sample", type=int, default=200, help="distinct start persons/cases/names")
    ap.add_argument("--generate", type=int, default=0, help="load a synthetic bundle of this many persons first")
    ap.add_argument("--clear", action="store_true", help="with --generate: empty the database first")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--app", default="api.app:create_app", help="uvicorn app factory")
    ap.add_argument("--app-dir", type=Path, default=ROOT,
                    help="source tree to serve the API from (default: this checkout; e.g. a `git archive` of "
                         "an earlier commit for before/after figures)")
    ap.add_argument("--raw-procs", type=int, default=2, help="client processes for the raw-Cypher run")
    ap.add_argument("--raw-part", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--note", default="", help="free text written into the report")
    ap.add_argument("--out", type=Path, default=None,
                    help="report (default bench/results/load.json or load-keyplayers.json)")
    args = ap.parse_args()
    if args.raw_part:
        _raw_part_main(args.raw_part)
        return
    args.app_dir = args.app_dir.resolve()
    kp = args.scenario == "keyplayers"
    clients = max(1, min(args.clients or (20 if kp else 50), MAX_CLIENTS))
    seconds = max(1.0, min(args.seconds or (30.0 if kp else 60.0), MAX_SECONDS))
    args.workers = max(1, min(args.workers, 16))
    args.kp_timeout = max(1.0, min(args.kp_timeout, REQUEST_TIMEOUT))
    out_path = args.out or RESULTS / ("load-keyplayers.json" if kp else "load.json")

    conn = _neo4j_conn()
    _check_loopback(conn.uri)
    if args.generate:
        _generate(conn, args.generate, args.clear, 7)
    s = _sample(conn, args.sample)
    if not s.persons:
        sys.exit("no person with 2+ relationships: load data first (--generate 20000 --clear)")
    print(f"database: {s.nodes:,} nodes ({s.node_counts.get('Person', 0):,} persons), {s.relationships:,} "
          f"relationships; {args.scenario}: {clients} clients for {seconds:g} s", file=sys.stderr)
    t0 = time.monotonic()
    res = _scenario_keyplayers(args, conn, s, clients, seconds) if kp else _scenario_mix(args, conn, s, clients,
                                                                                        seconds)
    report = {
        "database": {"uri": conn.uri, "nodes": s.nodes, "relationships": s.relationships,
                     "persons": s.node_counts.get("Person", 0), "node_counts": s.node_counts,
                     "relationship_counts": s.rel_counts,
                     "sample": {"persons": len(s.persons), "cases": len(s.cases), "names": len(s.names)}},
        "clients": clients, "seconds": seconds, "workers": args.workers,
        **res,
        "run_seconds": round(time.monotonic() - t0, 1),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "shared": "the machine is shared with other engineers' work (tests, servers) while this runs: "
                              "see loadavg (from /proc/loadavg) before and after each phase"},
        "note": args.note,
        "code": {"served_from": str(args.app_dir), "checkout_head": _git_head()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    _summary(report)
    print(f"wrote {out_path}", file=sys.stderr)


def _git_head() -> str:
    try:
        r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "api", "graph", "views", "analytics"],
                               cwd=ROOT, capture_output=True, timeout=10).stdout.strip()
        return r.stdout.decode().strip() + (" (working tree of api/graph/views/analytics modified)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return ""


def _summary(report: dict[str, Any]) -> None:
    def line(tag: str, r: dict[str, Any]) -> str:
        lat = r["latency"]
        return (f"{tag}: {r['requests']} requests, {r['errors']} errors, {r['throughput_rps']} req/s, "
                f"p50 {lat.get('p50_ms')} p95 {lat.get('p95_ms')} p99 {lat.get('p99_ms')} ms")

    for tag in ("api", "raw", "depth1_baseline", "depth1_with_keyplayers"):
        if tag in report:
            print(line(tag, report[tag]), file=sys.stderr)
            if "cpu" in report[tag]:
                print(f"  cpu per request: {report[tag]['cpu']}", file=sys.stderr)
            for k, v in report[tag]["per_endpoint"].items():
                print(f"  {k:18} {v['requests']:6} req {v['errors']:5} err  p50 {v.get('p50_ms')} "
                      f"p95 {v.get('p95_ms')} p99 {v.get('p99_ms')}", file=sys.stderr)
    if "keyplayers" in report:
        print(f"keyplayers: {json.dumps(report['keyplayers'])[:600]}", file=sys.stderr)
    for tag in ("api", ""):
        dm = report.get(tag, {}).get("done_means") if tag else report.get("done_means")
        if dm:
            print(f"done means: {dm}", file=sys.stderr)


if __name__ == "__main__":
    main()
