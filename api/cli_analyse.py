"""``netintel analyse …``: run the analytics on the database or on plain CSV files.

Each command reads its input either from Neo4j (through ``graph.projection``)
or from CSV files given with ``--csv`` (and friends), calls one pure function
of ``analytics/``, and prints the resulting DataFrame as a table, CSV or JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import networkx as nx
import pandas as pd
import typer

analyse_app = typer.Typer(help="Brokers, routes, money trails, typologies, duplicates, key players.",
                          no_args_is_help=True)


class Format(str, Enum):  # noqa: UP042 - typer needs a str Enum
    table = "table"
    csv = "csv"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="output format")]
CasesOpt = Annotated[str | None, typer.Option("--cases", help="comma-separated case ids (default: all)")]


def _jsonable(v: Any) -> Any:
    if isinstance(v, tuple | list | set):
        return [_jsonable(x) for x in v]
    if isinstance(v, dt.datetime | dt.date | pd.Timestamp):
        return v.isoformat()
    if isinstance(v, float) and v != v:
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def emit(df: pd.DataFrame, fmt: Format, title: str = "", table_columns: list[str] | None = None) -> None:
    """Print a result DataFrame in the chosen format (``table_columns``: the
    columns worth a terminal table; CSV and JSON always carry all of them)."""
    if fmt is Format.json:
        rows = [{k: _jsonable(v) for k, v in r.items()} for r in df.to_dict(orient="records")]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif fmt is Format.csv:
        out = df.copy()
        for col in out.columns:
            if out[col].map(lambda v: isinstance(v, tuple | list)).any():
                out[col] = out[col].map(lambda v: " > ".join(map(str, v)) if isinstance(v, tuple | list) else v)
        out.to_csv(sys.stdout, index=False)
    else:
        from rich.console import Console
        from rich.table import Table

        if table_columns:
            df = df[[c for c in table_columns if c in df.columns]]
        t = Table(title=title or None)
        for col in df.columns:
            t.add_column(str(col))
        for r in df.itertuples(index=False):
            t.add_row(*[_cell(v) for v in r])
        Console().print(t)


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, tuple):  # a route: ordered
        return " > ".join(map(str, v)) if v else "—"
    if isinstance(v, list | set):
        return ", ".join(map(str, v))
    return "" if v is None else str(v)


def _driver() -> Any:
    from api.cli import _driver as drv

    return drv()


def _cases(cases: str | None) -> list[str] | None:
    return [c.strip() for c in cases.split(",") if c.strip()] if cases else None


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


def _person_graph(cases: str | None, edges: Path | None, nodes: Path | None) -> nx.Graph:
    """The person network from CSV files when given, else from Neo4j."""
    if edges is not None:
        return _graph_from_csv(edges, nodes)
    from graph.projection import person_network

    drv = _driver()
    try:
        return person_network(drv, _cases(cases))
    finally:
        drv.close()


@analyse_app.command("brokers")
def brokers(
    cases: CasesOpt = None,
    group: Annotated[str, typer.Option(help="node attribute defining groups")] = "nationality",
    top: Annotated[int, typer.Option(help="rows to show")] = 20,
    edges: Annotated[Path | None, typer.Option("--csv", help="edge list CSV (source,target) instead of Neo4j")] = None,
    nodes: Annotated[Path | None, typer.Option("--nodes", help="node CSV (id + attributes) for --csv")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Rank brokers: Gould–Fernandez roles, betweenness, constraint, with a reason per person."""
    from analytics.brokers import rank_brokers

    df = rank_brokers(_person_graph(cases, edges, nodes), group=group)
    emit(df.head(top), fmt, "Brokers", ["rank", "node", "name", "score", "role", "groups_bridged", "reason"])


@analyse_app.command("keyplayers")
def keyplayers(
    k: Annotated[int, typer.Option(help="how many people to remove")] = 5,
    cases: CasesOpt = None,
    edges: Annotated[Path | None, typer.Option("--csv", help="edge list CSV instead of Neo4j")] = None,
    seed: int = 0,
    fmt: FormatOpt = Format.table,
) -> None:
    """The k people whose removal fragments the network most (Borgatti's KPP-Neg)."""
    from analytics.keyplayers import fragmentation

    emit(fragmentation(_person_graph(cases, edges, None), k, seed=seed), fmt, "Key players")


