"""Prosecution and victim assistance: yearly indicators, the case pipeline, assistance
coverage, unpaid compensation with payable assets, and the provincial dashboard.

One view function per capability; the API routes, the pages, the CLI commands
and the exports call them alike.  Who sees what:

* **indicators, pipeline, coverage, dashboards** — every role; below
  investigator every count passes :mod:`views.disclosure` (the cell-key method:
  each published count is perturbed by the key of the records it counts, counts
  under 5 are suppressed, what rests on a suppressed count — a median, a sum, a
  share, a change — is not shown), stalled-case lists are left out, and no
  person is named;
* **coverage per victim** (who was never screened, sheltered, assisted) — only
  scopes with :attr:`graph.scope.Scope.protection` (the ``protection`` unit,
  investigator or above, and admins): victim-protection records;
* **unpaid compensation** (offenders and their assets) — investigators and above.

Every call is audited: ``read_protected`` (protected records one by one),
``read_protected_aggregate`` (aggregates computed from them), ``read_personal``
(offenders) or ``read_aggregate``.  A province-scoped user
(:attr:`graph.scope.Scope.provinces`) reads everything through their
compartment, so only their province's cases and what hangs off them count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from core.errors import InvalidInput, NotFound, QuerySetTooSmall
from graph.model import EXPLOITATION_TYPES
from graph.scope import Scope

from . import disclosure as sdc
from ._common import cached, records, table
from .models import (
    AttritionRow,
    CoverageOut,
    CoveragePersonRow,
    DashboardOut,
    IndicatorRow,
    PipelineOut,
    StalledRow,
    Table,
    TransitionRow,
    UnpaidRow,
)

__all__ = [
    "PipelineQuery",
    "indicators",
    "indicator_years",
    "pipeline",
    "assistance_coverage",
    "compensation_unpaid",
    "province_dashboard",
    "provinces",
    "STALLED_DAYS",
    "BY",
]

#: default: a case with no event for more than this many days is stalled
STALLED_DAYS = 365
#: the breakdowns of the pipeline
BY = ("agency", "province", "exploitation_type")


# ------------------------------------------------------------------ data
def _frames(scope: Scope) -> dict[str, pd.DataFrame]:
    """The records of the scope's visible cases, read once per (data version, compartment)."""
    from graph import justice as gj

    def load() -> dict[str, pd.DataFrame]:
        out = {"cases": gj.cases(scope), "stages": gj.justice_stages(scope), "screenings": gj.screenings(scope),
               "assistance": gj.assistance(scope), "victims": gj.victims(scope), "officials": gj.officials(scope),
               "compensation": gj.compensation(scope), "enforcement": gj.enforcement(scope),
               "provinces": gj.province_names(scope)}
        ids = set(out["victims"]["person_id"]) | set(out["screenings"]["person_id"]) | set(
            out["assistance"]["person_id"]) | set(out["compensation"]["offender_id"])
        out["persons"] = gj.person_attributes(scope, sorted(ids))
        return out

    frames: dict[str, pd.DataFrame] = cached(scope, "justice_frames", (), load)
    return frames


def _as_of(scope: Scope, as_of: dt.date | None) -> dt.date:
    if as_of is not None:
        return as_of
    from graph import justice as gj

    latest = cached(scope, "justice_latest", (), lambda: gj.latest_event(scope))
    return latest or dt.date.today()


def _names(frames: dict[str, pd.DataFrame], code_or_name: str) -> set[str]:
    """The values a case's ``province`` may hold for a province code or name."""
    p = frames["provinces"]
    hit = p[(p["code"] == code_or_name) | (p["name"] == code_or_name) | (p["name_th"] == code_or_name)]
    out = {code_or_name}
    for r in hit.itertuples(index=False):
        out |= {x for x in (r.code, r.name, r.name_th) if isinstance(x, str)}
    return out


# ----------------------------------------------------------- disclosure
def _pub(scope: Scope, kind: str, ids: Any) -> int | None:
    """A count of the distinct ``ids`` as the scope may see it: exact for investigators and
    above; for viewers the cell-key published value (:func:`views.disclosure.publish`: perturbed,
    None under the threshold); an empty set is 0."""
    recs = list(dict.fromkeys(str(i) for i in ids))
    if sdc.exact_for(scope):
        return len(recs)
    if not recs:
        return 0
    return sdc.publish(len(recs), sdc.cell_key(sdc.record_keys([f"{kind}:{i}" for i in recs],
                                                               sdc.disclosure_key())))


