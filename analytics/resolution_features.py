"""Comparison features for person entity resolution.

A record is first *prepared* once (:func:`prepare`: names romanised and
phonetically keyed, birth date parsed with Buddhist-era years converted, ID
and phone reduced to digits); each feature is then a small pure function
``f(left, right) -> float`` on two prepared records, returning ``nan`` when a
field is missing on either side (the classifier handles missing values).

:data:`FEATURES` is the ordered tuple of feature functions; a trained model
stores their names and refuses to run with a different list.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from analytics.transliterate import phonetic_key, romanise, script_of
from core import rules

__all__ = [
    "CANONICAL_COLUMNS",
    "Prepared",
    "prepare",
    "parse_birth_date",
    "normalise_phone",
    "normalise_id",
    "normalise_nationality",
    "jaro_winkler",
    "name_similarity",
    "name_token_overlap",
    "given_name_similarity",
    "family_name_similarity",
    "crossed_name_similarity",
    "birth_date_exact",
    "birth_date_swapped",
    "birth_date_digits",
    "birth_year_gap",
    "id_number_match",
    "phone_match",
    "sex_match",
    "nationality_match",
    "address_overlap",
    "scripts_differ",
    "FEATURES",
    "FEATURE_NAMES",
]

NAN = float("nan")
CANONICAL_COLUMNS = ("id", "given_name", "family_name", "full_name", "birth_date", "sex", "nationality",
                     "id_number", "phone", "address")
"""The person-record columns entity resolution reads (any may be missing)."""


@dataclass(frozen=True)
class Prepared:
    """A person record normalised for comparison."""

    id: str
    tokens: tuple[str, ...] = ()  # phonetic keys of the name tokens, in written order
    given: str = ""  # phonetic key of the given name(s), "" if unknown
    family: str = ""  # phonetic key of the family name, "" if unknown
    script: str = "other"  # script the name was written in
    birth: dt.date | None = None
    sex: str = ""
    nationality: str = ""
    id_number: str = ""
    phone: str = ""
    address: frozenset[str] = frozenset()

    @property
    def joined(self) -> str:
        """Name tokens concatenated (robust to how a name was split into words)."""
        return "".join(self.tokens)


# ------------------------------------------------------------ normalising
def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() in (
        "", "nan", "NaN", "None", "NaT", "<NA>")


def parse_birth_date(value: Any) -> dt.date | None:
    """A birth date read by the rule ingest uses (:func:`core.rules.parse_date`: ISO or
    ``DD/MM/YYYY``, Thai digits, Buddhist-era years), except that a written month above 12
    is read as the day/month swap it is.  ``None`` when missing or unreadable.

    Examples
    --------
    >>> parse_birth_date("15/03/2533"), parse_birth_date("๒๕๓๓-๐๓-๑๕")
    (datetime.date(1990, 3, 15), datetime.date(1990, 3, 15))
    >>> parse_birth_date("29/02/2567"), parse_birth_date("30/02/1990")
    (datetime.date(2024, 2, 29), None)
    """
    if _missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return rules.parse_date(str(value), swap_month_day=True)
    except ValueError:
        return None


def normalise_phone(value: Any) -> str:
    """The E.164 digits (without ``+``) of the first phone in ``value``, by the rule ingest
    uses (:func:`core.rules.phone_e164`); ``""`` when missing or not a phone number.

    Examples
    --------
    >>> normalise_phone("081-234-5678"), normalise_phone("+66 81 234 5678; 02-123-4567")
    ('66812345678', '66812345678')
    >>> normalise_phone("12")
    ''
    """
    if _missing(value):
        return ""
    first = str(value).split(";")[0].split("|")[0]
    try:
        return rules.phone_e164(first)[1:]
    except ValueError:
        return ""


def normalise_id(value: Any) -> str:
    """An ID/passport number as :func:`core.rules.compact_id` stores it (upper case, Thai
    digits ASCII, only letters and digits).

    Examples
    --------
    >>> normalise_id("1-1017-๐๐๒๐๓-45-0")
    '1101700203450'
    """
    if _missing(value):
        return ""
    return rules.compact_id(str(value))


def _text(record: Mapping[str, Any], key: str) -> str:
    """A field as clean text (:func:`core.rules.clean_text`, as ingest stores it); ``""`` if missing."""
    value = record.get(key)
    return "" if _missing(value) else rules.clean_text(str(value))


def normalise_nationality(value: Any) -> str:
    """ISO alpha-3 code as ingest stores it (:func:`core.rules.country_alpha3`); other text
    upper-cased; ``""`` when missing.

    Examples
    --------
    >>> normalise_nationality("Myanmar"), normalise_nationality("th"), normalise_nationality("Shan")
    ('MMR', 'THA', 'SHAN')
    """
    if _missing(value):
        return ""
    text = rules.clean_text(str(value))
    try:
        return rules.country_alpha3(text)
    except ValueError:
        return text.upper()


@lru_cache(maxsize=400_000)
def _keys(name: str, use_dictionary: bool) -> tuple[str, ...]:
    return tuple(phonetic_key(romanise(name, _dictionary() if use_dictionary else None)).split())


@lru_cache(maxsize=1)
def _dictionary() -> Mapping[str, str]:
    """Known ``native → romanised`` name pairs from :mod:`ingest.names` (empty if unavailable)."""
    try:
        from ingest.names import NAMES
    except ImportError:  # pragma: no cover - the module ships with netintel
        return {}
    out: dict[str, str] = {}
    for pools in NAMES.values():
        for pool in pools.values():
            for native, latin in pool:
                out.setdefault(native, latin)
    return out


def prepare(record: Mapping[str, Any], use_dictionary: bool = True) -> Prepared:
    """Normalise one record (canonical columns, any may be missing) for the feature functions.

    Names: ``given_name`` + ``family_name`` when present, else ``full_name``
    (first token = given, last = family when it has several tokens), else
    ``full_name_latin``; each token romanised (:mod:`analytics.transliterate`,
    with the ``ingest.names`` dictionary when ``use_dictionary``) and keyed.
    Myanmar script names are romanised syllable by syllable.

    Examples
    --------
    >>> p = prepare({"id": "a", "full_name": "สมชาย ใจดี", "birth_date": "2533-03-15"})
    >>> p.given, p.family, p.birth.year
    ('somcai', 'caidi', 1990)
    """
    given, family, full = _text(record, "given_name"), _text(record, "family_name"), _text(record, "full_name")
    if not (given or family or full):
        full = _text(record, "full_name_latin")
    if given or family:
        g, f = _keys(given, use_dictionary) if given else (), _keys(family, use_dictionary) if family else ()
        tokens = g + f
        script = script_of(given or family)
        given_key, family_key = "".join(g), "".join(f)
    else:
        tokens = _keys(full, use_dictionary) if full else ()
        script = script_of(full)
        nat = normalise_nationality(record.get("nationality"))
        if len(tokens) >= 2 and nat != "MMR" and script != "burmese":
            given_key, family_key = tokens[0], tokens[-1]
        else:  # one token, or a Myanmar name (no family name): all given
            given_key, family_key = "".join(tokens), ""
    address = _text(record, "address")
    addr_tokens = frozenset(t for t in _keys(address, False) if len(t) > 2) if address else frozenset()
    sex = _text(record, "sex").upper()[:1]
    return Prepared(
        id=_text(record, "id"),
        tokens=tokens,
        given=given_key,
        family=family_key,
        script=script,
        birth=parse_birth_date(record.get("birth_date")),
        sex=sex if sex in ("M", "F") else "",
        nationality=normalise_nationality(record.get("nationality")),
        id_number=normalise_id(record.get("id_number")),
        phone=normalise_phone(record.get("phone")),
        address=addr_tokens,
    )


# ------------------------------------------------------------- similarity
@lru_cache(maxsize=1_000_000)
def jaro_winkler(a: str, b: str) -> float:
    """Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters).

    References
    ----------
    Winkler, W. E. (1990). String comparator metrics and enhanced decision rules in the
    Fellegi–Sunter model of record linkage. *Proc. Section on Survey Research Methods*, ASA, 354–359.

    Examples
    --------
    >>> round(jaro_winkler("martha", "marhta"), 4)
    0.9611
    """
    if a == b:
        return 1.0 if a else 0.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    window = max(max(la, lb) // 2 - 1, 0)
    used = [False] * lb
    ma: list[str] = []
    for i, ch in enumerate(a):
        lo, hi = max(0, i - window), min(lb, i + window + 1)
        for j in range(lo, hi):
            if not used[j] and b[j] == ch:
                used[j] = True
                ma.append(ch)
                break
    m = len(ma)
    if not m:
        return 0.0
    mb = [b[j] for j in range(lb) if used[j]]
    t = sum(x != y for x, y in zip(ma, mb, strict=True)) / 2
    jaro = (m / la + m / lb + (m - t) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


# --------------------------------------------------------------- features
def name_similarity(left: Prepared, right: Prepared) -> float:
    """Jaro–Winkler of the whole keyed names, best of written and sorted token order."""
    if not left.tokens or not right.tokens:
        return NAN
    a, b = left.joined, right.joined
    sa, sb = "".join(sorted(left.tokens)), "".join(sorted(right.tokens))
    return max(jaro_winkler(a, b), jaro_winkler(sa, sb))


def name_token_overlap(left: Prepared, right: Prepared) -> float:
    """Share of the shorter name's tokens with a close (JW ≥ 0.85) token in the other name."""
    if not left.tokens or not right.tokens:
        return NAN
    short, long_ = sorted((left.tokens, right.tokens), key=len)
    hits = sum(max(jaro_winkler(t, u) for u in long_) >= 0.85 for t in short)
    return hits / len(short)


