"""Entity-resolution benchmark: throughput, precision/recall/F1 at the chosen threshold,
blocking pair reduction and blocking recall.

    python bench/analytics_resolution.py                # 10^3 and 10^4 records
    python bench/analytics_resolution.py --big          # also 10^5
    python bench/analytics_resolution.py --no-generator # skip the ingest.generate bundle check

Two kinds of data, both generated (no real records):

* ``synthetic_records`` of :mod:`analytics.resolution` (the family the model is trained on,
  but other seeds);
* the person table of an ``ingest.generate`` bundle (written by another component, with its
  own duplicate model) scored against its ``truth.json`` duplicate pairs, closed transitively.

Recall counts every true pair, so pairs lost by blocking are misses.  Throughput is
``find_duplicates`` wall time with the model already trained (the one-off training time is
reported separately).  Writes ``bench/results/analytics_resolution.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import resolution as res  # noqa: E402


def _score(out: pd.DataFrame, truth: set[tuple[str, str]], n: int) -> dict[str, float]:
    cand = set(map(tuple, out[["id_left", "id_right"]].to_numpy()))
    pred = set(map(tuple, out.loc[out["is_match"], ["id_left", "id_right"]].to_numpy()))
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(truth) if truth else 1.0
    all_pairs = n * (n - 1) / 2
    return {"records": n, "true_pairs": len(truth), "candidate_pairs": len(cand), "predicted_pairs": len(pred),
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0, 4),
            "blocking_recall": round(len(cand & truth) / len(truth), 4) if truth else 1.0,
            "pair_reduction_ratio": round(1 - len(cand) / all_pairs, 6)}


def _run(records: pd.DataFrame, truth: set[tuple[str, str]], model: res.ResolutionModel,
         use_dictionary: bool = True) -> dict[str, Any]:
    t0 = time.perf_counter()
    out = res.find_duplicates(records, model, use_dictionary=use_dictionary)
    secs = time.perf_counter() - t0
    row = _score(out, truth, len(records))
    row.update(seconds=round(secs, 2), records_per_s=round(len(records) / secs, 1))
    return row


def _generator_bundle(persons: int, seed: int) -> tuple[pd.DataFrame, set[tuple[str, str]]] | None:
    try:
        from ingest.generate import generate_bundle
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        truth = generate_bundle(tmp, seed=seed, persons=persons)
        raw = pd.read_csv(Path(tmp) / "persons.csv", dtype=str, keep_default_na=False)
    raw = raw.replace("", pd.NA)
    records = pd.DataFrame({
        "id": raw["id"], "given_name": raw.get("given_name"), "family_name": raw.get("family_name"),
        "full_name": raw.get("full_name"), "full_name_latin": raw.get("full_name_latin"),
        "birth_date": raw.get("birth_date"), "sex": raw.get("sex"), "nationality": raw.get("nationality"),
        "id_number": raw["national_id"].fillna(raw["passport_no"]), "phone": raw.get("phones"),
        "address": raw.get("address")})
    comps = res.clusters(pd.DataFrame(truth["duplicates"], columns=["id_left", "id_right"]).assign(is_match=True))
    pairs: set[tuple[str, str]] = set()
    for ids in comps.groupby("cluster")["id"].apply(sorted):
        pairs.update((ids[a], ids[b]) for a in range(len(ids)) for b in range(a + 1, len(ids)))
    return records, pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--big", action="store_true", help="also 10^5 records")
    ap.add_argument("--no-generator", action="store_true", help="skip the ingest.generate bundle check")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "analytics_resolution.json"))
    args = ap.parse_args()

    result: dict[str, Any] = {"machine": platform.platform(), "python": platform.python_version()}
    t0 = time.perf_counter()
    model = res.train_model()
    result["training"] = {"seconds": round(time.perf_counter() - t0, 1), "threshold": round(model.threshold, 4),
                          **{k: round(v, 4) for k, v in model.metrics.items()}}
    print("model:", result["training"], flush=True)

    sizes = [1000, 10_000] + ([100_000] if args.big else [])
    result["synthetic"] = []
    for n in sizes:
        recs = res.synthetic_records(n, seed=1000 + n)
        row = _run(recs, res.true_pairs(recs), model)
        print("synthetic", row, flush=True)
        result["synthetic"].append(row)

    # the tables alone, without the ingest.names dictionary (native names of the pools unknown)
    t0 = time.perf_counter()
    plain = res.train_model(use_dictionary=False)
    recs = res.synthetic_records(10_000, seed=11_000)
    row = _run(recs, res.true_pairs(recs), plain, use_dictionary=False)
    row.update(threshold=round(plain.threshold, 4), training_seconds=round(time.perf_counter() - t0, 1))
    print("synthetic, no dictionary", row, flush=True)
    result["synthetic_no_dictionary"] = row

    if not args.no_generator:
        result["generator"] = []
        for n in (1000, 10_000):
            got = _generator_bundle(n, seed=42)
            if got is None:
                print("ingest.generate not available: skipped")
                break
            row = _run(*got, model)
            print("ingest.generate bundle", row, flush=True)
            result["generator"].append(row)

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
