"""FollowTheMoney (Aleph, OpenSanctions) and CTDC case data: import into netintel.

FollowTheMoney entities (line-delimited JSON, one entity per line, read
with the ``followthemoney`` package) become rows of netintel's tables and
load through the normal loader (same validation, rejects, idempotence):

========================  ==============================================
FtM schema                netintel
========================  ==============================================
Person                    Person
Organization, Company,    Organisation (``kind``: company, public_body,
LegalEntity, PublicBody   organisation)
Vehicle, Vessel           Vehicle
BankAccount               BankAccount
CourtCase                 Case
Address                   Location (kind ``address``)
CourtCaseParty            INVOLVED_IN
Family, Associate         ASSOCIATED_WITH (kind family / partner / associate)
Membership, Employment,   MEMBER_OF, EMPLOYED_BY, DIRECTS
Directorship
Ownership                 HOLDS (asset a BankAccount), OWNS (a Vehicle)
Payment                   TRANSFERRED (between ``payerAccount`` and
                          ``beneficiaryAccount``)
========================  ==============================================

Provenance both ways: an entity exported by netintel (:mod:`views.exchange`)
carries its agencies in ``publisher`` and its records in ``notes`` lines
``netintel record AGENCY:RECORD_ID`` (relationships: ``publisher`` and
``recordId``), first and last seen in ``createdAt`` / ``modifiedAt``, so
importing it restores ``sources``, ``source_record_ids`` and the seen dates.
An entity from elsewhere keeps its own: its ``publisher`` when that is an
agency code netintel knows, else the ``FTM`` source, and its FtM id as the
record id.

CTDC case data (the Counter-Trafficking Data Collaborative's victim
records: ``identifier``/``record_id``, ``gender``, ``majorityStatus``,
``citizenship`` / ``UN_COO_Region``, ``CountryOfExploitation`` /
``UN_COE_Region``, ``isForcedLabour``, ``isSexualExploit`` ...) becomes a
victim (Person), a case per record, the victim's involvement and the
origin → exploitation route as a journey leg (countries as the gazetteer's
country Locations, UN regions as ``UNR:<region>`` Locations).
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from neo4j import Driver

from core.errors import InvalidInput
from core.rules import country_alpha3

from . import loader as ld
from .validate import known_agencies

__all__ = ["ftm_rows", "ingest_ftm", "ctdc_rows", "ingest_ctdc", "RECORD_NOTE", "FTM_SOURCE", "CTDC_SOURCE"]

#: a line of ``notes`` carrying one netintel record (``AGENCY:RECORD_ID``)
RECORD_NOTE = "netintel record "
FTM_SOURCE = "FTM"
CTDC_SOURCE = "CTDC"

_ORG_KIND = {"Company": "company", "PublicBody": "public_body", "Organization": "organisation",
             "LegalEntity": "organisation"}


def _first(values: list[str]) -> str:
    return values[0] if values else ""


def _alpha3(values: list[str]) -> str:
    for v in values:
        try:
            return country_alpha3(v)
        except ValueError:
            continue
    return ""


def _records(proxy: Any) -> list[tuple[str, str]]:
    """The entity's netintel records ``(agency, record id)``: from its notes, else its own id."""
    out = []
    for note in proxy.get("notes"):
        for line in note.splitlines():
            if line.startswith(RECORD_NOTE) and ":" in line[len(RECORD_NOTE):]:
                agency, rid = line[len(RECORD_NOTE):].split(":", 1)
                out.append((agency.strip(), rid.strip()))
    if out:
        return out
    pubs = [p.upper() for p in proxy.get("publisher") if p.upper() in known_agencies()]
    rids = proxy.get("recordId") if "recordId" in proxy.schema.properties else []
    return [(pubs[0] if pubs else FTM_SOURCE, _first(rids) or str(proxy.id))]


def _date(values: list[str]) -> str:
    return _first(sorted(v[:10] for v in values))


