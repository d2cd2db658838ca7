"""The bulk path for a first load: ``neo4j-admin database import full``.

An empty database is filled from a bundle by Neo4j's offline importer,
with the result of the normal loader (:func:`ingest.loader.ingest_bundle`):

1. the database is checked empty: on the running Neo4j by a query, or,
   when Neo4j is stopped and holds no store of the database at all, by
   that fact alone (no start only to count nothing); a running Neo4j is
   then told to stop, and shuts down while step 2 runs;
2. the bundle is validated and normalised by the loader's own code (same
   rejects file: file, line, field, reason), references checked, the nodes'
   provenance folded on the client (a node given by several rows, also in
   different chunks or files, becomes one node with every source).  The
   tables are shared between worker processes (``workers``: one per
   processor by default): first every node table's ids (to find ids given
   more than once), then the node tables (a large one, the persons of a
   national load, in parts of whole chunks, one per worker: a record given
   in two parts, which the parts cannot see, makes the table be done again
   as one task, the loader's rejects), then the relationship tables and
   the nodes' embedded references.  Each worker writes its own import
   files and returns its rejects, which the parent writes in the loader's
   order; the rows of an id given more than once are folded by the parent,
   in the loader's order;
3. the clean records are the importer's typed CSV files (per label and
   relationship type, headers from :mod:`graph.model`);
4. the importer runs from the same Maven jars (``org.neo4j.cli.AdminTool
   database import full``), Neo4j is started again, and the constraints and
   indexes of the model are created on the imported store
   (:func:`graph.db.ensure_schema`); the run is recorded as the normal
   loader records it.

The importer of Neo4j 5.26 Community cannot build the schema itself: its
``--schema`` option answers "Record format batch import does not support
schema changes", and the block format that supports it is Enterprise only
("No supported database format 'block'. Available formats are: 'aligned',
'standard'").  So the indexes are populated by the started server.

Every stage's time is in :attr:`BulkSummary.stages`.

The database must be empty (no node of the model): the importer replaces
the whole store, so a database holding data is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import multiprocessing as mp
import os
import pickle
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
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
from .read import RawRow, csv_column_chunks, file_stamp, find_tables, read_table, rows_to_columns
from .validate import MISSING, Record, _parse_agency, check_columns, missing_columns

__all__ = ["BulkRefused", "BulkSummary", "bulk_ingest", "write_import_files", "import_command", "default_workers"]


class BulkRefused(InvalidInput):
    """The bulk path cannot run here (the database holds data, or Neo4j is not managed)."""


@dataclass
class BulkSummary(ld.IngestSummary):
    """The loader's summary of a bulk load, with the time of every stage (seconds, in order),
    the number of validating worker processes and the parts each node table was shared in
    between them."""

    stages: dict[str, float] = field(default_factory=dict)
    workers: int = 1
    parts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = super().as_dict()
        d["stages"] = {k: round(v, 3) for k, v in self.stages.items()}
        d["workers"] = self.workers
        d["parts"] = dict(self.parts)
        return d


def default_workers() -> int:
    """Validating processes: one per processor this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


#: neo4j-admin import column types per field kind
_TYPES = {"int": "long", "float": "double", "amount": "double", "date": "date", "datetime": "datetime",
          "phones": "string[]", "list": "string[]"}

#: the importer's node ids (``--id-type=integer``): label code << 40 | line of the row that first gave
#: the node, unique over the bundle without a shared counter (a file holds fewer than 2^40 lines)
_NUM_SHIFT = 40
_CODE_OF: dict[str, int] = {lab: k for k, lab in enumerate(NODE_LABELS)}


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
    """The importer's CSV files of one worker: one per label, one per relationship type;
    ``suffix`` keeps the names of different workers apart."""

    def __init__(self, folder: Path, suffix: str = "") -> None:
        self.folder = folder
        self.suffix = suffix
        self._open: dict[str, tuple[IO[str], Any, list[str]]] = {}

    def _writer(self, key: str, header: list[str]) -> tuple[Any, list[str]]:
        got = self._open.get(key)
        if got is None:
            fh = (self.folder / f"{key}{self.suffix}.csv").open("w", encoding="utf-8", newline="")
            w = csv.writer(fh)
            w.writerow(header)
            self._open[key] = got = (fh, w, header)
        return got[1], got[2]

    def node(self, label: str, num: int, p: dict[str, Any]) -> None:
        spec = node_spec(label)
        assert spec is not None
        props = [f for f in spec.fields if f.store and f.name != "id"]
        w, _ = self._writer(f"nodes_{label}", self._node_header(label))
        labels = label + (f";{ld.cypher.RESTRICTED_LABEL}" if label == "Case" and p.get("restricted_to") else "")
        w.writerow([num, p["id"], labels] + [_value(p.get(f.name)) for f in props]
                   + [_value(p.get(k)) for k in ("sources", "source_record_ids", "first_seen", "last_seen")])

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

    def rel_rows(self, rtype: str, columns: list[list[Any]]) -> None:
        """Many relationships of one type at once, given column by column."""
        w, _ = self._writer(f"rels_{rtype}", self._rel_header(rtype))
        w.writerows(zip(*columns, strict=True))

    def close(self) -> dict[str, Path]:
        out = {}
        for key, (fh, _, _) in self._open.items():
            fh.close()
            out[key + self.suffix] = self.folder / f"{key}{self.suffix}.csv"
        self._open.clear()
        return out


