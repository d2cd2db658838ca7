"""Generated person records for training and measuring entity resolution.

:func:`synthetic_records` renders true persons as the records several
agencies would keep of them; :func:`true_pairs` lists which records are the
same person; :func:`training_pairs` makes labelled record pairs for the
classifier of :mod:`analytics.resolution`.

The records use the real name pools of :mod:`ingest.names`, their
romanisation variants, native/Latin script choice, typos, day/month swaps,
Buddhist-era years, phone formats and missing fields; hard negatives are
namesakes, relatives (same family name, address, sometimes phone) and
people sharing a birth date.  Everything is deterministic for a seed.
(The whole-database demo bundle is made by :mod:`ingest.generate`.)
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analytics.resolution_features import CANONICAL_COLUMNS
from core.rules import buddhist_era_year, thai_id_check_digit
from ingest import names

__all__ = ["synthetic_records", "true_pairs", "training_pairs"]

_NAT_WEIGHTS = (("THA", 0.5), ("MMR", 0.22), ("LAO", 0.13), ("KHM", 0.15))
_PLACES = (("กรุงเทพมหานคร", "Bangkok"), ("สมุทรสาคร", "Samut Sakhon"), ("แม่สอด", "Mae Sot"),
           ("เชียงราย", "Chiang Rai"), ("ระนอง", "Ranong"), ("สงขลา", "Songkhla"), ("พัทยา", "Pattaya"),
           ("ตาก", "Tak"), ("สระแก้ว", "Sa Kaeo"), ("ภูเก็ต", "Phuket"))
_STREETS = (("ถนนสุขุมวิท", "Sukhumvit Road"), ("ถนนพหลโยธิน", "Phahonyothin Road"),
            ("ถนนเพชรเกษม", "Phetkasem Road"), ("ซอยวัดใหม่", "Soi Wat Mai"), ("ถนนมิตรภาพ", "Mittraphap Road"))


def _thai_id(rng: random.Random) -> str:
    """A random Thai national ID with a valid check digit."""
    first = "".join([rng.choice("12345678")] + [str(rng.randrange(10)) for _ in range(11)])
    return first + str(thai_id_check_digit(first))


def _person(rng: random.Random, pid: str, like: Mapping[str, Any] | None = None, kind: str = "") -> dict[str, Any]:
    """A true person: native and Latin names plus attributes.  ``like``/``kind`` make a hard negative."""
    nat = like["nationality"] if like else rng.choices([n for n, _ in _NAT_WEIGHTS], [w for _, w in _NAT_WEIGHTS])[0]
    sex = rng.choice("MF")
    if nat == "MMR":
        g_nat, g_lat = names.myanmar_name(rng, sex)
        f_nat = f_lat = ""
    else:
        g_nat, g_lat = rng.choice(names.NAMES[nat][f"given_{sex}"])
        f_nat, f_lat = rng.choice(names.NAMES[nat]["family"])
    birth = dt.date(rng.randint(1960, 2008), rng.randint(1, 12), rng.randint(1, 28))
    id_number = _thai_id(rng) if nat == "THA" or rng.random() < 0.3 else (
        rng.choice("ABCDEFMN") + rng.choice("ABCDEFMN") + f"{rng.randrange(10**6, 10**7)}")
    phone = f"+66{rng.choice('689')}{rng.randrange(10**7, 10**8)}" if rng.random() < 0.8 else ""
    place = rng.choice(_PLACES)
    street = rng.choice(_STREETS)
    house = f"{rng.randint(1, 399)}/{rng.randint(1, 99)}"
    person: dict[str, Any] = {"person": pid, "nationality": nat, "sex": sex, "given": (g_nat, g_lat), "family": (f_nat, f_lat),
              "birth": birth, "id_number": id_number, "phone": phone, "address": (house, street, place)}
    if like is not None:
        if kind == "relative":  # same family and household, different given name and birth
            person["family"] = like["family"]
            person["address"] = like["address"]
            if rng.random() < 0.4:
                person["phone"] = like["phone"]
            if rng.random() < 0.3:
                person["birth"] = person["birth"].replace(year=like["birth"].year + rng.choice((-1, 1, 2)))
        elif kind == "namesake":  # same name, different person
            person["given"], person["family"], person["sex"] = like["given"], like["family"], like["sex"]
            if rng.random() < 0.3:
                person["birth"] = person["birth"].replace(year=like["birth"].year)
        elif kind == "birthday":  # same birth date and nationality
            person["birth"] = like["birth"]
    return person


def _typo(text: str, rng: random.Random) -> str:
    """One random deletion, transposition or substitution inside ``text`` (4+ characters)."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.randrange(3)
    if op == 0:
        return text[:i] + text[i + 1:]
    if op == 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + rng.choice("aeiounrst") + text[i + 1:]


