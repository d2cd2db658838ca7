"""Entity resolution: the comparison levels added for cross-script records (house numbers,
birth-date typos) and entities as match components cut at conflicting pairs.

Small hand-made records with known answers (fewer than ``min_train``, so the parameters are
the ones learned once on generated records, :func:`analytics.resolution.prior_model`).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analytics import resolution as res


def _levels(pairs: pd.DataFrame, left: str, right: str) -> dict[str, str]:
    row = pairs[(pairs["id_left"] == left) & (pairs["id_right"] == right)]
    assert len(row) == 1, (left, right, pairs[["id_left", "id_right"]].values.tolist())
    return {lv["field"]: lv["level"] for lv in row.iloc[0]["levels"]}


def _records(**cols: list[Any]) -> pd.DataFrame:
    n = len(cols["id"])
    base: dict[str, list[Any]] = {c: [None] * n for c in res.CANONICAL_COLUMNS}
    base.update(cols)
    return pd.DataFrame(base)


def test_house_numbers_key_thai_and_latin_addresses_together() -> None:
    recs = _records(id=["a", "b", "c", "d"],
                    full_name=["Unchalee Kaeomani", "อัญชลี แก้วมณี", "Malee Srisuk", "Anan Boonmee"],
                    address=["399/13 Phahonyothin Road Bangkok", "399/13 ถนนพหลโยธิน กรุงเทพมหานคร", "13/399 Soi Wat Mai",
                             "399 Phahonyothin Road Ranong"])
    f = res.comparison_frame(recs)
    # Thai writes the road as one word and the city is กรุงเทพมหานคร, not "Bangkok": only the
    # house and unit numbers meet the Latin address
    assert f.loc[0, "house"] == f.loc[1, "house"] == f.loc[0, "b_house"] == "13 399"
    assert f.loc[2, "house"] == "13 399"  # the same two numbers in the other order
    assert pd.isna(f.loc[3, "house"])  # one number alone is too common to key on
    pairs = res.find_duplicates(recs, min_score=0)
    assert _levels(pairs, "a", "b")["address"] == "same house and unit number"
    # the Latin names do not meet the Thai ones (อัญชลี romanises as "anchali"): the pair was
    # compared because the house numbers are a blocking key
    assert _levels(pairs, "a", "b")["name"] != "same name"


def test_birth_date_typo_levels() -> None:
    recs = _records(
        id=["a1", "a2", "b1", "b2", "c1", "c2", "d1", "d2", "e1", "e2"],
        full_name=["Somchai Jaidee"] * 2 + ["Malee Srisuk"] * 2 + ["Anan Boonmee"] * 2
        + ["Prasert Wongsawat"] * 2 + ["Kanya Thongdee"] * 2,
        birth_date=["1990-03-15", "15/03/2533",  # Buddhist era, same date
                    "1971-07-02", "1971-07-12",  # day typo (one digit)
                    "1985-11-20", "1985-11-04",  # same year and month, day far off
                    "1979-09-09", "1980-09-09",  # year typo, same day and month
                    "1966-05-08", "1976-05-08"])  # decade digit: one digit apart, ten years
    pairs = res.find_duplicates(recs, min_score=0)
    assert _levels(pairs, "a1", "a2")["dob"] == "same birth date"
    assert _levels(pairs, "b1", "b2")["dob"] == "birth day one digit apart"
    assert _levels(pairs, "c1", "c2")["dob"] == "same birth year and month"
    assert _levels(pairs, "d1", "d2")["dob"] == "same birth day and month, year 1 apart"
    assert _levels(pairs, "e1", "e2")["dob"] == "birth date one digit apart"
    w = pairs.attrs["model"].weights()["dob"]
    # learned, not set: a day typo within the month is stronger evidence than a decade typo
    assert w["birth day one digit apart"] > w["birth date one digit apart"]
    assert w["same birth day and month, year 1 apart"] > w["birth years at most 1 apart"]


CHAIN = _records(
    id=["a", "b", "c", "d", "e"],
    full_name=["Somchai Jaidee", "สมชาย ใจดี", "Somchay Chaidee", "Malee Srisuk", "Anan Boonmee"],
    birth_date=[None, "15/03/2533", "1990-03-15", "1971-07-02", "1985-01-01"],
    phone=["081-234-5678", "+66812345678", None, None, None],
    address=[None, "12/3 ถนนสุขุมวิท กรุงเทพมหานคร", "12/3 Sukhumvit Road Bangkok", None, None],
    sex=["M", "M", "M", "F", "M"],
)


def test_a_record_joins_its_entity_through_a_third_record() -> None:
    pairs, ents = res.resolve_entities(CHAIN, min_score=0)
    # a and c share only the name (a has no birth date or address, c no phone): inconclusive
    # alone, but a matches b on the phone and b matches c on birth date and house number
    assert not pairs.loc[(pairs["id_left"] == "a") & (pairs["id_right"] == "c"), "is_match"].any()
    assert ents.values.tolist() == [["a", "a"], ["b", "a"], ["c", "a"]]
    # the pairs alone are what find_duplicates returns
    pd.testing.assert_frame_equal(pairs[["id_left", "id_right", "is_match"]],
                                  res.find_duplicates(CHAIN, min_score=0)[["id_left", "id_right", "is_match"]])


def test_an_entity_never_holds_records_that_contradict_each_other() -> None:
    recs = CHAIN.copy()
    recs["id_number"] = ["3100500123452", None, "3100500999991", None, None]  # a and c: two different IDs
    pairs, ents = res.resolve_entities(recs, min_score=0)
    ac = pairs[(pairs["id_left"] == "a") & (pairs["id_right"] == "c")].iloc[0]
    prior = pairs.attrs["model"].prior
    assert ac["weight"] - math.log2(prior / (1 - prior)) < math.log2(res.CONFLICT_ODDS)
    matched = set(map(tuple, pairs.loc[pairs["is_match"], ["id_left", "id_right"]].to_numpy()))
    assert {("a", "b"), ("b", "c")} <= matched  # both matches stand as pairs for review ...
    # ... but the entity is cut at the weaker one (a–b: a phone and a name; b–c: birth date,
    # house number and name), so a and c are never one person
    assert ents.values.tolist() == [["b", "b"], ["c", "b"]]
    # with the probability check off, the ID disagreement alone (a field at CONFLICT_WEIGHT) still cuts
    _, loose = res.resolve_entities(recs, min_score=0, conflict=0.0)
    assert len(loose) == 2


def test_no_matches_no_entities() -> None:
    recs = _records(id=["a", "b"], full_name=["Somchai Jaidee", "Malee Srisuk"])
    pairs, ents = res.resolve_entities(recs)
    assert ents.empty and list(ents.columns) == ["id", "entity"]
    assert not pairs["is_match"].any() if len(pairs) else True