def _table_ids(table: str, path: Path, batch: int) -> tuple[list[str], tuple[int, int, int] | None, int]:
    """The ids a node table's rows give (a worker's first pass: ids only), in row order (a row
    whose id cannot be made gives none), the file's stamp when the fast reader took it, and
    its number of chunks (of ``batch`` rows) then (0 otherwise)."""
    from core.rules import clean_text

    out: list[str] = []
    chunks = 0
    stamp = file_stamp(path)
    fast = csv_column_chunks(path, batch)
    got_rows: Iterator[tuple[dict[str, Any], int] | RawRow] = (
        ((ch.named(), ch.n) for ch in fast) if fast is not None else read_table(path))

    def derived(src: str, srid: str) -> str | None:
        try:
            return f"{_parse_agency(src or '')}:{clean_text(srid or '')}"
        except InvalidInput:
            return None

    for got in got_rows:
        if isinstance(got, RawRow):
            v = got.values
            if not v:
                continue
            i = clean_text(v.get("id") or "") or derived(v.get("source") or "", v.get("source_record_id") or "")
            if i:
                out.append(i)
            continue
        cols, n = got
        chunks += 1
        blank = [""] * n
        ids = cols["id"].to_pylist() if "id" in cols else blank
        src = cols["source"].to_pylist() if "source" in cols else blank
        srid = cols["source_record_id"].to_pylist() if "source_record_id" in cols else blank
        for raw_id, a, b in zip(ids, src, srid, strict=True):
            i = clean_text(raw_id) or derived(a, b)
            if i:
                out.append(i)
    if fast is not None and file_stamp(path) == stamp:
        return out, stamp, chunks
    return out, None, 0


def _repeated(ids: Sequence[list[str]]) -> set[str]:
    """Ids given by more than one row over all node tables."""
    flat = [i for part in ids for i in part]
    if not flat:
        return set()
    idx = pd.Index(flat, dtype=object)
    return set(idx[idx.duplicated(keep=False)].unique().tolist())


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
    return "" if v is MISSING or v is None else str(v.isoformat())


class _Chunk:
    """Rows of one file, column by column, with their lines and raw text (for rejects)."""

    def __init__(self, file: str, lines: Any, cols: dict[str, Any], n: int, raw: Callable[[int], str]) -> None:
        self.file, self.lines, self.cols, self.n, self.raw = file, lines, cols, n, raw


class _Spill:
    """Embedded references of loaded node rows, kept on disk in column chunks until every
    node is known (bounded memory); a named file, read back by another worker."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[bytes] | None = None

    def add(self, part: list[tuple[Any, ...]]) -> None:
        if self._fh is None:
            self._fh = self.path.open("wb")
        pickle.dump(part, self._fh, protocol=pickle.HIGHEST_PROTOCOL)

    def close(self) -> Path | None:
        if self._fh is None:
            return None
        self._fh.close()
        return self.path


def _spill_parts(path: Path | None) -> Iterator[list[tuple[Any, ...]]]:
    if path is None:
        return
    with path.open("rb") as fh:
        while True:
            try:
                yield pickle.load(fh)  # noqa: S301 - our own temporary file
            except EOFError:
                return


class _Events:
    """A worker's rejects (and the rows of repeated ids) in the order the loader meets them,
    replayed by the parent."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []

    def add(self, file: str, line: int, fld: str, reason: str, raw: str) -> None:
        self.events.append(("reject", file, line, fld, reason, raw))

    def held(self, row: tuple[Any, ...]) -> None:
        self.events.append(("held", row))


#: what a forked worker of the relationships' phase inherits: every node's id, label code and importer id
_INDEX: dict[str, Any] = {}


