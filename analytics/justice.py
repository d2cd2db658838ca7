"""Prosecution and victim assistance: the case pipeline, assistance coverage,
unpaid compensation with the assets that could pay it, and the yearly indicators.

Pure functions: DataFrames in (the shapes of :mod:`graph.justice`), tidy
DataFrames or plain dicts out; no I/O.  The definitions (what counts as a
prosecution, a stalled case, an identified victim ...) are in
``docs/justice.md``.

Examples
--------
>>> import datetime as dt
>>> st = pd.DataFrame({"case_id": ["C1", "C1", "C2"], "person_id": [None, None, None],
...                    "stage": ["complaint", "investigation", "complaint"],
...                    "on_date": [dt.date(2020, 1, 1), dt.date(2020, 1, 11), dt.date(2021, 1, 1)],
...                    "outcome": [None, None, None], "sentence_months": [None, None, None]})
>>> out = pipeline(st, as_of=dt.date(2022, 6, 1), stalled_days=365)
>>> out["transitions"][["from_stage", "to_stage", "cases", "median_days"]].to_dict("records")
[{'from_stage': 'complaint', 'to_stage': 'investigation', 'cases': 1, 'median_days': 10.0}]
>>> sorted(out["stalled"]["case_id"])
['C1', 'C2']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from graph.model import JUSTICE_STAGES

__all__ = [
    "is_finished",
    "age_group",
    "pipeline",
    "coverage",
    "unpaid_compensation",
    "indicators",
    "with_change",
    "shelter_occupancy",
    "INDICATOR_ORDER",
    "BREAKDOWNS",
]

_ORDER = {s: i for i, s in enumerate(JUSTICE_STAGES)}
#: the indicators of the yearly report, in the report's order
INDICATOR_ORDER = ("investigations", "prosecutions", "convictions", "acquittals", "sentences",
                   "sentence_months_median", "sentence_months_mean", "officials_prosecuted",
                   "victims_identified", "victims_assisted", "compensation_awarded", "compensation_paid")
#: breakdowns of the victim indicators
BREAKDOWNS = ("nationality", "sex", "age_group", "exploitation_type")


def is_finished(stage: str, outcome: Any) -> bool:
    """True when a case whose latest event is ``stage``/``outcome`` has ended its path: not
    prosecuted, acquitted, sentenced or appealed (such a case is never "stalled").

    >>> is_finished("prosecutor_decision", "not_prosecute"), is_finished("verdict", "convicted")
    (True, False)
    """
    return bool((stage == "prosecutor_decision" and outcome == "not_prosecute")
                or (stage == "verdict" and outcome == "acquitted") or stage in ("sentence", "appeal"))


def age_group(birth: Any, on: Any) -> str:
    """``child`` (under 18 on the date), ``adult`` or ``unknown`` (no birth date).

    >>> age_group(dt.date(2007, 3, 2), dt.date(2025, 3, 1)), age_group(None, dt.date(2025, 3, 1))
    ('child', 'unknown')
    """
    if birth is None or on is None or (isinstance(birth, float) and pd.isna(birth)):
        return "unknown"
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return "child" if years < 18 else "adult"


def _first_dates(stages: pd.DataFrame) -> pd.DataFrame:
    """Case × stage → first date (a wide frame, one row per case)."""
    if not len(stages):
        return pd.DataFrame(columns=list(JUSTICE_STAGES))
    wide = stages.groupby(["case_id", "stage"])["on_date"].min().unstack("stage")
    return wide.reindex(columns=list(JUSTICE_STAGES))


def pipeline(stages: pd.DataFrame, cases: pd.DataFrame | None = None, *, as_of: dt.date,
             stalled_days: int = 365, by: str | None = None) -> dict[str, pd.DataFrame]:
    """The case pipeline.

    Parameters
    ----------
    stages : DataFrame
        ``case_id, person_id, stage, on_date, outcome`` (one row per justice stage).
    cases : DataFrame, optional
        ``case_id`` and the columns to break down by (``agency, province, exploitation_type``).
    as_of : date
        The day stalls are counted to.
    stalled_days : int
        A case with no event for more than this many days, and not finished, is stalled.
    by : str, optional
        A column of ``cases`` to break every table down by (``group`` column; ``"all"`` without).

    Returns
    -------
    dict of DataFrame
        ``attrition`` (group, stage, cases, share: of the group's complaints; stage ``conviction``
        counts cases with at least one conviction), ``transitions`` (group, from_stage, to_stage,
        cases, median_days, mean_days: first date of a stage to the first date of the next, over
        cases that reached both) — both with ``records``, the case ids counted (for disclosure
        control) — and ``stalled`` (case_id, group, last_stage, last_event_on,
        days_since, and the case columns).
    """
    meta = cases if cases is not None else pd.DataFrame({"case_id": stages["case_id"].unique()})
    group = (meta.set_index("case_id")[by].fillna("") if by else pd.Series("all", index=meta["case_id"]))
    group = group[~group.index.duplicated()]
    first = _first_dates(stages)
    first = first[first.index.isin(group.index)] if cases is not None else first
    g_of = group.reindex(first.index).fillna("")
    convicted = set(stages.loc[(stages["stage"] == "verdict") & (stages["outcome"] == "convicted"), "case_id"])
    att, trans = [], []
    for g in sorted(g_of.unique()):
        f = first[g_of == g]
        base = int(f["complaint"].notna().sum())
        for s in JUSTICE_STAGES:
            ids = sorted(f.index[f[s].notna()])
            att.append({"group": g, "stage": s, "cases": len(ids), "share": round(len(ids) / base, 4) if base else None,
                        "records": ids})
        ids = sorted(c for c in f.index if c in convicted)
        att.append({"group": g, "stage": "conviction", "cases": len(ids),
                    "share": round(len(ids) / base, 4) if base else None, "records": ids})
        for a, b in zip(JUSTICE_STAGES, JUSTICE_STAGES[1:], strict=False):
            both = f[f[a].notna() & f[b].notna()]
            if not len(both):
                continue
            days = pd.Series([(y - x).days for x, y in zip(both[a], both[b], strict=True)], dtype="float64")
            trans.append({"group": g, "from_stage": a, "to_stage": b, "cases": len(days),
                          "median_days": float(days.median()), "mean_days": round(float(days.mean()), 2),
                          "records": sorted(both.index)})
    stalled = _stalled(stages, first.index, as_of, stalled_days)
    stalled.insert(1, "group", [g_of.get(c, "") for c in stalled["case_id"]])
    if cases is not None and len(stalled):
        cols = [c for c in ("agency", "province", "exploitation_type") if c in cases.columns]
        stalled = stalled.merge(cases[["case_id", *cols]].drop_duplicates("case_id"), on="case_id", how="left")
    return {"attrition": pd.DataFrame(att, columns=["group", "stage", "cases", "share", "records"]),
            "transitions": pd.DataFrame(trans, columns=["group", "from_stage", "to_stage", "cases", "median_days",
                                                        "mean_days", "records"]),
            "stalled": stalled}


def _stalled(stages: pd.DataFrame, case_ids: Sequence[str], as_of: dt.date, stalled_days: int) -> pd.DataFrame:
    cols = ["case_id", "last_stage", "last_event_on", "days_since"]
    if not len(stages):
        return pd.DataFrame(columns=cols)
    s = stages[stages["case_id"].isin(set(case_ids))].copy()
    s["_o"] = s["stage"].map(_ORDER)
    last = s.sort_values(["case_id", "on_date", "_o"]).groupby("case_id").tail(1)
    rows = []
    for r in last.itertuples(index=False):
        days = (as_of - r.on_date).days
        if days > stalled_days and not is_finished(r.stage, None if pd.isna(r.outcome) else r.outcome):
            rows.append({"case_id": r.case_id, "last_stage": r.stage, "last_event_on": r.on_date, "days_since": days})
    return pd.DataFrame(rows, columns=cols).sort_values("case_id", ignore_index=True)


def coverage(victims: pd.DataFrame, screenings: pd.DataFrame, assistance: pd.DataFrame,
             persons: pd.DataFrame) -> tuple[dict[str, Any], pd.DataFrame]:
    """Victim-assistance coverage.

    Parameters
    ----------
    victims : DataFrame
        ``person_id, case_id``: persons recorded as victims.
    screenings : DataFrame
        ``person_id, case_id, on_date, outcome``.
    assistance : DataFrame
        ``person_id, case_id, kind`` (shelter/service), ``service, from_date, outcome``.
    persons : DataFrame
        ``person_id, nationality`` (at least for the screened persons).

    Returns
    -------
    (dict, DataFrame)
        The summary (victims, screened, not_screened, identified, not_sheltered, without_services,
        without_assistance, time to first assistance, repatriation, repeat victims — counts) and one
        row per victim or identified person: ``person_id, victim_cases, screened, identified,
        identified_cases, sheltered, services, first_identified, first_assistance,
        days_to_first_assistance, foreign, repatriated, gaps`` (what they lack, in words).
    """
    vset = set(victims["person_id"])
    screened = set(screenings["person_id"])
    ident_rows = screenings[screenings["outcome"] == "identified"]
    identified = set(ident_rows["person_id"])
    sheltered = set(assistance.loc[assistance["kind"] == "shelter", "person_id"])
    served = set(assistance.loc[assistance["kind"] == "service", "person_id"])
    first_id = ident_rows.groupby("person_id")["on_date"].min().to_dict()
    first_help = assistance.groupby("person_id")["from_date"].min().to_dict() if len(assistance) else {}
    nat = persons.drop_duplicates("person_id").set_index("person_id")["nationality"].to_dict()
    foreign = {p for p in identified if nat.get(p) is not None and not pd.isna(nat.get(p)) and nat.get(p) != "THA"}
    rep = assistance[(assistance["service"] == "repatriation") & (assistance["outcome"] == "completed")]
    repatriated = set(rep["person_id"])
    id_cases = ident_rows.groupby("person_id")["case_id"].agg(lambda s: sorted(set(s))).to_dict()
    v_cases = victims.groupby("person_id")["case_id"].agg(lambda s: sorted(set(s))).to_dict()
    services = (assistance[assistance["kind"] == "service"].groupby("person_id")["service"]
                .agg(lambda s: sorted(set(s))).to_dict())
    rows = []
    for p in sorted(vset | identified):
        wait = (first_help[p] - first_id[p]).days if p in first_id and p in first_help else None
        gaps = []
        if p in vset and p not in screened:
            gaps.append("not screened")
        if p in identified and p not in sheltered:
            gaps.append("never sheltered")
        if p in identified and p not in served:
            gaps.append("no services")
        if p in foreign and p not in repatriated:
            gaps.append("not repatriated")
        rows.append({"person_id": p, "victim_cases": v_cases.get(p, []), "screened": p in screened,
                     "identified": p in identified, "identified_cases": id_cases.get(p, []),
                     "sheltered": p in sheltered, "services": services.get(p, []),
                     "first_identified": first_id.get(p), "first_assistance": first_help.get(p),
                     "days_to_first_assistance": wait, "foreign": p in foreign, "repatriated": p in repatriated,
                     "gaps": gaps})
    table = pd.DataFrame(rows, columns=["person_id", "victim_cases", "screened", "identified", "identified_cases",
                                        "sheltered", "services", "first_identified", "first_assistance",
                                        "days_to_first_assistance", "foreign", "repatriated", "gaps"])
    waits = pd.Series([r["days_to_first_assistance"] for r in rows if r["days_to_first_assistance"] is not None
                       and r["identified"]], dtype="float64")
    summary = {
        "victims": len(vset), "screened": len(vset & screened), "not_screened": len(vset - screened),
        "identified": len(identified), "sheltered": len(identified & sheltered),
        "not_sheltered": len(identified - sheltered), "with_services": len(identified & served),
        "without_services": len(identified - served), "without_assistance": len(identified - sheltered - served),
        "assisted_after_identification": int(len(waits)),
        "median_days_to_first_assistance": float(waits.median()) if len(waits) else None,
        "mean_days_to_first_assistance": round(float(waits.mean()), 2) if len(waits) else None,
        "foreign_identified": len(foreign), "repatriated": len(foreign & repatriated),
        "not_repatriated": len(foreign - repatriated),
        "repeat_victims": sum(1 for cs in id_cases.values() if len(cs) > 1),
    }
    return summary, table


def unpaid_compensation(compensation: pd.DataFrame, stages: pd.DataFrame, assets: pd.DataFrame,
                        enforcement: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Every convicted offender with compensation awarded and not (fully) paid.

    An award counts when the offender was convicted in that case; ``owed`` is the sum of
    ``awarded - paid`` over such awards (paid missing = 0) where it is positive.  ``verdict_on``
    is the earliest of those convictions, ``days_since_verdict`` counts to ``as_of``.  Assets are
    those of :func:`graph.justice.offender_assets` (``vehicles, accounts, companies,
    receiving_accounts``); ``recovered`` sums the amounts recovered by enforcement and
    ``enforcement`` lists the actions taken.  Sorted by amount owed, largest first.
    """
    cols = ["offender_id", "owed", "cases", "verdict_on", "days_since_verdict", "vehicles", "accounts", "companies",
            "receiving_accounts", "recovered", "enforcement", "payable_assets"]
    conv = stages[(stages["stage"] == "verdict") & (stages["outcome"] == "convicted")]
    verdict = conv.groupby(["case_id", "person_id"])["on_date"].min().to_dict()
    rows: dict[str, dict[str, Any]] = {}
    for r in compensation.itertuples(index=False):
        key = (r.case_id, r.offender_id)
        if r.awarded is None or pd.isna(r.awarded) or key not in verdict:
            continue
        due = float(r.awarded) - (0.0 if r.paid is None or pd.isna(r.paid) else float(r.paid))
        if due <= 0:
            continue
        o = rows.setdefault(r.offender_id, {"owed": 0.0, "cases": set(), "verdict_on": verdict[key]})
        o["owed"] += due
        o["cases"].add(r.case_id)
        o["verdict_on"] = min(o["verdict_on"], verdict[key])
    a = assets.set_index("offender_id").to_dict("index") if len(assets) else {}
    rec = (enforcement.assign(amount_recovered=enforcement["amount_recovered"].astype("float64").fillna(0.0))
           .groupby("offender_id")["amount_recovered"].sum().to_dict()) if len(enforcement) else {}
    acts: dict[str, list[str]] = {}
    for e in enforcement.sort_values(["offender_id", "on_date", "id"]).itertuples(index=False) if len(enforcement) \
            else ():
        what = e.asset_id if isinstance(e.asset_id, str) else (e.description or e.asset_kind)
        acts.setdefault(e.offender_id, []).append(f"{e.asset_kind} {what}: {e.action} {e.on_date} ({e.agency})")
    out = []
    for off, o in rows.items():
        x = a.get(off, {})
        lists = {k: list(x.get(k) or []) for k in ("vehicles", "accounts", "companies", "receiving_accounts")}
        out.append({"offender_id": off, "owed": round(o["owed"], 2), "cases": sorted(o["cases"]),
                    "verdict_on": o["verdict_on"], "days_since_verdict": (as_of - o["verdict_on"]).days, **lists,
                    "recovered": round(float(rec.get(off, 0.0)), 2), "enforcement": acts.get(off, []),
                    "payable_assets": sum(len(v) for v in lists.values())})
    df = pd.DataFrame(out, columns=cols)
    return df.sort_values(["owed", "offender_id"], ascending=[False, True], ignore_index=True)


