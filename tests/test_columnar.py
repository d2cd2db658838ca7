"""The column readers and validation the loader and the bulk path share (no database).

* :func:`ingest.read.csv_column_chunks` gives exactly the rows, lines and raw text of
  :func:`ingest.read.read_table` for a plain CSV file, and refuses (``None``: the row
  reader takes the file) whatever the row reader reports with a line of its own.
* :func:`ingest.validate.validate_columns` (vectorised clean-ASCII fast path) gives
  :func:`ingest.validate.validate_row`'s records and reasons, also for text that is
  not clean, too long, blank or not ASCII.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.read import csv_column_chunks, read_table
from ingest.validate import MAX_FIELD_CHARS, validate_columns, validate_row

PLAIN = ("id,source,source_record_id,full_name,lives_at\n"
         'P1,DSI,d-1,สมชาย ใจดี,TH-74\n'
         'P2,RTP,"r,2","Aung ""AK"" Kyaw",\n'
         "P3,RTP,r-3,  spaced   out ,\n"
         "P4,RTP,r-4,x,MMR\n")


def _write(tmp_path: Path, text: str | bytes, name: str = "persons.csv") -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("batch", [1, 3, 100])
def test_column_chunks_equal_the_row_reader(tmp_path: Path, batch: int) -> None:
    for text in (PLAIN, PLAIN.replace("\n", "\r\n"), "\ufeff" + PLAIN, PLAIN.rstrip("\n")):
        p = _write(tmp_path, text)
        rows = list(read_table(p))
        chunks = csv_column_chunks(p, batch)
        assert chunks is not None
        got = [(c.first_line + i, c.raw(i), {h: col[i].as_py() for h, col in c.named().items()})
               for c in chunks for i in range(c.n)]
        assert got == [(r.line, r.raw, r.values) for r in rows]
        assert all(c.n <= batch for c in csv_column_chunks(p, batch) or [])


@pytest.mark.parametrize("text", [
    PLAIN + '\nP5,RTP,r-5,"two\nlines",\n',  # a record over two lines
    PLAIN + "\nP5,RTP,r-5,x,\n",  # a blank line
    PLAIN + ",,,,\n",  # an empty record
    PLAIN + "   \n",  # a blank record of one field
    PLAIN + "P5,RTP,r-5\n",  # too few fields
    PLAIN.encode() + b"P5,RTP,r-5,\xff\xfe,\n",  # not UTF-8
    PLAIN.replace("\n", "\r", 2),  # a lone carriage return
    "id,source,source_record_id\n",  # no rows
])
def test_column_chunks_leave_problem_files_to_the_row_reader(tmp_path: Path, text: str | bytes) -> None:
    assert csv_column_chunks(_write(tmp_path, text), 10) is None


def test_column_validation_equals_row_validation() -> None:
    names = ["Somchai Jaidee", "  padded  ", "a\tb", "two  spaces", "สมชาย\u200b ใจดี", "Jose\u0301", "",
             "   ", "x" * (MAX_FIELD_CHARS + 1), "y" * MAX_FIELD_CHARS, "~!@#$%^&*()", "line\nbreak"]
    rows = [{"id": f" P{i} ", "source": "dsi" if i % 2 else "NOPE", "source_record_id": f"r {i}",
             "full_name": n, "birth_date": "31/02/1990" if i == 3 else "2001-03-04", "nationality": "MM",
             "lives_at": n} for i, n in enumerate(names)]
    cols = {k: [r[k] for r in rows] for k in rows[0]}
    recs, problems = validate_columns("persons", cols, len(rows))
    import pyarrow as pa

    recs_pa, problems_pa = validate_columns("persons", {k: pa.array(v) for k, v in cols.items()}, len(rows))
    for i, r in enumerate(rows):
        want, why = validate_row("persons", r)
        assert problems[i] == why == problems_pa[i], r
        for got in (recs[i], recs_pa[i]):
            if want is None:
                assert got is None
            else:
                assert got is not None
                assert (got.id, got.source, got.source_record_id, got.props, got.refs) == (
                    want.id, want.source, want.source_record_id, want.props, want.refs)
    assert any(p for p in problems) and any(r is not None for r in recs)