def _meta(scope: Scope) -> dict[str, Any]:
    exact = sdc.exact_for(scope)
    return {"disclosure": "exact" if exact else "cell-key", "threshold": sdc.THRESHOLD,
            "note": "exact counts" if exact else (f"counts perturbed by at most ±2 (cell-key method); counts under "
                                                  f"{sdc.THRESHOLD} and what rests on them are not shown")}


# ------------------------------------------------------------ indicators
def _indicator_table(scope: Scope) -> pd.DataFrame:
    """The indicator rows with the change on the year before, as the scope may see them."""
    from analytics.justice import indicators as compute
    from analytics.justice import with_change

    def raw() -> pd.DataFrame:
        f = _frames(scope)
        return compute(f["stages"], f["screenings"], f["assistance"], f["compensation"], f["officials"],
                       f["persons"], f["cases"])

    def published() -> pd.DataFrame:
        df = cached(scope, "justice_indicators_raw", (), raw).copy()
        if sdc.exact_for(scope):
            return with_change(df).assign(suppressed=False)
        counted = {"sentence_months_median", "sentence_months_mean", "compensation_awarded", "compensation_paid"}
        ns = [_pub(scope, f"{r.indicator}:{r.year}", r.records) for r in df.itertuples(index=False)]
        vals = [(None if n is None else r.value) if r.indicator in counted else n
                for n, r in zip(ns, df.itertuples(index=False), strict=True)]
        sup = [n is None for n in ns]
        df = df.assign(value=pd.Series(vals, index=df.index, dtype="object"),
                       n=pd.Series(ns, index=df.index, dtype="object"))
        out = with_change(df)
        key = {(r.indicator, r.dimension, r.group, r.year): s_ for r, s_ in zip(df.itertuples(index=False), sup,
                                                                               strict=True)}
        return out.assign(suppressed=[key.get((r.indicator, r.dimension, r.group, r.year), False)
                                      for r in out.itertuples(index=False)])

    out: pd.DataFrame = cached(scope, "justice_indicators", sdc.exact_for(scope), published)
    return out


def indicator_years(scope: Scope) -> list[int]:
    """The years the indicators cover (for pickers)."""
    scope.require("viewer")
    return sorted({int(y) for y in _indicator_table(scope)["year"]})


def indicators(scope: Scope, year: int | None = None, dimension: str | None = None,
               export: str | None = None) -> Table[IndicatorRow]:
    """The yearly indicators with the change on the year before (all years, or one).

    ``dimension`` keeps only the totals (``""``) or one breakdown (``nationality``, ``sex``,
    ``age_group``, ``exploitation_type``); None keeps everything.  ``export`` names the file
    format when the result leaves netintel (xlsx, csv, pdf): audited as an export.  Below
    investigator the counts are published by the cell-key method (a change is then the
    difference of two published values)."""
    from analytics.justice import BREAKDOWNS

    scope.require("viewer")
    if dimension not in (None, "", *BREAKDOWNS):
        raise InvalidInput(f"dimension must be one of {', '.join(BREAKDOWNS)} (or empty for totals)")
    df = _indicator_table(scope)
    if year is not None:
        df = df[df["year"] == int(year)]
    if dimension is not None:
        df = df[df["dimension"] == dimension]
    df = df.reset_index(drop=True)
    if export:
        scope.audit("export", "indicators", format=export, year=year, dimension=dimension, rows=len(df))
    else:
        scope.audit("read_protected_aggregate", "indicators", year=year, dimension=dimension, rows=len(df))
    return Table[IndicatorRow].model_validate(table(IndicatorRow, df, year=year, dimension=dimension,
                                                    **_meta(scope)))


