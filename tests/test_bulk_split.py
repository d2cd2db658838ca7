"""The bulk path shares a large node table between its workers in parts of whole chunks,
with the import files and rejects of one task (no database: the files are compared)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from ingest.bulk import BulkSummary, _spans, write_import_files
from tests.test_ingest import full_tables


def _persons(n: int) -> list[dict[str, Any]]:
    return [{"id": f"Q{k}", "source": "RTP", "source_record_id": f"q-{k}", "full_name": f"Person {k}",
             "phones": f"08{k:08d}", "lives_at": "TH-74", "recorded_at": f"2023-01-{k % 28 + 1:02d}"}
            for k in range(n)]


def _tables(cross_part_duplicate: bool) -> dict[str, list[dict[str, Any]]]:
    """Persons enough to be the larger part of the node tables, bad rows in both halves."""
    t = full_tables()
    people = _persons(60)
    people[3]["birth_date"] = "31/02/1990"  # a bad value, first part
    people[50]["lives_at"] = "NOWHERE"  # an unknown embedded reference, second part
    people[55] = {"id": "P1", "source": "ATPD", "source_record_id": "A-1", "full_name": "สมชาย",
                  "recorded_at": "2021-05-05"}  # an id of the first rows again: folded by the parent
    people[57] = dict(people[56], id="Q-again")  # a record repeated inside the second part
    if cross_part_duplicate:  # the record of a row of the first part, under another id
        people[58] = dict(people[4], id="Q-other")
    t["persons"] += people
    return t


def _rows(files: dict[str, Path]) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The import files' header and sorted rows per label or type (the workers' files of a
    label together)."""
    out: dict[str, tuple[list[str], list[list[str]]]] = {}
    for key, path in files.items():
        with path.open(encoding="utf-8", newline="") as fh:
            header, *rows = list(csv.reader(fh))
        got = out.setdefault(key.split("__")[0], (header, []))
        assert got[0] == header
        got[1].extend(rows)
    return {k: (h, sorted(rows)) for k, (h, rows) in out.items()}


def _write(bundle: Path, out: Path, workers: int) -> tuple[BulkSummary, dict[str, tuple[list[str], list[list[str]]]], bytes]:
    rejects = out / "rejects.csv"
    summary, files = write_import_files(bundle, out, rejects, batch_size=4, workers=workers)
    return summary, _rows(files), rejects.read_bytes()


@pytest.mark.parametrize("cross_part_duplicate", [False, True])
def test_a_shared_table_gives_the_files_and_rejects_of_one_task(make_bundle: Any, tmp_path: Path,
                                                                cross_part_duplicate: bool) -> None:
    bundle = make_bundle(_tables(cross_part_duplicate))
    one, one_rows, one_rejects = _write(bundle, tmp_path / "one", 1)
    two, two_rows, two_rejects = _write(bundle, tmp_path / "two", 2)
    assert one.parts["persons"] == 1
    # the persons are two parts, unless a record is in both: then the table is done again as one
    assert two.parts["persons"] == (1 if cross_part_duplicate else 2)
    assert two_rejects == one_rejects
    reasons = [r[3] for r in csv.reader(one_rejects.decode("utf-8").splitlines()[1:])]
    assert any(r.startswith("unknown reference: no Location with id 'NOWHERE'") for r in reasons)
    assert sum(r.startswith("duplicate record RTP:q-56") for r in reasons) == 1
    assert sum(r.startswith("duplicate record RTP:q-4 (first at line") for r in reasons) == cross_part_duplicate
    assert two_rows == one_rows
    assert {k: vars(v) for k, v in two.files.items()} == {k: vars(v) for k, v in one.files.items()}
    assert dict(two.nodes) == dict(one.nodes) and dict(two.relationships) == dict(one.relationships)
    assert two.rejected == one.rejected and two.rows == one.rows
    header, persons = two_rows["nodes_Person"]
    p1 = [r for r in persons if r[1] == "P1"]
    assert len(p1) == 1 and p1[0][header.index("sources:string[]")] == "DSI;ATPD"


def test_spans_share_only_a_large_table_of_the_fast_reader() -> None:
    assert _spans(60, 100, 10, 2) == [(0, 5), (5, 10)]
    assert _spans(40, 100, 10, 2) == [None]  # no more than its share
    assert _spans(60, 100, 0, 2) == [None]  # the row reader's file: one task
    assert _spans(60, 100, 10, 1) == [None]
    assert _spans(90, 100, 3, 8) == [(0, 1), (1, 2), (2, 3)]  # never more parts than chunks
