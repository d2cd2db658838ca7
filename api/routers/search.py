"""Search entities by name (any script, fuzzy), case number, place, identity number, id, phone, plate or
account number, with facets (label, agency, nationality), a total and real paging."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from views import explore as v
from views.models import HitList

from ..deps import InvestigatorScope
from ._common import html_table
from ._exports import TableFormat, TableFormatQ, table_file

router = APIRouter(prefix="/api/search", tags=["search"])


@router.get("", response_model=HitList,
            summary="Find entities by name (any script), case number, place, identity number, id, phone, plate or "
                    "account; facets, total and paging (investigator)")
def search(
    scope: InvestigatorScope,
    q: Annotated[str | None, Query(max_length=200, description="name, Thai or Latin, fuzzy")] = None,
    id: Annotated[str | None, Query(max_length=200)] = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    plate: Annotated[str | None, Query(max_length=40)] = None,
    account: Annotated[str | None, Query(max_length=60)] = None,
    label: Annotated[str | None, Query(max_length=40, description="keep one label (Person, Case, ...)")] = None,
    agency: Annotated[str | None, Query(max_length=20, description="keep entities recorded by this agency")] = None,
    nationality: Annotated[str | None, Query(max_length=3, description="keep persons of this ISO 3166 alpha-3 "
                                                                        "nationality")] = None,
    page: Annotated[int, Query(ge=1, le=100_000, description="page, from 1")] = 1,
    page_size: Annotated[int | None, Query(ge=1, le=200, description="hits per page (default 20)")] = None,
    limit: Annotated[int | None, Query(ge=1, le=200, description="old name of page_size")] = None,
    format: TableFormatQ = TableFormat.json,
) -> Any:
    res = v.search(scope, q=q, id=id, phone=phone, plate=plate, account=account, label=label, agency=agency,
                   nationality=nationality, page=page, page_size=page_size, limit=limit)
    if format in (TableFormat.csv, TableFormat.xlsx):  # the page asked for, one row per hit
        rows = [{**h.model_dump(exclude={"detail"}), **{f"detail_{k}": x for k, x in h.detail.items()}}
                for h in res.data]
        return table_file(scope, rows, format, title=f"search {next(iter(res.query.values()))} page {res.page}",
                          target="search")
    if format is TableFormat.html:
        return html_table(f"Search: {next(iter(res.query.values()))}", [h.model_dump() for h in res.data],
                          user=scope, links={"id": "/ui/entity/{value}"})
    return res
