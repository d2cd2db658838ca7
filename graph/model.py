"""The netintel data model, declared once.

Everything else derives from these declarations: the input format (which
table holds which columns), ingest validation, the Cypher label/type
whitelists, constraints and indexes, statistics and visual styles.

A *table* is one file of a bundle (``persons.csv``, ``transfers.jsonl`` ...).
Node tables produce nodes and, through reference columns, "embedded"
relationships (``locations.parent_id`` -> ``LOCATED_IN``).  Relationship
tables produce relationships only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "AGENCIES",
    "Field",
    "NodeSpec",
    "RelSpec",
    "NODES",
    "RELS",
    "NODE_LABELS",
    "REL_TYPES",
    "TABLES",
    "PROVENANCE_FIELDS",
    "node_spec",
    "rel_specs_for_table",
    "table_fields",
    "FULLTEXT_INDEX",
    "FULLTEXT_FIELDS",
]

#: Agency codes accepted in the ``source`` column.  Extend through the
#: ``NETINTEL_EXTRA_AGENCIES`` environment variable (comma separated).
AGENCIES: dict[str, str] = {
    "RTP": "Royal Thai Police",
    "ATPD": "Anti-Trafficking in Persons Division, Royal Thai Police",
    "DSI": "Department of Special Investigation",
    "OAG": "Office of the Attorney General (prosecutors)",
    "COJ": "Court of Justice",
    "AMLO": "Anti-Money Laundering Office",
    "DOPA": "Department of Provincial Administration",
    "MSDHS": "Ministry of Social Development and Human Security",
    "DOE": "Department of Employment",
    "IMM": "Immigration Bureau",
    "DLPW": "Department of Labour Protection and Welfare",
    "NGO": "Partner non-governmental organisation",
    "GAZ": "netintel gazetteer (reference locations)",
    "FTM": "FollowTheMoney import (Aleph, OpenSanctions) without an agency of its own",
    "CTDC": "Counter-Trafficking Data Collaborative (IOM) case data",
}

#: Every row of every table carries these two columns.
PROVENANCE_FIELDS = ("source", "source_record_id")

# Field kinds understood by ingest.validate:
#   str, text, int, float, amount, date, datetime, country, currency,
#   thai_id, phones, plate, enum, list, id
EXPLOITATION_TYPES = (
    "sexual",
    "forced_labour",
    "fishing",
    "domestic_servitude",
    "begging",
    "forced_marriage",
    "forced_criminality",
    "organ_removal",
    "other",
)
ROLES = (
    "suspect",
    "victim",
    "witness",
    "recruiter",
    "transporter",
    "broker",
    "harbourer",
    "financier",
    "employer",
    "official",
    "other",
)
STAGES = ("recruitment", "transit", "exploitation")


@dataclass(frozen=True)
class Field:
    """One column of a table."""

    name: str
    kind: str = "str"
    required: bool = False
    choices: tuple[str, ...] = ()
    doc: str = ""
    store: bool = True  # False: used for references/identity only, not a property


@dataclass(frozen=True)
class NodeSpec:
    label: str
    table: str
    fields: tuple[Field, ...]
    doc: str = ""
    #: fields whose text goes into the full-text name index
    name_fields: tuple[str, ...] = ()
    #: fields worth a plain (range) index for exact look-ups
    indexed: tuple[str, ...] = ()
    #: when True the ``id`` column is required; otherwise it defaults to
    #: ``"{source}:{source_record_id}"``
    id_required: bool = False
    colour: str = "#888888"
    shape: str = "dot"


@dataclass(frozen=True)
class RelSpec:
    type: str
    table: str
    from_field: str
    from_labels: tuple[str, ...]
    to_field: str
    to_labels: tuple[str, ...]
    fields: tuple[Field, ...] = ()
    doc: str = ""
    #: for tables whose ``type`` column chooses among several types
    type_choices: tuple[str, ...] = ()
    #: True when the table is a node table and this relationship comes from a reference column
    embedded: bool = False
    #: loaded by ingest (False for relationships created by analytics, e.g. SAME_AS)
    ingested: bool = True


def _prov(id_required: bool = False) -> tuple[Field, ...]:
    return (
        Field("id", "id", required=id_required, doc="stable key; default `{source}:{source_record_id}`"),
        Field("source", "agency", required=True, doc="agency code, see AGENCIES", store=False),
        Field("source_record_id", "str", required=True, doc="the record's id in the agency's system", store=False),
        Field("recorded_at", "date", doc="date the agency recorded the fact (sets first_seen/last_seen)", store=False),
    )


NODES: tuple[NodeSpec, ...] = (
    NodeSpec(
        "Case",
        "cases",
        _prov()
        + (
            Field("case_number", "str", required=True),
            Field("agency", "str", doc="agency holding the case (defaults to source)"),
            Field("offence", "text"),
            Field("exploitation_type", "enum", choices=EXPLOITATION_TYPES),
            Field("opened_on", "date"),
            Field("closed_on", "date"),
            Field("status", "enum", choices=("open", "investigation", "prosecution", "trial", "closed", "convicted", "acquitted")),
            Field("province", "str"),
            Field("restricted_to", "list", doc="users/units allowed to see a restricted case"),
            Field("location_id", "id", store=False, doc="Location where it occurred (OCCURRED_AT)"),
        ),
        doc="A case file of one agency.",
        indexed=("case_number",),
        colour="#e6550d",
        shape="square",
    ),
    NodeSpec(
        "Person",
        "persons",
        _prov()
        + (
            Field("full_name", "str", doc="name as recorded, any script"),
            Field("given_name", "str"),
            Field("family_name", "str"),
            Field("full_name_latin", "str", doc="romanised name"),
            Field("aliases", "list"),
            Field("birth_date", "date"),
            Field("sex", "enum", choices=("M", "F", "X")),
            Field("nationality", "country"),
            Field("national_id", "thai_id", doc="13-digit Thai national ID, checksum verified"),
            Field("passport_no", "str"),
            Field("phones", "phones"),
            Field("address", "text"),
            Field("lives_at", "id", store=False, doc="Location id (LIVES_AT)"),
        ),
        doc="A person: suspect, victim, witness, official ...",
        name_fields=("full_name", "given_name", "family_name", "full_name_latin", "aliases"),
        indexed=("national_id", "passport_no", "phones"),
        colour="#3182bd",
        shape="dot",
    ),
    NodeSpec(
        "Organisation",
        "organisations",
        _prov()
        + (
            Field("name", "str", required=True),
            Field("name_latin", "str"),
            Field("kind", "str", doc="employer, recruitment_agency, fishing_company, karaoke_bar ..."),
            Field("registration_no", "str"),
            Field("country", "country"),
        ),
        doc="A company, agency, vessel owner, bar ...",
        name_fields=("name", "name_latin"),
        indexed=("registration_no",),
        colour="#31a354",
        shape="diamond",
    ),
    NodeSpec(
        "Vehicle",
        "vehicles",
        _prov()
        + (
            Field("plate", "plate", required=True),
            Field("plate_province", "str"),
            Field("kind", "str"),
            Field("make", "str"),
            Field("colour", "str"),
        ),
        doc="A car, van, truck or boat.",
        indexed=("plate",),
        colour="#756bb1",
        shape="triangle",
    ),
    NodeSpec(
        "BankAccount",
        "accounts",
        _prov()
        + (
            Field("bank_code", "str", required=True),
            Field("account_number", "str", required=True),
            Field("holder_name", "str"),
            Field("currency", "currency"),
            Field("country", "country"),
        ),
        doc="A bank or e-wallet account.",
        indexed=("account_number",),
        colour="#fdae6b",
        shape="box",
    ),
    NodeSpec(
        "Location",
        "locations",
        _prov(id_required=True)
        + (
            Field("kind", "enum", required=True, choices=("country", "province", "district", "city", "border_crossing", "port", "address", "other")),
            Field("name", "str", required=True),
            Field("name_th", "str"),
            Field("iso2", "str"),
            Field("iso3", "country"),
            Field("lat", "float"),
            Field("lon", "float"),
            Field("parent_id", "id", store=False, doc="enclosing Location (LOCATED_IN)"),
        ),
        doc="A country, province, district, border crossing, port or address.",
        indexed=("iso3", "kind"),
        id_required=True,
        colour="#636363",
        shape="star",
    ),
)

_PARTY = ("Person", "Organisation")

RELS: tuple[RelSpec, ...] = (
    RelSpec(
        "INVOLVED_IN",
        "involvements",
        "party_id",
        _PARTY,
        "case_id",
        ("Case",),
        (
            Field("role", "enum", required=True, choices=ROLES),
            Field("from_date", "date"),
            Field("to_date", "date"),
        ),
        doc="A person or organisation's part in a case.",
    ),
    RelSpec(
        "ASSOCIATED_WITH",
        "associations",
        "person_id",
        ("Person",),
        "other_id",
        ("Person",),
        (
            Field("kind", "enum", required=True, choices=("family", "partner", "associate", "contact")),
            Field("call_count", "int"),
            Field("first_contact", "datetime"),
            Field("last_contact", "datetime"),
        ),
        doc="A tie between two people (family, partner, associate, call records).",
    ),
    RelSpec(
        "MEMBER_OF",
        "affiliations",
        "person_id",
        ("Person",),
        "org_id",
        ("Organisation",),
        (Field("role", "str"), Field("from_date", "date"), Field("to_date", "date")),
        doc="Person's tie to an organisation; the `type` column is MEMBER_OF, EMPLOYED_BY or DIRECTS.",
        type_choices=("MEMBER_OF", "EMPLOYED_BY", "DIRECTS"),
    ),
    RelSpec(
        "HOLDS",
        "holdings",
        "holder_id",
        _PARTY,
        "account_id",
        ("BankAccount",),
        (Field("from_date", "date"), Field("to_date", "date")),
        doc="Holder of a bank account.",
    ),
    RelSpec(
        "TRANSFERRED",
        "transfers",
        "from_account",
        ("BankAccount",),
        "to_account",
        ("BankAccount",),
        (
            Field("txn_id", "str", required=True),
            Field("amount", "amount", required=True),
            Field("currency", "currency", required=True),
            Field("at", "datetime", required=True),
            Field("channel", "str"),
        ),
        doc="A money transfer between two accounts.",
    ),
    RelSpec(
        "OWNS",
        "ownerships",
        "owner_id",
        _PARTY,
        "vehicle_id",
        ("Vehicle",),
        (Field("from_date", "date"), Field("to_date", "date")),
        doc="Owner of a vehicle.",
    ),
    RelSpec(
        "USED",
        "vehicle_uses",
        "vehicle_id",
        ("Vehicle",),
        "case_id",
        ("Case",),
        (Field("at", "date"),),
        doc="A vehicle used in a case.",
    ),
    RelSpec(
        "MOVED",
        "journeys",
        "from_location",
        ("Location",),
        "to_location",
        ("Location",),
        (
            Field("person_id", "ref", required=True, doc="the Person who travelled (must exist)"),
            Field("case_id", "ref", doc="the Case the journey belongs to (must exist)"),
            Field("leg", "int", required=True, doc="1, 2, 3 ... in travel order"),
            Field("stage", "enum", required=True, choices=STAGES, doc="stage at the leg's destination"),
            Field("at", "date"),
            Field("mode", "enum", choices=("road", "boat", "air", "foot", "rail", "other")),
        ),
        doc="One leg of a victim's journey.",
    ),
    RelSpec("LOCATED_IN", "locations", "id", ("Location",), "parent_id", ("Location",), embedded=True,
            doc="Location hierarchy (from locations.parent_id)."),
    RelSpec("OCCURRED_AT", "cases", "id", ("Case",), "location_id", ("Location",), embedded=True,
            doc="Where a case happened (from cases.location_id)."),
    RelSpec("LIVES_AT", "persons", "id", ("Person",), "lives_at", ("Location",), embedded=True,
            doc="Where a person lives (from persons.lives_at)."),
    RelSpec(
        "SAME_AS",
        "",
        "id_left",
        ("Person",),
        "id_right",
        ("Person",),
        (
            Field("score", "float"),
            Field("method", "str"),
            Field("judgement", "enum", choices=("pending", "accepted", "rejected")),
            Field("by", "str"),
            Field("at", "datetime"),
        ),
        doc="Candidate duplicate found by entity resolution; judged by a person.",
        ingested=False,
    ),
)

NODE_LABELS: tuple[str, ...] = tuple(n.label for n in NODES)
REL_TYPES: tuple[str, ...] = tuple(
    sorted({r.type for r in RELS} | {t for r in RELS for t in r.type_choices})
)
TABLES: tuple[str, ...] = tuple(
    [n.table for n in NODES] + [r.table for r in RELS if not r.embedded and r.ingested]
)

FULLTEXT_INDEX = "entity_names"
FULLTEXT_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(f for n in NODES for f in n.name_fields)
)

_BY_LABEL = {n.label: n for n in NODES}
_BY_TABLE = {n.table: n for n in NODES}


def node_spec(label_or_table: str) -> NodeSpec | None:
    """The NodeSpec for a label (``Person``) or table (``persons``)."""
    return _BY_LABEL.get(label_or_table) or _BY_TABLE.get(label_or_table)


@lru_cache(maxsize=64)
def rel_specs_for_table(table: str) -> tuple[RelSpec, ...]:
    return tuple(r for r in RELS if r.table == table and r.ingested)


def table_fields(table: str) -> tuple[Field, ...]:
    """All columns of a table, provenance included."""
    spec = _BY_TABLE.get(table)
    if spec is not None:
        return spec.fields
    rels = [r for r in RELS if r.table == table and not r.embedded]
    if not rels:
        raise KeyError(f"unknown table {table!r}; known: {', '.join(TABLES)}")
    r = rels[0]
    cols: list[Field] = [
        Field("source", "agency", required=True, store=False),
        Field("source_record_id", "str", required=True, store=False),
        Field("recorded_at", "date", store=False),
        Field(r.from_field, "ref", required=True, store=False),
        Field(r.to_field, "ref", required=True, store=False),
    ]
    if r.type_choices:
        cols.append(Field("type", "enum", required=True, choices=r.type_choices, store=False))
    return tuple(cols) + r.fields


def _check() -> None:
    for r in RELS:
        for lab in r.from_labels + r.to_labels:
            assert lab in _BY_LABEL, (r.type, lab)


_check()