def _node_rows(proxy: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    s = proxy.schema.name
    g = proxy.get
    base: dict[str, Any] = {}
    if s == "Person":
        names = g("name")
        base = {"full_name": _first(names), "full_name_latin": next((n for n in names[1:] if n.isascii()), ""),
                "given_name": _first(g("firstName")), "family_name": _first(g("lastName")),
                "aliases": ";".join(g("alias") + g("weakAlias")), "birth_date": _first(g("birthDate"))[:10],
                "sex": {"male": "M", "female": "F", "other": "X"}.get(_first(g("gender")), ""),
                "nationality": _alpha3(g("nationality") + g("citizenship")),
                "national_id": _first(g("idNumber")), "passport_no": _first(g("passportNumber")),
                "phones": ";".join(g("phone")), "address": _first(g("address"))}
        table = "persons"
    elif s in _ORG_KIND:
        names = g("name")
        base = {"name": _first(names), "name_latin": next((n for n in names[1:] if n.isascii()), ""),
                "kind": _first(g("classification")) or _ORG_KIND[s],
                "registration_no": _first(g("registrationNumber")), "country": _alpha3(g("jurisdiction") + g("country"))}
        table = "organisations"
    elif s in ("Vehicle", "Vessel"):
        base = {"plate": _first(g("registrationNumber")), "kind": _first(g("type")) or s.lower(),
                "make": _first(g("model"))}
        table = "vehicles"
    elif s == "BankAccount":
        base = {"bank_code": _first(g("bankName")) or _first(g("bic")),
                "account_number": _first(g("accountNumber")) or _first(g("iban")),
                "holder_name": _first(g("name")), "currency": _first(g("currency")).upper(),
                "country": _alpha3(g("country"))}
        table = "accounts"
    elif s == "CourtCase":
        base = {"case_number": _first(g("caseNumber")) or _first(g("name")), "offence": _first(g("category")),
                "opened_on": _first(g("fileDate"))[:10], "closed_on": _first(g("closeDate"))[:10],
                "status": _first(g("status")), "exploitation_type": _first(g("type"))}
        table = "cases"
    elif s == "Address":
        base = {"kind": "address", "name": _first(g("full")) or _first(g("name")),
                "lat": _first(g("latitude")), "lon": _first(g("longitude")), "iso3": _alpha3(g("country"))}
        table = "locations"
    else:
        return
    seen = sorted(v[:10] for v in g("createdAt") + g("modifiedAt"))
    records = _records(proxy)
    for i, (agency, rid) in enumerate(records):
        row = {"id": str(proxy.id), "source": agency, "source_record_id": rid, **base}
        # first/last seen: the earliest on the first record, the latest on the last
        if seen:
            row["recorded_at"] = seen[0] if i == 0 else seen[-1] if i == len(records) - 1 else ""
        yield table, {k: v for k, v in row.items() if v not in ("", None)}


_ASSOC_KIND = {"partner": "partner", "spouse": "partner", "wife": "partner", "husband": "partner"}


def _rel_rows(proxy: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    s = proxy.schema.name
    g = proxy.get
    extra: dict[str, Any] = {}
    if s == "CourtCaseParty":
        table, frm, to = "involvements", ("party_id", g("party")), ("case_id", g("case"))
        extra = {"role": _first(g("role")) or "other"}
    elif s in ("Family", "Associate"):
        other = g("relative") if s == "Family" else g("associate")
        table, frm, to = "associations", ("person_id", g("person")), ("other_id", other)
        rel = _first(g("relationship")).lower()
        extra = {"kind": _ASSOC_KIND.get(rel, "family" if s == "Family" else (rel if rel == "contact" else "associate"))}
    elif s in ("Membership", "Employment", "Directorship"):
        who = {"Membership": "member", "Employment": "employee", "Directorship": "director"}[s]
        org = "employer" if s == "Employment" else "organization"
        table, frm, to = "affiliations", ("person_id", g(who)), ("org_id", g(org))
        extra = {"type": {"Membership": "MEMBER_OF", "Employment": "EMPLOYED_BY", "Directorship": "DIRECTS"}[s],
                 "role": _first(g("role"))}
    elif s == "Ownership":
        # HOLDS or OWNS by what the asset is: decided by the caller, which knows the asset's schema
        table, frm, to = "ownerships", ("owner_id", g("owner")), ("vehicle_id", g("asset"))
    elif s == "Payment":
        table, frm, to = "transfers", ("from_account", g("payerAccount")), ("to_account", g("beneficiaryAccount"))
        extra = {"txn_id": _first(g("transactionNumber")) or str(proxy.id), "amount": _first(g("amount")),
                 "currency": _first(g("currency")).upper(), "at": _first(g("date")), "channel": _first(g("purpose"))}
    elif s == "UnknownLink" and _first(g("role")) == "USED":
        table, frm, to = "vehicle_uses", ("vehicle_id", g("subject")), ("case_id", g("object"))
        extra = {"at": _first(g("date"))[:10]}
    else:
        return
    if s in ("Membership", "Employment", "Directorship", "CourtCaseParty", "Ownership", "Family", "Associate"):
        if "startDate" in proxy.schema.properties:
            extra.setdefault("from_date", _first(g("startDate"))[:10])
            extra.setdefault("to_date", _first(g("endDate"))[:10])
    if table in ("associations",):
        extra.pop("from_date", None)
        extra.pop("to_date", None)
    seen = _date(g("createdAt") + g("modifiedAt")) if "createdAt" in proxy.schema.properties else ""
    pubs = [p.upper() for p in g("publisher") if p.upper() in known_agencies()]
    rid = _first(g("recordId"))
    row = {"source": pubs[0] if pubs else FTM_SOURCE, "source_record_id": rid or str(proxy.id),
           frm[0]: _first(frm[1]), to[0]: _first(to[1]), "recorded_at": seen, **extra}
    yield table, {k: v for k, v in row.items() if v not in ("", None)}


def ftm_rows(entities: Iterable[Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(table, row)`` for each FtM entity proxy (nodes and relationships)."""
    assets: dict[str, str] = {}
    held: list[Any] = []
    for proxy in entities:
        if proxy.schema.name in ("BankAccount", "Vehicle", "Vessel"):
            assets[str(proxy.id)] = proxy.schema.name
        if proxy.schema.edge or proxy.schema.name in ("CourtCaseParty", "Ownership", "Payment", "UnknownLink"):
            held.append(proxy)
            continue
        yield from _node_rows(proxy)
    for proxy in held:
        for table, row in _rel_rows(proxy):
            if table == "ownerships" and assets.get(row.get("vehicle_id", "")) == "BankAccount":
                row = {("holder_id" if k == "owner_id" else "account_id" if k == "vehicle_id" else k): v
                       for k, v in row.items()}
                table = "holdings"
            yield table, row


def read_ftm(path: Path) -> Iterator[Any]:
    """FtM entity proxies of a line-delimited JSON file (``followthemoney`` model)."""
    from followthemoney import model

    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield model.get_proxy(json.loads(line), cleaned=False)
            except (ValueError, KeyError, TypeError) as exc:
                raise InvalidInput(f"{path.name}, line {n}: not a FollowTheMoney entity: {exc}") from None


def _write_bundle(rows: Iterable[tuple[str, dict[str, Any]]], folder: Path) -> None:
    out: dict[str, Any] = {}
    try:
        for table, row in rows:
            if table not in out:
                out[table] = (folder / f"{table}.jsonl").open("w", encoding="utf-8")
            out[table].write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        for fh in out.values():
            fh.close()


def _load(driver: Driver, rows: Iterable[tuple[str, dict[str, Any]]], name: str, rejects_path: Path | str | None,
          **kw: Any) -> ld.IngestSummary:
    with tempfile.TemporaryDirectory(prefix="netintel-exchange-") as tmp:
        folder = Path(tmp) / name
        folder.mkdir()
        _write_bundle(rows, folder)
        rejects = Path(rejects_path) if rejects_path else Path("rejects") / f"{name}.rejects.csv"
        return ld.ingest_bundle(driver, folder, rejects_path=rejects, **kw)


def ingest_ftm(driver: Driver, path: Path | str, rejects_path: Path | str | None = None,
               **kw: Any) -> ld.IngestSummary:
    """Load a line-delimited FtM JSON file (rejects name the bundle table and row it became)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    summary = _load(driver, ftm_rows(read_ftm(path)), path.stem, rejects_path, **kw)
    summary.bundle = str(path)
    return summary


# ------------------------------------------------------------------ CTDC
_CTDC_GENDER = {"female": "F", "male": "M", "transgender/nonconforming": "X"}
_UN_REGIONS = ("Africa", "Americas/Oceania", "Asia", "Europe")


def _ctdc_place(country: str, region: str) -> tuple[str, dict[str, Any] | None]:
    """A Location id for a CTDC origin/destination (country first, else UN region)."""
    if country:
        try:
            iso3 = country_alpha3(country)
        except ValueError:
            iso3 = ""
        if iso3:
            return iso3, {"id": iso3, "source": "GAZ", "source_record_id": iso3, "kind": "country",
                          "name": iso3, "iso3": iso3}
    if region:
        rid = "UNR:" + region.replace("/", "-").replace(" ", "_")
        return rid, {"id": rid, "source": CTDC_SOURCE, "source_record_id": rid, "kind": "other",
                     "name": f"{region} (UN region)"}
    return "", None


def ctdc_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(table, row)`` of a CTDC case-data CSV: victim, case, involvement, route leg."""
    places: set[str] = set()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for n, r in enumerate(csv.DictReader(fh), start=1):
            rid = (r.get("identifier") or r.get("record_id") or r.get("caseId") or str(n)).strip()
            year = (r.get("yearOfRegistration") or r.get("yearRegister") or "").strip()
            first_year = year[:4] if year[:4].isdigit() else ""
            recorded = f"{first_year}-01-01" if first_year else ""
            kinds = [k for k, col in (("forced_labour", "isForcedLabour"), ("sexual", "isSexualExploit"),
                                      ("other", "isOtherExploit")) if (r.get(col) or "").strip() in ("1", "true")]
            sex = _CTDC_GENDER.get((r.get("gender") or "").strip().lower(), "")
            origin, o_loc = _ctdc_place((r.get("citizenship") or "").strip(), (r.get("UN_COO_Region") or "").strip())
            dest, d_loc = _ctdc_place((r.get("CountryOfExploitation") or "").strip(),
                                      (r.get("UN_COE_Region") or "").strip())
            for loc in (o_loc, d_loc):
                if loc is not None and loc["id"] not in places and loc["source"] == CTDC_SOURCE:
                    places.add(loc["id"])
                    yield "locations", loc
            pid, cid = f"CTDC:V{rid}", f"CTDC:C{rid}"
            age = (r.get("majorityStatus") or r.get("ageBroad") or "").strip()
            yield "persons", {k: v for k, v in {
                "id": pid, "source": CTDC_SOURCE, "source_record_id": f"V{rid}", "recorded_at": recorded,
                "full_name": f"CTDC victim {rid}", "sex": sex,
                "nationality": origin if o_loc is not None and o_loc["source"] == "GAZ" else "",
                "aliases": age}.items() if v}
            yield "cases", {k: v for k, v in {
                "id": cid, "source": CTDC_SOURCE, "source_record_id": f"C{rid}", "recorded_at": recorded,
                "case_number": f"CTDC-{rid}", "exploitation_type": kinds[0] if len(kinds) == 1 else (
                    "other" if kinds else ""), "opened_on": recorded}.items() if v}
            yield "involvements", {"source": CTDC_SOURCE, "source_record_id": f"I{rid}", "party_id": pid,
                                   "case_id": cid, "role": "victim"}
            if origin and dest:
                yield "journeys", {"source": CTDC_SOURCE, "source_record_id": f"J{rid}", "from_location": origin,
                                   "to_location": dest, "person_id": pid, "case_id": cid, "leg": "1",
                                   "stage": "exploitation"}


def ingest_ctdc(driver: Driver, path: Path | str, rejects_path: Path | str | None = None,
                **kw: Any) -> ld.IngestSummary:
    """Load CTDC case data (victims and routes).  Countries must be in the database already
    (the gazetteer's ``locations`` table); UN regions are created."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    summary = _load(driver, ctdc_rows(path), path.stem, rejects_path, **kw)
    summary.bundle = str(path)
    return summary
