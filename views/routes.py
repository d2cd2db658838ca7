"""Routes, corridors, transit hubs, trends and the route map's data.

The journeys projection and the routes computed from it are whole-database
work: cached per (data version, compartment, level, cases); every filter is
then applied to the cached routes.  Every count a role below investigator
sees passes :mod:`views.disclosure` (the one disclosure rule): cell-key
perturbation, small cells not listed, a minimum query-set size, no case
filters, every query audited.

What is counted
---------------
* A **victim** is one journey (a person in a case).  Corridors, hubs, maps and
  trends count the *complete* journeys only (a place of recruitment and of
  exploitation known); the others are *left out* and counted by reason in
  every answer's ``meta.left_out``.
* The **year** of a journey is the year of its first leg (recruitment), or of
  the case's opening when the legs carry no date.
* ``pair=A-B`` keeps every journey on which both countries appear, in either
  order, as source, transit or destination (both directions and the routes
  through), at every level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from core.errors import InvalidInput, QuerySetTooSmall
from core.places import UN_NAMES
from graph.model import AGENCIES, EXPLOITATION_TYPES
from graph.scope import Scope

from . import disclosure as sdc
from ._common import cached, check_cases, table
from .models import CorridorRow, HubRow, RouteRow, Table, TrendRow

__all__ = ["RouteQuery", "RouteMap", "routes", "corridors", "hubs", "trends", "route_map", "flows_map", "place_names",
           "SUPPRESS_BELOW", "LEVELS", "LANGS", "UN_NAMES", "YEAR_COUNTED", "options"]

LEVELS = ("country", "province", "border_crossing")
LANGS = ("en", "th")
#: counts below this are not shown to roles below investigator (see :mod:`views.disclosure`)
SUPPRESS_BELOW = sdc.THRESHOLD
YEAR_COUNTED = "year of the first leg of the journey (recruitment); the case's opening date when legs are undated"
_ISO3 = re.compile(r"^[A-Z]{3}$")
_SEXES = {"M": "men and boys", "F": "women and girls", "X": "other sex"}

@dataclass(frozen=True)
class RouteQuery:
    """The filters every route view takes, parsed and checked once (API, UI and CLI alike)."""

    level: str = "country"
    cases: tuple[str, ...] | None = None
    years: tuple[int, ...] | None = None
    nationality: tuple[str, ...] | None = None
    exploitation_type: tuple[str, ...] | None = None
    sex: tuple[str, ...] | None = None
    age: tuple[float | None, float | None] | None = None
    pair: tuple[str, str] | None = None
    raw: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def parse(cls, *, level: str | None = "country", cases: str | None = None, years: str | None = None,
              nationality: str | None = None, exploitation_type: str | None = None, sex: str | None = None,
              age: str | None = None, pair: str | None = None) -> RouteQuery:
        """From the text forms: ``years`` 2020, 2018-2024 or 2019,2021; ``nationality`` ISO3 list;
        ``sex`` M,F,X; ``age`` 18-30, -17 or 60-; ``pair`` MMR-THA (either order).

        >>> RouteQuery.parse(years="2019,2021", nationality="mmr, LAO", pair="THA-MMR").years
        (2019, 2021)
        >>> RouteQuery.parse(exploitation_type="fishin")
        Traceback (most recent call last):
        ...
        core.errors.InvalidInput: unknown exploitation type 'fishin' (known: sexual, forced_labour, fishing, \
domestic_servitude, begging, forced_marriage, forced_criminality, organ_removal, other)
        """
        level = (level or "country").strip()
        if level not in LEVELS:
            raise InvalidInput(f"unknown level {level!r} (known: {', '.join(LEVELS)})", {"allowed": list(LEVELS)})
        raw = {k: v for k, v in {"level": level, "cases": cases, "years": years, "nationality": nationality,
                                 "exploitation_type": exploitation_type, "sex": sex, "age": age,
                                 "pair": pair}.items() if v}
        case_ids = tuple(x.strip() for x in cases.split(",") if x.strip()) if cases else None
        return cls(level, case_ids or None, _years(years), _codes(nationality, "nationality"),
                   _choices(exploitation_type), _sex(sex), _age(age), _pair(pair), raw)

    def key(self) -> tuple[Any, ...]:
        return (self.level, self.cases, self.years, self.nationality, self.exploitation_type, self.sex, self.age,
                self.pair)

    def shifted(self, years: tuple[int, ...]) -> RouteQuery:
        """The same query for other years (the previous period)."""
        raw = dict(self.raw, years=f"{min(years)}-{max(years)}")
        return RouteQuery(self.level, self.cases, years, self.nationality, self.exploitation_type, self.sex,
                          self.age, self.pair, raw)

    def slug(self) -> str:
        """The filters as a file-name part: ``MMR-THA_province_2019-2021_F``."""
        parts = []
        if self.pair:
            parts.append("-".join(self.pair))
        parts.append(self.level)
        if self.years:
            parts.append(f"{min(self.years)}-{max(self.years)}" if _contiguous(self.years)
                         else "+".join(str(y) for y in self.years))
        for v in (self.nationality, self.exploitation_type, self.sex):
            if v:
                parts.append("+".join(v))
        if self.age:
            lo, hi = self.age
            parts.append(f"age{'' if lo is None else int(lo)}-{'' if hi is None else int(hi)}")
        if self.cases:
            parts.append(f"{len(self.cases)}cases")
        return re.sub(r"[^A-Za-z0-9_+\-]", "", "_".join(parts))

    def plain_th(self) -> str:
        """The filters in plain words (Thai)."""
        th = _gazetteer_names("th")
        out = []
        if self.pair:
            a, b = self.pair
            out.append(f"การเดินทางที่ผ่านทั้ง{th.get(a, a)}และ{th.get(b, b)} (ทั้งสองทิศทาง และเส้นทางที่ผ่าน)")
        if self.years:
            out.append("ปี " + (f"{min(self.years)}–{max(self.years)}" if _contiguous(self.years)
                                else ", ".join(str(y) for y in self.years)))
        if self.nationality:
            out.append("ผู้เสียหายสัญชาติ" + ", ".join(th.get(c, c) for c in self.nationality))
        if self.sex:
            out.append(" และ ".join({"M": "ชาย", "F": "หญิง", "X": "เพศอื่น"}[s] for s in self.sex))
        if self.age:
            lo, hi = self.age
            out.append(f"อายุ {'' if lo is None else int(lo)}–{'' if hi is None else int(hi)} ปี")
        if self.exploitation_type:
            out.append("รูปแบบการแสวงประโยชน์: " + ", ".join(x.replace("_", " ") for x in self.exploitation_type))
        if self.cases:
            out.append(f"{len(self.cases)} คดีที่เลือก")
        level = {"country": "ประเทศ", "province": "จังหวัด", "border_crossing": "จุดผ่านแดน"}
        return f"ระดับ: {level[self.level]} " + ("; ".join(out) if out else "การเดินทางทั้งหมดที่บันทึกไว้")

    def plain(self) -> str:
        """The filters in plain words (English)."""
        out = []
        if self.pair:
            a, b = self.pair
            out.append(f"journeys on which both {place_names_en().get(a, a)} and {place_names_en().get(b, b)} "
                       f"appear (either direction, and routes through them)")
        if self.years:
            out.append("years " + (f"{min(self.years)}–{max(self.years)}" if _contiguous(self.years)
                                   else ", ".join(str(y) for y in self.years)))
        if self.nationality:
            out.append("victims of nationality " + ", ".join(place_names_en().get(c, c) for c in self.nationality))
        if self.sex:
            out.append(" and ".join(_SEXES[s] for s in self.sex))
        if self.age:
            lo, hi = self.age
            out.append(f"aged {int(lo)} to {int(hi)}" if lo is not None and hi is not None else
                       f"aged {int(lo)} and over" if lo is not None else f"aged {int(hi or 0)} and under")
        if self.exploitation_type:
            out.append("exploitation: " + ", ".join(x.replace("_", " ") for x in self.exploitation_type))
        if self.cases:
            out.append(f"{len(self.cases)} selected case(s)")
        level = {"country": "countries", "province": "provinces", "border_crossing": "border crossings"}
        text = "; ".join(out) if out else "all recorded journeys"
        return f"Level: {level[self.level]}. " + text[:1].upper() + text[1:] + "."


def _contiguous(years: tuple[int, ...]) -> bool:
    return len(years) > 1 and list(years) == list(range(min(years), max(years) + 1))


def _years(v: str | None) -> tuple[int, ...] | None:
    if not v:
        return None
    try:
        out: list[int] = []
        for part in (x.strip() for x in v.split(",") if x.strip()):
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                if b < a or b - a > 200:
                    raise ValueError
                out.extend(range(a, b + 1))
            else:
                out.append(int(part))
        if not out or any(y < 1900 or y > 2100 for y in out):
            raise ValueError
        return tuple(sorted(set(out)))
    except ValueError:
        raise InvalidInput(f"years must look like 2020, 2018-2024 or 2019,2021, not {v!r}") from None


def _codes(v: str | None, what: str) -> tuple[str, ...] | None:
    if not v:
        return None
    out = tuple(x.strip().upper() for x in v.split(",") if x.strip())
    bad = [x for x in out if not _ISO3.match(x) or not _known_iso3(x)]
    if bad:
        raise InvalidInput(f"unknown {what} code(s) {', '.join(bad)}: use ISO 3166-1 alpha-3 codes such as "
                           f"MMR, KHM, LAO", {"unknown": bad})
    return out


def _known_iso3(code: str) -> bool:
    import pycountry

    return pycountry.countries.get(alpha_3=code) is not None


def _choices(v: str | None) -> tuple[str, ...] | None:
    if not v:
        return None
    out = tuple(x.strip() for x in v.split(",") if x.strip())
    bad = [x for x in out if x not in EXPLOITATION_TYPES]
    if bad:
        raise InvalidInput(f"unknown exploitation type {', '.join(map(repr, bad))} "
                           f"(known: {', '.join(EXPLOITATION_TYPES)})", {"allowed": list(EXPLOITATION_TYPES)})
    return out


def _sex(v: str | None) -> tuple[str, ...] | None:
    if not v:
        return None
    out = tuple(x.strip().upper() for x in v.split(",") if x.strip())
    if not all(x in _SEXES for x in out):
        raise InvalidInput(f"sex must be M, F or X (comma separated), not {v!r}")
    return out


def _age(v: str | None) -> tuple[float | None, float | None] | None:
    if not v:
        return None
    v = v.strip()
    if re.fullmatch(r"\d{1,3}", v):
        return (float(v), float(v))
    if not re.fullmatch(r"\d{0,3}-\d{0,3}", v) or v == "-":
        raise InvalidInput(f"age must look like 18-30, -17 or 60-, not {v!r}")
    lo, hi = v.split("-", 1)
    a, b = (float(lo) if lo else None), (float(hi) if hi else None)
    if a is not None and b is not None and b < a:
        raise InvalidInput(f"age range {v!r} is reversed")
    return (a, b)


def _pair(v: str | None) -> tuple[str, str] | None:
    if not v:
        return None
    m = re.fullmatch(r"\s*([A-Za-z]{3})\s*-\s*([A-Za-z]{3})\s*", v)
    if not m:
        raise InvalidInput(f"pair must be two ISO3 country codes like MMR-THA, not {v!r}")
    a, b = m.group(1).upper(), m.group(2).upper()
    _codes(f"{a},{b}", "country")
    if a == b:
        raise InvalidInput("pair needs two different countries")
    return (a, b)


# ------------------------------------------------------------------ names
def place_names_en() -> dict[str, str]:
    """English names of the gazetteer's places (UN naming for countries)."""
    return _gazetteer_names("en")