def _per_year(keys: pd.DataFrame, year_col: str = "year") -> dict[int, list[tuple[Any, ...]]]:
    """Year → the distinct records (tuples of the other columns) of that year."""
    out: dict[int, list[tuple[Any, ...]]] = {}
    for r in keys.drop_duplicates().itertuples(index=False):
        out.setdefault(int(getattr(r, year_col)), []).append(tuple(x for k, x in zip(keys.columns, r, strict=True)
                                                                  if k != year_col))
    return out


def indicators(stages: pd.DataFrame, screenings: pd.DataFrame, assistance: pd.DataFrame,
               compensation: pd.DataFrame, officials: pd.DataFrame, persons: pd.DataFrame,
               cases: pd.DataFrame) -> pd.DataFrame:
    """The yearly indicators, long form: ``indicator, dimension, group, year, value, n``.

    * investigations: cases with an investigation stage in the year;
    * prosecutions / convictions / acquittals / sentences: defendants (case, person) indicted,
      convicted, acquitted, sentenced in the year; officials_prosecuted: indicted defendants who are
      officials in that case; sentence_months_median / _mean over the year's sentences;
    * victims_identified: persons with an ``identified`` screening in the year; victims_assisted:
      persons whose shelter stay or service began in the year; each person once a year, described
      by their first such record of the year (age at its date, its case's exploitation type) and
      broken down by nationality, sex, age group and exploitation type (``dimension``/``group``);
    * compensation_awarded / _paid: sums awarded / paid in the year (``n``: how many awards/payments).

    ``n`` is how many records the value rests on and ``records`` their ids (what disclosure
    control looks at).  Use :func:`with_change` for the change on the year before.
    """
    rows: list[dict[str, Any]] = []

    def add(ind: str, year: int, value: Any, recs: Sequence[Any], dim: str = "", grp: str = "") -> None:
        ids = sorted({"|".join(map(str, r)) if isinstance(r, tuple) else str(r) for r in recs})
        rows.append({"indicator": ind, "dimension": dim, "group": grp, "year": int(year), "value": value,
                     "n": len(ids), "records": ids})

    st = stages.assign(year=[d.year for d in stages["on_date"]]) if len(stages) else stages.assign(year=[])
    defendant = ["year", "case_id", "person_id"]
    off = set(zip(officials["case_id"], officials["person_id"], strict=True))
    ind = st[st["stage"] == "indictment"]
    series = {
        "investigations": _per_year(st.loc[st["stage"] == "investigation", ["year", "case_id"]]),
        "prosecutions": _per_year(ind[defendant]),
        "convictions": _per_year(st.loc[(st["stage"] == "verdict") & (st["outcome"] == "convicted"), defendant]),
        "acquittals": _per_year(st.loc[(st["stage"] == "verdict") & (st["outcome"] == "acquitted"), defendant]),
        "sentences": _per_year(st.loc[st["stage"] == "sentence", defendant]),
        "officials_prosecuted": _per_year(ind.loc[[(c, p) in off for c, p in zip(ind["case_id"], ind["person_id"],
                                                                                   strict=True)], defendant]),
    }
    sent = st[(st["stage"] == "sentence") & st["sentence_months"].notna()]
    months: dict[int, list[tuple[float, str]]] = {}
    for r in sent.itertuples(index=False):
        months.setdefault(int(r.year), []).append((float(r.sentence_months), f"{r.case_id}|{r.person_id}"))
    attrs = persons.drop_duplicates("person_id").set_index("person_id")
    etype = cases.drop_duplicates("case_id").set_index("case_id")["exploitation_type"]

    def first_of_year(df: pd.DataFrame, date_col: str) -> pd.DataFrame:
        if not len(df):
            return pd.DataFrame(columns=["person_id", "case_id", date_col, "year"])
        d = df.assign(year=[x.year for x in df[date_col]]).sort_values([date_col, "case_id"])
        return d.groupby(["year", "person_id"], as_index=False).head(1)

    ident = first_of_year(screenings[screenings["outcome"] == "identified"], "on_date")
    helped = first_of_year(assistance, "from_date")
    aw = compensation[compensation["awarded"].notna() & compensation["awarded_on"].notna()]
    pd_ = compensation[compensation["paid"].notna() & compensation["paid_on"].notna()]
    aw = aw.assign(year=[d.year for d in aw["awarded_on"]])
    pd_ = pd_.assign(year=[d.year for d in pd_["paid_on"]])
    years: set[int] = set()
    for s in series.values():
        years |= set(s)
    years |= {int(y) for y in ident["year"]} | {int(y) for y in helped["year"]}
    years |= {int(y) for y in aw["year"]} | {int(y) for y in pd_["year"]}
    for y in sorted(years):
        for name, s in series.items():
            add(name, y, len(s.get(y, [])), s.get(y, []))
        mrec = months.get(y, [])
        m = pd.Series([v for v, _ in mrec], dtype="float64")
        ids = [k for _, k in mrec]
        add("sentence_months_median", y, float(m.median()) if len(m) else None, ids)
        add("sentence_months_mean", y, round(float(m.mean()), 2) if len(m) else None, ids)
        for name, df, col in (("victims_identified", ident, "on_date"), ("victims_assisted", helped, "from_date")):
            mine = df[df["year"] == y]
            add(name, y, len(mine), list(mine["person_id"]))
            groups: dict[str, dict[str, list[str]]] = {d: {} for d in BREAKDOWNS}
            for r in mine.itertuples(index=False):
                a = attrs.loc[r.person_id] if r.person_id in attrs.index else None
                nat = a["nationality"] if a is not None and isinstance(a["nationality"], str) else "unknown"
                sex = a["sex"] if a is not None and isinstance(a["sex"], str) else "unknown"
                birth = a["birth_date"] if a is not None else None
                keys = {"nationality": nat, "sex": sex, "age_group": age_group(birth, getattr(r, col)),
                        "exploitation_type": str(etype.get(r.case_id) or "unknown")}
                for d, g in keys.items():
                    groups[d].setdefault(g, []).append(r.person_id)
            for d in BREAKDOWNS:
                for g, ids in sorted(groups[d].items()):
                    add(name, y, len(ids), ids, d, g)
        a_y, p_y = aw[aw["year"] == y], pd_[pd_["year"] == y]
        add("compensation_awarded", y, round(float(a_y["awarded"].astype("float64").sum()), 2), _award_ids(a_y))
        add("compensation_paid", y, round(float(p_y["paid"].astype("float64").sum()), 2), _award_ids(p_y))
    return pd.DataFrame(rows, columns=["indicator", "dimension", "group", "year", "value", "n", "records"])


