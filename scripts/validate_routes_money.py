"""Validate routes and money-trail analytics on real public data (prints numbers; not a test).

* AMLSim 20K sample (IBM, Apache-2.0): precision/recall of the accounts flagged by
  the ``cycle`` and ``fan_in`` detectors against the planted ``isFraud`` labels,
  with the project's default parameters (both time scales) and the fast scale
  alone, plus runtimes (per-typology truth: ``bench/amlsim.py``).
* UNODC GLOTIP: ``corridors_from_flows`` on detected victims by citizenship →
  top corridors into and out of Thailand.

Usage::

    python scripts/validate_routes_money.py [--data /work/shared/datasets]

Datasets are read from their path at run time and never copied; a missing
dataset is skipped with a message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.routes import corridors_from_flows  # noqa: E402
from analytics.typologies import KINDS, TypologyConfig, cycles, fan_in, typologies  # noqa: E402

DAY0 = pd.Timestamp("2020-01-01")


def _pr(flagged: set[str], truth: set[str]) -> str:
    tp = len(flagged & truth)
    p = tp / len(flagged) if flagged else 0.0
    r = tp / len(truth) if truth else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return f"flagged={len(flagged):5d} tp={tp:5d} precision={p:.3f} recall={r:.3f} F1={f1:.3f}"


def amlsim(root: Path) -> None:
    d = root / "amlsim_20k"
    if not (d / "transactions.csv.gz").exists():
        print(f"[skip] AMLSim not found at {d}")
        return
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
    fraud = set(nodes.loc[nodes["isFraud"] == 1, "nodeid"].astype(str))
    print(f"AMLSim: {len(tr):,} transfers, {len(nodes):,} accounts, {len(fraud):,} labelled fraud accounts")
    print("  note: time is a whole day, so same-day hops tie; cycles need strictly increasing times")

    def run(label: str, fn, *, centre_only: bool = False) -> None:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        f = fn()
        secs = time.perf_counter() - t0
        flagged = {a for acc in f["accounts"] for a in (acc[:1] if centre_only else acc)}
        print(f"  {label:58s} findings={len(f):5d} {_pr(flagged, fraud)} time={secs:.2f}s")

    print(" defaults of typologies(): a fast and a slow (180-day) scale; per-typology truth and the")
    print(" disjoint halves are in bench/amlsim.py (precision here is against all labelled accounts)")
    both = typologies(tr)
    for kind in ("cycle", "fan_in"):
        for scale in ("fast", "slow"):
            sel = both[(both["kind"] == kind) & (both["scale"] == scale)]
            run(f"{kind} ({scale} scale, receiver + others)", lambda sel=sel: sel)
    print(" the fast scale alone (cycle: 2-6 hops within 7 days; fan_in: >=5 senders within 72 h)")
    run("cycle (all accounts in cycles)", lambda: cycles(tr))
    run("fan_in (receiver + senders)", lambda: fan_in(tr))
    run("fan_in (receiver only)", lambda: fan_in(tr), centre_only=True)
    print(" matched to AMLSim (planted fan-ins gather 11-32 senders over 77-132 days)")
    run("cycle, window 30 days", lambda: cycles(tr, window=dt.timedelta(days=30)))
    run("fan_in, >=10 senders within 60 days (receiver only)",
        lambda: fan_in(tr, window=dt.timedelta(days=60), k=10), centre_only=True)
    run("fan_in, >=10 senders within 60 days (receiver + senders)",
        lambda: fan_in(tr, window=dt.timedelta(days=60), k=10))
    t0 = time.perf_counter()
    allf = typologies(tr, threshold=500)  # USD-scale threshold for structuring
    secs = time.perf_counter() - t0
    counts = allf["kind"].value_counts().reindex(list(KINDS), fill_value=0).to_dict()
    print(f"  typologies(all kinds, defaults, T=500): {len(allf)} findings {counts} time={secs:.2f}s")
    cfg = TypologyConfig()
    print(f"  (defaults used: {cfg})")


def glotip(root: Path) -> None:
    d = root / "unodc_glotip"
    f = d / "glotip_detected_victims_by_citizenship_and_repatriation.csv"
    if not f.exists():
        print(f"[skip] UNODC GLOTIP not found at {d}")
        return
    df = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8", encoding_errors="replace")
    cmap = pd.read_csv(d / "category_to_iso3.csv", dtype=str, keep_default_na=False,
                       encoding_errors="replace")
    m = dict(zip(cmap["category_raw"], cmap["iso3"], strict=True))
    df = df[df["Dimension"] == "by citizenship"].copy()
    df["origin"] = df["Category"].map(m)
    df.loc[df["origin"] == "SELF", "origin"] = df["Iso3_code"]
    unmapped = int(df["origin"].isna().sum())
    df = df[df["origin"].notna() & (df["origin"] != "EXCLUDE")]
    suppressed = df["txtVALUE"].str.startswith("<")
    df["count"] = pd.to_numeric(df["txtVALUE"].str.replace(",", ""), errors="coerce")
    print(f"\nUNODC GLOTIP (by citizenship): {len(df):,} mapped rows, {int(suppressed.sum()):,} suppressed '<5' rows "
          f"(skipped: corridor counts are lower bounds), {unmapped} rows with unmapped categories")
    t0 = time.perf_counter()
    c = corridors_from_flows(df, origin="origin", destination="Iso3_code", count="count")
    print(f"  corridors_from_flows: {len(c):,} corridors in {time.perf_counter() - t0:.3f}s "
          f"(all years {df['Year'].min()}-{df['Year'].max()} summed)")
    into = c[c["destination"] == "THA"].head(10)
    print("  top corridors into Thailand (victims detected in THA by citizenship):")
    for r in into.itertuples():
        print(f"    {r.source} -> {r.destination}: {r.victims:,.0f}")
    out = c[(c["source"] == "THA") & (c["destination"] != "THA")].head(10)
    print("  top corridors out of Thailand (Thai citizens detected abroad):")
    for r in out.itertuples():
        print(f"    {r.source} -> {r.destination}: {r.victims:,.0f}")
    recent = corridors_from_flows(df[df["Year"].astype(int) >= 2018], "origin", "Iso3_code", "count")
    print("  into Thailand, 2018 onwards:")
    for r in recent[recent["destination"] == "THA"].head(5).itertuples():
        print(f"    {r.source} -> {r.destination}: {r.victims:,.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/work/shared/datasets", type=Path)
    args = ap.parse_args()
    amlsim(args.data)
    glotip(args.data)


if __name__ == "__main__":
    main()