def _gazetteer_names(lang: str) -> dict[str, str]:
    from ingest.gazetteer import LOCATIONS

    out = {r["id"]: (r["name_th"] if lang == "th" and r.get("name_th") else r["name"]) for r in LOCATIONS}
    for k, (en, th, _kind) in UN_NAMES.items():
        out[k] = th if lang == "th" else en
    return out


def place_names(locations: pd.DataFrame | None, lang: str = "en") -> dict[str, str]:
    """id → name in ``lang`` (``en`` or ``th``): UN naming for countries and areas, Thai names from
    the data or netintel's gazetteer, the id when nothing is known."""
    out = _gazetteer_names(lang)
    if locations is not None and len(locations):
        for r in locations.to_dict("records"):
            name = r.get("name_th") if lang == "th" else r.get("name")
            if isinstance(name, str) and name and r["id"] not in UN_NAMES:
                out[str(r["id"])] = name
    return out


def _locations(scope: Scope, lang: str) -> pd.DataFrame:
    """The location table with ``name`` in ``lang`` and ``kind`` "area" for areas that are not countries."""
    from graph.projection import location_table

    locs: pd.DataFrame = cached(scope, "location_table", (), lambda: location_table(scope)).copy()
    names = place_names(locs, lang)
    locs["name_en"] = [place_names(None, "en").get(i, n) if i in UN_NAMES else n
                       for i, n in zip(locs["id"], locs["name"], strict=True)]
    locs["name"] = [names.get(str(i), str(i)) for i in locs["id"]]
    locs["kind"] = [UN_NAMES[i][2] if i in UN_NAMES else k for i, k in zip(locs["id"], locs["kind"], strict=True)]
    return locs


