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
import gc
import hashlib
import pickle
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from neo4j import Driver

from core.files import open_private
from graph import cypher
from graph import db as gdb
from graph.model import NODES, RelSpec, date_properties, node_spec, rel_specs_for_table
from graph.scope import Scope

from .read import RawRow, csv_column_chunks, find_tables, read_table, rows_to_columns
from .validate import Record, missing_columns, validate_columns

__all__ = ["ingest_bundle", "IngestSummary", "RejectWriter", "DEFAULT_BATCH"]

DEFAULT_BATCH = 10000
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
    method: str = "loader"  # or "bulk" (neo4j-admin database import)
    import_seconds: float = 0.0  # the bulk path: the offline importer's own time
    mapping: str = ""  # an agency file loaded through a mapping: its name
    unmapped_columns: list[str] = field(default_factory=list)
    rejected_read: int = 0  # agency rows that could not be read at all (mapped files)
    agency_rows: int = 0  # rows of the agency file (mapped files)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files.values())

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files.values()) + self.rejected_read

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
            "method": self.method,
            **({"import_seconds": round(self.import_seconds, 3)} if self.method == "bulk" else {}),
            **({"mapping": self.mapping, "agency_rows": self.agency_rows,
                "unmapped_columns": self.unmapped_columns} if self.mapping else {}),
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


@dataclass
class _SpillChunk:
    """Spilled node rows, column by column: their lines, ids, provenance, recorded dates, the
    embedded references (``refs[field][i]``, ``None`` where row ``i`` has none) and, for files
    not read line by line, their raw text (``None`` when the line itself is the raw row)."""

    lines: list[int]
    ids: list[str]
    sources: list[str]
    srids: list[str]
    seen: list[Any]
    refs: dict[str, list[str | None]]
    raws: list[str | None]


