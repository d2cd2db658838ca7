"""account_risk on small in-memory transfer tables with known answers: who counts
for a finding, split payments (pieces of a similar size), counterparties' risk over
several transfers, ties ordered by the two-hop counterparty risk, and a pure
DataFrame-in / DataFrame-out contract."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.money import ACTIVE_MEMBERS, account_risk, typologies

T0 = pd.Timestamp("2024-03-01 09:00")
H = pd.Timedelta(hours=1)
D = pd.Timedelta(days=1)


def _tx(rows: list[tuple[str, str, str, float, pd.Timestamp]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["txn_id", "source", "target", "amount", "at"]).assign(currency="THB")


def _pass_through() -> list[tuple[str, str, str, float, pd.Timestamp]]:
    # P forwards what it receives within hours, twice: in from C1 / C2, out to C3 / C4
    # (C1-C4 are ordinary customers who each made one payment)
    return [("p1", "C1", "P", 500.0, T0), ("p2", "P", "C3", 495.0, T0 + 3 * H),
            ("p3", "C2", "P", 800.0, T0 + 5 * D), ("p4", "P", "C4", 790.0, T0 + 5 * D + 2 * H)]


def test_counterparties_of_a_burst_count_only_through_the_counterparty_term() -> None:
    tx = _tx(_pass_through())
    f = typologies(tx)
    assert set(f["kind"]) == {"pass_through"} and f.iloc[0]["accounts"][0] == "P"
    r = account_risk(tx, findings=f).set_index("account")
    # the centre carries the pass-through's weight (0.5) and some of its counterparties' risk
    assert r.loc["P", "reasons"].startswith("in 1 pass-through (fast)")
    assert r.loc["P", "score"] == pytest.approx(0.5, abs=1e-6)
    # a customer that paid it: one transfer with an account of base score 0.5 -> 0.5 × (1 - (1 - 0.5/2))
    assert r.loc["C1", "score"] == pytest.approx(0.5 * 0.25, abs=1e-6)
    assert r.loc["C1", "reasons"] == ("counterparty of the centre of 1 pass-through (fast); "
                                      "counterparties' risk 0.25 (1 flagged counterparty)")
    # giving the counterparties a share of the weight again (the old behaviour) raises them
    shared = account_risk(tx, findings=f, member_weight=0.5).set_index("account")
    assert shared.loc["C1", "score"] > r.loc["C1", "score"]


def test_every_member_of_a_ring_or_slow_arrangement_counts_in_full() -> None:
    assert {("cycle", "fast"), ("cycle", "slow"), ("fan_in", "slow")} <= ACTIVE_MEMBERS
    assert ("pass_through", "fast") not in ACTIVE_MEMBERS and ("fan_in", "fast") not in ACTIVE_MEMBERS
    ring = [("r1", "X", "Y", 100.0, T0), ("r2", "Y", "Z", 99.0, T0 + D), ("r3", "Z", "X", 98.0, T0 + 2 * D)]
    r = account_risk(_tx(ring)).set_index("account")
    # all three in the same ring: the same typology part (0.9); no one is just a counterparty
    assert all(r.loc[a, "reasons"].startswith("in 1 cycle (fast)") for a in "XYZ")
    assert r.loc["Y", "score"] == pytest.approx(r.loc["Z", "score"], abs=1e-9)
    assert r.loc["Y", "score"] > 0.9


def test_split_payments_raise_the_score_and_say_so() -> None:
    # S pays Q three pieces of a similar size on one day (two extra pieces); U pays V once
    rows = [("s1", "S", "Q", 300.0, T0), ("s2", "S", "Q", 310.0, T0 + 2 * H), ("s3", "S", "Q", 305.0, T0 + 4 * H),
            ("u1", "U", "V", 915.0, T0)]
    r = account_risk(_tx(rows)).set_index("account")
    expected = 0.8 * (1 - 2.718281828459045 ** -2)  # split_weight × (1 - e^-2)
    assert r.loc["S", "score"] > expected and r.loc["Q", "score"] > expected
    assert "2 repeated same-day payments split into pieces of a similar size" in r.loc["S", "reasons"]
    assert r.loc["U", "score"] == 0 and r.loc["U", "reasons"] == ""


def test_split_pieces_need_a_similar_size_up_to_twice_the_smallest() -> None:
    # 300 + 550 on one day: the larger is < 2 × the smaller -> one payment split in two (one extra piece)
    similar = account_risk(_tx([("s1", "S", "Q", 300.0, T0), ("s2", "S", "Q", 550.0, T0 + 2 * H)]))
    base = 0.8 * (1 - 2.718281828459045 ** -1)  # split_weight × (1 - e^-1), both ends
    # + half a noisy-or over the two transfers with the other end (base / 2 each)
    assert similar["score"].tolist() == pytest.approx([base + 0.5 * (1 - (1 - base / 2) ** 2)] * 2, abs=1e-6)
    assert "1 repeated same-day payment split" in similar.iloc[0]["reasons"]
    # 300 + 700: more than twice the smaller -> two unrelated payments
    assert account_risk(_tx([("s1", "S", "Q", 300.0, T0), ("s2", "S", "Q", 700.0, T0 + 2 * H)]))["score"].max() == 0
    # on different days: not one payment
    assert account_risk(_tx([("s1", "S", "Q", 300.0, T0), ("s2", "S", "Q", 300.0, T0 + D)]))["score"].max() == 0
    # the tolerance is a parameter: 10 % (the earlier default) rejects 300 + 550
    tight = account_risk(_tx([("s1", "S", "Q", 300.0, T0), ("s2", "S", "Q", 550.0, T0 + 2 * H)]), split_tolerance=0.1)
    assert tight["score"].max() == 0


def test_equal_scores_are_ordered_by_the_counterparties_own_risk_not_by_id() -> None:
    ring = [("r1", "R1", "R2", 100.0, T0), ("r2", "R2", "R3", 99.0, T0 + D), ("r3", "R3", "R1", 98.0, T0 + 2 * D)]
    # A and B each paid ring account R1 once (the same evidence, so the same score); B also paid M,
    # who paid ring account R2 (M is not flagged itself, so B's score does not change), A paid N,
    # who deals with no one else
    rows = ring + [("a1", "A", "R1", 40.0, T0 + 20 * D), ("b1", "B", "R1", 40.0, T0 + 20 * D),
                   ("a2", "A", "N", 60.0, T0 + 25 * D), ("b2", "B", "M", 60.0, T0 + 25 * D),
                   ("m1", "M", "R2", 70.0, T0 + 30 * D)]
    r = account_risk(_tx(rows))
    s = r.set_index("account")["score"]
    assert s["A"] == s["B"] > 0 and s["N"] == 0 < s["M"]
    order = r["account"].tolist()
    assert order.index("B") < order.index("A")  # B's counterparty M deals with the ring; A's N does not
    assert r["score"].is_monotonic_decreasing
    # the same evidence one hop further too: account id decides, whatever the input order
    twins = ring + [("d1", "D", "R3", 40.0, T0 + 20 * D), ("c1", "C", "R3", 40.0, T0 + 21 * D)]
    for frame in (_tx(twins), _tx(twins).iloc[::-1]):
        order = account_risk(frame)["account"].tolist()
        assert order.index("C") == order.index("D") - 1


def test_several_transfers_with_flagged_accounts_add_up() -> None:
    ring = [("r1", "X", "Y", 100.0, T0), ("r2", "Y", "Z", 99.0, T0 + D), ("r3", "Z", "X", 98.0, T0 + 2 * D)]
    # A paid two ring accounts (on different days, different amounts); B paid one once
    rows = ring + [("a1", "A", "X", 450.0, T0 + 20 * D), ("a2", "A", "Y", 700.0, T0 + 30 * D),
                   ("b1", "B", "Z", 450.0, T0 + 20 * D), ("c1", "C", "B", 450.0, T0 + 40 * D)]
    r = account_risk(_tx(rows)).set_index("account")
    assert r.loc["A", "score"] > r.loc["B", "score"] > r.loc["C", "score"] == 0
    assert "(2 flagged counterparties)" in r.loc["A", "reasons"]
    assert "(1 flagged counterparty)" in r.loc["B", "reasons"]
    # one hop only: C paid B, which is not flagged itself (its score is counterparties' risk alone)
    assert r.loc["C", "reasons"] == ""


def test_pure_and_deterministic() -> None:
    tx = _tx(_pass_through())
    before = tx.copy(deep=True)
    a, b = account_risk(tx), account_risk(tx.sample(frac=1.0, random_state=1))
    pd.testing.assert_frame_equal(tx, before)  # the input is not changed
    pd.testing.assert_frame_equal(a, b)  # the row order of the input does not matter
    assert list(a.columns) == ["account", "score", "reasons"] and a["score"].is_monotonic_decreasing
    assert account_risk(tx.iloc[0:0]).empty
