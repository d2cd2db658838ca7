"""Cross-agency entity resolution of person records (Thai, Lao, Myanmar, Khmer and Latin script).

A Fellegi–Sunter model whose weights are learned from the very records being
linked, by expectation maximisation, with Splink on DuckDB (in-process, local):

1. **prepare** each record once (:func:`analytics.resolution_features.prepare`):
   names romanised (:mod:`analytics.transliterate`) and phonetically keyed,
   Buddhist-era birth years converted, IDs and phones reduced to digits; then
   :func:`comparison_frame` lays them out as the columns Splink compares;
2. **block**: records sharing one of the keys of :data:`BLOCKING_KEYS` are
   compared (keyed given+family name skeletons, the sorted name skeletons, a
   name token with the birth year or with day+month, the ID number, the
   phone, the house and unit number of the address).  A key shared by more
   than ``max_block`` records is dropped for that rule, so the number of
   comparisons grows about linearly;
3. **compare** each pair on the levels of :data:`COMPARISONS` (name, birth
   date, ID, phone, sex, nationality, address), from most to least alike:
   names whole and part by part (given against family either way round, so
   one shared part does not make two names alike), birth dates with the
   typos agencies make (day/month swapped, a day digit, the year), addresses
   whole, by words, or by house number (a Thai and a Latin address share
   little else);
4. **learn** from the data: the probability that two random records match
   (from near-certain rules), *u* (how often non-matches agree on each level)
   from random record pairs, and *m* (how often true matches agree) by EM on
   the pairs sharing an ID number and on those sharing a birth date; exact
   name agreement is weighted by how common the name is in these records
   (term frequencies).  With fewer than ``min_train`` records there is not
   enough to learn from: the model learned once on generated records
   (:func:`prior_model`) is used instead, without term frequencies;
5. **score**: a pair's *match weight* is the sum of its levels' weights
   (log2 Bayes factors, shown per field as the features that drove the score)
   plus the prior; *score* is the match probability; ``is_match`` at
   probability ≥ ``threshold`` (0.5: a match is more likely than not);
6. **entities** (:func:`resolve_entities`): connected components of the
   matches, so that records that share too little to match directly join
   through a third; a component holding two records that by their own
   comparison are different people is cut at its weakest match;
7. a person **judges** each candidate (:mod:`graph.resolution`, append-only);
   :func:`clusters` turns accepted judgements into entities.

References
----------
Fellegi, I. P., & Sunter, A. B. (1969). A theory for record linkage. *JASA* 64(328), 1183–1210.
https://doi.org/10.1080/01621459.1969.10501049
Winkler, W. E. (1988). Using the EM algorithm for weight computation in the Fellegi–Sunter
model of record linkage. *Proc. Section on Survey Research Methods*, ASA, 667–671.
Linacre, R. et al. (2022). Splink: free software for probabilistic record linkage at scale.
*International Journal of Population Data Science* 7(3). https://doi.org/10.23889/ijpds.v7i3.1794
"""

from __future__ import annotations

import copy
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from analytics.resolution_features import CANONICAL_COLUMNS, Prepared, prepare
from analytics.synthetic import synthetic_records, true_pairs
from analytics.transliterate import phonetic_key, romanise, skeleton

__all__ = [
    "CANONICAL_COLUMNS",
    "COMPARISONS",
    "BLOCKING_KEYS",
    "Level",
    "LinkageModel",
    "comparison_frame",
    "train",
    "prior_model",
    "find_duplicates",
    "resolve_entities",
    "CONFLICT_ODDS",
    "explain_levels",
    "clusters",
    # generated records live in analytics.synthetic; importable from here for the bench
    "synthetic_records",
    "true_pairs",
]

_LOG = logging.getLogger(__name__)


# ------------------------------------------------------------ comparisons
@dataclass(frozen=True)
class Level:
    """One comparison level: plain-language label, SQL condition (``_l``/``_r`` columns) and
    the starting m/u probabilities EM refines."""

    label: str
    sql: str
    m: float
    u: float


_NAME_JW = ("greatest(jaro_winkler_similarity(joined_l, joined_r), "
            "jaro_winkler_similarity(sorted_joined_l, sorted_joined_r))")
#: given and family name compared part by part (either way round): the least similar part
#: counts, so one shared part cannot make two names similar; names without a family part
#: (Myanmar) compare whole
_TWO_PARTS = "given_l IS NOT NULL AND given_r IS NOT NULL AND family_l IS NOT NULL AND family_r IS NOT NULL"
_PART_SIM = ("greatest("
             "least(jaro_winkler_similarity(given_l, given_r), jaro_winkler_similarity(family_l, family_r)), "
             "least(jaro_winkler_similarity(given_l, family_r), jaro_winkler_similarity(family_l, given_r)))")
_ONE_PART = "given_l = given_r OR family_l = family_r OR given_l = family_r OR family_l = given_r"
_ADDR_WORDS = ("len(list_intersect(str_split(address_l, ' '), str_split(address_r, ' '))) * 2 >= "
               "greatest(len(str_split(address_l, ' ')), len(str_split(address_r, ' ')))")

