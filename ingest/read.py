"""Reading the tables of a bundle: CSV, Excel (.xlsx) and JSON Lines.

Every reader yields :class:`RawRow` objects carrying the file and the line
(CSV/JSONL: physical line where the record starts; Excel: sheet row) so a
rejected row can always be traced back.  Problems that concern a whole file
(empty file, undecodable header) are yielded as rows with ``error`` set.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import InvalidInput
from graph.model import TABLES

__all__ = ["RawRow", "ColumnChunk", "rows_to_columns", "find_tables", "read_table", "csv_column_chunks", "file_stamp", "SUFFIXES"]

SUFFIXES = (".csv", ".jsonl", ".xlsx")
csv.field_size_limit(64 * 1024 * 1024)


@dataclass
class RawRow:
    file: str
    line: int
    values: dict[str, str] = field(default_factory=dict)
    header: tuple[str, ...] = ()
    error: str | None = None
    error_field: str = ""
    text: str = ""
    cells: list[str] | None = None  # CSV cells; the raw line is rebuilt from them only when needed

    @property
    def raw(self) -> str:
        """The row as read (for the rejects file)."""
        if not self.text and self.cells is not None:
            self.text = _as_csv(self.cells)
        return self.text


def rows_to_columns(rows: list[RawRow]) -> dict[str, list[str]]:
    """Rows of one table as columns: the cells transposed when the rows share one CSV header
    (the last of repeated column names wins), else by name over every header seen (xlsx, JSON
    lines, mixed files), ``""`` where a row lacks the column."""
    h0 = rows[0].header
    if h0 and all(r.cells is not None and r.header is h0 for r in rows):
        return dict(zip(h0, map(list, zip(*[r.cells for r in rows], strict=True)), strict=True))
    header = list(dict.fromkeys(h for r in rows for h in (r.header or r.values)))
    return {h: [r.values.get(h, "") for r in rows] for h in header}


def find_tables(bundle: Path) -> tuple[dict[str, Path], list[Path]]:
    """Map table name → file in a bundle folder; also return files that are not tables."""
    found: dict[str, Path] = {}
    unknown: list[Path] = []
    paths = [bundle] if bundle.is_file() else sorted(p for p in bundle.iterdir() if p.is_file())
    for p in paths:
        if p.name.startswith((".", "_")) or p.name == "truth.json":
            continue
        stem, suffix = p.stem, p.suffix.lower()
        if suffix in SUFFIXES and stem in TABLES:
            if stem in found:
                raise ValueError(f"table {stem!r} given twice: {found[stem].name} and {p.name}")
            found[stem] = p
        else:
            unknown.append(p)
    return found, unknown


def read_table(path: Path) -> Iterator[RawRow]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _read_csv(path)
    elif suffix == ".jsonl":
        yield from _read_jsonl(path)
    elif suffix == ".xlsx":
        yield from _read_xlsx(path)
    else:  # pragma: no cover - find_tables filters
        raise ValueError(f"unsupported file type {path}")


_SURROGATE = re.compile("[\udc80-\udcff]")


def _bad_utf8(text: str) -> int:
    """Index of the first undecodable byte (as a surrogate escape), or -1."""
    if text.isascii():
        return -1
    m = _SURROGATE.search(text)
    return m.start() if m else -1


def _read_csv(path: Path) -> Iterator[RawRow]:
    """Rows of a CSV file, streamed (memory does not grow with the file)."""
    name = path.name
    with path.open("rb") as probe:
        head = probe.read(1 << 16)
    if not head.removeprefix(b"\xef\xbb\xbf").strip() and path.stat().st_size <= len(head):
        yield RawRow(name, 1, error="empty file: no header and no rows")
        return
    # undecodable bytes become surrogate escapes, found per row below (a row in another
    # encoding is rejected, not garbled); a BOM is dropped
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as stream:
        yield from _csv_rows(name, stream)


def _csv_rows(name: str, stream: io.TextIOBase) -> Iterator[RawRow]:
    reader = csv.reader(stream)
    try:
        header_raw = next(reader)
    except StopIteration:
        yield RawRow(name, 1, error="empty file: no header and no rows")
        return
    except csv.Error as exc:
        yield RawRow(name, 1, error=f"unreadable header: {exc}")
        return
    if _bad_utf8("".join(header_raw)) >= 0:
        yield RawRow(name, 1, error="header is not valid UTF-8 (save the file as UTF-8)")
        return
    header = tuple(h.strip() for h in header_raw)
    line = reader.line_num + 1
    n_rows = 0
    while True:
        start = line
        try:
            rec = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield RawRow(name, start, header=header, error=f"malformed CSV: {exc}")
            line = reader.line_num + 1
            continue
        line = reader.line_num + 1
        if not rec or not "".join(rec).strip():
            continue
        n_rows += 1
        if not all(map(str.isascii, rec)) and _bad_utf8("".join(rec)) >= 0:
            safe = _as_csv(rec).encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")
            yield RawRow(name, start, header=header, text=safe,
                         error="not valid UTF-8 (wrong encoding? save the file as UTF-8)")
            continue
        if len(rec) != len(header):
            yield RawRow(name, start, header=header, cells=rec,
                         values=dict(zip(header, rec, strict=False)),
                         error=f"row has {len(rec)} fields, header has {len(header)}")
            continue
        yield RawRow(name, start, dict(zip(header, rec, strict=True)), header=header, cells=rec)
    if n_rows == 0:
        yield RawRow(name, 2, header=header, error="empty file: header but no rows")


def _as_csv(rec: list[str]) -> str:
    """The row as one CSV line (quoted where needed), for the rejects file."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(rec)
    return buf.getvalue()


