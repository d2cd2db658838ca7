"""Agencies' own files: a YAML mapping turns an agency export into netintel's tables.

An agency exports its register as it keeps it — Excel or CSV, Thai column
headers, its own codes, Buddhist-era dates.  A mapping file says, once per
layout, which netintel table rows each exported row gives and where each
netintel field comes from::

    name: Royal Thai Police trafficking case register
    source: RTP                     # agency code of every row (see graph.model.AGENCIES)
    sheet: 0                        # xlsx: sheet index or name (default: the first)
    dates: {format: "%d/%m/%Y", era: buddhist}   # default for every date field
    outputs:
      - table: cases
        source_record_id: "{เลขคดี}"               # a template over the agency's columns
        fields:
          case_number: เลขคดี                       # a column, as is
          opened_on: {column: วันที่รับแจ้ง}           # a date: the default format and era
          status: {column: สถานะ, values: {"1": open, "2": investigation}}
          agency: {value: RTP}                      # a constant
      - table: persons
        id: "RTP:{เลขประจำตัวประชาชน}"
        ...

* Every output row gets ``source`` (the mapping's, or a ``source`` field) and
  the ``source_record_id`` template; ``id`` is optional as in the input
  format.  An output whose mapped columns are all empty in a row (and
  ``skip_if_empty`` columns) gives no row for it.
* ``values`` maps the agency's codes onto netintel's; a code not in the map
  is passed through and rejected by the validator if it is not a valid value.
* Dates: ``format`` (``strptime``, Thai month names and abbreviations
  accepted as ``%b``/``%B``), ``era: buddhist`` (years − 543) or
  ``common``.  A date that does not parse is passed on as written, and the
  validator rejects it with its reason.
* Rows are validated and loaded by the normal loader; a rejected value is
  reported against the agency's file, row and column (the netintel field is
  named in the reason), with the agency's row as written.
* Columns of the file that the mapping does not use are reported
  (``unmapped_columns``); a column the mapping needs but the file lacks
  stops the load with a clear error.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from neo4j import Driver

from core.errors import InvalidInput
from core.rules import BUDDHIST_ERA_OFFSET, clean_text, thai_digits_to_ascii
from graph.model import TABLES, table_fields

from . import loader as ld
from .read import RawRow, read_table

__all__ = ["Mapping", "MappingError", "load_mapping", "map_file", "ingest_mapped", "SHIPPED", "THAI_MONTHS"]

#: The mappings shipped with netintel (``ingest/mappings/*.yml``).
SHIPPED = Path(__file__).with_name("mappings")

#: Thai month names and abbreviations → month number (for ``%b``/``%B`` in date formats).
THAI_MONTHS: dict[str, int] = {}
for _i, (_full, _abbr) in enumerate(
    [("มกราคม", "ม.ค."), ("กุมภาพันธ์", "ก.พ."), ("มีนาคม", "มี.ค."), ("เมษายน", "เม.ย."),
     ("พฤษภาคม", "พ.ค."), ("มิถุนายน", "มิ.ย."), ("กรกฎาคม", "ก.ค."), ("สิงหาคม", "ส.ค."),
     ("กันยายน", "ก.ย."), ("ตุลาคม", "ต.ค."), ("พฤศจิกายน", "พ.ย."), ("ธันวาคม", "ธ.ค.")], start=1):
    THAI_MONTHS[_full] = THAI_MONTHS[_abbr] = THAI_MONTHS[_abbr.replace(".", "")] = _i
_THAI_MONTH_RE = re.compile("|".join(sorted(map(re.escape, THAI_MONTHS), key=len, reverse=True)))
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class MappingError(InvalidInput):
    """A mapping file that cannot be used (or does not fit the agency file)."""


@dataclass(frozen=True)
class FieldMap:
    target: str
    column: str | None = None
    template: str | None = None
    value: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    era: str = "common"

    def columns(self) -> set[str]:
        cols = {self.column} if self.column else set()
        if self.template:
            cols |= _template_columns(self.template)
        return cols


@dataclass(frozen=True)
class Output:
    table: str
    fields: tuple[FieldMap, ...]
    skip_if_empty: tuple[str, ...] = ()

    def columns(self) -> set[str]:
        return set().union(*(f.columns() for f in self.fields))


@dataclass(frozen=True)
class Mapping:
    name: str
    source: str | None
    outputs: tuple[Output, ...]
    sheet: int | str = 0
    path: str = ""

    def columns(self) -> set[str]:
        return set().union(*(o.columns() for o in self.outputs))


def _template_columns(t: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(t) if name}


def _field_map(target: str, spec: Any, dates: dict[str, Any], kind: str, where: str) -> FieldMap:
    if isinstance(spec, str | int):
        spec = {"column": str(spec)}
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: field {target!r} must be a column name or a mapping, not {spec!r}")
    unknown = set(spec) - {"column", "template", "value", "values", "format", "era"}
    if unknown:
        raise MappingError(f"{where}: field {target!r}: unknown keys {', '.join(sorted(unknown))}")
    if sum(k in spec for k in ("column", "template", "value")) != 1:
        raise MappingError(f"{where}: field {target!r} needs exactly one of column, template, value")
    era = str(spec.get("era", dates.get("era", "common") if kind in ("date", "datetime") else "common"))
    if era not in ("common", "buddhist"):
        raise MappingError(f"{where}: field {target!r}: era must be common or buddhist, not {era!r}")
    fmt = spec.get("format", dates.get("format") if kind == "date" else dates.get("datetime_format"))
    return FieldMap(target, column=str(spec["column"]) if "column" in spec else None,
                    template=spec.get("template"), value=None if "value" not in spec else str(spec["value"]),
                    values={str(k): str(v) for k, v in (spec.get("values") or {}).items()},
                    date_format=fmt if kind in ("date", "datetime") else None, era=era)


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping file (targets checked against :mod:`graph.model`)."""
    path = Path(path)
    if not path.is_file() and (SHIPPED / path.name).is_file():
        path = SHIPPED / path.name
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: not a readable YAML mapping: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("outputs"), list) or not doc["outputs"]:
        raise MappingError(f"{path}: a mapping needs a list of outputs")
    dates = doc.get("dates") or {}
    outputs = []
    for i, o in enumerate(doc["outputs"], start=1):
        where = f"{path.name}: output {i}"
        table = o.get("table")
        if table not in TABLES:
            raise MappingError(f"{where}: unknown table {table!r} (known: {', '.join(TABLES)})")
        kinds = {f.name: f.kind for f in table_fields(table)}
        specs: dict[str, Any] = dict(o.get("fields") or {})
        for key in ("id", "source", "source_record_id"):
            if key in o:
                specs[key] = {"template": o[key]} if isinstance(o[key], str) and "{" in o[key] else (
                    {"value": o[key]} if isinstance(o[key], str) else o[key])
        bad = set(specs) - set(kinds)
        if bad:
            raise MappingError(f"{where}: {table} has no field {', '.join(sorted(bad))} "
                               f"(fields: {', '.join(kinds)})")
        if "source_record_id" not in specs:
            raise MappingError(f"{where}: source_record_id is required (a template over the columns)")
        if "source" not in specs and not doc.get("source"):
            raise MappingError(f"{where}: no source: give the mapping's `source` or a source field")
        fms = tuple(_field_map(t, s, dates, kinds[t], where) for t, s in specs.items())
        outputs.append(Output(table, fms, tuple(o.get("skip_if_empty") or ())))
    return Mapping(name=str(doc.get("name", path.stem)), source=doc.get("source"), outputs=tuple(outputs),
                   sheet=doc.get("sheet", 0), path=str(path))