# -------------------------------------------------------------------- data
def _routes(scope: Scope, q: RouteQuery) -> pd.DataFrame:
    from analytics.routes import routes as compute
    from graph.projection import journeys, location_hierarchy

    ids = check_cases(scope, list(q.cases) if q.cases else None)

    def run() -> pd.DataFrame:
        hl: Any = cached(scope, "location_hierarchy", (), lambda: location_hierarchy(scope))
        hierarchy, levels = hl
        j = cached(scope, "journeys", tuple(ids or ()), lambda: journeys(scope, ids))
        return compute(j, level=q.level, hierarchy=hierarchy, levels=levels)

    df: pd.DataFrame = cached(scope, "routes", (q.level, tuple(ids or ())), run)
    return df


def _filters(q: RouteQuery) -> dict[str, Any]:
    return {"years": list(q.years) if q.years else None, "nationality": list(q.nationality) if q.nationality
            else None, "exploitation_type": list(q.exploitation_type) if q.exploitation_type else None,
            "sex": list(q.sex) if q.sex else None, "age": q.age}


_REASONS = {"exploitation": "no place of exploitation recorded", "recruitment": "no place of recruitment recorded",
            "exploitation (unmapped)": "place of exploitation not on the map",
            "recruitment (unmapped)": "place of recruitment not on the map"}