#: field → levels, most alike first; the last is "everything else" (``ELSE``).
COMPARISONS: dict[str, tuple[Level, ...]] = {
    "name": (
        Level("same name", "name_l = name_r", 0.75, 0.0002),
        Level("same letters, spaced differently", "joined_l = joined_r OR sorted_joined_l = sorted_joined_r",
              0.01, 0.00001),
        Level("name parts nearly equal", f"{_TWO_PARTS} AND {_PART_SIM} >= 0.92", 0.1, 0.0001),
        Level("single names nearly equal", f"NOT ({_TWO_PARTS}) AND {_NAME_JW} >= 0.92", 0.05, 0.0005),
        Level("name parts similar", f"{_TWO_PARTS} AND {_PART_SIM} >= 0.8", 0.06, 0.001),
        Level("single names similar", f"NOT ({_TWO_PARTS}) AND {_NAME_JW} >= 0.8", 0.03, 0.005),
        Level("names similar", f"{_NAME_JW} >= 0.88", 0.02, 0.002),
        Level("one name part the same, the other different", _ONE_PART, 0.01, 0.01),
        Level("names somewhat similar", f"{_NAME_JW} >= 0.75", 0.04, 0.02),
        Level("names differ", "ELSE", 0.01, 0.96),
    ),
    "dob": (
        Level("same birth date", "dob_l = dob_r", 0.85, 0.0002),
        Level("birth date day/month swapped", "dob_year_l = dob_year_r AND dob_md_l = dob_md_r", 0.03, 0.00003),
        Level("birth day one digit apart", "substr(dob_l, 1, 7) = substr(dob_r, 1, 7) "
              "AND levenshtein(dob_l, dob_r) <= 1", 0.05, 0.001),
        Level("same birth year and month", "substr(dob_l, 1, 7) = substr(dob_r, 1, 7)", 0.02, 0.005),
        Level("same birth day and month, year 1 apart", "substr(dob_l, 6, 5) = substr(dob_r, 6, 5) "
              "AND abs(dob_year_l - dob_year_r) <= 1", 0.03, 0.0002),
        Level("birth date one digit apart", "levenshtein(dob_l, dob_r) <= 1", 0.01, 0.001),
        Level("birth years at most 1 apart", "abs(dob_year_l - dob_year_r) <= 1", 0.04, 0.06),
        Level("birth dates differ", "ELSE", 0.02, 0.94),
    ),
    "id_number": (
        Level("same ID number", "id_number_l = id_number_r", 0.95, 0.00005),
        Level("ID number 1–2 characters apart", "damerau_levenshtein(id_number_l, id_number_r) <= 2", 0.04, 0.00001),
        Level("ID numbers differ", "ELSE", 0.01, 0.99995),
    ),
    "phone": (
        Level("same phone", "phone_l = phone_r", 0.7, 0.0001),
        Level("phones differ", "ELSE", 0.3, 0.9999),
    ),
    "sex": (
        Level("same sex", "sex_l = sex_r", 0.97, 0.5),
        Level("sex differs", "ELSE", 0.03, 0.5),
    ),
    "nationality": (
        Level("same nationality", "nationality_l = nationality_r", 0.97, 0.4),
        Level("nationalities differ", "ELSE", 0.03, 0.6),
    ),
    "address": (
        Level("same address", "address_l = address_r", 0.4, 0.01),
        Level("same house and unit number, half the words shared", f"house_l = house_r AND {_ADDR_WORDS}",
              0.1, 0.0005),
        Level("same house and unit number", "house_l = house_r", 0.1, 0.001),
        Level("half the address words shared", _ADDR_WORDS, 0.1, 0.1),
        Level("addresses differ", "ELSE", 0.5, 0.89),
    ),
}
#: names alike enough (the first five name levels) that they tell the sex and nationality
_NAMES_ALIKE = ("name_l = name_r OR skeleton_l = skeleton_r OR "
                "jaro_winkler_similarity(sorted_joined_l, sorted_joined_r) >= 0.88")
#: fields a name largely determines (given names are gendered, and Thai, Lao, Khmer and Myanmar
#: names tell the nationality): two records with alike names agree on them whether or not they
#: are one person, so that agreement is no evidence (weight 0, like a missing value) — counted as
#: independent it would add ≈ 3 bits to every pair of namesakes.  A disagreement still counts.
#: Likewise a household's address and phone: two records sharing one name part exactly (the family
#: name) whose other part is not even similar are, when they share an address or a phone, a family
#: living together as often as one person (in the agencies' files as in the census), so the
#: agreement is no evidence there; it still is for every other pair, and a disagreement always is.
_HOUSEHOLD = f"({_TWO_PARTS}) AND ({_ONE_PART}) AND {_PART_SIM} < 0.8"
#: field → (agreement, condition under which that agreement is not evidence, words for it)
_NOT_EVIDENCE = {
    "sex": ("sex_l = sex_r", _NAMES_ALIKE, "and implied by the name"),
    "nationality": ("nationality_l = nationality_r", _NAMES_ALIKE, "and implied by the name"),
    "address": (f"address_l = address_r OR house_l = house_r OR {_ADDR_WORDS}", _HOUSEHOLD,
                "in one family (one name part the same, the other different)"),
    "phone": ("phone_l = phone_r", _HOUSEHOLD, "in one family (one name part the same, the other different)"),
}
#: the column whose missing value makes a field's comparison "unknown" (weight 0)
_NULL_COLUMN = {"name": "name", "dob": "dob", "id_number": "id_number", "phone": "phone", "sex": "sex",
                "nationality": "nationality", "address": "address"}
