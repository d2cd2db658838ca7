"""Reads behind the analyst's workspace: who holds the accounts of a money trail,
and which accounts a person or organisation holds.

Parameterised Cypher only, through :func:`graph.db.read` with the asker's
:class:`graph.scope.Scope`; holders and accounts hidden from the scope are
dropped (a hidden id answers like a missing one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .cypher import label, rel_type
from .db import read
from .scope import Scope

__all__ = ["account_holders", "held_accounts"]

_HOLDERS = f"""
UNWIND $ids AS id
MATCH (a:{label('BankAccount')} {{id: id}})
OPTIONAL MATCH (h)-[:{rel_type('HOLDS')}]->(a)
WHERE h:{label('Person')} OR h:{label('Organisation')}
RETURN a.id AS account, a.holder_name AS holder_name, a.bank_code AS bank_code,
       a.account_number AS account_number, a.currency AS currency,
       collect(CASE WHEN h IS NULL THEN NULL ELSE {{id: h.id, label: labels(h)[0],
               name: coalesce(h.full_name, h.name, h.full_name_latin, h.name_latin, h.id)}} END) AS holders
"""

_HELD = f"""
MATCH (h {{id: $id}})-[:{rel_type('HOLDS')}]->(a:{label('BankAccount')})
WHERE h:{label('Person')} OR h:{label('Organisation')}
RETURN a.id AS account, a.holder_name AS holder_name, a.bank_code AS bank_code,
       a.account_number AS account_number, a.currency AS currency,
       coalesce(h.full_name, h.name, h.full_name_latin, h.name_latin, h.id) AS holder
ORDER BY a.id
"""


def account_holders(scope: Scope, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """For each visible account among ``ids``: bank, number, currency and its visible
    holders (``[{id, label, name}]``: the people and organisations that hold it)."""
    comp = scope.compartment()
    out: dict[str, dict[str, Any]] = {}
    for r in read(scope, _HOLDERS, ids=[i for i in ids if not comp.hides("BankAccount", i)]):
        holders = [h for h in r["holders"] if h and not comp.hides(h["label"], h["id"])]
        out[r["account"]] = {k: v for k, v in r.items() if k not in ("account", "holders") and v is not None}
        out[r["account"]]["holders"] = holders
    return out


def held_accounts(scope: Scope, holder_id: str) -> list[dict[str, Any]]:
    """The visible accounts a visible person or organisation holds (empty when hidden or unknown)."""
    comp = scope.compartment()
    if comp.hides_any(holder_id):
        return []
    return [{k: v for k, v in r.items() if v is not None} for r in read(scope, _HELD, id=holder_id)
            if not comp.hides("BankAccount", r["account"])]
