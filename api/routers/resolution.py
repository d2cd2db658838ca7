"""Duplicate-person review (analyst): candidates, side-by-side review, judgements (append-only,
undo), one person from an accepted cluster; the API and the review pages."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from core.errors import InvalidInput
from views import resolution as v
from views.models import CandidateRow, JudgementOut, MergedPerson, PairReview, RunOut, Table

from ..deps import AnalystScope, DriverDep, InvestigatorScope, scope_of
from ..errors import ApiError, error_page
from ..security import role_allows
from ._common import render
from ._exports import TableFormat, TableFormatQ, export_links, table_file

router = APIRouter(prefix="/api/resolution", tags=["resolution"])
ui_router = APIRouter(prefix="/ui/resolution", tags=["ui"], include_in_schema=False)

JudgementQ = Annotated[str | None, Query(pattern="^(pending|accepted|rejected|unsure)$")]
IdQ = Annotated[str, Query(min_length=1, max_length=200)]


class JudgementIn(BaseModel):
    id_left: str = Field(min_length=1, max_length=200)
    id_right: str = Field(min_length=1, max_length=200)
    judgement: Literal["accepted", "rejected", "unsure", "undo"] = Field(
        description="accepted, rejected or unsure; undo cancels the judgement in force (the history keeps both)")
    reason: str = Field("", max_length=v.MAX_REASON)


def _candidates_page(res: Table[CandidateRow], user: Any, judgement: str | None,
                     exports: list[tuple[str, str]] | None = None) -> Response:
    return render("candidates.html", title="Duplicate candidates", user=user, rows=[r.model_dump() for r in res.data],
                  judgement=judgement or "", states=v.STATES, exports=exports or [])


@router.get("/candidates", response_model=Table[CandidateRow], summary="Duplicate candidates (analyst)")
def candidates(request: Request, scope: AnalystScope, judgement: JudgementQ = None,
               format: TableFormatQ = TableFormat.json) -> Any:
    res = v.candidates(scope, judgement)
    if format in (TableFormat.csv, TableFormat.xlsx):
        return table_file(scope, [r.model_dump() for r in res.data], format, title="duplicate candidates",
                          target="candidates")
    if format is TableFormat.html:
        return _candidates_page(res, scope, judgement, export_links(request, ("csv", "xlsx")))
    return res


@router.get("/pair", response_model=PairReview, summary="A candidate's two records side by side (analyst)")
def pair(scope: AnalystScope, left: IdQ, right: IdQ) -> PairReview:
    return v.review(scope, left, right)


@router.get("/persons/{entity_id}/candidates", response_model=Table[CandidateRow],
            summary="A person's duplicate candidates, pending by default (analyst)")
def person_candidates(entity_id: str, scope: AnalystScope, judgement: JudgementQ = "pending") -> Table[CandidateRow]:
    return v.entity_candidates(scope, entity_id, judgement)


@router.get("/persons/{entity_id}/merged", response_model=MergedPerson,
            summary="The records accepted as this person, seen as one person (investigator)")
def merged(entity_id: str, scope: InvestigatorScope) -> MergedPerson:
    return v.merged_person(scope, entity_id)


@router.post("/run", response_model=RunOut, summary="Score person records and store candidates (analyst)")
def run(scope: AnalystScope) -> RunOut:
    return v.run(scope)


@router.post("/judgements", response_model=JudgementOut,
             summary="Accept, reject, mark unsure or undo a candidate, with a reason (analyst)")
def judge(body: JudgementIn, scope: AnalystScope) -> JudgementOut:
    if body.judgement == "undo":
        return v.undo(scope, body.id_left, body.id_right, body.reason)
    return v.judge(scope, body.id_left, body.id_right, body.judgement, body.reason)


# ------------------------------------------------------------------ pages
def _ui(request: Request, driver: Any) -> tuple[Any, Any]:
    from .ui import ui_user

    user = ui_user(request)
    return user, scope_of(request, user, driver, via="ui")


def _refused(user: Any, need: str) -> Response:
    return error_page(403, f"Your role cannot review duplicates (needs {need}).", user=user)


@ui_router.get("/candidates")
def candidates_page(request: Request, driver: DriverDep, judgement: JudgementQ = "pending") -> Response:
    user, scope = _ui(request, driver)
    if not role_allows(user.role, "analyst"):
        return _refused(user, "analyst")
    return _candidates_page(v.candidates(scope, judgement or None), user, judgement)


@ui_router.get("/review")
def review_page(request: Request, driver: DriverDep, left: IdQ, right: IdQ,
                error: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    user, scope = _ui(request, driver)
    if not role_allows(user.role, "analyst"):
        return _refused(user, "analyst")
    try:
        rv = v.review(scope, left, right)
    except ApiError as exc:
        return render("table.html", status_code=exc.status, title="Not found", rows=[], cols=[], links={},
                      user=user, note=exc.message, extra_links=[])
    return render("candidate_review.html", title="Duplicate review", user=user, review=rv.model_dump(),
                  error=error, judgements=v.JUDGEMENTS)


@ui_router.post("/review")
def review_post(request: Request, driver: DriverDep,
                id_left: Annotated[str, Form(min_length=1, max_length=200)],
                id_right: Annotated[str, Form(min_length=1, max_length=200)],
                judgement: Annotated[str, Form(pattern="^(accepted|rejected|unsure|undo)$")],
                reason: Annotated[str, Form(max_length=v.MAX_REASON)] = "") -> Response:
    user, scope = _ui(request, driver)
    if not role_allows(user.role, "analyst"):
        return _refused(user, "analyst")
    back = {"left": id_left, "right": id_right}
    try:
        if judgement == "undo":
            v.undo(scope, id_left, id_right, reason)
        else:
            if not reason.strip():
                raise InvalidInput("give a reason for the judgement")
            v.judge(scope, id_left, id_right, judgement, reason)
    except ApiError as exc:
        back["error"] = exc.message
    return RedirectResponse("/ui/resolution/review?" + urlencode(back), status_code=303)


@ui_router.get("/person/{person_id}")
def person_page(person_id: str, request: Request, driver: DriverDep) -> Response:
    user, scope = _ui(request, driver)
    if not role_allows(user.role, "investigator"):
        return _refused(user, "investigator")
    try:
        mp = v.merged_person(scope, person_id)
    except ApiError as exc:
        return render("table.html", status_code=exc.status, title="Not found", rows=[], cols=[], links={},
                      user=user, note=exc.message, extra_links=[])
    return render("merged_person.html", title=f"One person: {mp.names[0] if mp.names else person_id}", user=user,
                  person=mp.model_dump())