def _render(person: Mapping[str, Any], rng: random.Random, rid: str) -> dict[str, Any]:
    """One agency's record of a person, with the errors and variation agencies introduce."""
    nat = person["nationality"]
    native = rng.random() < (0.45 if nat == "THA" else 0.3)
    (g_nat, g_lat), (f_nat, f_lat) = person["given"], person["family"]
    if native:
        given, family = g_nat, f_nat
    else:
        given = names.variant(g_lat, rng) if rng.random() < 0.5 else g_lat
        family = names.variant(f_lat, rng) if f_lat and rng.random() < 0.5 else f_lat
        if rng.random() < 0.06:
            given = _typo(given, rng)
        if family and rng.random() < 0.06:
            family = _typo(family, rng)
        if rng.random() < 0.15:
            given, family = given.upper(), family.upper()
    rec: dict[str, Any] = {"id": rid, "person": person["person"]}
    if nat == "MMR":
        rec["full_name"] = given
    elif rng.random() < 0.5:
        rec["given_name"], rec["family_name"] = given, family
    elif rng.random() < 0.08 and not native:  # family name first
        rec["full_name"] = f"{family} {given}"
    else:
        rec["full_name"] = f"{given} {family}"
    if rng.random() < 0.88:
        b: dt.date = person["birth"]
        r = rng.random()
        if r < 0.06 and b.day <= 12:
            b = b.replace(month=b.day, day=b.month)
        elif r < 0.10:
            b = b.replace(day=min(28, max(1, b.day + rng.choice((-10, -1, 1, 10)))))
        elif r < 0.13:
            b = b.replace(year=b.year + rng.choice((-1, 1)))
        year = buddhist_era_year(b.year) if (native and nat == "THA" and rng.random() < 0.6) or rng.random() < 0.05 else b.year
        rec["birth_date"] = (f"{b.day:02d}/{b.month:02d}/{year}" if rng.random() < 0.5
                             else f"{year}-{b.month:02d}-{b.day:02d}")
    if rng.random() < 0.9:
        rec["sex"] = person["sex"]
    if rng.random() < 0.85:
        rec["nationality"] = nat
    if rng.random() < 0.55:
        idn = person["id_number"]
        rec["id_number"] = _typo(idn, rng) if rng.random() < 0.04 else idn
    if person["phone"] and rng.random() < 0.55:
        digits = person["phone"][3:]
        rec["phone"] = rng.choice((f"0{digits}", f"+66{digits}", f"0{digits[:2]}-{digits[2:5]}-{digits[5:]}",
                                   f"66 {digits[:2]} {digits[2:5]} {digits[5:]}"))
    if rng.random() < 0.5:
        house, street, place = person["address"]
        i = 0 if native else 1
        rec["address"] = f"{house} {street[i]} {place[i]}"
    return rec


def synthetic_records(n: int, seed: int = 0, duplicate_rate: float = 0.25) -> pd.DataFrame:
    """``n`` generated person records in the canonical columns plus ``person`` (the true identity).

    About ``duplicate_rate`` of the records are a second (rarely third) record of
    an already generated person; ``hard`` negatives (relatives, namesakes,
    people sharing a birth date) are mixed in.  Deterministic for a seed.

    Examples
    --------
    >>> df = synthetic_records(50, seed=1)
    >>> len(df), df["person"].nunique() < 50
    (50, True)
    """
    rng = random.Random(seed)
    people: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    while len(rows) < n:
        r = rng.random()
        if people and r < duplicate_rate:
            person = rng.choice(people)
        else:
            like = rng.choice(people) if people and r < duplicate_rate + 0.2 else None
            kind = rng.choice(("relative", "namesake", "birthday")) if like else ""
            person = _person(rng, f"P{len(people):06d}", like, kind)
            people.append(person)
        rows.append(_render(person, rng, f"R{len(rows):06d}"))
    df = pd.DataFrame(rows)
    for col in CANONICAL_COLUMNS:
        if col not in df:
            df[col] = np.nan
    return df[[*CANONICAL_COLUMNS, "person"]]


def true_pairs(records: pd.DataFrame) -> set[tuple[str, str]]:
    """All ``(id_a, id_b)`` pairs (sorted) of records with the same ``person``."""
    out: set[tuple[str, str]] = set()
    for ids in records.groupby("person")["id"].apply(list):
        ids = sorted(map(str, ids))
        out.update((ids[a], ids[b]) for a in range(len(ids)) for b in range(a + 1, len(ids)))
    return out


def training_pairs(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` labelled record pairs: columns ``{col}_left``, ``{col}_right`` for the canonical
    columns and ``label`` (1 same person, 0 different).

    Half are positives (two renderings of one person); negatives are 40 %
    relatives, 25 % namesakes, 15 % sharing a birth date, 20 % random people.

    Examples
    --------
    >>> tp = training_pairs(10, seed=3)
    >>> int(tp["label"].sum()), "given_name_left" in tp
    (5, True)
    """
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for k in range(n):
        base = _person(rng, f"A{k}")
        if k % 2 == 0:
            other, label = base, 1
        else:
            r = rng.random()
            kind = "relative" if r < 0.4 else "namesake" if r < 0.65 else "birthday" if r < 0.8 else ""
            other = _person(rng, f"B{k}", base if kind else None, kind)
            label = 0
        left, right = _render(base, rng, f"L{k}"), _render(other, rng, f"R{k}")
        row: dict[str, Any] = {"label": label}
        for col in CANONICAL_COLUMNS:
            row[f"{col}_left"] = left.get(col, np.nan)
            row[f"{col}_right"] = right.get(col, np.nan)
        rows.append(row)
    return pd.DataFrame(rows)