class _Spill:
    """The embedded references of loaded node rows, kept for a later pass (when every node is
    loaded), on disk in column chunks: the loader's memory does not grow with a node file."""

    def __init__(self, fields: Iterable[str], chunk: int = 5000) -> None:
        self._fh = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.fields = tuple(fields)
        self.count = 0
        self.chunk = chunk  # rows read back at a time: the relationship batches of the second pass
        self._new()

    def _new(self) -> None:
        self._buf = _SpillChunk([], [], [], [], [], {f: [] for f in self.fields}, [])

    def add(self, raw: RawRow, rec: Record, by_line: bool) -> None:
        """Keep ``rec``'s references; ``by_line``: the file's line ``raw.line`` is the raw row."""
        b = self._buf
        b.lines.append(raw.line)
        b.ids.append(rec.id or "")
        b.sources.append(rec.source)
        b.srids.append(rec.source_record_id)
        b.seen.append(rec.seen)
        for f in self.fields:
            b.refs[f].append(rec.refs.get(f))
        b.raws.append(None if by_line else raw.raw)
        self.count += 1
        if len(b.lines) >= self.chunk:
            self._dump()

    def _dump(self) -> None:
        if self._buf.lines:
            b = self._buf
            # plain lists (identical dates, parsed once, are pickled once per chunk)
            pickle.dump((b.lines, b.ids, b.sources, b.srids, b.seen, b.refs, b.raws), self._fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
            self._new()

    def chunks(self) -> Iterator[_SpillChunk]:
        self._dump()
        self._fh.seek(0)
        while True:
            try:
                yield _SpillChunk(*pickle.load(self._fh))  # noqa: S301 - our own temporary file
            except EOFError:
                return

    def close(self) -> None:
        self._fh.close()


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic cyclic garbage collection inside the block (restored after it).

    A load makes millions of small, short-lived containers; the automatic collector
    traverses the older ones again and again as they pile up (the loader's id map, the
    spilled chunks; the bulk path's clean columns), which cost about a fifth of the loader's
    time and a third of the bulk path's validation.  The loader still collects the young
    generations once per batch written (:meth:`_Loader._submit`), so its garbage cycles are
    freed and memory stays bounded; the bulk path's validation tasks make none."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class RejectSink(Protocol):
    """Where rejects are written: :class:`RejectWriter`, or a bulk worker's list of them."""

    def add(self, file: str, line: int, fld: str, reason: str, raw: str) -> None: ...


def screened_rows(path: Path, table: str, fs: FileSummary, rejects: RejectSink,
                  reject: Callable[[RawRow, list[tuple[str, str]]], None]) -> Iterator[RawRow]:
    """The rows of a file by the row reader (:func:`ingest.read.read_table`) that reach
    validation, counted in ``fs.rows``.  A row the reader could not read, or every row when a
    required column is missing from the header, goes to ``reject`` with its problems; a
    whole-file problem (an empty file, an unreadable header) is written to ``rejects``
    without counting a row.  The loader and the bulk path read such files alike."""
    missing: list[str] | None = None
    for raw in read_table(path):
        if raw.error and not raw.values and not raw.raw:
            rejects.add(raw.file, raw.line, "", raw.error, "")
            continue
        fs.rows += 1
        if raw.error:
            reject(raw, [(raw.error_field, raw.error)])
            continue
        if missing is None:
            missing = missing_columns(table, raw.header)
        if missing:
            reject(raw, [(c, f"required column {c!r} is missing from the file header") for c in missing])
            continue
        yield raw


def raw_lines(path: Path, lines: set[int]) -> dict[int, str]:
    """The raw text of some rows of a file, by line, as the rejects file takes them."""
    return {r.line: r.raw for r in read_table(path) if r.line in lines}


def _unknown(fld: str, labels: tuple[str, ...], ref_id: str) -> tuple[str, str]:
    return fld, f"unknown reference: no {'/'.join(labels)} with id {ref_id!r}"


class _Loader:
    def __init__(self, driver: Driver, bundle: Path, rejects: RejectWriter, summary: IngestSummary,
                 batch_size: int, progress: Progress | None, writers: int = DEFAULT_WRITERS,
                 rel_writers: int = 1) -> None:
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
        self.rel_inflight = max(1, rel_writers) - 1  # relationship batches waiting besides the one written
        # relationship rows waiting for a full batch, per (query kind, type, labels): a chunk's rows
        # split by type and end labels, and full batches mean fewer, larger transactions
        self.rel_buf: dict[tuple[bool, str, str, str], list[dict[str, Any]]] = defaultdict(list)
        # labels and types with nothing in the store when the run began: every id or
        # relationship record of this run is then new, and is CREATEd without a look-up
        self.empty_labels, self.empty_types = self._empty()
        # tables read by pyarrow, one record per line: a row's raw text is its line of the file
        self.by_line: set[str] = set()

    def _empty(self) -> tuple[set[str], set[str]]:
        st = gdb.stats(self.scope)
        return ({k for k, v in st["nodes"].items() if v == 0},
                {k for k, v in st["relationships"].items() if v == 0})

    # ------------------------------------------------------------ writing
    def _submit(self, query: str, rows: list[dict[str, Any]], writers: int | None = None) -> None:
        # a bounded number of batches in flight: bounded memory, validation overlapped with writes
        limit = self.writers if writers is None else writers
        while len(self.pending) > limit:
            self.pending.pop(0).result()
        self.pending.append(self.pool.submit(loader_write, self.driver, query, rows))
        if not gc.isenabled():  # inside gc_paused(): the young generations, once per batch
            gc.collect(1)

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
    def _chunks(self, table: str, path: Path, fs: FileSummary) -> Iterator[list[tuple[RawRow, Record]]]:
        """Valid records of one file, a chunk at a time, validated column by column;
        everything else goes to the rejects file."""
        seen_keys: dict[tuple[str, str], int] = {}
        missing: list[str] | None = None
        buf: list[RawRow] = []

        def flush(cols: dict[str, Any] | None = None) -> list[tuple[RawRow, Record]]:
            if cols is None:
                cols = rows_to_columns(buf)
            recs, problems = validate_columns(table, cols, len(buf))
            good: list[tuple[RawRow, Record]] = []
            for raw, rec, probs in zip(buf, recs, problems, strict=True):
                if rec is None:
                    self.reject(fs, raw, probs)
                    continue
                key = (rec.source, rec.source_record_id)
                first = seen_keys.get(key)
                if first is not None:
                    self.reject(fs, raw, [("source_record_id",
                                           f"duplicate record {rec.source}:{rec.source_record_id} "
                                           f"(first at line {first})")])
                    continue
                seen_keys[key] = raw.line
                rec.line = raw.line
                good.append((raw, rec))
            if self.progress:
                self.progress(table, len(buf))
            buf.clear()
            return good

        fast = csv_column_chunks(path, self.batch_size)
        if fast is not None:
            self.by_line.add(table)
            # a plain CSV file (one line per record): pyarrow's reader, chunks of batch_size rows
            for ch in fast:
                fs.rows += ch.n
                cells = zip(*[c.to_pylist() for c in ch.columns], strict=True)
                buf.extend(RawRow(ch.file, ch.first_line + i, header=ch.header, cells=list(r))
                           for i, r in enumerate(cells))
                if missing is None:
                    missing = missing_columns(table, ch.header)
                if missing:
                    for raw in buf:
                        self.reject(fs, raw, [(c, f"required column {c!r} is missing from the file header")
                                              for c in missing])
                    buf.clear()
                    continue
                yield flush(ch.named())
            return
        for raw in screened_rows(path, table, fs, self.rejects, lambda r, probs: self.reject(fs, r, probs)):
            buf.append(raw)
            if len(buf) >= self.batch_size:
                yield flush()
        if buf:
            yield flush()

    # -------------------------------------------------------------- nodes
    def load_nodes(self, table: str, path: Path, spill: _Spill) -> None:
        """Load one node table; records that carry embedded references go to ``spill``."""
        spec = node_spec(table)
        assert spec is not None
        fs = self.summary.files.setdefault(path.name, FileSummary(table))
        for chunk in self._chunks(table, path, fs):
            agg: dict[str, dict[str, Any]] = {}
            again: set[str] = set()  # ids already written by an earlier chunk of this run
            for raw, rec in chunk:
                assert rec.id is not None
                other = self.labels.get(rec.id)
                if other is not None and other != spec.label:
                    self.reject(fs, raw, [("id", f"id {rec.id!r} is already used by a {other}")])
                    continue
                a = agg.get(rec.id)
                if a is None:
                    if other is not None:
                        again.add(rec.id)
                    self.labels[rec.id] = spec.label
                    a = agg[rec.id] = {"id": rec.id, "props": {}, "sources": [], "refs": [],
                                       "first": None, "last": None}
                _fold(a, rec)
                fs.loaded += 1
                self.summary.nodes[spec.label] += 1
                if rec.refs:
                    spill.add(raw, rec, by_line=fs.table in self.by_line)
            self._write_nodes(spec.label, agg, again)

    def _write_nodes(self, lab: str, agg: dict[str, dict[str, Any]], again: set[str]) -> None:
        if not agg:
            return
        if lab in self.empty_labels:
            existing = set(again)
        else:
            fresh = [i for i in agg if i not in again]
            existing = again | (gdb.existing_ids(self.scope, lab, fresh) if fresh else set())
        create = [a for i, a in agg.items() if i not in existing]
        merge = [a for i, a in agg.items() if i in existing]
        if again:
            self.drain()  # the earlier chunk's writes of these ids first: one writer per node
        dates = date_properties(lab)
        for restricted in (False, True):
            rows = [{"p": _node_props(a, dates)} for a in create
                    if bool(a["props"].get("restricted_to")) is restricted]
            if rows:
                self._submit(cypher.create_nodes(lab, restricted=restricted and lab == "Case"), rows)
        if merge:
            self._submit(cypher.merge_nodes(lab), merge)

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
    def _rel_payload(self, spec: RelSpec, rec: Record, fs: FileSummary, raw: RawRow,
                     extra_refs: dict[str, tuple[str, ...]]) -> tuple[str, str, str, str] | None:
        """The end ids and labels of a record's relationship, or ``None`` (rejected: an unknown reference)."""
        frm = rec.refs[spec.from_field] if not spec.embedded else rec.id
        to = rec.refs[spec.to_field]
        assert frm is not None
        flab = self.resolve(frm, spec.from_labels)
        tlab = self.resolve(to, spec.to_labels)
        if flab is not None and tlab is not None and not extra_refs:
            return frm, to, flab, tlab
        problems = []
        if flab is None:
            problems.append(_unknown(spec.from_field, spec.from_labels, frm))
        if tlab is None:
            problems.append(_unknown(spec.to_field, spec.to_labels, to))
        for col, allowed in extra_refs.items():
            if col in rec.refs and self.resolve(rec.refs[col], allowed) is None:
                problems.append(_unknown(col, allowed, rec.refs[col]))
        if problems:
            self.reject(fs, raw, problems)
            return None
        assert flab and tlab
        return frm, to, flab, tlab

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
        groups: dict[tuple[bool, str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for raw, rec in pairs:
            rtype = rec.rel_type or spec.type
            got = self._rel_payload(spec, rec, fs, raw, extra_refs)
            if got is None:
                if spec.embedded:
                    fs.loaded -= 1  # the node loaded, but its row is in rejects for the reference
                continue
            frm, to, flab, tlab = got
            # nothing of this type existed when the run began, and a run never repeats a
            # record: CREATE rows carry every property; the others are upserted
            create = rtype in self.empty_types
            groups[(create, rtype, flab, tlab)].append(
                {"from": frm, "to": to, "p": _rel_props(rec, date_properties(rtype))} if create else
                {"from": frm, "to": to, "source": rec.source, "source_record_id": rec.source_record_id,
                 "props": rec.props, "seen": rec.seen})
            if count_loaded:
                fs.loaded += 1
            self.summary.relationships[rtype] += 1
        self._write_rels(groups)

    def _write_rels(self, groups: dict[tuple[bool, str, str, str], list[dict[str, Any]]]) -> None:
        # one relationship batch written at a time (the next one validated meanwhile): concurrent
        # CREATEs on shared, dense end nodes (border crossings, hubs) wait on each other's node
        # locks and deadlock, and the driver's retries cost more than the parallelism gains.
        # Rows wait in rel_buf until a batch is full (flush_rels at the end of each table).
        for key, rows in groups.items():
            buf = self.rel_buf[key]
            buf.extend(rows)
            while len(buf) >= self.batch_size:
                self._submit_rels(*key, buf[:self.batch_size])
                del buf[:self.batch_size]

    def _submit_rels(self, create: bool, rtype: str, flab: str, tlab: str, rows: list[dict[str, Any]]) -> None:
        query = cypher.create_rels(rtype, flab, tlab) if create else cypher.upsert_rels(rtype, flab, tlab)
        self._submit(query, rows, writers=self.rel_inflight)

    def flush_rels(self) -> None:
        """Write the relationship rows still waiting for a full batch."""
        for (create, rtype, flab, tlab), rows in self.rel_buf.items():
            if rows:
                self._submit_rels(create, rtype, flab, tlab, list(rows))
        self.rel_buf.clear()

    def load_embedded(self, table: str, spill: _Spill, path: Path) -> None:
        """The relationships of one node table's embedded references, in one pass over ``spill``.

        Rejects (an unknown reference) go to the rejects file reference by reference, each in
        the order of its rows, as the bulk path writes them."""
        fs = self.summary.files[path.name]
        specs = [spec for spec in rel_specs_for_table(table) if spec.embedded]
        bad: list[list[tuple[int, str | None, list[tuple[str, str]]]]] = [[] for _ in specs]
        iso: dict[Any, str] = {}
        for ch in spill.chunks():
            groups: dict[tuple[bool, str, str, str], list[dict[str, Any]]] = defaultdict(list)
            for spec, spec_bad in zip(specs, bad, strict=True):
                col = ch.refs[spec.to_field]
                rows = [(i, v) for i, v in enumerate(col) if v]
                if not rows:
                    continue
                self.prefetch({spec.to_labels: {v for _, v in rows}})
                rtype = spec.type
                create = rtype in self.empty_types
                for i, to in rows:
                    frm = ch.ids[i]
                    flab = self.resolve(frm, spec.from_labels)
                    tlab = self.resolve(to, spec.to_labels)
                    if flab is None or tlab is None:
                        spec_bad.append((ch.lines[i], ch.raws[i],
                                         ([_unknown(spec.from_field, spec.from_labels, frm)] if flab is None else [])
                                         + ([_unknown(spec.to_field, spec.to_labels, to)] if tlab is None else [])))
                        continue
                    seen = ch.seen[i]
                    if create:
                        p = {"source": ch.sources[i], "source_record_id": ch.srids[i]}
                        if seen is not None:
                            d = iso.get(seen)
                            if d is None:
                                d = iso[seen] = seen.isoformat()
                            p["first_seen"] = p["last_seen"] = d
                        groups[(True, rtype, flab, tlab)].append({"from": frm, "to": to, "p": p})
                    else:
                        groups[(False, rtype, flab, tlab)].append(
                            {"from": frm, "to": to, "source": ch.sources[i], "source_record_id": ch.srids[i],
                             "props": {}, "seen": seen})
                    self.summary.relationships[rtype] += 1
            self._write_rels(groups)
        self.flush_rels()
        counted: set[int] = set()  # a row with several unknown references is one rejected row
        for spec_bad in bad:
            if not spec_bad:
                continue
            raws = raw_lines(path, {line for line, raw, _ in spec_bad if raw is None})
            for line, raw, problems in spec_bad:
                if line not in counted:
                    counted.add(line)
                    fs.rejected += 1
                    fs.loaded -= 1  # the node loaded, but its row is in rejects for the reference
                for fld, reason in problems:
                    self.rejects.add(path.name, line, fld, reason, raws.get(line, "") if raw is None else raw)

    def load_rels(self, table: str, path: Path) -> None:
        spec = rel_specs_for_table(table)[0]
        fs = self.summary.files.setdefault(path.name, FileSummary(table))
        extra = {f.name: _ref_targets(f.name) for f in spec.fields if f.kind == "ref"}
        for chunk in self._chunks(table, path, fs):
            if chunk:
                self._flush_rels(spec, chunk, fs, extra, count_loaded=True)
        self.flush_rels()


def loader_write(driver: Driver, query: str, rows: list[dict[str, Any]]) -> None:
    """One batch written by a writer thread (through :func:`graph.db.write_batch`)."""
    gdb.write_batch(driver, query, rows)


def _fold(a: dict[str, Any], rec: Record) -> None:
    """Fold one record into a node's batch aggregate: props (later rows win), provenance
    lists (in order, no repeats), first and last seen."""
    a["props"].update(rec.props)
    if rec.source not in a["sources"]:
        a["sources"].append(rec.source)
    ref = f"{rec.source}:{rec.source_record_id}"
    if ref not in a["refs"]:
        a["refs"].append(ref)
    if rec.seen is not None:
        if a["first"] is None or rec.seen < a["first"]:
            a["first"] = rec.seen
        if a["last"] is None or rec.seen > a["last"]:
            a["last"] = rec.seen


def _iso_dates(p: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """``p`` with its date properties (``keys``) as ISO strings, as the fast paths' Cypher
    takes them (:func:`graph.cypher.create_nodes`): the driver packs a date value through a
    Python hook, several times slower than a string."""
    for k in keys:
        v = p.get(k)
        if v is not None:
            p[k] = v.isoformat()
    return p


def _node_props(a: dict[str, Any], dates: tuple[str, ...] = ()) -> dict[str, Any]:
    p = dict(a["props"])
    p["id"] = a["id"]
    p["sources"] = a["sources"]
    p["source_record_ids"] = a["refs"]
    if a["first"] is not None:
        p["first_seen"] = a["first"]
        p["last_seen"] = a["last"]
    return _iso_dates(p, dates)


def _rel_props(rec: Record, dates: tuple[str, ...]) -> dict[str, Any]:
    """Every property of a new relationship: the record's, its provenance, first and last
    seen; ``dates`` as ISO strings (:func:`_iso_dates`)."""
    p = dict(rec.props)
    p["source"] = rec.source
    p["source_record_id"] = rec.source_record_id
    if rec.seen is not None:
        p["first_seen"] = p["last_seen"] = rec.seen
    return _iso_dates(p, dates)


def _ref_targets(column: str) -> tuple[str, ...]:
    """Label(s) a non-endpoint reference column must point at, from its name:
    ``person_id`` → Person, ``case_id`` → Case (any label of the model by its
    lower-case name or table), else any label."""
    stem = column[:-3] if column.endswith("_id") else column
    for n in NODES:
        if stem in (n.label.lower(), n.table, n.table.rstrip("s")):
            return (n.label,)
    return tuple(n.label for n in NODES)


def ingest_bundle(
    driver: Driver,
    bundle: Path | str,
    rejects_path: Path | str | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    writers: int = DEFAULT_WRITERS,
    rejects_writer: RejectWriter | None = None,
    rel_writers: int = 1,
) -> IngestSummary:
    """Validate and load every table of ``bundle`` (a folder, or one table file).

    Returns an :class:`IngestSummary`; rejected rows are in ``rejects_path``
    (default ``rejects/<bundle name>.rejects.csv``), or go to ``rejects_writer``.
    """
    bundle = Path(bundle)
    if not bundle.exists():
        raise FileNotFoundError(f"no such bundle: {bundle}")
    tables, unknown = find_tables(bundle)
    if rejects_path is None:
        rejects_path = Path("rejects") / f"{bundle.name}.rejects.csv"
    rejects_path = Path(rejects_writer.path if rejects_writer is not None else rejects_path)
    started = time.perf_counter()
    run_id = _bundle_hash(tables.values())
    summary = IngestSummary(bundle=str(bundle), run_id=run_id, rejects_file=str(rejects_path),
                            ignored_files=[p.name for p in unknown])
    gdb.ensure_schema(driver)
    started_at = datetime.now(UTC)
    gdb.record_run(driver, run_id, {"bundle": str(bundle.resolve()), "status": "running",
                                    "started_at": started_at})
    rejects = rejects_writer if rejects_writer is not None else RejectWriter(rejects_path)
    loader = _Loader(driver, bundle, rejects, summary, batch_size, progress, writers, rel_writers)
    try:
        with gc_paused():
            node_tables = [n.table for n in NODES if n.table in tables]
            spills = {t: _Spill([r.to_field for r in rel_specs_for_table(t) if r.embedded], batch_size)
                      for t in node_tables}
            t0 = time.perf_counter()
            for t in node_tables:
                loader.load_nodes(t, tables[t], spills[t])
            loader.drain()  # every node exists before any relationship is written
            t1 = time.perf_counter()
            summary.node_seconds = t1 - t0
            for t in node_tables:
                loader.load_embedded(t, spills[t], tables[t])
                spills[t].close()
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
