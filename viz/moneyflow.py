"""Exports of a money trail (trace workspace, paths, an alert's subgraph): CSV and xlsx.

Both take the typed :class:`views.models.TraceOut` the view returns, so the
page, the API and the CLI export the same rows.  Amounts are written as plain
decimals with two places in CSV (``543000.00``, never ``5.43e+05``) and as
numbers with a ``#,##0.00`` format in xlsx; times in Asia/Bangkok.  The PNG
export is drawn by the page itself (its SVG → canvas → PNG, no server round
trip).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from viz.format import date, money

__all__ = ["trail_rows", "account_rows", "trail_csv", "trail_xlsx", "amount_text"]

_TRANSFER_COLS = ["txn_id", "at (Asia/Bangkok)", "source", "source holders", "target", "target holders",
                  "amount", "currency"]
_ACCOUNT_COLS = ["account", "holders", "bank", "account number", "total in", "total out"]


def amount_text(v: Any) -> str:
    """A plain decimal with two places for files.

    Examples
    --------
    >>> amount_text(543000.0), amount_text(1088881.0799999998), amount_text(None)
    ('543000.00', '1088881.08', '')
    """
    return "" if v is None else f"{float(v):.2f}"


def _holders(out: Any) -> dict[str, str]:
    res = {}
    for a in out.accounts:
        names = [f"{h.name} ({h.label})" for h in a.info.holders] or (
            [a.info.holder_name] if a.info.holder_name else [])
        res[a.account] = "; ".join(str(n) for n in names)
    return res


def trail_rows(out: Any) -> list[list[Any]]:
    """Transfers of the trail in time order (header first)."""
    hold = _holders(out)
    rows: list[list[Any]] = [_TRANSFER_COLS]
    for t in sorted(out.transfers, key=lambda t: (t.at, t.txn_id)):
        rows.append([t.txn_id, date(t.at), t.source, hold.get(t.source, ""), t.target, hold.get(t.target, ""),
                     t.amount, t.currency or ""])
    return rows


def account_rows(out: Any) -> list[list[Any]]:
    """Accounts of the trail with totals in and out (header first)."""
    hold = _holders(out)
    rows: list[list[Any]] = [_ACCOUNT_COLS]
    for a in out.accounts:
        rows.append([a.account, hold.get(a.account, ""), a.info.bank_code or "", a.info.account_number or "",
                     a.total_in, a.total_out])
    return rows


def trail_csv(out: Any) -> str:
    """The trail's transfers as CSV (amounts as plain two-decimal numbers)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    for i, r in enumerate(trail_rows(out)):
        w.writerow(r if i == 0 else [amount_text(v) if j == 6 else v for j, v in enumerate(r)])
    return buf.getvalue()


def trail_xlsx(out: Any, title: str = "Money trail") -> bytes:
    """Two sheets: the transfers and the accounts (amounts as numbers, ``#,##0.00``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "transfers"
    for r in trail_rows(out):
        ws.append(r)
    for cell in ws["G"][1:]:
        cell.number_format = "#,##0.00"
    ws2 = wb.create_sheet("accounts")
    for r in account_rows(out):
        ws2.append(r)
    for col in ("E", "F"):
        for cell in ws2[col][1:]:
            cell.number_format = "#,##0.00"
    for sheet in (ws, ws2):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for col in sheet.columns:
            width = max(len(str(c.value or "")) for c in col)
            sheet.column_dimensions[col[0].column_letter].width = min(max(10, width + 2), 60)
    wb.properties.title = title
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def summary(out: Any) -> str:
    """One line: transfers, accounts and the total moved (for page notes and the CLI)."""
    total = sum(t.amount for t in out.transfers)
    cur = {t.currency for t in out.transfers if t.currency}
    return (f"{len(out.transfers):,} transfers between {len(out.accounts):,} accounts, "
            f"{money(total, next(iter(cur)) if len(cur) == 1 else None)} in all")