# ------------------------------------------------------------- pipeline
@dataclass(frozen=True)
class PipelineQuery:
    """Filters of the pipeline: case agency, province (code or name), exploitation type, years
    (of the complaint), a breakdown, the stall threshold and the day stalls count to."""

    agency: tuple[str, ...] | None = None
    province: tuple[str, ...] | None = None
    exploitation_type: tuple[str, ...] | None = None
    years: tuple[int, ...] | None = None
    by: str | None = None
    stalled_days: int = STALLED_DAYS
    as_of: dt.date | None = None
    raw: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def parse(cls, *, agency: str | None = None, province: str | None = None, exploitation_type: str | None = None,
              years: str | None = None, by: str | None = None, stalled_days: int | None = None,
              as_of: str | dt.date | None = None) -> PipelineQuery:
        """From the text forms (comma-separated lists; ``years`` 2020, 2018-2024 or 2019,2021)."""
        from .routes import _years

        def lst(v: str | None) -> tuple[str, ...] | None:
            out = tuple(x.strip() for x in (v or "").split(",") if x.strip())
            return out or None

        et = lst(exploitation_type)
        if et and any(x not in EXPLOITATION_TYPES for x in et):
            raise InvalidInput("unknown exploitation type", {"allowed": list(EXPLOITATION_TYPES)})
        if by not in (None, "", *BY):
            raise InvalidInput(f"by must be one of {', '.join(BY)}")
        days = STALLED_DAYS if stalled_days is None else int(stalled_days)
        if not 1 <= days <= 36500:
            raise InvalidInput("stalled_days must be 1..36500")
        day: dt.date | None
        try:
            day = dt.date.fromisoformat(as_of) if isinstance(as_of, str) and as_of else (
                as_of if isinstance(as_of, dt.date) else None)
        except ValueError:
            raise InvalidInput("as_of must be a date YYYY-MM-DD") from None
        raw = {k: str(v) for k, v in {"agency": agency, "province": province, "exploitation_type": exploitation_type,
                                      "years": years, "by": by, "stalled_days": stalled_days,
                                      "as_of": as_of}.items() if v}
        return cls(tuple(a.upper() for a in lst(agency) or ()) or None, lst(province), et, _years(years), by or None,
                   days, day, raw)


def _filter_cases(frames: dict[str, pd.DataFrame], q: PipelineQuery) -> pd.DataFrame:
    c = frames["cases"]
    c = c[c["exploitation_type"].notna() & (c["exploitation_type"] != "")]
    if q.agency:
        c = c[c["agency"].isin(q.agency)]
    if q.province:
        names: set[str] = set()
        for p in q.province:
            names |= _names(frames, p)
        c = c[c["province"].isin(names)]
    if q.exploitation_type:
        c = c[c["exploitation_type"].isin(q.exploitation_type)]
    if q.years:
        st = frames["stages"]
        first = st[st["stage"] == "complaint"].groupby("case_id")["on_date"].min()
        keep = {cid for cid, d in first.items() if d.year in q.years}
        c = c[c["case_id"].isin(keep)]
    return c.reset_index(drop=True)


def _pipeline(scope: Scope, frames: dict[str, pd.DataFrame], cases: pd.DataFrame, q: PipelineQuery,
              as_of: dt.date) -> dict[str, pd.DataFrame]:
    from analytics.justice import pipeline as compute

    st = frames["stages"]
    st = st[st["case_id"].isin(set(cases["case_id"]))]
    return compute(st, cases, as_of=as_of, stalled_days=q.stalled_days, by=q.by)


def _pipeline_out(scope: Scope, res: dict[str, pd.DataFrame]) -> dict[str, Any]:
    att = []
    complaints: dict[str, int | None] = {}
    for r in res["attrition"].itertuples(index=False):
        n = _pub(scope, f"pipeline:{r.stage}", r.records)
        if r.stage == "complaint":
            complaints[r.group] = n
        att.append({"group": r.group, "stage": r.stage, "cases": n, "suppressed": n is None})
    for a in att:
        base = complaints.get(a["group"])
        a["share"] = round(a["cases"] / base, 4) if a["cases"] is not None and base else None
    tr = []
    for t in res["transitions"].itertuples(index=False):
        n = _pub(scope, f"pipeline:{t.from_stage}>{t.to_stage}", t.records)
        tr.append({"group": t.group, "from_stage": t.from_stage, "to_stage": t.to_stage, "cases": n,
                   "median_days": None if n is None else t.median_days,
                   "mean_days": None if n is None else t.mean_days, "suppressed": n is None})
    stalled = res["stalled"]
    n_stalled = _pub(scope, "pipeline:stalled", stalled["case_id"])
    st_rows = [StalledRow.model_validate(r) for r in records(stalled)] if sdc.exact_for(scope) else []
    return {"attrition": [AttritionRow.model_validate(r) for r in att],
            "transitions": [TransitionRow.model_validate(r) for r in tr],
            "stalled": st_rows, "stalled_count": n_stalled}


def pipeline(scope: Scope, q: PipelineQuery) -> PipelineOut:
    """Attrition (complaint → conviction), time from stage to stage and stalled cases, optionally
    broken down ``by`` agency, province or exploitation type."""
    scope.require("viewer")
    frames = _frames(scope)
    as_of = _as_of(scope, q.as_of)
    key = (q.agency, q.province, q.exploitation_type, q.years, q.by, q.stalled_days, as_of)
    res = cached(scope, "justice_pipeline", key, lambda: _pipeline(scope, frames, _filter_cases(frames, q), q, as_of))
    out = _pipeline_out(scope, res)
    scope.audit("read_aggregate", "pipeline", filters=q.raw, stalled=len(res["stalled"]))
    return PipelineOut(**out, meta={"filters": q.raw, "as_of": as_of.isoformat(), "stalled_days": q.stalled_days,
                                    **_meta(scope)})


