"""The data stages: ``generate``, ``ingest``, ``stats`` and ``db schema|clear``.

``stats`` reads the graph, so it goes through :func:`views.explore.stats` with
the call's one scope (what a user may not see is not counted); ``ingest``
and ``db`` write, and take the driver.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from ._common import AsOpt, audit_cli, driver, err, fail, scoped

if TYPE_CHECKING:
    from ingest.loader import IngestSummary

__all__ = ["db_app", "generate", "ingest", "stats"]

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


def ingest(
    path: Annotated[Path, typer.Argument(help="bundle folder (or one table file); an agency file with --mapping; "
                                             "an FtM or CTDC file with --format")],
    rejects: Annotated[Path | None, typer.Option(
        help="rejects CSV, written 0600 (default NETINTEL_HOME/rejects/<bundle>.rejects.csv)")] = None,
    batch_size: Annotated[int, typer.Option(help="rows per transaction")] = 10000,
    writers: Annotated[int, typer.Option(help="concurrent write transactions")] = 2,
    bulk: Annotated[bool, typer.Option("--bulk", help="first load of an EMPTY database with Neo4j's offline "
                                                      "importer (neo4j-admin database import; stops and "
                                                      "restarts the managed Neo4j)")] = False,
    mapping: Annotated[Path | None, typer.Option(help="YAML mapping of an agency's own file (CSV or xlsx) "
                                                      "onto netintel's tables; shipped: "
                                                      "rtp_case_register.yml, amlo_transaction_report.yml")] = None,
    fmt: Annotated[str, typer.Option("--format", help="netintel (a bundle), ftm (FollowTheMoney entities, "
                                                     "line-delimited JSON) or ctdc (CTDC case data CSV)")] = "netintel",
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Validate and load a bundle; bad rows go to the rejects file, good rows load."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from core.errors import InvalidInput
    from graph.settings import get_settings
    from ingest.loader import ingest_bundle

    if sum([bulk, mapping is not None, fmt != "netintel"]) > 1:
        fail("--bulk, --mapping and --format are alternatives: give one", 2)
    if fmt not in ("netintel", "ftm", "ctdc"):
        fail(f"unknown --format {fmt!r} (netintel, ftm, ctdc)", 2)
    if rejects is None:  # in the private home (0700), not in the working directory
        rejects = get_settings().home / "rejects" / f"{path.name}.rejects.csv"
    target = str(path.resolve())
    how = "bulk" if bulk else "mapping" if mapping is not None else fmt
    audit_cli("ingest", "ingest", target, phase="start", rejects=str(rejects), how=how)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, disable=as_json or not err.is_terminal) as prog:
        tasks: dict[str, Any] = {}

        def tick(table: str, n: int) -> None:
            if table not in tasks:
                tasks[table] = prog.add_task(table, total=None)
            prog.advance(tasks[table], n)

        summary: IngestSummary
        try:
            if bulk:
                from ingest.bulk import bulk_ingest

                summary = bulk_ingest(path, rejects_path=rejects, batch_size=batch_size, progress=tick,
                                      log=lambda m: err.print(m))
            else:
                drv = driver()
                try:
                    if mapping is not None:
                        from ingest.mapping import ingest_mapped

                        summary = ingest_mapped(drv, mapping, path, rejects_path=rejects, batch_size=batch_size,
                                                progress=tick, writers=writers)
                    elif fmt != "netintel":
                        from ingest.ftm import ingest_ctdc, ingest_ftm

                        load = ingest_ftm if fmt == "ftm" else ingest_ctdc
                        summary = load(drv, path, rejects_path=rejects, batch_size=batch_size, progress=tick,
                                       writers=writers)
                    else:
                        summary = ingest_bundle(drv, path, rejects_path=rejects, batch_size=batch_size,
                                                progress=tick, writers=writers)
                finally:
                    drv.close()
        except (FileNotFoundError, InvalidInput) as exc:
            audit_cli("ingest", "ingest", target, phase="failed", error=str(exc)[:300])
            fail(str(exc), 2)
    out = summary.as_dict()
    audit_cli("ingest", "ingest", target, phase="done", rows=out.get("rows"), rejected=out.get("rejected"),
              run_id=out.get("run_id"))
    if as_json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        _print_summary(out)


def _print_summary(out: dict[str, Any]) -> None:
    from rich.table import Table

    t = Table(title=f"Ingest of {out['bundle']}")
    for col in ("file", "table", "rows", "loaded", "rejected"):
        t.add_column(col, justify="left" if col in ("file", "table") else "right")
    for name, f in out["files"].items():
        t.add_row(name, f["table"], f"{f['rows']:,}", f"{f['loaded']:,}", f"{f['rejected']:,}")
    Console().print(t)
    print(
        f"{out['rows']:,} rows, {out['rejected']:,} rejected, in {out['seconds']} s "
        f"({out['nodes_per_s']:,} nodes/s, {out['relationships_per_s']:,} relationships/s)"
    )
    if out["rejected"]:
        print(f"Rejected rows with file, line and reason: {out['rejects_file']}")
    if out["ignored_files"]:
        print(f"Ignored files (not a known table): {', '.join(out['ignored_files'])}")
    if out.get("mapping"):
        print(f"Mapping {out['mapping']}: {out['agency_rows']:,} rows of the agency file")
        if out["unmapped_columns"]:
            print(f"Columns not mapped (not loaded): {', '.join(out['unmapped_columns'])}")


def generate(
    out: Annotated[Path, typer.Option("--out", help="folder to write the bundle to")],
    seed: Annotated[int, typer.Option(help="random seed (same seed, same bundle)")] = 42,
    persons: Annotated[int, typer.Option(help="number of person records")] = 1000,
    agency_files: Annotated[bool, typer.Option(
        "--agency-files", help="also write the bundle in two agencies' own layouts into OUT/agency/ "
                               "(RTP case register .xlsx, AMLO transaction report .csv)")] = False,
) -> None:
    """Write a realistic synthetic bundle plus truth.json (expected counts and planted patterns)."""
    from ingest.generate import generate_agency_files, generate_bundle

    truth = generate_bundle(out, seed=seed, persons=persons)
    if agency_files:
        generate_agency_files(out, out / "agency")
        err.print(f"Agency files in {out / 'agency'} (load with --mapping rtp_case_register.yml / "
                  "amlo_transaction_report.yml).")
    n = sum(truth["counts"]["nodes"].values())
    r = sum(truth["counts"]["relationships"].values())
    err.print(f"Wrote {out} ({n:,} nodes, {r:,} relationships expected; truth in {out / 'truth.json'}).")


def stats(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False, as_user: AsOpt = None) -> None:
    """Count nodes per label and relationships per type (what the scope may see)."""
    from views.explore import stats as view

    with scoped("stats", as_user) as scope:
        out = view(scope).model_dump()
    if as_json:
        print(json.dumps(out, indent=2))
        return
    for kind in ("nodes", "relationships"):
        print(kind)
        for k, v in out[kind].items():
            print(f"  {k:16} {v:>10,}")


@db_app.command("clear")
def db_clear(yes: Annotated[bool, typer.Option("--yes", help="really delete everything")] = False) -> None:
    """Delete every node and relationship of the database (audited)."""
    from graph.db import clear_database

    if not yes:
        fail("refusing to delete the database without --yes", 2)
    drv = driver()
    try:
        audit_cli("db clear", "db_clear", "graph")
        clear_database(drv)
    finally:
        drv.close()
    err.print("Database cleared.")


@db_app.command("schema")
def db_schema() -> None:
    """Create constraints and indexes (idempotent) and print them."""
    from graph.cypher import schema_statements
    from graph.db import ensure_schema

    drv = driver()
    try:
        ensure_schema(drv)
    finally:
        drv.close()
    for stmt in schema_statements():
        print(stmt + ";")
