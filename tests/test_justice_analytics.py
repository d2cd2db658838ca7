"""analytics.justice on small in-memory tables with answers worked out by hand, and the
viewer suppression of views.justice (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from analytics import justice as J
from graph.scope import Scope

D = dt.date


def _stages(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["case_id", "person_id", "stage", "on_date", "outcome", "sentence_months"])


STAGES = _stages([
    ("C1", None, "complaint", D(2020, 1, 1), None, None),
    ("C1", None, "investigation", D(2020, 1, 11), None, None),
    ("C1", "P1", "arrest", D(2020, 2, 10), None, None),
    ("C1", "P1", "charges", D(2020, 2, 20), None, None),
    ("C1", None, "prosecutor_decision", D(2020, 6, 1), "prosecute", None),
    ("C1", "P1", "indictment", D(2020, 6, 10), None, None),
    ("C1", "P2", "indictment", D(2020, 6, 12), None, None),
    ("C1", "P1", "verdict", D(2021, 6, 10), "convicted", None),
    ("C1", "P2", "verdict", D(2021, 6, 10), "acquitted", None),
    ("C1", "P1", "sentence", D(2021, 6, 20), None, 60),
    ("C2", None, "complaint", D(2020, 3, 1), None, None),
    ("C2", None, "investigation", D(2020, 3, 5), None, None),  # then nothing: stalled
    ("C3", None, "complaint", D(2021, 1, 1), None, None),
    ("C3", None, "investigation", D(2021, 1, 5), None, None),
    ("C3", "P3", "arrest", D(2021, 1, 20), None, None),
    ("C3", "P3", "charges", D(2021, 1, 21), None, None),
    ("C3", None, "prosecutor_decision", D(2021, 2, 1), "not_prosecute", None),  # finished, not stalled
])
CASES = pd.DataFrame({"case_id": ["C1", "C2", "C3"], "agency": ["RTP", "DSI", "RTP"],
                      "province": ["Ranong", "Ranong", "Songkhla"],
                      "exploitation_type": ["fishing", "sexual", "fishing"], "opened_on": [None] * 3})


def test_pipeline_attrition_transitions_and_stalls() -> None:
    out = J.pipeline(STAGES, CASES, as_of=D(2022, 6, 1), stalled_days=365)
    att = out["attrition"].set_index("stage")
    assert att.loc["complaint", "cases"] == 3 and att.loc["arrest", "cases"] == 2
    assert att.loc["indictment", "cases"] == 1 and att.loc["conviction", "cases"] == 1
    assert att.loc["conviction", "share"] == pytest.approx(1 / 3, abs=1e-4)
    tr = out["transitions"].set_index(["from_stage", "to_stage"])
    # complaint → investigation: 10, 4 and 4 days
    assert tr.loc[("complaint", "investigation"), "cases"] == 3
    assert tr.loc[("complaint", "investigation"), "median_days"] == 4.0
    assert tr.loc[("complaint", "investigation"), "mean_days"] == 6.0
    # indictment → verdict over the first dates: 2020-06-10 → 2021-06-10
    assert tr.loc[("indictment", "verdict"), "median_days"] == 365.0
    # C1 ended with a sentence, C3 was not prosecuted: only C2 is stalled
    st = out["stalled"]
    assert st["case_id"].tolist() == ["C2"] and st["last_stage"].tolist() == ["investigation"]
    assert st["days_since"].tolist() == [(D(2022, 6, 1) - D(2020, 3, 5)).days]
    assert st["agency"].tolist() == ["DSI"]


def test_pipeline_by_group() -> None:
    out = J.pipeline(STAGES, CASES, as_of=D(2022, 6, 1), by="province")
    att = out["attrition"]
    ranong = att[(att["group"] == "Ranong")].set_index("stage")["cases"]
    assert ranong["complaint"] == 2 and ranong["conviction"] == 1
    songkhla = att[(att["group"] == "Songkhla")].set_index("stage")["cases"]
    assert songkhla["complaint"] == 1 and songkhla["indictment"] == 0
    assert set(out["stalled"]["group"]) == {"Ranong"}


def test_a_recent_case_is_not_stalled() -> None:
    st = _stages([("C9", None, "complaint", D(2022, 5, 1), None, None)])
    assert J.pipeline(st, as_of=D(2022, 6, 1), stalled_days=365)["stalled"].empty
    assert len(J.pipeline(st, as_of=D(2022, 6, 1), stalled_days=10)["stalled"]) == 1


def test_coverage_gaps_waits_repatriation_and_repeat_victims() -> None:
    victims = pd.DataFrame({"person_id": ["V1", "V2", "V3", "V4", "V4"], "case_id": ["C1", "C1", "C2", "C2", "C3"]})
    scr = pd.DataFrame({"person_id": ["V1", "V3", "V4", "V4"], "case_id": ["C1", "C2", "C2", "C3"],
                        "on_date": [D(2021, 1, 1), D(2021, 2, 1), D(2021, 3, 1), D(2022, 3, 1)],
                        "outcome": ["identified", "identified", "identified", "identified"]})
    asst = pd.DataFrame({"person_id": ["V1", "V1", "V3", "V4"], "case_id": ["C1", "C1", "C2", "C2"],
                         "kind": ["shelter", "service", "service", "shelter"],
                         "service": [None, "medical", "repatriation", None],
                         "from_date": [D(2021, 1, 5), D(2021, 1, 3), D(2021, 2, 11), D(2021, 3, 1)],
                         "outcome": ["completed", "completed", "completed", "ongoing"]})
    persons = pd.DataFrame({"person_id": ["V1", "V2", "V3", "V4"], "nationality": ["THA", "MMR", "MMR", "LAO"]})
    s, rows = J.coverage(victims, scr, asst, persons)
    assert (s["victims"], s["screened"], s["not_screened"], s["identified"]) == (4, 3, 1, 3)
    assert (s["not_sheltered"], s["without_services"], s["without_assistance"]) == (1, 1, 0)
    # waits: V1 2 days (service first), V3 10 days, V4 0 days
    assert s["assisted_after_identification"] == 3 and s["median_days_to_first_assistance"] == 2.0
    assert s["mean_days_to_first_assistance"] == 4.0
    assert (s["foreign_identified"], s["repatriated"], s["not_repatriated"]) == (2, 1, 1)
    assert s["repeat_victims"] == 1
    by = rows.set_index("person_id")
    assert by.loc["V2", "gaps"] == ["not screened"]
    assert by.loc["V3", "gaps"] == ["never sheltered"]
    assert by.loc["V4", "gaps"] == ["no services", "not repatriated"]
    assert by.loc["V4", "identified_cases"] == ["C2", "C3"]


def test_unpaid_compensation() -> None:
    comp = pd.DataFrame({
        "id": ["K1", "K2", "K3", "K4"], "case_id": ["C1", "C1", "C1", "C1"],
        "offender_id": ["P1", "P1", "P2", "P1"], "victim_id": ["V1", "V2", "V1", "V3"],
        "awarded": [100_000.0, 50_000.0, 80_000.0, None], "paid": [40_000.0, None, None, None],
        "awarded_on": [D(2021, 6, 10)] * 3 + [None], "paid_on": [D(2021, 9, 1), None, None, None]})
    assets = pd.DataFrame({"offender_id": ["P1"], "vehicles": [["V-1"]], "accounts": [["A-1"]], "companies": [[]],
                           "receiving_accounts": [["A-9"]]})
    enf = pd.DataFrame({"id": ["E1"], "case_id": ["C1"], "offender_id": ["P1"], "asset_kind": ["vehicle"],
                        "asset_id": ["V-1"], "action": ["seized"], "on_date": [D(2022, 1, 1)], "agency": ["DLT"],
                        "description": [None], "amount_recovered": [30_000.0]})
    df = J.unpaid_compensation(comp, STAGES, assets, enf, as_of=D(2022, 6, 10))
    # P2 was acquitted: their award does not count; P1 owes 60,000 + 50,000
    assert df["offender_id"].tolist() == ["P1"]
    r = df.iloc[0]
    assert r["owed"] == 110_000.0 and r["days_since_verdict"] == 365 and r["recovered"] == 30_000.0
    assert r["vehicles"] == ["V-1"] and r["receiving_accounts"] == ["A-9"] and r["payable_assets"] == 3
    assert r["enforcement"] == ["vehicle V-1: seized 2022-01-01 (DLT)"]


def test_indicators_and_change() -> None:
    scr = pd.DataFrame({"person_id": ["V1", "V3", "V4", "V4"], "case_id": ["C1", "C2", "C2", "C3"],
                        "on_date": [D(2020, 1, 1), D(2021, 2, 1), D(2021, 3, 1), D(2021, 5, 1)],
                        "outcome": ["identified"] * 4})
    asst = pd.DataFrame(columns=["person_id", "case_id", "kind", "service", "from_date", "outcome"])
    comp = pd.DataFrame({"awarded": [100.0, 50.0], "awarded_on": [D(2021, 6, 10), D(2021, 7, 1)],
                         "paid": [40.0, None], "paid_on": [D(2021, 9, 1), None]})
    officials = pd.DataFrame({"case_id": ["C1"], "person_id": ["P2"]})
    persons = pd.DataFrame({"person_id": ["V1", "V3", "V4"], "nationality": ["THA", "MMR", "MMR"],
                            "sex": ["F", "F", "M"], "birth_date": [D(2005, 1, 1), None, D(1990, 1, 1)]})
    cases = CASES.assign(exploitation_type=["fishing", "sexual", "fishing"])
    ind = J.indicators(STAGES, scr, asst, comp, officials, persons, cases)
    tot = ind[ind["dimension"] == ""].set_index(["indicator", "year"])["value"]
    assert tot[("investigations", 2020)] == 2 and tot[("investigations", 2021)] == 1
    assert tot[("prosecutions", 2020)] == 2 and tot[("officials_prosecuted", 2020)] == 1
    assert tot[("convictions", 2021)] == 1 and tot[("acquittals", 2021)] == 1
    assert tot[("sentence_months_median", 2021)] == 60.0 and pd.isna(tot[("sentence_months_median", 2020)])
    assert tot[("victims_identified", 2021)] == 2  # V4 twice in 2021 counts once
    assert tot[("compensation_awarded", 2021)] == 150.0 and tot[("compensation_paid", 2021)] == 40.0
    by = ind[(ind["indicator"] == "victims_identified") & (ind["year"] == 2020) & (ind["dimension"] != "")]
    assert by.set_index(["dimension", "group"])["value"].to_dict() == {
        ("nationality", "THA"): 1, ("sex", "F"): 1, ("age_group", "child"): 1, ("exploitation_type", "fishing"): 1}
    ch = J.with_change(ind)
    inv = ch[(ch["indicator"] == "investigations") & (ch["dimension"] == "")].set_index("year")
    assert inv.loc[2020, "change"] is None and inv.loc[2021, "change"] == -1 and inv.loc[2021, "change_pct"] == -50
    # a breakdown group missing in a year counts 0 there
    mmr = ch[(ch["indicator"] == "victims_identified") & (ch["group"] == "MMR")].set_index("year")
    assert mmr.loc[2020, "value"] == 0 and mmr.loc[2021, "change"] == 2


def test_viewers_get_published_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    from views import disclosure as sdc
    from views import justice as vj

    monkeypatch.setattr(sdc, "disclosure_key", lambda home=None: b"k" * 32)
    viewer = Scope(None, "v", "viewer")  # type: ignore[arg-type]
    inv = Scope(None, "i", "investigator")  # type: ignore[arg-type]
    few, many = [f"P{i}" for i in range(3)], [f"P{i}" for i in range(40)]
    assert vj._pub(inv, "x", few) == 3 and vj._pub(inv, "x", many) == 40
    assert vj._pub(viewer, "x", few) is None and vj._pub(viewer, "x", []) == 0
    v = vj._pub(viewer, "x", many)
    assert v is not None and abs(v - 40) <= 2 and v == vj._pub(viewer, "x", reversed(many))  # same set, same value
