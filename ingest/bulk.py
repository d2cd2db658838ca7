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
import os
import pickle
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from neo4j import Driver

from core.errors import InvalidInput
from graph import db as gdb
from graph.model import NODE_LABELS, NODES, RELS, Field, node_spec, rel_specs_for_table
from graph.scope import Scope
from graph.server import Neo4jServer, _java
from graph.settings import Settings, get_settings

from . import loader as ld
from .read import RawRow, csv_column_chunks, find_tables, read_table, rows_to_columns
from .validate import MISSING, Record, _parse_agency, check_columns, missing_columns

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

    def node(self, label: str, num: int, p: dict[str, Any]) -> None:
        spec = node_spec(label)
        assert spec is not None
        props = [f for f in spec.fields if f.store and f.name != "id"]
        w, _ = self._writer(f"nodes_{label}", self._node_header(label))
        labels = label + (f";{ld.cypher.RESTRICTED_LABEL}" if label == "Case" and p.get("restricted_to") else "")
        w.writerow([num, p["id"], labels] + [_value(p.get(f.name)) for f in props]
                   + [_value(p.get(k)) for k in ("sources", "source_record_ids", "first_seen", "last_seen")])
        self.rows[f"nodes_{label}"] += 1

    def _node_header(self, label: str) -> list[str]:
        spec = node_spec(label)
        assert spec is not None
        props = [f for f in spec.fields if f.store and f.name != "id"]
        # the importer's own ids are integers (--id-type=integer: no string id map to build);
        # netintel's id is a plain property
        return ([":ID", "id", ":LABEL"] + [_col(f) for f in props]
                + ["sources:string[]", "source_record_ids:string[]", "first_seen:date", "last_seen:date"])

    def _rel_header(self, rtype: str) -> list[str]:
        spec = next(r for r in RELS if r.type == rtype or rtype in r.type_choices)
        return ([":START_ID", ":END_ID", ":TYPE", "source", "source_record_id"] + [_col(f) for f in spec.fields]
                + ["first_seen:date", "last_seen:date"])

    def node_rows(self, label: str, columns: list[list[Any]]) -> None:
        """Many nodes at once, given column by column (the header's order)."""
        w, _ = self._writer(f"nodes_{label}", self._node_header(label))
        w.writerows(zip(*columns, strict=True))
        self.rows[f"nodes_{label}"] += len(columns[0])

    def rel_rows(self, rtype: str, columns: list[list[Any]]) -> None:
        """Many relationships of one type at once, given column by column."""
        w, _ = self._writer(f"rels_{rtype}", self._rel_header(rtype))
        w.writerows(zip(*columns, strict=True))
        self.rows[f"rels_{rtype}"] += len(columns[0])

    def close(self) -> dict[str, Path]:
        out = {}
        for key, (fh, _, _) in self._open.items():
            fh.close()
            out[key] = self.folder / f"{key}.csv"
        self._open.clear()
        return out


def _chunks_of(path: Path, batch: int) -> Iterator[tuple[dict[str, Any], int] | RawRow]:
    """A file's rows: column chunks (fast path) or raw rows (the row reader)."""
    fast = csv_column_chunks(path, batch)
    if fast is not None:
        for ch in fast:
            yield ch.named(), ch.n
        return
    yield from read_table(path)


def _repeated_ids(tables: dict[str, Path], batch: int) -> set[str]:
    """Ids given by more than one row of the node tables (cheap first pass: ids only)."""
    from core.rules import clean_text

    seen: set[str] = set()
    again: set[str] = set()

    def add(i: str) -> None:
        if i in seen:
            again.add(i)
        else:
            seen.add(i)

    def derived(src: str, srid: str) -> str | None:
        try:
            return f"{_parse_agency(src or '')}:{clean_text(srid or '')}"
        except InvalidInput:
            return None

    for spec in NODES:
        path = tables.get(spec.table)
        if path is None:
            continue
        for got in _chunks_of(path, batch):
            if isinstance(got, RawRow):
                v = got.values
                if not v:
                    continue
                i = clean_text(v.get("id") or "") or derived(v.get("source") or "", v.get("source_record_id") or "")
                if i:
                    add(i)
                continue
            cols, n = got
            blank = [""] * n
            ids = cols["id"].to_pylist() if "id" in cols else blank
            src = cols["source"].to_pylist() if "source" in cols else blank
            srid = cols["source_record_id"].to_pylist() if "source_record_id" in cols else blank
            for raw_id, a, b in zip(ids, src, srid, strict=True):
                i = clean_text(raw_id) or derived(a, b)
                if i:
                    add(i)
    return again


