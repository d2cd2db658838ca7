"""Duplicate-person candidates and their judgements (analysts)."""

from __future__ import annotations

from core.errors import InvalidInput, NotFound
from graph.scope import Scope

from ._common import table
from .models import CandidateRow, JudgementOut, RunOut, Table

__all__ = ["candidates", "judge", "run"]

JUDGEMENTS = ("accepted", "rejected", "pending")


def candidates(scope: Scope, judgement: str | None = None) -> Table[CandidateRow]:
    """Candidate pairs of which the scope may see both persons, best score first."""
    from graph.projection import same_as_candidates

    scope.require("analyst")
    if judgement is not None and judgement not in JUDGEMENTS:
        raise InvalidInput(f"judgement must be one of {', '.join(JUDGEMENTS)}")
    df = same_as_candidates(scope, judgement)
    scope.audit("read_personal", "same_as", view="candidates", rows=len(df))
    return Table[CandidateRow].model_validate(table(CandidateRow, df, judgement=judgement))


def judge(scope: Scope, id_left: str, id_right: str, judgement: str) -> JudgementOut:
    """Record the scope's judgement of a candidate pair (with who and when)."""
    from graph.explore import existing
    from graph.projection import judge_same_as

    scope.require("analyst")
    if judgement not in JUDGEMENTS:
        raise InvalidInput(f"judgement must be one of {', '.join(JUDGEMENTS)}")
    missing = NotFound("no SAME_AS candidate between these two persons", {"id_left": id_left, "id_right": id_right})
    if len(existing(scope, "Person", [id_left, id_right])) < len({id_left, id_right}):
        raise missing
    out = judge_same_as(scope.driver, id_left, id_right, judgement, by=scope.user)
    if out is None:
        raise missing
    scope.audit("judgement", f"{id_left}|{id_right}", judgement=judgement)
    at = out["at"]
    return JudgementOut(id_left=out["id_left"], id_right=out["id_right"], judgement=out["judgement"], by=out["by"],
                        at=at.iso_format() if hasattr(at, "iso_format") else str(at), score=out.get("score"))


def run(scope: Scope) -> RunOut:
    """Score the person records the scope may see and store the matches as pending candidates."""
    from analytics.resolution import find_duplicates
    from graph.projection import person_records, write_same_as

    scope.require("analyst")
    df = find_duplicates(person_records(scope))
    matches = df[df["is_match"]] if "is_match" in df.columns else df
    n = write_same_as(scope.driver, matches, method="netintel-resolution")
    scope.audit("resolution_run", "same_as", candidates=len(df), stored=n)
    return RunOut(candidates=len(df), stored=n)
