"""Entity resolution: the comparison levels added for cross-script records (house numbers,
birth-date typos) and entities as match components cut at conflicting pairs.

Small hand-made records with known answers (fewer than ``min_train``, so the parameters are
the ones learned once on generated records, :func:`analytics.resolution.prior_model`).
"""

from __future__ import annotations

import copy
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


def test_a_pair_that_only_shares_a_name_is_no_conflict_however_big_the_file() -> None:
    # in a file of millions a random pair is almost never one person: the same model with a
    # prior of 10^-6 puts a–c (only the name to compare) far below 1 % ...
    model = copy.deepcopy(res.prior_model())
    model.settings["probability_two_random_records_match"] = 1e-6
    pairs, ents = res.resolve_entities(CHAIN, min_score=0, model=model)
    ac = pairs[(pairs["id_left"] == "a") & (pairs["id_right"] == "c")].iloc[0]
    assert ac["score"] < 0.01
    # ... but what the two records say is for, not against (Bayes factor > 1): no conflict
    assert ac["weight"] - math.log2(1e-6 / (1 - 1e-6)) > 0
    assert ents.values.tolist() == [["a", "a"], ["b", "a"], ["c", "a"]]


def test_an_entity_never_holds_records_that_contradict_each_other() -> None:
    recs = CHAIN.copy()
    recs["id_number"] = ["3100500123452", None, "3100500999991", None, None]  # a and c: two different IDs
    pairs, ents = res.resolve_entities(recs, min_score=0)
    ac = pairs[(pairs["id_left"] == "a") & (pairs["id_right"] == "c")].iloc[0]
    id_level = next(lv for lv in ac["levels"] if lv["field"] == "id_number")
    assert id_level["level"] == "ID numbers differ" and id_level["weight"] <= res.CONFLICT_WEIGHT
    matched = set(map(tuple, pairs.loc[pairs["is_match"], ["id_left", "id_right"]].to_numpy()))
    assert {("a", "b"), ("b", "c")} <= matched  # both matches stand as pairs for review ...
    # ... but the entity is cut at the weaker one (a–b: a phone and a name; b–c: birth date,
    # house number and name), so a and c are never one person
    assert ents.values.tolist() == [["b", "b"], ["c", "b"]]
    # with the Bayes-factor check off, the ID disagreement alone (at CONFLICT_WEIGHT) still cuts
    _, loose = res.resolve_entities(recs, min_score=0, conflict=0.0)
    assert len(loose) == 2


def test_no_matches_no_entities() -> None:
    recs = _records(id=["a", "b"], full_name=["Somchai Jaidee", "Malee Srisuk"])
    pairs, ents = res.resolve_entities(recs)
    assert ents.empty and list(ents.columns) == ["id", "entity"]
    assert not pairs["is_match"].any() if len(pairs) else True


def test_names_without_a_family_part_have_their_own_levels() -> None:
    # Myanmar names have no family name: compared whole, a Jaro–Winkler point says less than on
    # each of two parts, so they get levels (and weights) of their own
    recs = _records(id=["m1", "m2", "t1", "t2"],
                    full_name=["Khin Maung Win", "Khin Maung Wint", "Somchai Jaidee", "Somchat Jaidee"],
                    nationality=["MMR", "MMR", "THA", "THA"], birth_date=["1990-01-02"] * 4)
    pairs = res.find_duplicates(recs, min_score=0)
    assert _levels(pairs, "m1", "m2")["name"] == "single names nearly equal"
    assert _levels(pairs, "t1", "t2")["name"] == "name parts nearly equal"
    w = pairs.attrs["model"].weights()["name"]
    assert w["name parts nearly equal"] > w["single names nearly equal"] > 0


def _weights(pairs: pd.DataFrame, left: str, right: str) -> dict[str, tuple[str, float]]:
    row = pairs[(pairs["id_left"] == left) & (pairs["id_right"] == right)].iloc[0]
    return {lv["field"]: (lv["level"], lv["weight"]) for lv in row["levels"]}


