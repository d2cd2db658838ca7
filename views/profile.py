"""The investigator's workspace: an entity's profile, a case's workspace, timelines.

One view function per capability, called alike by the API routes
(``/api/entities/{id}/profile``, ``/api/cases/{id}/profile``, ``…/timeline``)
and the pages (``/ui/entity/{id}``, ``/ui/case/{id}``).  Each takes the
:class:`graph.scope.Scope` first: what the scope may not see is absent (a
hidden id is a 404, lists omit hidden cases and associates), every call is
audited as a read of personal data (one entry), and counts are exact — these
views are for investigators and above; suppression is for viewer aggregates.

Extension point
---------------
:func:`register_duplicate_links` lets another module (entity-resolution
review) add actions beside each possible duplicate (``SAME_AS`` candidate)
of a profile, e.g. "compare" or "accept/merge" links.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, urlencode

from core.errors import InvalidInput, NotFound
from graph import profile as gp
from graph.labels import choice_name, field_label, fields_in_order, label_name, rel_name
from graph.model import AGENCIES, ROLES, node_spec
from graph.scope import Scope

from .explore import check_label
from .profile_models import (
    AgencySeen,
    CaseProfile,
    CaseRole,
    Duplicate,
    EntityProfile,
    Fact,
    Group,
    Journey,
    Leg,
    Link,
    LinkedCase,
    NameOut,
    Party,
    PartyGroup,
    Pivot,
    Related,
    Source,
    Timeline,
    TimelineEvent,
    Via,
)

__all__ = ["entity_profile", "case_profile", "entity_timeline", "entity_timeline_from", "case_timeline", "register_duplicate_links",
           "script_of", "sources_of"]

DuplicateLinks = Callable[[Scope, str, dict[str, Any]], Iterable[Link]]
_DUPLICATE_LINKS: list[DuplicateLinks] = []
_ORG_TIES = ("MEMBER_OF", "EMPLOYED_BY", "DIRECTS")
_ASSOC_KINDS = ("family", "partner", "associate", "contact")


def register_duplicate_links(fn: DuplicateLinks) -> DuplicateLinks:
    """Register ``fn(scope, entity_id, candidate) -> [Link]``: extra actions shown beside each
    possible duplicate of a profile (``candidate`` has ``id``, ``score``, ``judgement`` ...).
    Usable as a decorator; registering the same function twice has no effect."""
    if fn not in _DUPLICATE_LINKS:
        _DUPLICATE_LINKS.append(fn)
    return fn


# ------------------------------------------------------------------ helpers
def script_of(text: str) -> str:
    """The main Unicode script of a name (by its letters).

    >>> script_of("สมชาย"), script_of("Somchai"), script_of("အောင်ကျော်"), script_of("王小明")
    ('Thai', 'Latin', 'Myanmar', 'Han')
    """
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha() and unicodedata.category(ch) not in ("Mn", "Mc", "Lo"):
            continue
        try:
            name = unicodedata.name(ch)
        except ValueError:
            continue
        word = name.split(" ")[0]
        script = {"CJK": "Han", "MYANMAR": "Myanmar", "THAI": "Thai", "LAO": "Lao", "KHMER": "Khmer",
                  "LATIN": "Latin", "HANGUL": "Hangul", "HIRAGANA": "Japanese", "KATAKANA": "Japanese",
                  "ARABIC": "Arabic", "DEVANAGARI": "Devanagari", "BENGALI": "Bengali",
                  "CYRILLIC": "Cyrillic"}.get(word, word.title())
        counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else "Common"


def _source(agency: str | None, record: str | None) -> Source:
    return Source(agency=agency, agency_name=AGENCIES.get(agency or ""), record_id=record)


def sources_of(props: dict[str, Any]) -> list[Source]:
    """Provenance of a node (``source_record_ids`` = ``AGENCY:record``) or a relationship
    (``source``, ``source_record_id``).

    >>> [s.record_id for s in sources_of({"source_record_ids": ["DSI:D-1", "RTP:x:9"]})]
    ['D-1', 'x:9']
    >>> sources_of({"source": "AMLO", "source_record_id": "t-1"})[0].agency_name
    'Anti-Money Laundering Office'
    """
    if props.get("source_record_ids"):
        out = []
        for ref in props["source_record_ids"]:
            agency, _, record = str(ref).partition(":")
            out.append(_source(agency, record or None))
        return out
    if props.get("source"):
        return [_source(str(props["source"]), props.get("source_record_id"))]
    return [_source(str(a), None) for a in props.get("sources") or []]


def _s(v: Any) -> str | None:
    return None if v is None or v == "" else str(v)


_REL_KEEP = {"source", "source_record_id", "first_seen", "last_seen", "role", "kind", "from_date", "to_date", "at"}


def _related(item: dict[str, Any], rtype: str, outgoing: bool) -> Related:
    rel, other = item["rel"], item["other"]
    en, th = rel_name(rtype)
    details = {k: v for k, v in rel.items() if k not in _REL_KEEP}
    extra = {k: other[k] for k in ("case_number", "nationality", "birth_date", "sex", "status", "plate", "bank_code",
                                   "account_number", "holder_name", "kind", "name_th", "opened_on", "closed_on",
                                   "exploitation_type", "currency", "plate_province")
             if other.get(k) is not None}
    return Related(id=_s(other.get("id")), label=other["label"], name=other.get("name"),
                   name_latin=other.get("full_name_latin") or other.get("name_latin"), type=rtype, type_en=en,
                   type_th=th, outgoing=outgoing, role=_s(rel.get("role")), kind=_s(rel.get("kind")),
                   from_date=_s(rel.get("from_date")), to_date=_s(rel.get("to_date")), at=_s(rel.get("at")),
                   details=details, sources=sources_of(rel), other=extra)


def _facts(node: dict[str, Any]) -> list[Fact]:
    srcs = sources_of(node)
    out = []
    for f in fields_in_order(node["label"]):
        v = node.get(f.name)
        if v is None or v == "" or v == []:
            continue
        en, th = field_label(f.name)
        shown = None
        if f.choices and isinstance(v, str):  # an enum: its readable name too
            cen, cth = choice_name(v)
            shown = cen + (f" · {cth}" if cth else "")
        out.append(Fact(field=f.name, label_en=en, label_th=th, value=v, value_label=shown, sources=srcs))
    for k in ("first_seen", "last_seen"):
        if node.get(k):
            en, th = field_label(k)
            out.append(Fact(field=k, label_en=en, label_th=th, value=node[k], sources=srcs))
    return out


def _names(node: dict[str, Any]) -> list[NameOut]:
    spec = node_spec(node["label"])
    fields = list(spec.name_fields) if spec and spec.name_fields else []
    fields += [f for f in ("name", "name_th", "case_number", "plate", "account_number", "holder_name")
               if f not in fields]
    out: list[NameOut] = []
    seen: set[str] = set()
    for f in fields:
        v = node.get(f)
        for text in (v if isinstance(v, list) else [v]):
            if not text or not isinstance(text, str) or text in seen:
                continue
            seen.add(text)
            out.append(NameOut(text=text, script=script_of(text), field=f))
    return out


def _node(scope: Scope, entity_id: str, node_label: str | None) -> dict[str, Any]:
    node = gp.node_by_id(scope, entity_id, check_label(node_label))
    if node is None:
        raise NotFound(f"no entity with id {entity_id!r}" + (f" and label {node_label}" if node_label else ""))
    return node


def _legs_to_journeys(legs: list[dict[str, Any]], names: dict[str, Any],
                      case_numbers: dict[str, str | None]) -> list[Journey]:
    by: dict[tuple[str | None, str | None], list[Leg]] = {}
    for r in legs:
        leg = Leg(leg=r.get("leg"), case_id=_s(r.get("case_id")), person_id=_s(r.get("person_id")),
                  from_id=_s(r.get("from_id")), from_name=r.get("from_name"), from_name_th=r.get("from_name_th"),
                  from_kind=r.get("from_kind"), to_id=_s(r.get("to_id")), to_name=r.get("to_name"),
                  to_name_th=r.get("to_name_th"), to_kind=r.get("to_kind"), at=_s(r.get("at")),
                  mode=r.get("mode"), stage=r.get("stage"), sources=sources_of(r))
        by.setdefault((leg.person_id, leg.case_id), []).append(leg)
    return [Journey(person_id=p, person_name=names.get(p or ""), case_id=c, case_number=case_numbers.get(c or ""),
                    legs=sorted(ls, key=lambda x: (x.leg or 0, x.at or "")))
            for (p, c), ls in by.items()]


def _groups(scope: Scope, eid: str) -> dict[tuple[str, bool], dict[str, Any]]:
    return {(g["type"], g["outgoing"]): g for g in gp.relation_groups(scope, eid)}


def _take(groups: dict[tuple[str, bool], dict[str, Any]], rtype: str, outgoing: bool | None = None) -> list[Related]:
    out: list[Related] = []
    for direction in ((True, False) if outgoing is None else (outgoing,)):
        g = groups.pop((rtype, direction), None)
        if g:
            out += [_related(it, rtype, direction) for it in g["items"]]
    return out


def _seen(scope: Scope, node: dict[str, Any]) -> list[AgencySeen]:
    rows = {r["agency"]: r for r in gp.agency_seen(scope, node["_eid"])}
    own = [s.agency for s in sources_of(node) if s.agency]
    for a in dict.fromkeys(own):  # the node's own records (their dates are the node's when it has one agency)
        first, last = (node.get("first_seen"), node.get("last_seen")) if len(set(own)) == 1 else (None, None)
        cur = rows.get(a)
        if cur is None:
            rows[a] = {"agency": a, "first": first, "last": last, "records": own.count(a)}
        else:
            cur["records"] += own.count(a)
            cur["first"] = min(x for x in (cur["first"], first) if x) if (cur["first"] or first) else None
            cur["last"] = max(x for x in (cur["last"], last) if x) if (cur["last"] or last) else None
    return [AgencySeen(agency=r["agency"], agency_name=AGENCIES.get(r["agency"]), first=_s(r["first"]),
                       last=_s(r["last"]), records=int(r["records"]))
            for r in sorted(rows.values(), key=lambda r: (str(r["first"] or "9999"), r["agency"]))]


def _search_url(value: str) -> str:
    return "/ui/search?" + urlencode({"q": value})


def _expand_url(entity_id: str, node_label: str) -> str:
    return f"/api/entities/{quote(entity_id, safe='')}/neighbourhood?" + urlencode(
        {"label": node_label, "depth": 1, "format": "html"})


# ------------------------------------------------------------------ profile
def _build_profile(scope: Scope, entity_id: str, node_label: str | None) -> tuple[EntityProfile, dict[str, Any]]:
    node = _node(scope, entity_id, node_label)
    lab = node["label"]
    groups = _groups(scope, node["_eid"])
    case_rels = [r for r in _take(groups, "INVOLVED_IN", True)]
    cases = [CaseRole(case_id=str(r.id), case_number=_s(r.other.get("case_number")),
                      role=r.role, role_en=choice_name(r.role or "")[0], role_th=choice_name(r.role or "")[1],
                      from_date=r.from_date, to_date=r.to_date,
                      opened_on=_s(r.other.get("opened_on")),
                      closed_on=_s(r.other.get("closed_on")),
                      status=_s(r.other.get("status")),
                      agency=r.sources[0].agency if r.sources else None,
                      exploitation_type=_s(r.other.get("exploitation_type")), sources=r.sources)
             for r in case_rels]
    cases.sort(key=lambda c: (c.opened_on or c.from_date or "9999", c.case_id))
    assoc = _take(groups, "ASSOCIATED_WITH")
    associates = []
    for kind in list(_ASSOC_KINDS) + sorted({a.kind or "" for a in assoc} - set(_ASSOC_KINDS)):
        items = [a for a in assoc if (a.kind or "") == kind]
        if items:
            en, th = choice_name(kind) if kind else ("Other", "")
            associates.append(Group(key=kind or "other", title_en=en, title_th=th, total=len(items), items=items))
    orgs: list[Related] = []
    for t in _ORG_TIES:
        orgs += _take(groups, t, True if lab == "Person" else None)
    pivots: list[Pivot] = []
    for ph in gp.shared_phones(scope, node["_eid"]):
        pivots.append(Pivot(kind="phone", value=ph["phone"], shared=ph["shared"], others=ph["others"],
                            search_url=_search_url(ph["phone"]), sources=sources_of(node)))
    for rtype, kind, field in (("OWNS", "vehicle", "plate"), ("HOLDS", "account", "account_number")):
        for r in _take(groups, rtype, True):
            value = str(r.other.get(field) or r.name or r.id)
            pivots.append(Pivot(kind=kind, value=value, id=r.id, search_url=_search_url(value),
                                profile_url=f"/ui/entity/{quote(str(r.id), safe='')}",
                                expand_url=_expand_url(str(r.id), r.label),
                                details={k: v for k, v in r.other.items() if k != field},
                                sources=r.sources))
    dups = []
    for r in _take(groups, "SAME_AS"):
        cand = {"id": r.id, "score": r.details.get("score"), "judgement": r.details.get("judgement"),
                "method": r.details.get("method")}
        links = [lnk for fn in _DUPLICATE_LINKS for lnk in fn(scope, entity_id, cand)]
        dups.append(Duplicate(id=r.id, name=r.name, name_latin=r.name_latin,
                              nationality=r.other.get("nationality"),
                              birth_date=_s(r.other.get("birth_date")),
                              score=r.details.get("score"), method=r.details.get("method"),
                              judgement=r.details.get("judgement"), by=_s(r.details.get("by")),
                              at=_s(r.details.get("at")), sources=r.sources, links=links))
    dups.sort(key=lambda d: (d.judgement != "pending", -(d.score or 0)))
    journeys: list[Journey] = []
    if lab == "Person":
        numbers = {c.case_id: c.case_number for c in cases}
        journeys = _legs_to_journeys(gp.journeys_of_person(scope, str(node["id"])), {str(node["id"]): node["name"]},
                                     numbers)
    other = []
    for (rtype, outgoing), g in sorted(groups.items()):
        en, th = rel_name(rtype)
        arrow = "" if outgoing else " (incoming)"
        other.append(Group(key=f"{rtype}:{'out' if outgoing else 'in'}", title_en=en + arrow, title_th=th,
                           total=g["total"], items=[_related(it, rtype, outgoing) for it in g["items"]]))
    en, th = label_name(lab)
    prof = EntityProfile(id=str(node["id"]), label=lab, label_en=en, label_th=th, name=node.get("name"),
                         names=_names(node), facts=_facts(node), sources=sources_of(node), cases=cases,
                         associates=associates, organisations=orgs, pivots=pivots, journeys=journeys,
                         duplicates=dups, other=other, seen=_seen(scope, node))
    return prof, node


def entity_profile(scope: Scope, entity_id: str, label: str | None = None) -> EntityProfile:
    """Everything the scope may see about one entity, grouped by kind, each fact with its source:
    names in every script, identity, cases with roles, associates by kind, organisations,
    phones/vehicles/accounts as pivots, journeys, possible duplicates; 404 when missing or hidden."""
    scope.require("investigator")
    prof, _ = _build_profile(scope, entity_id, label)
    scope.audit("read_personal", entity_id, view="profile", label=prof.label, cases=len(prof.cases))
    return prof


# ------------------------------------------------------------------ timeline
def _ev(out: list[TimelineEvent], at: Any, kind: str, title: str, *, end: Any = None, src: list[Source] | None = None,
        case_id: str | None = None, ids: Iterable[Any] = ()) -> None:
    if at is None or at == "":
        return
    s = (src or [None])[0]  # type: ignore[list-item]
    out.append(TimelineEvent(at=str(at), end=_s(end), kind=kind, title=title, agency=s.agency if s else None,
                             record_id=s.record_id if s else None, case_id=case_id,
                             ids=[str(i) for i in ids if i is not None]))


def _leg_title(leg: Leg) -> str:
    parts = [f"leg {leg.leg}: {leg.from_name or leg.from_id} → {leg.to_name or leg.to_id}"]
    extra = ", ".join(x for x in (leg.mode, leg.stage) if x)
    return parts[0] + (f" ({extra})" if extra else "")


def _transfer_events(out: list[TimelineEvent], transfers: list[dict[str, Any]]) -> None:
    from viz.format import money

    for t in transfers:
        _ev(out, t.get("at"), "transfer",
            f"transfer {money(t.get('amount'), t.get('currency'))}: {t.get('from_name')} → {t.get('to_name')}",
            src=sources_of(t), ids=[t.get("from_id"), t.get("to_id")])


def _finish(entity_id: str, lab: str, events: list[TimelineEvent], since: str | None, until: str | None) -> Timeline:
    if since:
        events = [e for e in events if (e.end or e.at)[:10] >= since]
    if until:
        events = [e for e in events if e.at[:10] <= until]
    events.sort(key=lambda e: (e.at, e.kind, e.title))
    kinds: dict[str, int] = {}
    for e in events:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    ends = [e.end or e.at for e in events]
    return Timeline(id=entity_id, label=lab, events=events, count=len(events),
                    start=events[0].at if events else None, end=max(ends) if ends else None, kinds=kinds,
                    since=since, until=until)


def _check_range(since: dt.date | str | None, until: dt.date | str | None) -> tuple[str | None, str | None]:
    a = since.isoformat() if isinstance(since, dt.date) else (since or None)
    b = until.isoformat() if isinstance(until, dt.date) else (until or None)
    for v in (a, b):
        if v is not None:
            try:
                dt.date.fromisoformat(v[:10])
            except ValueError as exc:
                raise InvalidInput(f"not an ISO date: {v!r}") from exc
    if a and b and a > b:
        raise InvalidInput("since is after until")
    return a, b


def _entity_events(scope: Scope, prof: EntityProfile) -> list[TimelineEvent]:
    ev: list[TimelineEvent] = []
    me = prof.id
    for c in prof.cases:
        label = c.case_number or c.case_id
        _ev(ev, c.from_date, "involvement", f"{c.role_en or c.role} in {label}", end=c.to_date, src=c.sources,
            case_id=c.case_id, ids=[me, c.case_id])
        _ev(ev, c.opened_on, "case_opened", f"case {label} opened", case_id=c.case_id, ids=[c.case_id])
        _ev(ev, c.closed_on, "case_closed", f"case {label} closed", case_id=c.case_id, ids=[c.case_id])
    for j in prof.journeys:
        for leg in j.legs:
            _ev(ev, leg.at, "journey_leg", _leg_title(leg), src=leg.sources, case_id=leg.case_id,
                ids=[me, leg.from_id, leg.to_id])
    for g in prof.associates:
        for a in g.items:
            fc, lc = a.details.get("first_contact"), a.details.get("last_contact")
            _ev(ev, fc, "contact", f"{a.kind or 'tie'}: {a.name}" + (f" ({a.details['call_count']} calls)"
                                                                      if a.details.get("call_count") else ""),
                end=lc, src=a.sources, ids=[me, a.id])
    for o in prof.organisations:
        _ev(ev, o.from_date, "affiliation", f"{o.type_en}: {o.name}" + (f" ({o.role})" if o.role else ""),
            end=o.to_date, src=o.sources, ids=[me, o.id])
    accounts: list[str] = []
    for p in prof.pivots:
        if p.kind == "account" and p.id:
            accounts.append(p.id)
    if prof.label == "BankAccount":
        accounts.append(prof.id)
    for g in prof.other:
        for r in g.items:
            if r.type in ("TRANSFERRED",):
                continue
            kind = {"USED": "vehicle_use", "HOLDS": "holding", "OWNS": "ownership"}.get(r.type, r.type.lower())
            _ev(ev, r.at or r.from_date, kind, f"{r.type_en}: {r.name}", end=r.to_date, src=r.sources,
                ids=[me, r.id])
    _transfer_events(ev, gp.transfers_of_accounts(scope, accounts))
    for s in prof.seen:
        _ev(ev, s.first, "first_seen", f"first recorded by {s.agency}", src=[_source(s.agency, None)], ids=[me])
        _ev(ev, s.last, "last_seen", f"last recorded by {s.agency}", src=[_source(s.agency, None)], ids=[me])
    return ev


def entity_timeline(scope: Scope, entity_id: str, *, label: str | None = None, since: dt.date | str | None = None,
                    until: dt.date | str | None = None) -> Timeline:
    """The entity's dated facts on one axis: journey legs, transfers of its accounts, its cases
    opened and closed, involvement and affiliation periods, contacts, and the first and last
    record of each agency; ``since``/``until`` keep the events overlapping that range."""
    scope.require("investigator")
    a, b = _check_range(since, until)
    prof, _ = _build_profile(scope, entity_id, label)
    tl = entity_timeline_from(scope, prof, since=a, until=b)
    scope.audit("read_personal", entity_id, view="timeline", events=tl.count)
    return tl


def entity_timeline_from(scope: Scope, prof: EntityProfile, *, since: str | None = None,
                         until: str | None = None) -> Timeline:
    """The timeline of a profile already read (and audited) in this request, e.g. for the profile page."""
    scope.require("investigator")
    return _finish(prof.id, prof.label, _entity_events(scope, prof), since, until)


# ------------------------------------------------------------------ case
def _party(r: Related) -> Party:
    o = r.other
    return Party(id=r.id, label=r.label, name=r.name, name_latin=r.name_latin, nationality=_s(o.get("nationality")),
                 birth_date=_s(o.get("birth_date")), sex=_s(o.get("sex")), from_date=r.from_date, to_date=r.to_date,
                 sources=r.sources)


def _build_case(scope: Scope, case_id: str, since: str | None = None, until: str | None = None) -> CaseProfile:
    node = _node(scope, case_id, "Case")
    eid = node["_eid"]
    groups = _groups(scope, eid)
    parties = _take(groups, "INVOLVED_IN", False)
    by_role: dict[str, list[Related]] = {}
    for p in parties:
        by_role.setdefault(p.role or "other", []).append(p)
    order = list(ROLES) + sorted(set(by_role) - set(ROLES))
    pgroups = [PartyGroup(role=r, role_en=choice_name(r)[0], role_th=choice_name(r)[1], count=len(by_role[r]),
                          parties=[_party(p) for p in sorted(by_role[r], key=lambda x: str(x.name))])
               for r in order if r in by_role]
    names = {str(p.id): p.name for p in parties}
    legs = gp.journeys_of_case(scope, str(node["id"]))
    for pid in {str(x.get("person_id")) for x in legs} - set(names):
        other = gp.node_by_id(scope, pid, "Person")
        if other is not None:
            names[pid] = other.get("name")
    number = _s(node.get("case_number"))
    journeys = _legs_to_journeys(legs, names, {str(node["id"]): number})
    role_of = {str(p.id): p.role for p in parties}
    journeys.sort(key=lambda j: (role_of.get(str(j.person_id)) != "victim", str(j.person_name)))
    vehicles = _take(groups, "USED", False)
    location = _take(groups, "OCCURRED_AT", True)
    accounts = [Related(id=_s(a["id"]), label=a["label"], name=a.get("name"), type="HOLDS",
                        type_en=rel_name("HOLDS")[0], type_th=rel_name("HOLDS")[1], outgoing=False,
                        from_date=_s(a["rel"].get("from_date")), to_date=_s(a["rel"].get("to_date")),
                        details={"holder_id": a["holder_id"], "holder_name": a["holder_name"],
                                 "bank_code": a.get("bank_code"), "account_number": a.get("account_number"),
                                 "currency": a.get("currency")},
                        sources=sources_of(a["rel"]))
                for a in gp.case_accounts(scope, eid)]
    orgs = [p for p in parties if p.label == "Organisation"]
    for o in gp.case_organisations(scope, eid):
        en, th = rel_name(o["type"])
        orgs.append(Related(id=_s(o["id"]), label=o["label"], name=o.get("name"), type=o["type"], type_en=en,
                            type_th=th, outgoing=False, role=_s(o["rel"].get("role")),
                            from_date=_s(o["rel"].get("from_date")), to_date=_s(o["rel"].get("to_date")),
                            details={"person_id": o["person_id"], "person_name": o["person_name"]},
                            sources=sources_of(o["rel"])))
    linked = [LinkedCase(id=_s(c["id"]), case_number=_s(c.get("case_number")), status=_s(c.get("status")),
                         opened_on=_s(c.get("opened_on")), agency=_s(c.get("agency")),
                         via=[Via(kind=v["kind"], id=_s(v["id"]), name=v["name"]) for v in c["via"]])
              for c in gp.linked_cases(scope, eid)]
    counts = {"parties": len(parties), **{f"role_{g.role}": g.count for g in pgroups},
              "victims": len(by_role.get("victim", [])), "journeys": len(journeys), "legs": len(legs),
              "vehicles": len(vehicles), "accounts": len({a.id for a in accounts}),
              "organisations": len({o.id for o in orgs}), "linked_cases": len(linked)}
    # timeline
    ev: list[TimelineEvent] = []
    me = str(node["id"])
    label = number or me
    srcs = sources_of(node)
    _ev(ev, node.get("opened_on"), "case_opened", f"case {label} opened", src=srcs, case_id=me, ids=[me])
    _ev(ev, node.get("closed_on"), "case_closed", f"case {label} closed", src=srcs, case_id=me, ids=[me])
    for p in parties:
        _ev(ev, p.from_date, "involvement", f"{choice_name(p.role or '')[0] or p.role}: {p.name}", end=p.to_date,
            src=p.sources, case_id=me, ids=[p.id, me])
    for j in journeys:
        for leg in j.legs:
            _ev(ev, leg.at, "journey_leg", f"{j.person_name}: {_leg_title(leg)}", src=leg.sources, case_id=me,
                ids=[j.person_id, leg.from_id, leg.to_id])
    for v in vehicles:
        _ev(ev, v.at, "vehicle_use", f"vehicle {v.name} used", src=v.sources, case_id=me, ids=[v.id, me])
    _transfer_events(ev, gp.transfers_of_accounts(scope, sorted({str(a.id) for a in accounts})))
    for s in _seen(scope, node):
        _ev(ev, s.first, "first_seen", f"first recorded by {s.agency}", src=[_source(s.agency, None)], ids=[me])
        _ev(ev, s.last, "last_seen", f"last recorded by {s.agency}", src=[_source(s.agency, None)], ids=[me])
    timeline = _finish(me, "Case", ev, since, until)
    return CaseProfile(id=me, case_number=number, name=node.get("name"), facts=_facts(node), sources=srcs,
                       location=location, parties=pgroups, counts=counts, journeys=journeys, vehicles=vehicles,
                       accounts=accounts, organisations=orgs, linked_cases=linked, timeline=timeline)


def case_profile(scope: Scope, case_id: str) -> CaseProfile:
    """The case workspace: parties by role, each victim's journey leg by leg, vehicles, accounts,
    organisations, linked cases (sharing a person, vehicle, account or phone) and a timeline;
    exact counts; 404 when missing or hidden."""
    scope.require("investigator")
    prof = _build_case(scope, case_id)
    scope.audit("read_personal", case_id, view="case_profile", parties=prof.counts.get("parties", 0))
    return prof


def case_timeline(scope: Scope, case_id: str, *, since: dt.date | str | None = None,
                  until: dt.date | str | None = None) -> Timeline:
    """The case's dated facts on one axis (opened/closed, involvements, journey legs, vehicle use,
    transfers of its parties' accounts, first and last record of each agency)."""
    scope.require("investigator")
    a, b = _check_range(since, until)
    tl = _build_case(scope, case_id, a, b).timeline
    scope.audit("read_personal", case_id, view="case_timeline", events=tl.count)
    return tl
