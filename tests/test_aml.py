"""Slow typologies, the second cue of fast fan-ins, and account_risk, on in-memory
transfer sets with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.money import TypologyConfig, account_risk, fan_in, slow_cycles, slow_fan_in, typologies

T0 = pd.Timestamp("2024-01-01 09:00")
D = pd.Timedelta(days=1)


def _tx(rows: list[tuple[str, str, str, float, pd.Timestamp]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["txn_id", "source", "target", "amount", "at"]).assign(currency="THB")


def _background(seed: int, n_acc: int = 60, n: int = 600) -> list[tuple[str, str, str, float, pd.Timestamp]]:
    """Ordinary customers: each pays its own usual amount to random others, never twice to one,
    and money only flows from lower to higher numbers (so the background has no ring)."""
    rng = np.random.default_rng(seed)
    usual = rng.uniform(100, 600, n_acc).round(2)
    rows, seen = [], set()
    for i in range(n):
        s, d = sorted(int(x) for x in rng.choice(n_acc, 2, replace=False))
        if (s, d) in seen:
            continue
        seen.add((s, d))
        rows.append((f"bg{i}", f"N{s}", f"N{d}", float(usual[s]), T0 + int(rng.integers(0, 150)) * D))
    return rows


def _ring() -> list[tuple[str, str, str, float, pd.Timestamp]]:
    # a ring R1 -> R2 -> R3 -> R4 -> R1 of 11.51, hops months apart and out of order, each paid in pieces
    hops = [("R1", "R2", 18), ("R2", "R3", 103), ("R3", "R4", 50), ("R4", "R1", 127)]
    return [(f"r{i}{j}", a, b, 11.51, T0 + day * D) for i, (a, b, day) in enumerate(hops) for j in range(3)]


def _slow_fan() -> list[tuple[str, str, str, float, pd.Timestamp]]:
    # four senders pay the collector H about 3.2 each, 37 days apart, most of them in pieces
    rows = []
    for i, (s, day, pieces) in enumerate([("S1", 6, 1), ("S2", 43, 3), ("S3", 80, 5), ("S4", 117, 3)]):
        rows += [(f"f{i}{j}", s, "H", 3.2 + 0.1 * j, T0 + day * D) for j in range(pieces)]
    return rows


def test_slow_cycle_found_in_any_order_only_with_the_same_amount() -> None:
    found = slow_cycles(_tx(_ring()))
    assert [sorted(a) for a in found["accounts"]] == [["R1", "R2", "R3", "R4"]]
    assert len(found.iloc[0]["transfers"]) == 12 and found.iloc[0]["scale"] == "slow"
    # the fast (hop-order, 7-day) cycle search cannot see it; typologies() with defaults does
    f = typologies(_tx(_ring()))
    assert set(zip(f["kind"], f["scale"], strict=True)) == {("cycle", "slow")}
    # amounts that differ by more than the tolerance are not one ring
    uneven = [(t, a, b, amt * (1 + 0.1 * k), at) for k, (t, a, b, amt, at) in enumerate(_ring())]
    assert slow_cycles(_tx(uneven)).empty
    # outside the slow window: no ring
    assert typologies(_tx(_ring()), config=TypologyConfig(slow_window=pd.Timedelta(days=60))).empty


def test_slow_fan_in_needs_similar_amounts_and_a_repeat() -> None:
    f = slow_fan_in(_tx(_slow_fan()))
    assert f["accounts"].tolist() == [["H", "S1", "S2", "S3", "S4"]]
    assert "4 senders paid 12 similar amounts" in f.iloc[0]["reason"]
    once = [r for r in _slow_fan() if r[0][-1] == "0"]  # each sender pays once: chance, not an arrangement
    assert slow_fan_in(_tx(once)).empty
    spread = [(t, s, d, a * (1 + k), at) for k, (t, s, d, a, at) in enumerate(_slow_fan())]
    assert slow_fan_in(_tx(spread)).empty
    assert fan_in(_tx(_slow_fan())).empty  # four senders over months: no fast fan-in


def test_fast_fan_in_needs_a_second_cue() -> None:
    # five ordinary customers (who pay many others) pay one busy shop within a day: not a finding
    rows = [(f"a{i}", f"C{i}", "SHOP", 100.0 * (i + 1), T0 + i * pd.Timedelta(hours=2)) for i in range(5)]
    rows += [(f"b{i}{j}", f"C{i}", f"X{i}{j}", 400.0, T0 + 3 * D) for i in range(5) for j in range(3)]
    assert fan_in(_tx(rows)).empty
    assert len(fan_in(_tx(rows), dedicated_share=0)) == 1  # the cue switched off
    # the same burst from senders who pay nobody else: a finding, and the reason says why
    dedicated = [r for r in rows if r[0].startswith("a")]
    f = fan_in(_tx(dedicated))
    assert len(f) == 1 and "deal mostly with this account" in f.iloc[0]["reason"]
    # ordinary customers, but all paying nearly the same amount: also a finding
    similar = [(t, s, d, 1000.0 + i, at) for i, (t, s, d, _, at) in enumerate(rows[:5])] + rows[5:]
    assert "similar amounts" in fan_in(_tx(similar)).iloc[0]["reason"]


def test_account_risk_ranks_the_planted_accounts_first_with_reasons() -> None:
    planted = {"R1", "R2", "R3", "R4", "H", "S1", "S2", "S3", "S4"}
    tx = _tx(_background(3) + _ring() + _slow_fan())
    r = account_risk(tx)
    assert list(r.columns) == ["account", "score", "reasons"]
    assert r["account"].is_unique and set(r["account"]) == set(tx["source"]) | set(tx["target"])
    assert set(r["account"].head(len(planted))) == planted
    assert r["score"].is_monotonic_decreasing
    top = r.set_index("account")
    assert "in 1 cycle (slow)" in top.loc["R1", "reasons"] and "split into pieces of a similar size" in top.loc["R1", "reasons"]
    assert "in 1 fan-in (slow)" in top.loc["H", "reasons"]


def test_account_risk_uses_past_judgements_and_counterparties() -> None:
    tx = _tx(_background(4) + _ring())
    f = typologies(tx)
    base = account_risk(tx, findings=f).set_index("account")["score"]
    dismissed = account_risk(tx, findings=f.assign(status="dismissed")).set_index("account")["score"]
    escalated = account_risk(tx, findings=f.assign(status="escalated")).set_index("account")["score"]
    assert dismissed["R1"] < base["R1"] < escalated["R1"]
    # an account with no pattern of its own that pays a ring account inherits some of its risk
    extra = _tx(_background(4) + _ring() + [("z", "Z", "R2", 300.0, T0 + 5 * D), ("y", "Y", "N7", 300.0, T0)])
    r = account_risk(extra).set_index("account")
    assert r.loc["Z", "score"] > r.loc["Y", "score"]
    assert r.loc["Z", "reasons"].startswith("counterparties' risk")
