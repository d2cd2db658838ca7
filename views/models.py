"""Typed results of the views (their fields are the columns the OpenAPI schema documents)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Table",
    "Hit",
    "HitList",
    "NodeOut",
    "EdgeOut",
    "GraphOut",
    "Stats",
    "BrokerRow",
    "CommunityRow",
    "KeyPlayerRow",
    "RouteRow",
    "CorridorRow",
    "HubRow",
    "TrendRow",
    "TraceRow",
    "TypologyRow",
    "CandidateRow",
    "FieldComparison",
    "JudgementEntry",
    "PairReview",
    "SourceRecord",
    "MergedPerson",
    "JudgementOut",
    "RunOut",
    "JobOut",
    "IndicatorRow",
    "AttritionRow",
    "TransitionRow",
    "StalledRow",
    "PipelineOut",
    "CoveragePersonRow",
    "CoverageOut",
    "UnpaidRow",
    "DashboardOut",
    "PathItem",
    "PathsOut",
    "InvestigationIn",
    "InvestigationShare",
    "InvestigationSummary",
    "InvestigationOut",
    "Holder",
    "AccountInfo",
    "TransferRow",
    "FlowAccount",
    "TraceOut",
    "AlertRow",
    "AlertEvent",
    "AlertDetail",
    "AlertRun",
    "RiskRow",
]

RowT = TypeVar("RowT", bound=BaseModel)


class Table(BaseModel, Generic[RowT]):
    """A result table: ``data`` rows, their ``count`` and what produced them (``meta``)."""

    data: list[RowT]
    count: int
    meta: dict[str, Any] = {}


class Hit(BaseModel):
    id: str | None
    label: str = Field(description="node label of the model")
    name: Any = None
    score: float = Field(description="relevance 0..1: 1 for exact matches (id, identity number, phone, plate, "
                                     "account, whole case number or place name); name matches relative to the "
                                     "best name match")
    match: str = Field(description="what matched: name, case_number, place, identity, id, phone, plate or account")
    name_latin: str | None = Field(default=None, description="romanised name")
    nationality: str | None = None
    birth_date: str | None = None
    sex: str | None = None
    agencies: list[str] = Field(default=[], description="agencies whose records make up the entity")
    records: list[str] = Field(default=[], description="their record ids (AGENCY:record)")
    cases: int | None = Field(default=None, description="visible cases the entity is involved in (or used in)")
    roles: list[str] = Field(default=[], description="roles held in those cases")
    detail: dict[str, Any] = Field(default={}, description="label-specific context: case status and opening date, "
                                                           "place kind, plate province, bank ...")


class HitList(BaseModel):
    data: list[Hit]
    count: int = Field(description="hits on this page")
    query: dict[str, str]
    total: int = Field(default=0, description="all hits matching the query and filters")
    page: int = 1
    page_size: int = 20
    pages: int = 0
    capped: bool = Field(default=False, description="a matcher had more matches than it reads: total is a lower "
                                                    "bound; narrow the query or the filters")
    facets: dict[str, dict[str, int]] = Field(default={}, description="counts of all hits (before the filters of the "
                                                                      "same facet) by label, agency and nationality")
    filters: dict[str, str] = {}


class NodeOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str | None
    label: str
    name: Any = None
    collapsed: bool | None = Field(None, description="a dense hub returned without its neighbours")
    degree: int | None = Field(None, description="visible relationships of a collapsed hub")


class EdgeOut(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    from_: str | None = Field(alias="from")
    to: str | None
    type: str


class GraphOut(BaseModel):
    nodes: list[NodeOut]
    edges: list[EdgeOut]
    truncated: bool
    length: int | None = None
    collapsed: list[str] = Field([], description="ids of hubs returned collapsed (expand them explicitly)")


class Stats(BaseModel):
    nodes: dict[str, int]
    relationships: dict[str, int]


class BrokerRow(BaseModel):
    node: str = Field(description="person id")
    name: str | None = None
    rank: int
    score: float = Field(description="broker score, 0..1 (betweenness, brokerage and low constraint)")
    role: str | None = Field(None, description="main Gould–Fernandez role")
    roles: list[str] = []
    groups_bridged: list[str] = []
    betweenness: float
    betweenness_rank: int
    constraint: float | None = None
    brokerage_total: int
    coordinator: int
    itinerant: int
    representative: int
    gatekeeper: int
    liaison: int
    reason: str = Field(description="why, in plain language")


class CommunityRow(BaseModel):
    node: str
    name: str | None = None
    community: int


class KeyPlayerRow(BaseModel):
    node: str
    name: str | None = None
    order: int = Field(description="1 = removing this person alone fragments most")
    degree: int
    fragmentation_cumulative: float = Field(description="F after removing persons 1..order")
    fragmentation_before: float
    fragmentation_after: float


class RouteRow(BaseModel):
    person_id: str
    case_id: str
    source: str | None = None
    transit: list[str] = []
    destination: str | None = None
    complete: bool
    missing: list[str] = []
    cross_border: bool | None = None
    year: int | None = None
    nationality: str | None = None
    sex: str | None = None
    age: int | None = None
    exploitation_type: str | None = None


class CorridorRow(BaseModel):
    source: str
    transit: list[str] = []
    destination: str
    source_name: str | None = Field(None, description="name of the source in the chosen language (UN naming)")
    transit_names: list[str] = []
    destination_name: str | None = None
    route: str | None = Field(None, description="the corridor in words: source → transit… → destination")
    victims: int | None = Field(description="victims (journeys); exact for investigators, perturbed by at most "
                                            "±2 (cell-key method) for viewers; None: below 5")
    cases: int | None = Field(description="distinct cases (same rule; None: below 5)")
    cross_border: bool | None = None
    share: float | None = Field(None, description="victims / the table's total (0..1)")
    previous: int | None = Field(None, description="victims in the previous period of the same length (years=)")
    change: int | None = Field(None, description="victims − previous")
    suppressed: bool = Field(False, description="a count of this row is below 5 and not published")


class HubRow(BaseModel):
    location: str
    name: str | None = None
    victims: int | None = Field(description="victims on the listed corridors through this place")
    routes: int | None
    cases: int | None
    corridors: int | None = Field(None, description="listed corridors through this place")
    suppressed: bool = False


class TrendRow(BaseModel):
    year: int = Field(description="year counted: of the journey's first leg (recruitment)")
    source: str | None = None
    transit: list[str] = []
    destination: str | None = None
    route: str = Field(description="corridor in words, or 'all corridors'")
    victims: int | None
    cases: int | None
    suppressed: bool = False


class TraceRow(BaseModel):
    path: int
    hop: int
    txn_id: str
    source: str
    target: str
    amount: float
    currency: str | None = None
    at: str = Field(description="ISO 8601, UTC")
    carried: float = Field(description="amount that can have come along the path up to this hop")


class TypologyRow(BaseModel):
    kind: str = Field(description="fan_in, fan_out, scatter_gather, gather_scatter, cycle, pass_through, structuring")
    accounts: list[str]
    transfers: list[str]
    amount: float
    start: str | None = None
    end: str | None = None
    reason: str
    scale: str | None = Field(None, description="fast (hours to a week) or slow (months)")


class CandidateRow(BaseModel):
    id_left: str
    id_right: str
    score: float | None = Field(None, description="match probability (0-1)")
    weight: float | None = Field(None, description="match weight: log2 of the odds the evidence gives; "
                                 "higher is stronger, sorts the candidates")
    method: str | None = None
    judgement: str | None = Field(None, description="pending, accepted, rejected or unsure")
    by: str | None = None
    at: str | None = None
    reason: str | None = Field(None, description="reason given with the judgement in force")
    reasons: str | None = Field(None, description="the fields that drove the score, with their weights")
    name_left: str | None = None
    name_right: str | None = None
    agency_left: str | None = None
    agency_right: str | None = None


class FieldComparison(BaseModel):
    field: str = Field(description="name, birth_date, id_number, phone, sex, nationality, address, agencies")
    label: str
    left: list[str]
    right: list[str]
    level: str | None = Field(None, description="comparison level reached (None: not compared)")
    weight: float | None = Field(None, description="this field's contribution to the match weight")
    agreement: str = Field(description="agree, partial, disagree, unknown or not_compared")


class JudgementEntry(BaseModel):
    id: str
    seq: int
    judgement: str = Field(description="accepted, rejected, unsure or undo")
    reason: str | None = None
    by: str
    at: str
    undoes: str | None = Field(None, description="the entry an undo cancelled")
    state: str = Field(description="the pair's judgement after this entry")


class PairReview(BaseModel):
    id_left: str
    id_right: str
    score: float | None = None
    weight: float | None = None
    method: str | None = None
    judgement: str
    reasons: str | None = None
    fields: list[FieldComparison]
    history: list[JudgementEntry]


class SourceRecord(BaseModel):
    id: str
    name: str | None = None
    names: list[str] = Field(description="every recorded name, native script and romanised")
    birth_date: str | None = None
    sex: str | None = None
    nationality: str | None = None
    id_numbers: list[str] = []
    phones: list[str] = []
    address: str | None = None
    agencies: list[str] = []
    source_record_ids: list[str] = []
    cases: list[dict[str, Any]] = []


class MergedPerson(BaseModel):
    id: str = Field(description="the person asked about")
    cluster: list[str] = Field(description="ids of the records accepted as this one person")
    names: list[str]
    birth_dates: list[str]
    id_numbers: list[str]
    phones: list[str]
    addresses: list[str]
    agencies: list[str]
    records: list[SourceRecord]
    links: list[CandidateRow] = Field(description="the accepted judgements that join the records")


class JudgementOut(BaseModel):
    id_left: str
    id_right: str
    judgement: str = Field(description="the pair's judgement after this entry")
    entry: str | None = Field(None, description="what was recorded: accepted, rejected, unsure or undo")
    entry_id: str | None = None
    undoes: str | None = None
    reason: str | None = None
    by: str
    at: str
    score: float | None = None
    weight: float | None = None


class RunOut(BaseModel):
    candidates: int
    stored: int


class JobOut(BaseModel):
    id: str
    kind: str
    status: str = Field(description="queued, running, done, failed or cancelled")
    progress: float
    params: dict[str, Any] = {}
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    error: str | None = None
    url: str
    result_url: str | None = None


# ------------------------------------------------ prosecution and victim assistance (views/justice.py)
class IndicatorRow(BaseModel):
    indicator: str = Field(description="investigations, prosecutions, convictions, ... (docs/justice.md)")
    dimension: str = Field("", description="breakdown: nationality, sex, age_group, exploitation_type ('' = total)")
    group: str = Field("", description="the breakdown's value (MMR, F, child, fishing ...)")
    year: int
    value: float | None = Field(description="count, months or THB (None: suppressed for your role, or no data)")
    n: int | None = Field(None, description="records the value rests on (None: suppressed)")
    previous: float | None = Field(None, description="value of the year before")
    change: float | None = Field(None, description="value minus the year before's")
    change_pct: float | None = Field(None, description="change in % of the year before's")
    suppressed: bool = False


class AttritionRow(BaseModel):
    group: str = Field(description="the breakdown's value ('all' without a breakdown)")
    stage: str = Field(description="justice stage, or `conviction` (cases with at least one conviction)")
    cases: int | None = Field(description="cases that reached the stage (None: suppressed)")
    share: float | None = Field(None, description="of the group's complaints, 0..1")
    suppressed: bool = False


class TransitionRow(BaseModel):
    group: str
    from_stage: str
    to_stage: str
    cases: int | None = Field(description="cases that reached both stages (None: suppressed)")
    median_days: float | None = None
    mean_days: float | None = None
    suppressed: bool = False


class StalledRow(BaseModel):
    case_id: str
    group: str = ""
    last_stage: str
    last_event_on: str
    days_since: int
    agency: str | None = None
    province: str | None = None
    exploitation_type: str | None = None


class PipelineOut(BaseModel):
    attrition: list[AttritionRow]
    transitions: list[TransitionRow]
    stalled: list[StalledRow] = Field(description="cases with no event for more than stalled_days (investigators)")
    stalled_count: int | None = Field(description="how many cases are stalled (None: suppressed)")
    meta: dict[str, Any] = {}


class CoveragePersonRow(BaseModel):
    person_id: str
    victim_cases: list[str] = []
    screened: bool
    identified: bool
    identified_cases: list[str] = []
    sheltered: bool
    services: list[str] = []
    first_identified: str | None = None
    first_assistance: str | None = None
    days_to_first_assistance: int | None = None
    foreign: bool
    repatriated: bool
    gaps: list[str] = Field([], description="what the person lacks: not screened, never sheltered, no services, "
                                            "not repatriated")


class CoverageOut(BaseModel):
    summary: dict[str, float | int | None] = Field(description="counts (None: suppressed for your role)")
    persons: list[CoveragePersonRow] = Field([], description="one row per victim (protection unit only)")
    meta: dict[str, Any] = {}


class UnpaidRow(BaseModel):
    offender_id: str
    name: str | None = None
    owed: float = Field(description="THB awarded and not paid, over the offender's convictions")
    cases: list[str]
    verdict_on: str = Field(description="earliest conviction behind the awards")
    days_since_verdict: int
    vehicles: list[str] = Field([], description="vehicles they own (OWNS)")
    accounts: list[str] = Field([], description="accounts they hold (HOLDS)")
    companies: list[str] = Field([], description="companies they direct (DIRECTS)")
    receiving_accounts: list[str] = Field([], description="accounts their accounts sent money to")
    recovered: float = Field(0.0, description="THB recovered by enforcement so far")
    enforcement: list[str] = Field([], description="assets found, frozen or seized")
    payable_assets: int = Field(0, description="vehicles + accounts + companies + receiving accounts")


class DashboardOut(BaseModel):
    province: dict[str, str | None]
    as_of: str
    cases: int | None
    cases_by_status: dict[str, int | None] = {}
    cases_by_exploitation_type: dict[str, int | None] = {}
    victims: int | None
    screenings: dict[str, int | None] = Field({}, description="by outcome")
    shelter_occupancy: int | None = Field(description="persons in shelter on as_of")
    occupancy_by_month: list[dict[str, Any]] = Field([], description="persons in shelter on the 1st of each month")
    attrition: list[AttritionRow] = []
    transitions: list[TransitionRow] = []
    stalled: list[StalledRow] = []
    stalled_count: int | None = None
    suppressed: bool = False
    refused: bool = False  # too few cases to publish anything (below investigator)
class PathItem(BaseModel):
    nodes: list[str | None] = Field(description="node ids from the start to the end")
    edges: list[str] = Field(description="ids of the relationships taken (see ``edges``)")
    length: int


class PathsOut(GraphOut):
    """The k shortest paths: ``nodes``/``edges`` are their union, ``paths`` each path in order."""

    paths: list[PathItem] = []
    k: int = 1
    max_length: int = 6
    exclude_labels: list[str] = []
    exclude_types: list[str] = []
    message: str | None = Field(None, description="why nothing was found, and what to try")
    longer: str | None = Field(None, description="the same search allowing longer paths (a relative URL)")


class InvestigationIn(BaseModel):
    """A workspace to save: what is on the canvas and how it was filtered."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    id: str | None = Field(None, max_length=40, description="save over this investigation (yours)")
    start: str | None = Field(None, max_length=200, description="the entity the network started from")
    nodes: list[dict[str, Any]] = Field([], max_length=2000, description="``{id, label}`` of each node shown")
    positions: dict[str, list[float]] = Field({}, description="node id → [x, y]")
    pinned: list[str] = Field([], max_length=2000)
    hidden: list[str] = Field([], max_length=2000)
    expanded: list[str] = Field([], max_length=2000)
    filters: dict[str, Any] = Field({}, description="the filter panel: labels, types, agency, since, until")
    notes: str = Field("", max_length=20000)
    share_users: list[str] = Field([], max_length=100)
    share_units: list[str] = Field([], max_length=100)