def _selected(scope: Scope, q: RouteQuery) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(complete routes kept by the filters, left-out journeys with a reason)``; both with ``record``."""
    from analytics.routes import filter_routes, on_pair

    def run() -> tuple[pd.DataFrame, pd.DataFrame]:
        df = filter_routes(_routes(scope, q), **_filters(q))
        if q.pair:
            df = on_pair(df, *q.pair)
        df = df.assign(record=df["person_id"].astype(str) + "|" + df["case_id"].astype(str))
        done = df["complete"].astype(bool)
        left = df[~done]
        reasons = [_REASONS.get(m[0], str(m[0])) if isinstance(m, tuple) and m else "incomplete"
                   for m in left["missing"]]
        return df[done].reset_index(drop=True), left.assign(reason=reasons).reset_index(drop=True)

    out: tuple[pd.DataFrame, pd.DataFrame] = cached(scope, "routes_selected", q.key(), run)
    return out


def _corridor_rows(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(transit=[tuple(t) if isinstance(t, tuple | list) else () for t in df["transit"]])


def _disclosed(scope: Scope, q: RouteQuery, rule: sdc.Rule, *, view: str, audit: bool = True) -> sdc.Disclosed:
    sdc.check_filters(scope, view, cases=q.cases, filters=q.raw)
    exact = sdc.exact_for(scope)

    def run() -> sdc.Disclosed:
        rows, _left = _selected(scope, q)
        return sdc.aggregate(scope, _corridor_rows(rows), ["source", "transit", "destination"],
                             counts={"victims": "record", "cases": "case_id"}, view=view, filters=q.raw,
                             rule=rule, list_small=exact, audit=False)

    d: sdc.Disclosed = cached(scope, "corridors_disclosed", (q.key(), exact, rule), run)
    if audit:
        extra = {"refused": "query set too small"} if d.refused else {}
        scope.audit("read_aggregate", view, filters=q.raw, rows=len(d.cells),
                    method="exact" if exact else "cell-key", **extra)
    return d


def _left_out(scope: Scope, q: RouteQuery, rule: sdc.Rule) -> list[dict[str, Any]]:
    """Journeys left out, by reason (counts disclosed like any cell)."""
    _rows, left = _selected(scope, q)
    if not len(left):
        return []
    d = sdc.aggregate(scope, left, ["reason"], view="left_out", rule=rule, audit=False, guard=False,
                      list_small=sdc.exact_for(scope))
    out = [{"reason": r["reason"], "journeys": None if pd.isna(r["victims"]) else int(r["victims"]),
            "display": sdc.display(None if pd.isna(r["victims"]) else int(r["victims"]), rule)}
           for r in d.cells.to_dict("records")]
    if d.other is not None or (not d.exact and len(d.cells) < left["reason"].nunique()):
        out.append({"reason": "other reasons", "journeys": d.other, "display": sdc.display(d.other, rule)})
    return out


def _previous(q: RouteQuery) -> RouteQuery | None:
    if not q.years:
        return None
    span = max(q.years) - min(q.years) + 1
    return q.shifted(tuple(y - span for y in q.years))


def _years_covered(scope: Scope, q: RouteQuery) -> str:
    rows, _ = _selected(scope, q)
    if q.years:
        ys = sorted(q.years)
    else:
        ys = sorted({int(y) for y in pd.to_numeric(rows.get("year", pd.Series(dtype=float)),
                                                  errors="coerce").dropna()})
    if not ys:
        return "no dated journeys"
    return f"{ys[0]}–{ys[-1]}" if ys[0] != ys[-1] else str(ys[0])


#: Thai names of the agencies of :data:`graph.model.AGENCIES` (for Thai pages)
AGENCIES_TH: dict[str, str] = {
    "RTP": "สำนักงานตำรวจแห่งชาติ", "ATPD": "กองบังคับการปราบปรามการกระทำความผิดเกี่ยวกับการค้ามนุษย์",
    "DSI": "กรมสอบสวนคดีพิเศษ", "OAG": "สำนักงานอัยการสูงสุด", "COJ": "สำนักงานศาลยุติธรรม",
    "AMLO": "สำนักงานป้องกันและปราบปรามการฟอกเงิน", "DOPA": "กรมการปกครอง",
    "MSDHS": "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์", "DOE": "กรมการจัดหางาน",
    "IMM": "สำนักงานตรวจคนเข้าเมือง", "DLPW": "กรมสวัสดิการและคุ้มครองแรงงาน",
    "NGO": "องค์กรพัฒนาเอกชนที่เป็นภาคี", "GAZ": "ทะเบียนสถานที่ของ netintel",
}


def _sources(scope: Scope, q: RouteQuery, lang: str = "en") -> list[str]:
    """The agencies whose records the answer counts, by name (and code)."""
    rows, _ = _selected(scope, q)
    if "agency" not in rows.columns:
        return []
    codes = sorted({str(a) for a in rows["agency"].dropna()})
    names = AGENCIES_TH if lang == "th" else AGENCIES
    return [f"{names.get(c, AGENCIES.get(c, c))} ({c})" for c in codes]


def _corridor_frame(scope: Scope, q: RouteQuery, rule: sdc.Rule, lang: str, *, view: str,
                    audit: bool = True) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The corridor table with names, share and change on the previous period, and its meta."""
    from analytics.routes import cross_border

    d = _disclosed(scope, q, rule, view=view, audit=audit)
    rows, _ = _selected(scope, q)
    names = place_names(_locations(scope, lang), lang)
    cells = d.cells.copy()
    xb = {}
    if len(rows):
        r2 = _corridor_rows(rows).assign(_xb=cross_border(rows))
        xb = {k: bool(v) if not pd.isna(v) else None
              for k, v in r2.groupby(["source", "transit", "destination"])["_xb"].max().items()}
    prev_q = _previous(q)
    prev: dict[tuple[Any, ...], int | None] = {}
    prev_note = "no previous period (set years to compare)"
    if prev_q is not None:
        try:
            pd_ = _disclosed(scope, prev_q, rule, view=view + ":previous", audit=False)
            prev = {(r["source"], r["transit"], r["destination"]):
                    (None if pd.isna(r["victims"]) else int(r["victims"])) for r in pd_.cells.to_dict("records")}
            prev_note = f"previous period: {min(prev_q.years or ())}–{max(prev_q.years or ())}"
        except QuerySetTooSmall:  # pragma: no cover - aggregate answers "refused" instead
            prev_note = "previous period describes too few victims to compare"
        else:
            if pd_.refused:
                prev_note = "previous period describes too few victims to compare"
    out = []
    total = d.total
    for r in cells.to_dict("records"):
        k = (r["source"], r["transit"], r["destination"])
        v = None if pd.isna(r["victims"]) else int(r["victims"])
        c = None if pd.isna(r["cases"]) else int(r["cases"])
        if d.exact and v is not None and v < rule.threshold:
            pass  # exact scopes see the small ones, marked suppressed for exports
        p = prev.get(k) if prev_q is not None else None
        stops = [r["source"], *r["transit"], r["destination"]]
        out.append({
            "source": r["source"], "transit": list(r["transit"]), "destination": r["destination"],
            "source_name": names.get(r["source"], r["source"]),
            "transit_names": [names.get(t, t) for t in r["transit"]],
            "destination_name": names.get(r["destination"], r["destination"]),
            "route": " → ".join(names.get(s, s) for s in stops),
            "victims": v, "cases": c, "cross_border": xb.get(k),
            "share": round(v / total, 4) if v is not None and total else None,
            "previous": p, "change": (v - p) if v is not None and p is not None else None,
            "suppressed": bool(r["suppressed"]),
        })
    df = pd.DataFrame(out, columns=list(CorridorRow.model_fields))
    meta = {"filters": q.raw, "filters_plain": q.plain(), "filters_plain_th": q.plain_th(), **d.meta(),
            "left_out": _left_out(scope, q, rule),
            "years_covered": _years_covered(scope, q), "year_counted": YEAR_COUNTED,
            "previous_period": prev_note, "sources": _sources(scope, q, lang), "lang": lang}
    return df, meta