# ------------------------------------------------------------- coverage
def assistance_coverage(scope: Scope) -> CoverageOut:
    """Victims never screened, identified victims never sheltered or assisted, time to first
    assistance, repatriation, victims identified in more than one case.  The per-victim rows are
    protected records: only for scopes with protection (others get the counts)."""
    from analytics.justice import coverage

    scope.require("viewer")
    f = _frames(scope)
    summary, persons = cached(scope, "justice_coverage", (),
                              lambda: coverage(f["victims"], f["screenings"], f["assistance"], f["persons"]))
    if scope.protection:
        scope.audit("read_protected", "assistance_coverage", rows=len(persons))
        rows = [CoveragePersonRow.model_validate(r) for r in records(persons)]
        return CoverageOut(summary=summary, persons=rows, meta={"protected": True})
    ids = _coverage_ids(persons)
    shown: dict[str, float | int | None] = {k: _pub(scope, f"coverage:{k}", ids[k]) if k in ids else v
                                            for k, v in summary.items()}
    if shown.get("assisted_after_identification") is None:
        shown["median_days_to_first_assistance"] = shown["mean_days_to_first_assistance"] = None
    scope.audit("read_protected_aggregate", "assistance_coverage")
    return CoverageOut(summary=shown, persons=[], meta={
        "protected": False, "why": "per-victim rows need the protection unit (docs/security.md)", **_meta(scope)})


def _coverage_ids(t: pd.DataFrame) -> dict[str, list[str]]:
    """The persons behind each count of the coverage summary (for disclosure control)."""
    victim = t["victim_cases"].map(bool)
    ident = t["identified"].astype(bool)
    served = t["services"].map(bool)
    shelt = t["sheltered"].astype(bool)
    foreign = t["foreign"].astype(bool) & ident
    rep = t["repatriated"].astype(bool)

    def ids(mask: pd.Series) -> list[str]:
        return list(t.loc[mask, "person_id"])

    return {"victims": ids(victim), "screened": ids(victim & t["screened"].astype(bool)),
            "not_screened": ids(victim & ~t["screened"].astype(bool)), "identified": ids(ident),
            "sheltered": ids(ident & shelt), "not_sheltered": ids(ident & ~shelt),
            "with_services": ids(ident & served), "without_services": ids(ident & ~served),
            "without_assistance": ids(ident & ~served & ~shelt),
            "assisted_after_identification": ids(ident & t["days_to_first_assistance"].notna()),
            "foreign_identified": ids(foreign), "repatriated": ids(foreign & rep),
            "not_repatriated": ids(foreign & ~rep),
            "repeat_victims": ids(t["identified_cases"].map(lambda c: len(c) > 1))}


# ---------------------------------------------------------- compensation
def compensation_unpaid(scope: Scope, as_of: dt.date | None = None) -> Table[UnpaidRow]:
    """Every convicted offender with compensation unpaid: amount owed, time since the verdict
    and the assets in the graph that could pay (vehicles, accounts, companies, accounts receiving
    money from theirs), with what enforcement has found, frozen or seized."""
    from analytics.justice import unpaid_compensation
    from graph import justice as gj

    scope.require("investigator")
    f = _frames(scope)
    day = _as_of(scope, as_of)

    def run() -> pd.DataFrame:
        comp = f["compensation"]
        assets = gj.offender_assets(scope, sorted(set(comp["offender_id"])))
        df = unpaid_compensation(comp, f["stages"], assets, f["enforcement"], as_of=day)
        names = f["persons"].drop_duplicates("person_id").set_index("person_id")["name"].to_dict()
        df.insert(1, "name", [names.get(o) for o in df["offender_id"]])
        return df

    df = cached(scope, "justice_unpaid", day, run)
    scope.audit("read_personal", "compensation_unpaid", rows=len(df), as_of=day.isoformat())
    return Table[UnpaidRow].model_validate(table(UnpaidRow, df, as_of=day.isoformat(),
                                                 owed_total=round(float(df["owed"].sum()), 2) if len(df) else 0.0))


