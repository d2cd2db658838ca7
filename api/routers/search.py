"""Search entities by name (Thai or Latin, fuzzy), id, phone, plate or account number."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from views import explore as v
from views.models import HitList

from ..deps import InvestigatorScope
from ._common import Format, FormatQ, html_table

router = APIRouter(prefix="/api/search", tags=["search"])


@router.get("", response_model=HitList, summary="Find entities (investigator)")
def search(
    scope: InvestigatorScope,
    q: Annotated[str | None, Query(max_length=200, description="name, Thai or Latin, fuzzy")] = None,
    id: Annotated[str | None, Query(max_length=200)] = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    plate: Annotated[str | None, Query(max_length=40)] = None,
    account: Annotated[str | None, Query(max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    format: FormatQ = Format.json,
) -> Any:
    res = v.search(scope, q=q, id=id, phone=phone, plate=plate, account=account, limit=limit)
    if format is Format.html:
        return html_table(f"Search: {next(iter(res.query.values()))}", [h.model_dump() for h in res.data],
                          user=scope, links={"id": "/ui/entity/{value}"})
    return res