#: words used in reasons and on the review page for each field
FIELD_LABELS = {"name": "name", "dob": "birth date", "id_number": "ID number", "phone": "phone", "sex": "sex",
                "nationality": "nationality", "address": "address"}

#: blocking rules: each is a key computed per record (see :func:`comparison_frame`)
BLOCKING_KEYS = ("b_given_family", "b_name", "b_first_year", "b_last_year", "b_first_md", "b_id", "b_phone",
                 "b_house")
#: pairs of random records sampled to estimate u; pairs EM samples from its blocks on big files
U_MAX_PAIRS = 1e6
EM_MAX_PAIRS = 2e6
#: EM is run on the pairs sharing these (each trains every other field's m)
_EM_RULES = (("id_number",), ("dob",))


# --------------------------------------------------------------- records
_ADDR_SPLIT = re.compile(r"[\s,;/()#-]+")


@lru_cache(maxsize=200_000)
def _address_words(text: str) -> str:
    """Address words romanised and keyed, house numbers kept (``"12/3 ถนนสุขุมวิท"`` →
    ``"12 3 tanonsukumwit"``), sorted."""
    words = []
    for tok in _ADDR_SPLIT.split(text.strip().lower()):
        if not tok:
            continue
        if tok.isdigit():
            words.append(tok.lstrip("0") or "0")
        else:
            key = phonetic_key(romanise(tok)).replace(" ", "")
            if len(key) > 1:
                words.append(key)
    return " ".join(sorted(set(words)))


def _house_numbers(words: str | None) -> str | None:
    """The numbers of an :func:`_address_words` text (house and unit number, in any script's
    address: ``"12 3 tanonsukumwit"`` → ``"12 3"``), when it has at least two."""
    if not words:
        return None
    nums = [w for w in words.split() if w.isdigit()]
    return " ".join(nums) if len(nums) >= 2 else None


def _row(i: int, p: Prepared, address: Any = None) -> dict[str, Any]:
    toks = list(p.tokens)
    srt = sorted(toks)
    b = p.birth
    year = b.year if b else None
    md = f"{min(b.month, b.day):02d}{max(b.month, b.day):02d}" if b else None
    sk = [skeleton(t) for t in toks]
    first = sk[0] if sk else None
    last = sk[-1] if len(sk) > 1 else None
    addr = (_address_words(str(address)) or None) if isinstance(address, str) and address.strip() else None
    return {
        "unique_id": i,
        "name": " ".join(srt) or None,
        "joined": "".join(toks) or None,
        "sorted_joined": "".join(srt) or None,
        "given": p.given or None,
        "family": p.family or None,
        "script": p.script,
        "dob": b.isoformat() if b else None,
        "dob_year": year,
        "dob_md": md,
        "id_number": p.id_number or None,
        "phone": p.phone[-9:] if p.phone else None,
        "sex": p.sex or None,
        "nationality": p.nationality or None,
        "address": addr,
        "b_given_family": f"{skeleton(p.given)}|{skeleton(p.family)}" if p.given and p.family else None,
        "skeleton": "".join(sorted(sk)) or None,
        "b_name": "".join(sorted(sk)) or None,
        "b_first_year": f"{first}|{year}" if first and year else None,
        "b_last_year": f"{last}|{year}" if last and year else None,
        "b_first_md": f"{first}|{md}" if first and md else None,
        "b_id": p.id_number if len(p.id_number) >= 6 else None,
        "b_phone": p.phone[-9:] if p.phone else None,
        "house": _house_numbers(addr),
        "b_house": _house_numbers(addr),
    }


def comparison_frame(records: pd.DataFrame, use_dictionary: bool = True, max_block: int = 100) -> pd.DataFrame:
    """One row per record with the columns Splink compares and blocks on (``unique_id`` is the
    row position in ``records``).  Blocking keys shared by more than ``max_block`` records
    are set to missing (such a block would compare every record with every other).

    Examples
    --------
    >>> f = comparison_frame(pd.DataFrame({"id": ["a", "b"], "full_name": ["สมชาย ใจดี", "Somchay Chaidee"],
    ...                                    "birth_date": ["15/03/2533", "1990-03-15"]}))
    >>> f[["name", "dob", "b_given_family"]].values.tolist()
    [['caidi somcai', '1990-03-15', 'smc|cd'], ['caidi somcai', '1990-03-15', 'smc|cd']]
    """
    cols = [c for c in (*CANONICAL_COLUMNS, "full_name_latin") if c in records.columns]
    rows = [_row(i, prepare(r, use_dictionary), r.get("address"))
            for i, r in enumerate(records[cols].to_dict("records"))]
    frame = pd.DataFrame(rows, columns=list(_row(0, Prepared(id="")).keys()))
    frame["dob_year"] = frame["dob_year"].astype("Int64")
    for key in BLOCKING_KEYS:
        counts = frame[key].map(frame[key].value_counts())
        frame.loc[counts > max_block, key] = None
    return frame


