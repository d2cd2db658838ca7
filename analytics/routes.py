"""Trafficking routes and corridors from victims' journeys.

A *journey* is the ordered list of places a victim passed through
(``journeys`` rows ``person_id, case_id, leg, location, stage``; leg 0 is the
place of recruitment).  A *route* is that journey seen at one level of the
``LOCATED_IN`` hierarchy (country, province ...): ``source → transit… →
destination``.  *Corridors* aggregate routes; *transit hubs* rank the places
routes pass through.  Official aggregate statistics (origin, destination,
count — e.g. UNODC GLOTIP) become corridors through :func:`corridors_from_flows`.

Conventions (shared with the generator, see ``truth.md``):

* source = the requested-level location of the recruitment row (stage
  ``recruitment``); destination = that of the **last** ``exploitation`` row;
  transit = every location between them in leg order.
* Consecutive repeats collapse, and source/destination never reappear inside
  transit, so Mae Sot → Bangkok is ``THA → () → THA`` and
  Shan → Mae Sai (border) → Samut Sakhon is ``MMR → () → THA``.
* A missing stage is *reported*, not guessed: ``source`` or ``destination`` is
  ``None``, ``complete`` is False and ``missing`` names the missing stages.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

__all__ = [
    "filter_routes",
    "on_pair",
    "routes",
    "corridors",
    "corridors_from_flows",
    "transit_hubs",
    "trends",
    "cross_border",
]

_CORE = ("person_id", "case_id", "leg", "location", "stage")
_STAGES = ("recruitment", "transit", "exploitation")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_ISO3166_2 = re.compile(r"^([A-Z]{2})-[A-Z0-9]{1,3}$")
_RANK = {"address": 0, "district": 1, "city": 1, "border_crossing": 1, "port": 1, "province": 2,
         "country": 3}
_CORRIDOR_COLUMNS = ["source", "transit", "destination", "victims", "cases", "cross_border"]


# --------------------------------------------------------------- hierarchy
class _Lifter:
    """Maps a location to its ancestor at a given level (cached)."""

    def __init__(
        self,
        hierarchy: Mapping[Hashable, Hashable] | nx.DiGraph | None,
        levels: Mapping[Hashable, str] | None,
    ) -> None:
        self.parent: dict[Hashable, Hashable] = {}
        self.kind: dict[Hashable, str] = {}
        if isinstance(hierarchy, nx.Graph):
            for node, data in hierarchy.nodes(data=True):
                if data.get("kind"):
                    self.kind[node] = str(data["kind"])
            for child, parent in hierarchy.edges():
                self.parent.setdefault(child, parent)
        elif hierarchy is not None:
            self.parent = {c: p for c, p in hierarchy.items() if p is not None and not _isna(p)}
        if levels is not None:
            self.kind.update({k: str(v) for k, v in levels.items() if v is not None and not _isna(v)})
        self._cache: dict[tuple[Hashable, str], Hashable | None] = {}

    def level_of(self, loc: Hashable) -> str | None:
        if loc in self.kind:
            return self.kind[loc]
        if isinstance(loc, str):
            if _ISO3.match(loc):
                return "country"
            if _ISO3166_2.match(loc):
                return "province"
        return None

    def lift(self, loc: Hashable, level: str) -> Hashable | None:
        if level == "border_crossing":
            # a level of its own: border crossings stay themselves, every other place is its country
            key = (loc, level)
            if key not in self._cache:
                found = self._find(loc, "border_crossing")
                self._cache[key] = found if found is not None else self.lift(loc, "country")
            return self._cache[key]
        key = (loc, level)
        if key not in self._cache:
            self._cache[key] = self._lift(loc, level)
        return self._cache[key]

    def _find(self, loc: Hashable, level: str) -> Hashable | None:
        seen: set[Hashable] = set()
        node: Hashable | None = loc
        while node is not None and node not in seen:
            seen.add(node)
            if self.level_of(node) == level:
                return node
            node = self.parent.get(node)
        return None

    def _lift(self, loc: Hashable, level: str) -> Hashable | None:
        seen: set[Hashable] = set()
        node: Hashable | None = loc
        last: Hashable = loc
        while node is not None and node not in seen:
            seen.add(node)
            if self.level_of(node) == level:
                return node
            last = node
            node = self.parent.get(node)
        # The chain ended without reaching the level.
        if level == "country":
            return _country_from_code(last)
        # Keep the finest known place that is coarser than requested (a country when
        # provinces are asked and the place has no province).
        want = _RANK.get(level, 99)
        node = loc
        seen.clear()
        while node is not None and node not in seen:
            seen.add(node)
            if _RANK.get(self.level_of(node) or "", -1) > want:
                return node
            node = self.parent.get(node)
        return None


def _country_from_code(loc: Hashable) -> str | None:
    """ISO 3166-2 ``TH-10`` → ``THA`` (via pycountry) for locations without hierarchy."""
    if not isinstance(loc, str):
        return None
    m = _ISO3166_2.match(loc)
    if not m:
        return None
    try:
        import pycountry

        country = pycountry.countries.get(alpha_2=m.group(1))
    except Exception:  # pragma: no cover - pycountry missing or broken
        return None
    return country.alpha_3 if country is not None else None


def _isna(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _collapse(seq: Iterable[Hashable]) -> list[Hashable]:
    out: list[Hashable] = []
    for x in seq:
        if x is None:
            continue
        if not out or out[-1] != x:
            out.append(x)
    return out


# ------------------------------------------------------------------ routes
def routes(
    journeys: pd.DataFrame,
    level: str = "country",
    hierarchy: Mapping[Hashable, Hashable] | nx.DiGraph | None = None,
    levels: Mapping[Hashable, str] | None = None,
) -> pd.DataFrame:
    """One route ``source → transit… → destination`` per journey, at a level.

    Parameters
    ----------
    journeys : DataFrame
        Rows ``person_id, case_id, leg, location, stage`` (stage one of
        ``recruitment``, ``transit``, ``exploitation``); optional ``weight``
        (victims the journey stands for) and per-journey columns such as
        ``year, nationality, sex, age, exploitation_type``.  Every extra column
        is carried through to the output with its first non-null value per
        journey, so :func:`corridors` can filter on it.
    level : str
        Location kind to express the route in (``"country"``, ``"province"``...).
        ``"border_crossing"`` is a level of its own: border crossings stay
        themselves and every other place becomes its country
        (``MMR → (Mae Sot–Myawaddy,) → THA``).
    hierarchy : mapping or networkx.DiGraph, optional
        ``LOCATED_IN``: child → parent mapping, or a graph with child → parent
        edges (node attribute ``kind`` gives the level of each location).
    levels : mapping, optional
        location → kind; overrides graph ``kind`` attributes.  Without any
        level information, ``AAA`` codes count as countries and ``AA-xx`` codes
        (ISO 3166-2) as provinces whose country is found with pycountry.

    Returns
    -------
    DataFrame
        One row per ``(person_id, case_id)``: ``person_id, case_id, source,
        transit`` (tuple, possibly empty) ``, destination, complete, missing``
        (tuple of missing stages, ``"unmapped"`` stages are those whose location
        cannot be placed at ``level``) ``, cross_border`` (pandas boolean: the
        route touches more than one *country*; ``<NA>`` when undecidable),
        ``countries`` (the countries the journey passes, in order, repeats
        collapsed), then ``weight`` and the carried columns.  A location coarser than ``level``
        (a country when provinces are asked) stays as it is.

    Examples
    --------
    >>> j = pd.DataFrame({"person_id": ["p"] * 3, "case_id": ["c"] * 3, "leg": [0, 1, 2],
    ...                   "location": ["MM-17", "BC-MAESAI", "TH-74"],
    ...                   "stage": ["recruitment", "transit", "exploitation"]})
    >>> r = routes(j, hierarchy={"MM-17": "MMR", "BC-MAESAI": "TH-57", "TH-57": "THA", "TH-74": "THA"})
    >>> r.loc[0, ["source", "transit", "destination"]].tolist(), bool(r.loc[0, "complete"])
    (['MMR', (), 'THA'], True)
    """
    missing_cols = [c for c in _CORE if c not in journeys.columns]
    if missing_cols:
        raise ValueError(f"journeys lacks columns {missing_cols}")
    lifter = _Lifter(hierarchy, levels)
    extra = [c for c in journeys.columns if c not in _CORE]
    df = journeys.sort_values(["person_id", "case_id", "leg"], kind="stable").reset_index(drop=True)
    keys = ["person_id", "case_id"]
    codes = df.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    bounds = [0, *(np.flatnonzero(np.diff(codes)) + 1).tolist(), len(df)] if len(df) else [0]
    locs_all = df["location"].tolist()
    stages_all = df["stage"].tolist()
    pids, cids = df["person_id"].tolist(), df["case_id"].tolist()
    out: list[dict[str, Any]] = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        row = _route_of(locs_all[a:b], stages_all[a:b], level, lifter)
        out.append({"person_id": pids[a], "case_id": cids[a], **row})
    cols = ["person_id", "case_id", "source", "transit", "destination", "complete", "missing",
            "cross_border", "countries"]
    res = pd.DataFrame(out, columns=cols, dtype=object)
    if extra and len(df):
        first = df.assign(_g=codes).groupby("_g", sort=True)[extra].first()  # first non-null per journey
        for c in extra:
            res[c] = first[c].to_numpy()
    else:
        for c in extra:
            res[c] = pd.Series(dtype=object)
    res["cross_border"] = res["cross_border"].astype("boolean")
    res["complete"] = res["complete"].astype(bool)
    return res


def _route_of(locs: list[Any], stages: list[Any], level: str, lifter: _Lifter) -> dict[str, Any]:
    missing: list[str] = []
    rec = [i for i, s in enumerate(stages) if s == "recruitment"]
    exp = [i for i, s in enumerate(stages) if s == "exploitation"]
    i0 = rec[0] if rec else None
    i1 = exp[-1] if exp else None
    if i0 is not None and i1 is not None and i1 < i0:
        i1 = None  # exploitation recorded before recruitment: do not guess
    lo = i0 if i0 is not None else 0
    hi = i1 if i1 is not None else len(locs) - 1

    def lift(i: int) -> Hashable | None:
        loc = locs[i]
        return None if loc is None or _isna(loc) else lifter.lift(loc, level)

    source = lift(i0) if i0 is not None else None
    dest = lift(i1) if i1 is not None else None
    if i0 is None:
        missing.append("recruitment")
    elif source is None:
        missing.append("recruitment (unmapped)")
    if i1 is None:
        missing.append("exploitation")
    elif dest is None:
        missing.append("exploitation (unmapped)")
    inner_start = lo + 1 if i0 is not None else lo
    inner_end = hi if i1 is not None else hi + 1
    inner = [lift(i) for i in range(inner_start, inner_end)]
    transit = tuple(x for x in _collapse(inner) if x != source and x != dest)
    transit = tuple(_collapse(transit))
    # Countries touched, for domestic vs cross-border.
    all_idx = range(lo, hi + 1)
    ordered = _collapse(lifter.lift(locs[i], "country") for i in all_idx
                        if locs[i] is not None and not _isna(locs[i]))
    countries = set(ordered)
    complete = source is not None and dest is not None
    if len(countries) > 1:
        xb: bool | None = True
    elif complete and len(countries) == 1 and all(
        lifter.lift(locs[i], "country") is not None for i in all_idx if not _isna(locs[i])
    ):
        xb = False
    else:
        xb = None
    return {"source": source, "transit": transit, "destination": dest, "complete": complete,
            "missing": tuple(missing), "cross_border": xb, "countries": tuple(ordered)}


def cross_border(routes_df: pd.DataFrame) -> pd.Series:
    """Domestic (False) vs cross-border (True) per route; ``<NA>`` when undecidable.

    Uses the ``cross_border`` column written by :func:`routes` (countries
    touched by the whole journey) when present; otherwise compares source,
    transit and destination (meaningful for country-level routes).

    Examples
    --------
    >>> r = pd.DataFrame({"source": ["THA", "MMR"], "transit": [(), ()], "destination": ["THA", "THA"]})
    >>> cross_border(r).tolist()
    [False, True]
    """
    if "cross_border" in routes_df.columns:
        return routes_df["cross_border"].astype("boolean")
    vals: list[bool | None] = []
    for s, t, d in zip(routes_df["source"], routes_df["transit"], routes_df["destination"], strict=True):
        places = {x for x in (s, *tuple(t or ()), d) if x is not None and not _isna(x)}
        if len(places) > 1:
            vals.append(True)
        elif s is None or d is None or _isna(s) or _isna(d):
            vals.append(None)
        else:
            vals.append(False)
    return pd.Series(vals, index=routes_df.index, dtype="boolean")


# --------------------------------------------------------------- corridors
def _as_set(value: Any) -> set[Any]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return {value}
    return set(value)


def _filter(
    df: pd.DataFrame,
    years: Any,
    nationality: Any,
    exploitation_type: Any,
    sex: Any,
    age: tuple[float | None, float | None] | None,
) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    for col, val in (("year", years), ("nationality", nationality),
                     ("exploitation_type", exploitation_type), ("sex", sex)):
        if val is None:
            continue
        if col not in df.columns:
            raise ValueError(f"cannot filter on {col!r}: routes have no such column (carry it in journeys)")
        mask &= df[col].isin(_as_set(val))
    if age is not None:
        if "age" not in df.columns:
            raise ValueError("cannot filter on 'age': routes have no such column (carry it in journeys)")
        lo, hi = age
        a = pd.to_numeric(df["age"], errors="coerce")
        if lo is not None:
            mask &= a >= lo
        if hi is not None:
            mask &= a <= hi
    return df[mask]


def filter_routes(
    routes_df: pd.DataFrame,
    *,
    years: int | Iterable[int] | None = None,
    nationality: str | Iterable[str] | None = None,
    exploitation_type: str | Iterable[str] | None = None,
    sex: str | Iterable[str] | None = None,
    age: tuple[float | None, float | None] | None = None,
) -> pd.DataFrame:
    """The routes kept by the filters (the same rule :func:`corridors` applies).

    Examples
    --------
    >>> r = pd.DataFrame({"year": [2019, 2021], "sex": ["F", "M"]})
    >>> filter_routes(r, years=[2021]).year.tolist()
    [2021]
    """
    return _filter(routes_df, years, nationality, exploitation_type, sex, age)


def on_pair(routes_df: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """The routes on which both countries appear, in either order, as source, transit or destination.

    Uses the ``countries`` column of :func:`routes` (the countries of the whole journey), so it
    works at every level: a province-level route Shan → Tak → Samut Sakhon is on MMR-THA.

    Examples
    --------
    >>> r = pd.DataFrame({"countries": [("MMR", "THA"), ("THA", "MMR"), ("CHN", "THA", "MMR"), ("LAO", "THA")]})
    >>> on_pair(r, "MMR", "THA").index.tolist()
    [0, 1, 2]
    """
    if "countries" not in routes_df.columns:
        raise ValueError("routes have no 'countries' column (made by analytics.routes.routes)")
    keep = pd.Series([isinstance(c, tuple | list) and a in c and b in c for c in routes_df["countries"]],
                     index=routes_df.index, dtype=bool)
    return routes_df[keep]


def _weights(df: pd.DataFrame) -> pd.Series:
    if "weight" in df.columns:
        return pd.to_numeric(df["weight"], errors="coerce").fillna(0.0)
    return pd.Series(1, index=df.index, dtype="int64")


def corridors(
    routes_df: pd.DataFrame,
    *,
    years: int | Iterable[int] | None = None,
    nationality: str | Iterable[str] | None = None,
    exploitation_type: str | Iterable[str] | None = None,
    sex: str | Iterable[str] | None = None,
    age: tuple[float | None, float | None] | None = None,
    min_victims: float = 1,
    include_incomplete: bool = False,
) -> pd.DataFrame:
    """Aggregate routes into corridors ``source → transit… → destination``.

    Parameters
    ----------
    routes_df : DataFrame
        Output of :func:`routes`.  Filters use its carried columns ``year``,
        ``nationality``, ``exploitation_type``, ``sex``, ``age``.
    years, nationality, exploitation_type, sex : value or iterable, optional
        Keep routes whose column is one of these values.
    age : (low, high), optional
        Inclusive age range; either end may be None.
    min_victims : float
        Drop corridors with fewer victims.
    include_incomplete : bool
        Also aggregate incomplete routes (source or destination None).

    Returns
    -------
    DataFrame
        ``source, transit, destination, victims, cases, cross_border`` sorted
        by victims descending; ``victims`` counts journeys (sum of ``weight``
        when present), ``cases`` counts distinct case ids.

    Examples
    --------
    >>> r = pd.DataFrame({"person_id": ["a", "b", "c"], "case_id": ["c1", "c1", "c2"],
    ...                   "source": ["MMR", "MMR", "LAO"], "transit": [(), (), ()],
    ...                   "destination": ["THA"] * 3, "complete": [True] * 3})
    >>> corridors(r)[["source", "victims", "cases"]].values.tolist()
    [['MMR', 2, 1], ['LAO', 1, 1]]
    """
    df = _filter(routes_df, years, nationality, exploitation_type, sex, age)
    if not include_incomplete and "complete" in df.columns:
        df = df[df["complete"].astype(bool)]
    if not len(df):
        return pd.DataFrame(columns=_CORRIDOR_COLUMNS)
    df = df.assign(_w=_weights(df), _xb=cross_border(df),
                   _t=[tuple(t) if isinstance(t, tuple | list) else () for t in df["transit"]],
                   _s=[x if isinstance(x, str) else "" for x in df["source"]],
                   _d=[x if isinstance(x, str) else "" for x in df["destination"]])
    g = df.groupby(["_s", "_t", "_d"], sort=False)
    out = pd.DataFrame({
        "victims": g["_w"].sum(),
        "cases": g["case_id"].nunique() if "case_id" in df.columns else pd.NA,
        "cross_border": g["_xb"].max(),
    }).reset_index().rename(columns={"_s": "source", "_t": "transit", "_d": "destination"})
    if include_incomplete:
        out[["source", "destination"]] = out[["source", "destination"]].replace({"": None})
    out = out[out["victims"] >= min_victims]
    out = out.sort_values(["victims", "source", "destination"], ascending=[False, True, True],
                          kind="stable", key=_sort_key)
    return out[_CORRIDOR_COLUMNS].reset_index(drop=True)


def _sort_key(s: pd.Series) -> pd.Series:
    return s.astype(str) if s.name in ("source", "destination", "transit") else s


def corridors_from_flows(
    flows: pd.DataFrame,
    origin: str = "origin",
    destination: str = "destination",
    count: str = "count",
    *,
    min_victims: float = 1,
) -> pd.DataFrame:
    """Corridors from aggregate flows such as UNODC GLOTIP (origin, destination, count).

    Parameters
    ----------
    flows : DataFrame
        One row per reported flow; rows for the same pair are summed.
        Non-numeric counts (e.g. the suppressed ``"<5"``) must be resolved by
        the caller; unparseable counts are treated as missing and skipped.
    origin, destination, count : str
        Column names.
    min_victims : float
        Drop corridors with fewer victims.

    Returns
    -------
    DataFrame
        ``source, transit`` (always ``()``) ``, destination, victims, cases``
        (``<NA>``: aggregate data has no cases) ``, cross_border`` sorted by
        victims descending.

    Examples
    --------
    >>> f = pd.DataFrame({"origin": ["MMR", "MMR", "THA"], "destination": ["THA"] * 3, "count": [5, 7, 3]})
    >>> corridors_from_flows(f)[["source", "destination", "victims"]].values.tolist()
    [['MMR', 'THA', 12], ['THA', 'THA', 3]]
    """
    df = pd.DataFrame({
        "source": flows[origin],
        "destination": flows[destination],
        "victims": pd.to_numeric(flows[count], errors="coerce"),
    }).dropna()
    out = df.groupby(["source", "destination"], sort=False)["victims"].sum().reset_index()
    out.insert(1, "transit", [()] * len(out))
    out["cases"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["cross_border"] = pd.array(out["source"] != out["destination"], dtype="boolean")
    out = out[out["victims"] >= min_victims]
    out = out.sort_values(["victims", "source", "destination"], ascending=[False, True, True], kind="stable")
    return out[_CORRIDOR_COLUMNS].reset_index(drop=True)


# ------------------------------------------------------------ hubs, trends
def transit_hubs(routes_df: pd.DataFrame) -> pd.DataFrame:
    """Transit places ranked by the victims whose routes pass through them.

    Returns
    -------
    DataFrame
        ``location, victims, routes, cases, corridors`` sorted by victims
        descending; ``routes`` is the number of journeys, ``corridors`` the
        number of distinct ``(source, transit, destination)`` through the hub.
        A journey counts once per hub even if it passes twice.

    Examples
    --------
    >>> r = pd.DataFrame({"case_id": ["c1", "c2"], "source": ["MMR", "KHM"],
    ...                   "transit": [("LAO",), ("LAO", "VNM")], "destination": ["THA", "CHN"]})
    >>> transit_hubs(r)[["location", "victims"]].values.tolist()
    [['LAO', 2], ['VNM', 1]]
    """
    w = _weights(routes_df).tolist()
    cases = routes_df["case_id"].tolist() if "case_id" in routes_df else [None] * len(routes_df)
    rows = []
    for i, (s, t, d) in enumerate(zip(routes_df["source"], routes_df["transit"], routes_df["destination"],
                                      strict=True)):
        if not isinstance(t, tuple | list):
            continue
        for loc in dict.fromkeys(t):
            rows.append((loc, w[i], cases[i], (s, tuple(t), d)))
    if not rows:
        return pd.DataFrame(columns=["location", "victims", "routes", "cases", "corridors"])
    df = pd.DataFrame(rows, columns=["location", "w", "case_id", "corridor"])
    g = df.groupby("location")
    out = pd.DataFrame({"victims": g["w"].sum(), "routes": g.size(), "cases": g["case_id"].nunique(),
                        "corridors": g["corridor"].nunique()}).reset_index()
    return out.sort_values(["victims", "location"], ascending=[False, True], kind="stable").reset_index(drop=True)


def trends(routes_df: pd.DataFrame, by: str = "year", *, include_transit: bool = False) -> pd.DataFrame:
    """Victims per corridor per year (or another carried column).

    Returns
    -------
    DataFrame
        ``<by>, source, destination, victims, cases`` (plus ``transit`` when
        ``include_transit``), sorted by ``by`` then victims descending.

    Examples
    --------
    >>> r = pd.DataFrame({"case_id": ["c1", "c2", "c3"], "source": ["MMR"] * 3, "transit": [()] * 3,
    ...                   "destination": ["THA"] * 3, "year": [2020, 2021, 2021]})
    >>> trends(r)[["year", "victims"]].values.tolist()
    [[2020, 1], [2021, 2]]
    """
    if by not in routes_df.columns:
        raise ValueError(f"routes have no {by!r} column")
    keys = [by, "source", "destination"]
    df = routes_df.assign(_w=_weights(routes_df))
    if include_transit:
        df = df.assign(transit=[tuple(t) for t in df["transit"]])
        keys = [by, "source", "transit", "destination"]
    g = df.groupby(keys, sort=False, dropna=True)
    out = pd.DataFrame({"victims": g["_w"].sum(), "cases": g["case_id"].nunique()}).reset_index()
    out = out.sort_values([by, "victims", "source", "destination"], ascending=[True, False, True, True],
                          kind="stable", key=_sort_key)
    return out.reset_index(drop=True)