def _read_jsonl(path: Path) -> Iterator[RawRow]:
    name = path.name
    n_rows = 0
    with path.open("rb") as fh:
        for i, bline in enumerate(fh, start=1):
            if not bline.strip():
                continue
            n_rows += 1
            try:
                text = bline.decode("utf-8-sig" if i == 1 else "utf-8")
            except UnicodeDecodeError:
                yield RawRow(name, i, text=bline.decode("utf-8", "backslashreplace").rstrip(),
                             error="not valid UTF-8 (wrong encoding? save the file as UTF-8)")
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RawRow(name, i, text=text.rstrip(), error=f"not valid JSON: {exc.msg}")
                continue
            if not isinstance(obj, dict):
                yield RawRow(name, i, text=text.rstrip(), error="each line must be a JSON object")
                continue
            values = {str(k): "" if v is None else _to_str(v) for k, v in obj.items()}
            yield RawRow(name, i, values, header=tuple(values), text=text.rstrip())
    if n_rows == 0:
        yield RawRow(name, 1, error="empty file: no rows")


def _to_str(v: object) -> str:
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _read_xlsx(path: Path) -> Iterator[RawRow]:
    import openpyxl

    name = path.name
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook
        yield RawRow(name, 1, error=f"not a readable .xlsx workbook: {exc}")
        return
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_cells = next(rows, None)
        if not header_cells or all(c is None for c in header_cells):
            yield RawRow(name, 1, error="empty file: no header and no rows")
            return
        header = tuple("" if c is None else str(c).strip() for c in header_cells)
        n_rows = 0
        for i, cells in enumerate(rows, start=2):
            if cells is None or all(c is None or str(c).strip() == "" for c in cells):
                continue
            n_rows += 1
            vals = [_cell(c) for c in cells]
            values = dict(zip(header, vals, strict=False))
            yield RawRow(name, i, values, header=header, cells=vals)
        if n_rows == 0:
            yield RawRow(name, 2, header=header, error="empty file: header but no rows")
    finally:
        wb.close()


def _cell(c: object) -> str:
    import datetime as dt

    if c is None:
        return ""
    if isinstance(c, dt.datetime):
        return c.isoformat() if (c.hour or c.minute or c.second) else c.date().isoformat()
    if isinstance(c, dt.date):
        return c.isoformat()
    if isinstance(c, float) and c.is_integer():
        return str(int(c))
    return str(c)


# ---------------------------------------------------------------- by column
@dataclass
class ColumnChunk:
    """Consecutive rows of a CSV file as pyarrow string columns (header order).

    Row ``i`` of the chunk is the record on physical line ``first_line + i``:
    :func:`csv_column_chunks` only gives chunks for files whose every record
    is one line.
    """

    file: str
    header: tuple[str, ...]
    first_line: int
    columns: list[Any]  # pyarrow.StringArray per header column
    n: int

    def named(self) -> dict[str, Any]:
        """``{column name: values}``; the last of repeated column names wins (as in the loader)."""
        return dict(zip(self.header, self.columns, strict=True))

    def raw(self, i: int) -> str:
        """Row ``i`` as one CSV line, for the rejects file (as :attr:`RawRow.raw`)."""
        return _as_csv([str(c[i].as_py()) for c in self.columns])