# ------------------------------------------------------------ provinces
def provinces(scope: Scope) -> list[dict[str, Any]]:
    """The provinces the scope may open a dashboard for, with their visible case counts."""
    scope.require("viewer")
    f = _frames(scope)
    p = f["provinces"]
    if scope.provinces:
        p = p[p["code"].isin(scope.provinces)]
    counts = f["cases"]["province"].value_counts().to_dict()
    out = []
    for r in p.sort_values("code").itertuples(index=False):
        n = sum(int(counts.get(x, 0)) for x in (r.code, r.name, r.name_th) if isinstance(x, str))
        ids = f["cases"].loc[f["cases"]["province"].isin({x for x in (r.code, r.name, r.name_th)
                                                          if isinstance(x, str)}), "case_id"]
        out.append({"code": r.code, "name": r.name, "name_th": r.name_th, "cases": _pub(scope, "cases", ids)
                    if n else 0})
    return out


def _months(as_of: dt.date, n: int = 24) -> list[dt.date]:
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def province_dashboard(scope: Scope, code: str, as_of: dt.date | None = None,
                       stalled_days: int = STALLED_DAYS) -> DashboardOut:
    """One province's data centre: cases, victims, screenings, shelter occupancy, the pipeline
    and stalled cases (of the cases recorded in that province).  A province-scoped user may
    open only their own (another answers 404, like a hidden record)."""
    from analytics.justice import shelter_occupancy

    scope.require("viewer")
    f = _frames(scope)
    p = f["provinces"]
    hit = p[p["code"] == code]
    if not len(hit) or (scope.provinces and code not in scope.provinces):
        raise NotFound(f"unknown province {code!r}")
    row = hit.iloc[0]
    day = _as_of(scope, as_of)
    q = PipelineQuery(province=(code,), stalled_days=stalled_days, as_of=day, raw={"province": code})

    def run() -> dict[str, Any]:
        names = _names(f, code)
        cases = f["cases"][f["cases"]["province"].isin(names)]
        ids = set(cases["case_id"])
        scr = f["screenings"][f["screenings"]["case_id"].isin(ids)]
        asst = f["assistance"][f["assistance"]["case_id"].isin(ids)]
        vic = f["victims"][f["victims"]["case_id"].isin(ids)]
        occ = shelter_occupancy(asst, [*_months(day), day])
        res = _pipeline(scope, f, _filter_cases(f, q), q, day)
        return {"cases": cases, "screenings": scr, "victims": vic, "occupancy": occ, "pipeline": res}

    d = cached(scope, "justice_dashboard", (code, day, stalled_days), run)
    cases = d["cases"]
    try:
        sdc.guard_query_set(scope, list(cases["case_id"]), "province_dashboard", kind="case",
                            filters={"province": code})
    except QuerySetTooSmall:  # too few cases to publish anything about them: an empty dashboard
        return DashboardOut(province={"code": str(row["code"]), "name": row["name"], "name_th": row["name_th"]},
                            as_of=day.isoformat(), cases=None, victims=None, shelter_occupancy=None, screenings={},
                            occupancy_by_month=[],
                            suppressed=True, refused=True)

    def by(df: pd.DataFrame, col: str, kind: str, idcol: str, fill: str) -> dict[str, int | None]:
        vals = df[col].replace("", fill).fillna(fill)
        return {str(k): _pub(scope, f"{kind}:{k}", df.loc[vals == k, idcol]) for k in sorted(vals.unique())}

    occ = d["occupancy"]
    months = [{"month": r.on.isoformat()[:7], "occupied": _pub(scope, f"shelter:{r.on}", r.persons)}
              for r in occ.iloc[:-1].itertuples(index=False)]
    pipe = _pipeline_out(scope, d["pipeline"])
    out = DashboardOut(
        province={"code": str(row["code"]), "name": row["name"], "name_th": row["name_th"]}, as_of=day.isoformat(),
        cases=_pub(scope, "cases", cases["case_id"]),
        cases_by_status=by(cases, "status", "status", "case_id", "unknown"),
        cases_by_exploitation_type=by(cases, "exploitation_type", "etype", "case_id", "other"),
        victims=_pub(scope, "victims", d["victims"]["person_id"]),
        screenings=by(d["screenings"], "outcome", "screening", "id", "unknown"),
        shelter_occupancy=_pub(scope, f"shelter:{day}", occ.iloc[-1]["persons"]), occupancy_by_month=months,
        attrition=pipe["attrition"], transitions=pipe["transitions"], stalled=pipe["stalled"],
        stalled_count=pipe["stalled_count"], suppressed=not sdc.exact_for(scope))
    scope.audit("read_protected_aggregate", "province_dashboard", province=code, as_of=day.isoformat())
    return out
