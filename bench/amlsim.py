"""AMLSim check of the typologies and ``account_risk`` with their DEFAULT settings.

    python bench/amlsim.py [--data /work/shared/datasets]

Reads the shared IBM AMLSim 20K sample in place (never copied; Apache-2.0) and
writes ``bench/results/amlsim.json``.

Truth.  The sample labels accounts only (``isFraud``: 1,804 accounts of 200
planted cycles and 200 planted fan-ins; no pattern ids).  AMLSim's normal
transfers are all ≥ 100.04 here, while every transfer below that amount runs
between two labelled accounts: those 3,695 transfers are the *executed*
planted transfers (AMLSim skips a planted transfer when the payer lacks the
balance, so 576 labelled accounts never moved planted money).  From them:

* cycle truth = labelled accounts on a directed cycle of executed planted
  transfers (the rings that closed);
* fan-in truth = accounts receiving executed planted transfers from ≥ 3
  distinct senders, plus those senders.

Per typology: precision = share of the accounts named by that kind's findings
that are labelled ``isFraud``; recall = share of that kind's truth named.
``account_risk``: precision at K = share of labelled accounts among the K
highest scores, K = number of labelled accounts.

Other runs.  AMLSim itself is not on PyPI or Maven Central, so no new run can
be generated here; the sample is split into two disjoint halves instead: every
connected group of executed planted transfers, and every other account, goes
to half A or B by the parity of its smallest account id, and only transfers
inside one half are kept.  The same defaults are reported on the full sample
and on each half.  The defaults were chosen while looking at the full sample,
so the halves test stability on disjoint accounts, not a clean hold-out.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.money import account_risk, typologies  # noqa: E402

DAY0 = pd.Timestamp("2020-01-01")


def load(root: Path) -> tuple[pd.DataFrame, set[str]]:
    d = root / "amlsim_20k"
    nodes = pd.read_csv(d / "nodes.csv")
    raw = pd.read_csv(d / "transactions.csv.gz")
    tr = pd.DataFrame({
        "txn_id": np.arange(len(raw)).astype(str),
        "source": raw["sourceNodeId"].astype(str),
        "target": raw["targetNodeId"].astype(str),
        "amount": raw["value"].astype(float),
        "currency": "USD",
        "at": DAY0 + pd.to_timedelta(raw["time"], unit="D"),  # one simulation step = one day
    })
    return tr, set(nodes.loc[nodes["isFraud"] == 1, "nodeid"].astype(str))


def planted(tr: pd.DataFrame, fraud: set[str]) -> pd.DataFrame:
    both = tr["source"].isin(fraud) & tr["target"].isin(fraud)
    floor = float(tr.loc[~both, "amount"].min())
    return tr[both & (tr["amount"] < floor)]


def truth(p: pd.DataFrame) -> dict[str, set[str]]:
    g = nx.DiGraph()
    g.add_edges_from(zip(p["source"], p["target"], strict=True))
    cyc: set[str] = set().union(*[c for c in nx.strongly_connected_components(g) if len(c) > 1])
    hubs = {n for n, k in g.in_degree() if k >= 3}
    fan = hubs | {s for h in hubs for s in g.predecessors(h)}
    return {"cycle": cyc, "fan_in": fan}


def halves(tr: pd.DataFrame, fraud: set[str]) -> dict[str, tuple[pd.DataFrame, set[str]]]:
    p = planted(tr, fraud)
    g = nx.Graph()
    g.add_edges_from(zip(p["source"], p["target"], strict=True))
    side: dict[str, int] = {}
    for comp in nx.connected_components(g):
        s = min(int(a) for a in comp) % 2
        side.update({a: s for a in comp})
    accounts = set(tr["source"]) | set(tr["target"])
    for a in accounts - set(side):
        side[a] = int(a) % 2
    out = {}
    for name, s in (("half_A", 0), ("half_B", 1)):
        keep = tr["source"].map(side).eq(s) & tr["target"].map(side).eq(s)
        out[name] = (tr[keep].reset_index(drop=True), {a for a in fraud if side.get(a) == s})
    return out


def evaluate(tr: pd.DataFrame, fraud: set[str]) -> dict[str, Any]:
    t = truth(planted(tr, fraud))
    t0 = time.perf_counter()
    f = typologies(tr)  # DEFAULT settings (threshold THB 2,000,000; both time scales)
    t_typ = time.perf_counter() - t0
    res: dict[str, Any] = {"transfers": len(tr), "labelled_accounts": len(fraud),
                           "truth_accounts": {k: len(v) for k, v in t.items()},
                           "typologies_seconds": round(t_typ, 2),
                           "findings": {f"{k}/{s}": int(n) for (k, s), n in f.groupby(["kind", "scale"]).size().items()}}
    for kind in ("cycle", "fan_in"):
        for scale in ("fast", "slow", "all"):
            sel = f[(f["kind"] == kind) & ((f["scale"] == scale) if scale != "all" else True)]
            named = {str(a) for acc in sel["accounts"] for a in acc}
            res[f"{kind}/{scale}"] = {
                "findings": len(sel), "accounts_named": len(named),
                "precision": round(len(named & fraud) / len(named), 3) if named else None,
                "recall": round(len(named & t[kind]) / len(t[kind]), 3) if t[kind] else None,
                "recall_of_all_labelled": round(len(named & fraud) / len(fraud), 3),
            }
    t0 = time.perf_counter()
    r = account_risk(tr, findings=f)
    k = len(fraud)
    top = set(r["account"].head(k))
    res["account_risk"] = {"K": k, "precision_at_K": round(len(top & fraud) / k, 3),
                           "seconds_after_typologies": round(time.perf_counter() - t0, 2)}
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/work/shared/datasets", type=Path)
    ap.add_argument("--out", default=ROOT / "bench" / "results" / "amlsim.json", type=Path)
    args = ap.parse_args()
    tr, fraud = load(args.data)
    runs = {"full": evaluate(tr, fraud)}
    for name, (t, fr) in halves(tr, fraud).items():
        runs[name] = evaluate(t, fr)
    for name, r in runs.items():
        print(f"{name}: {r['transfers']:,} transfers, {r['labelled_accounts']:,} labelled, "
              f"typologies {r['typologies_seconds']} s")
        for key in ("cycle/all", "fan_in/all", "cycle/fast", "cycle/slow", "fan_in/fast", "fan_in/slow"):
            m = r[key]
            print(f"  {key:12s} findings={m['findings']:4d} named={m['accounts_named']:5d} "
                  f"precision={m['precision']} recall={m['recall']}")
        print(f"  account_risk precision@K={r['account_risk']['precision_at_K']} (K={r['account_risk']['K']})")
    args.out.write_text(json.dumps({"command": "python bench/amlsim.py", "runs": runs}, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
