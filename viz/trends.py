"""Trend chart: victims per year for each corridor (or in total), as SVG for the trends page.

The rows are the trends view's (already disclosure-controlled): a suppressed
year (``<5``) is drawn as a gap with an open marker on the axis, never as a
number.  Geometry only; every text is escaped by the template.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["trend_chart", "PALETTE"]

PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")


def _nice(v: float) -> float:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if v <= step * 5:
            return float(step)
    return float(10 ** len(str(int(v))))


def trend_chart(rows: Sequence[dict[str, Any]], *, max_series: int = 8, width: float = 760,
                height: float = 300) -> dict[str, Any]:
    """``{w, h, series: [{name, colour, d, points, gaps}], xticks, yticks}`` from trend rows
    (``year, route, victims``; ``victims`` None when suppressed).

    >>> c = trend_chart([{"year": 2020, "route": "A → B", "victims": 10},
    ...                  {"year": 2021, "route": "A → B", "victims": None},
    ...                  {"year": 2022, "route": "A → B", "victims": 30}])
    >>> [s["name"] for s in c["series"]], len(c["series"][0]["points"]), len(c["series"][0]["gaps"])
    (['A → B'], 2, 1)
    """
    years = sorted({int(r["year"]) for r in rows})
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["route"]] = totals.get(r["route"], 0) + int(r["victims"] or 0)
    names = sorted(totals, key=lambda n: -totals[n])[:max_series]
    top = max([int(r["victims"] or 0) for r in rows if r["route"] in names] or [1])
    step = _nice(top)
    ymax = step * max(1, -(-top // step))
    left, right, topm, bottom = 48.0, 12.0, 12.0, 28.0
    pw, ph = width - left - right, height - topm - bottom

    def X(y: int) -> float:
        return left + (pw * (years.index(y) / (len(years) - 1)) if len(years) > 1 else pw / 2)

    def Y(v: float) -> float:
        return topm + ph * (1 - v / ymax)

    series = []
    for i, name in enumerate(names):
        by_year = {int(r["year"]): r["victims"] for r in rows if r["route"] == name}
        pts, gaps, d, pen = [], [], [], False
        for y in years:
            val = by_year.get(y, 0) if y in by_year else 0
            if y in by_year and by_year[y] is None:
                gaps.append({"x": f"{X(y):.1f}", "y": f"{Y(0):.1f}", "year": y})
                pen = False
                continue
            x_, y_ = X(y), Y(float(val or 0))
            d.append(("L" if pen else "M") + f"{x_:.1f},{y_:.1f}")
            pen = True
            pts.append({"x": f"{x_:.1f}", "y": f"{y_:.1f}", "year": y, "value": f"{int(val or 0):,}"})
        series.append({"name": name, "colour": PALETTE[i % len(PALETTE)], "d": "".join(d), "points": pts,
                       "gaps": gaps})
    yt = [{"y": f"{Y(v):.1f}", "label": f"{int(v):,}"} for v in [step * k for k in range(int(ymax // step) + 1)]]
    xt = [{"x": f"{X(y):.1f}", "label": str(y)} for y in years]
    return {"w": f"{width:.0f}", "h": f"{height:.0f}", "left": f"{left:.0f}", "right": f"{width - right:.0f}",
            "base": f"{Y(0):.1f}", "series": series, "xticks": xt, "yticks": yt}
