"""``netintel analyse …``: the analytics, on the database or on plain CSV files.

On the database, each command builds the call's one scope (``--as USER`` or
an operator's) and calls the view the API route calls (:mod:`views.analytics`,
:mod:`views.routes`, :mod:`views.money`, :mod:`views.resolution`): the same
checks, compartments, caching and audit.  Heavy work is waited for
(``budget=None``), never turned into a job.

With ``--csv`` (and friends) a command runs the pure function of
:mod:`analytics` on the files: no database, no scope.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import networkx as nx
import pandas as pd
import typer

from ._common import AsOpt, err, fail, scoped
from .output import Format, FormatOpt, emit, frame

__all__ = ["analyse_app"]

analyse_app = typer.Typer(help="Brokers, communities, key players, routes, hubs, money trails, typologies, "
                               "duplicates.", no_args_is_help=True)

CasesOpt = Annotated[str | None, typer.Option("--cases", help="comma-separated case ids (default: all)")]
YearsOpt = Annotated[str | None, typer.Option(help="years: 2020, 2018-2024 or 2019,2021")]
NationalityOpt = Annotated[str | None, typer.Option(help="victims' nationality (ISO3, comma separated)")]
ExploitationOpt = Annotated[str | None, typer.Option(help="e.g. fishing, sexual (comma separated)")]
SexOpt = Annotated[str | None, typer.Option(help="M, F or X (comma separated)")]
AgeOpt = Annotated[str | None, typer.Option(help="victims' age: 18-30, -17 or 60-")]
LevelOpt = Annotated[str, typer.Option(help="country, province or border_crossing")]

BROKER_COLUMNS = ["rank", "node", "name", "score", "role", "groups_bridged", "reason"]
ROUTE_COLUMNS = ["person_id", "case_id", "source", "transit", "destination", "complete"]
TRACE_COLUMNS = ["path", "hop", "txn_id", "source", "target", "amount", "currency", "at", "carried"]
TYPOLOGY_COLUMNS = ["kind", "scale", "accounts", "amount", "start", "end", "reason"]


# ----------------------------------------------------------- CSV inputs
def _graph_from_csv(edges: Path, nodes: Path | None) -> nx.Graph:
    e = pd.read_csv(edges, dtype=str)
    cols = list(e.columns)
    src, dst = ("source", "target") if {"source", "target"} <= set(cols) else (cols[0], cols[1])
    G = nx.Graph()
    G.add_edges_from(zip(e[src], e[dst], strict=True))
    if nodes is not None:
        n = pd.read_csv(nodes, dtype=str)
        key = "id" if "id" in n.columns else n.columns[0]
        for r in n.to_dict(orient="records"):
            G.add_node(r[key], **{k: v for k, v in r.items() if k != key})
    return G


def _transfers_csv(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"txn_id": str, "source": str, "target": str})
    df["at"] = pd.to_datetime(df["at"], utc=True, format="mixed")
    return df


def _route_filters(q: Any) -> dict[str, Any]:
    """The checked filters of a :class:`views.routes.RouteQuery`, for the pure functions (``--csv``)."""
    return {"years": list(q.years) if q.years else None, "nationality": list(q.nationality) if q.nationality
            else None, "exploitation_type": list(q.exploitation_type) if q.exploitation_type else None,
            "sex": list(q.sex) if q.sex else None, "age": q.age}


def _parse_routes(**kw: Any) -> Any:
    from core.errors import InvalidInput
    from views.routes import RouteQuery

    try:
        return RouteQuery.parse(**kw)
    except InvalidInput as exc:
        fail(exc.message, 2)


# ------------------------------------------------------- person network
@analyse_app.command("brokers")
def brokers(
    cases: CasesOpt = None,
    group: Annotated[str, typer.Option(help="node attribute defining groups (nationality, sex, role)")]
    = "nationality",
    top: Annotated[int, typer.Option(help="rows to show")] = 20,
    edges: Annotated[Path | None, typer.Option("--csv", help="edge list CSV (source,target) instead of Neo4j")]
    = None,
    nodes: Annotated[Path | None, typer.Option("--nodes", help="node CSV (id + attributes) for --csv")] = None,
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """Rank brokers: Gould–Fernandez roles, betweenness, constraint, with a reason per person."""
    if edges is not None:
        from analytics.brokers import rank_brokers

        emit(rank_brokers(_graph_from_csv(edges, nodes), group=group).head(top), fmt, "Brokers", BROKER_COLUMNS)
        return
    from views.analytics import brokers as view
    from views.models import BrokerRow

    with scoped("analyse brokers", as_user) as scope:
        res = view(scope, cases, group=group, top=top, budget=None)
    emit(frame(res.data, BrokerRow), fmt, "Brokers", BROKER_COLUMNS)


@analyse_app.command("communities")
def communities(
    cases: CasesOpt = None,
    method: Annotated[str, typer.Option(help="louvain or leiden")] = "louvain",
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    edges: Annotated[Path | None, typer.Option("--csv", help="edge list CSV instead of Neo4j")] = None,
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """Communities of the person network (Louvain or Leiden)."""
    if edges is not None:
        from analytics.communities import communities as run

        emit(run(_graph_from_csv(edges, None), method=method, seed=seed), fmt, "Communities")
        return
    from views.analytics import communities as view
    from views.models import CommunityRow

    with scoped("analyse communities", as_user) as scope:
        res = view(scope, cases, method=method, seed=seed, budget=None)
    emit(frame(res.data, CommunityRow), fmt,
         f"Communities ({res.meta.get('method')}, modularity {res.meta.get('modularity') or 0:.2f})")


@analyse_app.command("keyplayers")
def keyplayers(
    k: Annotated[int, typer.Option(help="how many people to remove")] = 5,
    cases: CasesOpt = None,
    edges: Annotated[Path | None, typer.Option("--csv", help="edge list CSV instead of Neo4j")] = None,
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """The k people whose removal fragments the network most (Borgatti's KPP-Neg)."""
    if edges is not None:
        from analytics.keyplayers import fragmentation

        emit(fragmentation(_graph_from_csv(edges, None), k, seed=seed), fmt, "Key players")
        return
    from views.analytics import keyplayers as view
    from views.models import KeyPlayerRow

    with scoped("analyse keyplayers", as_user) as scope:
        res = view(scope, cases, k=k, seed=seed, budget=None)
    emit(frame(res.data, KeyPlayerRow), fmt, f"Key players (k = {k})")


# --------------------------------------------------------------- routes
PairOpt = Annotated[str | None, typer.Option(help="two countries, e.g. MMR-THA: every journey on which both appear "
                                                  "(both directions and the routes through)")]
MapOpt = Annotated[Path | None, typer.Option("--map", help="also write the route map / briefing page to this file: "
                                                          ".html, .png, .pdf (A4), .geojson or .csv (+ .meta.json)")]
LangOpt = Annotated[str, typer.Option(help="names and texts: en or th")]
TitleOpt = Annotated[str, typer.Option(help="title of the map page")]
OrientationOpt = Annotated[str, typer.Option(help="A4 landscape or portrait")]
MarkingOpt = Annotated[str, typer.Option("--classification", help="marking: official, confidential, secret or none")]
_MAP_EXT = {".html": "html", ".htm": "html", ".png": "png", ".pdf": "pdf", ".geojson": "geojson",
            ".json": "geojson", ".csv": "csv"}


def _check_page(lang: str, orientation: str, classification: str, out: Path | None) -> None:
    from viz.briefing import CLASSIFICATIONS

    if lang not in ("en", "th"):
        fail(f"unknown language {lang!r} (known: en, th)", 2)
    if orientation not in ("landscape", "portrait"):
        fail(f"unknown orientation {orientation!r} (known: landscape, portrait)", 2)
    if classification not in CLASSIFICATIONS:
        fail(f"unknown classification {classification!r} (known: {', '.join(k for k in CLASSIFICATIONS if k)})", 2)
    if out is not None and out.suffix.lower() not in _MAP_EXT:
        fail(f"--map {out}: unknown format {out.suffix!r} (use {', '.join(sorted(_MAP_EXT))})", 2)


def _write_map(out: Path, corridors: pd.DataFrame, locations: pd.DataFrame | None, info: dict[str, Any], *,
               title: str, lang: str, orientation: str, classification: str, who: str,
               flows_name: str | None = None) -> None:
    import datetime as dt
    import json

    from viz import routemap as rm

    fmt = _MAP_EXT[out.suffix.lower()]
    stamp = f"{who} · {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}"
    page: dict[str, Any] = {"title": title, "lang": lang, "info": info, "classification": classification,
                            "orientation": orientation, "stamp": stamp, "flows_name": flows_name}
    extra: dict[str, Any] = {k: info[k] for k in ("disclosure", "total", "other", "other_display", "note", "left_out",
                                  "years_covered", "year_counted", "filters_plain", "sources", "warnings",
                                  "compare") if k in info}
    if fmt == "html":
        out.write_text(rm.routemap_html(corridors, locations, **page), encoding="utf-8")
    elif fmt == "png":
        out.write_bytes(rm.routemap_png(corridors, locations, **page))
    elif fmt == "pdf":
        out.write_bytes(rm.routemap_pdf(corridors, locations, **page))
    elif fmt == "geojson":
        out.write_text(json.dumps(rm.routemap_geojson(corridors, locations, title=title, extra=extra),
                                  ensure_ascii=False), encoding="utf-8")
    else:
        out.write_text(rm.routemap_csv(corridors, locations), encoding="utf-8")
        side = out.with_suffix(".meta.json")
        side.write_text(json.dumps(rm.routemap_metadata(corridors, locations, title=title, extra=extra),
                                   ensure_ascii=False, indent=1), encoding="utf-8")
        err.print(f"metadata: {side}", highlight=False)
    err.print(f"map written: {out}", highlight=False)


def _warnings(info: dict[str, Any]) -> None:
    for w in info.get("warnings") or []:
        err.print(f"warning: line {w['line']}: {w['reason']}", highlight=False)
    note = info.get("note")
    if note:
        err.print(str(note), highlight=False)
    for x in info.get("left_out") or []:
        err.print(f"left out: {x['display']} journeys with {x['reason']}", highlight=False)


@analyse_app.command("routes")
def routes_cmd(
    level: LevelOpt = "country",
    corridors_only: Annotated[bool, typer.Option("--corridors", help="aggregate into corridors")] = False,
    cases: CasesOpt = None,
    years: YearsOpt = None,
    nationality: NationalityOpt = None,
    exploitation_type: ExploitationOpt = None,
    sex: SexOpt = None,
    age: AgeOpt = None,
    pair: PairOpt = None,
    journeys_csv: Annotated[Path | None, typer.Option("--csv", help="journeys CSV instead of Neo4j")] = None,
    flows_csv: Annotated[Path | None, typer.Option("--flows", help="aggregate flows CSV: origin,destination,count"
                                                                   "[,year] (e.g. UNODC GLOTIP); '1,150' and '<5' "
                                                                   "read as published")] = None,
    map_out: MapOpt = None,
    lang: LangOpt = "en",
    title: TitleOpt = "Trafficking corridors",
    orientation: OrientationOpt = "landscape",
    classification: MarkingOpt = "",
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """Source → transit → destination routes per journey, or corridors (--corridors); --map draws them."""
    from analytics import routes as R

    _check_page(lang, orientation, "" if classification == "none" else classification, map_out)
    classification = "" if classification == "none" else classification
    if flows_csv is not None:
        _flows(flows_csv, years, map_out, fmt, lang=lang, title=title, orientation=orientation,
               classification=classification, as_user=as_user)
        return
    q = _parse_routes(level=level, cases=cases, years=years, nationality=nationality,
                      exploitation_type=exploitation_type, sex=sex, age=age, pair=pair)
    if journeys_csv is not None:
        df = R.routes(_read_csv(journeys_csv), level=q.level)
        if q.pair:
            df = R.on_pair(df, *q.pair)
        if corridors_only or map_out is not None:
            out = R.corridors(df, **_route_filters(q))
            emit(out, fmt, "Corridors")
            if map_out is not None:
                _write_map(map_out, out, None, {"filters_plain": q.plain()}, title=title, lang=lang,
                           orientation=orientation, classification=classification, who="cli")
        else:
            emit(R.filter_routes(df, **_route_filters(q)), fmt, "Routes", ROUTE_COLUMNS)
        return
    from views import routes as v
    from views.models import CorridorRow, RouteRow

    name = "analyse routes --corridors" if corridors_only else "analyse routes"
    with scoped(name, as_user) as scope:
        if corridors_only or map_out is not None:
            res = v.corridors(scope, q, lang=lang)
            emit(frame(res.data, CorridorRow), fmt, "Corridors",
                 ["route", "victims", "cases", "share", "previous", "change", "suppressed"])
            _warnings(res.meta)
            if map_out is not None:
                m = v.route_map(scope, q, format=map_out.suffix.lstrip("."), lang=lang)
                _write_map(map_out, m.corridors, m.locations, m.meta, title=title, lang=lang,
                           orientation=orientation, classification=classification, who=scope.user)
        else:
            emit(frame(v.routes(scope, q).data, RouteRow), fmt, "Routes", ROUTE_COLUMNS)


def _read_csv(path: Path, **kw: Any) -> pd.DataFrame:
    try:
        return pd.read_csv(path, encoding="utf-8-sig", **kw)
    except FileNotFoundError:
        fail(f"{path}: no such file", 2)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        fail(f"{path}: not a readable UTF-8 CSV ({exc})", 2)


def _flows(path: Path, years: str | None, map_out: Path | None, fmt: Format, *, lang: str, title: str,
           orientation: str, classification: str, as_user: str | None) -> None:
    from analytics.flows import flows_corridors, read_flows
    from core.errors import InvalidInput

    table = _read_csv(path, dtype=str, keep_default_na=False)
    try:
        if as_user is None:  # pure analytics, no database: names from the gazetteer
            from views.routes import _years

            f = read_flows(table, years=_years(years), known=_drawable)
            corr = flows_corridors(f)
            info: dict[str, Any] = {"warnings": [{"line": w.line, "reason": w.reason} for w in f.warnings],
                                    "disclosure": "published", "sources": [path.name],
                                    "filters_plain": f"Aggregate flows from {path.name}"
                                                     + (f", years {years}" if years else "")}
            locs = None
        else:
            from views import routes as v

            with scoped("analyse routes --flows", as_user) as scope:
                m = v.flows_map(scope, table, name=path.name, years=years, lang=lang)
            corr, locs, info = m.corridors, m.locations, m.meta
    except (InvalidInput, ValueError) as exc:
        fail(f"{path}: {exc}", 2)
    emit(corr[["source", "destination", "victims", "suppressed", "below_parts"]], fmt, "Corridors (aggregate flows)")
    _warnings(info)
    if map_out is not None:
        _write_map(map_out, corr, locs, info, title=title, lang=lang, orientation=orientation,
                   classification=classification, who="cli", flows_name=path.name)


def _drawable(code: str) -> bool:
    from ingest.gazetteer import LOCATIONS
    from viz.routemap import _country_centroid

    return any(r["id"] == code for r in LOCATIONS) or _country_centroid(code) is not None


@analyse_app.command("trends")
def trends_cmd(
    level: LevelOpt = "country",
    years: YearsOpt = None,
    nationality: NationalityOpt = None,
    exploitation_type: ExploitationOpt = None,
    sex: SexOpt = None,
    age: AgeOpt = None,
    pair: PairOpt = None,
    by: Annotated[str, typer.Option(help="corridor (a row per year and corridor) or total (a row per year)")]
    = "corridor",
    lang: LangOpt = "en",
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """Victims per year (the year of each journey's first leg), per corridor or in total."""
    from views import routes as v
    from views.models import TrendRow

    q = _parse_routes(level=level, years=years, nationality=nationality, exploitation_type=exploitation_type,
                      sex=sex, age=age, pair=pair)
    with scoped("analyse trends", as_user) as scope:
        res = v.trends(scope, q, by=by, lang=lang)
    emit(frame(res.data, TrendRow), fmt, f"Victims per year ({res.meta.get('year_counted')})",
         ["year", "route", "victims", "cases", "suppressed"])


@analyse_app.command("hubs")
def hubs_cmd(
    level: LevelOpt = "country",
    cases: CasesOpt = None,
    years: YearsOpt = None,
    nationality: NationalityOpt = None,
    exploitation_type: ExploitationOpt = None,
    sex: SexOpt = None,
    age: AgeOpt = None,
    pair: PairOpt = None,
    journeys_csv: Annotated[Path | None, typer.Option("--csv", help="journeys CSV instead of Neo4j")] = None,
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """Transit hubs: places the victims' routes pass through, busiest first."""
    from analytics import routes as R

    q = _parse_routes(level=level, cases=cases, years=years, nationality=nationality,
                      exploitation_type=exploitation_type, sex=sex, age=age, pair=pair)
    if journeys_csv is not None:
        df = R.routes(_read_csv(journeys_csv), level=q.level)
        if q.pair:
            df = R.on_pair(df, *q.pair)
        emit(R.transit_hubs(R.filter_routes(df, **_route_filters(q))), fmt, "Transit hubs")
        return
    from views.models import HubRow
    from views.routes import hubs as view

    with scoped("analyse hubs", as_user) as scope:
        res = view(scope, q)
    emit(frame(res.data, HubRow), fmt, "Transit hubs")


# ---------------------------------------------------------------- money
@analyse_app.command("trace")
def trace_cmd(
    account: Annotated[str, typer.Argument(help="account id to trace from")],
    direction: Annotated[str, typer.Option(help="forward or backward")] = "forward",
    max_hops: Annotated[int, typer.Option(help="longest path")] = 4,
    window_days: Annotated[float, typer.Option("--window-days", help="time window in days")] = 7.0,
    min_amount: Annotated[float, typer.Option(help="ignore smaller transfers")] = 0.0,
    since: Annotated[str | None, typer.Option(help="first day YYYY-MM-DD (Asia/Bangkok)")] = None,
    until: Annotated[str | None, typer.Option(help="last day YYYY-MM-DD (Asia/Bangkok)")] = None,
    currency: Annotated[str | None, typer.Option(help="only transfers in this currency")] = None,
    to: Annotated[str | None, typer.Option("--to", help="paths from ACCOUNT to this account instead")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="transfers CSV instead of Neo4j")] = None,
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """Follow money forward or backward in time from an account (or the paths to another)."""
    title = f"Money trail {direction} from {account}" if not to else f"Money paths {account} -> {to}"
    if csv_path is None and (since or until or currency or to):
        import datetime as dt

        from cli._common import fail
        from views import money as v
        from views.models import TraceRow

        try:
            d0 = dt.date.fromisoformat(since) if since else None
            d1 = dt.date.fromisoformat(until) if until else None
        except ValueError:
            fail("--since/--until are YYYY-MM-DD", 2)
        with scoped("analyse trace", as_user) as scope:
            if to:
                out = v.paths(scope, account, to, max_hops=max_hops, window_hours=window_days * 24,
                              min_amount=min_amount, since=d0, until=d1, currency=currency)
            else:
                out = v.trail(scope, account, direction=direction, max_hops=max_hops, window_hours=window_days * 24,
                              min_amount=min_amount, since=d0, until=d1, currency=currency)
        emit(frame(out.hops, TraceRow), fmt, title, TRACE_COLUMNS)
        return
    if csv_path is not None:
        from analytics.money import trace

        df = trace(_transfers_csv(csv_path), account, direction=direction, max_hops=max_hops,
                   window=pd.Timedelta(days=window_days), min_amount=min_amount)
        emit(df, fmt, title, TRACE_COLUMNS)
        return
    from views.models import TraceRow
    from views.money import trace as view

    with scoped("analyse trace", as_user) as scope:
        res = view(scope, account, direction=direction, max_hops=max_hops, window_hours=window_days * 24,
                   min_amount=min_amount)
    emit(frame(res.data, TraceRow), fmt, title, TRACE_COLUMNS)


@analyse_app.command("typologies")
def typologies_cmd(
    threshold: Annotated[float, typer.Option(help="reporting threshold (THB)")] = 2_000_000,
    account: Annotated[str | None, typer.Option(help="only patterns involving this account")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="transfers CSV instead of Neo4j")] = None,
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """Fan-in, fan-out, scatter-gather, gather-scatter, cycles, pass-through, structuring."""
    if csv_path is not None:
        from analytics.money import typologies

        df = typologies(_transfers_csv(csv_path), threshold=threshold)
        if account and len(df):
            df = df[[account in list(a) for a in df["accounts"]]].reset_index(drop=True)
        emit(df, fmt, "Typologies", TYPOLOGY_COLUMNS)
        return
    from views.models import TypologyRow
    from views.money import typologies as view

    with scoped("analyse typologies", as_user) as scope:
        res = view(scope, account=account, threshold=threshold)
    emit(frame(res.data, TypologyRow), fmt, "Typologies", TYPOLOGY_COLUMNS)


@analyse_app.command("risk")
def risk_cmd(
    top: Annotated[int, typer.Option(help="how many accounts")] = 50,
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """Accounts ranked by laundering risk, with plain reasons (alert judgements count)."""
    from cli._common import home_paths
    from views import alerts
    from views.models import RiskRow
    from views.money import risk

    with scoped("analyse risk", as_user) as scope:
        store = alerts.store_at(home_paths()[0].parent)
        res = risk(scope, statuses=alerts.statuses(scope, store), top=top)
    emit(frame(res.data, RiskRow), fmt, "Account risk", ["rank", "account", "holder", "score", "reasons"])


@analyse_app.command("alerts")
def alerts_cmd(
    status: Annotated[str | None, typer.Option(help="new, assigned, escalated or dismissed")] = None,
    run: Annotated[bool, typer.Option("--run", help="re-run the typologies into the queue first")] = False,
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """The alert queue: typology findings with their triage status (as on /ui/alerts)."""
    from cli._common import home_paths
    from views import alerts
    from views.models import AlertRow

    with scoped("analyse alerts", as_user) as scope:
        store = alerts.store_at(home_paths()[0].parent)
        if run:
            alerts.run(scope, store)
        res = alerts.queue(scope, store, status=status)
    emit(frame(res.data, AlertRow), fmt, "Alerts",
         ["id", "kind", "scale", "status", "assignee", "accounts", "amount", "start", "reason"])


# ----------------------------------------------------------- resolution
@analyse_app.command("duplicates")
def duplicates_cmd(
    write: Annotated[bool, typer.Option("--write", help="score the person records and store the matches in Neo4j "
                                                         "as pending SAME_AS candidates")] = False,
    judgement: Annotated[str | None, typer.Option(help="only candidates judged pending, accepted or rejected")]
    = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="person records CSV instead of Neo4j")] = None,
    fmt: FormatOpt = Format.table,
    as_user: AsOpt = None,
) -> None:
    """Same person recorded by different agencies (Thai/Latin names, dates, IDs, phones).

    On the database: ``--write`` scores the records and stores the matches as pending
    candidates; then (with or without it) the stored candidates are listed."""
    if csv_path is not None:
        from analytics.resolution import find_duplicates

        df = find_duplicates(pd.read_csv(csv_path, dtype=str))
        emit(df[df["is_match"]] if fmt is Format.table else df, fmt, "Duplicate candidates",
             ["id_left", "id_right", "weight", "score", "reasons"])
        return
    from views import resolution as v
    from views.models import CandidateRow

    with scoped("analyse duplicates --write" if write else "analyse duplicates", as_user) as scope:
        if write:
            run = v.run(scope)
            err.print(f"{run.candidates:,} pairs scored; {run.stored:,} SAME_AS candidates stored as pending",
                      highlight=False)
        res = v.candidates(scope, judgement)
    if not res.count and not write:
        err.print("no stored candidates: `netintel analyse duplicates --write` scores the person records "
                  "and stores the matches", highlight=False)
    emit(frame(res.data, CandidateRow), fmt, "Duplicate candidates",
         ["id_left", "name_left", "id_right", "name_right", "weight", "score", "judgement"])
