"""The investigator's workspace: entity profiles, case workspaces, timelines and the search page.

JSON under ``/api`` (``…/profile``, ``…/timeline``) and pages under ``/ui``
(``/ui/search``, ``/ui/entity/{id}``, ``/ui/case/{id}``); both call the same
views (:mod:`views.profile`, :func:`views.explore.search`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from views import profile as vp
from views.profile_models import CaseProfile, EntityProfile, Timeline

from ..deps import DriverDep, InvestigatorScope, scope_of
from ..errors import ApiError, error_page
from ..security import role_allows
from ._common import Format, FormatQ, render
from .ui import UiUser

api = APIRouter(tags=["workspace"])
ui = APIRouter(prefix="/ui", tags=["ui"], include_in_schema=False)
router = APIRouter()

LabelQ = Annotated[str | None, Query(max_length=40, description="node label, when ids collide across labels")]
SinceQ = Annotated[dt.date | None, Query(description="keep events on or after this ISO date")]
UntilQ = Annotated[dt.date | None, Query(description="keep events on or before this ISO date")]


def _be(request: Request | None) -> bool:
    """``?era=be``: dates in the Buddhist era (พ.ศ.)."""
    return request is not None and request.query_params.get("era") == "be"


def _profile_page(prof: EntityProfile, scope: Any, request: Request | None = None) -> HTMLResponse:
    from views.resolution import profile_section
    from viz.workspace import KIND_COLOURS, timeline_axis

    tl = vp.entity_timeline_from(scope, prof)
    dup = profile_section(scope, str(prof.id)) if prof.label == "Person" else None
    return render("profile.html", title=str(prof.name), p=prof, tl=tl, axis=timeline_axis(tl.events),
                  colours=KIND_COLOURS, user=scope, era_be=_be(request), resolution=dup, entity_id=prof.id)


def _case_page(case: CaseProfile, scope: Any, request: Request | None = None) -> HTMLResponse:
    from viz.workspace import KIND_COLOURS, timeline_axis

    return render("case.html", title=f"Case {case.case_number or case.id}", c=case, tl=case.timeline,
                  axis=timeline_axis(case.timeline.events), colours=KIND_COLOURS, user=scope, era_be=_be(request))


@api.get("/api/entities/{entity_id}/profile", response_model=EntityProfile,
         summary="An entity's profile: facts with sources, cases with roles, associates, organisations, pivots, "
                 "journeys, possible duplicates (investigator)")
def get_entity_profile(entity_id: str, scope: InvestigatorScope, label: LabelQ = None,
                       format: FormatQ = Format.json) -> Any:
    prof = vp.entity_profile(scope, entity_id, label)
    return _profile_page(prof, scope) if format is Format.html else prof


@api.get("/api/entities/{entity_id}/timeline", response_model=Timeline,
         summary="An entity's dated facts on one time axis (investigator)")
def get_entity_timeline(entity_id: str, scope: InvestigatorScope, label: LabelQ = None, since: SinceQ = None,
                        until: UntilQ = None) -> Any:
    return vp.entity_timeline(scope, entity_id, label=label, since=since, until=until)


@api.get("/api/cases/{case_id}/profile", response_model=CaseProfile,
         summary="The case workspace: parties by role, victims' journeys leg by leg, vehicles, accounts, "
                 "organisations, linked cases, timeline; exact counts (investigator)")
def get_case_profile(case_id: str, scope: InvestigatorScope, format: FormatQ = Format.json) -> Any:
    case = vp.case_profile(scope, case_id)
    return _case_page(case, scope) if format is Format.html else case


@api.get("/api/cases/{case_id}/timeline", response_model=Timeline,
         summary="A case's dated facts on one time axis (investigator)")
def get_case_timeline(case_id: str, scope: InvestigatorScope, since: SinceQ = None, until: UntilQ = None) -> Any:
    return vp.case_timeline(scope, case_id, since=since, until=until)


# ------------------------------------------------------------------ pages
def _forbidden(user: Any, what: str) -> HTMLResponse:
    return error_page(403, f"Your role cannot see {what}.", user=user)


def _missing(user: Any, exc: ApiError, what: str) -> HTMLResponse:
    """The error page; a hidden id answers exactly like a missing one."""
    return error_page(exc.status, what if exc.status == 404 else exc.message, user=user)


@ui.get("/search", response_class=HTMLResponse)
def search_page(request: Request, driver: DriverDep, user: UiUser,
                q: Annotated[str | None, Query(max_length=200)] = None,
                by: Annotated[str, Query(pattern="^(q|id|phone|plate|account)$")] = "q",
                value: Annotated[str | None, Query(max_length=200)] = None,
                label: Annotated[str | None, Query(max_length=40)] = None,
                agency: Annotated[str | None, Query(max_length=20)] = None,
                nationality: Annotated[str | None, Query(max_length=3)] = None,
                page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                page_size: Annotated[int, Query(ge=1, le=200)] = 20) -> HTMLResponse:
    from views.explore import search as run_search

    text = (q if q is not None else value) or ""
    params = {"q": text if by == "q" else None, "by": by if by != "q" else None,
              "value": text if by != "q" else None, "label": label, "agency": agency, "nationality": nationality,
              "page_size": page_size if page_size != 20 else None}
    ctx: dict[str, Any] = {"title": "Search", "user": user, "res": None, "text": text, "by": by, "params": params,
                           "error": None}
    if not role_allows(user.role, "investigator"):
        return render("search.html", status_code=403, **{**ctx, "error": "Your role cannot search for persons."})
    if not text.strip():
        return render("search.html", **ctx)
    try:
        criterion: dict[str, Any] = {by: text}
        res = run_search(scope_of(request, user, driver, via="ui"), **criterion, label=label or None,
                         agency=agency or None, nationality=nationality or None, page=page, page_size=page_size)
    except ApiError as exc:
        return render("search.html", status_code=exc.status, **{**ctx, "error": exc.message})
    from viz.workspace import page_url

    api_q = {**{k: v for k, v in params.items() if k not in ("q", "by", "value", "page_size")}, by: text,
             "page": res.page, "page_size": res.page_size}
    downloads = {fmt: page_url("/api/search", api_q, format=fmt) for fmt in ("csv", "xlsx")}
    return render("search.html", **{**ctx, "res": res, "downloads": downloads})


@ui.get("/entity/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: str, driver: DriverDep, user: UiUser,
                label: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    from graph.model import NODE_LABELS

    if not role_allows(user.role, "investigator"):
        return _forbidden(user, "persons or entities")
    if label == "Case":
        return RedirectResponse(f"/ui/case/{quote(entity_id, safe='')}", status_code=303)
    scope = scope_of(request, user, driver, via="ui")
    try:
        prof = vp.entity_profile(scope, entity_id, label if label in NODE_LABELS else None)
    except ApiError as exc:
        return _missing(user, exc, f"No entity with id {entity_id}.")
    if prof.label == "Case":  # a case has its workspace
        return RedirectResponse(f"/ui/case/{quote(entity_id, safe='')}", status_code=303)
    return _profile_page(prof, scope, request)


@ui.get("/case/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, driver: DriverDep, user: UiUser) -> Response:
    if not role_allows(user.role, "investigator"):
        return _forbidden(user, "cases")
    try:
        case = vp.case_profile(scope_of(request, user, driver, via="ui"), case_id)
    except ApiError as exc:
        return _missing(user, exc, f"No case with id {case_id}.")
    return _case_page(case, user, request)


router.include_router(api)
router.include_router(ui)
