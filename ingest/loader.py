"""Load a bundle into Neo4j: read → validate → normalise → batched MERGE.

* Bad rows never stop a load: each goes to the rejects CSV with file, line,
  field, reason and the raw row, and the good rows still load.
* Nodes are MERGEd by ``id`` and relationships by ``(type, from, to,
  source, source_record_id)`` in ``UNWIND $rows`` batches inside managed
  transactions, so re-running a bundle — also after an interrupted load —
  changes nothing and duplicates nothing.
* Node tables load first; references (``party_id``, ``parent_id`` ...) are
  then checked against the ids of the bundle and of the database, and a
  dangling reference is a rejected row, not a silent drop.
* Validation of the next batches overlaps the database writes of the
  previous ones (``writers`` threads, each one managed transaction at a time),
  which keeps both the CPU and Neo4j busy.  Concurrent relationship writes
  may meet a deadlock on a shared node; the driver retries those transient
  errors.
"""

from __future__ import annotations

import csv
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neo4j import Driver

from core.files import open_private
from graph import cypher
from graph import db as gdb
from graph.model import NODES, RelSpec, node_spec, rel_specs_for_table
from graph.scope import Scope

from .read import RawRow, find_tables, read_table
from .validate import Record, missing_columns, validate_row

__all__ = ["ingest_bundle", "IngestSummary", "RejectWriter", "DEFAULT_BATCH"]

DEFAULT_BATCH = 5000
DEFAULT_WRITERS = 2
Progress = Callable[[str, int], None]


@dataclass
class FileSummary:
    table: str
    rows: int = 0
    loaded: int = 0
    rejected: int = 0


@dataclass
class IngestSummary:
    bundle: str
    run_id: str
    rejects_file: str
    files: dict[str, FileSummary] = field(default_factory=dict)
    ignored_files: list[str] = field(default_factory=list)
    nodes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    relationships: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds: float = 0.0
    node_seconds: float = 0.0
    rel_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files.values())

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files.values())

    def as_dict(self) -> dict[str, Any]:
        n_nodes = sum(self.nodes.values())
        n_rels = sum(self.relationships.values())
        secs = max(self.seconds, 1e-9)
        return {
            "bundle": self.bundle,
            "run_id": self.run_id,
            "rows": self.rows,
            "rejected": self.rejected,
            "rejects_file": self.rejects_file,
            "nodes_written": dict(self.nodes),
            "relationships_written": dict(self.relationships),
            "files": {k: vars(v) for k, v in self.files.items()},
            "ignored_files": self.ignored_files,
            "seconds": round(self.seconds, 3),
            "node_seconds": round(self.node_seconds, 3),
            "relationship_seconds": round(self.rel_seconds, 3),
            "nodes_per_s": round(n_nodes / max(self.node_seconds, 1e-9), 1),
            "relationships_per_s": round(n_rels / max(self.rel_seconds, 1e-9), 1),
            "rows_per_s": round((self.rows - self.rejected) / secs, 1),
        }


class RejectWriter:
    """The rejects CSV: ``file, line, field, reason, raw`` — one line per problem."""

    COLUMNS = ("file", "line", "field", "reason", "raw")

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = open_private(path, newline="")  # raw rows may hold personal data: 0600 in a 0700 folder
        self._w = csv.writer(self._fh)
        self._w.writerow(self.COLUMNS)
        self.count = 0

    def add(self, file: str, line: int, fld: str, reason: str, raw: str) -> None:
        self._w.writerow((file, line, fld, reason, raw))
        self.count += 1

    def close(self) -> None:
        self._fh.close()


def _bundle_hash(files: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(files):
        h.update(p.name.encode())
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:16]


