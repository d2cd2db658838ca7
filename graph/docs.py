"""Reference documentation generated from the model (so it cannot drift).

``python -m graph.docs`` rewrites the generated part of
``docs/input-format.md``; ``tests/test_docs.py`` fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .model import AGENCIES, NODES, RELS, table_fields

BEGIN = "<!-- BEGIN GENERATED TABLES (python -m graph.docs) -->"
END = "<!-- END GENERATED TABLES -->"

_KIND_DOC = {
    "str": "text (NFC, whitespace collapsed), ≤ 1000 characters",
    "text": "free text, ≤ 20000 characters",
    "id": "identifier",
    "ref": "id of another record (must exist in the bundle or the database)",
    "agency": "agency code",
    "int": "whole number (Thai digits accepted)",
    "float": "number",
    "amount": "amount ≥ 0 (`1,500.00`, `฿1500`, Thai digits accepted)",
    "date": "date `YYYY-MM-DD` or `DD/MM/YYYY`; Buddhist-era years (> 2400) are converted",
    "datetime": "ISO 8601 date-time; without a zone it is Asia/Bangkok (UTC+7)",
    "country": "country: ISO 3166 alpha-3 (alpha-2 or English name accepted)",
    "currency": "ISO 4217 currency code",
    "thai_id": "13-digit Thai national ID, checksum verified",
    "phones": "phone numbers separated by `;` → E.164 (`081-234-5678` → `+66812345678`)",
    "plate": "vehicle plate (`1กข 1234` → `1กข1234`)",
    "list": "values separated by `;`",
    "enum": "one of",
}


def tables_markdown() -> str:
    out: list[str] = [BEGIN, ""]
    out.append("### Agency codes (`source`)\n")
    out.append("| code | agency |\n|---|---|")
    out.extend(f"| `{k}` | {v} |" for k, v in AGENCIES.items())
    out.append("")
    for spec in NODES:
        out.append(f"### `{spec.table}` → `:{spec.label}` nodes\n")
        out.append(spec.doc + "\n")
        out.extend(_fields(spec.table))
        emb = [r for r in RELS if r.table == spec.table and r.embedded]
        for r in emb:
            out.append(f"`{r.to_field}` creates `({spec.label})-[:{r.type}]->({'|'.join(r.to_labels)})`.")
        out.append("")
    for r in RELS:
        if r.embedded or not r.ingested:
            continue
        types = "|".join(r.type_choices) if r.type_choices else r.type
        out.append(f"### `{r.table}` → `[:{types}]` relationships\n")
        out.append(f"`({'|'.join(r.from_labels)} {{id: {r.from_field}}})-[:{types}]->"
                   f"({'|'.join(r.to_labels)} {{id: {r.to_field}}})` — {r.doc}\n")
        out.extend(_fields(r.table))
        out.append("")
    out.append(END)
    return "\n".join(out)


def _fields(table: str) -> list[str]:
    rows = ["| column | required | type | notes |", "|---|---|---|---|"]
    for f in table_fields(table):
        kind = _KIND_DOC.get(f.kind, f.kind)
        if f.kind == "enum":
            kind += " " + ", ".join(f"`{c}`" for c in f.choices)
        req = "yes" if f.required else ""
        rows.append(f"| `{f.name}` | {req} | {kind} | {f.doc} |")
    rows.append("")
    return rows


def render(doc: str) -> str:
    """``doc`` with its generated part replaced by the current model."""
    head, _, rest = doc.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + tables_markdown() + tail


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/input-format.md")
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