# ------------------------------------------------------------------ values
def _parse_with_format(raw: str, fmt: str, era: str) -> str | None:
    """``raw`` read with ``fmt`` (Thai months and digits accepted) → ISO text, or None."""
    v = thai_digits_to_ascii(clean_text(raw))
    if "%b" in fmt or "%B" in fmt:
        v = _THAI_MONTH_RE.sub(lambda m: _EN_MONTHS[THAI_MONTHS[m.group(0)] - 1], v)
        fmt = fmt.replace("%B", "%b")
    year_shift = BUDDHIST_ERA_OFFSET if era == "buddhist" else 0
    try:
        # strptime cannot read BE years past 9999 - 543 safely, and checks Feb 29 against the
        # BE year: read the year apart, then build the date in the common era
        got = _strptime_era(v, fmt, year_shift)
    except ValueError:
        return None
    return got.isoformat()


def _strptime_era(v: str, fmt: str, shift: int) -> dt.date | dt.datetime:
    if not shift:
        d = dt.datetime.strptime(v, fmt)  # noqa: DTZ007 - naive: netintel reads naive times as Bangkok
        return d if any(c in fmt for c in "HMS") else d.date()
    # swap the year for a placeholder the calendar accepts, then check the real date
    m = re.search(r"(?<!\d)(\d{4})(?!\d)", v)
    if m is None or "%Y" not in fmt:
        raise ValueError("no four-digit year")
    year = int(m.group(1)) - shift
    d = dt.datetime.strptime(v[: m.start()] + "2000" + v[m.end():], fmt)  # noqa: DTZ007
    d = d.replace(year=year)  # ValueError for 29 Feb of a common year
    return d if any(c in fmt for c in "HMS") else d.date()