def _award_ids(df: pd.DataFrame) -> list[str]:
    if "id" in df.columns:
        return [str(x) for x in df["id"]]
    return [f"award{i}" for i in df.index]


def with_change(ind: pd.DataFrame) -> pd.DataFrame:
    """Add ``previous``, ``change`` and ``change_pct`` (on the year before; None for the first year
    of the data or where either value is missing).  A breakdown group absent in a year counts 0.

    >>> df = pd.DataFrame({"indicator": ["x", "x"], "dimension": ["", ""], "group": ["", ""],
    ...                    "year": [2020, 2021], "value": [4, 6], "n": [4, 6]})
    >>> with_change(df)[["year", "change", "change_pct"]].to_dict("records")[1]
    {'year': 2021, 'change': 2.0, 'change_pct': 50.0}
    """
    ind = ind.drop(columns=["records"], errors="ignore")
    cols = [*ind.columns, "previous", "change", "change_pct"]
    if not len(ind):
        return pd.DataFrame(columns=cols)
    years = sorted(ind["year"].unique())
    first = years[0]
    key = ["indicator", "dimension", "group"]
    full = []
    counted = {"sentence_months_median", "sentence_months_mean"}
    for k, g in ind.groupby(key, sort=False):
        have = g.set_index("year")
        for y in years:
            if y in have.index:
                r = have.loc[y].to_dict()
            elif k[1] or k[0] not in counted:  # a missing group or count is zero that year
                r = {"value": 0, "n": 0}
            else:
                r = {"value": None, "n": 0}
            full.append({"indicator": k[0], "dimension": k[1], "group": k[2], "year": int(y), "value": r["value"],
                         "n": None if r["n"] is None or pd.isna(r["n"]) else int(r["n"])})
    df = pd.DataFrame(full)
    prev = df.assign(year=df["year"] + 1).rename(columns={"value": "previous", "n": "_pn"})
    out = df.merge(prev[[*key, "year", "previous"]], on=[*key, "year"], how="left")
    out.loc[out["year"] == first, "previous"] = None
    cur = pd.to_numeric(out["value"], errors="coerce")
    pre = pd.to_numeric(out["previous"], errors="coerce")
    out["change"] = (cur - pre).round(2)
    out["change_pct"] = ((cur - pre) / pre.where(pre != 0) * 100).round(2)
    out = out.astype({"previous": "object", "change": "object", "change_pct": "object"})
    for c in ("previous", "change", "change_pct"):
        out[c] = out[c].where(pd.notna(out[c]), None)
    order = {k: i for i, k in enumerate(INDICATOR_ORDER)}
    out["_o"] = out["indicator"].map(order)
    out = out.sort_values(["_o", "dimension", "group", "year"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)[cols]


def shelter_occupancy(assistance: pd.DataFrame, days: Sequence[dt.date]) -> pd.DataFrame:
    """Persons in shelter on each of ``days``: stays with ``from_date`` ≤ the day and
    ``to_date`` ≥ it or still open.

    >>> a = pd.DataFrame({"person_id": ["v1", "v2"], "kind": ["shelter", "shelter"],
    ...                   "from_date": [dt.date(2024, 1, 5), dt.date(2024, 2, 1)],
    ...                   "to_date": [dt.date(2024, 2, 10), None]})
    >>> shelter_occupancy(a, [dt.date(2024, 2, 1), dt.date(2024, 3, 1)])["occupied"].tolist()
    [2, 1]
    """
    stays = assistance[assistance["kind"] == "shelter"]
    rows = []
    for d in days:
        open_ = pd.Series([t is None or pd.isna(t) or t >= d for t in stays["to_date"]], index=stays.index,
                          dtype="bool")
        live = stays[(stays["from_date"] <= d) & open_]
        rows.append({"on": d, "occupied": int(live["person_id"].nunique()),
                     "persons": sorted(set(live["person_id"]))})
    return pd.DataFrame(rows, columns=["on", "occupied", "persons"])
