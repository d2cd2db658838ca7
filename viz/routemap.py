"""Route maps of trafficking corridors for meetings between countries.

Input: a corridors table (``source, transit, destination, victims, cases``;
``transit`` a tuple of location ids, as produced by
``analytics.routes.corridors`` after its own filtering) and a location table
(``id, name, lat, lon, kind``; countries by ISO 3166-1 alpha-3).  Output:
standalone HTML (inline SVG + a little JS, no network), PNG and PDF
(matplotlib), GeoJSON and CSV.

Country shapes are Natural Earth 1:110m admin-0 (public domain), bundled as
``viz/data/countries-110m.geojson`` (converted from the npm package
``world-atlas@2.0.2``; see ``viz/data/build_countries.py``).  No tile server.

Small-count suppression
-----------------------
As in official statistics, a count below ``min_count`` (default 5; zero
included) is never published:

1. a corridor's ``victims`` and ``cases`` below ``min_count`` are shown as
   ``"<5"`` (for ``min_count=5``) in every format and the number itself is not
   written anywhere (HTML data, SVG, GeoJSON ``null``, CSV text, PNG/PDF);
2. a corridor whose *victims* are suppressed is drawn with one fixed thin,
   dashed line, so its width carries no number;
3. every total (overall, per place, per country pair in the HTML filter) is
   the sum over *shown* (unsuppressed) values only and says how many
   suppressed corridors it leaves out; the true total is never printed, so a
   suppressed value cannot be recovered by subtracting shown cells from a
   total.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import math
from collections.abc import Hashable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from viz.pages import render_page

__all__ = [
    "routemap_html",
    "routemap_png",
    "routemap_pdf",
    "routemap_geojson",
    "routemap_csv",
    "prepare_corridors",
    "country_shapes",
]

_DATA = Path(__file__).resolve().parent / "data" / "countries-110m.geojson"
ROLE_STYLE = {  # colour, svg/mpl marker
    "source": ("#2ca02c", "o"),
    "transit": ("#ff7f0e", "D"),
    "destination": ("#d62728", "s"),
}
_ARC_COLOUR = "#7b3294"
_SUPPRESSED_WIDTH = 1.0
_PROVENANCE = "Country shapes: Natural Earth 1:110m (public domain)"


@lru_cache(maxsize=1)
def country_shapes() -> dict[str, Any]:
    """The bundled Natural Earth 1:110m countries as a GeoJSON FeatureCollection."""
    with _DATA.open(encoding="utf-8") as fh:
        return json.load(fh)


def _country_centroid(iso3: str) -> tuple[float, float] | None:
    for f in country_shapes()["features"]:
        if f["properties"]["iso3"] == iso3:
            rings = [poly[0] for poly in f["geometry"]["coordinates"]]
            ring = max(rings, key=len)
            lons = [p[0] for p in ring]
            lats = [p[1] for p in ring]
            return (sum(lons) / len(lons), sum(lats) / len(lats))
    return None


def _locations(locations: pd.DataFrame | Mapping[Hashable, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    if locations is None:
        return {}
    if isinstance(locations, pd.DataFrame):
        rows = locations.to_dict("records")
        return {str(r["id"]): r for r in rows}
    return {str(k): {"id": str(k), **dict(v)} for k, v in locations.items()}


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, str]:
    from ingest.gazetteer import LOCATIONS

    return {r["id"]: r["name"] for r in LOCATIONS}


def _default_name(pid: str) -> str:
    """A place's English name when the location table has none: the gazetteer's, then pycountry's."""
    name = _gazetteer().get(pid)
    if name:
        return name
    if len(pid) == 3 and pid.isalpha():
        import pycountry

        c = pycountry.countries.get(alpha_3=pid.upper())
        if c is not None:
            return str(getattr(c, "common_name", None) or c.name)
    return pid


def _num(v: Any) -> int | None:
    """A count as int, None when missing or suppressed (None, NaN, <NA>)."""
    if v is None or v is pd.NA:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return int(v)


def _fmt_count(v: int | None, min_count: int) -> str:
    return f"<{min_count}" if v is None else f"{v:,}"