# -------------------------------------------------------------------- views
def routes(scope: Scope, q: RouteQuery) -> Table[RouteRow]:
    """One route per journey (names persons: investigators)."""
    from analytics.routes import filter_routes, on_pair

    scope.require("investigator")
    df = filter_routes(_routes(scope, q), **_filters(q))
    if q.pair:
        df = on_pair(df, *q.pair)
    scope.audit("read_personal", ",".join(q.cases or ["*"]), view="routes", rows=len(df))
    return Table[RouteRow].model_validate(table(RouteRow, df, filters=q.raw))


def corridors(scope: Scope, q: RouteQuery, *, lang: str = "en") -> Table[CorridorRow]:
    """Corridors with names, victims, cases, share and change on the previous period
    (disclosure-controlled below investigator)."""
    scope.require("viewer")
    _lang(lang)
    d = _disclosed(scope, q, sdc.RULE, view="corridors")  # checks the filters and audits the query

    def run() -> Table[CorridorRow]:
        df, meta = _corridor_frame(scope, q, sdc.RULE, lang, view="corridors", audit=False)
        return Table[CorridorRow].model_validate(table(CorridorRow, df, **meta))

    # the whole answer, per (data version, compartment, query, language, exactness): a warm
    # request costs a lookup, not a re-run of names, shares and changes over every cell
    out: Table[CorridorRow] = cached(scope, "corridors_table", (q.key(), lang, d.exact), run)
    return out