def _apply(fm: FieldMap, row: dict[str, str], kind: str) -> str:
    if fm.value is not None:
        return fm.value
    if fm.template is not None:
        try:
            v = fm.template.format_map({k: clean_text(x) for k, x in row.items()})
        except (KeyError, ValueError, IndexError):
            return ""
        # a template whose every column is empty gives nothing
        if not any(clean_text(row.get(c, "")) for c in _template_columns(fm.template)):
            return ""
        return v
    raw = row.get(fm.column or "", "")
    v = clean_text(raw)
    if fm.values:
        v = fm.values.get(v, fm.values.get(v.lower(), v))
    if v and fm.date_format and kind in ("date", "datetime"):
        got = _parse_with_format(v, fm.date_format, fm.era)
        if got is not None:
            v = got
    return v


# ------------------------------------------------------------------ mapping a file
@dataclass
class MappedFile:
    """An agency file mapped to netintel tables (JSON Lines in ``folder``)."""

    folder: Path
    agency_file: str
    columns: tuple[str, ...]
    unmapped_columns: list[str]
    #: (table, line in the table's .jsonl) → (agency line, agency row as written)
    origin: dict[tuple[str, int], tuple[int, str]]
    rows: int = 0
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)  # whole-row read problems


def _rows(path: Path, sheet: int | str) -> Iterator[RawRow]:
    if path.suffix.lower() == ".xlsx" and sheet not in (0, "0"):
        yield from _read_sheet(path, sheet)
    else:
        yield from read_table(path)


def _read_sheet(path: Path, sheet: int | str) -> Iterator[RawRow]:
    import openpyxl

    from .read import _cell

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
        rows = ws.iter_rows(values_only=True)
        header = tuple("" if c is None else str(c).strip() for c in next(rows, ()) or ())
        for i, cells in enumerate(rows, start=2):
            if cells is None or all(c is None or str(c).strip() == "" for c in cells):
                continue
            vals = [_cell(c) for c in cells]
            yield RawRow(path.name, i, dict(zip(header, vals, strict=False)), header=header, cells=vals)
    finally:
        wb.close()