def prepare_corridors(
    corridors: pd.DataFrame,
    locations: pd.DataFrame | Mapping[Hashable, Mapping[str, Any]] | None = None,
    *,
    min_count: int = 5,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Apply the suppression rule and resolve place coordinates.

    Returns
    -------
    (corridors, places)
        ``corridors``: dicts with ``source, transit, destination, stops, route,
        victims`` (int or ``None`` when suppressed), ``cases`` (idem),
        ``victims_display``, ``cases_display``, ``suppressed``.
        ``places``: id -> ``name, lat, lon, kind, roles, victims_shown,
        suppressed_corridors``.  Never contains a suppressed number.

    Examples
    --------
    >>> df = pd.DataFrame({"source": ["MMR", "LAO"], "transit": [(), ()],
    ...     "destination": ["THA", "THA"], "victims": [12, 3], "cases": [6, 1]})
    >>> cs, places = prepare_corridors(df)
    >>> [(c["victims"], c["victims_display"]) for c in cs]
    [(12, '12'), (None, '<5')]
    >>> places["THA"]["victims_shown"], places["THA"]["suppressed_corridors"]
    (12, 1)
    """
    locs = _locations(locations)
    out: list[dict[str, Any]] = []
    places: dict[str, dict[str, Any]] = {}

    def place(pid: str) -> dict[str, Any]:
        if pid not in places:
            row = locs.get(pid, {})
            lat, lon = row.get("lat"), row.get("lon")
            if lat is None or lon is None or pd.isna(lat) or pd.isna(lon):
                c = _country_centroid(pid)
                lon, lat = c if c else (None, None)
            places[pid] = {
                "id": pid,
                "name": str(row.get("name") or _default_name(pid)),
                "kind": str(row.get("kind") or ("country" if len(pid) == 3 and pid.isupper() else "")),
                "lat": None if lat is None else float(lat),
                "lon": None if lon is None else float(lon),
                "roles": [],
                "victims_shown": 0,
                "suppressed_corridors": 0,
            }
        return places[pid]

    for r in corridors.to_dict("records"):
        transit = r.get("transit")
        if transit is None or (isinstance(transit, float) and math.isnan(transit)):
            transit = ()
        elif isinstance(transit, str):
            transit = tuple(t for t in transit.replace(">", " ").split() if t)
        transit = tuple(str(t) for t in transit)
        src, dst = str(r["source"]), str(r["destination"])
        stops = [src, *transit, dst]
        v, c = _num(r.get("victims")), _num(r.get("cases"))
        cases_known = r.get("cases_known") is not False
        sv = None if v is None or v < min_count else v
        sc = None if c is None or c < min_count or not cases_known else c
        for role, ids in (("source", [src]), ("transit", list(transit)), ("destination", [dst])):
            for pid in ids:
                p = place(pid)
                if role not in p["roles"]:
                    p["roles"].append(role)
        for pid in dict.fromkeys(stops):
            if sv is None:
                places[pid]["suppressed_corridors"] += 1
            else:
                places[pid]["victims_shown"] += sv
        out.append({
            "source": src,
            "transit": list(transit),
            "destination": dst,
            "stops": stops,
            "route": " > ".join(stops),
            "route_names": " → ".join(place(x)["name"] for x in stops),
            "victims": sv,
            "cases": sc,
            "victims_display": _fmt_count(sv, min_count),
            "cases_display": _fmt_count(sc, min_count) if cases_known else "n/a",
            "suppressed": sv is None or (sc is None and cases_known),
            "victims_suppressed": sv is None,
        })
    out.sort(key=lambda x: (-(x["victims"] or 0), x["route"]))
    return out, places


def _totals(cs: list[dict[str, Any]], min_count: int) -> str:
    shown = sum(c["victims"] for c in cs if c["victims"] is not None)
    k = sum(1 for c in cs if c["victims"] is None)
    txt = f"{shown:,} victims on {len(cs) - k} shown corridors"
    if k:
        txt += f" (+ {k} corridor{'s' if k != 1 else ''} with <{min_count}, not counted)"
    return txt


# ----------------------------------------------------------------- geometry
def _segment_curve(a: tuple[float, float], b: tuple[float, float], bend: float, n: int = 20) -> list[tuple[float, float]]:
    """Quadratic Bezier from a to b (lon/lat), control point offset perpendicular by ``bend`` x length."""
    (x0, y0), (x1, y1) = a, b
    if (x0, y0) == (x1, y1):  # domestic loop: a small circle north of the point
        r = 0.9
        return [(x0 + r * math.sin(2 * math.pi * t / n), y0 + r - r * math.cos(2 * math.pi * t / n)) for t in range(n + 1)]
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = x1 - x0, y1 - y0
    cx, cy = mx - dy * bend, my + dx * bend
    pts = []
    for i in range(n + 1):
        t = i / n
        pts.append(((1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x1, (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y1))
    return pts


def _arc_paths(cs: list[dict[str, Any]], places: dict[str, dict[str, Any]]) -> list[list[tuple[float, float]]]:
    """One sampled polyline (lon, lat) per corridor; parallel segments bend differently."""
    seen: dict[tuple[str, str], int] = {}
    arcs = []
    for c in cs:
        pts: list[tuple[float, float]] = []
        for a, b in zip(c["stops"][:-1], c["stops"][1:], strict=True):
            pa, pb = places[a], places[b]
            if pa["lon"] is None or pb["lon"] is None:
                continue
            key = (min(a, b), max(a, b))
            k = seen.get(key, 0)
            seen[key] = k + 1
            bend = 0.18 + 0.1 * k
            seg = _segment_curve((pa["lon"], pa["lat"]), (pb["lon"], pb["lat"]), bend)
            pts.extend(seg if not pts else seg[1:])
        arcs.append(pts)
    return arcs


def _width(v: int | None, vmax: int) -> float:
    if v is None or vmax <= 0:
        return _SUPPRESSED_WIDTH
    return 1.5 + 8.5 * math.sqrt(v / vmax)


def _bbox(places: dict[str, dict[str, Any]]) -> tuple[float, float, float, float]:
    lons = [p["lon"] for p in places.values() if p["lon"] is not None]
    lats = [p["lat"] for p in places.values() if p["lat"] is not None]
    if not lons:
        return (90.0, -12.0, 130.0, 30.0)
    x0, x1, y0, y1 = min(lons), max(lons), min(lats), max(lats)
    w, h = max(x1 - x0, 10.0), max(y1 - y0, 8.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = w * 1.35, h * 1.35
    k = math.cos(math.radians(cy))
    if w * k < 1.6 * h:  # landscape, like the page
        w = 1.6 * h / k
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _filters_text(filters: Mapping[str, Any] | None) -> str:
    if not filters:
        return "Filters: none"
    parts = []
    for k, v in filters.items():
        if v is None or v == "" or v == [] or v == ():
            continue
        if isinstance(v, (list, tuple, set)):
            v = ", ".join(str(x) for x in v)
        parts.append(f"{k}={v}")
    return "Filters: " + ("; ".join(parts) if parts else "none")


def _meta(title: str, filters: Mapping[str, Any] | None, sources: Iterable[str] | None,
          generated: _dt.date | _dt.datetime | str | None, min_count: int) -> dict[str, str]:
    gen = generated or _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(gen, (_dt.date, _dt.datetime)):
        gen = gen.isoformat()
    src = ", ".join(sources) if sources else "netintel case records"
    return {
        "title": title,
        "filters": _filters_text(filters),
        "sources": f"Data sources: {src}. {_PROVENANCE}.",
        "generated": f"Generated {gen}",
        "suppression": f"Counts below {min_count} are shown as <{min_count}; totals count shown corridors only.",
    }


# --------------------------------------------------------------------- HTML
def _svg_data(cs: list[dict[str, Any]], places: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Projected SVG geometry for ``routemap.html``: viewBox, country paths, arcs, places.

    Only numbers and path data are formatted here; every text (names, tooltips)
    stays a plain string and is escaped by the template.
    """
    x0, y0, x1, y1 = _bbox(places)
    lat0 = math.radians((y0 + y1) / 2)
    k = math.cos(lat0)
    W = 1000.0
    sx = W / ((x1 - x0) * k)
    H = (y1 - y0) * sx

    def P(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - x0) * k * sx, (y1 - lat) * sx)

    involved = {p["id"] for p in places.values()}
    countries: list[dict[str, Any]] = []
    for f in country_shapes()["features"]:
        polys = f["geometry"]["coordinates"]
        ring_bb = [(min(p[0] for p in poly[0]), min(p[1] for p in poly[0]), max(p[0] for p in poly[0]),
                    max(p[1] for p in poly[0])) for poly in polys]
        keep = [poly for poly, bb in zip(polys, ring_bb, strict=True)
                if bb[2] >= x0 and bb[0] <= x1 and bb[3] >= y0 and bb[1] <= y1]
        if not keep:
            continue
        d = []
        for poly in keep:
            for ring in poly:
                pts = [P(lon, lat) for lon, lat in ring]
                d.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
        iso = f["properties"]["iso3"]
        countries.append({"cls": "rm-country inv" if iso in involved else "rm-country", "iso3": iso,
                          "d": "".join(d), "name": f["properties"]["name"]})
    arcs: list[dict[str, Any]] = []
    vmax = max([c["victims"] for c in cs if c["victims"] is not None] or [0])
    for i, (c, pts) in enumerate(zip(cs, _arc_paths(cs, places), strict=True)):
        if len(pts) < 2:
            continue
        arcs.append({
            "i": i,
            "cls": "rm-arc sup" if c["victims"] is None else "rm-arc",
            "d": "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in (P(lon, lat) for lon, lat in pts)),
            "width": f"{_width(c['victims'], vmax):.2f}",
            "tip": f"{c['route']}: victims {c['victims_display']}, cases {c['cases_display']}",
        })
    marks: list[dict[str, Any]] = []
    for p in places.values():
        if p["lon"] is None:
            continue
        x, y = P(p["lon"], p["lat"])
        tip = f'{p["name"]} ({p["id"]}): {", ".join(p["roles"])}; {p["victims_shown"]:,} victims on shown corridors'
        if p["suppressed_corridors"]:
            tip += f' + {p["suppressed_corridors"]} suppressed'
        marks.append({"id": p["id"], "name": p["name"], "tip": tip, "roles": p["roles"],
                      "x": f"{x:.1f}", "y": f"{y:.1f}",
                      "sx": f"{x - 8:.1f}", "sy": f"{y - 8:.1f}",  # destination square
                      "dx": f"{x - 5:.1f}", "dy": f"{y - 5:.1f}",  # transit diamond
                      "lx": f"{x + 10:.1f}", "ly": f"{y - 8:.1f}"})  # label
    return {"w": f"{W:.0f}", "h": f"{H:.0f}", "cx": f"{W / 2:.0f}", "cy": f"{H / 2:.0f}",
            "countries": countries, "arcs": arcs, "places": marks}


