"""Ingest benchmark: our loader vs LOAD CSV vs one query per row, same rows, one run.

    python bench/ingest.py --persons 20000

Needs the managed Neo4j (``make bench`` starts the test instance), because
LOAD CSV reads the bundle's files from the server's import directory.
Writes ``bench/results/ingest.json`` and prints a table.  Each method starts
from an empty database with the same constraints and indexes, and its
result is checked against the generator's ``truth.json`` counts, so a fast
but wrong method cannot win.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import cypher  # noqa: E402
from graph import db as gdb  # noqa: E402
from graph.model import NODES, rel_specs_for_table  # noqa: E402
from graph.server import Neo4jServer  # noqa: E402
from graph.settings import get_settings  # noqa: E402
from ingest.loader import ingest_bundle  # noqa: E402
from ingest.read import read_table  # noqa: E402
from ingest.validate import validate_row  # noqa: E402


def _bundle(persons: int, seed: int) -> Path:
    from ingest.generate import generate_bundle

    out = ROOT / "bench" / "data" / f"ingest-{persons}-{seed}"
    if not (out / "truth.json").is_file():
        generate_bundle(out, seed=seed, persons=persons)
    return out


def _reset(driver: Any) -> None:
    gdb.clear_database(driver)
    gdb.ensure_schema(driver)


def _totals(st: dict[str, dict[str, int]]) -> tuple[int, int]:
    return sum(st["nodes"].values()), sum(st["relationships"].values())


def run_ours(driver: Any, bundle: Path, batch: int) -> dict[str, Any]:
    _reset(driver)
    s = ingest_bundle(driver, bundle, rejects_path=ROOT / "bench" / "data" / "rejects.csv", batch_size=batch)
    st = gdb.stats(driver)
    n, r = _totals(st)
    return {"node_seconds": s.node_seconds, "rel_seconds": s.rel_seconds, "seconds": s.seconds,
            "nodes": n, "relationships": r, "rejected": s.rejected, "stats": st,
            "nodes_per_s": n / s.node_seconds, "relationships_per_s": r / s.rel_seconds}


def run_load_csv(driver: Any, bundle: Path, import_dir: Path, batch: int) -> dict[str, Any]:
    _reset(driver)
    dest = import_dir / bundle.name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(bundle, dest)
    t0 = time.perf_counter()
    for spec in NODES:
        path = dest / f"{spec.table}.csv"
        if path.is_file():
            fields = [f.name for f in spec.fields if f.store and f.name != "id"]
            gdb.run_autocommit(driver, cypher.load_csv_nodes(spec.label, fields, batch),
                               url=f"file:///{bundle.name}/{spec.table}.csv")
    t1 = time.perf_counter()
    tables = [spec.table for spec in NODES] + [r.table for spec in NODES for r in rel_specs_for_table(spec.table)]
    done = set()
    for table in dict.fromkeys(tables + [p.stem for p in sorted(dest.glob("*.csv"))]):
        for r in rel_specs_for_table(table):
            if (r.type, table) in done or not (dest / f"{table}.csv").is_file():
                continue
            done.add((r.type, table))
            fields = [f.name for f in r.fields]
            for t in (r.type_choices or (r.type,)):
                q = cypher.load_csv_rels(t, r.from_labels, r.from_field, r.to_labels, r.to_field, fields,
                                         type_col="type" if r.type_choices else None, batch=batch)
                gdb.run_autocommit(driver, q, url=f"file:///{bundle.name}/{table}.csv", rel_type=t)
    t2 = time.perf_counter()
    st = gdb.stats(driver)
    n, r_ = _totals(st)
    shutil.rmtree(dest)
    return {"node_seconds": t1 - t0, "rel_seconds": t2 - t1, "seconds": t2 - t0, "nodes": n,
            "relationships": r_, "stats": st, "nodes_per_s": n / (t1 - t0), "relationships_per_s": r_ / (t2 - t1)}


def _payloads(bundle: Path, table: str, limit: int) -> list[Any]:
    out = []
    for raw in read_table(bundle / f"{table}.csv"):
        rec, problems = validate_row(table, raw.values)
        if rec is not None:
            out.append(rec)
        if len(out) >= limit:
            break
    return out


def run_per_row(driver: Any, bundle: Path, sample: int) -> dict[str, Any]:
    """One auto-commit query per row, on a sample (the whole bundle would take too long)."""
    _reset(driver)
    # nodes: persons, one MERGE per row
    recs = _payloads(bundle, "persons", sample)
    q = cypher.upsert_nodes("Person")
    t0 = time.perf_counter()
    for rec in recs:
        driver.execute_query(q, rows=[{"id": rec.id, "props": rec.props, "source": rec.source,
                                       "ref": f"{rec.source}:{rec.source_record_id}", "seen": rec.seen}])
    node_s = time.perf_counter() - t0
    # relationships: load the bundle's nodes with our loader, then transfers one per row
    ingest_bundle(driver, bundle, rejects_path=ROOT / "bench" / "data" / "rejects.csv")
    driver.execute_query("MATCH ()-[r:TRANSFERRED]->() DELETE r")
    trecs = _payloads(bundle, "transfers", sample)
    q = cypher.upsert_rels("TRANSFERRED", "BankAccount", "BankAccount")
    t0 = time.perf_counter()
    for rec in trecs:
        driver.execute_query(q, rows=[{"from": rec.refs["from_account"], "to": rec.refs["to_account"],
                                       "source": rec.source, "source_record_id": rec.source_record_id,
                                       "props": rec.props, "seen": rec.seen}])
    rel_s = time.perf_counter() - t0
    return {"node_rows": len(recs), "node_seconds": node_s, "nodes_per_s": len(recs) / node_s,
            "rel_rows": len(trecs), "rel_seconds": rel_s, "relationships_per_s": len(trecs) / rel_s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--per-row-sample", type=int, default=1500)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest.json")
    args = ap.parse_args()

    s = get_settings()
    if not s.managed:
        sys.exit("bench/ingest.py needs the managed Neo4j (LOAD CSV reads its import directory); unset NEO4J_URI")
    server = Neo4jServer(s)
    server.start(log=lambda m: print(m, file=sys.stderr))
    import_dir = server.dir / "import"
    driver = gdb.connect(s)
    bundle = _bundle(args.persons, args.seed)
    truth = json.loads((bundle / "truth.json").read_text())
    rows = sum(1 for t in bundle.glob("*.csv") for _ in t.open(encoding="utf-8")) - len(list(bundle.glob("*.csv")))

    # warm-up (JIT, page cache) on a small bundle with both bulk methods, not measured
    warm = _bundle(1000, args.seed)
    run_ours(driver, warm, args.batch)
    run_load_csv(driver, warm, import_dir, args.batch)

    ours = run_ours(driver, bundle, args.batch)
    load_csv = run_load_csv(driver, bundle, import_dir, args.batch)
    per_row = run_per_row(driver, bundle, args.per_row_sample)
    driver.close()

    for res in (ours, load_csv):
        res["matches_truth"] = res.pop("stats") == truth["counts"]
    result = {
        "bundle": {"persons": args.persons, "seed": args.seed, "rows": rows,
                   "nodes": sum(truth["counts"]["nodes"].values()),
                   "relationships": sum(truth["counts"]["relationships"].values())},
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version(),
                    "neo4j": s.neo4j_version, "heap": s.heap, "pagecache": s.pagecache},
        "batch": args.batch,
        "ours": ours,
        "load_csv_in_transactions": load_csv,
        "one_query_per_row": per_row,
        "ratios": {
            "nodes_ours_vs_load_csv": ours["nodes_per_s"] / load_csv["nodes_per_s"],
            "relationships_ours_vs_load_csv": ours["relationships_per_s"] / load_csv["relationships_per_s"],
            "total_time_load_csv_over_ours": load_csv["seconds"] / ours["seconds"],
            "nodes_ours_vs_per_row": ours["nodes_per_s"] / per_row["nodes_per_s"],
            "relationships_ours_vs_per_row": ours["relationships_per_s"] / per_row["relationships_per_s"],
        },
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"bundle: {result['bundle']}")
    print(f"{'method':28} {'nodes/s':>10} {'rels/s':>10} {'total s':>9}")
    for name, res in (("netintel loader", ours), ("LOAD CSV IN TRANSACTIONS", load_csv),
                      ("one query per row (sample)", per_row)):
        print(f"{name:28} {res['nodes_per_s']:10.0f} {res['relationships_per_s']:10.0f} "
              f"{res.get('seconds', float('nan')):9.2f}")
    for k, v in result["ratios"].items():
        print(f"{k:40} {v:8.2f}")
    print(f"counts match truth.json: ours={ours['matches_truth']} load_csv={load_csv['matches_truth']}")


if __name__ == "__main__":
    main()
