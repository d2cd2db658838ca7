"""Search, entity, neighbourhood, shortest path and counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from core.errors import InvalidInput, NotFound
from graph import explore as gx
from graph.model import NODE_LABELS, REL_TYPES
from graph.paths import DEFAULT_EXCLUDE_LABELS
from graph.scope import Scope

from ._common import cached, split_list
from .models import GraphOut, Hit, HitList, NodeOut, PathsOut, Stats

__all__ = ["search", "entity", "neighbourhood", "shortest_path", "stats", "check_label", "check_labels",
           "check_types", "SEARCH_KINDS"]

SEARCH_KINDS = ("q", "id", "phone", "plate", "account")


def check_label(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if value not in NODE_LABELS:
        raise InvalidInput(f"unknown label {value!r}", {"allowed": list(NODE_LABELS)})
    return value


def check_labels(value: str | Sequence[str] | None) -> list[str] | None:
    items = split_list(value, "label")
    for x in items or []:
        check_label(x)
    return items


def check_types(value: str | Sequence[str] | None) -> list[str] | None:
    items = split_list(value, "type")
    for t in items or []:
        if t not in REL_TYPES:
            raise InvalidInput(f"unknown relationship type {t!r}", {"allowed": list(REL_TYPES)})
    return items


#: the facets of a search and how a hit gives its values
_FACETS = ("label", "agency", "nationality")


def _facet_values(hit: dict[str, Any], facet: str) -> list[str]:
    if facet == "label":
        return [hit["label"]]
    if facet == "agency":
        return list(dict.fromkeys(hit.get("sources") or [])) or ["(none)"]
    return [hit.get("nationality") or "(none)"]


def search(scope: Scope, *, q: str | None = None, id: str | None = None, phone: str | None = None,
           plate: str | None = None, account: str | None = None, label: str | None = None,
           agency: str | None = None, nationality: str | None = None, page: int = 1,
           page_size: int | None = None, limit: int | None = None) -> HitList:
    """Find entities by one criterion and help choose among them.

    ``q`` is free text: names in any script (fuzzy), case numbers, places, identity
    numbers, ids, phones, plates and account numbers; ``id``, ``phone``, ``plate`` and
    ``account`` search that one way only.  ``label``, ``agency`` and ``nationality``
    filter; ``facets`` count every hit by those three (each facet before its own filter);
    ``total`` counts them all and ``page``/``page_size`` (≤ 200; ``limit`` is the old
    name) walk through them.  Each hit carries what tells namesakes apart: romanised
    name, birth date, nationality, agencies and records, number of cases and roles.
    """
    from graph import search as gs

    scope.require("investigator")
    given = {k: v for k, v in {"q": q, "id": id, "phone": phone, "plate": plate, "account": account}.items()
             if v is not None and v.strip()}
    if len(given) != 1:
        raise InvalidInput("give exactly one of q, id, phone, plate, account", {"given": sorted(given)})
    (kind, value), = given.items()
    value = value.strip()
    size = max(1, min(int(page_size or limit or 20), 200))
    page = max(1, int(page))
    if kind == "phone":
        from ingest.normalise import parse_phone

        try:
            parse_phone(value)
        except ValueError as exc:
            raise InvalidInput(f"not a phone number: {value!r}") from exc
    if kind == "plate":
        from ingest.normalise import parse_plate

        try:
            parse_plate(value)
        except ValueError as exc:
            raise InvalidInput(f"not a vehicle plate: {value!r}") from exc
    filters = {k: v.strip() for k, v in {"label": check_label(label), "agency": agency,
                                         "nationality": nationality}.items() if v and v.strip()}
    exact, capped = gs.exact_matches(scope, value, kinds=(kind,))
    groups: list[dict[str, Any]] = []
    best = 1.0
    if kind == "q":
        groups, best, names_capped = gs.name_groups(scope, value, exclude=[h["eid"] for h in exact])
        capped = capped or names_capped
    records = [(h, 1) for h in exact] + [(g, g["n"]) for g in groups]  # (facet values, how many entities)

    def keep(h: dict[str, Any], skip: str | None = None) -> bool:
        return all(f == skip or v in _facet_values(h, f) for f, v in filters.items())

    facets: dict[str, dict[str, int]] = {}
    for f in _FACETS:
        counts: dict[str, int] = {}
        for h, n in records:
            if keep(h, f):
                for x in _facet_values(h, f):
                    counts[x] = counts.get(x, 0) + n
        facets[f] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    total = sum(n for h, n in records if keep(h))
    # exact matches first (score 1 or a partial 0.9/0.8), then names by score
    shown_exact = [h for h in exact if keep(h)]
    start = (page - 1) * size
    chunk = shown_exact[start:start + size]
    if kind == "q" and len(chunk) < size and total > len(shown_exact):
        chunk += gs.name_page(scope, value, exclude=[h["eid"] for h in exact], skip=max(0, start - len(shown_exact)),
                              limit=size - len(chunk), best=best, label=filters.get("label"),
                              agency=filters.get("agency"), nationality=filters.get("nationality"))
    ctx = gs.hit_context(scope, [h["eid"] for h in chunk])
    data = []
    for h in chunk:
        c = ctx.get(h["eid"], {})
        detail = {k: c.get(k) for k in ("kind", "status", "opened_on", "agency", "case_number", "name_th",
                                        "plate_province", "bank_code", "holder_name") if c.get(k) is not None}
        if h["label"] == "Case":
            detail["parties"] = c.get("parties", 0)
        data.append(Hit(id=h["id"], label=h["label"], name=h["name"], score=h["score"], match=h["match"],
                        name_latin=c.get("name_latin") or c.get("org_name_latin"),
                        nationality=h.get("nationality"), birth_date=c.get("birth_date"), sex=c.get("sex"),
                        agencies=list(dict.fromkeys(h.get("sources") or [])), records=list(c.get("records") or []),
                        cases=None if h["label"] in ("Case", "Location", "BankAccount") else int(c.get("cases", 0)),
                        roles=sorted(c.get("roles") or []), detail=detail))
    crit = {kind: value}
    scope.audit("read_personal", "search", criterion=crit, results=total, page=page, **filters)
    return HitList(data=data, count=len(data), query=crit, total=total, page=page, page_size=size,
                   pages=(total + size - 1) // size, capped=capped, facets=facets, filters=filters)


def entity(scope: Scope, entity_id: str, label: str | None = None) -> NodeOut:
    """One entity with its properties and provenance; 404 when missing or hidden."""
    scope.require("investigator")
    node = gx.entity(scope, entity_id, check_label(label))
    if node is None:
        raise NotFound(f"no entity with id {entity_id!r}" + (f" and label {label}" if label else ""))
    scope.audit("read_personal", entity_id, view="entity", label=node["label"])
    return NodeOut.model_validate(node)


def _iso(d: dt.date | str | None) -> str | None:
    if d is None or isinstance(d, str):
        return d or None
    return d.isoformat()


def neighbourhood(scope: Scope, entity_id: str, *, label: str | None = None, depth: int = 1,
                  labels: str | Sequence[str] | None = None, types: str | Sequence[str] | None = None,
                  since: dt.date | str | None = None, until: dt.date | str | None = None,
                  agency: str | None = None, limit: int = gx.MAX_NODES, expand: str | Sequence[str] | None = None,
                  hub_degree: int | None = None, hub_limit: int | None = None) -> GraphOut:
    """The entity and its neighbourhood to depth 1–3: filtered, capped, dense hubs collapsed
    (``expand`` names the hubs whose neighbours you want)."""
    scope.require("investigator")
    if since and until and str(since) > str(until):
        raise InvalidInput("since is after until")
    try:
        data = gx.neighbourhood(scope, entity_id, depth=depth, node_label=check_label(label),
                                labels=check_labels(labels), rel_types=check_types(types), since=_iso(since),
                                until=_iso(until), agency=agency, limit=limit,
                                expand=split_list(expand, "expanded id") or (),
                                hub_degree=hub_degree or _hub_degree(), hub_limit=hub_limit or gx.HUB_LIMIT)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    if data is None:
        raise NotFound(f"no entity with id {entity_id!r}" + (f" and label {label}" if label else ""))
    scope.audit("read_personal", entity_id, view="neighbourhood", depth=depth, nodes=len(data["nodes"]))
    return GraphOut.model_validate(data)


def _hub_degree() -> int:
    from graph.settings import get_settings

    return int(get_settings().hub_degree)


def shortest_path(scope: Scope, from_id: str, to_id: str, *, k: int = 1, max_length: int = 6,
                  types: str | Sequence[str] | None = None,
                  exclude_labels: str | Sequence[str] | None = DEFAULT_EXCLUDE_LABELS,
                  exclude_types: str | Sequence[str] | None = None) -> PathsOut:
    """The ``k`` shortest paths between two entities through what the scope may see, not through
    ``exclude_labels`` (locations by default: a shared home town tells nothing) nor ``exclude_types``."""
    from graph import paths as gp

    scope.require("investigator")
    labs = check_labels(exclude_labels) or []
    ex_types = check_types(exclude_types) or []
    try:
        data = gp.k_shortest_paths(scope, from_id, to_id, k=k, max_length=max_length, exclude_labels=labs,
                                   exclude_types=ex_types, rel_types=check_types(types))
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    if data is None:
        raise NotFound("one of the two entities does not exist", {"from_id": from_id, "to_id": to_id})
    scope.audit("read_personal", f"{from_id}..{to_id}", view="shortest_path", length=data["length"], k=k,
                paths=len(data["paths"]))
    out = PathsOut.model_validate({**data, "truncated": False, "k": k, "max_length": max_length,
                                   "exclude_labels": labs, "exclude_types": ex_types})
    if not data["paths"]:
        avoid = " avoiding " + ", ".join(labs + ex_types) if labs or ex_types else ""
        out.message = f"No path of at most {max_length} steps{avoid} between {from_id} and {to_id}."
        if max_length < gp.MAX_PATH_LENGTH:
            longer = min(gp.MAX_PATH_LENGTH, max_length + 2)
            out.message += f" Try a longer search (up to {longer} steps)."
            q = {"from": from_id, "to": to_id, "k": k, "max_length": longer,
                 "exclude_labels": ",".join(labs), "exclude_types": ",".join(ex_types)}
            if types:
                q["types"] = ",".join(check_types(types) or [])
            out.longer = "/api/paths/shortest?" + urlencode(q)
        elif labs:
            out.message += " Allowing paths through " + ", ".join(labs) + " may find one."
    return out


def stats(scope: Scope) -> Stats:
    """Node and relationship counts without what is hidden from the scope (cached per data version)."""
    scope.require("viewer")
    data: dict[str, Any] = cached(scope, "stats", (), lambda: gx.visible_stats(scope))
    return Stats.model_validate(data)