def routemap_html(
    corridors: pd.DataFrame,
    locations: pd.DataFrame | Mapping[Hashable, Mapping[str, Any]] | None,
    *,
    title: str = "Trafficking corridors",
    filters: Mapping[str, Any] | None = None,
    min_count: int = 5,
    sources: Iterable[str] | None = None,
    watermark: str | None = None,
    generated: _dt.date | _dt.datetime | str | None = None,
    user: str | None = None,
    role: str | None = None,
) -> str:
    """Standalone interactive route map (inline SVG + JS, works offline), with the site header.

    One ``path.rm-arc`` per corridor (width ~ sqrt(victims)), sources as green
    circles, transit as orange diamonds, destinations as red squares; hover
    shows the corridor, a select filters by country pair (totals recomputed
    from shown values only).  The page is ``viz/templates/routemap.html``;
    ``user`` and ``role`` (optional) are shown in the site header, which is
    hidden when the map is framed (the routes page shows it in an iframe).

    Examples
    --------
    >>> df = pd.DataFrame({"source": ["MMR"], "transit": [("LAO",)], "destination": ["THA"],
    ...     "victims": [40], "cases": [9]})
    >>> html = routemap_html(df, None, title="MMR-THA")
    >>> html.count('class="rm-arc"')
    1
    """
    cs, places = prepare_corridors(corridors, locations, min_count=min_count)
    meta = _meta(title, filters, sources, generated, min_count)
    pairs = sorted({f'{c["source"]}>{c["destination"]}' for c in cs})
    data = {
        "min_count": min_count,
        "corridors": [{k: c[k] for k in ("source", "transit", "destination", "route", "victims", "cases",
                                          "victims_display", "cases_display")} for c in cs],
    }
    return render_page(
        "routemap.html", title=title, meta=meta, min_count=min_count, watermark=watermark,
        pairs=[(p, p.replace(">", " → ")) for p in pairs], roles=ROLE_STYLE, arrow_colour=_ARC_COLOUR,
        svg=_svg_data(cs, places), data=data, user=user, role=role,
    ) + "\n"