class InvestigationShare(BaseModel):
    model_config = ConfigDict(extra="forbid")
    users: list[str] = Field([], max_length=100)
    units: list[str] = Field([], max_length=100)


class InvestigationSummary(BaseModel):
    id: str
    name: str
    owner: str
    created_at: str
    updated_at: str
    shared_users: list[str] = []
    shared_units: list[str] = []
    nodes: int = Field(description="nodes saved (the opener may see fewer)")
    url: str


class InvestigationOut(InvestigationSummary):
    """An opened investigation: the saved state, re-read through the opener's scope."""

    start: str | None = None
    positions: dict[str, list[float]] = {}
    pinned: list[str] = []
    hidden: list[str] = []
    expanded: list[str] = []
    filters: dict[str, Any] = {}
    notes: str = ""
    graph: GraphOut


class Holder(BaseModel):
    id: str
    label: str = Field(description="Person or Organisation")
    name: Any = None


class AccountInfo(BaseModel):
    holder_name: str | None = None
    bank_code: str | None = None
    account_number: str | None = None
    currency: str | None = None
    holders: list[Holder] = []


class TransferRow(BaseModel):
    txn_id: str
    source: str
    target: str
    amount: float
    currency: str | None = None
    at: str = Field(description="ISO 8601, UTC")