# ------------------------------------------------------------------ model
def _settings(tf: bool) -> Any:
    import splink.comparison_level_library as cll
    from splink import SettingsCreator, block_on
    from splink.comparison_library import CustomComparison

    comparisons: list[Any] = []
    for field, levels in COMPARISONS.items():
        col = _NULL_COLUMN[field]
        if field in _NOT_EVIDENCE:
            agree, when, why = _NOT_EVIDENCE[field]
            lv: list[Any] = [cll.CustomLevel(
                f"{col}_l IS NULL OR {col}_r IS NULL OR (({agree}) AND ({when}))",
                f"{col} missing, or the same {why}").configure(is_null_level=True)]
        else:
            lv = [cll.NullLevel(col)]
        for k, level in enumerate(levels):
            if level.sql == "ELSE":
                made: Any = cll.ElseLevel()
            elif field == "name" and k == 0:
                made = cll.ExactMatchLevel("name", term_frequency_adjustments=tf)
            else:
                made = cll.CustomLevel(level.sql, level.label)
            lv.append(made.configure(m_probability=level.m, u_probability=level.u))
        comparisons.append(CustomComparison(lv, output_column_name=field))
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(k) for k in BLOCKING_KEYS],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=["script"],
        max_iterations=20,
        probability_two_random_records_match=1e-4,
    )


@dataclass
class LinkageModel:
    """A Splink model (its settings with learned parameters) and how it was obtained."""

    settings: dict[str, Any]
    learned_from: str  # "these records" or "generated records (prior)"
    records: int

    def weights(self) -> dict[str, dict[str, float]]:
        """Field → level label → match weight (log2 m/u) of this model."""
        out: dict[str, dict[str, float]] = {}
        for comp in self.settings["comparisons"]:
            levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
            labels = [lv.label for lv in COMPARISONS[comp["output_column_name"]]]
            out[comp["output_column_name"]] = {
                lab: round(math.log2(lv["m_probability"] / lv["u_probability"]), 2)
                for lab, lv in zip(labels, levels, strict=True)
                if lv.get("m_probability") and lv.get("u_probability")}
        return out

    @property
    def prior(self) -> float:
        """Probability that two random records are the same person."""
        return float(self.settings["probability_two_random_records_match"])


#: DuckDB's memory limit: beyond it DuckDB spills to its temporary directory instead of growing
DUCKDB_MEMORY = "2GB"


def _linker(frame: pd.DataFrame, settings: Any) -> Any:
    import tempfile

    import duckdb
    from splink import DuckDBAPI, Linker

    con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY, "temp_directory": tempfile.gettempdir()})
    db = DuckDBAPI(connection=con)
    return Linker(db.register(frame), settings, log_level=logging.ERROR)


def _quiet() -> Any:
    import contextlib
    import warnings

    stack = contextlib.ExitStack()
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    for name in ("splink", "splink.internals"):
        lg = logging.getLogger(name)
        old = lg.level
        lg.setLevel(logging.ERROR)
        stack.callback(lg.setLevel, old)
    return stack


def train(frame: pd.DataFrame, seed: int = 0, tf: bool = True) -> tuple[Any, LinkageModel]:
    """Learn the model's parameters from ``frame`` (a :func:`comparison_frame`) by random
    sampling (u) and EM (m); returns the linker and its :class:`LinkageModel`."""
    from splink import block_on
    from splink.internals.exceptions import EMTrainingException

    with _quiet():
        linker = _linker(frame, _settings(tf))
        used = [r for r in _PRIOR_RULES if frame[r[0]].notna().sum() > 1]
        rules = [block_on(*r) for r in used]
        if rules:  # a starting value for EM; re-estimated below with the recall EM implies
            try:
                linker.training.estimate_probability_two_random_records_match(rules, recall=0.7)
            except Exception as exc:  # noqa: BLE001 - too few pairs: keep the starting value
                _LOG.info("prior not estimated: %s", exc)
        linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
        _fill_unobserved_u(linker, frame)
        good = linker.misc.save_model_to_json()
        for cols in _EM_RULES:
            if any(frame[c].notna().sum() < 2 for c in cols):
                continue
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*cols), max_pairs=EM_MAX_PAIRS if len(frame) > 50_000 else None)
                good = linker.misc.save_model_to_json()
            except (EMTrainingException, ValueError) as exc:
                # too few pairs, or an m driven to 0 (underflow): keep the last good parameters
                _LOG.info("EM on %s skipped: %s", cols, exc)
                linker = _linker(frame, copy.deepcopy(_floor_m(good)))
        settings = _floor_m(linker.misc.save_model_to_json())
        linker = _linker(frame, copy.deepcopy(settings))
        if rules:
            try:
                linker.training.estimate_probability_two_random_records_match(
                    rules, recall=_rules_recall(settings, frame, used))
                settings = linker.misc.save_model_to_json()
            except Exception as exc:  # noqa: BLE001 - too few pairs: keep the first estimate
                _LOG.info("prior not re-estimated: %s", exc)
    return linker, LinkageModel(settings, "these records", len(frame))


