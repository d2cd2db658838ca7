"""Rebuild ``admin1-mekong.geojson``: province outlines for the route maps.

Provenance: Natural Earth 1:10m Admin 1 – States, Provinces (public domain,
https://www.naturalearthdata.com/about/terms-of-use/; "Made with Natural
Earth"), in the simplified regional copy
``$NETINTEL_DATASETS/natural_earth_admin1/admin1_mekong.geojson`` (its README
says where that copy came from: Elastic's TopoJSON conversion of
``ne_10m_admin_1_states_provinces``; THA, MMR, LAO, KHM, VNM, MYS, SGP, IDN,
BGD, three provinces of CHN and eight states of IND).

What this script changes, and nothing else: each polygon is simplified once
more (shapely, 0.02 degree, topology kept, so the file stays small enough to
ship), coordinates are rounded to 0.01 degree (≈1 km), and every feature keeps
``iso3, code, name, label_lon, label_lat`` and gets ``name_th`` from netintel's
gazetteer (``ingest/gazetteer.py``) where the gazetteer knows the ISO 3166-2
code. Usage (the output is committed)::

    python viz/data/build_admin1.py /work/shared/datasets/natural_earth_admin1/admin1_mekong.geojson \\
        viz/data/admin1-mekong.geojson
"""

from __future__ import annotations

import json
import sys
from typing import Any

__all__ = ["build"]

CREDIT = ("Province outlines: Natural Earth 1:10m Admin 1 (public domain), simplified; Thai names from the "
          "netintel gazetteer. Made with Natural Earth.")


def _round(geom: dict[str, Any]) -> dict[str, Any]:
    def ring(r: list[list[float]]) -> list[list[float]]:
        out: list[list[float]] = []
        for x, y in r:
            p = [round(x, 2), round(y, 2)]
            if not out or out[-1] != p:
                out.append(p)
        return out

    if geom["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geom["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geom["coordinates"]]}


def build(src: dict[str, Any], tolerance: float = 0.02) -> dict[str, Any]:
    """The shipped FeatureCollection from the regional Natural Earth copy."""
    import shapely
    from shapely.geometry import MultiPolygon, Polygon, mapping, shape
    from shapely.validation import make_valid

    from ingest.gazetteer import LOCATIONS

    thai = {r["id"]: r["name_th"] for r in LOCATIONS if r.get("name_th")}
    feats = []
    for f in src["features"]:
        p = f["properties"]
        g = shapely.set_precision(shape(f["geometry"]).simplify(tolerance, preserve_topology=True), 0.01)
        if not g.is_valid:
            g = make_valid(g)
        polys = [x for x in getattr(g, "geoms", [g]) if isinstance(x, Polygon | MultiPolygon) and not x.is_empty]
        if not polys:
            continue
        g = polys[0] if len(polys) == 1 else MultiPolygon([q for x in polys for q in getattr(x, "geoms", [x])])
        feats.append({"type": "Feature", "geometry": _round(dict(mapping(g))),
                      "properties": {"iso3": p["iso3"], "code": p["code"], "name": p["name"],
                                     "name_th": thai.get(p["code"]),
                                     "label_lon": round(p["label_lon"], 3), "label_lat": round(p["label_lat"], 3)}})
    return {"type": "FeatureCollection", "credit": CREDIT, "features": feats}


if __name__ == "__main__":  # pragma: no cover - a one-off build step
    with open(sys.argv[1], encoding="utf-8") as fh:
        data = build(json.load(fh))
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
    print(f"{len(data['features'])} features → {sys.argv[2]}")
