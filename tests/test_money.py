"""Money trails and typologies on hand-built transfer sets, plus brute-force references."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pandas as pd
import pytest

from analytics.money import (
    KINDS,
    TypologyConfig,
    cycles,
    fan_in,
    fan_out,
    gather_scatter,
    pass_through,
    paths_between,
    scatter_gather,
    structuring,
    trace,
    typologies,
)

T0 = pd.Timestamp("2024-03-01 08:00")
H = pd.Timedelta(hours=1)
D = pd.Timedelta(days=1)


def _tx(rows: list[tuple[str, str, str, float, pd.Timestamp]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["txn_id", "source", "target", "amount", "at"]).assign(currency="THB")


# ------------------------------------------------------------------ trace
def _chain() -> pd.DataFrame:
    return _tx([
        ("t1", "A", "B", 100.0, T0 + 1 * D),
        ("t2", "B", "C", 60.0, T0 + 2 * D),
        ("t3", "B", "D", 30.0, T0),  # earlier than t1: cannot carry A's money
        ("t4", "C", "E", 80.0, T0 + 9 * D),  # 8 days after the first hop: out of the 7-day window
        ("t5", "C", "F", 50.0, T0 + 3 * D),
        ("t6", "F", "A", 40.0, T0 + 4 * D),  # back to the start: paths are simple
    ])


def _paths(df: pd.DataFrame) -> set[tuple[str, ...]]:
    return {tuple(g.sort_values("hop")["txn_id"]) for _, g in df.groupby("path")}


def test_trace_forward_amounts_and_window() -> None:
    out = trace(_chain(), "A")
    assert _paths(out) == {("t1", "t2", "t5")}
    p = out.sort_values("hop")
    assert p["carried"].tolist() == [100.0, 60.0, 50.0]  # min along the path
    assert p["source"].tolist() == ["A", "B", "C"] and p["target"].tolist() == ["B", "C", "F"]
    # widening the window lets t4 in (a second maximal path)
    wide = trace(_chain(), "A", window=dt.timedelta(days=9))
    assert _paths(wide) == {("t1", "t2", "t5"), ("t1", "t2", "t4")}
    # min_amount removes t5 (50 < 55)
    assert _paths(trace(_chain(), "A", min_amount=55)) == {("t1", "t2")}
    assert _paths(trace(_chain(), "A", max_hops=2)) == {("t1", "t2")}
    assert trace(_chain(), "nobody").empty


def test_trace_backward() -> None:
    out = trace(_chain(), "F", direction="backward")
    # into F: t5 (C->F, day 3) <- t2 (B->C, day 2) <- t1 (A->B, day 1); t6 is out of F
    assert _paths(out) == {("t5", "t2", "t1")}
    assert out.sort_values("hop")["carried"].tolist() == [50.0, 50.0, 50.0]
    # t3 (B->D at day 0) can feed nothing after it in reverse
    assert _paths(trace(_chain(), "D", direction="backward")) == {("t3",)}
    with pytest.raises(ValueError):
        trace(_chain(), "A", direction="sideways")


def test_same_time_hops_allowed_in_trace() -> None:
    t = _tx([("a", "X", "Y", 10.0, T0), ("b", "Y", "Z", 10.0, T0)])
    assert _paths(trace(t, "X")) == {("a", "b")}


def test_paths_between() -> None:
    t = _tx([
        ("a", "A", "B", 100.0, T0),
        ("b", "B", "C", 90.0, T0 + H),
        ("c", "A", "C", 5.0, T0 + 2 * H),
        ("d", "B", "X", 50.0, T0 + H),
        ("e", "X", "C", 45.0, T0 + 2 * H),
        ("f", "C", "B", 45.0, T0 + 3 * H),  # leaving C: never part of an A->C path
        ("g", "X", "C", 45.0, T0 - H),  # before d: not temporal
    ])
    assert _paths(paths_between(t, "A", "C")) == {("a", "b"), ("c",), ("a", "d", "e")}
    assert _paths(paths_between(t, "A", "C", max_hops=2)) == {("a", "b"), ("c",)}
    assert _paths(paths_between(t, "A", "C", min_amount=10)) == {("a", "b"), ("a", "d", "e")}
    last = paths_between(t, "A", "C").sort_values("hop").groupby("path").tail(1)
    assert set(last["target"]) == {"C"}


def _brute_paths(rows: list[tuple[str, str, str, float, pd.Timestamp]], start: str, max_hops: int,
                 window: pd.Timedelta) -> set[tuple[str, ...]]:
    """Maximal simple temporal paths by plain recursion over the list."""
    out: set[tuple[str, ...]] = set()

    def rec(path: list[tuple[str, str, str, float, pd.Timestamp]], seen: set[str]) -> None:
        last = path[-1]
        nxt = [r for r in rows if r[1] == last[2] and r[4] >= last[4] and r[4] - path[0][4] <= window
               and r[2] not in seen] if len(path) < max_hops else []
        if not nxt:
            out.add(tuple(r[0] for r in path))
        for r in nxt:
            rec([*path, r], seen | {r[2]})

    for r in rows:
        if r[1] == start and r[2] != start:
            rec([r], {start, r[2]})
    return out


def _random_rows(seed: int, n: int, accounts: str, days: int) -> list[tuple[str, str, str, float, pd.Timestamp]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        s, t = rng.sample(accounts, 2)
        rows.append((f"x{i}", s, t, float(rng.randint(1, 100)), T0 + rng.randint(0, days * 4) * pd.Timedelta(hours=6)))
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_trace_matches_brute_force(seed: int) -> None:
    rows = _random_rows(seed, 40, "ABCDEFG", 10)
    got = _paths(trace(_tx(rows), "A", max_hops=4, window=dt.timedelta(days=3)))
    assert got == _brute_paths(rows, "A", 4, pd.Timedelta(days=3))


# -------------------------------------------------------------- typologies
def test_fan_in_and_out() -> None:
    rows = [(f"i{k}", f"S{k}", "Z", 100.0, T0 + k * 10 * H) for k in range(5)]  # 5 senders in 40 h
    rows += [("i5", "S0", "Z", 1.0, T0 + 41 * H)]
    f = fan_in(_tx(rows))
    assert len(f) == 1
    r = f.iloc[0]
    assert r["accounts"] == ["Z", "S0", "S1", "S2", "S3", "S4"]
    assert sorted(r["transfers"]) == [f"i{k}" for k in range(6)] and r["amount"] == 501.0
    assert r["start"] == T0 and r["end"] == T0 + 41 * H
    # spread over more than 72 h: no window holds 5 distinct senders
    slow = [(f"i{k}", f"S{k}", "Z", 100.0, T0 + k * 20 * H) for k in range(5)]  # 80 h
    assert fan_in(_tx(slow)).empty
    assert len(fan_in(_tx(slow), window=dt.timedelta(hours=80))) == 1
    # 4 distinct senders, many transfers: not a fan-in
    few = [(f"i{k}", f"S{k % 4}", "Z", 100.0, T0 + k * H) for k in range(8)]
    assert fan_in(_tx(few)).empty and len(fan_in(_tx(few), k=4)) == 1
    # fan-out mirrors it
    out_rows = [(f"o{k}", "Z", f"R{k}", 10.0, T0 + k * H) for k in range(6)]
    fo = fan_out(_tx(out_rows))
    assert fo["accounts"].tolist() == [["Z", "R0", "R1", "R2", "R3", "R4", "R5"]]
    assert fan_in(_tx(out_rows)).empty


def test_fan_in_separate_episodes() -> None:
    rows = [(f"a{k}", f"S{k}", "Z", 1.0, T0 + k * H) for k in range(5)]
    rows += [(f"b{k}", f"S{k}", "Z", 1.0, T0 + 10 * D + k * H) for k in range(5)]
    f = fan_in(_tx(rows))
    assert len(f) == 2 and sorted(map(len, f["transfers"])) == [5, 5]


def test_scatter_gather() -> None:
    rows = [
        ("s1", "A", "B1", 100.0, T0), ("s2", "A", "B2", 100.0, T0 + H), ("s3", "A", "B3", 100.0, T0 + 2 * H),
        ("g1", "B1", "C", 95.0, T0 + 5 * H), ("g2", "B2", "C", 95.0, T0 + 6 * H), ("g3", "B3", "C", 95.0, T0 + 7 * H),
    ]
    f = scatter_gather(_tx(rows))
    assert len(f) == 1
    assert f.iloc[0]["accounts"] == ["A", "B1", "B2", "B3", "C"]
    assert sorted(f.iloc[0]["transfers"]) == ["g1", "g2", "g3", "s1", "s2", "s3"]
    assert f.iloc[0]["amount"] == 300.0
    # B3 forwards before it received: only 2 valid intermediaries
    bad = [r if r[0] != "g3" else ("g3", "B3", "C", 95.0, T0 + H) for r in rows]
    assert scatter_gather(_tx(bad)).empty
    # gather 4 days later: out of the 72 h window
    late = [r if r[0] != "g3" else ("g3", "B3", "C", 95.0, T0 + 4 * D) for r in rows]
    assert scatter_gather(_tx(late)).empty
    assert len(scatter_gather(_tx(late), window=dt.timedelta(days=5))) == 1


def test_gather_scatter() -> None:
    rows = [(f"in{k}", f"S{k}", "G", 100.0, T0 + k * H) for k in range(3)]
    rows += [(f"out{k}", "G", f"R{k}", 90.0, T0 + (5 + k) * H) for k in range(3)]
    f = gather_scatter(_tx(rows))
    assert len(f) == 1
    assert f.iloc[0]["accounts"] == ["G", "S0", "S1", "S2", "R0", "R1", "R2"]
    assert f.iloc[0]["amount"] == 300.0
    assert gather_scatter(_tx(rows[:-1])).empty  # only 2 recipients
    # scatter before the gather started does not count
    early = rows[:3] + [(f"out{k}", "G", f"R{k}", 90.0, T0 - (k + 1) * H) for k in range(3)]
    assert gather_scatter(_tx(early)).empty


def test_cycle_found_once_and_amount() -> None:
    rows = [("a", "X", "Y", 100.0, T0), ("b", "Y", "Z", 95.0, T0 + D), ("c", "Z", "X", 90.0, T0 + 2 * D)]
    f = cycles(_tx(rows))
    assert len(f) == 1  # not once per account
    assert f.iloc[0]["accounts"] == ["X", "Y", "Z"] and f.iloc[0]["transfers"] == ["a", "b", "c"]
    assert f.iloc[0]["amount"] == 90.0
    # via typologies: deduplicated, right columns
    t = typologies(_tx(rows), kinds=["cycle"])
    assert list(t.columns[:6]) == ["kind", "accounts", "transfers", "amount", "start", "end"]
    assert t["kind"].tolist() == ["cycle"]


def test_cycle_negative_cases() -> None:
    # non-increasing timestamps: Z->X happens before Y->Z
    rows = [("a", "X", "Y", 100.0, T0), ("b", "Y", "Z", 95.0, T0 + 2 * D), ("c", "Z", "X", 90.0, T0 + D)]
    assert cycles(_tx(rows)).empty
    # equal timestamps are not strictly increasing
    same = [("a", "X", "Y", 100.0, T0), ("b", "Y", "X", 95.0, T0)]
    assert cycles(_tx(same)).empty
    # 8 days: out of the 7-day window
    slow = [("a", "X", "Y", 100.0, T0), ("b", "Y", "Z", 95.0, T0 + 4 * D), ("c", "Z", "X", 90.0, T0 + 8 * D)]
    assert cycles(_tx(slow)).empty
    assert len(cycles(_tx(slow), window=dt.timedelta(days=8))) == 1
    # length limits
    ring = [(f"r{k}", f"N{k}", f"N{(k + 1) % 7}", 10.0, T0 + k * H) for k in range(7)]
    assert cycles(_tx(ring)).empty  # 7 > 6
    assert len(cycles(_tx(ring), max_len=7)) == 1
    two = [("a", "X", "Y", 1.0, T0), ("b", "Y", "X", 1.0, T0 + H)]
    assert len(cycles(_tx(two))) == 1 and cycles(_tx(two), min_len=3).empty


def _brute_cycles(rows: list[tuple[str, str, str, float, pd.Timestamp]], window: pd.Timedelta,
                  max_len: int) -> set[frozenset[str]]:
    out: set[frozenset[str]] = set()
    for n in range(2, max_len + 1):
        for combo in itertools.permutations(rows, n):
            ok = all(combo[i][2] == combo[i + 1][1] and combo[i][4] < combo[i + 1][4] for i in range(n - 1))
            ok = ok and combo[-1][2] == combo[0][1] and combo[-1][4] - combo[0][4] <= window
            ok = ok and len({r[1] for r in combo}) == n
            if ok:
                out.add(frozenset(r[0] for r in combo))
    return out


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_cycles_match_brute_force(seed: int) -> None:
    rows = _random_rows(seed, 18, "ABCDE", 6)
    got = cycles(_tx(rows), window=dt.timedelta(days=3), max_len=4)
    assert {frozenset(t) for t in got["transfers"]} == _brute_cycles(rows, pd.Timedelta(days=3), 4)
    assert len(got) == len({frozenset(t) for t in got["transfers"]})


def test_pass_through() -> None:
    rows = [
        ("i1", "S", "M", 100.0, T0), ("o1", "M", "R", 95.0, T0 + 3 * H),
        ("i2", "S2", "M", 200.0, T0 + 2 * D), ("o2", "M", "R", 100.0, T0 + 2 * D + H),
        ("o3", "M", "R2", 90.0, T0 + 2 * D + 20 * H),  # 190 of 200 = 95 % within 24 h
    ]
    f = pass_through(_tx(rows))
    assert len(f) == 1
    r = f.iloc[0]
    assert r["accounts"] == ["M", "S", "S2", "R", "R2"] and r["amount"] == 300.0
    assert sorted(r["transfers"]) == ["i1", "i2", "o1", "o2", "o3"]
    # one event only
    assert pass_through(_tx(rows[:2])).empty
    # 80 % forwarded: not a pass-through
    low = [r if r[0] != "o1" else ("o1", "M", "R", 80.0, T0 + 3 * H) for r in rows]
    assert pass_through(_tx(low)).empty and len(pass_through(_tx(low), ratio=0.8)) == 1
    # forwarded after 25 h: out of the window
    late = [r if r[0] != "o1" else ("o1", "M", "R", 95.0, T0 + 25 * H) for r in rows]
    assert pass_through(_tx(late)).empty


def test_structuring() -> None:
    T = 2_000_000
    rows = [("a", "A", "B", 1_900_000.0, T0), ("b", "A", "C", 1_700_000.0, T0 + D),
            ("c", "A", "D", 1_999_999.0, T0 + 6 * D), ("z", "A", "E", 50.0, T0 + 2 * D)]
    f = structuring(_tx(rows))
    assert len(f) == 1 and sorted(f.iloc[0]["transfers"]) == ["a", "b", "c"]
    assert f.iloc[0]["amount"] == 5_599_999.0 and f.iloc[0]["accounts"][0] == "A"
    at_t = [r if r[0] != "c" else ("c", "A", "D", float(T), T0 + 6 * D) for r in rows]  # reported: not below T
    assert structuring(_tx(at_t)).empty
    spread = [r if r[0] != "c" else ("c", "A", "D", 1_999_999.0, T0 + 8 * D) for r in rows]
    assert structuring(_tx(spread)).empty
    below_band = [r if r[0] != "b" else ("b", "A", "C", 1_500_000.0, T0 + D) for r in rows]
    assert structuring(_tx(below_band)).empty
    # configurable threshold, and currency filter
    small = [(f"s{k}", "A", "B", 9_000.0, T0 + k * H) for k in range(3)]
    assert len(structuring(_tx(small), threshold=10_000)) == 1
    assert structuring(_tx(small).assign(currency="USD"), threshold=10_000, currency="THB").empty


def test_typologies_all_kinds_and_dedup() -> None:
    rows = [("a", "X", "Y", 100.0, T0), ("b", "Y", "X", 99.0, T0 + H)]
    rows += [(f"i{k}", f"S{k}", "Z", 10.0, T0 + k * H) for k in range(5)]
    f = typologies(_tx(rows))
    assert sorted(f["kind"]) == ["cycle", "fan_in"]
    # duplicate rows in input → duplicate findings collapse
    f2 = typologies(pd.concat([_tx(rows), _tx(rows)]), kinds=["cycle"])
    assert len(f2) == 1
    cfg = TypologyConfig(min_counterparties=6)
    assert typologies(_tx(rows), config=cfg)["kind"].tolist() == ["cycle"]
    assert set(KINDS) >= set(f["kind"])
    with pytest.raises(ValueError):
        typologies(_tx(rows), kinds=["smurfing"])
    assert typologies(_tx(rows[:1])).empty
