"""The bulk path for a first load: ``neo4j-admin database import full``.

An empty database is filled from a bundle by Neo4j's offline importer,
with the result of the normal loader (:func:`ingest.loader.ingest_bundle`):

1. the bundle is validated and normalised by the loader's own code (same
   rejects file: file, line, field, reason), references checked, the nodes'
   provenance folded on the client (a node given by several rows, also in
   different chunks or files, becomes one node with every source);
2. the clean records are written as the importer's typed CSV files (one
   per label and per relationship type, headers from :mod:`graph.model`);
3. the managed Neo4j is stopped, the importer run from the same Maven
   jars (``org.neo4j.cli.AdminTool database import full``), Neo4j started
   again, and the constraints and indexes of the model created on the
   imported store (:func:`graph.db.ensure_schema`); the run is recorded as
   the normal loader records it.

The database must be empty (no node of the model): the importer replaces
the whole store, so a database holding data is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from neo4j import Driver

from core.errors import InvalidInput
from graph import db as gdb
from graph.model import NODE_LABELS, NODES, REL_TYPES, RELS, Field, node_spec, rel_specs_for_table
from graph.scope import Scope
from graph.server import Neo4jServer, _java
from graph.settings import Settings, get_settings

from . import loader as ld
from .read import find_tables, read_table
from .validate import _parse_agency

__all__ = ["BulkRefused", "bulk_ingest", "write_import_files", "import_command"]


class BulkRefused(InvalidInput):
    """The bulk path cannot run here (the database holds data, or Neo4j is not managed)."""


#: neo4j-admin import column types per field kind
_TYPES = {"int": "long", "float": "double", "amount": "double", "date": "date", "datetime": "datetime",
          "phones": "string[]", "list": "string[]"}


def _col(f: Field) -> str:
    t = _TYPES.get(f.kind)
    return f"{f.name}:{t}" if t else f.name


def _value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return ";".join(v)  # parse_list splits on ';' and '|': no item holds a ';'
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return repr(v)
    return str(v)


class _Files:
    """The importer's CSV files: one per label, one per relationship type."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._open: dict[str, tuple[IO[str], Any, list[str]]] = {}
        self.rows: dict[str, int] = {}

    def _writer(self, key: str, header: list[str]) -> tuple[Any, list[str]]:
        got = self._open.get(key)
        if got is None:
            fh = (self.folder / f"{key}.csv").open("w", encoding="utf-8", newline="")
            w = csv.writer(fh)
            w.writerow(header)
            self._open[key] = got = (fh, w, header)
            self.rows[key] = 0
        return got[1], got[2]

    def node(self, label: str, p: dict[str, Any]) -> None:
        spec = node_spec(label)
        assert spec is not None
        props = [f for f in spec.fields if f.store and f.name != "id"]
        header = (["id:ID", ":LABEL"] + [_col(f) for f in props]
                  + ["sources:string[]", "source_record_ids:string[]", "first_seen:date", "last_seen:date"])
        w, _ = self._writer(f"nodes_{label}", header)
        labels = label + (f";{ld.cypher.RESTRICTED_LABEL}" if label == "Case" and p.get("restricted_to") else "")
        w.writerow([p["id"], labels] + [_value(p.get(f.name)) for f in props]
                   + [_value(p.get(k)) for k in ("sources", "source_record_ids", "first_seen", "last_seen")])
        self.rows[f"nodes_{label}"] += 1

    def rel(self, rtype: str, frm: str, to: str, p: dict[str, Any]) -> None:
        spec = next(r for r in RELS if r.type == rtype or rtype in r.type_choices)
        header = ([":START_ID", ":END_ID", ":TYPE", "source", "source_record_id"] + [_col(f) for f in spec.fields]
                  + ["first_seen:date", "last_seen:date"])
        w, _ = self._writer(f"rels_{rtype}", header)
        w.writerow([frm, to, rtype, p["source"], p["source_record_id"]] + [_value(p.get(f.name)) for f in spec.fields]
                   + [_value(p.get("first_seen")), _value(p.get("last_seen"))])
        self.rows[f"rels_{rtype}"] += 1

    def close(self) -> dict[str, Path]:
        out = {}
        for key, (fh, _, _) in self._open.items():
            fh.close()
            out[key] = self.folder / f"{key}.csv"
        self._open.clear()
        return out


