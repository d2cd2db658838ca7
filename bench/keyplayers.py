"""Key players (KPP-Neg) on the whole person network: this tree's search against an
earlier revision's, side by side in one run on the same graph, with the views' estimate.

    python bench/keyplayers.py [--k 5,50] [--before REV] [--before-k 5]

The person network is projected once through the views (the API's interface) from the
database of ``NETINTEL_HOME`` (run it after ``bench/scale.py``).  Each search runs in a
forked child process that holds the same graph (copy-on-write), so that its time and its
peak resident set (``VmHWM``, the graph included) are its own.  The earlier revision's
``analytics/keyplayers.py`` is read with ``git show REV:…`` (default: the commit before
the component-wise search) and runs for the k of ``--before-k`` only: it searched the
whole graph for every answer.  Both must give the same set and the same F for the same
seed.  Writes ``bench/results/keyplayers.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import db as gdb  # noqa: E402
from graph.scope import Scope  # noqa: E402
from graph.settings import get_settings  # noqa: E402

_G: Any = None  # the projected graph, inherited by the forked searches


def _hwm_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _module(rev: str | None) -> ModuleType:
    if rev is None:
        from analytics import keyplayers
        return keyplayers
    src = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:analytics/keyplayers.py"], check=True,
                         capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "keyplayers_before.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("keyplayers_before", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _search(rev: str | None, k: int, seed: int, out: Any) -> None:
    mod = _module(rev)
    t = time.perf_counter()
    df = mod.fragmentation(_G, k, seed=seed)
    out.send({"seconds": round(time.perf_counter() - t, 2), "peak_mib": _hwm_mib(),
              "nodes": [str(x) for x in df["node"]], "fragmentation_after": float(df.attrs["fragmentation_after"]),
              "fragmentation_before": float(df.attrs["fragmentation_before"])})


def _run(rev: str | None, k: int, seed: int) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    rx, tx = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_search, args=(rev, k, seed, tx))
    p.start()
    res: dict[str, Any] = rx.recv()
    p.join()
    return res


def main() -> None:
    global _G
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--k", default="5,50", help="comma-separated set sizes for this tree's search")
    ap.add_argument("--before", default="cee364a~1", help="the earlier revision (git)")
    ap.add_argument("--before-k", default="5", help="comma-separated set sizes for the earlier search ('' for none)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "keyplayers.json")
    args = ap.parse_args()
    from analytics.keyplayers import largest_component
    from views import analytics

    s = get_settings()
    drv = gdb.connect(s)
    scope = Scope.operator(drv, "bench/keyplayers.py")
    res: dict[str, Any] = {"load_average_at_start": os.getloadavg(), "before": args.before}
    t = time.perf_counter()
    _G = analytics.person_network(scope)[0]
    drv.close()
    largest = largest_component(_G)
    res["person_network"] = {"persons": _G.number_of_nodes(), "ties": _G.number_of_edges(),
                             "projection_seconds": round(time.perf_counter() - t, 1),
                             "largest_component": {"persons": largest[0], "ties": largest[1]},
                             "parent_peak_mib": _hwm_mib()}
    print(res, file=sys.stderr, flush=True)
    res["runs"] = []
    todo = [("this tree", None, int(k)) for k in filter(None, args.k.split(","))]
    todo += [(args.before, args.before, int(k)) for k in filter(None, args.before_k.split(","))]
    for name, rev, k in todo:
        print(f"{name}: k={k} ...", file=sys.stderr, flush=True)
        row = {"search": name, "k": k,
               "estimated_seconds": round(analytics.keyplayer_estimate(_G, k, largest=largest), 2) if rev is None
               else None, **_run(rev, k, args.seed)}
        res["runs"].append(row)
        print(f"  {row['seconds']} s, peak {row['peak_mib']} MiB, F {row['fragmentation_after']}", file=sys.stderr,
              flush=True)
    for row in res["runs"]:
        if row["search"] != "this tree":
            same = next((r for r in res["runs"] if r["search"] == "this tree" and r["k"] == row["k"]), None)
            if same is not None:
                row["same_answer_as_this_tree"] = (same["nodes"] == row["nodes"]
                                                   and same["fragmentation_after"] == row["fragmentation_after"])
                row["ratio_to_this_tree"] = round(row["seconds"] / max(same["seconds"], 1e-9), 1)
    res["machine"] = {"cpus": os.cpu_count(), "load_average_at_end": os.getloadavg()}
    res["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, default=str) + "\n")
    print(json.dumps({k: v for k, v in res.items() if k != "runs"}, indent=2, default=str))
    for row in res["runs"]:
        print({k: v for k, v in row.items() if k != "nodes"})


if __name__ == "__main__":
    main()