@analyse_app.command("routes")
def routes_cmd(
    level: Annotated[str, typer.Option(help="country or province")] = "country",
    corridors_only: Annotated[bool, typer.Option("--corridors", help="aggregate into corridors")] = False,
    cases: CasesOpt = None,
    years: Annotated[str | None, typer.Option(help="year range, e.g. 2018-2024")] = None,
    nationality: Annotated[str | None, typer.Option(help="victims' nationality (ISO3)")] = None,
    exploitation_type: Annotated[str | None, typer.Option(help="e.g. fishing, sexual")] = None,
    sex: Annotated[str | None, typer.Option(help="M or F")] = None,
    journeys_csv: Annotated[Path | None, typer.Option("--csv", help="journeys CSV instead of Neo4j")] = None,
    flows_csv: Annotated[Path | None, typer.Option("--flows", help="aggregate flows CSV: origin,destination,count")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Source → transit → destination routes per journey, or corridors (--corridors)."""
    from analytics import routes as R

    if flows_csv is not None:
        emit(R.corridors_from_flows(pd.read_csv(flows_csv)), fmt, "Corridors")
        return
    hierarchy: Any = None
    levels: Any = None
    if journeys_csv is not None:
        j = pd.read_csv(journeys_csv)
    else:
        from graph.projection import journeys, location_hierarchy

        drv = _driver()
        try:
            j = journeys(drv, _cases(cases))
            hierarchy, levels = location_hierarchy(drv)
        finally:
            drv.close()
    df = R.routes(j, level=level, hierarchy=hierarchy, levels=levels)
    if corridors_only:
        yr = None
        if years:
            lo, _, hi = years.partition("-")
            yr = range(int(lo), int(hi or lo) + 1)
        df = R.corridors(df, years=yr, nationality=nationality, exploitation_type=exploitation_type, sex=sex)
        emit(df, fmt, "Corridors")
    else:
        emit(df, fmt, "Routes", ["person_id", "case_id", "source", "transit", "destination", "complete"])


def _transfers(csv_path: Path | None, accounts: list[str] | None = None) -> pd.DataFrame:
    if csv_path is not None:
        df = pd.read_csv(csv_path, dtype={"txn_id": str, "source": str, "target": str})
        df["at"] = pd.to_datetime(df["at"], utc=True, format="mixed")
        return df
    from graph.projection import transfers

    drv = _driver()
    try:
        return transfers(drv, accounts)
    finally:
        drv.close()


@analyse_app.command("trace")
def trace_cmd(
    account: Annotated[str, typer.Argument(help="account id to trace from")],
    direction: Annotated[str, typer.Option(help="forward or backward")] = "forward",
    max_hops: Annotated[int, typer.Option(help="longest path")] = 4,
    window_days: Annotated[float, typer.Option("--window-days", help="time window in days")] = 7.0,
    min_amount: Annotated[float, typer.Option(help="ignore smaller transfers")] = 0.0,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="transfers CSV instead of Neo4j")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Follow money forward or backward in time from an account."""
    from analytics.money import trace

    df = trace(_transfers(csv_path), account, direction=direction, max_hops=max_hops,
               window=pd.Timedelta(days=window_days), min_amount=min_amount)
    emit(df, fmt, f"Money trail {direction} from {account}",
         ["path", "hop", "txn_id", "source", "target", "amount", "at", "carried"])


@analyse_app.command("typologies")
def typologies_cmd(
    threshold: Annotated[float, typer.Option(help="reporting threshold (THB)")] = 2_000_000,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="transfers CSV instead of Neo4j")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Fan-in, fan-out, scatter-gather, gather-scatter, cycles, pass-through, structuring."""
    from analytics.money import typologies

    emit(typologies(_transfers(csv_path), threshold=threshold), fmt, "Typologies",
         ["kind", "accounts", "amount", "start", "end", "reason"])


@analyse_app.command("duplicates")
def duplicates_cmd(
    write: Annotated[bool, typer.Option("--write", help="store candidates in Neo4j as pending SAME_AS")] = False,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="person records CSV instead of Neo4j")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Same person recorded by different agencies (Thai/Latin names, dates, IDs, phones)."""
    from analytics.resolution import find_duplicates

    if csv_path is not None:
        records = pd.read_csv(csv_path, dtype=str)
        df = find_duplicates(records)
    else:
        from graph.projection import person_records, write_same_as

        drv = _driver()
        try:
            df = find_duplicates(person_records(drv))
            if write:
                n = write_same_as(drv, df[df["is_match"]], method="netintel-resolution")
                print(f"{n} SAME_AS candidates stored as pending", file=sys.stderr)
        finally:
            drv.close()
    emit(df[df["is_match"]] if fmt is Format.table else df, fmt, "Duplicate candidates",
         ["id_left", "id_right", "score", "reasons"])