def _repeated_ids(tables: dict[str, Path]) -> set[str]:
    """Ids given by more than one row of the node tables (cheap first pass: ids only)."""
    from core.rules import clean_text

    seen: set[str] = set()
    again: set[str] = set()
    for spec in NODES:
        path = tables.get(spec.table)
        if path is None:
            continue
        for raw in read_table(path):
            v = raw.values
            if not v:
                continue
            i = clean_text(v.get("id") or "")
            if not i:
                try:
                    i = f"{_parse_agency(v.get('source') or '')}:{clean_text(v.get('source_record_id') or '')}"
                except InvalidInput:
                    continue
            if i in seen:
                again.add(i)
            else:
                seen.add(i)
    return again


class _BulkLoader(ld._Loader):
    """The loader's validation, references and provenance, writing the importer's files."""

    def __init__(self, bundle: Path, rejects: ld.RejectWriter, summary: ld.IngestSummary, batch_size: int,
                 progress: ld.Progress | None, files: _Files, repeated: set[str]) -> None:
        self.files = files
        self.repeated = repeated
        self.held: dict[str, dict[str, Any]] = {}  # aggregates of repeated ids, written at the end
        self.held_label: dict[str, str] = {}
        super().__init__(None, bundle, rejects, summary, batch_size, progress, writers=1)  # type: ignore[arg-type]

    def _empty(self) -> tuple[set[str], set[str]]:
        return set(NODE_LABELS), set(REL_TYPES)  # the database is empty: checked before

    def prefetch(self, ids_by_labels: dict[tuple[str, ...], set[str]]) -> None:
        """Nothing to look up: the database is empty, every reference is to the bundle."""

    def _write_nodes(self, lab: str, agg: dict[str, dict[str, Any]], again: set[str]) -> None:
        for i, a in agg.items():
            if i in self.repeated:
                h = self.held.get(i)
                if h is None:
                    self.held[i] = a
                    self.held_label[i] = lab
                else:
                    _fold_agg(h, a)
            else:
                self.files.node(lab, ld._node_props(a))

    def flush_held(self) -> None:
        for i, a in self.held.items():
            self.files.node(self.held_label[i], ld._node_props(a))
        self.held.clear()

    def _write_rels(self, groups: dict[tuple[str, str, str], list[dict[str, Any]]]) -> None:
        for (rtype, _, _), rows in groups.items():
            for r in rows:
                self.files.rel(rtype, r["from"], r["to"], ld._rel_props(r))


def _fold_agg(h: dict[str, Any], a: dict[str, Any]) -> None:
    h["props"].update(a["props"])
    h["sources"] += [s for s in a["sources"] if s not in h["sources"]]
    h["refs"] += [r for r in a["refs"] if r not in h["refs"]]
    for k, better in (("first", min), ("last", max)):
        if a[k] is not None:
            h[k] = a[k] if h[k] is None else better(h[k], a[k])


def write_import_files(bundle: Path, out: Path, rejects_path: Path,
                       batch_size: int = ld.DEFAULT_BATCH,
                       progress: ld.Progress | None = None) -> tuple[ld.IngestSummary, dict[str, Path]]:
    """Validate ``bundle`` and write the importer's CSV files into ``out``."""
    tables, unknown = find_tables(bundle)
    summary = ld.IngestSummary(bundle=str(bundle), run_id=ld._bundle_hash(tables.values()),
                               rejects_file=str(rejects_path), ignored_files=[p.name for p in unknown])
    out.mkdir(parents=True, exist_ok=True)
    files = _Files(out)
    rejects = ld.RejectWriter(rejects_path)
    bl = _BulkLoader(bundle, rejects, summary, batch_size, progress, files, _repeated_ids(tables))
    try:
        node_tables = [n.table for n in NODES if n.table in tables]
        spills = {t: ld._Spill() for t in node_tables}
        t0 = time.perf_counter()
        for t in node_tables:
            bl.load_nodes(t, tables[t], spills[t])
        bl.flush_held()
        summary.node_seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        for t in node_tables:
            bl.load_embedded(t, spills[t])
            spills[t].close()
        for t, path in tables.items():
            if node_spec(t) is None and rel_specs_for_table(t):
                bl.load_rels(t, path)
        summary.rel_seconds = time.perf_counter() - t1
    finally:
        bl.close()
        rejects.close()
    return summary, files.close()


