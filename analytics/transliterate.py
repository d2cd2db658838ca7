"""Romanisation of personal names in Thai, Lao, Burmese and Khmer script, and a
phonetic key that makes different Latin romanisations of one name agree.

What is done, script by script
------------------------------
* **Thai** — :func:`pythainlp.transliterate.romanize` with the ``royin`` engine
  (Royal Thai General System; a rule engine that works offline).
* **Lao** — each Lao letter is mapped to its Thai counterpart (the two scripts
  share their origin and most letters; ``ໜ``/``ໝ`` become ``หน``/``หม``, the Lao
  short ``ົ`` becomes Thai ``โ-ะ``), then romanised as Thai.  Lao practice
  writes ``ou``/``v``/``x`` where RTGS writes ``u``/``w``/``s``; the
  phonetic key (below) folds those together.
* **Burmese** — a syllable table written for this module: onset consonant
  (MLCTS-like values, with the customary ``th``/``ht``/``hs``/``ky``/``ch``
  spellings) plus medials (``ျ ြ`` → ``y``, ``ွ`` → ``w``, ``ှ`` → ``h``
  before the consonant), then the rhyme looked up longest-first
  (``ောင်`` → ``aung``, ``ိုင်`` → ``aing``, ``ော်`` → ``aw`` ...); tone marks
  are dropped.  It covers the syllables common in names, not every
  orthographic corner.
* **Khmer** — a consonant/vowel table in the spirit of the UNGEGN system: the
  inherent vowel depends on the consonant series (``a`` or ``o``), the coeng
  ``្`` stacks the next consonant without a vowel, diacritics are dropped.
  Approximate: Khmer vowel values that depend on the series are taken from
  the first series only.
* **Latin** — accents stripped (NFKD), lower case.

When a dictionary of known ``(native, romanised)`` name pairs is given (e.g.
``ingest.names.NAMES``), :func:`romanise` looks the native token up there
first and only falls back to the tables above for unknown tokens.

The **phonetic key** (:func:`phonetic_key`) is a small rule set for the usual
variation between romanisations of South-East Asian names: aspirate ``h``
dropped (``ph th kh ch`` → ``p t k c``), ``j``/``ch``/``c`` merged, ``v``→``w``,
``x``/``z``→``s``, vowel spellings merged (``ee ii ie``→``i``, ``oo ou uu``→``u``,
``ay ai ei``→``ai``), post-vocalic ``r`` and final ``l`` handled as Thai
finals (``-orn``/``-on``, ``-l``→``-n``), doubled letters collapsed.  So
"Somchai Jaidee", "สมชาย ใจดี" and "Somchay Chaidee" all key to
``somcai caidi``.

References
----------
Royal Institute of Thailand (1999). *Principles of Romanization for Thai
Script by Transcription Method* (RTGS).
UNGEGN Working Group on Romanization Systems (2013). *Report on the Current
Status of United Nations Romanization Systems for Geographical Names*
(Khmer, Lao, Burmese sections).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

__all__ = [
    "script_of",
    "romanise",
    "romanise_token",
    "lao_to_thai",
    "burmese_to_latin",
    "khmer_to_latin",
    "phonetic_key",
    "skeleton",
]

_RANGES = (
    ("thai", 0x0E00, 0x0E7F),
    ("lao", 0x0E80, 0x0EFF),
    ("burmese", 0x1000, 0x109F),
    ("khmer", 0x1780, 0x17FF),
)


def script_of(text: str) -> str:
    """The script of the first letter of ``text``: thai, lao, burmese, khmer, latin or other.

    Examples
    --------
    >>> script_of("สมชาย"), script_of("Somchai"), script_of("ສົມ")
    ('thai', 'latin', 'lao')
    """
    for ch in text:
        o = ord(ch)
        for name, lo, hi in _RANGES:
            if lo <= o <= hi:
                return name
        if ch.isalpha():
            return "latin" if o < 0x0250 else "other"
    return "other"


# ------------------------------------------------------------------ Lao
_LAO_THAI = {
    "ກ": "ก", "ຂ": "ข", "ຄ": "ค", "ງ": "ง", "ຈ": "จ", "ສ": "ส", "ຊ": "ซ", "ຍ": "ย", "ດ": "ด",
    "ຕ": "ต", "ຖ": "ถ", "ທ": "ท", "ນ": "น", "ບ": "บ", "ປ": "ป", "ຜ": "ผ", "ຝ": "ฝ", "ພ": "พ",
    "ຟ": "ฟ", "ມ": "ม", "ຢ": "ย", "ຣ": "ร", "ລ": "ล", "ວ": "ว", "ຫ": "ห", "ອ": "อ", "ຮ": "ฮ",
    "ຯ": "ฯ", "ະ": "ะ", "ັ": "ั", "າ": "า", "ຳ": "ำ", "ິ": "ิ", "ີ": "ี", "ຶ": "ึ", "ື": "ื",
    "ຸ": "ุ", "ູ": "ู", "ົ": "ม", "ຼ": "ล", "ຽ": "ย", "ເ": "เ", "ແ": "แ", "ໂ": "โ", "ໃ": "ใ",
    "ໄ": "ไ", "ໆ": "ๆ", "່": "่", "້": "้", "໊": "๊", "໋": "๋", "໌": "์", "ໍ": "อ",
    "ໜ": "หน", "ໝ": "หม",
}
# the Lao short-o sign has no Thai twin: write it as Thai โ…ะ around the consonant cluster
_LAO_SHORT_O = re.compile("([\u0e81-\u0eae][\u0ebc]?)\u0ebb")


def lao_to_thai(text: str) -> str:
    """Lao script rewritten letter by letter in Thai script (for Thai romanisation).

    Examples
    --------
    >>> lao_to_thai("ສົມພອນ")
    'โสมพอน'
    """
    text = _LAO_SHORT_O.sub(lambda m: "\u0ec2" + m.group(1), text)
    return "".join(_LAO_THAI.get(ch, ch) for ch in text)


# -------------------------------------------------------------- Burmese
_MY_CONS = {
    "က": "k", "ခ": "kh", "ဂ": "g", "ဃ": "g", "င": "ng", "စ": "s", "ဆ": "hs", "ဇ": "z", "ဈ": "z",
    "ည": "ny", "ဉ": "ny", "ဋ": "t", "ဌ": "ht", "ဍ": "d", "ဎ": "d", "ဏ": "n", "တ": "t", "ထ": "ht",
    "ဒ": "d", "ဓ": "d", "န": "n", "ပ": "p", "ဖ": "ph", "ဗ": "b", "ဘ": "b", "မ": "m", "ယ": "y",
    "ရ": "y", "လ": "l", "ဝ": "w", "သ": "th", "ဟ": "h", "ဠ": "l", "အ": "",
}
_MY_INDEP = {"ဣ": "i", "ဤ": "i", "ဥ": "u", "ဦ": "u", "ဧ": "e", "ဩ": "aw", "ဪ": "aw"}
_MY_MEDIAL = "\u103b\u103c\u103d\u103e"  # ျ ြ ွ ှ
_MY_TONES = dict.fromkeys(map(ord, "\u1038\u1039"), None)  # း ္ (the creaky ့ matters after nasals)
# rhymes, longest first after sorting; keys are the marks after onset + medials
_MY_RHYMES = {
    "င့်": "int", "င့််": "int", "န့်": "ant", "န့််": "ant", "ောင်": "aung", "ေါင်": "aung", "ော်": "aw", "ေါ်": "aw", "ော": "aw", "ေါ": "aw",
    "ိုင်": "aing", "ိုက်": "aik", "ို": "o", "ိန်": "ein", "ိမ်": "ein", "ိတ်": "eik", "ိပ်": "eik",
    "ုန်": "on", "ုမ်": "on", "ုတ်": "ok", "ုပ်": "ok", "ွန်": "un", "ွမ်": "un", "ွတ်": "ut",
    "ွင်": "win", "ွယ်": "we", "ွေ": "we", "င်": "in", "ဉ်": "in", "ည်": "i", "န်": "an", "မ်": "an", "ံ": "an",
    "တ်": "at", "ပ်": "at", "က်": "et", "စ်": "it", "ယ်": "e", "ဲ": "e", "ေ": "ay", "ိ": "i",
    "ီ": "i", "ု": "u", "ူ": "u", "ာ": "a", "ါ": "a", "ွ": "wa", "့": "", "": "a",
}
_MY_RHYME_KEYS = sorted(_MY_RHYMES, key=len, reverse=True)
_MY_SYLL = re.compile("([\u1000-\u1021\u1023-\u102a])([\u103b-\u103e]*)((?:[\u102b-\u103a\u1036]|[\u1000-\u1021]\u1037?\u103a)*)")


def _my_syllable(cons: str, medials: str, rest: str) -> str:
    if cons in _MY_INDEP:
        return _MY_INDEP[cons] + _my_rhyme(rest, default="")
    onset = _MY_CONS.get(cons, "")
    if "\u103b" in medials or "\u103c" in medials:
        onset = {"k": "ky", "kh": "ch", "g": "gy", "p": "py", "ph": "ph", "b": "by", "m": "my",
                 "l": "ly"}.get(onset, onset + "y")
    if "\u103e" in medials:
        onset = "h" + onset if onset in ("l", "m", "n", "ny", "ng", "w") else onset
    rhyme_rest = rest
    if "\u103d" in medials:
        rhyme_rest = "\u103d" + rest
    return onset + _my_rhyme(rhyme_rest, default="a")


def _my_rhyme(rest: str, default: str) -> str:
    if not rest:
        return default
    for key in _MY_RHYME_KEYS:
        if key and rest.startswith(key):
            return _MY_RHYMES[key] + _my_rhyme(rest[len(key):], default="")
    return _my_rhyme(rest[1:], default="")  # unknown mark: skip it


def burmese_to_latin(text: str, sep: str = "") -> str:
    """Burmese script romanised syllable by syllable with this module's table (joined by ``sep``).

    Examples
    --------
    >>> burmese_to_latin("အောင်"), burmese_to_latin("ကျော်"), burmese_to_latin("လှ")
    ('aung', 'kyaw', 'hla')
    """
    text = text.translate(_MY_TONES)
    return sep.join(_my_syllable(*m.groups()) for m in _MY_SYLL.finditer(text))


_BURMESE_KEYS: dict[int, tuple[Mapping[str, str], list[str]]] = {}


def _burmese_keys(dictionary: Mapping[str, str]) -> list[str]:
    """Burmese entries of a dictionary, longest first (cached per dictionary object)."""
    hit = _BURMESE_KEYS.get(id(dictionary))
    if hit is None or hit[0] is not dictionary:
        keys = sorted((k for k in dictionary if script_of(k) == "burmese"), key=len, reverse=True)
        hit = _BURMESE_KEYS[id(dictionary)] = (dictionary, keys)
    return hit[1]


def _burmese_with_dictionary(token: str, dictionary: Mapping[str, str]) -> str:
    """Greedy longest match of known Burmese names/syllables; unknown stretches by the table."""
    keys = _burmese_keys(dictionary)
    out: list[str] = []
    i, unknown = 0, ""
    while i < len(token):
        hit = next((k for k in keys if token.startswith(k, i)), None)
        if hit is None:
            unknown += token[i]
            i += 1
            continue
        if unknown:
            out.append(burmese_to_latin(unknown, " "))
            unknown = ""
        out.append(_latin_fold(dictionary[hit]))
        i += len(hit)
    if unknown:
        out.append(burmese_to_latin(unknown, " "))
    return " ".join(o for o in out if o)


# ---------------------------------------------------------------- Khmer
# consonant -> (romanisation, series) ; series 1 inherent "a", series 2 inherent "o"
_KM_CONS = {
    "ក": ("k", 1), "ខ": ("kh", 1), "គ": ("k", 2), "ឃ": ("kh", 2), "ង": ("ng", 2), "ច": ("ch", 1),
    "ឆ": ("chh", 1), "ជ": ("ch", 2), "ឈ": ("chh", 2), "ញ": ("nh", 2), "ដ": ("d", 1), "ឋ": ("th", 1),
    "ឌ": ("d", 2), "ឍ": ("th", 2), "ណ": ("n", 1), "ត": ("t", 1), "ថ": ("th", 1), "ទ": ("t", 2),
    "ធ": ("th", 2), "ន": ("n", 2), "ប": ("b", 1), "ផ": ("ph", 1), "ព": ("p", 2), "ភ": ("ph", 2),
    "ម": ("m", 2), "យ": ("y", 2), "រ": ("r", 2), "ល": ("l", 2), "វ": ("v", 2), "ស": ("s", 1),
    "ហ": ("h", 1), "ឡ": ("l", 1), "អ": ("", 1),
}
_KM_VOWELS = {
    "ា": "a", "ិ": "e", "ី": "ei", "ឹ": "oe", "ឺ": "eu", "ុ": "o", "ូ": "ou", "ួ": "uo",
    "ើ": "aeu", "ឿ": "oea", "ៀ": "ie", "េ": "e", "ែ": "ae", "ៃ": "ai", "ោ": "ao", "ៅ": "au",
    "ុំ": "om", "ាំ": "am", "ំ": "m", "ះ": "h", "ាះ": "ah", "េះ": "eh", "ោះ": "aoh",
}
# second-series (o-series) values where they differ
_KM_VOWELS_2 = {"ា": "ea", "ិ": "i", "ី": "i", "ុ": "u", "ូ": "u", "ៃ": "ey", "ោ": "o", "ៅ": "ov"}
_KM_VOWEL_KEYS = sorted(_KM_VOWELS, key=len, reverse=True)
_KM_INDEP = {"ឥ": "e", "ឦ": "ei", "ឧ": "o", "ឩ": "ou", "ឪ": "ov", "ឫ": "rue", "ឬ": "rueu",
             "ឭ": "lue", "ឮ": "lueu", "ឯ": "ae", "ឰ": "ai", "ឱ": "ao", "ឲ": "ao", "ឳ": "au"}
_KM_SKIP = set("\u17cb\u17cc\u17cd\u17ce\u17cf\u17d0\u17d1\u17dd")
_KM_COENG = "\u17d2"


def khmer_to_latin(text: str) -> str:
    """Khmer script romanised letter by letter (UNGEGN-like consonants, first-series vowels).

    Examples
    --------
    >>> khmer_to_latin("សុខ"), khmer_to_latin("ចាន់")
    ('sokh', 'chan')
    """
    chars = [c for c in text if c not in _KM_SKIP]
    out: list[str] = []
    i, n = 0, len(chars)
    open_syllable = False  # the last syllable has a vowel but no final consonant yet
    while i < n:
        c = chars[i]
        if c in _KM_INDEP:
            out.append(_KM_INDEP[c])
            open_syllable = True
            i += 1
            continue
        if c not in _KM_CONS:  # includes a stray shifter
            i += 1
            continue
        rom, series = _KM_CONS[c]
        cluster = [rom]
        i += 1
        while i + 1 < n and chars[i] == _KM_COENG and chars[i + 1] in _KM_CONS:
            cluster.append(_KM_CONS[chars[i + 1]][0])
            i += 2
        if i < n and chars[i] in "\u17c9\u17ca":  # series shifters ៉ ៊
            series = 1 if chars[i] == "\u17c9" else 2
            i += 1
        tail = "".join(chars[i:i + 3])
        vowel = next((k for k in _KM_VOWEL_KEYS if tail.startswith(k)), None)
        if vowel is not None:
            out.append("".join(cluster))
            out.append(_KM_VOWELS_2.get(vowel, _KM_VOWELS[vowel]) if series == 2 else _KM_VOWELS[vowel])
            i += len(vowel)
            open_syllable = True
        elif open_syllable and len(cluster) == 1:
            out.append(rom)  # final consonant of the open syllable
            open_syllable = False
        elif open_syllable:
            out.append(cluster[0])  # final, and the stacked consonant opens a syllable
            out.append("".join(cluster[1:]) + ("a" if series == 1 else "o"))
        else:
            out.append("".join(cluster) + ("a" if series == 1 else "o"))
            open_syllable = True
    return "".join(out)


# ---------------------------------------------------------------- Latin
def _latin_fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=200_000)
def _thai_romanise(token: str) -> str:
    from pythainlp.transliterate import romanize

    return str(romanize(token, engine="royin")).lower()


def romanise_token(token: str, dictionary: Mapping[str, str] | None = None) -> str:
    """One name token in Latin letters, lower case (see the module notes for each script).

    Examples
    --------
    >>> romanise_token("สมชาย")
    'somchai'
    """
    if dictionary is not None and token in dictionary:
        return _latin_fold(dictionary[token])
    script = script_of(token)
    if script == "thai":
        return _thai_romanise(token)
    if script == "lao":
        return _thai_romanise(lao_to_thai(token))
    if script == "burmese":  # Myanmar names are written without spaces: split into syllables
        if dictionary:
            return _burmese_with_dictionary(token, dictionary)
        return burmese_to_latin(token, " ")
    if script == "khmer":
        return khmer_to_latin(token)
    return _latin_fold(token)


_SPLIT = re.compile(r"[\s,./_()]+")
_JOINERS = re.compile(r"[-'’‐]")  # "Som-chai", "On-uma": one name written in parts


def romanise(text: str, dictionary: Mapping[str, str] | None = None) -> str:
    """A name in any supported script as space-separated lower-case Latin tokens.

    Examples
    --------
    >>> romanise("สมชาย ใจดี")
    'somchai chaidi'
    """
    tokens = [t for t in _SPLIT.split(_JOINERS.sub("", text.strip())) if t]
    return " ".join(r for r in (romanise_token(t, dictionary) for t in tokens) if r)


# ---------------------------------------------------------- phonetic key
_KEY_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"[^a-z]", ""),
        (r"tch|tsh|sh", "c"),
        (r"([pbtdkgc])h", r"\1"),  # aspirates / digraphs: ph th kh ch bh dh gh
        (r"ck", "k"),
        (r"j|c", "c"),
        (r"q", "k"),
        (r"x|z", "s"),
        (r"v", "w"),
        (r"(ee|ii|ie|iy|ey)", "i"),
        (r"aye$", "ai"),
        (r"(oo|ou|uu|ew)", "u"),
        (r"(ay|ei|ae)(?![aeiou])", "ai"),
        (r"oy", "oi"),
        (r"oe", "o"),
        (r"ue|eu|uea", "ue"),
        (r"nh$", "n"),
        (r"(?<=[aeiou]n)e$", ""),  # Lao/French spelling: Somphone = Somphon
        (r"(?<=[aeiou])r(?=[^aeiouy]|$)", ""),  # Thai -orn / -orn: post-vocalic r is silent
        (r"l$", "n"),  # Thai final l sounds n
        (r"nk$", "ng"),
        (r"y$", "i"),
        (r"(.)\1+", r"\1"),
    )
)


@lru_cache(maxsize=200_000)
def _key_token(token: str) -> str:
    for pat, rep in _KEY_RULES:
        token = pat.sub(rep, token)
    return token


def phonetic_key(latin: str) -> str:
    """Phonetic key of a romanised name, token by token (see the module notes).

    Examples
    --------
    >>> phonetic_key("Somchai Jaidee"), phonetic_key("Somchay Chaidee")
    ('somcai caidi', 'somcai caidi')
    """
    toks = (_key_token(t) for t in _latin_fold(latin).split())
    return " ".join(t for t in toks if t)


@lru_cache(maxsize=200_000)
def skeleton(key: str) -> str:
    """A coarse blocking key of a phonetic-key token: first letter and following consonants
    other than the liquids and glides often lost in romanisation (r l h w y).

    Examples
    --------
    >>> skeleton("somcai"), skeleton("sumcai"), skeleton("srisuk"), skeleton("sisuk")
    ('smc', 'smc', 'sk', 'sk')
    """
    if not key:
        return ""
    rest = re.sub(r"[aeiouwyrlh]", "", key[1:])
    return re.sub(r"(.)\1+", r"\1", key[0] + rest)[:4]