def file_stamp(path: Path) -> tuple[int, int, int]:
    """``(size, modification time in ns, inode)``: the same stamp, the same file contents (for
    :func:`csv_column_chunks`' ``checked``)."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def _after_newlines(path: Path, counts: tuple[int, int]) -> tuple[int, int]:
    """The byte offsets just after the ``counts[0]``-th and the ``counts[1]``-th newline of
    a file (its size when it has fewer)."""
    out: list[int] = []
    seen = at = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            c = block.count(b"\n")
            while len(out) < 2 and seen + c >= counts[len(out)]:
                pos = -1
                for _ in range(counts[len(out)] - seen):
                    pos = block.index(b"\n", pos + 1)
                out.append(at + pos + 1)
            if len(out) == 2:
                return out[0], out[1]
            seen += c
            at += len(block)
    out += [at] * (2 - len(out))
    return out[0], out[1]


def csv_column_chunks(path: Path, batch: int, checked: tuple[int, int, int] | None = None,
                      part: tuple[int, int] | None = None) -> Iterator[ColumnChunk] | None:
    """The rows of a plain CSV file in chunks of ``batch`` rows, parsed by pyarrow's
    multi-threaded reader, or ``None`` when the file needs the row reader
    (:func:`read_table`): any record over several lines, blank or empty rows,
    bytes that are not UTF-8, rows with another number of fields than the
    header, a lone carriage return, a file without rows.  Those are what
    the row reader reports with their lines; a file without them gives the
    same rows from both readers, so the fast path changes no result.

    ``checked``: the :func:`file_stamp` of the file when an earlier call gave chunks for it
    (the bulk path reads a node table twice); the same stamp skips the file's checks.
    ``part``: only the data rows ``part[0]`` to ``part[1] - 1`` (of a checked file: each is
    one line, so the part is a byte range of it, read without parsing the rest), the
    bulk path's part of a large file.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    if path.suffix.lower() != ".csv":
        return None
    known = checked is not None and checked == file_stamp(path)
    if part is not None and not known:
        raise InvalidInput(f"{path.name} changed while it was being loaded (a part of a file is read by "
                           "the stamp of its check): load it again")
    lines = 0
    if not known:
        cr = crlf = 0
        last = b"\n"
        with path.open("rb") as fh:
            prev = b""
            for block in iter(lambda: fh.read(1 << 22), b""):
                lines += block.count(b"\n")
                cr += block.count(b"\r")
                crlf += (prev + block[:1]).count(b"\r\n") + block.count(b"\r\n")
                prev, last = block[-1:], block[-1:]
        if cr != crlf:
            return None
        if last != b"\n":
            lines += 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text)
            header_raw = next(reader)
            if reader.line_num != 1:
                return None
    except (StopIteration, csv.Error, UnicodeDecodeError):
        return None
    header = tuple(h.strip() for h in header_raw)
    names = [f"c{i}" for i in range(len(header))]
    ropts = pacsv.ReadOptions(skip_rows=1, column_names=names, block_size=1 << 22)
    popts = pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True)
    copts = pacsv.ConvertOptions(column_types={c: pa.string() for c in names}, strings_can_be_null=False,
                                 quoted_strings_can_be_null=False)

    def batches() -> Iterator[pa.RecordBatch]:
        with pacsv.open_csv(path, read_options=ropts, parse_options=popts, convert_options=copts) as r:
            yield from r

    if part is not None:
        start, end = _after_newlines(path, (part[0] + 1, part[1] + 1))  # line 1 is the header
        part_opts = pacsv.ReadOptions(skip_rows=0, column_names=names, block_size=1 << 22)

        def part_batches() -> Iterator[pa.RecordBatch]:
            if end <= start:
                return
            with pa.memory_map(str(path)) as mm:
                mm.seek(start)
                with pacsv.open_csv(pa.BufferReader(mm.read_buffer(end - start)), read_options=part_opts,
                                    parse_options=popts, convert_options=copts) as r:
                    yield from r

        return _chunks(path, header, batch, part_batches, first_line=2 + part[0])
    if known:
        return _chunks(path, header, batch, batches)
    # first pass (C, no Python per row): one record per line and no blank records
    rows = 0
    try:
        for b in batches():
            rows += b.num_rows
            blank = None
            for col in b.columns:  # stops at the first column without a blank cell (usually the first)
                empty = pc.or_(pc.equal(pc.binary_length(col), 0), pc.utf8_is_space(col))
                blank = empty if blank is None else pc.and_(blank, empty)
                if not pc.any(blank).as_py():
                    break
            else:
                if blank is not None and pc.any(blank).as_py():
                    return None
    except (pa.ArrowInvalid, pa.ArrowException, UnicodeDecodeError):
        return None
    if rows == 0 or rows + 1 != lines:
        return None
    return _chunks(path, header, batch, batches)


def _chunks(path: Path, header: tuple[str, ...], batch: int, batches: Callable[[], Iterator[Any]],
            first_line: int = 2) -> Iterator[ColumnChunk]:
    import pyarrow as pa

    pending: list[pa.RecordBatch] = []
    have = 0
    line = first_line
    for b in batches():
        pending.append(b)
        have += b.num_rows
        while have >= batch:
            t = pa.Table.from_batches(pending).combine_chunks()
            take, rest = t.slice(0, batch), t.slice(batch)
            yield ColumnChunk(path.name, header, line, [c.chunk(0) if c.num_chunks else pa.array([], pa.string())
                                                         for c in take.columns], take.num_rows)
            line += take.num_rows
            pending = rest.to_batches() if rest.num_rows else []
            have = rest.num_rows
    if have:
        t = pa.Table.from_batches(pending).combine_chunks()
        yield ColumnChunk(path.name, header, line, [c.chunk(0) for c in t.columns], t.num_rows)

