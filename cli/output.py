"""Printing results: a table for people, CSV or JSON for scripts.

``table`` shows numbers for people (thousands separators, two decimals);
``csv`` and ``json`` carry every column with full precision.
"""

from __future__ import annotations

import json
import math
import numbers
import sys
from collections.abc import Sequence
from enum import Enum
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from pydantic import BaseModel

from views._common import jsonable  # the one conversion to plain JSON values

__all__ = ["Format", "FormatOpt", "emit", "frame", "cell", "jsonable"]


class Format(str, Enum):  # noqa: UP042 - typer needs a str Enum
    table = "table"
    csv = "csv"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="output format")]

#: amounts of money: two decimals in every format (never ``5.43e+05`` or ``1088881.0799999998``)
MONEY_COLUMNS = frozenset({"amount", "carried", "total_in", "total_out"})

#: integer columns that are labels rather than quantities (no thousands separator)
_PLAIN_INTS = frozenset({"year", "path", "hop", "leg", "community", "order", "rank", "betweenness_rank"})


def frame(rows: Sequence[BaseModel], row_type: type[BaseModel]) -> pd.DataFrame:
    """The rows of a view's typed table as a DataFrame (columns in the model's order, also when empty)."""
    cols = list(row_type.model_fields)
    # object columns keep Python ints as ints when some rows are None (suppressed counts)
    return pd.DataFrame([r.model_dump() for r in rows], columns=cols, dtype=object)


def cell(v: Any, column: str = "") -> str:
    """One table cell for people.

    >>> cell(1234567), cell(0.123456), cell(2024, "year"), cell(("MMR", "THA")), cell(None)
    ('1,234,567', '0.12', '2024', 'MMR > THA', '')
    """
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        v = v.item()
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v) if column in _PLAIN_INTS else f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, tuple | list):  # routes and paths are ordered
        return " > ".join(map(str, v)) if v else "—"
    if isinstance(v, set | frozenset):
        return ", ".join(sorted(map(str, v)))
    return str(v)


def _is_number_column(s: pd.Series) -> bool:
    vals = [v for v in s if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return bool(vals) and all(isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_) for v in vals)


def emit(df: pd.DataFrame, fmt: Format, title: str = "", table_columns: list[str] | None = None) -> None:
    """Print a result DataFrame in the chosen format (``table_columns``: the columns
    worth a terminal table; CSV and JSON always carry all of them)."""
    df = df.copy()
    for col in MONEY_COLUMNS & set(map(str, df.columns)):
        df[col] = [round(float(v), 2) if isinstance(v, numbers.Real) and not isinstance(v, bool) and
                   math.isfinite(float(v)) else v for v in df[col]]
    if fmt is Format.json:
        rows = [{str(k): jsonable(v) for k, v in r.items()} for r in df.to_dict(orient="records")]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if fmt is Format.csv:
        out = df.copy()
        for col in MONEY_COLUMNS & set(map(str, out.columns)):
            out[col] = [f"{v:.2f}" if isinstance(v, float) else v for v in out[col]]
        for col in out.columns:
            if out[col].map(lambda v: isinstance(v, tuple | list)).any():
                out[col] = out[col].map(lambda v: " > ".join(map(str, v)) if isinstance(v, tuple | list) else v)
        out.to_csv(sys.stdout, index=False)
        return
    from rich.console import Console
    from rich.table import Table

    if table_columns:
        df = df[[c for c in table_columns if c in df.columns]]
    t = Table(title=title or None)
    numeric = {c for c in df.columns if _is_number_column(df[c])}
    for col in df.columns:
        t.add_column(str(col), justify="right" if col in numeric else "left")
    cols = [str(c) for c in df.columns]
    for r in df.itertuples(index=False):
        t.add_row(*[cell(v, c) for v, c in zip(r, cols, strict=True)])
    Console().print(t)
    if not len(df):
        print(f"{title or 'result'}: no rows", file=sys.stderr)