def given_name_similarity(left: Prepared, right: Prepared) -> float:
    """Jaro–Winkler of the keyed given names."""
    if not left.given or not right.given:
        return NAN
    return jaro_winkler(left.given, right.given)


def family_name_similarity(left: Prepared, right: Prepared) -> float:
    """Jaro–Winkler of the keyed family names."""
    if not left.family or not right.family:
        return NAN
    return jaro_winkler(left.family, right.family)


def crossed_name_similarity(left: Prepared, right: Prepared) -> float:
    """Given name of one against family name of the other (names recorded in swapped order)."""
    if not (left.given and left.family and right.given and right.family):
        return NAN
    return (jaro_winkler(left.given, right.family) + jaro_winkler(left.family, right.given)) / 2


def birth_date_exact(left: Prepared, right: Prepared) -> float:
    """1 when both birth dates are the same day (after Buddhist-era conversion)."""
    if left.birth is None or right.birth is None:
        return NAN
    return float(left.birth == right.birth)


def birth_date_swapped(left: Prepared, right: Prepared) -> float:
    """1 when the birth dates differ only by a day/month swap."""
    a, b = left.birth, right.birth
    if a is None or b is None:
        return NAN
    return float(a != b and a.year == b.year and a.month == b.day and a.day == b.month)


