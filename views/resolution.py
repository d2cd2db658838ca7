"""Duplicate-person review (analysts): candidates, the two records side by side, append-only
judgements with history and undo, and an accepted cluster seen as one person."""

from __future__ import annotations

from typing import Any

from core.errors import InvalidInput, NotFound
from graph.scope import Scope

from ._common import table
from .models import (
    CandidateRow,
    EdgeOut,
    FieldComparison,
    GraphOut,
    JudgementEntry,
    JudgementOut,
    MergedPerson,
    NodeOut,
    PairReview,
    RunOut,
    SourceRecord,
    Table,
)

__all__ = ["candidates", "review", "judge", "undo", "entity_candidates", "merged_person", "profile_section",
           "merge_clusters", "merged_neighbourhood", "run",
           "JUDGEMENTS", "STATES"]

JUDGEMENTS = ("accepted", "rejected", "unsure")
STATES = ("pending", *JUDGEMENTS)
MAX_REASON = 500


def _check_state(judgement: str | None) -> None:
    if judgement is not None and judgement not in STATES:
        raise InvalidInput(f"judgement must be one of {', '.join(STATES)}")


def candidates(scope: Scope, judgement: str | None = None) -> Table[CandidateRow]:
    """Candidate pairs of which the scope may see both persons, highest match weight first."""
    from graph.resolution import candidates as stored

    scope.require("analyst")
    _check_state(judgement)
    df = stored(scope, judgement)
    scope.audit("read_personal", "same_as", view="candidates", rows=len(df))
    return Table[CandidateRow].model_validate(table(CandidateRow, df, judgement=judgement))


def entity_candidates(scope: Scope, person_id: str, judgement: str | None = "pending",
                      audit: bool = True) -> Table[CandidateRow]:
    """The candidates a person takes part in (pending by default), for the entity profile."""
    from graph.resolution import candidates as stored

    scope.require("analyst")
    _check_state(judgement)
    df = stored(scope, judgement, person_id)
    if audit:
        scope.audit("read_personal", person_id, view="entity_candidates", rows=len(df))
    return Table[CandidateRow].model_validate(table(CandidateRow, df, person=person_id, judgement=judgement))


# ------------------------------------------------------------ side by side
def _names(p: dict[str, Any]) -> list[str]:
    from analytics.transliterate import romanise, script_of

    out: list[str] = []
    given_family = " ".join(x for x in (p.get("given_name"), p.get("family_name")) if x)
    for n in (p.get("full_name"), given_family, p.get("full_name_latin"), *(p.get("aliases") or [])):
        if n and n not in out:
            out.append(str(n))
    for n in list(out):
        if script_of(n) not in ("latin", "other"):
            latin = romanise(n).title()
            if latin and latin not in out:
                out.append(f"{latin} (romanised)")
    return out


def _list(v: Any) -> list[str]:
    if v is None or v == "":
        return []
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


def _record(r: dict[str, Any]) -> SourceRecord:
    p = r["props"]
    return SourceRecord(
        id=r["id"], name=p.get("full_name") or p.get("full_name_latin") or p.get("given_name"), names=_names(p),
        birth_date=p.get("birth_date"), sex=p.get("sex"), nationality=p.get("nationality"),
        id_numbers=_list(p.get("national_id")) + _list(p.get("passport_no")), phones=_list(p.get("phones")),
        address=p.get("address") or r.get("lives_at"), agencies=_list(p.get("sources")),
        source_record_ids=_list(p.get("source_record_ids")), cases=r.get("cases") or [])


#: side-by-side rows: field, label, the comparison of analytics.resolution behind it
_ROWS = (("name", "Names", "name"), ("birth_date", "Date of birth", "dob"), ("id_number", "ID / passport", "id_number"),
         ("phone", "Phones", "phone"), ("sex", "Sex", "sex"), ("nationality", "Nationality", "nationality"),
         ("address", "Address", "address"), ("agencies", "Agencies (source records)", None))


def _fields(left: SourceRecord, right: SourceRecord, levels: list[dict[str, Any]]) -> list[FieldComparison]:
    from analytics.resolution import COMPARISONS

    by_field = {lv.get("field"): lv for lv in levels}
    values = {
        "name": lambda s: s.names, "birth_date": lambda s: _list(s.birth_date), "id_number": lambda s: s.id_numbers,
        "phone": lambda s: s.phones, "sex": lambda s: _list(s.sex), "nationality": lambda s: _list(s.nationality),
        "address": lambda s: _list(s.address),
        "agencies": lambda s: s.source_record_ids or s.agencies}
    out = []
    for field, label, comp in _ROWS:
        lv = by_field.get(comp) if comp else None
        if comp is None or lv is None:
            agreement, level, weight = "not_compared", None, None
        elif lv["level"] == "unknown":
            agreement, level, weight = "unknown", "missing on one side", 0.0
        else:
            labels = [x.label for x in COMPARISONS[comp]]
            k = labels.index(lv["level"]) if lv["level"] in labels else -1
            agreement = "agree" if k == 0 else "disagree" if k == len(labels) - 1 else "partial"
            level, weight = lv["level"], float(lv["weight"])
        out.append(FieldComparison(field=field, label=label, left=values[field](left), right=values[field](right),
                                   level=level, weight=weight, agreement=agreement))
    return out


