"""Duplicate-person candidates and their judgements (analyst)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from views import resolution as v
from views.models import CandidateRow, JudgementOut, RunOut, Table

from ..deps import AnalystScope
from ._common import Format, FormatQ, html_table

router = APIRouter(prefix="/api/resolution", tags=["resolution"])


class JudgementIn(BaseModel):
    id_left: str = Field(min_length=1, max_length=200)
    id_right: str = Field(min_length=1, max_length=200)
    judgement: Literal["accepted", "rejected", "pending"]


@router.get("/candidates", response_model=Table[CandidateRow], summary="Duplicate candidates (analyst)")
def candidates(scope: AnalystScope,
               judgement: Annotated[str | None, Query(pattern="^(pending|accepted|rejected)$")] = None,
               format: FormatQ = Format.json) -> Any:
    res = v.candidates(scope, judgement)
    if format is Format.html:
        return html_table("Duplicate candidates", [r.model_dump() for r in res.data], user=scope,
                          links={"id_left": "/ui/entity/{value}", "id_right": "/ui/entity/{value}"},
                          note="Accept or reject with POST /api/resolution/judgements.")
    return res


@router.post("/run", response_model=RunOut, summary="Score person records and store candidates (analyst)")
def run(scope: AnalystScope) -> RunOut:
    return v.run(scope)


@router.post("/judgements", response_model=JudgementOut, summary="Accept or reject a candidate (analyst)")
def judge(body: JudgementIn, scope: AnalystScope) -> JudgementOut:
    return v.judge(scope, body.id_left, body.id_right, body.judgement)