class FlowAccount(BaseModel):
    account: str
    total_in: float = Field(description="sum of the trail's transfers into the account")
    total_out: float = Field(description="sum of the trail's transfers out of the account")
    info: AccountInfo = AccountInfo()


class TraceOut(BaseModel):
    """A money trail (or the paths between two accounts) as hops, transfers and accounts."""

    hops: list[TraceRow]
    transfers: list[TransferRow] = Field(description="each transfer of the trail once")
    accounts: list[FlowAccount]
    truncated: bool = False
    meta: dict[str, Any] = {}


class AlertRow(BaseModel):
    id: str = Field(description="stable: derived from kind, accounts and transfers")
    kind: str
    scale: str | None = None
    accounts: list[str]
    transfers: list[str]
    amount: float | None = None
    start: str | None = None
    end: str | None = None
    reason: str | None = None
    status: str = Field(description="new, assigned, escalated or dismissed")
    assignee: str | None = None
    first_seen: str
    last_seen: str
    updated_at: str
    updated_by: str | None = None


class AlertEvent(BaseModel):
    at: str
    by: str
    action: str
    status: str | None = None
    assignee: str | None = None
    note: str | None = None


class AlertDetail(AlertRow):
    events: list[AlertEvent] = []
    trail: TraceOut | None = Field(None, description="the alert's own transfers and accounts (its subgraph)")


class AlertRun(BaseModel):
    seen: int = Field(description="findings of this run")
    added: int = Field(description="new alerts among them (the others kept their judgement)")


class RiskRow(BaseModel):
    rank: int
    account: str
    score: float
    reasons: str
    holder: str | None = None