def _entries(rows: list[dict[str, Any]]) -> list[JudgementEntry]:
    return [JudgementEntry(id=r["id"], seq=int(r["seq"]), judgement=r["judgement"], reason=r.get("reason") or None,
                           by=r["by"], at=str(r["at"]), undoes=r.get("undoes"), state=r["state"]) for r in rows]


def review(scope: Scope, id_left: str, id_right: str) -> PairReview:
    """The two records of a candidate side by side, field-by-field agreement with the weights
    that drove the score, and the pair's judgement history."""
    from graph import resolution as G

    scope.require("analyst")
    pair = G.candidate_pair(scope, id_left, id_right)
    if pair is None:
        raise NotFound("no SAME_AS candidate between these two persons", {"id_left": id_left, "id_right": id_right})
    recs = {r["id"]: _record(r) for r in G.person_records(scope, [pair["id_left"], pair["id_right"]])}
    left, right = recs[pair["id_left"]], recs[pair["id_right"]]
    history = G.judgement_history(scope, left.id, right.id)
    scope.audit("read_personal", f"{left.id}|{right.id}", view="candidate_review")
    return PairReview(id_left=left.id, id_right=right.id, score=pair.get("score"), weight=pair.get("weight"),
                      method=pair.get("method"), judgement=pair.get("judgement") or "pending",
                      reasons=pair.get("reasons"), fields=_fields(left, right, pair.get("levels") or []),
                      history=_entries(history))


# --------------------------------------------------------------- judging
def _record_judgement(scope: Scope, id_left: str, id_right: str, judgement: str, reason: str) -> JudgementOut:
    from graph.explore import existing
    from graph.resolution import append_judgement

    scope.require("analyst")
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"reason is longer than {MAX_REASON} characters")
    missing = NotFound("no SAME_AS candidate between these two persons", {"id_left": id_left, "id_right": id_right})
    if len(existing(scope, "Person", [id_left, id_right])) < len({id_left, id_right}):
        raise missing
    try:
        out = append_judgement(scope.driver, id_left, id_right, judgement, by=scope.username, reason=reason)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    if out is None:
        raise missing
    scope.audit("judgement", f"{out['id_left']}|{out['id_right']}", judgement=out["judgement"],
                entry=judgement, reason=reason, undoes=out.get("undoes"))
    return JudgementOut.model_validate({k: out.get(k) for k in JudgementOut.model_fields})


def judge(scope: Scope, id_left: str, id_right: str, judgement: str, reason: str = "") -> JudgementOut:
    """Append the scope's judgement (accepted, rejected or unsure, with a reason) of a candidate."""
    if judgement not in JUDGEMENTS:
        raise InvalidInput(f"judgement must be one of {', '.join(JUDGEMENTS)}")
    return _record_judgement(scope, id_left, id_right, judgement, reason)


def undo(scope: Scope, id_left: str, id_right: str, reason: str = "") -> JudgementOut:
    """Append an undo of the pair's judgement in force (the history keeps both)."""
    return _record_judgement(scope, id_left, id_right, "undo", reason)


# ------------------------------------------------------------ one person
def _union(values: list[list[str]]) -> list[str]:
    out: list[str] = []
    for vs in values:
        for v in vs:
            if v and v not in out:
                out.append(v)
    return out


def merged_person(scope: Scope, person_id: str, audit: bool = True) -> MergedPerson:
    """The records accepted as the same person as ``person_id`` seen as one person: every
    source record, the union of their facts, and the accepted links between them."""
    from graph import resolution as G

    scope.require("investigator")
    ids = G.accepted_cluster(scope, person_id)
    if not ids:
        raise NotFound(f"no person {person_id}", {"id": person_id})
    records = [_record(r) for r in G.person_records(scope, ids)]
    if not records:
        raise NotFound(f"no person {person_id}", {"id": person_id})
    links = G.candidates(scope, "accepted")
    links = links[links["id_left"].isin(ids) & links["id_right"].isin(ids)]
    if audit:
        scope.audit("read_personal", person_id, view="merged_person", records=len(records))
    return MergedPerson(
        id=person_id, cluster=[r.id for r in records], names=_union([r.names for r in records]),
        birth_dates=_union([_list(r.birth_date) for r in records]), id_numbers=_union([r.id_numbers for r in records]),
        phones=_union([r.phones for r in records]), addresses=_union([_list(r.address) for r in records]),
        agencies=_union([r.agencies for r in records]), records=records,
        links=[CandidateRow.model_validate(r) for r in table(CandidateRow, links)["data"]])


