"""Row validation against the model: required fields, types, codes, sizes.

:func:`validate_row` turns one raw row of a table into a clean record or a
list of ``(field, reason)`` problems.  References between rows are checked
later by the loader, which knows every id of the bundle and the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from graph.model import AGENCIES, Field, node_spec, rel_specs_for_table, table_fields
from graph.settings import get_settings

from . import normalise as nz

__all__ = ["Record", "validate_row", "validate_columns", "check_columns", "MISSING", "missing_columns", "MAX_FIELD_CHARS", "known_agencies"]

#: Longest accepted value of a plain field / a free-text field, in characters.
MAX_FIELD_CHARS = 1000
MAX_TEXT_CHARS = 20000


@lru_cache(maxsize=1)
def known_agencies() -> frozenset[str]:
    extra = set(get_settings().extra_agencies)  # NETINTEL_EXTRA_AGENCIES
    return frozenset(AGENCIES) | extra


@dataclass
class Record:
    """A validated row: properties to store plus identity and provenance."""

    table: str
    line: int
    id: str | None
    source: str
    source_record_id: str
    seen: dt.date | None
    props: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # column -> referenced id
    rel_type: str | None = None


def _parse_str(v: str) -> str:
    return nz.clean_text(v)


@lru_cache(maxsize=256)
def _parse_agency(v: str) -> str:
    code = nz.clean_text(v).upper()
    if code not in known_agencies():
        raise nz.FieldError(
            f"unknown agency code {v!r} (known: {', '.join(sorted(known_agencies()))}; "
            "add more with NETINTEL_EXTRA_AGENCIES)"
        )
    return code


def _parse_date(v: str) -> dt.date:
    return nz.parse_date(v)


def _parse_datetime(v: str) -> dt.datetime:
    return nz.parse_datetime(v)


def _parse_float(v: str) -> float:
    return nz.parse_float(v)


_PARSERS: dict[str, Callable[[str], Any]] = {
    "str": _parse_str,
    "text": _parse_str,
    "id": _parse_str,
    "ref": _parse_str,
    "agency": _parse_agency,
    "int": nz.parse_int,
    "float": _parse_float,
    "amount": nz.parse_amount,
    "date": lru_cache(maxsize=1 << 16)(_parse_date),  # dates repeat across chunks; a date is immutable
    "datetime": _parse_datetime,
    "country": nz.parse_country,
    "currency": nz.parse_currency,
    "thai_id": nz.parse_thai_id,
    "phones": nz.parse_phones,
    "plate": nz.parse_plate,
    "list": nz.parse_list,
}


@lru_cache(maxsize=64)
def _fields(table: str) -> tuple[Field, ...]:
    return table_fields(table)


def missing_columns(table: str, header: tuple[str, ...]) -> list[str]:
    """Required columns absent from a file's header."""
    have = set(header)
    return [f.name for f in table_fields(table) if f.required and f.name not in have]


def _parse_field(f: Field, raw: str) -> Any:
    limit = MAX_TEXT_CHARS if f.kind == "text" else MAX_FIELD_CHARS
    if len(raw) > limit:
        raise nz.FieldError(f"value too long: {len(raw)} characters (limit {limit})")
    if f.kind == "enum":
        v = nz.clean_text(raw)
        if v not in f.choices:
            low = {c.lower(): c for c in f.choices}
            if v.lower() in low:
                return low[v.lower()]
            raise nz.FieldError(f"{v!r} is not one of {', '.join(f.choices)}")
        return v
    return _PARSERS[f.kind](raw)


def validate_row(table: str, values: dict[str, str]) -> tuple[Record | None, list[tuple[str, str]]]:
    """Validate and normalise one row of ``table``.

    Returns ``(record, [])`` or ``(None, [(field, reason), ...])``.
    """
    errors: list[tuple[str, str]] = []
    clean: dict[str, Any] = {}
    for f in _fields(table):
        raw = values.get(f.name)
        if raw is None or not str(raw).strip():
            if f.required:
                errors.append((f.name, "required value is missing"))
            continue
        try:
            clean[f.name] = _parse_field(f, str(raw))
        except nz.FieldError as exc:
            errors.append((f.name, str(exc)))
    spec = node_spec(table)
    if spec is not None and spec.label == "Person" and not errors:
        if not any(clean.get(k) for k in ("full_name", "given_name", "family_name", "full_name_latin")):
            errors.append(("full_name", "a person needs at least one name"))
    if spec is not None and spec.label == "Case" and "closed_on" in clean and "opened_on" in clean:
        if clean["closed_on"] < clean["opened_on"]:
            errors.append(("closed_on", "closed before it was opened"))
    if spec is not None and not errors:
        for a, b in spec.ordered:  # declared in the model: b may not be earlier/smaller than a
            if a in clean and b in clean and clean[b] < clean[a]:
                errors.append((b, f"{b} ({clean[b]}) is before/less than {a} ({clean[a]})"))
    if spec is not None and spec.label == "Location":
        lat, lon = clean.get("lat"), clean.get("lon")
        if lat is not None and not -90 <= lat <= 90:
            errors.append(("lat", f"latitude out of range: {lat}"))
        if lon is not None and not -180 <= lon <= 180:
            errors.append(("lon", f"longitude out of range: {lon}"))
    if errors:
        return None, errors

    source = clean["source"]
    srid = clean["source_record_id"]
    rec = Record(table=table, line=0, id=None, source=source, source_record_id=srid,
                 seen=clean.get("recorded_at"))
    if spec is not None:
        rec.id = clean.get("id") or f"{source}:{srid}"
        for f in spec.fields:
            if f.name in clean and f.store and f.name != "id":
                rec.props[f.name] = clean[f.name]
        if spec.label == "Case" and "agency" not in rec.props:
            rec.props["agency"] = source
        for r in rel_specs_for_table(table):
            if r.embedded and clean.get(r.to_field):
                rec.refs[r.to_field] = clean[r.to_field]
    else:
        rels = rel_specs_for_table(table)
        r = rels[0]
        rec.refs[r.from_field] = clean[r.from_field]
        rec.refs[r.to_field] = clean[r.to_field]
        rec.rel_type = clean.get("type", r.type)
        for f in r.fields:
            if f.name in clean:
                if f.kind == "ref":
                    rec.refs[f.name] = clean[f.name]
                rec.props[f.name] = clean[f.name]
    return rec, []