def _formatter(f: Field) -> Callable[[Any], str]:
    """The importer's text for one clean value of a field (``MISSING`` → empty)."""
    M = MISSING
    if f.kind in ("list", "phones"):
        return lambda v: "" if v is M else ";".join(v)  # parse_list splits on ';' and '|': no item holds a ';'
    if f.kind in ("date", "datetime"):
        return lambda v: "" if v is M else v.isoformat()
    if f.kind in ("float", "amount"):
        return lambda v: "" if v is M else (repr(v) if isinstance(v, float) else str(v))
    return lambda v: "" if v is M else (v if isinstance(v, str) else str(v))


def _iso(v: Any) -> str:
    return "" if v is MISSING or v is None else v.isoformat()


class _Chunk:
    """Rows of one file, column by column, with their lines and raw text (for rejects)."""

    def __init__(self, file: str, lines: Any, cols: dict[str, Any], n: int, raw: Callable[[int], str]) -> None:
        self.file, self.lines, self.cols, self.n, self.raw = file, lines, cols, n, raw


class _Spill:
    """Embedded references of loaded node rows, kept on disk in column chunks until every
    node is known (bounded memory)."""

    def __init__(self) -> None:
        self._fh = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()

    def add(self, part: tuple[Any, ...]) -> None:
        pickle.dump(part, self._fh, protocol=pickle.HIGHEST_PROTOCOL)

    def parts(self) -> Iterator[tuple[Any, ...]]:
        self._fh.seek(0)
        while True:
            try:
                yield pickle.load(self._fh)  # noqa: S301 - our own temporary file
            except EOFError:
                return

    def close(self) -> None:
        self._fh.close()


