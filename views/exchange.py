"""Exports of the graph in the investigative-data ecosystem's formats: FollowTheMoney.

:func:`export_ftm` writes every node and relationship the scope may see as
FollowTheMoney entities (line-delimited JSON, built and serialised with the
``followthemoney`` package), the format Aleph and OpenSanctions tooling read.
The mapping is the inverse of :mod:`ingest.ftm` (its table lists both ways);
provenance travels with each entity: agencies in ``publisher``, records as
``notes`` lines ``netintel record AGENCY:RECORD_ID`` (relationships:
``publisher`` and ``recordId``), first / last seen as ``createdAt`` /
``modifiedAt``.  Journey legs, residences and the location hierarchy
(``MOVED``, ``LIVES_AT``, ``OCCURRED_AT``, ``LOCATED_IN``) have no FtM
counterpart and are left out (counted in the result); vehicle uses in cases
become ``UnknownLink`` entities with role ``USED``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from graph.scope import Scope

__all__ = ["FtmExport", "export_ftm", "ftm_entities"]


class FtmExport(BaseModel):
    """What an FtM export wrote."""

    path: str
    entities: int
    by_schema: dict[str, int]
    left_out: dict[str, int]


def _s(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, list):
        return [str(x) for x in v if x not in (None, "")]
    if hasattr(v, "iso_format"):
        return [v.iso_format()[:19] if "T" in v.iso_format() else v.iso_format()]
    return [str(v)] if str(v) != "" else []


def _iso2(code: Any) -> list[str]:
    """netintel's ISO 3166 alpha-3 codes → FtM's (alpha-2, lower case)."""
    import pycountry

    out = []
    for c in _s(code):
        got = pycountry.countries.get(alpha_3=c)
        out.append(got.alpha_2.lower() if got else c.lower())
    return out


def _provenance(proxy: Any, p: dict[str, Any], sources: list[str], records: list[str]) -> None:
    proxy.add("publisher", sources)
    proxy.add("notes", "\n".join(f"netintel record {r}" for r in records) or None)
    proxy.add("createdAt", _s(p.get("first_seen")))
    proxy.add("modifiedAt", _s(p.get("last_seen")))


_ORG_SCHEMA = {"company": "Company", "fishing_company": "Company", "recruitment_agency": "Company",
               "public_body": "PublicBody"}


def _node(model: Any, label: str, p: dict[str, Any]) -> Any | None:
    if label == "Person":
        e = model.make_entity("Person")
        e.add("name", [x for x in (p.get("full_name"), p.get("full_name_latin")) if x])
        e.add("firstName", _s(p.get("given_name")))
        e.add("lastName", _s(p.get("family_name")))
        e.add("alias", _s(p.get("aliases")))
        e.add("birthDate", _s(p.get("birth_date")))
        e.add("gender", {"M": "male", "F": "female", "X": "other"}.get(p.get("sex") or "", None))
        e.add("nationality", _iso2(p.get("nationality")))
        e.add("idNumber", _s(p.get("national_id")))
        e.add("passportNumber", _s(p.get("passport_no")))
        e.add("phone", _s(p.get("phones")), quiet=True)
        e.add("address", _s(p.get("address")))
    elif label == "Organisation":
        kind = p.get("kind") or ""
        e = model.make_entity(_ORG_SCHEMA.get(kind, "Company" if "company" in kind else "Organization"))
        e.add("name", [x for x in (p.get("name"), p.get("name_latin")) if x])
        e.add("classification", kind or None)
        e.add("registrationNumber", _s(p.get("registration_no")))
        e.add("jurisdiction", _iso2(p.get("country")))
    elif label == "Vehicle":
        e = model.make_entity("Vehicle")
        e.add("registrationNumber", _s(p.get("plate")))
        e.add("type", _s(p.get("kind")))
        e.add("model", _s(p.get("make")))
        e.add("name", _s(p.get("plate")))
    elif label == "BankAccount":
        e = model.make_entity("BankAccount")
        e.add("bankName", _s(p.get("bank_code")))
        e.add("accountNumber", _s(p.get("account_number")))
        e.add("name", _s(p.get("holder_name")))
        e.add("currency", _s(p.get("currency")))
        e.add("country", _iso2(p.get("country")))
    elif label == "Case":
        e = model.make_entity("CourtCase")
        e.add("name", _s(p.get("case_number")))
        e.add("caseNumber", _s(p.get("case_number")))
        e.add("category", _s(p.get("offence")))
        e.add("type", _s(p.get("exploitation_type")))
        e.add("fileDate", _s(p.get("opened_on")))
        e.add("closeDate", _s(p.get("closed_on")))
        e.add("status", _s(p.get("status")))
    elif label == "Location":
        e = model.make_entity("Address")
        e.add("full", _s(p.get("name")))
        e.add("name", _s(p.get("name_th")) + _s(p.get("name")))
        e.add("latitude", _s(p.get("lat")))
        e.add("longitude", _s(p.get("lon")))
        e.add("country", _iso2(p.get("iso3")))
    else:  # pragma: no cover - every label of the model is mapped
        return None
    e.id = str(p["id"])
    _provenance(e, p, list(p.get("sources") or []), list(p.get("source_record_ids") or []))
    return e


#: relationship type → (FtM schema, source property, target property)
_EDGES: dict[str, tuple[str, str, str]] = {
    "INVOLVED_IN": ("CourtCaseParty", "party", "case"),
    "MEMBER_OF": ("Membership", "member", "organization"),
    "EMPLOYED_BY": ("Employment", "employee", "employer"),
    "DIRECTS": ("Directorship", "director", "organization"),
    "HOLDS": ("Ownership", "owner", "asset"),
    "OWNS": ("Ownership", "owner", "asset"),
    "TRANSFERRED": ("Payment", "payerAccount", "beneficiaryAccount"),
    "USED": ("UnknownLink", "subject", "object"),
}


def _edge(model: Any, rtype: str, frm: str, to: str, p: dict[str, Any]) -> Any | None:
    if rtype == "ASSOCIATED_WITH":
        family = p.get("kind") in ("family", "partner")
        e = model.make_entity("Family" if family else "Associate")
        e.add("person", frm)
        e.add("relative" if family else "associate", to)
        e.add("relationship", _s(p.get("kind")))
    elif rtype in _EDGES:
        schema, a, b = _EDGES[rtype]
        e = model.make_entity(schema)
        e.add(a, frm)
        e.add(b, to)
        if rtype == "INVOLVED_IN":
            e.add("role", _s(p.get("role")))
        elif rtype in ("MEMBER_OF", "EMPLOYED_BY", "DIRECTS"):
            e.add("role", _s(p.get("role")))
        elif rtype == "TRANSFERRED":
            e.add("amount", _s(p.get("amount")))
            e.add("currency", _s(p.get("currency")))
            e.add("date", _s(p.get("at")))
            e.add("transactionNumber", _s(p.get("txn_id")))
            e.add("purpose", _s(p.get("channel")))
        elif rtype == "USED":
            e.add("role", "USED")
            e.add("date", _s(p.get("at")))
        if "startDate" in e.schema.properties:
            e.add("startDate", _s(p.get("from_date")))
            e.add("endDate", _s(p.get("to_date")))
    else:
        return None
    e.id = f"{rtype}:{p.get('source')}:{p.get('source_record_id')}:{frm}:{to}"
    e.add("publisher", _s(p.get("source")))
    e.add("recordId", _s(p.get("source_record_id")))
    if "createdAt" in e.schema.properties:
        e.add("createdAt", _s(p.get("first_seen")))
        e.add("modifiedAt", _s(p.get("last_seen")))
    return e


def ftm_entities(scope: Scope, left_out: Counter[str] | None = None) -> Iterator[Any]:
    """FtM entity proxies of everything ``scope`` may see (nodes first, then relationships)."""
    from followthemoney import model

    from graph.exchange import iter_nodes, iter_relationships

    for label, p in iter_nodes(scope):
        e = _node(model, label, p)
        if e is not None:
            yield e
    for rtype, frm, to, p in iter_relationships(scope):
        e = _edge(model, rtype, frm, to, p)
        if e is None:
            if left_out is not None:
                left_out[rtype] += 1
            continue
        yield e


def export_ftm(scope: Scope, out: Path | str) -> FtmExport:
    """Write the scope's graph as line-delimited FtM JSON to ``out`` (analysts; audited)."""
    scope.require("analyst")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    left: Counter[str] = Counter()
    by: Counter[str] = Counter()
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for e in ftm_entities(scope, left):
            fh.write(json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
            by[e.schema.name] += 1
            n += 1
    scope.audit("export", str(out), format="ftm", entities=n)
    return FtmExport(path=str(out), entities=n, by_schema=dict(by), left_out=dict(left))
