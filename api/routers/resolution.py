"""Duplicate-person candidates and their judgements (analyst)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from views import resolution as v
from views.models import CandidateRow, JudgementOut, RunOut, Table

from ..deps import AnalystScope
from ._common import html_table
from ._exports import TableFormat, TableFormatQ, export_links, table_file

router = APIRouter(prefix="/api/resolution", tags=["resolution"])


class JudgementIn(BaseModel):
    id_left: str = Field(min_length=1, max_length=200)
    id_right: str = Field(min_length=1, max_length=200)
    judgement: Literal["accepted", "rejected", "pending"]


@router.get("/candidates", response_model=Table[CandidateRow], summary="Duplicate candidates (analyst)")
def candidates(request: Request, scope: AnalystScope,
               judgement: Annotated[str | None, Query(pattern="^(pending|accepted|rejected)$")] = None,
               format: TableFormatQ = TableFormat.json) -> Any:
    res = v.candidates(scope, judgement)
    if format in (TableFormat.csv, TableFormat.xlsx):
        return table_file(scope, [r.model_dump() for r in res.data], format, title="duplicate candidates",
                          target="candidates")
    if format is TableFormat.html:
        return html_table("Duplicate candidates", [r.model_dump() for r in res.data], user=scope,
                          links={"id_left": "/ui/entity/{value}", "id_right": "/ui/entity/{value}"},
                          extra_links=export_links(request, ("csv", "xlsx")),
                          note="Accept or reject with POST /api/resolution/judgements.")
    return res


@router.post("/run", response_model=RunOut, summary="Score person records and store candidates (analyst)")
def run(scope: AnalystScope) -> RunOut:
    return v.run(scope)


@router.post("/judgements", response_model=JudgementOut, summary="Accept or reject a candidate (analyst)")
def judge(body: JudgementIn, scope: AnalystScope) -> JudgementOut:
    return v.judge(scope, body.id_left, body.id_right, body.judgement)
