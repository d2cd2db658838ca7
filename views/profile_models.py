"""Typed results of the investigator's workspace: entity profiles, case workspaces, timelines.

Every fact carries where it came from (``sources``: agency and record id);
labels come in English and Thai (:mod:`graph.labels`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Source",
    "Fact",
    "NameOut",
    "Link",
    "Related",
    "Group",
    "CaseRole",
    "Leg",
    "Journey",
    "Pivot",
    "Duplicate",
    "AgencySeen",
    "TimelineEvent",
    "Timeline",
    "EntityProfile",
    "Party",
    "PartyGroup",
    "Via",
    "LinkedCase",
    "CaseProfile",
]


class Source(BaseModel):
    """Who told us: the agency and its own record id."""

    agency: str | None = Field(description="agency code (see graph.model.AGENCIES)")
    agency_name: str | None = None
    record_id: str | None = Field(default=None, description="the record's id in the agency's system")


class Fact(BaseModel):
    field: str = Field(description="field of graph/model.py")
    label_en: str
    label_th: str = ""
    value: Any
    value_label: str | None = Field(default=None, description="readable name of a choice (sex, status ...)")
    sources: list[Source] = []


class NameOut(BaseModel):
    text: str
    script: str = Field(description="Unicode script of the name: Thai, Latin, Myanmar, Lao, Khmer, Han ...")
    field: str = Field(description="where it is recorded (full_name, full_name_latin, aliases ...)")


class Link(BaseModel):
    label: str
    href: str


class Related(BaseModel):
    """Another entity and the relationship that ties it to the one shown."""

    model_config = ConfigDict(extra="allow")
    id: str | None
    label: str
    name: Any = None
    name_latin: str | None = None
    type: str = Field(description="relationship type")
    type_en: str = ""
    type_th: str = ""
    outgoing: bool = Field(default=True, description="the relationship points from the entity shown to this one")
    role: str | None = None
    kind: str | None = None
    from_date: str | None = None
    to_date: str | None = None
    at: str | None = None
    details: dict[str, Any] = Field(default={}, description="the relationship's other properties")
    other: dict[str, Any] = Field(default={}, description="key facts of the other entity (case number, status, plate ...)")
    sources: list[Source] = []


class Group(BaseModel):
    key: str
    title_en: str
    title_th: str = ""
    total: int = Field(description="visible relationships in the group (items may be capped)")
    items: list[Related]


class CaseRole(BaseModel):
    case_id: str
    case_number: str | None = None
    role: str | None
    role_en: str = ""
    role_th: str = ""
    from_date: str | None = None
    to_date: str | None = None
    opened_on: str | None = None
    closed_on: str | None = None
    status: str | None = None
    agency: str | None = None
    exploitation_type: str | None = None
    sources: list[Source] = []


class Leg(BaseModel):
    leg: int | None
    case_id: str | None = None
    person_id: str | None = None
    from_id: str | None
    from_name: str | None = None
    from_name_th: str | None = None
    from_kind: str | None = None
    to_id: str | None
    to_name: str | None = None
    to_name_th: str | None = None
    to_kind: str | None = None
    at: str | None = None
    mode: str | None = None
    stage: str | None = None
    sources: list[Source] = []


class Journey(BaseModel):
    person_id: str | None
    person_name: Any = None
    case_id: str | None
    case_number: str | None = None
    legs: list[Leg]


class Pivot(BaseModel):
    """A phone, vehicle or account: search it, open it, or expand it in the network."""

    kind: str = Field(description="phone, vehicle or account")
    value: str
    id: str | None = Field(default=None, description="entity id (vehicles and accounts)")
    shared: int = Field(default=0, description="other visible persons recorded with the same phone")
    others: list[dict[str, Any]] = []
    search_url: str
    profile_url: str | None = None
    expand_url: str | None = None
    details: dict[str, Any] = {}
    sources: list[Source] = []


class Duplicate(BaseModel):
    """A ``SAME_AS`` candidate: the other record, its score and judgement; ``links`` are the
    actions other modules register (:func:`views.profile.register_duplicate_links`)."""

    id: str | None
    name: Any = None
    name_latin: str | None = None
    nationality: str | None = None
    birth_date: str | None = None
    score: float | None = None
    method: str | None = None
    judgement: str | None = None
    by: str | None = None
    at: str | None = None
    sources: list[Source] = []
    links: list[Link] = []


class AgencySeen(BaseModel):
    agency: str
    agency_name: str | None = None
    first: str | None = None
    last: str | None = None
    records: int


class TimelineEvent(BaseModel):
    at: str = Field(description="ISO date or date-time (UTC offset kept) of the event")
    end: str | None = Field(default=None, description="end of a period (involvement to_date, last contact ...)")
    kind: str = Field(description="journey_leg, transfer, case_opened, case_closed, involvement, contact, "
                                  "affiliation, holding, ownership, vehicle_use, first_seen, last_seen")
    title: str
    agency: str | None = None
    record_id: str | None = None
    case_id: str | None = None
    ids: list[str] = Field(default=[], description="ids of the entities the event concerns (for a network time filter)")


class Timeline(BaseModel):
    id: str
    label: str
    events: list[TimelineEvent]
    count: int
    start: str | None = None
    end: str | None = None
    kinds: dict[str, int] = {}
    since: str | None = None
    until: str | None = None


class EntityProfile(BaseModel):
    id: str
    label: str
    label_en: str
    label_th: str = ""
    name: Any = None
    names: list[NameOut] = []
    facts: list[Fact] = []
    sources: list[Source] = []
    cases: list[CaseRole] = []
    associates: list[Group] = []
    organisations: list[Related] = []
    pivots: list[Pivot] = []
    journeys: list[Journey] = []
    duplicates: list[Duplicate] = []
    other: list[Group] = Field(default=[], description="every other relationship, by type and direction")
    seen: list[AgencySeen] = Field(default=[], description="first and last record of each agency")


class Party(BaseModel):
    id: str | None
    label: str
    name: Any = None
    name_latin: str | None = None
    nationality: str | None = None
    birth_date: str | None = None
    sex: str | None = None
    from_date: str | None = None
    to_date: str | None = None
    sources: list[Source] = []


class PartyGroup(BaseModel):
    role: str
    role_en: str
    role_th: str = ""
    count: int
    parties: list[Party]


class Via(BaseModel):
    kind: str = Field(description="person, vehicle, account or phone")
    id: str | None
    name: Any = None


class LinkedCase(BaseModel):
    id: str | None
    case_number: str | None = None
    status: str | None = None
    opened_on: str | None = None
    agency: str | None = None
    via: list[Via]


class CaseProfile(BaseModel):
    id: str
    case_number: str | None = None
    name: Any = None
    facts: list[Fact] = []
    sources: list[Source] = []
    location: list[Related] = []
    parties: list[PartyGroup] = []
    counts: dict[str, int] = Field(default={}, description="exact counts (parties by role, victims, legs, ...)")
    journeys: list[Journey] = []
    vehicles: list[Related] = []
    accounts: list[Related] = []
    organisations: list[Related] = []
    linked_cases: list[LinkedCase] = []
    timeline: Timeline
