"""AMLSim check of the typologies and ``account_risk`` with their DEFAULT settings.

    python bench/amlsim.py [--data /work/shared/datasets]    # every run: a held-out look
    python bench/amlsim.py --tuning-only                      # half_A, A1, A2 only; prints, writes nothing

Reads the shared IBM AMLSim 20K sample in place (never copied; Apache-2.0) and
writes ``bench/results/amlsim.json``.  ``--tuning-only`` scores the tuning run
and its two cuts and never scores half B: that is the mode to develop in.

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
be generated here; the sample is cut into disjoint runs instead.  Every
connected group of executed planted transfers, and every other account, goes
to one side by its smallest account id, and only transfers with both ends on
one side are kept (so a run is a smaller bank with its own customers and its
own planted patterns, none cut in two):

* ``half_A`` / ``half_B``: parity of that id (bit 0);
* ``B1`` / ``B2``: half B cut again by bit 1 of the id (two quarter-size
  banks, disjoint from half A and from each other);
* ``A1`` / ``A2``: half A cut the same way (part of the tuning data: a check
  that a choice made on half A holds on both of its quarters).

Protocol (``PROTOCOL`` below, also written to the results).  The typology
defaults were chosen before session 17 while looking at the full sample, so
no run is a clean hold-out for them.  ``account_risk``'s defaults of session
17 (burst counterparties counted through the counterparty term only, split
payments, the noisy-or counterparty term) were chosen on ``half_A`` alone;
``half_B``, ``B1`` and ``B2`` were scored once with those defaults frozen,
and are held out for them.  Session 18 changed two things, chosen on
``half_A`` alone (``--tuning-only``): split-payment pieces count when the
largest is at most twice the smallest (was 1.1 ×), and accounts with equal
scores are ordered by their counterparties' own counterparty risk (was:
account id).  Every full run of this script scores the held-out runs, so the
number of such runs is recorded (``held_out_looks``).  ``full`` contains
``half_A`` and is not held out.
``moved_share`` (called ``ceiling_at_K`` before session 18) is the share of
labelled accounts that moved planted money below AMLSim's normal floor: the
others look like normal customers, but it is not a bound — some of them deal
with planted accounts and are found through their counterparties' risk
(half_A's top K holds 40 of them).  ``precision_at_K_over_tie_orders`` is the
range over the orders of the accounts tied with the K-th score;
``sensitivity_precision_at_K`` re-scores with other counterparty and split
weights and split tolerances around the defaults (reported only, not used to
choose them).
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


PROTOCOL = {
    "account_risk_tuned_on": "half_A",
    "held_out": ["half_B", "B1", "B2"],
    "not_held_out": {"full": "contains half_A (the tuning run) and half_B",
                     "half_A": "the tuning run of account_risk",
                     "A1/A2": "half_A cut by bit 1 (tuning data, a check that a choice holds on both quarters)"},
    "session_18_changes": {
        "chosen_on": "half_A only (python bench/amlsim.py --tuning-only; half B never scored while choosing)",
        "criteria": "precision at K on half_A first; then precision at K' averaged over K' in [0.8K, 1.2K] and "
                    "average precision on half_A, and the same on A1 / A2",
        "split_tolerance": "pieces of one same-day payment: largest <= 2 x smallest (was 1.1 x); half_A P@K "
                           "0.708 -> 0.732 (A1 0.711 -> 0.745, A2 0.698 -> 0.713); 1.25 x gave 0.720, 1.5 x "
                           "0.729, unbounded 0.733",
        "tie_break": "equal scores ordered by the counterparties' own counterparty risk (was: account id); "
                     "within-tie AUC on half_A 0.64 (id order 0.46)",
        "tried_and_not_adopted_on_half_A": "counterparty risk propagated a second hop into the score (P@K 0.699-"
                                           "0.706), distinct counterparties instead of transfers (0.695), "
                                           "degree-normalised counterparty term (0.695), pass-through weight "
                                           "0.2-0.4 (0.730-0.733), less echo from a burst centre to its "
                                           "counterparties (0.732-0.736): within noise or worse",
    },
    "before_session_18_precision_at_K": {"full": 0.647, "half_A": 0.708, "half_B": 0.627, "B1": 0.599,
                                         "B2": 0.650},
    # every full run of this script is a look at the held-out labels; counted here before each run
    "held_out_looks": {"session_17": "2 runs of the same frozen defaults (14:14 and 14:25 UTC) + the "
                                     "sensitivity grid, reported only",
                       "session_18": 1},
    "typologies": "defaults chosen before session 17 while looking at the full sample: no run is a clean "
                  "hold-out for cycle / fan-in",
    "splits": {"half_A/half_B": "bit 0 of the smallest account id of each planted group / other account",
               "B1/B2": "half_B cut by bit 1 of that id"},
}


def split(tr: pd.DataFrame, fraud: set[str], bit: int, names: tuple[str, str]
          ) -> dict[str, tuple[pd.DataFrame, set[str]]]:
    """Cut a run in two disjoint runs by bit ``bit`` of each planted group's
    (and each other account's) smallest account id; keep transfers inside a side."""
    p = planted(tr, fraud)
    g = nx.Graph()
    g.add_edges_from(zip(p["source"], p["target"], strict=True))
    side: dict[str, int] = {}
    for comp in nx.connected_components(g):
        s = (min(int(a) for a in comp) >> bit) & 1
        side.update({a: s for a in comp})
    accounts = set(tr["source"]) | set(tr["target"])
    for a in accounts - set(side):
        side[a] = (int(a) >> bit) & 1
    out = {}
    for name, s in ((names[0], 0), (names[1], 1)):
        keep = tr["source"].map(side).eq(s) & tr["target"].map(side).eq(s)
        out[name] = (tr[keep].reset_index(drop=True), {a for a in fraud if side.get(a) == s})
    return out


def evaluate(tr: pd.DataFrame, fraud: set[str]) -> dict[str, Any]:
    p = planted(tr, fraud)
    t = truth(p)
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
    secs = time.perf_counter() - t0
    top = set(r["account"].head(k))
    # accounts tied with the K-th score: the best and worst share over their orders
    s_k = float(r["score"].iloc[k - 1])
    above, tied = r[r["score"] > s_k], r[r["score"] == s_k]
    lab_above, lab_tied, slots = int(above["account"].isin(fraud).sum()), int(tied["account"].isin(fraud).sum()), \
        k - len(above)
    tie_range = [round((lab_above + max(0, slots - (len(tied) - lab_tied))) / k, 3),
                 round((lab_above + min(slots, lab_tied)) / k, 3)]
    # sensitivity (reported, not used to choose): the other weights around the defaults
    sens = {}
    for nw in (0.25, 0.5, 1.0):
        for sw in (0.5, 0.8, 1.0):
            top_s = set(account_risk(tr, findings=f, neighbour_weight=nw, split_weight=sw)["account"].head(k))
            sens[f"neighbour_weight={nw},split_weight={sw}"] = round(len(top_s & fraud) / k, 3)
    for tol in (0.25, 0.5, 3.0):
        top_s = set(account_risk(tr, findings=f, split_tolerance=tol)["account"].head(k))
        sens[f"split_tolerance={tol}"] = round(len(top_s & fraud) / k, 3)
    moved = (set(p["source"]) | set(p["target"])) & fraud
    res["account_risk"] = {
        "K": k, "precision_at_K": round(len(top & fraud) / k, 3),
        "moved_share": round(len(moved) / k, 3),
        "recall_at_K": {"cycle": round(len(top & t["cycle"]) / len(t["cycle"]), 3) if t["cycle"] else None,
                        "fan_in": round(len(top & t["fan_in"]) / len(t["fan_in"]), 3) if t["fan_in"] else None,
                        "moved_planted_money": round(len(top & moved) / len(moved), 3) if moved else None},
        "tied_at_K": len(tied), "precision_at_K_over_tie_orders": tie_range,
        "sensitivity_precision_at_K": sens,
        "seconds_after_typologies": round(secs, 2)}
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/work/shared/datasets", type=Path)
    ap.add_argument("--out", default=ROOT / "bench" / "results" / "amlsim.json", type=Path)
    ap.add_argument("--tuning-only", action="store_true",
                    help="score half_A and its cuts A1 / A2 only (no held-out run); print, write nothing")
    args = ap.parse_args()
    tr, fraud = load(args.data)
    halves = split(tr, fraud, 0, ("half_A", "half_B"))
    tuning = {"half_A": halves["half_A"], **split(*halves["half_A"], 1, ("A1", "A2"))}
    if args.tuning_only:
        selected = tuning
    else:
        selected = {"full": (tr, fraud), **tuning, "half_B": halves["half_B"],
                    **split(*halves["half_B"], 1, ("B1", "B2"))}
    runs = {name: evaluate(t, fr) for name, (t, fr) in selected.items()}
    for name, r in runs.items():
        print(f"{name}: {r['transfers']:,} transfers, {r['labelled_accounts']:,} labelled, "
              f"typologies {r['typologies_seconds']} s")
        for key in ("cycle/all", "fan_in/all", "cycle/fast", "cycle/slow", "fan_in/fast", "fan_in/slow"):
            m = r[key]
            print(f"  {key:12s} findings={m['findings']:4d} named={m['accounts_named']:5d} "
                  f"precision={m['precision']} recall={m['recall']}")
        ar = r["account_risk"]
        role = "tuned on" if name in ("half_A", "A1", "A2") else (
            "held out" if name in PROTOCOL["held_out"] else "not held out")
        print(f"  account_risk precision@K={ar['precision_at_K']} (K={ar['K']}, moved share {ar['moved_share']}; "
              f"{role}) recall@K {ar['recall_at_K']}; over tie orders {ar['precision_at_K_over_tie_orders']}; "
              f"sensitivity {min(ar['sensitivity_precision_at_K'].values())}–"
              f"{max(ar['sensitivity_precision_at_K'].values())}")
    if args.tuning_only:
        return
    args.out.write_text(json.dumps({"command": "python bench/amlsim.py", "protocol": PROTOCOL, "runs": runs},
                                   indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