#: near-certain rules whose pairs (and their recall) estimate the prior
_PRIOR_RULES = (("id_number",), ("name", "dob"))


def _rules_recall(settings: dict[str, Any], frame: pd.DataFrame, rules: Sequence[tuple[str, ...]]) -> float:
    """The share of true pairs that ``rules`` find, as the learned model sees it: a rule on
    columns ``c`` finds a match when every ``c`` is filled in on both records (fill rate
    squared) and agrees exactly (the *m* of the field's first level); the rules are taken
    as independent.  It replaces a guessed recall (0.7; on generated records the truth is
    0.62) in the estimate of the prior, which shifts every weight."""
    first_m = {}
    for comp in settings["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        first_m[comp["output_column_name"]] = float(levels[0].get("m_probability") or 0.0)
    miss = 1.0
    for cols in rules:
        found = 1.0
        for c in cols:
            filled = float(frame[c].notna().mean())
            found *= filled * filled * first_m[c]  # the rules' columns are fields of the same name
        miss *= 1.0 - found
    return min(max(1.0 - miss, 0.05), 1.0)


def _fill_unobserved_u(linker: Any, frame: pd.DataFrame) -> None:
    """Give each level that no random pair reached the u of one pair in the sample.

    Splink leaves such a level at its starting u (e.g. 0.01 for "same address"), which on a
    big file is far more than the truth: two random records of 10^5 almost never share a
    full address.  Less than one of the ``n`` sampled pairs with the field filled in on both
    sides reached it, so ``u = 1/n`` is the cautious estimate (it can only understate the
    level's weight)."""
    from splink.internals.constants import LEVEL_NOT_OBSERVED_TEXT

    pairs = min(U_MAX_PAIRS, len(frame) * (len(frame) - 1) / 2)
    for comp in linker._settings_obj.comparisons:  # noqa: SLF001 - Splink keeps "not observed" only here
        field = comp.output_column_name
        filled = float(frame[_NULL_COLUMN[field]].notna().mean())
        n = max(pairs * filled * filled, 1.0)
        for cl in comp._comparison_levels_excluding_null:  # noqa: SLF001
            trained = [r["probability"] for r in cl._trained_u_probabilities]  # noqa: SLF001
            if trained and trained[-1] == LEVEL_NOT_OBSERVED_TEXT:
                cl.u_probability = 1.0 / n


#: smallest m probability kept after EM: a level EM saw no true match reach (a disagreeing
#: nationality, say) still costs at most about log2(1/M_FLOOR) ≈ 10 bits, so one clerical
#: error cannot veto a match that everything else supports
M_FLOOR = 0.001


def _floor_m(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` with every level's m at least :data:`M_FLOOR` (renormalised to sum 1)."""
    settings = copy.deepcopy(settings)
    for comp in settings["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        ms = [max(float(lv.get("m_probability") or 0.0), M_FLOOR) for lv in levels]
        total = sum(ms)
        for lv, m in zip(levels, ms, strict=True):
            lv["m_probability"] = m / total
    return settings


@lru_cache(maxsize=1)
def prior_model() -> LinkageModel:
    """The model learned (once per process, deterministically) on 10,000 generated records;
    used for files too small to learn from.  Term frequencies are left out (they belong to
    the records they were counted on)."""
    recs = synthetic_records(10_000, seed=7)
    _, model = train(comparison_frame(recs), seed=7, tf=False)
    model.learned_from = "generated records (prior)"
    return model


# --------------------------------------------------------------- resolve
def explain_levels(row: pd.Series | dict[str, Any]) -> list[dict[str, Any]]:
    """Per field of a scored pair: the level reached and its weight (log2 Bayes factor,
    term-frequency adjustment included); fields missing on either side have level
    ``unknown`` and weight 0."""
    out = []
    for field, levels in COMPARISONS.items():
        gamma = int(row[f"gamma_{field}"])
        if gamma < 0:
            out.append({"field": field, "level": "unknown", "weight": 0.0})
            continue
        label = levels[len(levels) - 1 - gamma].label
        w = float(row[f"mw_{field}"])
        tf = row.get(f"mw_tf_adj_{field}")
        if tf is not None and not pd.isna(tf):
            w += float(tf)
        out.append({"field": field, "level": label, "weight": round(w, 2)})
    return out


def _explain_frame(pred: pd.DataFrame) -> list[list[dict[str, Any]]]:
    """:func:`explain_levels` of every row of a Splink prediction, column by column."""
    cols = []
    for field, levels in COMPARISONS.items():
        labels = np.array(["unknown"] + [lv.label for lv in reversed(levels)], dtype=object)
        gamma = pred[f"gamma_{field}"].to_numpy(dtype=int)
        w = pred[f"mw_{field}"].to_numpy(dtype=float)
        tf = f"mw_tf_adj_{field}"
        if tf in pred.columns:
            w = w + np.nan_to_num(pred[tf].to_numpy(dtype=float))
        w = np.where(gamma < 0, 0.0, np.round(w, 2))
        cols.append((field, labels[gamma + 1], w))
    return [[{"field": f, "level": str(lab[i]), "weight": float(w[i])} for f, lab, w in cols]
            for i in range(len(pred))]


def _reasons(levels: Sequence[dict[str, Any]], scripts_differ: bool) -> str:
    bits = []
    for lv in sorted(levels, key=lambda d: -abs(d["weight"])):
        if abs(lv["weight"]) < 1 or lv["level"] == "unknown":
            continue
        text = lv["level"] + (" across scripts" if lv["field"] == "name" and scripts_differ
                              and lv["weight"] > 0 else "")
        bits.append(f"{text} ({lv['weight']:+.2f})")
    return "; ".join(bits)


_OUT_COLUMNS = ["id_left", "id_right", "score", "weight", "is_match", "reasons", "levels"]


def find_duplicates(records: pd.DataFrame, threshold: float = 0.5, *, max_block: int = 100,
                    use_dictionary: bool = True, min_train: int = 1000, min_score: float = 0.01,
                    seed: int = 0, model: LinkageModel | None = None) -> pd.DataFrame:
    """Candidate duplicate persons among ``records``.

    Parameters
    ----------
    records : DataFrame
        Canonical columns ``id, given_name, family_name, full_name, birth_date, sex,
        nationality, id_number, phone, address`` (any may be missing or NaN; extra columns
        are ignored, except ``full_name_latin`` used when no other name is given).
    threshold : float
        Match probability at or above which ``is_match`` is true.
    max_block : int
        A blocking key shared by more records is not used (those pairs must meet through
        another key).
    min_train : int
        With fewer records the parameters are not learned but taken from :func:`prior_model`.
    min_score : float
        Pairs scoring below this probability are left out of the result.
    model : LinkageModel, optional
        Use these parameters instead of learning them.

    Returns
    -------
    DataFrame
        ``id_left, id_right, score, weight, is_match, reasons, levels`` (``levels``: the
        list of :func:`explain_levels`), one row per compared pair (``id_left < id_right``)
        scoring at least ``min_score``, highest weight first.  ``attrs["model"]`` is the
        :class:`LinkageModel` used.

    Examples
    --------
    >>> recs = pd.DataFrame({"id": ["a", "b", "c"],
    ...     "full_name": ["สมชาย ใจดี", "Somchay Chaidee", "Malee Srisuk"],
    ...     "birth_date": ["15/03/2533", "1990-03-15", "1971-07-02"],
    ...     "phone": ["081-234-5678", "+66812345678", None]})
    >>> df = find_duplicates(recs)
    >>> df[["id_left", "id_right", "is_match"]].values.tolist()
    [['a', 'b', True]]
    """
    out, _ = _resolve(records, threshold, max_block=max_block, use_dictionary=use_dictionary,
                      min_train=min_train, min_score=min_score, seed=seed, model=model, entities=False)
    return out


def resolve_entities(records: pd.DataFrame, threshold: float = 0.5, *, conflict: float | None = None,
                     max_block: int = 100, use_dictionary: bool = True, min_train: int = 1000,
                     min_score: float = 0.01, seed: int = 0,
                     model: LinkageModel | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The candidate pairs of :func:`find_duplicates` and the **entities** they make.

    An entity is a connected component of the pairs with ``is_match``, so that two records
    that never met in a block, or whose own comparison is inconclusive (a name and nothing
    else to compare), join through a third record that matches both.  A component is first
    checked against its own records: every pair inside it is scored by the same model, and
    while some pair's Bayes factor (its evidence, the prior left out) is below ``conflict``
    (default :data:`CONFLICT_ODDS`: the two records themselves say they are different people)
    or one of its fields weighs at most :data:`CONFLICT_WEIGHT`, the component's weakest
    match is cut.

    Returns
    -------
    (pairs, entities)
        ``pairs`` as :func:`find_duplicates` returns them; ``entities``: ``id, entity`` for
        every record in an entity of two or more records (``entity`` is its smallest id),
        sorted by entity and id.

    Examples
    --------
    >>> recs = pd.DataFrame({"id": ["a", "b", "c", "d"],
    ...     "full_name": ["สมชาย ใจดี", "Somchay Chaidee", "Somchai Jaidee", "Malee Srisuk"],
    ...     "birth_date": ["15/03/2533", "1990-03-15", None, "1971-07-02"],
    ...     "phone": [None, "+66812345678", "081-234-5678", None]})
    >>> pairs, ents = resolve_entities(recs)
    >>> ents.values.tolist()
    [['a', 'a'], ['b', 'a'], ['c', 'a']]
    """
    return _resolve(records, threshold, max_block=max_block, use_dictionary=use_dictionary,
                    min_train=min_train, min_score=min_score, seed=seed, model=model, entities=True,
                    conflict=CONFLICT_ODDS if conflict is None else conflict)


#: a pair whose own comparison is at least 100 to 1 against one person (its Bayes factor, the
#: product of its fields' m/u, below this; the prior is left out: inside a component the question
#: is what the two records say, not how rare matches are in the file) holds records that are
#: different people: an entity may not contain it.  A pair that only shares a name is not one.
CONFLICT_ODDS = 0.01
#: ... or that disagree on one field at a level this heavily against a match (log2 Bayes factor:
#: records of one person almost never differ so, e.g. two different ID numbers)
CONFLICT_WEIGHT = -8.0
_ENTITY_COLUMNS = ["id", "entity"]


def _resolve(records: pd.DataFrame, threshold: float, *, max_block: int, use_dictionary: bool, min_train: int,
             min_score: float, seed: int, model: LinkageModel | None, entities: bool,
             conflict: float = CONFLICT_ODDS) -> tuple[pd.DataFrame, pd.DataFrame]:
    empty = pd.DataFrame(columns=_OUT_COLUMNS)
    no_entities = pd.DataFrame(columns=_ENTITY_COLUMNS)
    if records is None or len(records) < 2:
        return empty, no_entities
    frame = comparison_frame(records, use_dictionary, max_block)
    if frame[list(BLOCKING_KEYS)].notna().sum().max() < 2:
        return empty, no_entities
    with _quiet():
        if model is None and len(records) >= min_train:
            linker, model = train(frame, seed=seed)
        else:
            model = model or prior_model()
            linker = _linker(frame, copy.deepcopy(model.settings))
        pred = _predict(linker, min_score)
        del linker
    ids = records["id"].astype(str).to_numpy()
    ents = no_entities
    if entities and not pred.empty:
        ents = _entities(frame, model, pred, ids, threshold, conflict)
    if pred.empty:
        empty.attrs["model"] = model
        return empty, ents
    left, right = ids[pred["unique_id_l"].to_numpy()], ids[pred["unique_id_r"].to_numpy()]
    swap = left > right
    levels = _explain_frame(pred)
    differ = (pred["script_l"] != pred["script_r"]).to_numpy()
    out = pd.DataFrame({
        "id_left": np.where(swap, right, left), "id_right": np.where(swap, left, right),
        "score": pred["match_probability"].to_numpy(dtype=float),
        "weight": pred["match_weight"].to_numpy(dtype=float).round(4),
        "is_match": pred["match_probability"].to_numpy() >= threshold,
        "reasons": [_reasons(lv, bool(d)) for lv, d in zip(levels, differ, strict=True)],
        "levels": levels,
    })
    out = out[out["id_left"] != out["id_right"]]
    out = out.sort_values(["weight", "id_left", "id_right"], ascending=[False, True, True]).reset_index(drop=True)
    out.attrs["model"] = model
    return out, ents


def _predict(linker: Any, min_score: float | None) -> pd.DataFrame:
    """Splink's scored pairs, only the columns used here (ids, scripts, probability, weights and
    each field's level and weight): on big files the compared values would double the memory."""
    sdf = linker.inference.predict(threshold_match_probability=min_score)
    have = {c.unquote().name for c in sdf.columns}
    wanted = ["unique_id_l", "unique_id_r", "match_probability", "match_weight", "script_l", "script_r"]
    for field in COMPARISONS:
        wanted += [f"gamma_{field}", f"mw_{field}", f"mw_tf_adj_{field}"]
    cols = ", ".join(f'"{c}"' for c in wanted if c in have)
    out = sdf.query_sql(f"select {cols} from {{this}}").as_pandas_dataframe()  # noqa: S608 - our column names
    sdf.drop_table_from_database_and_remove_from_cache()
    return out


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes given the edges ``left``–``right``."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _entities(frame: pd.DataFrame, model: LinkageModel, pred: pd.DataFrame, ids: np.ndarray, threshold: float,
              conflict: float) -> pd.DataFrame:
    """``id, entity`` of the components of the matches in ``pred``, cut where they hold a
    conflicting pair (see :func:`resolve_entities`)."""
    m = pred.loc[pred["match_probability"] >= threshold, ["unique_id_l", "unique_id_r", "match_weight"]]
    if m.empty:
        return pd.DataFrame(columns=_ENTITY_COLUMNS)
    n = len(frame)
    lab = _components(n, m["unique_id_l"].to_numpy(), m["unique_id_r"].to_numpy())
    size = np.bincount(lab, minlength=lab.max() + 1)
    big = size[lab] >= 3  # components of two are their own (matching) pair
    if big.any():
        # score every pair inside the larger components with the same model
        cframe = frame.assign(cluster=np.where(big, lab, -1)).astype({"cluster": "Int64"})
        cframe.loc[~big, "cluster"] = pd.NA
        settings = copy.deepcopy(model.settings)
        settings["blocking_rules_to_generate_predictions"] = [
            {"blocking_rule": 'l."cluster" = r."cluster"', "sql_dialect": "duckdb"}]
        with _quiet():
            inner = _predict(_linker(cframe, settings), None)
        # what the fields that disagree say, together (one field alone at -8 bits, e.g. two
        # different ID numbers, or a different birth date and a different ID number)
        against_fields = np.zeros(len(inner))
        for field in COMPARISONS:
            w = inner[f"mw_{field}"].to_numpy(dtype=float)
            against_fields += np.where((inner[f"gamma_{field}"].to_numpy() >= 0) & (w < 0), w, 0.0)
        strong_no = against_fields <= CONFLICT_WEIGHT
        # the evidence of the pair itself (match weight less the prior's log-odds): a pair inside a
        # component is judged on what its records say, not on how rare matches are in the file
        lam = model.prior
        bayes = inner["match_weight"].to_numpy(dtype=float) - math.log2(lam / (1 - lam))
        against = bayes < math.log2(conflict) if conflict > 0 else np.zeros(len(inner), dtype=bool)
        bad = inner.loc[against | strong_no, ["unique_id_l", "unique_id_r"]]
        if not bad.empty:
            lab = _cut_conflicts(lab, m, bad)
    members = np.flatnonzero(np.bincount(lab, minlength=lab.max() + 1)[lab] >= 2)
    out = pd.DataFrame({"id": ids[members], "label": lab[members]})
    out["entity"] = out.groupby("label")["id"].transform("min")
    return out[_ENTITY_COLUMNS].sort_values(["entity", "id"]).reset_index(drop=True)


def _cut_conflicts(lab: np.ndarray, matches: pd.DataFrame, bad: pd.DataFrame) -> np.ndarray:
    """Labels after cutting, in each component holding a pair of ``bad``, its weakest match
    until no component holds one."""
    import networkx as nx

    lab = lab.copy()
    bad_l, bad_r = bad["unique_id_l"].to_numpy(), bad["unique_id_r"].to_numpy()
    hit = set(lab[bad_l].tolist())
    edges = matches[np.isin(lab[matches["unique_id_l"].to_numpy()], list(hit))]
    conflicts: dict[int, list[tuple[int, int]]] = {}
    for a, b in zip(bad_l.tolist(), bad_r.tolist(), strict=True):
        conflicts.setdefault(int(lab[a]), []).append((a, b))
    next_label = int(lab.max()) + 1
    for comp, group in edges.groupby(lab[edges["unique_id_l"].to_numpy()]):
        g = nx.Graph()
        g.add_weighted_edges_from(zip(group["unique_id_l"].tolist(), group["unique_id_r"].tolist(),
                                      group["match_weight"].tolist(), strict=True))
        pairs = conflicts[int(comp)]
        while any(nx.has_path(g, a, b) for a, b in pairs if a in g and b in g):
            weakest = min(g.edges(data="weight"), key=lambda e: e[2])
            g.remove_edge(weakest[0], weakest[1])
        for part in nx.connected_components(g):
            idx = np.fromiter(part, dtype=np.int64)
            lab[idx] = next_label
            next_label += 1
    return lab


def clusters(judgements: pd.DataFrame, accepted: Sequence[str] = ("accepted",)) -> pd.DataFrame:
    """Entities: connected components of the accepted pairs.

    Parameters
    ----------
    judgements : DataFrame
        ``id_left, id_right`` and either ``judgement`` (rows whose judgement is in
        ``accepted`` count) or ``is_match`` (true rows count).

    Returns
    -------
    DataFrame
        ``id, cluster`` for every id in an accepted pair; ``cluster`` is the smallest id
        of the component.

    Examples
    --------
    >>> j = pd.DataFrame({"id_left": ["a", "b", "x"], "id_right": ["b", "c", "y"],
    ...                   "judgement": ["accepted", "accepted", "rejected"]})
    >>> clusters(j).values.tolist()
    [['a', 'a'], ['b', 'a'], ['c', 'a']]
    """
    if "judgement" in judgements.columns:
        keep = judgements[judgements["judgement"].isin(list(accepted))]
    elif "is_match" in judgements.columns:
        keep = judgements[judgements["is_match"].astype(bool)]
    else:
        raise ValueError("judgements need a 'judgement' or an 'is_match' column")
    parent: dict[str, str] = {}

    def find(u: str) -> str:
        parent.setdefault(u, u)
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for a, b in zip(keep["id_left"].astype(str), keep["id_right"].astype(str), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    rows = sorted((u, find(u)) for u in parent)
    return pd.DataFrame(rows, columns=["id", "cluster"])