class _Loader:
    def __init__(self, driver: Driver, bundle: Path, rejects: RejectWriter, summary: IngestSummary,
                 batch_size: int, progress: Progress | None, writers: int = DEFAULT_WRITERS) -> None:
        self.driver = driver
        # reference checks see every record (an operator's read, not a user's)
        self.scope = Scope.operator(driver, "ingest: reference check")
        self.bundle = bundle
        self.rejects = rejects
        self.summary = summary
        self.batch_size = batch_size
        self.progress = progress
        self.labels: dict[str, str] = {}  # id -> label, for ids seen in this bundle
        self.db_known: dict[str, set[str]] = defaultdict(set)  # label -> ids found in the database
        self.db_missing: dict[str, set[str]] = defaultdict(set)
        self.writers = max(1, writers)
        self.pool = ThreadPoolExecutor(max_workers=self.writers, thread_name_prefix="neo4j-writer")
        self.pending: list[Future[None]] = []

    # ------------------------------------------------------------ writing
    def _submit(self, query: str, rows: list[dict[str, Any]]) -> None:
        # a bounded number of batches in flight: bounded memory, validation overlapped with writes
        while len(self.pending) > self.writers:
            self.pending.pop(0).result()
        self.pending.append(self.pool.submit(gdb.write_batch, self.driver, query, rows))

    def drain(self) -> None:
        for f in self.pending:
            f.result()
        self.pending.clear()

    def close(self) -> None:
        try:
            self.drain()
        finally:
            self.pool.shutdown(wait=True)

    # ------------------------------------------------------------ rejects
    def reject(self, fs: FileSummary, raw: RawRow, problems: list[tuple[str, str]]) -> None:
        fs.rejected += 1
        for fld, reason in problems:
            self.rejects.add(raw.file, raw.line, fld, reason, raw.raw)

    # -------------------------------------------------------------- rows
    def _rows(self, table: str, path: Path, fs: FileSummary) -> Iterable[tuple[RawRow, Record]]:
        """Valid records of one file; everything else goes to the rejects file."""
        seen_keys: dict[tuple[str, str], int] = {}
        missing: list[str] | None = None
        for raw in read_table(path):
            if raw.error and not raw.values and not raw.raw:
                # a whole-file problem (empty file, unreadable header)
                self.rejects.add(raw.file, raw.line, "", raw.error, "")
                continue
            fs.rows += 1
            if self.progress and fs.rows % 1000 == 0:
                self.progress(table, 1000)
            if raw.error:
                self.reject(fs, raw, [(raw.error_field, raw.error)])
                continue
            if missing is None:
                missing = missing_columns(table, raw.header)
            if missing:
                self.reject(fs, raw, [(c, f"required column {c!r} is missing from the file header") for c in missing])
                continue
            rec, problems = validate_row(table, raw.values)
            if rec is None:
                self.reject(fs, raw, problems)
                continue
            key = (rec.source, rec.source_record_id)
            if key in seen_keys:
                self.reject(fs, raw, [("source_record_id",
                                       f"duplicate record {rec.source}:{rec.source_record_id} "
                                       f"(first at line {seen_keys[key]})")])
                continue
            seen_keys[key] = raw.line
            rec.line = raw.line
            yield raw, rec
        if self.progress and fs.rows % 1000:
            self.progress(table, fs.rows % 1000)

    # -------------------------------------------------------------- nodes
    def load_nodes(self, table: str, path: Path) -> list[tuple[RawRow, Record]]:
        """Load one node table; return the records that carry embedded references."""
        spec = node_spec(table)
        assert spec is not None
        fs = self.summary.files.setdefault(path.name, FileSummary(table))
        query = cypher.upsert_nodes(spec.label)
        batch: list[dict[str, Any]] = []
        with_refs: list[tuple[RawRow, Record]] = []
        for raw, rec in self._rows(table, path, fs):
            assert rec.id is not None
            other = self.labels.get(rec.id)
            if other is not None and other != spec.label:
                self.reject(fs, raw, [("id", f"id {rec.id!r} is already used by a {other}")])
                continue
            self.labels[rec.id] = spec.label
            batch.append({"id": rec.id, "props": rec.props, "source": rec.source,
                          "ref": f"{rec.source}:{rec.source_record_id}", "seen": rec.seen})
            fs.loaded += 1
            self.summary.nodes[spec.label] += 1
            if rec.refs:  # keep only what the reference check and a reject need
                with_refs.append((RawRow(raw.file, raw.line, text=raw.raw),
                                  Record(rec.table, rec.line, rec.id, rec.source, rec.source_record_id,
                                         rec.seen, {}, rec.refs)))
            if len(batch) >= self.batch_size:
                self._submit(query, batch)
                batch = []
        if batch:
            self._submit(query, batch)
        return with_refs

    # ----------------------------------------------------------- references
    def resolve(self, ref_id: str, allowed: tuple[str, ...]) -> str | None:
        lab = self.labels.get(ref_id)
        if lab is not None:
            return lab if lab in allowed else None
        for lab in allowed:
            if ref_id in self.db_known[lab]:
                return lab
        return None

    def prefetch(self, ids_by_labels: dict[tuple[str, ...], set[str]]) -> None:
        """Look up, in the database, referenced ids that this bundle does not define."""
        for allowed, ids in ids_by_labels.items():
            unknown = {i for i in ids if i not in self.labels}
            for lab in allowed:
                todo = unknown - self.db_known[lab] - self.db_missing[lab]
                if not todo:
                    continue
                found = gdb.existing_ids(self.scope, lab, todo)
                self.db_known[lab] |= found
                self.db_missing[lab] |= todo - found

    # ------------------------------------------------------- relationships
    def _rel_payload(self, spec: RelSpec, rtype: str, rec: Record, fs: FileSummary, raw: RawRow,
                     extra_refs: dict[str, tuple[str, ...]]) -> tuple[str, str, dict[str, Any]] | None:
        frm = rec.refs[spec.from_field] if not spec.embedded else rec.id
        to = rec.refs[spec.to_field]
        assert frm is not None
        problems = []
        flab = self.resolve(frm, spec.from_labels)
        tlab = self.resolve(to, spec.to_labels)
        if flab is None:
            problems.append((spec.from_field, f"unknown reference: no {'/'.join(spec.from_labels)} with id {frm!r}"))
        if tlab is None:
            problems.append((spec.to_field, f"unknown reference: no {'/'.join(spec.to_labels)} with id {to!r}"))
        for col, allowed in extra_refs.items():
            if col in rec.refs and self.resolve(rec.refs[col], allowed) is None:
                problems.append((col, f"unknown reference: no {'/'.join(allowed)} with id {rec.refs[col]!r}"))
        if problems:
            self.reject(fs, raw, problems)
            return None
        assert flab and tlab
        return flab, tlab, {"from": frm, "to": to, "source": rec.source,
                            "source_record_id": rec.source_record_id, "props": rec.props, "seen": rec.seen}

    def _flush_rels(self, spec: RelSpec, pairs: list[tuple[RawRow, Record]], fs: FileSummary,
                    extra_refs: dict[str, tuple[str, ...]], count_loaded: bool) -> None:
        need: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for _, rec in pairs:
            if not spec.embedded:
                need[spec.from_labels].add(rec.refs[spec.from_field])
            need[spec.to_labels].add(rec.refs[spec.to_field])
            for col, allowed in extra_refs.items():
                if col in rec.refs:
                    need[allowed].add(rec.refs[col])
        self.prefetch(need)
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for raw, rec in pairs:
            rtype = rec.rel_type or spec.type
            got = self._rel_payload(spec, rtype, rec, fs, raw, extra_refs)
            if got is None:
                if spec.embedded:
                    fs.loaded -= 1  # the node loaded, but its row is in rejects for the reference
                continue
            flab, tlab, payload = got
            groups[(rtype, flab, tlab)].append(payload)
            if count_loaded:
                fs.loaded += 1
            self.summary.relationships[rtype] += 1
        for (rtype, flab, tlab), rows in groups.items():
            self._submit(cypher.upsert_rels(rtype, flab, tlab), rows)

    def load_embedded(self, table: str, records: list[tuple[RawRow, Record]]) -> None:
        fs = self.summary.files[next(n for n, f in self.summary.files.items() if f.table == table)]
        for spec in rel_specs_for_table(table):
            if not spec.embedded:
                continue
            chosen = [(raw, rec) for raw, rec in records if spec.to_field in rec.refs]
            for i in range(0, len(chosen), self.batch_size):
                self._flush_rels(spec, chosen[i : i + self.batch_size], fs, {}, count_loaded=False)

    def load_rels(self, table: str, path: Path) -> None:
        spec = rel_specs_for_table(table)[0]
        fs = self.summary.files.setdefault(path.name, FileSummary(table))
        extra = {f.name: _REF_TARGETS[f.name] for f in spec.fields if f.kind == "ref"}
        pairs: list[tuple[RawRow, Record]] = []
        for raw, rec in self._rows(table, path, fs):
            pairs.append((raw, rec))
            if len(pairs) >= self.batch_size:
                self._flush_rels(spec, pairs, fs, extra, count_loaded=True)
                pairs = []
        if pairs:
            self._flush_rels(spec, pairs, fs, extra, count_loaded=True)


