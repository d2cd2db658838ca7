"""Money-trail benchmark: trace, paths_between and typology timings.

    python bench/analytics_money.py [--sizes 100000 1000000] [--seed 7] [--data /work/shared/datasets]

Synthetic transfers (seeded): ``n`` transfers among ``n / 10`` accounts over one
year, heavy-tailed account activity (Pareto weights), log-normal THB amounts,
plus planted patterns (3-hop cycles within a day, fan-ins of 8 senders,
structuring triples) so the detectors have something to find.  Also the
AMLSim 20K sample when present (read in place, never copied).  Writes
``bench/results/analytics_money.json`` and prints a table.  The 10^6 size runs
only the typologies, and is skipped when the 10^5 run predicts more than
``--budget`` seconds.  The typologies run at both time scales (fast and slow,
the defaults); ``account_risk`` is timed on top of them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.money import KINDS, TypologyConfig, account_risk, paths_between, trace, typologies  # noqa: E402

T0 = pd.Timestamp("2024-01-01")


def synthetic(n: int, seed: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """Seeded random transfers with planted patterns; returns (transfers, planted counts)."""
    rng = np.random.default_rng(seed)
    n_acc = max(n // 10, 100)
    w = rng.pareto(1.5, n_acc) + 1.0
    w = np.minimum(w, np.quantile(w, 0.999))
    p = w / w.sum()
    n_cyc, n_fan, n_str = n // 2000, n // 2000, n // 4000
    n_bg = n - 3 * n_cyc - 8 * n_fan - 3 * n_str
    src = rng.choice(n_acc, n_bg, p=p)
    dst = rng.choice(n_acc, n_bg, p=p)
    dst = np.where(dst == src, (dst + 1) % n_acc, dst)
    secs = rng.integers(0, 365 * 86400, n_bg)
    amt = np.round(rng.lognormal(8.5, 1.5, n_bg), 2)
    rows = [pd.DataFrame({"source": src, "target": dst, "amount": amt, "sec": secs})]
    # planted 3-cycles: a->b->c->a, hours apart
    tri = rng.choice(n_acc, (n_cyc, 3))
    start = rng.integers(0, 360 * 86400, n_cyc)
    for k in range(3):
        rows.append(pd.DataFrame({"source": tri[:, k], "target": tri[:, (k + 1) % 3],
                                  "amount": 100_000.0 - 1000 * k, "sec": start + 3600 * (k + 1)}))
    # planted fan-ins: 8 senders to one collector within 48 h
    coll = rng.choice(n_acc, n_fan)
    start = rng.integers(0, 360 * 86400, n_fan)
    for k in range(8):
        rows.append(pd.DataFrame({"source": rng.choice(n_acc, n_fan), "target": coll, "amount": 50_000.0,
                                  "sec": start + 6 * 3600 * k}))
    # planted structuring: 3 transfers of 1.7-1.99 M THB within 5 days
    smurf = rng.choice(n_acc, n_str)
    start = rng.integers(0, 360 * 86400, n_str)
    for k in range(3):
        rows.append(pd.DataFrame({"source": smurf, "target": rng.choice(n_acc, n_str),
                                  "amount": rng.uniform(1_700_000, 1_990_000, n_str).round(2),
                                  "sec": start + 2 * 86400 * k}))
    df = pd.concat(rows, ignore_index=True)
    df = df[df["source"] != df["target"]].reset_index(drop=True)
    out = pd.DataFrame({
        "txn_id": "T" + pd.Series(np.arange(len(df))).astype(str),
        "source": "A" + df["source"].astype(str),
        "target": "A" + df["target"].astype(str),
        "amount": df["amount"].astype(float),
        "currency": "THB",
        "at": T0 + pd.to_timedelta(df["sec"], unit="s"),
    })
    return out, {"cycles": int(n_cyc), "fan_ins": int(n_fan), "structuring": int(n_str)}


def amlsim(root: Path) -> pd.DataFrame | None:
    f = root / "amlsim_20k" / "transactions.csv.gz"
    if not f.exists():
        print(f"[skip] AMLSim not found at {f.parent}")
        return None
    raw = pd.read_csv(f)
    return pd.DataFrame({
        "txn_id": np.arange(len(raw)).astype(str), "source": raw["sourceNodeId"].astype(str),
        "target": raw["targetNodeId"].astype(str), "amount": raw["value"].astype(float), "currency": "USD",
        "at": pd.Timestamp("2020-01-01") + pd.to_timedelta(raw["time"], unit="D"),
    })


def _timed(fn: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def bench_trace(tr: pd.DataFrame, seed: int, n_starts: int = 10) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    busiest = tr["source"].value_counts()
    starts = list(rng.choice(busiest.index[: max(len(busiest) // 10, n_starts)], n_starts, replace=False))
    res: dict[str, Any] = {}
    for direction in ("forward", "backward"):
        times, hops = [], []
        for s in starts:
            out, secs = _timed(lambda s=s, d=direction: trace(tr, s, direction=d, max_hops=4,
                                                              window=dt.timedelta(days=7), max_paths=50_000))
            times.append(secs)
            hops.append(len(out))
        res[direction] = {"calls": n_starts, "mean_s": round(float(np.mean(times)), 3),
                          "max_s": round(float(np.max(times)), 3), "mean_hop_rows": float(np.mean(hops))}
    pairs = [(starts[i], starts[-1 - i]) for i in range(min(5, n_starts // 2))]
    times = [_timed(lambda a=a, b=b: paths_between(tr, a, b, max_hops=6, window=dt.timedelta(days=7)))[1]
             for a, b in pairs]
    res["paths_between"] = {"calls": len(pairs), "mean_s": round(float(np.mean(times)), 3),
                            "max_s": round(float(np.max(times)), 3)}
    return res


def bench_typologies(tr: pd.DataFrame, threshold: float) -> dict[str, Any]:
    res: dict[str, Any] = {}
    for k in KINDS:
        out, secs = _timed(lambda k=k: typologies(tr, threshold=threshold, kinds=[k]))
        res[k] = {"seconds": round(secs, 2), "findings": len(out)}
    out, secs = _timed(lambda: typologies(tr, threshold=threshold))
    res["all"] = {"seconds": round(secs, 2), "findings": len(out),
                  "by_scale": {str(k): int(v) for k, v in out["scale"].value_counts().items()} if len(out) else {}}
    fast, secs = _timed(lambda: typologies(tr, threshold=threshold, config=TypologyConfig(slow_window=None)))
    res["all_fast_scale_only"] = {"seconds": round(secs, 2), "findings": len(fast)}
    risk, secs = _timed(lambda: account_risk(tr, findings=out))
    res["account_risk"] = {"seconds_after_typologies": round(secs, 2), "accounts": len(risk)}
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data", type=Path, default=Path("/work/shared/datasets"))
    ap.add_argument("--budget", type=float, default=300.0, help="skip a size predicted to exceed this (s)")
    args = ap.parse_args()
    result: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "seed": args.seed, "runs": [],
    }
    last_all: tuple[int, float] | None = None
    for n in sorted(args.sizes):
        if last_all is not None and last_all[1] * n / last_all[0] * 1.3 > args.budget:
            print(f"[skip] n={n:,}: predicted {last_all[1] * n / last_all[0] * 1.3:.0f}s > budget {args.budget:.0f}s")
            result["runs"].append({"dataset": "synthetic", "n": n, "skipped": "over budget"})
            continue
        tr, planted = synthetic(n, args.seed)
        run: dict[str, Any] = {"dataset": "synthetic", "n": len(tr), "accounts": int(pd.concat(
            [tr["source"], tr["target"]]).nunique()), "planted": planted}
        if n <= 200_000:
            run["trace"] = bench_trace(tr, args.seed)
        run["typologies"] = bench_typologies(tr, 2_000_000)
        last_all = (n, run["typologies"]["all"]["seconds"])
        result["runs"].append(run)
        print(json.dumps(run, indent=1))
    aml = amlsim(args.data)
    if aml is not None:
        run = {"dataset": "amlsim_20k", "n": len(aml), "trace": bench_trace(aml, args.seed),
               "typologies": bench_typologies(aml, 500)}
        result["runs"].append(run)
        print(json.dumps(run, indent=1))
    out = ROOT / "bench" / "results" / "analytics_money.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