# ---------------------------------------------------------------- by column
_MISSING = object()
MISSING = _MISSING  # an empty or bad cell in :func:`check_columns`' clean columns


#: text kinds whose clean value of an already clean ASCII cell is the cell itself
_TEXT_KINDS = frozenset({"str", "text", "id", "ref"})
#: printable ASCII words separated by single spaces: unchanged by ``clean_text``
_CLEAN_ASCII = r"^[!-~]+(?: [!-~]+)*$"


def _clean_ascii(f: Field, values: Any) -> np.ndarray | None:
    """Rows of a text column that :func:`_parse_field` would return unchanged (printable
    ASCII, single inner spaces, within the length limit), found with one pyarrow pass;
    ``None`` for other kinds."""
    if f.kind not in _TEXT_KINDS:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    limit = MAX_TEXT_CHARS if f.kind == "text" else MAX_FIELD_CHARS
    ok = pc.and_(pc.match_substring_regex(arr, _CLEAN_ASCII), pc.less_equal(pc.binary_length(arr), limit))
    return np.asarray(ok.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _parse_column(f: Field, values: Any) -> tuple[list[Any], dict[int, str], np.ndarray]:
    """Parse one column: each distinct raw value once; ``(clean values, {row: reason}, rows
    without a clean value)``.

    Empty cells come back as ``_MISSING``.  In a text column (str, text, id,
    ref) the cells that are already clean (printable ASCII, single spaces) are
    found in one vectorised pass and kept as they are; the rest of the column
    is factorised with pandas (codes + distinct values), only the distinct
    values are parsed and the results taken back by code, so a column of
    agency codes, dates, countries or enums costs one parse per distinct
    value; the reasons are exactly :func:`validate_row`'s.
    """
    vals = values.to_pylist() if hasattr(values, "to_pylist") else values
    ok = _clean_ascii(f, values)
    if ok is not None and ok.all():
        return list(vals), {}, np.empty(0, dtype=np.intp)
    arr = np.asarray(vals, dtype=object)
    rest = np.flatnonzero(~ok) if ok is not None else None
    codes, uniques = pd.factorize(arr if rest is None else arr[rest])
    parsed = np.empty(len(uniques) + 1, dtype=object)
    parsed[-1] = _MISSING  # code -1 (no value)
    bad: dict[int, str] = {}
    for j, raw in enumerate(uniques):
        if raw is None or not str(raw).strip():
            parsed[j] = _MISSING
            continue
        try:
            parsed[j] = _parse_field(f, str(raw))
        except nz.FieldError as exc:
            parsed[j] = _MISSING
            bad[j] = str(exc)
    if rest is None:
        out: list[Any] = parsed[codes].tolist()
        rows = None
    else:
        merged = arr.copy()
        merged[rest] = parsed[codes]
        out = merged.tolist()
        rows = rest
    errors: dict[int, str] = {}
    if bad:
        for j, reason in bad.items():
            for i in np.flatnonzero(codes == j).tolist():
                errors[i if rows is None else int(rows[i])] = reason
    gone = [j for j in range(len(uniques)) if parsed[j] is _MISSING]
    missing = np.flatnonzero(np.isin(codes, gone + [-1]) if gone else codes == -1)
    return out, errors, (missing if rows is None else rows[missing])


def check_columns(table: str, columns: dict[str, Any], n: int
                  ) -> tuple[dict[str, list[Any]], list[list[tuple[str, str]]]]:
    """Parse and check ``n`` rows given column by column (``{column: [raw value per row]}``,
    lists or pyarrow string arrays).

    Returns ``(clean, problems)``: the clean value of every model field per row
    (``MISSING`` where the cell is empty or bad) and, per row, its
    ``(field, reason)`` list in the order of :func:`validate_row` (empty for a
    good row).  The loader builds records from it (:func:`validate_columns`);
    the bulk path writes the importer's columns from it directly.
    """
    fields = _fields(table)
    problems: list[list[tuple[str, str]]] = [[] for _ in range(n)]
    clean: dict[str, list[Any]] = {}
    for f in fields:
        raw_vals = columns.get(f.name)
        if raw_vals is None:
            if f.required:
                for p in problems:
                    p.append((f.name, "required value is missing"))
            continue
        out, errs, missing = _parse_column(f, raw_vals)
        if f.required:
            for i in missing.tolist():
                if i not in errs:
                    problems[i].append((f.name, "required value is missing"))
        for i, reason in errs.items():
            problems[i].append((f.name, reason))
        clean[f.name] = out
    # problems were appended field by field: rows keep validate_row's field order
    spec = node_spec(table)
    label = spec.label if spec is not None else None

    def col(name: str) -> list[Any]:
        return clean.get(name) or [_MISSING] * n

    if label == "Person":
        names = [col(k) for k in ("full_name", "given_name", "family_name", "full_name_latin")]
        for i in range(n):
            if not problems[i] and not any(c[i] is not _MISSING and c[i] for c in names):
                problems[i].append(("full_name", "a person needs at least one name"))
    elif label == "Case":
        op, cl = col("opened_on"), col("closed_on")
        for i in range(n):
            if op[i] is not _MISSING and cl[i] is not _MISSING and cl[i] < op[i]:
                problems[i].append(("closed_on", "closed before it was opened"))
    elif label == "Location":
        lat, lon = col("lat"), col("lon")
        for i in range(n):
            if lat[i] is not _MISSING and not -90 <= lat[i] <= 90:
                problems[i].append(("lat", f"latitude out of range: {lat[i]}"))
            if lon[i] is not _MISSING and not -180 <= lon[i] <= 180:
                problems[i].append(("lon", f"longitude out of range: {lon[i]}"))

    if spec is not None:
        for a, b in spec.ordered:  # declared in the model, as in validate_row
            ca, cb = col(a), col(b)
            for i in range(n):
                if not problems[i] and ca[i] is not _MISSING and cb[i] is not _MISSING and cb[i] < ca[i]:
                    problems[i].append((b, f"{b} ({cb[i]}) is before/less than {a} ({ca[i]})"))

    return clean, problems


def validate_columns(table: str, columns: dict[str, Any], n: int
                     ) -> tuple[list[Record | None], list[list[tuple[str, str]]]]:
    """Validate ``n`` rows given column by column (``{column: [raw value per row]}``).

    Returns ``(records, problems)`` aligned with the rows: a :class:`Record`
    and ``[]`` for a good row, ``None`` and its ``(field, reason)`` list
    (in the order of :func:`validate_row`) for a bad one.  Same results as
    :func:`validate_row` on each row, computed one column at a time
    (:func:`check_columns`).
    """
    clean, problems = check_columns(table, columns, n)
    spec = node_spec(table)
    label = spec.label if spec is not None else None

    def col(name: str) -> list[Any]:
        return clean.get(name) or [_MISSING] * n

    records: list[Record | None] = [None] * n
    M = _MISSING
    if spec is not None:
        store = {f.name for f in spec.fields if f.store and f.name != "id"}
        ref_names = {r.to_field for r in rel_specs_for_table(table) if r.embedded}
        rtype = None
    else:
        r0 = rel_specs_for_table(table)[0]
        store = {f.name for f in r0.fields}
        ref_names = {r0.from_field, r0.to_field} | {f.name for f in r0.fields if f.kind == "ref"}
        rtype = r0.type
    # the columns each part of a record is made of, taken once per chunk
    prop_names = [k for k in clean if k in store]
    ref_cols = [k for k in clean if k in ref_names]
    props_t = zip(*[clean[k] for k in prop_names], strict=True) if prop_names else iter([()] * n)
    refs_t = zip(*[clean[k] for k in ref_cols], strict=True) if ref_cols else iter([()] * n)
    src, srid_c, seen_c = clean["source"], clean["source_record_id"], col("recorded_at")
    id_c = col("id")
    type_c = col("type") if spec is None else None
    for i, (pv, rv) in enumerate(zip(props_t, refs_t, strict=True)):
        if problems[i]:
            continue
        source, srid = src[i], srid_c[i]
        seen = seen_c[i]
        rec = Record(table, 0, None, source, srid, None if seen is M else seen,
                     {k: v for k, v in zip(prop_names, pv, strict=True) if v is not M},
                     {k: v for k, v in zip(ref_cols, rv, strict=True) if v is not M and v})
        if spec is not None:
            rec.id = id_c[i] if id_c[i] is not M and id_c[i] else f"{source}:{srid}"
            if label == "Case" and "agency" not in rec.props:
                rec.props["agency"] = source
        else:
            assert type_c is not None
            rec.rel_type = rtype if type_c[i] is M else type_c[i]
        records[i] = rec
    return records, problems
