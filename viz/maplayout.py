"""The geometry of a route map, computed once and drawn alike in SVG (HTML page) and matplotlib (PNG/PDF).

* **Zoom**: the frame fits the places in view (with a margin), continuous in
  longitude, so a route across the Pacific is drawn the short way.
* **Outlines**: Natural Earth 1:110m countries; and, when the map shows
  places below the country level, the shipped Natural Earth admin-1 province
  outlines (``viz/data/admin1-mekong.geojson``, see ``build_admin1.py``).
* **One fixed width scale**: a corridor of ``v`` victims is
  ``1.5 + 2.5·log10(v)`` map units wide on every map (10 → 4, 100 → 6.5,
  1,000 → 9), so two maps can be compared; a count that is not published
  (``<5``) is a thin dashed line.
* **Labels** (place names and counts) are placed by :mod:`viz.labels`: no two
  boxes overlap, and none covers a marker; counts sit next to their corridor's
  midpoint, never on a marker.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .labels import Box, Label, place_labels

__all__ = ["MapLayout", "layout", "width_for", "WIDTH_REFERENCES", "admin1_shapes", "ADMIN1_CREDIT",
           "SUPPRESSED_WIDTH"]

_DATA = Path(__file__).resolve().parent / "data"
SUPPRESSED_WIDTH = 1.2
WIDTH_REFERENCES = (10, 100, 1000)
ADMIN1_CREDIT = "Province outlines: Natural Earth admin-1 (public domain), simplified"
_NAME_SIZE = 12.0
_COUNT_SIZE = 11.0
_MAX_COUNT_LABELS = 14


def width_for(v: int | None) -> float:
    """Line width (map units) of a corridor of ``v`` victims on the fixed scale.

    >>> [round(width_for(v), 1) for v in (None, 5, 10, 100, 1000)]
    [1.2, 3.2, 4.0, 6.5, 9.0]
    """
    if v is None:
        return SUPPRESSED_WIDTH
    return 1.5 + 2.5 * math.log10(max(int(v), 1))


@lru_cache(maxsize=1)
def admin1_shapes() -> dict[str, Any]:
    with (_DATA / "admin1-mekong.geojson").open(encoding="utf-8") as fh:
        return json.load(fh)


@dataclass
class MapLayout:
    """Projected geometry in map units (width ``w``, height ``h``, y down)."""

    w: float
    h: float
    scale: float  # map units per degree of longitude at the centre
    countries: list[dict[str, Any]] = field(default_factory=list)
    provinces: list[dict[str, Any]] = field(default_factory=list)
    arcs: list[dict[str, Any]] = field(default_factory=list)
    markers: list[dict[str, Any]] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    counts: list[Label] = field(default_factory=list)
    legend: list[tuple[str, float]] = field(default_factory=list)
    outlines: bool = False

    def project_path(self, rings: list[list[tuple[float, float]]]) -> str:  # pragma: no cover - helper
        return "".join("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in r) + "Z" for r in rings)


def focus(cs: list[dict[str, Any]], share: float = 0.98) -> set[str]:
    """The places the map zooms to: the stops of the largest corridors that together hold ``share`` of the
    victims shown (every place when nothing is shown).  Corridors to farther places leave the frame
    (the table and the exports list them).

    >>> sorted(focus([{"stops": ["MMR", "THA"], "victims": 990}, {"stops": ["THA", "USA"], "victims": 10}]))
    ['MMR', 'THA']
    """
    shown = sorted((c for c in cs if c["victims"]), key=lambda c: -c["victims"])
    total = sum(c["victims"] for c in shown)
    if not total:
        return {s for c in cs for s in c["stops"]}
    out: set[str] = set()
    acc = 0
    for c in shown:
        out.update(c["stops"])
        acc += c["victims"]
        if acc >= share * total:
            break
    return out


def _frame(places: dict[str, dict[str, Any]], keep: set[str] | None = None) -> tuple[float, float, float, float, float]:
    """``(lon0, lat0, lon1, lat1, centre_lon)`` around the places (those in ``keep``), longitudes continuous."""
    pts = [(p["lon"], p["lat"]) for p in places.values() if p["lon"] is not None and (keep is None or p["id"] in keep)]
    if not pts:
        return (90.0, -12.0, 130.0, 30.0, 110.0)
    centre = sorted(x for x, _ in pts)[len(pts) // 2]
    lons = [_near(x, centre) for x, _ in pts]
    lats = [y for _, y in pts]
    x0, x1, y0, y1 = min(lons), max(lons), min(lats), max(lats)
    w, h = max(x1 - x0, 4.0), max(y1 - y0, 3.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = w * 1.3 + 2, h * 1.3 + 2
    k = math.cos(math.radians(cy))
    if w * k < 1.25 * h:
        w = 1.25 * h / k
    return (cx - w / 2, max(cy - h / 2, -85), cx + w / 2, min(cy + h / 2, 85), centre)


def _near(lon: float, centre: float) -> float:
    while lon - centre > 180:
        lon -= 360
    while lon - centre < -180:
        lon += 360
    return lon


def _curve(a: tuple[float, float], b: tuple[float, float], bend: float, n: int = 24) -> list[tuple[float, float]]:
    (x0, y0), (x1, y1) = a, b
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = x1 - x0, y1 - y0
    cx, cy = mx - dy * bend, my + dx * bend
    return [((1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x1, (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y1)
            for t in (i / n for i in range(n + 1))]


def _loop(x: float, y: float, r: float, n: int = 24) -> list[tuple[float, float]]:
    return [(x + r * math.sin(2 * math.pi * i / n), y - r + r * math.cos(2 * math.pi * i / n)) for i in range(n + 1)]


def layout(cs: list[dict[str, Any]], places: dict[str, dict[str, Any]], *, width: float = 1000.0,
           aspect: float | None = None, outlines: bool | None = None, count_labels: bool = True) -> MapLayout:
    """Project the prepared corridors and places (:func:`viz.routemap.prepare_corridors`).

    ``aspect`` (height / width) fixes the frame's shape (the page's); ``outlines`` draws the
    province outlines (default: when a place in view is not a country).
    """
    from .routemap import country_shapes

    x0, y0, x1, y1, centre = _frame(places, focus(cs))
    k = math.cos(math.radians((y0 + y1) / 2))
    if aspect is not None:  # widen or heighten the frame to the page's shape
        cur = (y1 - y0) / ((x1 - x0) * k)
        if cur < aspect:
            extra = ((x1 - x0) * k * aspect - (y1 - y0)) / 2
            y0, y1 = y0 - extra, y1 + extra
        else:
            extra = ((y1 - y0) / aspect / k - (x1 - x0)) / 2
            x0, x1 = x0 - extra, x1 + extra
    s = width / ((x1 - x0) * k)
    h = (y1 - y0) * s

    def P(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - x0) * k * s, (y1 - lat) * s)

    def rings_in_view(coords: list[Any], kind: str) -> list[list[tuple[float, float]]]:
        polys = coords if kind == "MultiPolygon" else [coords]
        out = []
        for poly in polys:
            if max(p[0] for p in poly[0]) - min(p[0] for p in poly[0]) > 180:  # crosses the antimeridian
                poly = [[(_near(x, centre), y) for x, y in r] for r in poly]
            for shift in (-360.0, 0.0, 360.0):
                ring = poly[0]
                lons = [p[0] + shift for p in ring]
                lats = [p[1] for p in ring]
                if max(lons) < x0 or min(lons) > x1 or max(lats) < y0 or min(lats) > y1:
                    continue
                for r in poly:
                    out.append([P(p[0] + shift, p[1]) for p in r])
        return out

    involved = {p["id"] for p in places.values()}
    lay = MapLayout(width, h, s)
    for f in country_shapes()["features"]:
        if f["properties"]["iso3"] == "ATA":
            continue  # Antarctica: a polar ring that no route reaches
        g = f["geometry"]
        rings = rings_in_view(g["coordinates"], g.get("type", "MultiPolygon"))
        if rings:
            iso = f["properties"]["iso3"]
            lay.countries.append({"iso3": iso, "name": f["properties"]["name"], "rings": rings,
                                  "involved": iso in involved})
    fine = any(p.get("kind") not in ("country", "area", "") for p in places.values())
    lay.outlines = fine if outlines is None else outlines
    if lay.outlines:
        for f in admin1_shapes()["features"]:
            g = f["geometry"]
            rings = rings_in_view(g["coordinates"], g["type"])
            if rings:
                pr = f["properties"]
                lay.provinces.append({"code": pr["code"], "name": pr["name"], "name_th": pr.get("name_th"),
                                      "rings": rings, "involved": pr["code"] in involved})
    # markers
    xy: dict[str, tuple[float, float]] = {}
    for p in places.values():
        if p["lon"] is None:
            continue
        x, y = P(_near(p["lon"], centre), p["lat"])
        xy[p["id"]] = (x, y)
        lay.markers.append({"id": p["id"], "name": p["name"], "x": x, "y": y, "roles": list(p["roles"]),
                            "r": 7.0 if "destination" in p["roles"] else 6.0, "kind": p.get("kind"),
                            "victims_shown": p["victims_shown"]})
    # arcs: every hop bends a little, parallel hops differently
    seen: dict[tuple[str, str], int] = {}
    for i, c in enumerate(cs):
        pts: list[tuple[float, float]] = []
        stops = c["stops"]
        if len(set(stops)) == 1 and stops[0] in xy:
            x, y = xy[stops[0]]
            pts = _loop(x, y, 14.0)
        else:
            for a, b in zip(stops[:-1], stops[1:], strict=True):
                if a not in xy or b not in xy or a == b:
                    continue
                key = (min(a, b), max(a, b))
                n = seen.get(key, 0)
                seen[key] = n + 1
                seg = _curve(xy[a], xy[b], 0.16 + 0.09 * n)
                pts.extend(seg if not pts else seg[1:])
        if len(pts) < 2:
            continue
        mid = pts[len(pts) // 2]
        lay.arcs.append({"i": i, "pts": pts, "width": width_for(c["victims"]), "dashed": c["victims"] is None,
                         "mid": mid, "route": c.get("route_names") or c["route"], "victims": c["victims"],
                         "display": c["victims_display"], "cases_display": c["cases_display"]})
    lay.arcs.sort(key=lambda a: -a["width"])
    # labels: place names (destinations and the busiest first), then counts off the markers
    lay.markers = [m for m in lay.markers if 0 <= m["x"] <= width and 0 <= m["y"] <= h]  # in the frame
    obstacles = [Box(m["x"] - m["r"] - 1, m["y"] - m["r"] - 1, 2 * m["r"] + 2, 2 * m["r"] + 2) for m in lay.markers]
    order = sorted(lay.markers, key=lambda m: (-("destination" in m["roles"]), -m["victims_shown"], m["name"]))
    lay.labels = place_labels([(m["id"], m["name"], m["x"], m["y"], _NAME_SIZE, m["r"]) for m in order],
                              width, h, obstacles)
    if count_labels:
        inside = [a for a in lay.arcs if 0 <= a["mid"][0] <= width and 0 <= a["mid"][1] <= h]
        busiest = sorted(inside, key=lambda a: -(a["victims"] or 0))[:_MAX_COUNT_LABELS]
        lay.counts = place_labels([(f"arc{a['i']}", a["display"], a["mid"][0], a["mid"][1], _COUNT_SIZE, 3.0)
                                   for a in busiest], width, h, obstacles + [x.box for x in lay.labels])
    top = max([a["victims"] or 0 for a in lay.arcs] or [0])
    refs = [r for r in WIDTH_REFERENCES] + ([10000] if top >= 5000 else [])
    lay.legend = [(f"{r:,}", width_for(r)) for r in refs]
    return lay


def svg_path(rings: list[list[tuple[float, float]]], close: bool = True) -> str:
    """SVG path data of projected rings."""
    z = "Z" if close else ""
    return "".join("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in r) + z for r in rings)
