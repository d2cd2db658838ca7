"""Search entities by name (Thai or Latin, fuzzy), id, phone, plate or account number."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from ..deps import AuditDep, DriverDep, Investigator, visibility
from ..errors import BadRequest
from ._common import Format, FormatQ, html_table

router = APIRouter(prefix="/api/search", tags=["search"])


class Hit(BaseModel):
    id: str | None
    label: str
    name: Any = None
    score: float
    match: str


class HitList(BaseModel):
    data: list[Hit]
    count: int
    query: dict[str, str]


def run_search(driver: Any, user: Any, *, q: str | None = None, id: str | None = None, phone: str | None = None,
               plate: str | None = None, account: str | None = None, limit: int = 20) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Exactly one criterion; returns (hits, the criterion as given)."""
    from graph import explore

    given = {k: v for k, v in {"q": q, "id": id, "phone": phone, "plate": plate, "account": account}.items()
             if v is not None and v.strip()}
    if len(given) != 1:
        raise BadRequest("give exactly one of q, id, phone, plate, account", {"given": sorted(given)})
    (kind, value), = given.items()
    value = value.strip()
    who = visibility(user)
    if kind == "q":
        hits = explore.search_names(driver, value, limit, user=who)
    elif kind == "id":
        hits = [{**{k: v for k, v in n.items() if k in ("id", "label", "name")}, "score": 1.0, "match": "id"}
                for n in explore.find_by_id(driver, value, None, who)]
    elif kind == "phone":
        from ingest.normalise import parse_phone

        try:
            norm = parse_phone(value)
        except ValueError as exc:
            raise BadRequest(f"not a phone number: {value!r}") from exc
        hits = explore.find_by_phone(driver, norm, limit, user=who)
    elif kind == "plate":
        from ingest.normalise import parse_plate

        try:
            norm = parse_plate(value)
        except ValueError as exc:
            raise BadRequest(f"not a vehicle plate: {value!r}") from exc
        hits = explore.find_by_plate(driver, norm, limit, user=who)
    else:
        hits = explore.find_by_account(driver, value, limit, user=who)
    return hits, {kind: value}


@router.get("", response_model=HitList, summary="Find entities (investigator)")
def search(
    driver: DriverDep,
    user: Investigator,
    audit: AuditDep,
    q: Annotated[str | None, Query(max_length=200, description="name, Thai or Latin, fuzzy")] = None,
    id: Annotated[str | None, Query(max_length=200)] = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    plate: Annotated[str | None, Query(max_length=40)] = None,
    account: Annotated[str | None, Query(max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    format: FormatQ = Format.json,
) -> Any:
    hits, crit = run_search(driver, user, q=q, id=id, phone=phone, plate=plate, account=account, limit=limit)
    audit(user, "read_personal", "search", criterion=crit, results=len(hits))
    if format is Format.html:
        return html_table(f"Search: {next(iter(crit.values()))}", hits, user=user,
                          links={"id": "/ui/entity/{value}"})
    return HitList(data=[Hit(**{k: h.get(k) for k in ("id", "label", "name", "score", "match")}) for h in hits],
                   count=len(hits), query=crit)
