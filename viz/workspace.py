"""Presentation helpers of the investigator's workspace pages (profile, case, search).

Pure functions from the typed view results to what the templates draw:
the positions of timeline events on one axis (an inline SVG, no inline
styles, so the pages keep a strict Content-Security-Policy), year ticks, and
the query strings of search pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

__all__ = ["KIND_COLOURS", "timeline_axis", "page_url"]

#: colour of each timeline event kind (also the legend)
KIND_COLOURS: dict[str, str] = {
    "journey_leg": "#3182bd", "transfer": "#e6550d", "case_opened": "#31a354", "case_closed": "#006d2c",
    "involvement": "#756bb1", "contact": "#636363", "affiliation": "#8c6d31", "holding": "#bd9e39",
    "ownership": "#843c39", "vehicle_use": "#d6616b", "first_seen": "#9ecae1", "last_seen": "#6baed6",
}


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def timeline_axis(events: list[Any], width: int = 1000) -> dict[str, Any]:
    """x positions (0..``width``) of dated events on one axis, with year ticks.

    >>> ax = timeline_axis([{"at": "2020-01-01", "kind": "a"}, {"at": "2022-01-01", "end": "2022-06-30", "kind": "b"}])
    >>> [round(p["x"]) for p in ax["points"]], ax["ticks"][0]["label"], ax["start"], ax["end"]
    ([0, 802], '2020', '2020-01-01', '2022-06-30')
    """
    rows = [e if isinstance(e, dict) else e.model_dump() for e in events]
    days = [(r, _day(r.get("at")), _day(r.get("end"))) for r in rows]
    dated = [(r, a, b) for r, a, b in days if a is not None]
    if not dated:
        return {"points": [], "ticks": [], "start": None, "end": None, "width": width}
    lo = min(a for _, a, _ in dated)
    hi = max(max(a, b or a) for _, a, b in dated)
    span = max((hi - lo).days, 1)

    def x(d: dt.date) -> float:
        return (d - lo).days / span * width

    lanes: dict[str, int] = {}
    points = []
    for i, (r, a, b) in enumerate(dated):
        lane = lanes.setdefault(r.get("kind", ""), len(lanes))
        points.append({"i": i, "x": x(a), "x2": x(b) if b and b > a else None, "lane": lane,
                       "colour": KIND_COLOURS.get(r.get("kind", ""), "#444"), "event": r})
    ticks = [{"x": x(dt.date(y, 1, 1)), "label": str(y)} for y in range(lo.year, hi.year + 1)
             if lo <= dt.date(y, 1, 1) <= hi]
    return {"points": points, "ticks": ticks, "start": lo.isoformat(), "end": hi.isoformat(), "width": width,
            "lanes": lanes}


def page_url(base: str, params: dict[str, Any], **changes: Any) -> str:
    """``base?query`` with ``changes`` applied (None removes a key).

    >>> page_url("/ui/search", {"q": "สมชาย", "page": 1}, page=2)
    '/ui/search?q=%E0%B8%AA%E0%B8%A1%E0%B8%8A%E0%B8%B2%E0%B8%A2&page=2'
    """
    merged = {**params, **changes}
    return base + "?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})
