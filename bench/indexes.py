"""Index population on the store as it is (after ``bench/scale.py``: the 10^6-person
database): how long Neo4j takes to build each kind of the model's schema, on a warm
server and on a freshly started one, as the bulk path meets it after the importer.

    python bench/indexes.py

For each kind (the uniqueness constraints, the node property indexes, the
relationships' record-id indexes, the other relationship indexes, the
full-text name index, then all of them in one transaction, as the bulk path
creates them) the schema is dropped and that kind built and awaited
(``graph.db.ensure_schema(statements=...)``); seconds and the Neo4j
process's CPU seconds (``/proc``) are recorded.  ``all`` runs twice more,
first on a Neo4j just restarted (its JIT compiler and page cache cold, the
bulk path's case), then warm.  The full schema is there again at the end.
Writes ``bench/results/indexes.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import cypher  # noqa: E402
from graph import db as gdb  # noqa: E402
from graph.scope import Scope  # noqa: E402
from graph.server import Neo4jServer  # noqa: E402
from graph.settings import get_settings  # noqa: E402


def _kinds() -> dict[str, list[str]]:
    stmts = cypher.schema_statements()
    return {
        "constraints": [q for q in stmts if q.startswith("CREATE CONSTRAINT")],
        "node_property_indexes": [q for q in stmts if q.startswith("CREATE INDEX") and "FOR (n" in q],
        "relationship_record_id_indexes": [q for q in stmts if q.startswith("CREATE INDEX") and "_srid " in q],
        "other_relationship_indexes": [q for q in stmts if q.startswith("CREATE INDEX") and "()-[r" in q
                                       and "_srid " not in q],
        "full_text": [q for q in stmts if q.startswith("CREATE FULLTEXT")],
        "all": stmts,
    }


def _cpu(pid: int | None) -> float:
    """User and system CPU seconds of a process so far."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _build(server: Neo4jServer, statements: list[str]) -> dict[str, Any]:
    drv = gdb.connect(server.s)
    try:
        gdb.drop_schema(drv)
        c0, t0 = _cpu(server.pid()), time.perf_counter()
        steps: dict[str, float] = {}
        gdb.ensure_schema(drv, timings=steps, statements=statements)
        return {"statements": len(statements), "seconds": round(time.perf_counter() - t0, 1),
                "neo4j_cpu_seconds": round(_cpu(server.pid()) - c0, 1),
                "steps": {k: round(v, 1) for k, v in steps.items()}}
    finally:
        drv.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "indexes.json")
    args = ap.parse_args()
    s = get_settings()
    server = Neo4jServer(s)
    load_start = os.getloadavg()
    server.start(log=lambda m: print(m, file=sys.stderr))
    drv = gdb.connect(s)
    st = gdb.stats(Scope.operator(drv, "bench/indexes.py"))
    drv.close()
    kinds = _kinds()
    result: dict[str, Any] = {"store": {"nodes": sum(st["nodes"].values()),
                                        "relationships": sum(st["relationships"].values())}, "warm": {}}
    for name, stmts in kinds.items():
        result["warm"][name] = _build(server, stmts)
        print(name, result["warm"][name], file=sys.stderr, flush=True)
    server.stop()
    server.start(log=lambda m: print(m, file=sys.stderr))
    result["all_after_a_restart"] = _build(server, kinds["all"])
    result["all_again_warm"] = _build(server, kinds["all"])
    print("all after a restart", result["all_after_a_restart"], "then warm", result["all_again_warm"],
          file=sys.stderr, flush=True)
    result["machine"] = {"cpus": os.cpu_count(), "heap": s.heap, "pagecache": s.pagecache,
                         "load_average_at_start": load_start, "load_average_at_end": os.getloadavg()}
    result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
