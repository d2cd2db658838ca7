"""The synthetic bundle generator: determinism, model conformance, truth checked from the CSVs."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import json
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from graph.model import NODES, RELS, TABLES, table_fields
from ingest import gazetteer as gz
from ingest.generate import generate_bundle, route_of
from ingest.names import NAMES, SCRIPT_OF, variant
from ingest.normalise import parse_amount, parse_datetime
from ingest.validate import validate_row

SIZE = 1200


def _read(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict[str, list[dict[str, str]]]]:
    out = tmp_path_factory.mktemp("bundle")
    truth = generate_bundle(out, seed=7, persons=SIZE)
    tables = {t: _read(out, t) for t in TABLES}
    return out, truth, tables


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    generate_bundle(tmp_path / "a", seed=3, persons=300)
    generate_bundle(tmp_path / "b", seed=3, persons=300)
    generate_bundle(tmp_path / "c", seed=4, persons=300)
    a, b, c = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert a == b
    assert a["persons.csv"] != c["persons.csv"] and a["truth.json"] != c["truth.json"]


def test_columns_match_the_model_and_every_row_validates(bundle: Any) -> None:
    out, _, tables = bundle
    for t in TABLES:
        with (out / f"{t}.csv").open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert header == [f.name for f in table_fields(t)], t
        for i, row in enumerate(tables[t]):
            rec, problems = validate_row(t, row)
            assert rec is not None, (t, i, problems, row)


def test_person_rows_exact_and_source_record_ids_unique(bundle: Any) -> None:
    _, truth, tables = bundle
    assert len(tables["persons"]) == SIZE == truth["persons"]
    for t in TABLES:
        keys = [(r["source"], r["source_record_id"]) for r in tables[t]]
        assert len(keys) == len(set(keys)), t
    ids = [r["id"] for n in NODES for r in tables[n.table]]
    assert len(ids) == len(set(ids))


def _independent_counts(tables: dict[str, list[dict[str, str]]]) -> tuple[Counter[str], Counter[str]]:
    """Recount what a MERGE-by-id / MERGE-by-(type, from, to, source, srid) loader produces."""
    nodes: Counter[str] = Counter()
    label_of: dict[str, str] = {}
    for n in NODES:
        for r in tables[n.table]:
            nid = r["id"] or f"{r['source']}:{r['source_record_id']}"
            label_of[nid] = n.label
        nodes[n.label] = len({r["id"] or f"{r['source']}:{r['source_record_id']}" for r in tables[n.table]})
    rels: Counter[str] = Counter()
    keys: set[tuple[str, ...]] = set()
    for spec in RELS:
        if not spec.ingested:
            continue
        for r in tables[spec.table]:
            to = r.get(spec.to_field, "")
            if not to:
                continue
            frm = r["id"] if spec.embedded else r[spec.from_field]
            rtype = r.get("type") or spec.type if not spec.embedded else spec.type
            if spec.type_choices and rtype not in spec.type_choices:
                continue
            if not spec.type_choices and rtype != spec.type:
                continue
            assert label_of.get(frm) in spec.from_labels, (spec.type, frm)
            assert label_of.get(to) in spec.to_labels, (spec.type, to)
            key = (rtype, frm, to, r["source"], r["source_record_id"])
            if key not in keys:
                keys.add(key)
                rels[rtype] += 1
    return nodes, rels


def test_truth_counts_equal_an_independent_recount(bundle: Any) -> None:
    _, truth, tables = bundle
    nodes, rels = _independent_counts(tables)
    assert truth["counts"]["nodes"] == dict(nodes)
    assert {k: v for k, v in truth["counts"]["relationships"].items() if v} == dict(rels)
    assert all(truth["counts"]["relationships"][t] > 0 for t in (
        "INVOLVED_IN", "ASSOCIATED_WITH", "MEMBER_OF", "EMPLOYED_BY", "DIRECTS", "HOLDS", "TRANSFERRED",
        "OWNS", "USED", "MOVED", "LOCATED_IN", "OCCURRED_AT", "LIVES_AT"))


def test_journey_person_and_case_references_exist(bundle: Any) -> None:
    _, _, tables = bundle
    persons = {r["id"] for r in tables["persons"]}
    cases = {r["id"] for r in tables["cases"]}
    for r in tables["journeys"]:
        assert r["person_id"] in persons and r["case_id"] in cases


def _thai_id_ok(s: str) -> bool:
    total = sum(int(d) * (14 - i) for i, d in enumerate(s[:12], start=1))
    return len(s) == 13 and s.isdigit() and (11 - total % 11) % 10 == int(s[12])


def test_thai_ids_valid_and_foreigners_have_none(bundle: Any) -> None:
    _, _, tables = bundle
    n = 0
    for r in tables["persons"]:
        if r["national_id"]:
            assert r["nationality"] == "THA" and _thai_id_ok(r["national_id"]), r
            n += 1
    assert n > 100


def test_realistic_formats_present(bundle: Any) -> None:
    _, _, tables = bundle
    births = [r["birth_date"] for r in tables["persons"] if r["birth_date"]]
    assert any(b[:4].isdigit() and int(b[:4]) > 2400 for b in births)  # Buddhist era
    phones = ";".join(r["phones"] for r in tables["persons"])
    assert "+66 " in phones and "-" in phones and any(ch in phones for ch in "๐๑๒๓๔๕๖๗๘๙")
    scripts = {unicodedata.name(r["full_name"][0]).split()[0] for r in tables["persons"] if r["full_name"]}
    assert {"THAI", "MYANMAR", "LAO", "KHMER", "LATIN"} <= scripts
    assert {r["source"] for r in tables["cases"]} >= {"RTP", "DSI", "AMLO", "IMM", "MSDHS"}
    assert {r["exploitation_type"] for r in tables["cases"]} >= {"fishing", "sexual", "forced_criminality"}
    assert {r["currency"] for r in tables["accounts"]} >= {"THB"} and len({r["currency"] for r in tables["accounts"]}) > 2


def test_names_are_in_their_script() -> None:
    for nat, d in NAMES.items():
        for lst in d.values():
            for native, latin in lst:
                assert all(unicodedata.name(ch).startswith(SCRIPT_OF[nat]) for ch in native), native
                assert latin.replace("-", "").isalpha() and latin.isascii()
    assert variant("Jaidee", __import__("random").Random(0)) != "Jaidee"


def test_routes_recomputed_from_the_journeys(bundle: Any) -> None:
    _, truth, tables = bundle
    legs: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in tables["journeys"]:
        legs[(r["person_id"], r["case_id"])].append(r)
    assert len(legs) == len(truth["routes"])
    corr: Counter[tuple[str, tuple[str, ...], str]] = Counter()
    for rt in truth["routes"]:
        ls = sorted(legs[(rt["person_id"], rt["case_id"])], key=lambda r: int(r["leg"]))
        assert [int(r["leg"]) for r in ls] == list(range(1, len(ls) + 1))
        assert all(a["to_location"] == b["from_location"] for a, b in itertools.pairwise(ls))
        assert all(r["stage"] == "transit" for r in ls[:-1])
        complete = ls[-1]["stage"] == "exploitation"
        assert complete == rt["complete"]
        # independent recomputation of the country-level route
        cs = [gz.country_of(ls[0]["from_location"])] + [gz.country_of(r["to_location"]) for r in ls]
        src, dest = cs[0], (cs[-1] if complete else None)
        inner = cs[1:-1] if complete else cs[1:]
        collapsed = [c for i, c in enumerate(inner) if i == 0 or inner[i - 1] != c]
        transit = [c for c in collapsed if c not in (src, dest)]
        transit = [c for i, c in enumerate(transit) if i == 0 or transit[i - 1] != c]
        assert (rt["source"], rt["transit"], rt["destination"]) == (src, transit, dest)
        if complete:
            corr[(src, tuple(transit), dest)] += 1
    assert {(c["source"], tuple(c["transit"]), c["destination"]): c["victims"] for c in truth["corridors"]} == corr
    assert any(c["transit"] for c in truth["corridors"]) and not all(r["complete"] for r in truth["routes"])
    assert route_of(["MM-17", "BC-MAESAI-TACHILEIK", "TH-74"], True) == ("MMR", (), "THA")


def _transfers(tables: dict[str, list[dict[str, str]]]) -> dict[str, dict[str, Any]]:
    return {r["txn_id"]: {"from": r["from_account"], "to": r["to_account"], "amount": parse_amount(r["amount"]),
                          "at": parse_datetime(r["at"])} for r in tables["transfers"]}


def test_planted_laundering_patterns_are_in_the_transfers(bundle: Any) -> None:
    _, truth, tables = bundle
    tx = _transfers(tables)
    kinds = Counter(p["kind"] for p in truth["laundering"])
    assert set(kinds) == {"fan_in", "fan_out", "scatter_gather", "gather_scatter", "cycle", "pass_through",
                          "structuring"}
    day, week = dt.timedelta(hours=24), dt.timedelta(days=7)
    for p in truth["laundering"]:
        ts = [tx[t] for t in p["transfers"]]
        assert {a for t in ts for a in (t["from"], t["to"])} == set(p["accounts"]), p
        hub = p["accounts"][0]
        span = max(t["at"] for t in ts) - min(t["at"] for t in ts)
        if p["kind"] == "fan_in":
            assert all(t["to"] == hub for t in ts) and len({t["from"] for t in ts}) >= 5 and span <= 3 * day
        elif p["kind"] == "fan_out":
            assert all(t["from"] == hub for t in ts) and len({t["to"] for t in ts}) >= 5 and span <= 3 * day
        elif p["kind"] == "scatter_gather":
            mids = {t["to"] for t in ts if t["from"] == hub}
            assert len(mids) >= 3 and len({t["to"] for t in ts if t["from"] in mids}) == 1 and span <= 3 * day
        elif p["kind"] == "gather_scatter":
            assert len({t["from"] for t in ts if t["to"] == hub}) >= 3
            assert len({t["to"] for t in ts if t["from"] == hub}) >= 3 and span <= 3 * day
        elif p["kind"] == "cycle":
            order = sorted(ts, key=lambda t: t["at"])
            assert 2 <= len(order) <= 6 and span <= week
            assert all(a["to"] == b["from"] for a, b in itertools.pairwise(order))
            assert order[-1]["to"] == order[0]["from"]
            assert all(a["at"] < b["at"] for a, b in itertools.pairwise(order))
        elif p["kind"] == "pass_through":
            ins = [t for t in ts if t["to"] == hub]
            forwarded = sum(any(o["from"] == hub and dt.timedelta(0) <= o["at"] - i["at"] <= day
                                and o["amount"] >= 0.9 * i["amount"] for o in ts) for i in ins)
            assert forwarded >= 2
        elif p["kind"] == "structuring":
            assert all(t["from"] == hub and 1_600_000 <= t["amount"] < 2_000_000 for t in ts)
            assert len(ts) >= 3 and span <= week and sum(t["amount"] for t in ts) >= 2_000_000
    # planted accounts take no part in background transfers
    planted_tx = {t for p in truth["laundering"] for t in p["transfers"]}
    planted_acc = {a for p in truth["laundering"] for a in p["accounts"]}
    assert not any(t["from"] in planted_acc or t["to"] in planted_acc for k, t in tx.items() if k not in planted_tx)


def _role_counts(adj: dict[str, set[str]], grp: dict[str, str], b: str) -> Counter[str]:
    """Brute-force Gould–Fernandez counts of b over ordered non-adjacent neighbour pairs."""
    out: Counter[str] = Counter()
    for a, c in itertools.permutations(adj[b], 2):
        if c in adj[a]:
            continue
        ga, gb, gc = grp[a], grp[b], grp[c]
        if ga == gb == gc:
            out["coordinator"] += 1
        elif ga == gc:
            out["itinerant"] += 1
        elif gb == ga:
            out["representative"] += 1
        elif gb == gc:
            out["gatekeeper"] += 1
        else:
            out["liaison"] += 1
    return out


def test_planted_brokers_have_their_role_and_are_the_only_ties(bundle: Any) -> None:
    _, truth, tables = bundle
    grp = {r["id"]: r["nationality"] for r in tables["persons"]}
    adj: dict[str, set[str]] = defaultdict(set)
    for r in tables["associations"]:
        adj[r["person_id"]].add(r["other_id"])
        adj[r["other_id"]].add(r["person_id"])
    by_case: dict[str, set[str]] = defaultdict(set)
    for r in tables["involvements"]:
        if r["role"] != "victim" and r["party_id"] in grp:
            by_case[r["case_id"]].add(r["party_id"])
    for members in by_case.values():
        for a, c in itertools.permutations(members, 2):
            adj[a].add(c)
    assert len(truth["broker_networks"]) >= 2 and {b["role"] for b in truth["brokers"]} >= {"gatekeeper", "liaison"}
    for net in truth["broker_networks"]:
        brokers = set(net["brokers"])
        rest = [m for m in net["members"] if m not in brokers]
        # without the brokers the network falls apart into two one-nationality cliques
        sides: dict[str, set[str]] = defaultdict(set)
        for m in rest:
            sides[grp[m]].add(m)
            assert adj[m] - brokers <= set(rest), "a network member has a tie outside the network"
        assert len(sides) == 2
        for side in sides.values():
            for a, c in itertools.combinations(side, 2):
                assert c in adj[a]
        s1, s2 = sides.values()
        assert not any(c in adj[a] for a in s1 for c in s2)
    for b in truth["brokers"]:
        counts = _role_counts(adj, grp, b["id"])
        want = "gatekeeper" if b["role"] in ("gatekeeper", "representative") else b["role"]
        top = max(counts.values())
        assert counts[want] == top > 0, (b, counts)
        assert grp[b["id"]] == b["nationality"]


def test_duplicates_are_the_same_person_in_different_records(bundle: Any) -> None:
    _, truth, tables = bundle
    persons = {r["id"]: r for r in tables["persons"]}
    assert len(truth["duplicates"]) >= 10
    changed = 0
    for a, b in truth["duplicates"]:
        ra, rb = persons[a], persons[b]
        assert a != b and ra["source"] != rb["source"]
        assert ra["nationality"] == rb["nationality"] and ra["sex"] == rb["sex"]
        if ra["full_name_latin"] != rb["full_name_latin"] or ra["birth_date"] != rb["birth_date"]:
            changed += 1
    assert changed >= len(truth["duplicates"]) * 0.7


def test_truth_file_matches_returned_truth(bundle: Any) -> None:
    out, truth, _ = bundle
    assert json.loads((out / "truth.json").read_text(encoding="utf-8")) == truth
    assert truth["version"] == 1 and truth["seed"] == 7


def test_gazetteer_rows_validate_and_have_real_places() -> None:
    assert gz.country_of("BC-MAESOT-MYAWADDY") == "THA" and gz.country_of("CITY-SIHANOUKVILLE") == "KHM"
    assert gz.ancestors("PORT-MAHACHAI") == ["TH-74", "THA"]
    lat, lon = float(gz.location("TH-74")["lat"]), float(gz.location("TH-74")["lon"])
    assert abs(lat - 13.55) < 0.2 and abs(lon - 100.27) < 0.2  # Samut Sakhon
    for r in gz.LOCATIONS:
        assert validate_row("locations", r)[0] is not None
        assert not r["parent_id"] or r["parent_id"] in {x["id"] for x in gz.LOCATIONS}