# ------------------------------------------------------------- matplotlib
@lru_cache(maxsize=1)
def _font_families() -> list[str]:
    """Noto for every script in the data (viz.fonts), then the TLWG Thai fonts."""
    from matplotlib import font_manager

    from viz.fonts import matplotlib_families

    have = {f.name for f in font_manager.fontManager.ttflist}
    extra = [f for f in ("Loma", "Garuda", "Norasi", "Kinnari", "Tlwg Typo") if f in have]
    fams = [f for f in matplotlib_families() if f != "sans-serif"] + extra
    return fams or ["sans-serif"]


def _figure(corridors: pd.DataFrame, locations: Any, *, title: str, filters: Mapping[str, Any] | None,
            min_count: int, sources: Iterable[str] | None, watermark: str | None,
            generated: Any) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon

    cs, places = prepare_corridors(corridors, locations, min_count=min_count)
    meta = _meta(title, filters, sources, generated, min_count)
    x0, y0, x1, y1 = _bbox(places)
    fig = Figure(figsize=(11.0, 8.5))
    ax = fig.add_axes((0.03, 0.16, 0.94, 0.74))
    ax.set_facecolor("#eaf2f8")
    involved = set(places)
    for f in country_shapes()["features"]:
        inv = f["properties"]["iso3"] in involved
        for poly in f["geometry"]["coordinates"]:
            ring = poly[0]
            lons = [p[0] for p in ring]
            lats = [p[1] for p in ring]
            if max(lons) < x0 or min(lons) > x1 or max(lats) < y0 or min(lats) > y1:
                continue
            ax.add_patch(Polygon(ring, closed=True, facecolor="#e7dfcc" if inv else "#f4f1ea",
                                 edgecolor="#9a9a9a", linewidth=0.5, zorder=1))
    vmax = max([c["victims"] for c in cs if c["victims"] is not None] or [0])
    for c, pts in zip(cs, _arc_paths(cs, places), strict=True):
        if len(pts) < 2:
            continue
        xs, ys = zip(*pts, strict=True)
        ax.plot(xs, ys, color=_ARC_COLOUR, alpha=0.65, linewidth=_width(c["victims"], vmax) * 0.8,
                linestyle=(0, (3, 2)) if c["victims"] is None else "-", solid_capstyle="round", zorder=3)
        ax.annotate("", xy=pts[-1], xytext=pts[-3], zorder=4,
                    arrowprops={"arrowstyle": "-|>", "color": _ARC_COLOUR, "lw": 0.8, "mutation_scale": 12})
        mid = pts[len(pts) // 2]
        ax.text(mid[0], mid[1], c["victims_display"], fontsize=7, color="#4a1f5c", ha="center", va="center",
                zorder=5, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
    for p in places.values():
        if p["lon"] is None:
            continue
        for role, size in (("destination", 110), ("source", 70), ("transit", 50)):
            if role in p["roles"]:
                col, marker = ROLE_STYLE[role]
                ax.scatter([p["lon"]], [p["lat"]], s=size, c=col, marker=marker, edgecolors="white", zorder=6)
        ax.text(p["lon"] + 0.4, p["lat"] + 0.4, p["name"], fontsize=9, zorder=7,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    handles = [Line2D([], [], marker=m, color=col, linestyle="", markersize=8, label=role)
               for role, (col, m) in ROLE_STYLE.items()]
    handles.append(Line2D([], [], color=_ARC_COLOUR, lw=4, label="corridor (width ∝ √victims)"))
    handles.append(Line2D([], [], color=_ARC_COLOUR, lw=1, linestyle=(0, (3, 2)), label=f"victims <{min_count}"))
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
    fig.text(0.03, 0.955, meta["title"], fontsize=15, weight="bold", va="center")
    fig.text(0.03, 0.92, meta["filters"], fontsize=9, va="center")
    fig.text(0.03, 0.115, _totals(cs, min_count), fontsize=9)
    fig.text(0.03, 0.085, meta["sources"], fontsize=8, color="#444")
    fig.text(0.03, 0.06, meta["suppression"], fontsize=8, color="#444")
    fig.text(0.03, 0.035, meta["generated"], fontsize=8, color="#444")
    if watermark:
        fig.text(0.5, 0.5, watermark, fontsize=60, color="black", alpha=0.08, rotation=25,
                 ha="center", va="center", weight="bold")
    return fig


def _render(fmt: str, corridors: pd.DataFrame, locations: Any, **kw: Any) -> bytes:
    import matplotlib

    with matplotlib.rc_context({"font.family": _font_families(), "pdf.fonttype": 42, "svg.fonttype": "none"}):
        dpi = kw.pop("dpi", 150)
        fig = _figure(corridors, locations, **kw)
        buf = io.BytesIO()
        meta = {"Title": kw["title"]} if fmt == "pdf" else {"Title": kw["title"], "Software": "netintel"}
        fig.savefig(buf, format=fmt, dpi=dpi if fmt == "png" else None, metadata=meta)
    return buf.getvalue()


def routemap_png(
    corridors: pd.DataFrame,
    locations: pd.DataFrame | Mapping[Hashable, Mapping[str, Any]] | None,
    *,
    title: str = "Trafficking corridors",
    filters: Mapping[str, Any] | None = None,
    min_count: int = 5,
    sources: Iterable[str] | None = None,
    watermark: str | None = None,
    generated: _dt.date | _dt.datetime | str | None = None,
    dpi: int = 150,
) -> bytes:
    """The route map as a PNG (title, filters, sources, date in the margin; Thai text rendered).

    Examples
    --------
    >>> df = pd.DataFrame({"source": ["KHM"], "transit": [()], "destination": ["THA"],
    ...     "victims": [7], "cases": [2]})
    >>> routemap_png(df, None)[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    return _render("png", corridors, locations, title=title, filters=filters, min_count=min_count,
                   sources=sources, watermark=watermark, generated=generated, dpi=dpi)


def routemap_pdf(
    corridors: pd.DataFrame,
    locations: pd.DataFrame | Mapping[Hashable, Mapping[str, Any]] | None,
    *,
    title: str = "Trafficking corridors",
    filters: Mapping[str, Any] | None = None,
    min_count: int = 5,
    sources: Iterable[str] | None = None,
    watermark: str | None = None,
    generated: _dt.date | _dt.datetime | str | None = None,
) -> bytes:
    """The route map as a one-page PDF (fonts embedded as TrueType)."""
    return _render("pdf", corridors, locations, title=title, filters=filters, min_count=min_count,
                   sources=sources, watermark=watermark, generated=generated)


def _unwrap(stops: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Longitudes made continuous along a route (each hop the short way, across the antimeridian if shorter)."""
    out: list[tuple[float, float]] = []
    for lon, lat in stops:
        if out:
            prev = out[-1][0]
            while lon - prev > 180:
                lon -= 360
            while lon - prev < -180:
                lon += 360
        out.append((lon, lat))
    return out


def _split_antimeridian(pts: list[tuple[float, float]]) -> list[list[list[float]]]:
    """A continuous-longitude polyline as parts within [-180, 180] (RFC 7946 §3.1.9)."""
    parts: list[list[list[float]]] = [[]]

    def norm(x: float) -> float:
        return ((x + 180.0) % 360.0) - 180.0 if not -180.0 <= x <= 180.0 else x

    for i, (lon, lat) in enumerate(pts):
        if i:
            plon, plat = pts[i - 1]
            k0, k1 = math.floor((plon + 180) / 360), math.floor((lon + 180) / 360)
            if k0 != k1:  # crosses ±180 between the two points
                edge = 180.0 + 360.0 * min(k0, k1)
                t = (edge - plon) / (lon - plon)
                ylat = plat + t * (lat - plat)
                east = lon > plon
                parts[-1].append([180.0 if east else -180.0, round(ylat, 5)])
                parts.append([[-180.0 if east else 180.0, round(ylat, 5)]])
        parts[-1].append([round(norm(lon), 5), round(lat, 5)])
    return [p for p in parts if len(p) >= 2]


def _meta_dict(cs: list[dict[str, Any]], meta: Mapping[str, Any], min_count: int,
               extra: Mapping[str, Any] | None) -> dict[str, Any]:
    shown = sum(c["victims"] for c in cs if c["victims"] is not None)
    out = {**meta, "min_count": min_count, "victims_shown": shown,
           "corridors_suppressed": sum(1 for c in cs if c["victims"] is None)}
    out.update(dict(extra or {}))
    return out


def routemap_geojson(
    corridors: pd.DataFrame,
    locations: pd.DataFrame | Mapping[Hashable, Mapping[str, Any]] | None,
    *,
    title: str = "Trafficking corridors",
    filters: Mapping[str, Any] | None = None,
    min_count: int = 5,
    sources: Iterable[str] | None = None,
    generated: _dt.date | _dt.datetime | str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """GeoJSON FeatureCollection (RFC 7946): a feature per corridor and a Point per place.

    A corridor between places is a LineString through its stops (a MultiLineString when it crosses
    the antimeridian, each hop going the short way); a domestic corridor (one place) is a Point.
    Corridors whose places have no coordinates are not drawn and listed in ``metadata.not_drawn``.
    Properties carry codes and names; a suppressed count is ``null`` with ``suppressed: true``.

    Examples
    --------
    >>> df = pd.DataFrame({"source": ["MMR", "THA"], "transit": [(), ()], "destination": ["THA", "THA"],
    ...     "victims": [12, 7], "cases": [3, 2]})
    >>> fc = routemap_geojson(df, None)
    >>> [f["geometry"]["type"] for f in fc["features"]][:2], fc["features"][0]["properties"]["victims"]
    (['LineString', 'Point'], 12)
    """
    cs, places = prepare_corridors(corridors, locations, min_count=min_count)
    meta = _meta(title, filters, sources, generated, min_count)
    feats: list[dict[str, Any]] = []
    not_drawn: list[str] = []
    for c in cs:
        stops = [s for s in dict.fromkeys(c["stops"])] if len(set(c["stops"])) == 1 else c["stops"]
        known = [(places[s]["lon"], places[s]["lat"]) for s in stops if places[s]["lon"] is not None]
        if len(known) != len(stops) or not known:
            not_drawn.append(c["route"])
            continue
        props = {"feature": "corridor", "source": c["source"], "source_name": places[c["source"]]["name"],
                 "transit": c["transit"], "transit_names": [places[t]["name"] for t in c["transit"]],
                 "destination": c["destination"], "destination_name": places[c["destination"]]["name"],
                 "route": c["route_names"], "route_codes": c["route"], "victims": c["victims"],
                 "cases": c["cases"], "victims_display": c["victims_display"],
                 "cases_display": c["cases_display"], "suppressed": c["suppressed"],
                 "domestic": len(set(c["stops"])) == 1}
        pts = _unwrap(known)
        if len({(round(x, 6), round(y, 6)) for x, y in pts}) == 1:
            geom: dict[str, Any] = {"type": "Point", "coordinates": [round(known[0][0], 5), round(known[0][1], 5)]}
        else:
            parts = _split_antimeridian(pts)
            geom = ({"type": "LineString", "coordinates": parts[0]} if len(parts) == 1
                    else {"type": "MultiLineString", "coordinates": parts})
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    for p in places.values():
        if p["lon"] is None:
            continue
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
                      "properties": {"feature": "place", "id": p["id"], "name": p["name"], "kind": p["kind"],
                                     "roles": p["roles"], "victims_shown": p["victims_shown"]}})
    md = _meta_dict(cs, meta, min_count, extra)
    md["not_drawn"] = not_drawn
    md["filters_applied"] = dict(filters or {})
    return {"type": "FeatureCollection", "features": feats, "metadata": md}


CSV_COLUMNS = ["source", "source_name", "transit", "transit_names", "destination", "destination_name", "route",
               "victims", "cases", "suppressed", "share", "previous", "change"]


def routemap_csv(
    corridors: pd.DataFrame,
    locations: pd.DataFrame | Mapping[Hashable, Mapping[str, Any]] | None = None,
    *,
    min_count: int = 5,
    bom: bool = True,
) -> str:
    """CSV of corridors for spreadsheets and ``pandas.read_csv(path)`` as is.

    One header line, then one row per corridor: codes *and* names, ``victims`` and
    ``cases`` as plain numbers (empty when suppressed) with a separate ``suppressed``
    flag (``true``/``false``), and ``share``, ``previous``, ``change`` when known.
    No comment lines: the metadata (title, filters, sources, totals) is the sidecar
    :func:`routemap_metadata`.  With ``bom`` the text starts with U+FEFF so that Excel
    reads it as UTF-8 (pandas skips it).

    Examples
    --------
    >>> df = pd.DataFrame({"source": ["MMR"], "transit": [()], "destination": ["THA"],
    ...     "victims": [1150], "cases": [3]})
    >>> print(routemap_csv(df, bom=False).splitlines()[1])
    MMR,Myanmar,,,THA,Thailand,Myanmar → Thailand,1150,,true,,,
    """
    cs, places = prepare_corridors(corridors, locations, min_count=min_count)
    extra = _extra_columns(corridors)
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for c in cs:
        x = extra.get(c["route"], {})
        w.writerow([c["source"], places[c["source"]]["name"], " > ".join(c["transit"]),
                    " > ".join(places[t]["name"] for t in c["transit"]), c["destination"],
                    places[c["destination"]]["name"], c["route_names"],
                    "" if c["victims"] is None else c["victims"], "" if c["cases"] is None else c["cases"],
                    "true" if c["suppressed"] else "false",
                    *("" if x.get(k) is None else x[k] for k in ("share", "previous", "change"))])
    return buf.getvalue()


def _extra_columns(corridors: pd.DataFrame) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if not len(corridors) or not {"share", "previous", "change"} & set(corridors.columns):
        return out
    for r in corridors.to_dict("records"):
        t = r.get("transit")
        t = tuple(t) if isinstance(t, tuple | list) else ()
        key = " > ".join([str(r["source"]), *map(str, t), str(r["destination"])])
        out[key] = {k: (None if _num_or_none(r.get(k)) is None else r.get(k)) for k in ("share", "previous", "change")}
    return out


def _num_or_none(v: Any) -> float | None:
    try:
        return None if v is None or pd.isna(v) else float(v)
    except (TypeError, ValueError):
        return None


def routemap_metadata(
    corridors: pd.DataFrame,
    locations: pd.DataFrame | Mapping[Hashable, Mapping[str, Any]] | None = None,
    *,
    title: str = "Trafficking corridors",
    filters: Mapping[str, Any] | None = None,
    min_count: int = 5,
    sources: Iterable[str] | None = None,
    generated: _dt.date | _dt.datetime | str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The sidecar of the CSV: title, filters, sources, date, suppression rule and totals."""
    cs, _places = prepare_corridors(corridors, locations, min_count=min_count)
    md = _meta_dict(cs, _meta(title, filters, sources, generated, min_count), min_count, extra)
    md["columns"] = {"victims": "victims (journeys); empty when suppressed", "cases": "distinct cases; empty when "
                     "suppressed or unknown (aggregate data)", "suppressed": "a count of the row is not published",
                     "share": "victims / total", "previous": "victims in the previous period",
                     "change": "victims - previous"}
    return md
