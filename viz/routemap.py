"""Route maps of trafficking corridors for meetings between countries.

Input: a corridors table (``source, transit, destination, victims, cases``;
``transit`` a tuple of location ids; from :mod:`views.routes` after its
disclosure control, or from aggregate flows, :mod:`analytics.flows`) and a
location table (``id, name, lat, lon, kind``; countries by ISO 3166-1 alpha-3).
Output: the briefing page as standalone HTML (inline SVG + a little JS, no
network), PNG and A4 PDF (matplotlib; :mod:`viz.briefing`), GeoJSON, CSV and
its metadata sidecar.  The map's geometry (zoom, outlines, fixed width scale,
label placement) is :mod:`viz.maplayout`.

Country shapes are Natural Earth 1:110m admin-0 (public domain), bundled as
``viz/data/countries-110m.geojson`` (converted from the npm package
``world-atlas@2.0.2``; see ``viz/data/build_countries.py``); province outlines
are Natural Earth admin-1, ``viz/data/admin1-mekong.geojson`` (see
``viz/data/build_admin1.py``).  No tile server.

Small counts
------------
A count below ``min_count`` (default 5), or one already withheld (``None``:
disclosure control or a published ``<5``), is shown as ``<5`` in every format
and its number is written nowhere; its corridor is a thin dashed line.
Viewers' corridor tables never contain such rows (:mod:`views.disclosure` does
not list them); investigators' exports and aggregate flows may.
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
    """A place's English name when the location table has none: UN naming, the gazetteer's, then pycountry's."""
    from core.places import un_name

    name = un_name(pid) or _gazetteer().get(pid)
    if name:
        return name
    if len(pid) == 3 and pid.isalpha():
        import pycountry

        c = pycountry.countries.get(alpha_3=pid.upper())
        if c is not None:
            return str(getattr(c, "common_name", None) or c.name)
    return pid


def _default_kind(pid: str) -> str:
    from core.places import UN_NAMES

    if pid in UN_NAMES:
        return UN_NAMES[pid][2]
    return "country" if len(pid) == 3 and pid.isupper() else ""


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
                "kind": str(row.get("kind") or _default_kind(pid)),
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
            "victims_display": _fmt_count(sv, min_count) + ("+" if sv is not None and _num(r.get("below_parts"))
                                                             else ""),
            "cases_display": _fmt_count(sc, min_count) if cases_known else "n/a",
            "suppressed": sv is None or (sc is None and cases_known),
            "victims_suppressed": sv is None,
        })
    out.sort(key=lambda x: (-(x["victims"] or 0), x["route"]))
    return out, places


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