class _BulkLoader:
    """The loader's validation (:func:`ingest.validate.check_columns`), reference checks and
    provenance, column by column, writing the importer's files.

    Rejects are the loader's, in the loader's order (same chunks: per chunk the
    rows' own problems and repeated records in row order, then the ids already
    used by another label; per relationship chunk the unknown references).
    A node given by several rows keeps the loader's provenance folding
    (:func:`ingest.loader._fold`); every other row is written straight from
    the clean columns.
    """

    def __init__(self, rejects: ld.RejectWriter, summary: ld.IngestSummary, batch_size: int,
                 progress: ld.Progress | None, files: _Files, repeated: set[str]) -> None:
        self.rejects = rejects
        self.summary = summary
        self.batch_size = batch_size
        self.progress = progress
        self.files = files
        self.repeated = repeated
        self.labels: dict[str, str] = {}
        self.held: dict[str, dict[str, Any]] = {}  # aggregates of repeated ids, written at the end
        self.held_label: dict[str, str] = {}
        self._index: pd.Index | None = None
        self._codes: np.ndarray | None = None
        self._code_of: dict[str, int] = {lab: k for k, lab in enumerate(NODE_LABELS)}

    # ------------------------------------------------------------- rows
    def reject(self, fs: ld.FileSummary, file: str, line: int, problems: list[tuple[str, str]], raw: str) -> None:
        fs.rejected += 1
        for fld, reason in problems:
            self.rejects.add(file, line, fld, reason, raw)

    def chunks(self, table: str, path: Path, fs: ld.FileSummary) -> Iterator[_Chunk]:
        """The rows of one file in the loader's chunks; what cannot be read goes to rejects."""
        fast = csv_column_chunks(path, self.batch_size)
        if fast is not None:
            missing: list[str] | None = None
            for ch in fast:
                fs.rows += ch.n
                if missing is None:
                    missing = missing_columns(table, ch.header)
                if missing:
                    for i in range(ch.n):
                        self.reject(fs, ch.file, ch.first_line + i,
                                    [(c, f"required column {c!r} is missing from the file header") for c in missing],
                                    ch.raw(i))
                    continue
                yield _Chunk(ch.file, range(ch.first_line, ch.first_line + ch.n), ch.named(), ch.n, ch.raw)
            return
        buf: list[RawRow] = []
        missing = None

        def flush() -> _Chunk:
            cols = rows_to_columns(buf)
            rows = list(buf)
            buf.clear()
            return _Chunk(rows[0].file, [r.line for r in rows], cols, len(rows), lambda i: rows[i].raw)

        for raw in read_table(path):
            if raw.error and not raw.values and not raw.raw:
                self.rejects.add(raw.file, raw.line, "", raw.error, "")
                continue
            fs.rows += 1
            if raw.error:
                self.reject(fs, raw.file, raw.line, [(raw.error_field, raw.error)], raw.raw)
                continue
            if missing is None:
                missing = missing_columns(table, raw.header)
            if missing:
                self.reject(fs, raw.file, raw.line,
                            [(c, f"required column {c!r} is missing from the file header") for c in missing], raw.raw)
                continue
            buf.append(raw)
            if len(buf) >= self.batch_size:
                yield flush()
        if buf:
            yield flush()

    def _valid(self, table: str, ch: _Chunk, fs: ld.FileSummary, seen_keys: dict[tuple[str, str], int]
               ) -> tuple[dict[str, list[Any]], list[int]]:
        """Clean columns of a chunk and the rows that passed (own problems, repeated records)."""
        clean, problems = check_columns(table, ch.cols, ch.n)
        src, srid = clean.get("source"), clean.get("source_record_id")
        keep: list[int] = []
        for i in range(ch.n):
            if problems[i]:
                self.reject(fs, ch.file, ch.lines[i], problems[i], ch.raw(i))
                continue
            assert src is not None and srid is not None
            key = (src[i], srid[i])
            first = seen_keys.get(key)
            if first is not None:
                self.reject(fs, ch.file, ch.lines[i],
                            [("source_record_id", f"duplicate record {key[0]}:{key[1]} (first at line {first})")],
                            ch.raw(i))
                continue
            seen_keys[key] = ch.lines[i]
            keep.append(i)
        if self.progress:
            self.progress(table, ch.n)
        return clean, keep

    # -------------------------------------------------------------- nodes
    def load_nodes(self, table: str, path: Path, spill: _Spill) -> None:
        spec = node_spec(table)
        assert spec is not None
        lab = spec.label
        fs = self.summary.files.setdefault(path.name, ld.FileSummary(table))
        props = [f for f in spec.fields if f.store and f.name != "id"]
        fmts = [_formatter(f) for f in props]
        emb = [r.to_field for r in rel_specs_for_table(table) if r.embedded]
        seen_keys: dict[tuple[str, str], int] = {}
        M = MISSING
        for ch in self.chunks(table, path, fs):
            clean, keep = self._valid(table, ch, fs, seen_keys)
            src, srid = clean["source"], clean["source_record_id"]
            idc = clean.get("id")
            seen = clean.get("recorded_at") or [M] * ch.n
            refcols = [(c, clean[c]) for c in emb if c in clean]
            out: list[int] = []
            out_ids: list[str] = []
            out_nums: list[int] = []
            sp: list[tuple[Any, ...]] = []
            for i in keep:
                v = idc[i] if idc is not None else M
                id_: str = v if v is not M and v else f"{src[i]}:{srid[i]}"  # type: ignore[assignment]
                other = self.labels.get(id_)
                if other is not None and other != lab:
                    self.reject(fs, ch.file, ch.lines[i], [("id", f"id {id_!r} is already used by a {other}")],
                                ch.raw(i))
                    continue
                if other is None:  # the importer's id: the node's position in self.labels
                    num = len(self.labels)
                    self.labels[id_] = lab
                else:
                    num = self.held[id_]["num"]
                fs.loaded += 1
                self.summary.nodes[lab] += 1
                refs = {c: col[i] for c, col in refcols if col[i] is not M and col[i]}
                if refs:
                    sp.append((ch.lines[i], num, src[i], srid[i], None if seen[i] is M else seen[i], refs))
                if id_ in self.repeated:
                    self._hold(lab, table, id_, num, i, clean, props, seen)
                else:
                    out.append(i)
                    out_ids.append(id_)
                    out_nums.append(num)
            if sp:
                spill.add((ch.file, sp))
            if not out:
                continue
            cols: list[list[Any]] = [out_nums, out_ids]
            if lab == "Case":
                rt = clean.get("restricted_to")
                cols.append([lab + f";{ld.cypher.RESTRICTED_LABEL}" if rt is not None and rt[i] is not M and rt[i]
                             else lab for i in out])
            else:
                cols.append([lab] * len(out))
            for f, fmt in zip(props, fmts, strict=True):
                c = clean.get(f.name)
                if lab == "Case" and f.name == "agency":
                    cols.append([src[i] if c is None or c[i] is M else fmt(c[i]) for i in out])
                elif c is None:
                    cols.append([""] * len(out))
                else:
                    cols.append([fmt(c[i]) for i in out])
            cols.append([src[i] for i in out])
            cols.append([f"{src[i]}:{srid[i]}" for i in out])
            first = [_iso(seen[i]) for i in out]
            cols.append(first)
            cols.append(first)
            self.files.node_rows(lab, cols)

    def _hold(self, lab: str, table: str, id_: str, num: int, i: int, clean: dict[str, list[Any]],
              props: list[Field],
              seen: list[Any]) -> None:
        """Fold a row of a repeated id into its aggregate (the loader's provenance rules)."""
        M = MISSING
        p = {f.name: clean[f.name][i] for f in props if f.name in clean and clean[f.name][i] is not M}
        if lab == "Case" and "agency" not in p:
            p["agency"] = clean["source"][i]
        rec = Record(table, 0, id_, clean["source"][i], clean["source_record_id"][i],
                     None if seen[i] is M else seen[i], p)
        a = self.held.get(id_)
        if a is None:
            a = self.held[id_] = {"id": id_, "props": {}, "sources": [], "refs": [], "first": None, "last": None,
                                  "num": num}
            self.held_label[id_] = lab
        ld._fold(a, rec)

    def flush_held(self) -> None:
        for i, a in self.held.items():
            self.files.node(self.held_label[i], a["num"], ld._node_props(a))
        self.held.clear()

    # ----------------------------------------------------------- references
    def _labels_of(self, values: list[Any], allowed: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Per value: True where it is the id of a node of an ``allowed`` label, and the
        node's importer id (its position in ``self.labels``; -1: none)."""
        if self._index is None:
            keys = list(self.labels)
            self._index = pd.Index(keys, dtype=object)
            self._codes = np.fromiter((self._code_of[v] for v in self.labels.values()), dtype=np.int16,
                                      count=len(keys))
        assert self._codes is not None
        pos = self._index.get_indexer(np.asarray(values, dtype=object)) if values else np.empty(0, dtype=np.intp)
        codes = np.where(pos >= 0, self._codes[pos], -1)
        return np.isin(codes, [self._code_of[a] for a in allowed]), pos

    # ------------------------------------------------------- relationships
    def load_embedded(self, table: str, spill: _Spill, path: Path) -> None:
        fs = self.summary.files[path.name]
        for spec in rel_specs_for_table(table):
            if not spec.embedded:
                continue
            bad: list[tuple[int, list[tuple[str, str]]]] = []
            for _file, part in spill.parts():
                rows = [r for r in part if spec.to_field in r[5]]
                if not rows:
                    continue
                to = [r[5][spec.to_field] for r in rows]
                ok, pos = self._labels_of(to, spec.to_labels)
                good = []
                good_pos = []
                for r, t, g, n in zip(rows, to, ok.tolist(), pos.tolist(), strict=True):
                    if not g:
                        bad.append((r[0], [(spec.to_field, f"unknown reference: no {'/'.join(spec.to_labels)} "
                                                           f"with id {t!r}")]))
                        fs.loaded -= 1  # the node loaded, but its row is in rejects for the reference
                        continue
                    good.append(r)
                    good_pos.append(n)
                if good:
                    self.summary.relationships[spec.type] += len(good)
                    seen = [_iso(r[4]) for r in good]
                    self.files.rel_rows(spec.type, [[r[1] for r in good], good_pos,
                                                    [spec.type] * len(good), [r[2] for r in good],
                                                    [r[3] for r in good], seen, seen])
            if bad:
                raws = _raw_lines(path, {line for line, _ in bad})
                for line, problems in bad:
                    fs.rejected += 1
                    for fld, reason in problems:
                        self.rejects.add(path.name, line, fld, reason, raws.get(line, ""))

    def load_rels(self, table: str, path: Path) -> None:
        spec = rel_specs_for_table(table)[0]
        fs = self.summary.files.setdefault(path.name, ld.FileSummary(table))
        extra = {f.name: ld._ref_targets(f.name) for f in spec.fields if f.kind == "ref"}
        fmts = [_formatter(f) for f in spec.fields]
        seen_keys: dict[tuple[str, str], int] = {}
        M = MISSING
        for ch in self.chunks(table, path, fs):
            clean, keep = self._valid(table, ch, fs, seen_keys)
            if not keep:
                continue
            frm, to = clean[spec.from_field], clean[spec.to_field]
            f_mask, f_pos = self._labels_of([frm[i] for i in keep], spec.from_labels)
            t_mask, t_pos = self._labels_of([to[i] for i in keep], spec.to_labels)
            f_ok, t_ok = f_mask.tolist(), t_mask.tolist()
            num = {i: (a, b) for i, a, b in zip(keep, f_pos.tolist(), t_pos.tolist(), strict=True)}
            x_ok = {}
            for col in extra:
                c = clean.get(col)
                if c is not None:
                    x_ok[col] = dict(zip(keep, self._labels_of([c[i] if c[i] is not M else "" for i in keep],
                                                               extra[col])[0].tolist(), strict=True))
            types = clean.get("type")
            by_type: dict[str, list[int]] = {}
            for k, i in enumerate(keep):
                problems = []
                if not f_ok[k]:
                    problems.append((spec.from_field, f"unknown reference: no {'/'.join(spec.from_labels)} "
                                                      f"with id {frm[i]!r}"))
                if not t_ok[k]:
                    problems.append((spec.to_field, f"unknown reference: no {'/'.join(spec.to_labels)} "
                                                    f"with id {to[i]!r}"))
                for col, allowed in extra.items():
                    c = clean.get(col)
                    if c is not None and c[i] is not M and c[i] and not x_ok[col][i]:
                        problems.append((col, f"unknown reference: no {'/'.join(allowed)} with id {c[i]!r}"))
                if problems:
                    self.reject(fs, ch.file, ch.lines[i], problems, ch.raw(i))
                    continue
                rtype = spec.type if types is None or types[i] is M else types[i]
                by_type.setdefault(rtype, []).append(i)
            src, srid = clean["source"], clean["source_record_id"]
            seen_c = clean.get("recorded_at")
            for rtype, rows in by_type.items():
                fs.loaded += len(rows)
                self.summary.relationships[rtype] += len(rows)
                seen = [""] * len(rows) if seen_c is None else [_iso(seen_c[i]) for i in rows]
                cols: list[list[Any]] = [[num[i][0] for i in rows], [num[i][1] for i in rows], [rtype] * len(rows),
                        [src[i] for i in rows], [srid[i] for i in rows]]
                for f, fmt in zip(spec.fields, fmts, strict=True):
                    c = clean.get(f.name)
                    cols.append([""] * len(rows) if c is None else [fmt(c[i]) for i in rows])
                cols += [seen, seen]
                self.files.rel_rows(rtype, cols)


def _raw_lines(path: Path, lines: set[int]) -> dict[int, str]:
    """The raw text of some rows of a file, by line (as the loader writes them to rejects)."""
    return {r.line: r.raw for r in read_table(path) if r.line in lines}


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
    bl = _BulkLoader(rejects, summary, batch_size, progress, files, _repeated_ids(tables, batch_size))
    try:
        node_tables = [n.table for n in NODES if n.table in tables]
        spills = {t: _Spill() for t in node_tables}
        t0 = time.perf_counter()
        for t in node_tables:
            bl.load_nodes(t, tables[t], spills[t])
        bl.flush_held()
        summary.node_seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        for t in node_tables:
            bl.load_embedded(t, spills[t], tables[t])
            spills[t].close()
        for t, path in tables.items():
            if node_spec(t) is None and rel_specs_for_table(t):
                bl.load_rels(t, path)
        summary.rel_seconds = time.perf_counter() - t1
    finally:
        rejects.close()
    return summary, files.close()


def import_command(server: Neo4jServer, files: dict[str, Path], database: str = "neo4j") -> list[str]:
    """The ``neo4j-admin database import full`` command line (run from the Maven jars).

    The importer gets the managed Neo4j's memory (it runs while Neo4j is stopped):
    its JVM heap is ``NETINTEL_NEO4J_HEAP`` and its off-heap cache
    ``NETINTEL_NEO4J_PAGECACHE`` (its default, 90 % of the machine's free
    memory, is not ours to take on a shared host), and one worker thread per
    processor.
    """
    cmd = [_java(server.s.java_home), f"-Xms{server.s.heap}", f"-Xmx{server.s.heap}", "-XX:+UseParallelGC",
           "-cp", server._classpath(), "org.neo4j.cli.AdminTool",
           "database", "import", "full", database, "--overwrite-destination=true", "--ignore-empty-strings=true",
           "--skip-bad-relationships=false", "--id-type=integer", f"--threads={max(2, os.cpu_count() or 2)}",
           f"--max-off-heap-memory={server.s.pagecache}", "--high-parallel-io=auto",
           "--report-file=" + str(server.logs_dir / "import.report")]
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
