"""Agency scale, end to end: a 10^6-person bundle by the bulk path, then 10^5 more
persons through the normal loader, counts checked against truth, times and peak memory.

    python bench/scale.py --persons 1000000 --more 100000

Runs on the managed Neo4j of ``NETINTEL_HOME`` (use the bench instance: the
bulk path replaces its store).  The second bundle is generated with another
seed and its ids and record ids prefixed (``X:``) so that it holds new
persons, cases, accounts ... sharing only the gazetteer's locations with the
first; its expected counts are the two truths added (locations once).
Writes ``bench/results/scale.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import db as gdb  # noqa: E402
from graph.model import node_spec, table_fields  # noqa: E402
from graph.scope import Scope  # noqa: E402
from graph.server import Neo4jServer  # noqa: E402
from graph.settings import get_settings  # noqa: E402
from ingest.bulk import bulk_ingest  # noqa: E402
from ingest.generate import generate_bundle  # noqa: E402
from ingest.loader import ingest_bundle  # noqa: E402

csv.field_size_limit(64 * 1024 * 1024)


def _bundle(persons: int, seed: int, name: str) -> Path:
    out = ROOT / "bench" / "data" / f"{name}-{persons}-{seed}"
    if not (out / "truth.json").is_file():
        generate_bundle(out, seed=seed, persons=persons)
    return out


def _relabel(src: Path, dst: Path, prefix: str = "X:") -> Path:
    """Copy a bundle with every id, reference and record id prefixed (locations kept)."""
    if (dst / "truth.json").is_file():
        return dst
    dst.mkdir(parents=True, exist_ok=True)
    with (src / "locations.csv").open(encoding="utf-8", newline="") as fh:
        places = {r["id"] for r in csv.DictReader(fh)}
    for path in sorted(src.glob("*.csv")):
        table = path.stem
        if table == "locations":
            (dst / path.name).write_bytes(path.read_bytes())
            continue
        idcols = {f.name for f in table_fields(table) if f.kind in ("id", "ref")} | {"txn_id"}
        with path.open(encoding="utf-8", newline="") as fi, (dst / path.name).open("w", encoding="utf-8",
                                                                                   newline="") as fo:
            r = csv.DictReader(fi)
            w = csv.DictWriter(fo, fieldnames=list(r.fieldnames or []))
            w.writeheader()
            for row in r:
                if node_spec(table) is not None and not row.get("id"):  # the default id, made explicit
                    row["id"] = f"{row['source'].strip().upper()}:{row['source_record_id'].strip()}"
                for c in idcols & set(row):
                    if row[c] and row[c] not in places:
                        row[c] = prefix + row[c]
                row["source_record_id"] = prefix + row["source_record_id"]
                w.writerow(row)
    (dst / "truth.json").write_text((src / "truth.json").read_text())
    return dst


def _same(stats: dict[str, dict[str, int]], truth: dict[str, dict[str, int]]) -> bool:
    """Counts equal, a label or type the truth does not name counting 0 (an older bundle's truth)."""
    return all(stats[k].get(n, 0) == truth[k].get(n, 0) for k in ("nodes", "relationships")
               for n in set(stats[k]) | set(truth[k]))


def _peak_kib(pid: int | None) -> int | None:
    """Peak resident memory (VmHWM) of a running process, KiB."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def _mib(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--more", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    args = ap.parse_args()
    load_start = os.getloadavg()
    s = get_settings()
    server = Neo4jServer(s)
    server.start(log=lambda m: print(m, file=sys.stderr))

    t0 = time.perf_counter()
    first = _bundle(args.persons, args.seed, "scale")
    more_raw = _bundle(args.more, args.seed + 1, "scale-more-raw")
    more = _relabel(more_raw, ROOT / "bench" / "data" / f"scale-more-{args.more}-{args.seed + 1}")
    gen_s = time.perf_counter() - t0
    t1 = json.loads((first / "truth.json").read_text())["counts"]
    t2 = json.loads((more / "truth.json").read_text())["counts"]
    both = {kind: {k: t1[kind][k] + t2[kind][k] for k in t1[kind]} for kind in t1}
    both["nodes"]["Location"] = t1["nodes"]["Location"]
    both["relationships"]["LOCATED_IN"] = t1["relationships"]["LOCATED_IN"]
    rows1 = sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in first.glob("*.csv"))
    rows2 = sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in more.glob("*.csv"))

    drv = gdb.connect(s)
    gdb.clear_database(drv)
    drv.close()
    print(f"bulk path: {first.name} ({rows1:,} rows)", file=sys.stderr, flush=True)
    b = bulk_ingest(first, rejects_path=ROOT / "bench" / "data" / "scale-bulk.rejects.csv", settings=s,
                    log=lambda m: print(m, file=sys.stderr, flush=True))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the importer's JVM (KiB)
    drv = gdb.connect(s)
    op = Scope.operator(drv, "bench/scale.py")
    st1 = gdb.stats(op)
    server_peak_1 = _peak_kib(server.pid())
    print(f"bulk: {b.seconds:.0f} s, counts equal truth: {_same(st1, t1)}", file=sys.stderr, flush=True)

    print(f"incremental: {more.name} ({rows2:,} rows) through the loader", file=sys.stderr, flush=True)
    inc = ingest_bundle(drv, more, rejects_path=ROOT / "bench" / "data" / "scale-more.rejects.csv")
    st2 = gdb.stats(op)
    drv.close()
    server_peak_2 = _peak_kib(server.pid())
    inc_d = inc.as_dict()
    result = {
        "bundle": {"persons": args.persons, "rows": rows1, "nodes": sum(t1["nodes"].values()),
                   "relationships": sum(t1["relationships"].values())},
        "more": {"persons": args.more, "rows": rows2, "nodes": sum(t2["nodes"].values()),
                 "relationships": sum(t2["relationships"].values())},
        "generate_seconds": round(gen_s, 1),
        "bulk": {"seconds": round(b.seconds, 1), "import_seconds": round(b.import_seconds, 1),
                 "validate_and_write_seconds": round(b.node_seconds + b.rel_seconds, 1),
                 "validate_and_write_rows_per_s": round((b.rows - b.rejected) / (b.node_seconds + b.rel_seconds)),
                 "stop_start_and_schema_seconds": round(b.seconds - b.import_seconds - b.node_seconds
                                                        - b.rel_seconds, 1),
                 "workers": b.workers, "parts": b.parts, "stages": {k: round(v, 1) for k, v in b.stages.items()},
                 "rows_per_s": round((b.rows - b.rejected) / b.seconds),
                 "import_rows_per_s": round((b.rows - b.rejected) / b.import_seconds),
                 "rejected": b.rejected, "counts_equal_truth": _same(st1, t1),
                 "importer_peak_rss_mib": _mib(children)},
        "incremental": {"seconds": inc_d["seconds"], "node_seconds": inc_d["node_seconds"],
                        "relationship_seconds": inc_d["relationship_seconds"],
                        "nodes_per_s": inc_d["nodes_per_s"], "relationships_per_s": inc_d["relationships_per_s"],
                        "rejected": inc.rejected, "counts_equal_truth": _same(st2, both)},
        "python_peak_rss_mib": _mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "neo4j_peak_rss_mib": {"after_bulk": _mib(server_peak_1), "after_incremental": _mib(server_peak_2)},
        "counts": st2,
        "machine": {"cpus": os.cpu_count(), "heap": s.heap, "pagecache": s.pagecache,
                    "load_average_at_start": load_start, "load_average_at_end": os.getloadavg()},
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if not _same(st1, t1):
        result["bulk"]["diff"] = {k: (st1[kind].get(k, 0), t1[kind].get(k, 0)) for kind in t1
                                  for k in set(t1[kind]) | set(st1[kind]) if st1[kind].get(k, 0) != t1[kind].get(k, 0)}
    if not _same(st2, both):
        result["incremental"]["diff"] = {k: (st2[kind].get(k, 0), both[kind].get(k, 0)) for kind in both
                                         for k in set(both[kind]) | set(st2[kind])
                                         if st2[kind].get(k, 0) != both[kind].get(k, 0)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