def birth_date_digits(left: Prepared, right: Prepared) -> float:
    """Share of equal digits in YYYYMMDD (1 − edit distance / 8): a one-digit typo scores 0.875."""
    if left.birth is None or right.birth is None:
        return NAN
    a, b = left.birth.strftime("%Y%m%d"), right.birth.strftime("%Y%m%d")
    return 1.0 - _levenshtein(a, b) / 8


def birth_year_gap(left: Prepared, right: Prepared) -> float:
    """Absolute difference of the birth years, capped at 20."""
    if left.birth is None or right.birth is None:
        return NAN
    return float(min(abs(left.birth.year - right.birth.year), 20))


def id_number_match(left: Prepared, right: Prepared) -> float:
    """ID/passport numbers: 1 when equal, else 1 − edit distance / length (typos score high)."""
    a, b = left.id_number, right.id_number
    if not a or not b:
        return NAN
    if a == b:
        return 1.0
    return max(0.0, 1.0 - _levenshtein(a, b) / max(len(a), len(b)))


def phone_match(left: Prepared, right: Prepared) -> float:
    """Phones: 1 when the last 9 digits agree, else the share of agreeing trailing digits."""
    a, b = left.phone, right.phone
    if not a or not b:
        return NAN
    a9, b9 = a[-9:], b[-9:]
    if a9 == b9:
        return 1.0
    return sum(x == y for x, y in zip(a9, b9, strict=False)) / 9


def sex_match(left: Prepared, right: Prepared) -> float:
    """1 when the recorded sexes agree, 0 when they differ."""
    if not left.sex or not right.sex:
        return NAN
    return float(left.sex == right.sex)


def nationality_match(left: Prepared, right: Prepared) -> float:
    """1 when the recorded nationalities agree, 0 when they differ."""
    if not left.nationality or not right.nationality:
        return NAN
    return float(left.nationality == right.nationality)


def address_overlap(left: Prepared, right: Prepared) -> float:
    """Jaccard overlap of the romanised address words."""
    if not left.address or not right.address:
        return NAN
    return len(left.address & right.address) / len(left.address | right.address)


def scripts_differ(left: Prepared, right: Prepared) -> float:
    """1 when the two names were written in different scripts (e.g. Thai and Latin)."""
    if not left.tokens or not right.tokens:
        return NAN
    return float(left.script != right.script)


FEATURES: tuple[Callable[[Prepared, Prepared], float], ...] = (
    name_similarity,
    name_token_overlap,
    given_name_similarity,
    family_name_similarity,
    crossed_name_similarity,
    birth_date_exact,
    birth_date_swapped,
    birth_date_digits,
    birth_year_gap,
    id_number_match,
    phone_match,
    sex_match,
    nationality_match,
    address_overlap,
    scripts_differ,
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.__name__ for f in FEATURES)