def hubs(scope: Scope, q: RouteQuery, *, lang: str = "en") -> Table[HubRow]:
    """Transit hubs of the same complete journeys the corridors and the map count: a hub's victims are
    the sum of the corridors through it that the table lists, so hub and map totals agree."""
    scope.require("viewer")
    _lang(lang)
    d = _disclosed(scope, q, sdc.RULE, view="hubs", audit=False)
    out: Table[HubRow] = cached(scope, "hubs_table", (q.key(), lang, d.exact), lambda: _hub_table(scope, q, d, lang))
    scope.audit("read_aggregate", "hubs", filters=q.raw, rows=out.count,
                method="exact" if d.exact else "cell-key")
    return out


def _hub_table(scope: Scope, q: RouteQuery, d: sdc.Disclosed, lang: str) -> Table[HubRow]:
    rows, _ = _selected(scope, q)
    names = place_names(_locations(scope, lang), lang)
    through: dict[str, dict[str, Any]] = {}
    for r in d.cells.to_dict("records"):
        if pd.isna(r["victims"]):
            continue
        for t in dict.fromkeys(r["transit"]):
            h = through.setdefault(t, {"victims": 0, "corridors": 0})
            h["victims"] += int(r["victims"])
            h["corridors"] += 1
    exploded = [(t, rec, cid) for ts, rec, cid in zip(rows["transit"], rows["record"], rows["case_id"], strict=True)
                for t in dict.fromkeys(ts or ())] if len(rows) else []
    ex = pd.DataFrame(exploded, columns=["location", "record", "case_id"])
    cases = sdc.aggregate(scope, ex, ["location"], counts={"journeys": "record", "cases": "case_id"}, view="hubs",
                          filters=q.raw, list_small=True, audit=False, guard=False) if len(ex) else None
    case_of = {} if cases is None else {r["location"]: (None if pd.isna(r["cases"]) else int(r["cases"]))
                                        for r in cases.cells.to_dict("records")}
    out = [{"location": loc, "name": names.get(loc, loc), "victims": h["victims"], "routes": h["victims"],
            "cases": case_of.get(loc), "corridors": h["corridors"], "suppressed": case_of.get(loc) is None}
           for loc, h in through.items()]
    out.sort(key=lambda x: (-x["victims"], x["location"]))
    df = pd.DataFrame(out, columns=list(HubRow.model_fields))
    return Table[HubRow].model_validate(table(HubRow, df, filters=q.raw, filters_plain=q.plain(), **d.meta(),
                                              left_out=_left_out(scope, q, sdc.RULE)))