def run(scope: Scope) -> RunOut:
    """Score the person records the scope may see (weights learned from them) and store the
    likely matches as pending candidates."""
    from analytics.resolution import find_duplicates
    from graph.projection import person_records
    from graph.resolution import write_candidates

    scope.require("analyst")
    df = find_duplicates(person_records(scope))
    matches = df[df["is_match"]] if "is_match" in df.columns else df
    n = write_candidates(scope.driver, matches, method="netintel-splink-fs")
    scope.audit("resolution_run", "same_as", candidates=len(df), stored=n)
    return RunOut(candidates=len(df), stored=n)


def profile_section(scope: Scope, person_id: str) -> dict[str, Any]:
    """What the entity profile of a person shows about duplicates: the accepted cluster as one
    person (when the person was merged with others) and, for analysts, the pending candidates.
    One audit entry when it shows anything (the profile audits the person itself)."""
    out: dict[str, Any] = {"merged": None, "pending": None}
    try:
        mp = merged_person(scope, person_id, audit=False)
    except NotFound:
        return out
    if len(mp.cluster) > 1:
        out["merged"] = mp.model_dump()
    if scope.allows("analyst"):
        out["pending"] = [r.model_dump() for r in entity_candidates(scope, person_id, audit=False).data]
    if out["merged"] or out["pending"]:
        scope.audit("read_personal", person_id, view="profile_duplicates",
                    records=len(mp.cluster), pending=len(out["pending"] or []))
    return out


def merge_clusters(scope: Scope, graph: GraphOut, keep: str | None = None) -> GraphOut:
    """``graph`` with the persons accepted as one person drawn as one node: its id is ``keep``
    when that is in the cluster (else the smallest id in the graph), ``merged`` lists the records
    it stands for; relationships are re-pointed to it and the ``SAME_AS`` links inside it dropped."""
    import pandas as pd

    from analytics.resolution import clusters
    from graph.resolution import accepted_links

    persons = [n.id for n in graph.nodes if n.label == "Person" and n.id]
    links = accepted_links(scope, persons)
    if not links:
        return graph
    comp = clusters(pd.DataFrame(links, columns=["id_left", "id_right"]).assign(is_match=True))
    cluster_of = dict(zip(comp["id"], comp["cluster"], strict=True))
    in_graph: dict[str, list[str]] = {}
    for pid in persons:
        if pid in cluster_of:
            in_graph.setdefault(cluster_of[pid], []).append(pid)
    rep: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for c, ids in in_graph.items():
        head = keep if keep in ids else min(ids)
        all_ids = sorted(i for i, cc in cluster_of.items() if cc == c)
        members[head] = all_ids
        rep.update({i: head for i in ids})
    nodes: list[NodeOut] = []
    for n in graph.nodes:
        if n.id in rep and rep[n.id] != n.id:
            continue
        if n.id in members:
            n = n.model_copy(update={"merged": members[n.id]})
        nodes.append(n)
    edges: list[EdgeOut] = []
    seen: set[tuple[Any, ...]] = set()
    for e in graph.edges:
        a, b = rep.get(e.from_ or "", e.from_), rep.get(e.to or "", e.to)
        if a == b and e.type == "SAME_AS":
            continue
        extra = e.model_dump(by_alias=True, exclude={"from_", "to", "type"})
        key = (a, b, e.type, tuple(sorted((k, str(val)) for k, val in extra.items() if k != "id")))
        if key in seen:
            continue
        seen.add(key)
        edges.append(EdgeOut.model_validate({**extra, "from": a, "to": b, "type": e.type}))
    return graph.model_copy(update={"nodes": nodes, "edges": edges})


def merged_neighbourhood(scope: Scope, entity_id: str, **params: Any) -> GraphOut:
    """The neighbourhood of every record accepted as the same person as ``entity_id``, joined
    and drawn with that person as one node (:func:`merge_clusters`)."""
    from graph.resolution import accepted_cluster

    from .explore import neighbourhood

    ids = accepted_cluster(scope, entity_id) or [entity_id]
    if entity_id in ids:  # the asked-for record first: the start node of the network
        ids = [entity_id] + [i for i in ids if i != entity_id]
    parts = [neighbourhood(scope, i, **params) for i in ids]
    nodes: dict[str, NodeOut] = {}
    for p in parts:
        for n in p.nodes:
            nodes.setdefault(str(n.id), n)
    edges = [e for p in parts for e in p.edges]
    joined = GraphOut(nodes=list(nodes.values()), edges=edges, truncated=any(p.truncated for p in parts),
                      collapsed=sorted({c for p in parts for c in p.collapsed}))
    return merge_clusters(scope, joined, keep=entity_id)


def _review_link(scope: Scope, entity_id: str, candidate: dict[str, Any]) -> list[Any]:
    """Beside each possible duplicate on a profile: the side-by-side review (analysts)."""
    from urllib.parse import urlencode

    from .profile_models import Link

    if not scope.allows("analyst"):
        return []
    left, right = sorted((entity_id, str(candidate["id"])))
    return [Link(label="review", href="/ui/resolution/review?" + urlencode({"left": left, "right": right}))]


def _register() -> None:
    from .profile import register_duplicate_links

    register_duplicate_links(_review_link)


_register()
