"""Jobs: heavy analytics that outgrew a request (follow, list, cancel)."""

from __future__ import annotations

from fastapi import APIRouter

from views import jobs as j
from views.models import JobOut

from ..deps import InvestigatorScope

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


@router.get("", response_model=list[JobOut], summary="Your jobs (investigator)")
def list_jobs(scope: InvestigatorScope) -> list[JobOut]:
    return [JobOut.model_validate(x.public()) for x in j.jobs.list(scope.user)]


@router.get("/{job_id}", response_model=JobOut,
            summary="One of your jobs: status, progress; when done, result_url answers at once (investigator)")
def get_job(job_id: str, scope: InvestigatorScope) -> JobOut:
    return JobOut.model_validate(j.jobs.get(job_id, scope.user).public())


@router.delete("/{job_id}", response_model=JobOut, summary="Cancel one of your jobs (investigator)")
def cancel_job(job_id: str, scope: InvestigatorScope) -> JobOut:
    return JobOut.model_validate(j.jobs.cancel(job_id, scope.user).public())