def map_file(mapping: Mapping, path: Path, folder: Path) -> MappedFile:
    """Turn an agency file into netintel tables (``<table>.jsonl`` in ``folder``)."""
    kinds = {o.table: {f.name: f.kind for f in table_fields(o.table)} for o in mapping.outputs}
    outs: dict[str, Any] = {}
    lines: dict[str, int] = {}
    origin: dict[tuple[str, int], tuple[int, str]] = {}
    seen: dict[tuple[str, str, str], str] = {}  # (table, source, srid) → record, for repeated rows
    mf = MappedFile(folder, path.name, (), [], origin)
    needed = mapping.columns()
    header_checked = False
    try:
        for raw in _rows(path, mapping.sheet):
            if raw.error and not raw.values:
                mf.problems.append((raw.line, "", raw.error, raw.raw))
                continue
            if not header_checked:
                header_checked = True
                mf.columns = tuple(raw.header)
                missing = sorted(needed - set(raw.header))
                if missing:
                    raise MappingError(f"{path.name}: the mapping {mapping.name!r} needs column(s) "
                                       f"{', '.join(missing)}, not in the file (columns: {', '.join(raw.header)})")
                mf.unmapped_columns = [c for c in raw.header if c and c not in needed]
            mf.rows += 1
            if raw.error:
                mf.problems.append((raw.line, raw.error_field, raw.error, raw.raw))
                continue
            for o in mapping.outputs:
                if o.skip_if_empty and all(not clean_text(raw.values.get(c, "")) for c in o.skip_if_empty):
                    continue
                rec = {fm.target: _apply(fm, raw.values, kinds[o.table].get(fm.target, "str")) for fm in o.fields}
                if not any(rec.get(fm.target) for fm in o.fields if fm.value is None and fm.target != "source"):
                    continue  # nothing of this output in the row
                rec.setdefault("source", mapping.source or "")
                rec = {k: v for k, v in rec.items() if v != ""}
                text = json.dumps(rec, ensure_ascii=False, sort_keys=True)
                key = (o.table, str(rec.get("source", "")), str(rec.get("source_record_id", "")))
                if seen.get(key) == text:
                    continue  # the same record repeated on several rows (a case on each of its persons)
                seen.setdefault(key, text)
                if o.table not in outs:
                    outs[o.table] = (folder / f"{o.table}.jsonl").open("w", encoding="utf-8")
                    lines[o.table] = 0
                outs[o.table].write(text + "\n")
                lines[o.table] += 1
                origin[(f"{o.table}.jsonl", lines[o.table])] = (raw.line, raw.raw)
    finally:
        for fh in outs.values():
            fh.close()
    return mf


class _AgencyRejects(ld.RejectWriter):
    """Rejects reported against the agency's file, row and column."""

    def __init__(self, path: Path, mapping: Mapping, mf: MappedFile) -> None:
        super().__init__(path)
        self.mf = mf
        self.columns = {(o.table, fm.target): fm for o in mapping.outputs for fm in o.fields}

    def add(self, file: str, line: int, fld: str, reason: str, raw: str) -> None:
        got = self.mf.origin.get((file, line))
        if got is None:  # a whole-file problem of an intermediate table
            super().add(self.mf.agency_file, 0, fld, reason, raw)
            return
        table = file.rsplit(".", 1)[0]
        fm = self.columns.get((table, fld))
        col = (fm.column or ",".join(sorted(fm.columns())) or fld) if fm else fld
        super().add(self.mf.agency_file, got[0], col, f"{reason} ({table}.{fld})", got[1])

    def add_raw(self, line: int, fld: str, reason: str, raw: str) -> None:
        """A problem of the agency's row itself (unreadable, wrong number of cells)."""
        super().add(self.mf.agency_file, line, fld, reason, raw)


def ingest_mapped(driver: Driver, mapping: Mapping | Path | str, path: Path | str,
                  rejects_path: Path | str | None = None, batch_size: int = ld.DEFAULT_BATCH,
                  progress: ld.Progress | None = None, writers: int = ld.DEFAULT_WRITERS) -> ld.IngestSummary:
    """Map an agency file (CSV or xlsx) with ``mapping`` and load it with the normal loader.

    The summary's ``unmapped_columns`` lists the file's columns the mapping does not use.
    """
    m = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    rejects_path = Path(rejects_path) if rejects_path else Path("rejects") / f"{path.stem}.rejects.csv"
    with tempfile.TemporaryDirectory(prefix="netintel-mapped-") as tmp:
        folder = Path(tmp) / path.stem
        folder.mkdir()
        mf = map_file(m, path, folder)
        rejects = _AgencyRejects(rejects_path, m, mf)
        for line, fld, reason, raw in mf.problems:
            rejects.add_raw(line, fld, reason, raw)
        summary = ld.ingest_bundle(driver, folder, rejects_writer=rejects, batch_size=batch_size,
                                   progress=progress, writers=writers)
    summary.bundle = str(path)
    summary.mapping = m.name
    summary.unmapped_columns = mf.unmapped_columns
    summary.rejected_read = len(mf.problems)
    summary.agency_rows = mf.rows
    return summary
