"""Shared pieces of the views: caching keyed by scope, rows for typed tables, settings."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import pandas as pd
from pydantic import BaseModel

from core.errors import InvalidInput, NotFound
from graph.scope import Scope

from .cache import cache

__all__ = ["cached", "jsonable", "records", "table", "split_list", "check_cases", "budget_seconds"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def cached(scope: Scope, name: str, params: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per (view, data version, compartment, params)."""
    return cache.get((name, *scope.cache_key(), params), compute)


def jsonable(v: Any) -> Any:
    """Plain JSON values (ISO dates, None for NaN/NA, lists for tuples and arrays)."""
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, tuple | list | set | frozenset):
        return [jsonable(x) for x in v]
    if isinstance(v, dt.datetime | dt.date | pd.Timestamp):
        return v.isoformat()
    if hasattr(v, "iso_format"):  # neo4j.time values
        return v.iso_format()
    if v is pd.NA or v is pd.NaT or v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        try:
            return jsonable(v.item())
        except (ValueError, AttributeError):
            return str(v)
    if hasattr(v, "tolist"):
        return jsonable(v.tolist())
    return v


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): jsonable(v) for k, v in r.items()} for r in df.to_dict(orient="records")]


def table(row: type[M], df: pd.DataFrame, **meta: Any) -> dict[str, Any]:
    """``{data: [row(...)], count, meta}`` for :class:`views.models.Table`."""
    rows = [row.model_validate(r) for r in records(df)]
    return {"data": rows, "count": len(rows), "meta": jsonable(meta)}


def split_list(value: str | Sequence[str] | None, what: str = "value", max_items: int = 200) -> list[str] | None:
    """``"a,b, c"`` → ``["a", "b", "c"]`` (None for empty)."""
    if value is None:
        return None
    items = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v and v.strip()]
    if len(items) > max_items:
        raise InvalidInput(f"too many {what}s (at most {max_items})")
    return items or None


def check_cases(scope: Scope, cases: str | Sequence[str] | None) -> list[str] | None:
    """Parse ``cases``; 404 when one is unknown or hidden from the scope (the two look alike)."""
    from graph.explore import existing

    ids = split_list(cases, "case")
    if ids is None:
        return None
    found = existing(scope, "Case", ids)
    missing = [c for c in ids if c not in found]
    if missing:
        raise NotFound(f"unknown case(s): {', '.join(missing[:10])}", {"missing": missing[:50]})
    return ids


def budget_seconds() -> float:
    """Seconds a synchronous analytics request may take before it becomes a job."""
    from graph.settings import get_settings

    return float(get_settings().budget_seconds)
