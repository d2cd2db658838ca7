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
    "JUSTICE_STAGES",
    "SERVICE_KINDS",
    "SCREENING_OUTCOMES",
    "VERDICTS",
    "ASSET_KINDS",
    "PROTECTED_LABELS",
    "CASE_ANCHORS",
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
    "DLT": "Department of Land Transport (vehicle registrations)",
    "LED": "Legal Execution Department (enforcement of judgments)",
    "DOL": "Department of Lands (land title deeds)",
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
#: the case's path through justice, in order
JUSTICE_STAGES = ("complaint", "investigation", "arrest", "charges", "prosecutor_decision", "indictment",
                  "verdict", "sentence", "appeal")
#: outcomes a justice stage may record (verdict: convicted/acquitted; prosecutor: prosecute/not_prosecute)
STAGE_OUTCOMES = ("prosecute", "not_prosecute", "convicted", "acquitted", "upheld", "overturned", "reduced")
VERDICTS = ("convicted", "acquitted")
SCREENING_OUTCOMES = ("identified", "not_identified", "referred")
SERVICE_KINDS = ("medical", "psychological", "legal_aid", "vocational", "repatriation", "reintegration")
ASSET_KINDS = ("vehicle", "bank_account", "land", "company")


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
    #: relationship type from this node to the ``Case`` it belongs to; such a node is hidden
    #: exactly when its case is (graph.scope's compartments)
    case_rel: str = ""
    #: victim-protection records: their own visibility rule, every read audited (docs/security.md)
    protected: bool = False
    #: ``(a, b)`` pairs: when both are given, ``b`` may not be earlier/smaller than ``a``
    ordered: tuple[tuple[str, str], ...] = ()


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
    # ---- prosecution and victim assistance (issue 14): events of a case, each anchored by it
    NodeSpec(
        "Screening",
        "screenings",
        _prov()
        + (
            Field("person_id", "id", required=True, store=False, doc="the Person screened (SCREENED)"),
            Field("case_id", "id", required=True, store=False, doc="the Case that led to the screening (FOR_CASE)"),
            Field("screened_on", "date", required=True),
            Field("agency", "agency", required=True, doc="agency leading the screening (MSDHS under the guidelines)"),
            Field("place", "str", doc="where: shelter, police station, port ..."),
            Field("province", "str", doc="province name or ISO code (TH-xx)"),
            Field("team", "str", doc="the multidisciplinary screening team"),
            Field("outcome", "enum", required=True, choices=SCREENING_OUTCOMES),
        ),
        doc="A victim-identification screening under the inter-agency guidelines (protected record).",
        indexed=("screened_on",),
        colour="#de2d26",
        shape="dot",
        case_rel="FOR_CASE",
        protected=True,
    ),
    NodeSpec(
        "ShelterStay",
        "shelter_stays",
        _prov()
        + (
            Field("person_id", "id", required=True, store=False, doc="the Person sheltered (ASSISTED)"),
            Field("case_id", "id", required=True, store=False, doc="the Case (FOR_CASE)"),
            Field("shelter", "str", required=True, doc="shelter name"),
            Field("shelter_type", "enum", required=True, choices=("state", "private")),
            Field("province", "str", doc="province name or ISO code (TH-xx)"),
            Field("from_date", "date", required=True),
            Field("to_date", "date", doc="empty while the stay goes on"),
            Field("outcome", "enum", choices=("completed", "left_early", "transferred", "ongoing")),
        ),
        doc="A stay in a state or private shelter (protected record).",
        colour="#fc9272",
        shape="dot",
        case_rel="FOR_CASE",
        protected=True,
        ordered=(("from_date", "to_date"),),
    ),
    NodeSpec(
        "Service",
        "services",
        _prov()
        + (
            Field("person_id", "id", required=True, store=False, doc="the Person assisted (ASSISTED)"),
            Field("case_id", "id", required=True, store=False, doc="the Case (FOR_CASE)"),
            Field("service", "enum", required=True, choices=SERVICE_KINDS),
            Field("provider", "str", doc="agency or organisation providing it"),
            Field("from_date", "date", required=True),
            Field("to_date", "date"),
            Field("outcome", "enum", choices=("completed", "ongoing", "declined", "failed")),
        ),
        doc="A protection or assistance service: medical, psychological, legal aid, vocational, repatriation, "
            "reintegration (protected record).",
        colour="#fcbba1",
        shape="dot",
        case_rel="FOR_CASE",
        protected=True,
        ordered=(("from_date", "to_date"),),
    ),
    NodeSpec(
        "JusticeStage",
        "justice_stages",
        _prov()
        + (
            Field("case_id", "id", required=True, store=False, doc="the Case (STAGE_OF)"),
            Field("person_id", "id", store=False, doc="the defendant, when the stage concerns one (CONCERNS)"),
            Field("stage", "enum", required=True, choices=JUSTICE_STAGES),
            Field("on_date", "date", required=True),
            Field("agency", "agency", required=True, doc="police, DSI, prosecutor (OAG), court (COJ) ..."),
            Field("outcome", "enum", choices=STAGE_OUTCOMES,
                  doc="prosecutor_decision: prosecute/not_prosecute; verdict: convicted/acquitted; "
                      "appeal: upheld/overturned/reduced"),
            Field("sentence_months", "int", doc="prison term of a sentence, in months"),
        ),
        doc="One step of a case's path through justice: complaint ... verdict, sentence, appeal.",
        indexed=("stage",),
        colour="#9e9ac8",
        shape="dot",
        case_rel="STAGE_OF",
    ),
    NodeSpec(
        "Compensation",
        "compensation",
        _prov()
        + (
            Field("case_id", "id", required=True, store=False, doc="the Case (FOR_CASE)"),
            Field("victim_id", "id", required=True, store=False, doc="the Person compensated (AWARDED_TO)"),
            Field("offender_id", "id", required=True, store=False, doc="the Person who must pay (OWED_BY)"),
            Field("claimed", "amount"),
            Field("claimed_on", "date"),
            Field("awarded", "amount", doc="awarded by the court"),
            Field("awarded_on", "date"),
            Field("paid", "amount", doc="paid so far"),
            Field("paid_on", "date", doc="date of the last payment"),
            Field("currency", "currency"),
        ),
        doc="Compensation claimed for a victim, awarded by the court and paid by the offender.",
        colour="#74c476",
        shape="dot",
        case_rel="FOR_CASE",
        ordered=(("claimed_on", "awarded_on"), ("awarded_on", "paid_on"), ("paid", "awarded")),
    ),
    NodeSpec(
        "Enforcement",
        "enforcement",
        _prov()
        + (
            Field("case_id", "id", required=True, store=False, doc="the Case (FOR_CASE)"),
            Field("offender_id", "id", required=True, store=False, doc="the convicted Person (AGAINST)"),
            Field("asset_kind", "enum", required=True, choices=ASSET_KINDS),
            Field("asset_id", "id", store=False, doc="the Vehicle, BankAccount or Organisation (TARGETS)"),
            Field("action", "enum", required=True, choices=("found", "frozen", "seized", "confiscated")),
            Field("on_date", "date", required=True),
            Field("agency", "agency", required=True, doc="DLT, AMLO, DOL, LED ..."),
            Field("description", "text", doc="e.g. the land title deed"),
            Field("amount_recovered", "amount"),
        ),
        doc="An asset of a convicted offender found, frozen or seized, and the amount recovered.",
        colour="#31a354",
        shape="dot",
        case_rel="FOR_CASE",
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
    # embedded relationships of the prosecution and assistance records
    RelSpec("SCREENED", "screenings", "id", ("Screening",), "person_id", ("Person",), embedded=True,
            doc="The person screened."),
    RelSpec("FOR_CASE", "screenings", "id", ("Screening",), "case_id", ("Case",), embedded=True,
            doc="The case a screening belongs to."),
    RelSpec("ASSISTED", "shelter_stays", "id", ("ShelterStay",), "person_id", ("Person",), embedded=True,
            doc="The person sheltered."),
    RelSpec("FOR_CASE", "shelter_stays", "id", ("ShelterStay",), "case_id", ("Case",), embedded=True,
            doc="The case a shelter stay belongs to."),
    RelSpec("ASSISTED", "services", "id", ("Service",), "person_id", ("Person",), embedded=True,
            doc="The person assisted."),
    RelSpec("FOR_CASE", "services", "id", ("Service",), "case_id", ("Case",), embedded=True,
            doc="The case a service belongs to."),
    RelSpec("STAGE_OF", "justice_stages", "id", ("JusticeStage",), "case_id", ("Case",), embedded=True,
            doc="The case a justice stage belongs to."),
    RelSpec("CONCERNS", "justice_stages", "id", ("JusticeStage",), "person_id", ("Person",), embedded=True,
            doc="The defendant of a justice stage."),
    RelSpec("FOR_CASE", "compensation", "id", ("Compensation",), "case_id", ("Case",), embedded=True,
            doc="The case of a compensation award."),
    RelSpec("AWARDED_TO", "compensation", "id", ("Compensation",), "victim_id", ("Person",), embedded=True,
            doc="The victim compensated."),
    RelSpec("OWED_BY", "compensation", "id", ("Compensation",), "offender_id", ("Person",), embedded=True,
            doc="The offender who must pay."),
    RelSpec("FOR_CASE", "enforcement", "id", ("Enforcement",), "case_id", ("Case",), embedded=True,
            doc="The case of an enforcement action."),
    RelSpec("AGAINST", "enforcement", "id", ("Enforcement",), "offender_id", ("Person",), embedded=True,
            doc="The offender whose asset it is."),
    RelSpec("TARGETS", "enforcement", "id", ("Enforcement",), "asset_id", ("Vehicle", "BankAccount", "Organisation"),
            embedded=True, doc="The asset found or seized."),
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

#: labels of victim-protection records (screening, shelter, services): their own visibility rule
PROTECTED_LABELS: tuple[str, ...] = tuple(n.label for n in NODES if n.protected)
#: label → relationship type to its Case, for records that belong to one case
CASE_ANCHORS: dict[str, str] = {n.label: n.case_rel for n in NODES if n.case_rel}

_BY_LABEL = {n.label: n for n in NODES}
_BY_TABLE = {n.table: n for n in NODES}


def node_spec(label_or_table: str) -> NodeSpec | None:
    """The NodeSpec for a label (``Person``) or table (``persons``)."""
    return _BY_LABEL.get(label_or_table) or _BY_TABLE.get(label_or_table)


@lru_cache(maxsize=64)
def rel_specs_for_table(table: str) -> tuple[RelSpec, ...]:
    return tuple(r for r in RELS if r.table == table and r.ingested)


@lru_cache(maxsize=128)
def date_properties(name: str) -> tuple[str, ...]:
    """The properties of a node label or relationship type that hold dates: its ``date``
    fields, and ``first_seen`` / ``last_seen`` (from ``recorded_at``).  The loader sends
    these as ISO strings and its Cypher turns them back into dates (see
    :func:`graph.cypher.create_nodes`)."""
    spec = _BY_LABEL.get(name)
    if spec is not None:
        fields: tuple[Field, ...] = spec.fields
    elif name in REL_TYPES:
        fields = tuple(f for r in RELS if name == r.type or name in r.type_choices for f in r.fields)
    else:
        raise KeyError(f"unknown label or relationship type {name!r}")
    own = [f.name for f in fields if f.kind == "date" and f.store and f.name != "recorded_at"]
    return tuple(dict.fromkeys([*own, "first_seen", "last_seen"]))


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
    for n in NODES:
        names = {f.name for f in n.fields}
        for a, b in n.ordered:
            assert a in names and b in names, (n.label, a, b)
        if n.case_rel:
            assert any(r.type == n.case_rel and r.table == n.table and r.to_labels == ("Case",) for r in RELS), n.label
    for r in RELS:
        for lab in r.from_labels + r.to_labels:
            assert lab in _BY_LABEL, (r.type, lab)


_check()