def trends(scope: Scope, q: RouteQuery, *, by: str = "corridor", lang: str = "en") -> Table[TrendRow]:
    """Victims per year (``by="corridor"``: per year and corridor; ``"total"``: per year), disclosed
    like every aggregate; the year counted is :data:`YEAR_COUNTED`."""
    scope.require("viewer")
    _lang(lang)
    if by not in ("corridor", "total"):
        raise InvalidInput(f"unknown trend grouping {by!r} (known: corridor, total)")
    sdc.check_filters(scope, "trends", cases=q.cases, filters=q.raw)
    rows, _ = _selected(scope, q)
    rows = _corridor_rows(rows)
    rows = rows[pd.to_numeric(rows["year"], errors="coerce").notna()].assign(
        year=lambda x: pd.to_numeric(x["year"]).astype(int)) if len(rows) else rows.assign(year=[])
    names = place_names(_locations(scope, lang), lang)
    keys = ["year", "source", "transit", "destination"] if by == "corridor" else ["year"]
    d = sdc.aggregate(scope, rows, keys, counts={"victims": "record", "cases": "case_id"}, view="trends",
                      filters=q.raw, list_small=sdc.exact_for(scope), audit=True)
    out = []
    for r in d.cells.to_dict("records"):
        stops = [r["source"], *r["transit"], r["destination"]] if by == "corridor" else []
        out.append({"year": int(r["year"]), "source": r.get("source"), "transit": list(r.get("transit") or ()),
                    "destination": r.get("destination"),
                    "route": " → ".join(names.get(s, s) for s in stops) if stops else "all corridors",
                    "victims": None if pd.isna(r["victims"]) else int(r["victims"]),
                    "cases": None if pd.isna(r["cases"]) else int(r["cases"]), "suppressed": bool(r["suppressed"])})
    out.sort(key=lambda x: (x["year"], -(x["victims"] or 0), x["route"]))
    df = pd.DataFrame(out, columns=list(TrendRow.model_fields))
    return Table[TrendRow].model_validate(table(TrendRow, df, filters=q.raw, filters_plain=q.plain(), by=by,
                                                year_counted=YEAR_COUNTED, **d.meta()))


@dataclass
class RouteMap:
    """What every route-map export draws: the disclosed corridors (names in ``lang``), the
    locations, and the page's texts (``meta``)."""

    corridors: pd.DataFrame
    locations: pd.DataFrame
    meta: dict[str, Any]


def route_map(scope: Scope, q: RouteQuery, *, min_count: int = SUPPRESS_BELOW, format: str = "html",
              watermark: str = "", lang: str = "en") -> RouteMap:
    """The route map's data for an export in ``format``: counts under ``min_count`` are not
    published (viewers cannot lower it below 5; below investigator the disclosure rule applies)."""
    scope.require("viewer")
    _lang(lang)
    if min_count < SUPPRESS_BELOW and not sdc.exact_for(scope):
        raise InvalidInput("viewers cannot lower the small-count suppression below 5")
    rule = sdc.RULE.with_threshold(min_count) if not sdc.exact_for(scope) else sdc.Rule(
        min_count, sdc.MIN_QUERY_SET, sdc.PTABLE)
    df, meta = _corridor_frame(scope, q, rule, lang, view="routemap", audit=False)
    scope.audit("export", "routemap", format=format, filters=q.raw, corridors=len(df), watermark=watermark,
                method=meta["disclosure"])  # "refused" when the query set was too small
    return RouteMap(df, _locations(scope, lang), meta)


def _lang(lang: str) -> None:
    if lang not in LANGS:
        raise InvalidInput(f"unknown language {lang!r} (known: {', '.join(LANGS)})")