def test_what_a_name_implies_is_not_counted_again() -> None:
    recs = _records(
        id=["a", "b", "c", "d", "e", "f", "g", "h"],
        full_name=["Somchai Jaidee", "Somchai Jaidee",  # namesakes or one person: only the name
                   "Anan Boonmee", "Malee Srisuk",  # different names, one phone
                   "Somchai Thongdee", "Malee Thongdee",  # one family: family name, home, phone
                   "Somchai Jaidee", "Somchay Jaidee"],  # one person: alike names, one home
        sex=["M", "M", "M", "M", "M", "M", "M", "M"], nationality=["THA"] * 8,
        phone=[None, None, "0812345678", "+66812345678", "0899999999", "0899999999", None, None],
        address=[None, None, None, None, "12/3 Sukhumvit Road Bangkok", "12/3 Sukhumvit Road Bangkok",
                 "45/6 Rama IV Road Bangkok", "45/6 Rama IV Road Bangkok"])
    pairs = res.find_duplicates(recs, min_score=0)
    ab = _weights(pairs, "a", "b")
    # a Thai given name tells the sex and the nationality: two records with the same name agree
    # on both whether or not they are one person, so the agreement weighs nothing
    assert ab["sex"] == ("unknown", 0.0) and ab["nationality"] == ("unknown", 0.0)
    cd = _weights(pairs, "c", "d")
    assert cd["sex"][0] == "same sex" and cd["sex"][1] > 0  # names that differ imply nothing
    assert cd["nationality"][0] == "same nationality" and cd["nationality"][1] > 0
    # a shared home and phone between a family name alike and given names unlike: a household
    ef = _weights(pairs, "e", "f")
    assert ef["name"][0] == "one name part the same, the other different"
    assert ef["address"] == ("unknown", 0.0) and ef["phone"] == ("unknown", 0.0)
    assert not pairs.loc[(pairs["id_left"] == "e") & (pairs["id_right"] == "f"), "is_match"].any()
    # ... but one home is evidence for records whose names are alike
    gh = _weights(pairs, "g", "h")
    assert gh["address"][0] == "same address" and gh["address"][1] > 5


def test_the_prior_uses_the_recall_the_learned_model_gives_its_rules() -> None:
    settings = {"comparisons": [
        {"output_column_name": f, "comparison_levels": [{"is_null_level": True}, {"m_probability": m}]}
        for f, m in (("id_number", 0.9), ("name", 0.8), ("dob", 0.5))]}
    frame = pd.DataFrame({"id_number": ["1", None, "2", None], "name": ["a", "b", "c", "d"],
                          "dob": ["x", "y", "z", "w"]})
    # a same ID: both filled (0.5 ** 2) and equal (0.9); same name and birth date: 0.8 * 0.5
    expected = 1 - (1 - 0.25 * 0.9) * (1 - 0.8 * 0.5)
    assert math.isclose(res._rules_recall(settings, frame, [("id_number",), ("name", "dob")]), expected)
    assert math.isclose(res._rules_recall(settings, frame, [("name", "dob")]), 0.4)


def test_a_level_no_random_pair_reaches_gets_the_u_of_one_pair_in_the_sample() -> None:
    from analytics.synthetic import synthetic_records

    recs = synthetic_records(1500, seed=4)
    # every person has an address of their own (no relatives under one roof), written on their
    # first record only: no pair of records (random pairs include true ones) shares an address
    person = recs["person"].str.slice(1).astype(int)
    first = ~recs["person"].duplicated()
    recs["address"] = [f"{p % 400 + 1}/{p // 400 + 1} Road {p}" if f else None
                       for p, f in zip(person, first, strict=True)]
    pairs = res.find_duplicates(recs, min_score=0.5)
    model = pairs.attrs["model"]
    comp = next(c for c in model.settings["comparisons"] if c["output_column_name"] == "address")
    same = next(lv for lv in comp["comparison_levels"] if not lv.get("is_null_level"))
    filled = recs["address"].notna().mean()
    # Splink would have left it at its starting 0.01 (a weight of about 5 bits)
    assert math.isclose(same["u_probability"], 1 / (res.U_MAX_PAIRS * filled * filled), rel_tol=1e-6)
    assert model.weights()["address"]["same address"] > 15