def import_command(server: Neo4jServer, files: dict[str, Path], database: str = "neo4j") -> list[str]:
    """The ``neo4j-admin database import full`` command line (run from the Maven jars)."""
    cmd = [_java(server.s.java_home), "-Xmx1g", "-cp", server._classpath(), "org.neo4j.cli.AdminTool",
           "database", "import", "full", database, "--overwrite-destination=true", "--ignore-empty-strings=true",
           "--skip-bad-relationships=false", "--report-file=" + str(server.logs_dir / "import.report")]
    for key, path in sorted(files.items()):
        if key.startswith("nodes_"):
            cmd.append(f"--nodes={path}")
        else:
            cmd.append(f"--relationships={path}")
    return cmd


def _model_nodes(driver: Driver) -> int:
    st = gdb.stats(Scope.operator(driver, "ingest --bulk: is the database empty?"))
    return sum(st["nodes"].values()) + sum(st["relationships"].values())


def bulk_ingest(bundle: Path | str, rejects_path: Path | str | None = None, settings: Settings | None = None,
                batch_size: int = ld.DEFAULT_BATCH, progress: ld.Progress | None = None,
                log: Callable[[str], None] = lambda m: None) -> ld.IngestSummary:
    """Fill the managed, empty Neo4j from ``bundle`` with the offline importer.

    Returns the loader's :class:`~ingest.loader.IngestSummary` (``node_seconds``:
    validation and the import files; ``rel_seconds``: the relationships' part of
    it; ``seconds``: everything, the import and the schema included; the
    importer's own time is in ``import_seconds``).  Refuses (:class:`BulkRefused`)
    when Neo4j is not the managed one or the database holds data.
    """
    s = settings or get_settings()
    if not s.managed:
        raise BulkRefused("the bulk path runs Neo4j's offline importer on the managed Neo4j; "
                          "with NEO4J_URI set, use `netintel ingest PATH`")
    bundle = Path(bundle)
    if not bundle.exists():
        raise FileNotFoundError(f"no such bundle: {bundle}")
    rejects_path = Path(rejects_path) if rejects_path else Path("rejects") / f"{bundle.name}.rejects.csv"
    server = Neo4jServer(s)
    started = time.perf_counter()
    server.start(log=log)
    driver = gdb.connect(s)
    try:
        n = _model_nodes(driver)
        if n:
            raise BulkRefused(f"the database is not empty ({n:,} nodes and relationships): the bulk path "
                              "replaces the whole store; load into it with `netintel ingest PATH`, "
                              "or empty it first (`netintel db clear --yes`)")
    finally:
        driver.close()
    work = Path(tempfile.mkdtemp(prefix="netintel-import-", dir=server.dir))
    try:
        summary, files = write_import_files(bundle, work, rejects_path, batch_size, progress)
        log(f"validated {summary.rows:,} rows ({summary.rejected:,} rejected); stopping Neo4j for the import")
        server.stop()
        t0 = time.perf_counter()
        proc = subprocess.run(import_command(server, files), env=server._env(), capture_output=True, text=True)
        import_seconds = time.perf_counter() - t0
        (server.logs_dir / "import.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
        if proc.returncode != 0:
            server.start(log=log)
            raise BulkRefused("neo4j-admin database import failed:\n" + (proc.stdout + proc.stderr)[-3000:])
        log(f"imported in {import_seconds:.1f} s; starting Neo4j and building the indexes")
        server.start(log=log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    driver = gdb.connect(s)
    try:
        gdb.ensure_schema(driver)
        gdb.record_run(driver, summary.run_id, {"bundle": str(bundle.resolve()), "status": "complete",
                                                "method": "bulk", "finished_at": datetime.now(UTC),
                                                "rows": summary.rows, "rejected": summary.rejected})
    finally:
        driver.close()
    summary.seconds = time.perf_counter() - started
    summary.import_seconds = import_seconds
    summary.method = "bulk"
    return summary
