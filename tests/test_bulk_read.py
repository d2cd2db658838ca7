"""The bulk path's second read of a node table skips the file checks of the first, and
only while the file is unchanged (no database)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import InvalidInput
from ingest.bulk import _table_ids
from ingest.read import ColumnChunk, csv_column_chunks, file_stamp, read_table
from tests.test_columnar import PLAIN, _write


def _rows(chunks: Iterator[ColumnChunk] | None) -> list[tuple[int, str, dict[str, str]]]:
    assert chunks is not None
    return [(c.first_line + i, c.raw(i), {h: col[i].as_py() for h, col in c.named().items()})
            for c in chunks for i in range(c.n)]


def test_a_checked_file_gives_the_same_chunks(tmp_path: Path) -> None:
    p = _write(tmp_path, PLAIN)
    ids, stamp, chunks = _table_ids("persons", p, 2)
    assert ids == ["P1", "P2", "P3", "P4"] and stamp == file_stamp(p) and chunks == 2
    assert _rows(csv_column_chunks(p, 2, stamp)) == _rows(csv_column_chunks(p, 2)) == [
        (r.line, r.raw, r.values) for r in read_table(p)]


def test_a_changed_file_is_checked_again(tmp_path: Path) -> None:
    p = _write(tmp_path, PLAIN)
    _, stamp, _ = _table_ids("persons", p, 10)
    assert stamp is not None
    p.write_text(PLAIN + '\nP5,RTP,r-5,"two\nlines",\n', encoding="utf-8")  # now needs the row reader
    os.utime(p, ns=(stamp[1] + 10**9, stamp[1] + 10**9))
    assert csv_column_chunks(p, 10, stamp) is None


def test_a_file_for_the_row_reader_gives_no_stamp(tmp_path: Path) -> None:
    p = _write(tmp_path, PLAIN + "\nP5,RTP,r-5,x,\n")  # a blank line
    ids, stamp, chunks = _table_ids("persons", p, 10)
    assert ids == ["P1", "P2", "P3", "P4", "P5"] and stamp is None and chunks == 0


@pytest.mark.parametrize("text", [PLAIN, PLAIN.replace("\n", "\r\n"), PLAIN.rstrip("\n"), "\ufeff" + PLAIN])
def test_a_part_of_a_checked_file_is_its_rows_of_the_whole(tmp_path: Path, text: str) -> None:
    """A worker's part (data rows a to b - 1) is read as a byte range, with its own lines."""
    p = _write(tmp_path, text)
    whole = _rows(csv_column_chunks(p, 3))
    stamp = file_stamp(p)
    for a, b in [(0, 2), (2, 4), (1, 3), (3, 10), (0, 4), (4, 6)]:
        assert _rows(csv_column_chunks(p, 3, stamp, (a, b))) == whole[a:b], (a, b)
    with pytest.raises(InvalidInput, match="changed while it was being loaded"):
        csv_column_chunks(p, 3, None, (0, 2))