def options() -> dict[str, list[tuple[str, str]]]:
    """The known values of every filter, for the UI's drop-downs."""
    names = place_names_en()
    from ingest.gazetteer import by_kind

    countries = sorted(by_kind("country"), key=lambda c: names.get(c, c))
    return {
        "level": [(lv, lv.replace("_", " ")) for lv in LEVELS],
        "nationality": [(c, f"{names.get(c, c)} ({c})") for c in countries],
        "pair": [(f"{a}-{b}", f"{names.get(a, a)} – {names.get(b, b)}") for a in countries for b in countries
                 if a < b],
        "exploitation_type": [(e, e.replace("_", " ")) for e in EXPLOITATION_TYPES],
        "sex": [(k, v) for k, v in _SEXES.items()],
        "lang": [("en", "English"), ("th", "ไทย")],
    }


# ------------------------------------------------------------ aggregate flows
def flows_map(scope: Scope, table: pd.DataFrame, *, name: str = "uploaded flows", years: str | None = None,
              lang: str = "en", compare: bool = True) -> RouteMap:
    """A route map from aggregate flows (origin, destination, count[, year]) such as UNODC GLOTIP tables.

    The counts are drawn as published ("1,150" → 1,150; "<5" stays "<5", dashed); cases are n/a;
    ``meta.warnings`` lists every row dropped and every place not on the map (with its file line).
    With ``compare`` the national case figures for the same source → destination pairs (and the
    same years) stand beside them, disclosure-controlled like every aggregate (``meta.compare``).
    """
    from analytics.flows import flows_corridors, read_flows

    scope.require("viewer")
    _lang(lang)
    yrs = _years(years)
    locs = _locations(scope, lang)
    drawable = {str(i) for i, lat in zip(locs["id"], locs["lat"], strict=True) if lat is not None and lat == lat}

    def known(code: str) -> bool:
        from viz.routemap import _country_centroid

        return code in drawable or _country_centroid(code) is not None

    try:
        f = read_flows(table, known=known, years=yrs)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    corr = flows_corridors(f)
    names = place_names(locs, lang)
    for col, src in (("source_name", "source"), ("destination_name", "destination")):
        corr[col] = [names.get(x, x) for x in corr[src]]
    corr["route"] = [f"{names.get(s, s)} → {names.get(d, d)}" for s, d in zip(corr["source"], corr["destination"],
                                                                            strict=True)]
    total = int(corr["victims"].fillna(0).sum())
    corr["share"] = [round(int(x) / total, 4) if total and not pd.isna(x) else None for x in corr["victims"]]
    warnings = [{"line": w.line, "reason": w.reason, "value": w.value} for w in f.warnings]
    meta: dict[str, Any] = {"disclosure": "published", "total": total, "warnings": warnings, "flows_name": name,
                            "years_covered": _flow_years(f.rows), "year_counted": "as published (year of detection)",
                            "filters_plain": f"Aggregate flows from {name}" + (f", years {years}" if years else ""),
                            "rows_read": len(table), "rows_kept": len(f.rows), "sources": [name]}
    if compare:
        meta["compare"] = _compare(scope, corr, years, lang)
    scope.audit("read_aggregate", "flows", file=name, rows=len(f.rows), warnings=len(warnings),
                compare=bool(compare))
    return RouteMap(corr, locs, meta)


def _flow_years(rows: pd.DataFrame) -> str:
    ys = sorted({int(y) for y in rows["year"].dropna()}) if len(rows) else []
    if not ys:
        return "not stated in the file"
    return f"{ys[0]}–{ys[-1]}" if ys[0] != ys[-1] else str(ys[0])


def _compare(scope: Scope, flows: pd.DataFrame, years: str | None, lang: str) -> list[dict[str, Any]]:
    """National case figures beside the flows, per source → destination pair (any transit)."""
    q = RouteQuery.parse(years=years)
    d = _disclosed(scope, q, sdc.RULE, view="flows:compare", audit=False)
    national: dict[tuple[str, str], int] = {}
    for r in d.cells.to_dict("records"):
        if not pd.isna(r["victims"]):
            k = (r["source"], r["destination"])
            national[k] = national.get(k, 0) + int(r["victims"])
    out = []
    for r in flows.to_dict("records"):
        k = (r["source"], r["destination"])
        out.append({"route": r["route"], "source": k[0], "destination": k[1],
                    "flows": None if pd.isna(r["victims"]) else int(r["victims"]),
                    "flows_display": "<5" if pd.isna(r["victims"]) else f"{int(r['victims']):,}",
                    "national": national.get(k),
                    "national_display": "—" if d.refused else (f"{national[k]:,}" if k in national else "<5 or none")})
    return out