# ------------------------------------------------------------- the page
def _pairs(cs: list[dict[str, Any]], places: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """Country pairs for the page's selector (every pair of countries on some corridor)."""
    seen: set[tuple[str, str]] = set()
    for c in cs:
        cc = sorted({s for s in c["stops"] if len(s) == 3 and s.isupper()})
        for i, a in enumerate(cc):
            for b in cc[i + 1:]:
                seen.add((a, b))
    return [(f"{a}-{b}", f"{places[a]['name']} – {places[b]['name']}") for a, b in sorted(seen)]


def _doc(corridors: pd.DataFrame, locations: Any, *, title: str, lang: str, info: Mapping[str, Any] | None,
         sources: Iterable[str] | None, generated: Any, stamp: str | None, classification: str, orientation: str,
         min_count: int, aspect: float | None, flows_name: str | None) -> Any:
    from .briefing import document

    cs, places = prepare_corridors(corridors, locations, min_count=min_count)
    gen = generated
    if isinstance(gen, _dt.date | _dt.datetime):
        gen = gen.isoformat()
    return document(cs, places, title=title, lang=lang, info=info, extra_rows=_extra_columns(corridors),
                    sources=sources, generated=gen, stamp=stamp, classification=classification,
                    orientation=orientation, min_count=min_count, aspect=aspect, flows_name=flows_name), cs, places


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
    lang: str = "en",
    info: Mapping[str, Any] | None = None,
    classification: str = "",
    orientation: str = "landscape",
    stamp: str | None = None,
    flows_name: str | None = None,
) -> str:
    """The briefing page as standalone HTML (inline SVG + a little JS, works offline; prints on A4).

    One ``path.rm-arc`` per drawn corridor (width on the fixed scale of :mod:`viz.maplayout`),
    sources as green circles, transit as orange diamonds, destinations as red squares; every
    label is a ``g.rm-label``/``g.rm-count`` holding its box ``rect.rm-lbox`` and its text, and no
    two boxes overlap.  ``info`` is the view's meta (years covered, filters in plain words,
    disclosure, totals, left-out journeys, sources); ``stamp`` (or the older ``watermark``) is
    printed small in the footer — who exported it and when — never across the map.

    Examples
    --------
    >>> df = pd.DataFrame({"source": ["MMR"], "transit": [("LAO",)], "destination": ["THA"],
    ...     "victims": [40], "cases": [9]})
    >>> html = routemap_html(df, None, title="MMR-THA")
    >>> html.count('class="rm-arc"')
    1
    """
    from .briefing import svg_context

    info = dict(info or {})
    if filters and "filters_plain" not in info:
        info["filters_plain"] = _filters_text(filters)
    doc, cs, places = _doc(corridors, locations, title=title, lang=lang, info=info, sources=sources,
                           generated=generated, stamp=stamp or watermark, classification=classification,
                           orientation=orientation, min_count=min_count, aspect=None, flows_name=flows_name)
    data = {"min_count": min_count,
            "corridors": [{"source": c["source"], "transit": c["transit"], "destination": c["destination"],
                           "route": c["route_names"], "codes": c["route"], "victims": c["victims"],
                           "cases": c["cases"],
                           "victims_display": c["victims_display"], "cases_display": c["cases_display"],
                           "countries": sorted({s for s in c["stops"] if len(s) == 3 and s.isupper()})}
                          for c in cs]}
    return render_page("routemap.html", title=title, doc=doc, svg=svg_context(doc), pairs=_pairs(cs, places),
                       data=data, user=user, role=role) + "\n"


def _render(fmt: str, corridors: pd.DataFrame, locations: Any, *, title: str, filters: Mapping[str, Any] | None,
            min_count: int, sources: Iterable[str] | None, watermark: str | None, generated: Any, lang: str,
            info: Mapping[str, Any] | None, classification: str, orientation: str, stamp: str | None,
            flows_name: str | None, dpi: int = 150) -> bytes:
    from .briefing import map_box, render_figure

    info = dict(info or {})
    if filters and "filters_plain" not in info:
        info["filters_plain"] = _filters_text(filters)
    _x, _y, mw, mh = map_box(orientation)
    aspect = mh / mw
    doc, _cs, _places = _doc(corridors, locations, title=title, lang=lang, info=info, sources=sources,
                             generated=generated, stamp=stamp or watermark, classification=classification,
                             orientation=orientation, min_count=min_count, aspect=aspect, flows_name=flows_name)
    return render_figure(doc, fmt, dpi=dpi)


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
    lang: str = "en",
    info: Mapping[str, Any] | None = None,
    classification: str = "",
    orientation: str = "landscape",
    stamp: str | None = None,
    flows_name: str | None = None,
) -> bytes:
    """The briefing page as a PNG (A4 proportions; Thai text drawn with a Thai font).

    Examples
    --------
    >>> df = pd.DataFrame({"source": ["KHM"], "transit": [()], "destination": ["THA"],
    ...     "victims": [7], "cases": [2]})
    >>> routemap_png(df, None, dpi=60)[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    return _render("png", corridors, locations, title=title, filters=filters, min_count=min_count, sources=sources,
                   watermark=watermark, generated=generated, lang=lang, info=info, classification=classification,
                   orientation=orientation, stamp=stamp, flows_name=flows_name, dpi=dpi)


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
    lang: str = "en",
    info: Mapping[str, Any] | None = None,
    classification: str = "",
    orientation: str = "landscape",
    stamp: str | None = None,
    flows_name: str | None = None,
) -> bytes:
    """The briefing page as a one-page A4 PDF (portrait or landscape; fonts embedded as TrueType)."""
    return _render("pdf", corridors, locations, title=title, filters=filters, min_count=min_count, sources=sources,
                   watermark=watermark, generated=generated, lang=lang, info=info, classification=classification,
                   orientation=orientation, stamp=stamp, flows_name=flows_name)


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
