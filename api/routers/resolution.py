"""Duplicate-person candidates and their judgements (analyst)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from ..deps import Analyst, AuditDep, DriverDep, visibility
from ..errors import NotFound
from ._common import Format, FormatQ, TableOut, html_table, table_out

router = APIRouter(prefix="/api/resolution", tags=["resolution"])


class JudgementIn(BaseModel):
    id_left: str = Field(min_length=1, max_length=200)
    id_right: str = Field(min_length=1, max_length=200)
    judgement: Literal["accepted", "rejected", "pending"]


class JudgementOut(BaseModel):
    id_left: str
    id_right: str
    judgement: str
    by: str
    at: str
    score: float | None = None


class RunOut(BaseModel):
    candidates: int
    stored: int


@router.get("/candidates", response_model=TableOut, summary="Duplicate candidates (analyst)")
def candidates(driver: DriverDep, user: Analyst, audit: AuditDep,
               judgement: Annotated[str | None, Query(pattern="^(pending|accepted|rejected)$")] = None,
               format: FormatQ = Format.json) -> Any:
    from graph.explore import restrict_pairs
    from graph.projection import same_as_candidates

    df = restrict_pairs(driver, same_as_candidates(driver, judgement), visibility(user))
    audit(user, "read_personal", "same_as", view="candidates", rows=len(df))
    if format is Format.html:
        return html_table("Duplicate candidates", table_out(df).data, user=user,
                          links={"id_left": "/ui/entity/{value}", "id_right": "/ui/entity/{value}"},
                          note="Accept or reject with POST /api/resolution/judgements.")
    return table_out(df, judgement=judgement)


@router.post("/run", response_model=RunOut, summary="Score person records and store candidates (analyst)")
def run(driver: DriverDep, user: Analyst, audit: AuditDep) -> RunOut:
    from analytics.resolution import find_duplicates
    from graph.projection import person_records, write_same_as

    df = find_duplicates(person_records(driver))
    matches = df[df["is_match"]] if "is_match" in df.columns else df
    n = write_same_as(driver, matches, method="netintel-resolution")
    audit(user, "resolution_run", "same_as", candidates=len(df), stored=n)
    return RunOut(candidates=len(df), stored=n)


@router.post("/judgements", response_model=JudgementOut, summary="Accept or reject a candidate (analyst)")
def judge(body: JudgementIn, driver: DriverDep, user: Analyst, audit: AuditDep) -> JudgementOut:
    from graph.explore import existing
    from graph.projection import judge_same_as

    if len(existing(driver, "Person", [body.id_left, body.id_right], visibility(user))) < len(
            {body.id_left, body.id_right}):
        raise NotFound("no SAME_AS candidate between these two persons",
                       {"id_left": body.id_left, "id_right": body.id_right})
    out = judge_same_as(driver, body.id_left, body.id_right, body.judgement, by=user.username)
    if out is None:
        raise NotFound("no SAME_AS candidate between these two persons",
                       {"id_left": body.id_left, "id_right": body.id_right})
    audit(user, "judgement", f"{body.id_left}|{body.id_right}", judgement=body.judgement)
    at = out["at"]
    return JudgementOut(id_left=out["id_left"], id_right=out["id_right"], judgement=out["judgement"], by=out["by"],
                        at=at.iso_format() if hasattr(at, "iso_format") else str(at), score=out.get("score"))
