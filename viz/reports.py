"""The yearly indicators as tables by year — for the page, and exported as xlsx, CSV and PDF.

The input is the rows of :func:`views.justice.indicators` (already suppressed for
viewers: a None value is shown ``<5``).  Each table has one row per year and
shows the value and the change on the year before.

>>> rows = [{"indicator": "convictions", "dimension": "", "group": "", "year": 2020, "value": 4, "n": 4,
...          "change": None, "change_pct": None},
...         {"indicator": "convictions", "dimension": "", "group": "", "year": 2021, "value": 6, "n": 6,
...          "change": 2, "change_pct": 50.0}]
>>> t = wide_tables(rows)[0]
>>> t["title"], t["columns"][:2], t["rows"][1]["cells"][0]
('Headline indicators', ['convictions'], {'value': '6', 'change': '+2 (+50.0%)'})
>>> indicators_csv(rows).splitlines()[0]
'indicator,dimension,group,year,value,n,previous,change,change_pct'
"""

from __future__ import annotations

import csv
import io
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["wide_tables", "indicators_csv", "indicators_xlsx", "indicators_pdf", "LABELS", "fmt_value",
           "fmt_change"]

#: how the indicators are named in the report
LABELS: dict[str, str] = {
    "investigations": "Investigations (cases)",
    "prosecutions": "Prosecutions (defendants indicted)",
    "convictions": "Convictions (defendants)",
    "acquittals": "Acquittals (defendants)",
    "sentences": "Sentences",
    "sentence_months_median": "Sentence, median months",
    "sentence_months_mean": "Sentence, mean months",
    "officials_prosecuted": "Officials prosecuted",
    "victims_identified": "Victims identified",
    "victims_assisted": "Victims assisted",
    "compensation_awarded": "Compensation awarded (THB)",
    "compensation_paid": "Compensation paid (THB)",
}
_DIMS = {"nationality": "nationality", "sex": "sex", "age_group": "age group",
         "exploitation_type": "form of exploitation"}
_COLUMNS = ("indicator", "dimension", "group", "year", "value", "n", "previous", "change", "change_pct")


def fmt_value(v: Any, suppressed: bool = True) -> str:
    """``1,234`` / ``12.5`` / ``<5`` for a suppressed value / ``–`` for no data."""
    if v is None:
        return "<5" if suppressed else "–"
    f = float(v)
    return f"{f:,.0f}" if f.is_integer() else f"{f:,.2f}"


def fmt_change(change: Any, pct: Any) -> str:
    """``+2 (+50.0%)``, ``−3``, or empty when unknown."""
    if change is None:
        return ""
    c = float(change)
    s = f"{c:+,.0f}" if c.is_integer() else f"{c:+,.2f}"
    return s + (f" ({float(pct):+.1f}%)" if pct is not None else "")


def _get(r: Any, k: str) -> Any:
    return r.get(k) if isinstance(r, Mapping) else getattr(r, k, None)


def wide_tables(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """``[{title, columns, rows: [{year, cells: [{value, change}]}]}]``: the headline indicators
    (one column each), then one table per indicator × breakdown (one column per group)."""
    by: dict[tuple[str, str], dict[int, dict[str, Any]]] = {}
    cols: dict[tuple[str, str], list[str]] = {}
    years: set[int] = set()
    for r in rows:
        ind, dim, grp, y = _get(r, "indicator"), _get(r, "dimension") or "", _get(r, "group") or "", int(_get(r, "year"))
        key = ("", "") if not dim else (ind, dim)
        col = ind if not dim else grp
        years.add(y)
        cols.setdefault(key, [])
        if col not in cols[key]:
            cols[key].append(col)
        by.setdefault(key, {}).setdefault(y, {})[col] = {"value": fmt_value(_get(r, "value"), bool(_get(r, "suppressed"))),
                                                         "change": fmt_change(_get(r, "change"), _get(r, "change_pct"))}
    out = []
    for key in sorted(by, key=lambda k: (k != ("", ""), list(LABELS).index(k[0]) if k[0] in LABELS else 99, k[1])):
        title = "Headline indicators" if key == ("", "") else f"{LABELS.get(key[0], key[0])} by {_DIMS.get(key[1], key[1])}"
        columns = cols[key] if key != ("", "") else [c for c in LABELS if c in cols[key]]
        body = [{"year": y, "cells": [by[key].get(y, {}).get(c, {"value": "0" if key != ("", "") else "",
                                                                   "change": ""}) for c in columns]}
                for y in sorted(years)]
        out.append({"title": title, "columns": columns, "labels": [LABELS.get(c, c) for c in columns], "rows": body})
    return out


def indicators_csv(rows: Sequence[Any]) -> str:
    """Long form, one line per indicator × breakdown × year (suppressed values empty)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(_COLUMNS)
    for r in rows:
        w.writerow(["" if _get(r, c) is None else _get(r, c) for c in _COLUMNS])
    return buf.getvalue()


def indicators_xlsx(rows: Sequence[Any], *, watermark: str = "") -> bytes:
    """A workbook: one sheet per table by year (value and change columns) and the long form."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws0 = wb.active
    assert ws0 is not None
    wb.remove(ws0)
    for i, t in enumerate(wide_tables(rows)):
        ws = wb.create_sheet(f"{i + 1:02d} {t['title']}"[:31].replace("/", "-"))
        ws.append([t["title"]])
        ws["A1"].font = Font(bold=True, size=13)
        if watermark:
            ws.append([watermark])
        head = ["year"]
        for lab in t["labels"]:
            head += [lab, "change on the year before"]
        ws.append(head)
        for c in ws[ws.max_row]:
            c.font = Font(bold=True)
        for r in t["rows"]:
            line: list[Any] = [r["year"]]
            for cell in r["cells"]:
                line += [cell["value"], cell["change"]]
            ws.append(line)
    ws = wb.create_sheet("long form")
    ws.append(list(_COLUMNS))
    for r in rows:
        ws.append([_get(r, c) for c in _COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def indicators_pdf(rows: Sequence[Any], *, title: str = "Yearly indicators", watermark: str = "") -> bytes:
    """A4 landscape pages, one table by year per page (fonts embedded)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    plt.rcParams["pdf.fonttype"] = 42
    plt.rcParams["font.family"] = ["Noto Sans", "DejaVu Sans", "sans-serif"]
    buf = io.BytesIO()
    with PdfPages(buf) as pdf:
        for t in wide_tables(rows):
            for start in range(0, max(1, len(t["columns"])), 6):
                cols = t["columns"][start:start + 6]
                labels = t["labels"][start:start + 6]
                fig = plt.figure(figsize=(11.69, 8.27))
                fig.text(0.04, 0.95, f"{title} — {t['title']}", fontsize=14, weight="bold")
                if watermark:
                    fig.text(0.04, 0.02, watermark, fontsize=8, color="#666")
                ax = fig.add_axes((0.04, 0.06, 0.92, 0.85))
                ax.axis("off")
                body = [[str(r["year"])] + [f"{c['value']}  {c['change']}".strip()
                                            for c in r["cells"][start:start + 6]] for r in t["rows"]]
                if body and cols:
                    heads = ["year", *(textwrap.fill(x, 20) for x in labels)]
                    tab = ax.table(cellText=body, colLabels=heads, loc="upper left", cellLoc="left")
                    tab.auto_set_font_size(False)
                    tab.set_fontsize(8)
                    tab.scale(1, 1.3)
                    for (row, _), cell in tab.get_celld().items():
                        if row == 0:
                            cell.set_height(cell.get_height() * 2.2)
                pdf.savefig(fig)
                plt.close(fig)
    return buf.getvalue()