def _labels_of(values: list[Any], allowed: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per value: True where it is the id of a node of an ``allowed`` label, and the node's
    importer id (-1: none)."""
    index: pd.Index = _INDEX["index"]
    pos = index.get_indexer(np.asarray(values, dtype=object)) if values else np.empty(0, dtype=np.intp)
    found = pos >= 0
    codes = np.where(found, _INDEX["codes"][pos], -1)
    nums = np.where(found, _INDEX["nums"][pos], -1)
    return np.isin(codes, [_CODE_OF[a] for a in allowed]), nums


class _BulkLoader:
    """The loader's validation (:func:`ingest.validate.check_columns`), reference checks and
    provenance, column by column, for one file, writing the importer's files.

    Rejects are the loader's, in the loader's order (same chunks: per chunk the
    rows' own problems and repeated records in row order, then the ids already
    used by another label; per relationship chunk the unknown references).
    A row whose id is given more than once in the bundle is handed to the
    parent (:class:`_Events`), which folds it (the loader's provenance,
    :func:`ingest.loader._fold`); every other row is written straight from
    the clean columns.
    """

    def __init__(self, rejects: ld.RejectSink, summary: ld.IngestSummary, batch_size: int, files: _Files) -> None:
        self.rejects = rejects
        self.summary = summary
        self.batch_size = batch_size
        self.files = files
        self.ids: list[str] = []
        self.nums: list[int] = []

    # ------------------------------------------------------------- rows
    def reject(self, fs: ld.FileSummary, file: str, line: int, problems: list[tuple[str, str]], raw: str) -> None:
        fs.rejected += 1
        for fld, reason in problems:
            self.rejects.add(file, line, fld, reason, raw)

    def chunks(self, table: str, path: Path, fs: ld.FileSummary,
               checked: tuple[int, int, int] | None = None, span: tuple[int, int] | None = None
               ) -> Iterator[_Chunk]:
        """The rows of one file in the loader's chunks; what cannot be read goes to rejects
        (``checked``: :func:`ingest.read.csv_column_chunks`' stamp of an earlier read;
        ``span``: only the chunks ``span[0]`` to ``span[1] - 1`` of a file the fast reader
        takes, a part of a file shared between workers)."""
        rows = None if span is None else (span[0] * self.batch_size, span[1] * self.batch_size)
        fast = csv_column_chunks(path, self.batch_size, checked, rows)
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

        def flush() -> _Chunk:
            cols = rows_to_columns(buf)
            rows = list(buf)
            buf.clear()
            return _Chunk(rows[0].file, [r.line for r in rows], cols, len(rows), lambda i: rows[i].raw)

        for raw in ld.screened_rows(path, table, fs, self.rejects,
                                    lambda r, probs: self.reject(fs, r.file, r.line, probs, r.raw)):
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
        if src is not None and srid is not None and not any(problems):
            keys = list(zip(src, srid, strict=True))
            if len(set(keys)) == ch.n and seen_keys.keys().isdisjoint(keys):  # no repeated record
                seen_keys.update(zip(keys, ch.lines, strict=True))
                return clean, list(range(ch.n))
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
        return clean, keep

    # -------------------------------------------------------------- nodes
    def load_nodes(self, table: str, path: Path, spill: _Spill, repeated: set[str], events: _Events,
                   checked: tuple[int, int, int] | None = None, span: tuple[int, int] | None = None
                   ) -> np.ndarray | None:
        """Write the rows of a node table whose id is given once; hand the others to the parent.

        With ``span`` (a part of the file, see :meth:`chunks`) returns the hashes of the
        part's records (source, source record id): the parent checks that no record is
        in two parts (a repeated record is the loader's reject, which a part alone
        cannot see)."""
        spec = node_spec(table)
        assert spec is not None
        lab = spec.label
        base = _CODE_OF[lab] << _NUM_SHIFT
        fs = self.summary.files.setdefault(path.name, ld.FileSummary(table))
        props = [f for f in spec.fields if f.store and f.name != "id"]
        fmts = [_formatter(f) for f in props]
        emb = [r.to_field for r in rel_specs_for_table(table) if r.embedded]
        seen_keys: dict[tuple[str, str], int] = {}
        M = MISSING
        for ch in self.chunks(table, path, fs, checked, span):
            clean, keep = self._valid(table, ch, fs, seen_keys)
            src, srid = clean["source"], clean["source_record_id"]
            idc = clean.get("id")
            seen = clean.get("recorded_at") or [M] * ch.n
            refcols = [(c, clean[c]) for c in emb if c in clean]
            out: list[int] = []
            sp: list[tuple[Any, ...]] = []
            for i in keep:
                v = idc[i] if idc is not None else M
                id_: str = v if v is not M and v else f"{src[i]}:{srid[i]}"  # type: ignore[assignment]
                line = ch.lines[i]
                num = base | line
                refs = {c: col[i] for c, col in refcols if col[i] is not M and col[i]} if refcols else {}
                s = None if seen[i] is M else seen[i]
                if id_ in repeated:
                    p = {f.name: clean[f.name][i] for f in props if f.name in clean and clean[f.name][i] is not M}
                    if lab == "Case" and "agency" not in p:
                        p["agency"] = src[i]
                    events.held((line, ch.raw(i), id_, num, src[i], srid[i], s, p, refs))
                    continue
                fs.loaded += 1
                if refs:
                    sp.append((line, num, src[i], srid[i], s, refs))
                out.append(i)
                self.ids.append(id_)
                self.nums.append(num)
            if sp:
                spill.add(sp)
            if not out:
                continue
            self.summary.nodes[lab] += len(out)
            cols: list[list[Any]] = [[base | ch.lines[i] for i in out], self.ids[-len(out):]]
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
        if span is None:
            return None
        # hash() is the forked workers' own: they share the parent's hash seed
        return np.fromiter((hash(k) for k in seen_keys), dtype=np.int64, count=len(seen_keys))

    # ------------------------------------------------------- relationships
    def load_embedded(self, table: str, path: Path, parts: Iterator[list[tuple[Any, ...]]]) -> int:
        """The embedded references of a node table's loaded rows (``parts``, in line order);
        returns how many rows are rejected for a reference."""
        fs = self.summary.files.setdefault(path.name, ld.FileSummary(table))
        specs = [s for s in rel_specs_for_table(table) if s.embedded]
        bad: dict[str, list[tuple[int, list[tuple[str, str]]]]] = {s.to_field: [] for s in specs}
        for part in parts:
            for spec in specs:
                rows = [r for r in part if spec.to_field in r[5]]
                if not rows:
                    continue
                to = [r[5][spec.to_field] for r in rows]
                ok, nums = self._labels(to, spec.to_labels)
                good = []
                good_num = []
                for r, t, g, n in zip(rows, to, ok.tolist(), nums.tolist(), strict=True):
                    if not g:
                        bad[spec.to_field].append((r[0], [(spec.to_field, f"unknown reference: no "
                                                                          f"{'/'.join(spec.to_labels)} "
                                                                          f"with id {t!r}")]))
                        continue
                    good.append(r)
                    good_num.append(n)
                if good:
                    self.summary.relationships[spec.type] += len(good)
                    seen = [_iso(r[4]) for r in good]
                    self.files.rel_rows(spec.type, [[r[1] for r in good], good_num,
                                                    [spec.type] * len(good), [r[2] for r in good],
                                                    [r[3] for r in good], seen, seen])
        lines = {line for rows in bad.values() for line, _ in rows}
        raws = ld.raw_lines(path, lines) if lines else {}
        for spec in specs:  # the loader's order: reference by reference, each in line order
            for line, problems in sorted(bad[spec.to_field], key=lambda b: b[0]):
                for fld, reason in problems:
                    self.rejects.add(path.name, line, fld, reason, raws.get(line, ""))
        # the node loaded, but its row is in rejects for a reference: counted once per row
        n_bad = len(lines)
        fs.loaded -= n_bad
        fs.rejected += n_bad
        return n_bad

    @staticmethod
    def _labels(values: list[Any], allowed: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        return _labels_of(values, allowed)

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
            f_mask, f_num = self._labels([frm[i] for i in keep], spec.from_labels)
            t_mask, t_num = self._labels([to[i] for i in keep], spec.to_labels)
            ok = f_mask & t_mask
            f_ok, t_ok = f_mask.tolist(), t_mask.tolist()
            fn, tn = f_num.tolist(), t_num.tolist()
            x_ok = {}
            for col in extra:
                c = clean.get(col)
                if c is not None:
                    given = [bool(c[i] is not M and c[i]) for i in keep]
                    found = self._labels([c[i] if c[i] is not M else "" for i in keep], extra[col])[0]
                    ok &= found | ~np.asarray(given, dtype=bool)
                    x_ok[col] = found.tolist()
            types = clean.get("type")
            by_type: dict[str, list[int]] = {}  # positions in keep
            if ok.all():
                if types is None:
                    by_type[spec.type] = list(range(len(keep)))
                else:
                    for k, i in enumerate(keep):
                        by_type.setdefault(spec.type if types[i] is M else types[i], []).append(k)
            else:
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
                        if c is not None and c[i] is not M and c[i] and not x_ok[col][k]:
                            problems.append((col, f"unknown reference: no {'/'.join(allowed)} with id {c[i]!r}"))
                    if problems:
                        self.reject(fs, ch.file, ch.lines[i], problems, ch.raw(i))
                        continue
                    rtype = spec.type if types is None or types[i] is M else types[i]
                    by_type.setdefault(rtype, []).append(k)
            src, srid = clean["source"], clean["source_record_id"]
            seen_c = clean.get("recorded_at")
            for rtype, ks in by_type.items():
                rows = [keep[k] for k in ks]
                fs.loaded += len(rows)
                self.summary.relationships[rtype] += len(rows)
                seen = [""] * len(rows) if seen_c is None else [_iso(seen_c[i]) for i in rows]
                cols: list[list[Any]] = [[fn[k] for k in ks], [tn[k] for k in ks], [rtype] * len(rows),
                                         [src[i] for i in rows], [srid[i] for i in rows]]
                for f, fmt in zip(spec.fields, fmts, strict=True):
                    c = clean.get(f.name)
                    cols.append([""] * len(rows) if c is None else [fmt(c[i]) for i in rows])
                cols += [seen, seen]
                self.files.rel_rows(rtype, cols)


# ------------------------------------------------------------------ worker tasks
@dataclass
class _Part:
    """What one worker task gives back: its file's summary and counts, its rejects (and
    rows of repeated ids) in order, the import files it wrote."""

    table: str
    file: str
    summary: ld.IngestSummary
    events: list[tuple[Any, ...]]
    files: dict[str, Path]
    ids: list[str] = field(default_factory=list)
    nums: list[int] = field(default_factory=list)
    spill: Path | None = None
    seconds: float = 0.0
    keys: np.ndarray | None = None


def _new_summary() -> ld.IngestSummary:
    return ld.IngestSummary(bundle="", run_id="", rejects_file="")


def _task_ids(table: str, path: Path, batch: int) -> tuple[list[str], tuple[int, int, int] | None, int]:
    return _table_ids(table, path, batch)


def _task_hash(paths: list[Path]) -> str:
    return ld._bundle_hash(paths)


def _task_nodes(table: str, path: Path, batch: int, out: Path, repeated: set[str],
                checked: tuple[int, int, int] | None, span: tuple[int, int] | None = None, k: int = 0) -> _Part:
    with ld.gc_paused():
        return _nodes(table, path, batch, out, repeated, checked, span, k)


def _nodes(table: str, path: Path, batch: int, out: Path, repeated: set[str],
           checked: tuple[int, int, int] | None, span: tuple[int, int] | None = None, k: int = 0) -> _Part:
    """One node table, or part ``k`` of it (its chunks ``span``), into import files of its own."""
    t0 = time.perf_counter()
    ev, summ = _Events(), _new_summary()
    name = table if span is None else f"{table}.{k}"
    files = _Files(out, f"__{name}")
    bl = _BulkLoader(ev, summ, batch, files)
    spill = _Spill(out / f"_spill_{name}.pickle")
    try:
        keys = bl.load_nodes(table, path, spill, repeated, ev, checked, span)
    finally:
        sp = spill.close()
        written = files.close()
    return _Part(table, path.name, summ, ev.events, written, bl.ids, bl.nums, sp, time.perf_counter() - t0, keys)


def _task_embedded(table: str, path: Path, batch: int, out: Path, spills: list[Path],
                   held: list[tuple[Any, ...]]) -> _Part:
    t0 = time.perf_counter()
    ev, summ = _Events(), _new_summary()
    files = _Files(out, f"__{table}_embedded")
    bl = _BulkLoader(ev, summ, batch, files)

    def parts() -> Iterator[list[tuple[Any, ...]]]:
        for spill in spills:  # the parts of the table in line order
            yield from _spill_parts(spill)
        if held:
            yield held

    try:
        bl.load_embedded(table, path, parts())
    finally:
        written = files.close()
    return _Part(table, path.name, summ, ev.events, written, seconds=time.perf_counter() - t0)


def _task_rels(table: str, path: Path, batch: int, out: Path) -> _Part:
    t0 = time.perf_counter()
    ev, summ = _Events(), _new_summary()
    files = _Files(out, f"__{table}")
    bl = _BulkLoader(ev, summ, batch, files)
    try:
        bl.load_rels(table, path)
    finally:
        written = files.close()
    return _Part(table, path.name, summ, ev.events, written, seconds=time.perf_counter() - t0)


class _Pool:
    """Tasks run by ``workers`` forked processes (forked when the pool is made: they see the
    parent's state of that moment), or in this process when ``workers`` is 1; results in the
    order given, the largest files started first."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._ex = (ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) if workers > 1 else None)

    def map(self, fn: Callable[..., Any], calls: list[tuple[Any, ...]], sizes: list[int]) -> list[Any]:
        if self._ex is None:
            return [fn(*args) for args in calls]
        order = sorted(range(len(calls)), key=lambda k: -sizes[k])
        futures = {k: self._ex.submit(fn, *calls[k]) for k in order}
        return [futures[k].result() for k in range(len(calls))]

    def close(self) -> None:
        if self._ex is not None:
            self._ex.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def _merge(summary: ld.IngestSummary, part: _Part) -> ld.FileSummary:
    """Add a task's counts to the bundle's summary; returns the file's summary."""
    fs = summary.files.setdefault(part.file, ld.FileSummary(part.table))
    got = part.summary.files.get(part.file)
    if got is not None:
        fs.rows += got.rows
        fs.loaded += got.loaded
        fs.rejected += got.rejected
    for k, v in part.summary.nodes.items():
        summary.nodes[k] += v
    for k, v in part.summary.relationships.items():
        summary.relationships[k] += v
    return fs


def write_import_files(bundle: Path, out: Path, rejects_path: Path,
                       batch_size: int = ld.DEFAULT_BATCH,
                       progress: ld.Progress | None = None,
                       workers: int | None = None,
                       stages: dict[str, float] | None = None) -> tuple[BulkSummary, dict[str, Path]]:
    """Validate ``bundle`` and write the importer's CSV files into ``out``, with ``workers``
    processes (default: one per processor); the time of each phase goes to ``stages``."""
    tables, unknown = find_tables(bundle)
    workers = workers or default_workers()
    summary = BulkSummary(bundle=str(bundle), run_id="", rejects_file=str(rejects_path),
                          ignored_files=[p.name for p in unknown], workers=workers)
    st = stages if stages is not None else summary.stages
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    rejects = ld.RejectWriter(rejects_path)
    node_tables = [n.table for n in NODES if n.table in tables]
    rel_tables = [t for t in tables if node_spec(t) is None and rel_specs_for_table(t)]
    try:
        t0 = time.perf_counter()
        with _Pool(workers) as pool:
            # 1. ids of every node table (and the bundle's hash, the run id) -> ids given more than once
            res = pool.map(_task_ids_or_hash, [("ids", t, tables[t], batch_size) for t in node_tables]
                           + [("hash", "", list(tables.values()), 0)],
                           [_size(tables[t]) for t in node_tables] + [sum(_size(p) for p in tables.values())])
            summary.run_id = res[-1]
            repeated = _repeated([ids for ids, _, _ in res[:-1]])
            stamps = [stamp for _, stamp, _ in res[:-1]]
            st["ids"] = time.perf_counter() - t0
            # 2. the node tables, a large one in parts shared between the workers
            t1 = time.perf_counter()
            sizes = [_size(tables[t]) for t in node_tables]
            calls: list[tuple[Any, ...]] = []
            call_sizes: list[int] = []
            for t, stamp, (_, _, nchunks), size in zip(node_tables, stamps, res[:-1], sizes, strict=True):
                spans = _spans(size, sum(sizes), nchunks, workers)
                for k, span in enumerate(spans):
                    calls.append((t, tables[t], batch_size, out, repeated, stamp, span, k))
                    call_sizes.append(size // len(spans))
            parts = _whole_tables(pool.map(_task_nodes, calls, call_sizes), calls)
        for p in parts:
            summary.parts[p.table] = summary.parts.get(p.table, 0) + 1
        st["nodes"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        held, held_label, held_refs = _replay_nodes(summary, rejects, parts, progress)
        held_files = _Files(out, "__held")
        for i, a in held.items():
            held_files.node(held_label[i], a["num"], ld._node_props(a))
        files.update(held_files.close())
        ids: list[str] = []
        nums: list[int] = []
        codes: list[np.ndarray] = []
        for p in parts:
            files.update(p.files)
            ids += p.ids
            nums += p.nums
            spec = node_spec(p.table)
            assert spec is not None
            codes.append(np.full(len(p.ids), _CODE_OF[spec.label], dtype=np.int16))
        ids += list(held)
        nums += [a["num"] for a in held.values()]
        codes.append(np.fromiter((_CODE_OF[held_label[i]] for i in held), dtype=np.int16, count=len(held)))
        _INDEX["index"] = pd.Index(ids, dtype=object)
        _INDEX["codes"] = np.concatenate(codes) if codes else np.empty(0, dtype=np.int16)
        _INDEX["nums"] = np.asarray(nums, dtype=np.int64)
        _INDEX["index"].get_indexer(np.asarray([""], dtype=object))  # the hash table, built before the fork
        del ids, nums, codes
        st["node_index"] = time.perf_counter() - t2
        summary.node_seconds = time.perf_counter() - t0
        # 3. the relationships: embedded references of the node tables, then the relationship tables
        t3 = time.perf_counter()
        calls = []
        sizes = []
        for t in dict.fromkeys(p.table for p in parts):
            if any(r.embedded for r in rel_specs_for_table(t)):
                spills = [p.spill for p in parts if p.table == t and p.spill is not None]
                calls.append(("embedded", t, tables[t], batch_size, out, spills, held_refs[t]))
                sizes.append(sum(_size(sp) for sp in spills))
        for t in rel_tables:
            calls.append(("rels", t, tables[t], batch_size, out, [], []))
            sizes.append(_size(tables[t]))
        with _Pool(workers) as pool:
            rparts = pool.map(_task_rel_or_embedded, calls, sizes)
        for rp in rparts:
            fs = _merge(summary, rp)
            _replay(rejects, rp.events)
            files.update(rp.files)
            if progress and rp.table in rel_tables:
                progress(rp.table, fs.rows)
        st["relationships"] = time.perf_counter() - t3
        summary.rel_seconds = time.perf_counter() - t3
    finally:
        rejects.close()
        _INDEX.clear()
        for sp in out.glob("_spill_*.pickle"):
            sp.unlink()
    return summary, files


def _spans(size: int, total: int, chunks: int, workers: int) -> list[tuple[int, int] | None]:
    """How a node table is shared between ``workers``: ``[None]`` (one task, the whole file)
    or the chunk spans of its parts, about one per ``total / workers`` bytes (``total``:
    all node tables), so that no worker waits for one large file (the persons of a
    national load).  Only a file of the fast reader (``chunks`` > 0) is shared."""
    if workers < 2 or chunks < 2 or total <= 0:
        return [None]
    n = min(workers, chunks, -(-size * workers // total))  # the parts of at most total / workers bytes
    if n < 2:
        return [None]
    return [(k * chunks // n, (k + 1) * chunks // n) for k in range(n)]


def _whole_tables(parts: list[_Part], calls: list[tuple[Any, ...]]) -> list[_Part]:
    """The node tables' parts, each table's in line order; a table whose parts hold the same
    record (a repeated record the parts could not see, or a clash of two hashes) is done
    again as one task, so that its rejects are the loader's."""
    out: list[_Part] = []
    k = 0
    while k < len(parts):
        n = 1
        while k + n < len(parts) and calls[k + n][0] == calls[k][0]:
            n += 1
        group = parts[k:k + n]
        keys = [p.keys for p in group if p.keys is not None]
        if n > 1 and keys:
            flat = np.concatenate(keys)
            if np.unique(flat).size < flat.size:
                for p in group:
                    for f in [*p.files.values(), *([p.spill] if p.spill else [])]:
                        f.unlink(missing_ok=True)
                t, path, batch, outdir, repeated, stamp = calls[k][:6]
                group = [_task_nodes(t, path, batch, outdir, repeated, stamp)]
        out += group
        k += n
    return out


def _task_ids_or_hash(kind: str, table: str, arg: Any, batch: int) -> Any:
    with ld.gc_paused():
        return _task_hash(arg) if kind == "hash" else _task_ids(table, arg, batch)


def _task_rel_or_embedded(kind: str, table: str, path: Path, batch: int, out: Path, spills: list[Path],
                          held: list[tuple[Any, ...]]) -> _Part:
    with ld.gc_paused():
        if kind == "embedded":
            return _task_embedded(table, path, batch, out, spills, held)
        return _task_rels(table, path, batch, out)


def _replay(rejects: ld.RejectWriter, events: list[tuple[Any, ...]]) -> None:
    for e in events:
        rejects.add(*e[1:])


def _replay_nodes(summary: ld.IngestSummary, rejects: ld.RejectWriter, parts: list[_Part],
                  progress: ld.Progress | None
                  ) -> tuple[dict[str, dict[str, Any]], dict[str, str], dict[str, list[tuple[Any, ...]]]]:
    """The node tables' rejects in the loader's order, and the rows of repeated ids folded
    (an id already used by another label is rejected), table by table in the model's order."""
    held: dict[str, dict[str, Any]] = {}
    held_label: dict[str, str] = {}
    held_refs: dict[str, list[tuple[Any, ...]]] = {}
    for p in parts:
        spec = node_spec(p.table)
        assert spec is not None
        lab = spec.label
        fs = _merge(summary, p)
        refs_out = held_refs.setdefault(p.table, [])
        for e in p.events:
            if e[0] == "reject":
                rejects.add(*e[1:])
                continue
            line, raw, id_, num, src, srid, seen, props, refs = e[1]
            other = held_label.get(id_)
            if other is not None and other != lab:
                fs.rejected += 1
                rejects.add(p.file, line, "id", f"id {id_!r} is already used by a {other}", raw)
                continue
            if other is None:
                held_label[id_] = lab
                a = held[id_] = {"id": id_, "props": {}, "sources": [], "refs": [], "first": None, "last": None,
                                 "num": num}
            else:
                a = held[id_]
            fs.loaded += 1
            summary.nodes[lab] += 1
            if refs:
                refs_out.append((line, a["num"], src, srid, seen, refs))
            ld._fold(a, Record(p.table, 0, id_, src, srid, seen, props))
        if progress:
            progress(p.table, fs.rows)
    return held, held_label, held_refs


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


def _no_store(server: Neo4jServer, database: str = "neo4j") -> bool:
    """True when Neo4j is stopped and holds neither store files nor transaction logs of
    ``database`` (never loaded: empty without asking a server)."""
    if server.pid() is not None:
        return False
    for d in (server.data_dir / "databases" / database, server.data_dir / "transactions" / database):
        if d.exists() and any(d.iterdir()):
            return False
    return True


def _refuse_if_not_empty(driver: Driver) -> None:
    n = _model_nodes(driver)
    if n:
        raise BulkRefused(f"the database is not empty ({n:,} nodes and relationships): the bulk path "
                          "replaces the whole store; load into it with `netintel ingest PATH`, "
                          "or empty it first (`netintel db clear --yes`)")


def bulk_ingest(bundle: Path | str, rejects_path: Path | str | None = None, settings: Settings | None = None,
                batch_size: int = ld.DEFAULT_BATCH, progress: ld.Progress | None = None,
                log: Callable[[str], None] = lambda m: None, workers: int | None = None) -> BulkSummary:
    """Fill the managed, empty Neo4j from ``bundle`` with the offline importer.

    Returns a :class:`BulkSummary` (``node_seconds``: validation and import
    files of the nodes; ``rel_seconds``: of the relationships; ``seconds``:
    everything, the import and the schema included; ``import_seconds``: the
    importer's own time; ``stages``: every stage).  Refuses
    (:class:`BulkRefused`) when Neo4j is not the managed one or the database
    holds data.
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
    stages: dict[str, float] = {}
    started = time.perf_counter()
    was_running = server.pid() is not None
    if _no_store(server):
        stages["check_empty"] = time.perf_counter() - started
        log("Neo4j is stopped and holds no store: the database is empty")
        server.install(log=log)
        server.write_config()
    else:
        server.start(log=log)
        driver = gdb.connect(s)
        try:
            _refuse_if_not_empty(driver)
        finally:
            driver.close()
        stages["check_empty"] = time.perf_counter() - started
        server.request_stop()  # it shuts down while the bundle is validated
        was_running = True
    work = Path(tempfile.mkdtemp(prefix="netintel-import-", dir=server.dir))
    try:
        try:
            summary, files = write_import_files(bundle, work, rejects_path, batch_size, progress, workers, stages)
        except BaseException:
            if was_running:
                server.stop()
                server.start(log=log)
            raise
        log(f"validated {summary.rows:,} rows ({summary.rejected:,} rejected); importing")
        t = time.perf_counter()
        server.stop()
        stages["stop_wait"] = time.perf_counter() - t
        t0 = time.perf_counter()
        proc = subprocess.run(import_command(server, files), env=server._env(), capture_output=True, text=True,
                              umask=0o077)  # the store holds personal data
        import_seconds = time.perf_counter() - t0
        stages["import"] = import_seconds
        (server.logs_dir / "import.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
        if proc.returncode != 0:
            if was_running:
                server.start(log=log)
            raise BulkRefused("neo4j-admin database import failed:\n" + (proc.stdout + proc.stderr)[-3000:])
        log(f"imported in {import_seconds:.1f} s; starting Neo4j and building the indexes")
        t = time.perf_counter()
        server.start(log=log)
        stages["start"] = time.perf_counter() - t
    finally:
        shutil.rmtree(work, ignore_errors=True)
    driver = gdb.connect(s)
    try:
        gdb.ensure_schema(driver, timings=stages)
        t = time.perf_counter()
        gdb.record_run(driver, summary.run_id, {"bundle": str(bundle.resolve()), "status": "complete",
                                                "method": "bulk", "finished_at": datetime.now(UTC),
                                                "rows": summary.rows, "rejected": summary.rejected})
        stages["record_run"] = time.perf_counter() - t
    finally:
        driver.close()
    summary.seconds = time.perf_counter() - started
    summary.import_seconds = import_seconds
    summary.method = "bulk"
    summary.stages = stages
    return summary