#: Label(s) a non-endpoint reference column must point at.
_REF_TARGETS: dict[str, tuple[str, ...]] = {"person_id": ("Person",), "case_id": ("Case",)}


def ingest_bundle(
    driver: Driver,
    bundle: Path | str,
    rejects_path: Path | str | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    writers: int = DEFAULT_WRITERS,
) -> IngestSummary:
    """Validate and load every table of ``bundle`` (a folder, or one table file).

    Returns an :class:`IngestSummary`; rejected rows are in ``rejects_path``
    (default ``rejects/<bundle name>.rejects.csv``).
    """
    bundle = Path(bundle)
    if not bundle.exists():
        raise FileNotFoundError(f"no such bundle: {bundle}")
    tables, unknown = find_tables(bundle)
    if rejects_path is None:
        rejects_path = Path("rejects") / f"{bundle.name}.rejects.csv"
    rejects_path = Path(rejects_path)
    started = time.perf_counter()
    run_id = _bundle_hash(tables.values())
    summary = IngestSummary(bundle=str(bundle), run_id=run_id, rejects_file=str(rejects_path),
                            ignored_files=[p.name for p in unknown])
    gdb.ensure_schema(driver)
    started_at = datetime.now(UTC)
    gdb.record_run(driver, run_id, {"bundle": str(bundle.resolve()), "status": "running",
                                    "started_at": started_at})
    rejects = RejectWriter(rejects_path)
    loader = _Loader(driver, bundle, rejects, summary, batch_size, progress, writers)
    try:
        node_tables = [n.table for n in NODES if n.table in tables]
        embedded: dict[str, list[tuple[RawRow, Record]]] = {}
        t0 = time.perf_counter()
        for t in node_tables:
            embedded[t] = loader.load_nodes(t, tables[t])
        loader.drain()  # every node exists before any relationship is written
        t1 = time.perf_counter()
        summary.node_seconds = t1 - t0
        for t in node_tables:
            loader.load_embedded(t, embedded[t])
        embedded.clear()
        for t, path in tables.items():
            if node_spec(t) is None:
                loader.load_rels(t, path)
        loader.drain()
        summary.rel_seconds = time.perf_counter() - t1
    finally:
        loader.close()
        rejects.close()
    summary.seconds = time.perf_counter() - started
    gdb.record_run(driver, run_id, {"status": "complete", "finished_at": datetime.now(UTC),
                                    "rows": summary.rows, "rejected": summary.rejected})
    return summary
