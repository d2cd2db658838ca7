"""Rebuild ``countries-110m.geojson`` from the npm package ``world-atlas@2.0.2``.

Provenance: Natural Earth 1:110m Admin 0 – Countries, version 4.1.0 (public
domain, https://www.naturalearthdata.com/about/terms-of-use/), as TopoJSON
redistributed by Mike Bostock's ``world-atlas`` npm package (ISC licence).

Usage (needs npm, run once; the output is committed)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python viz/data/build_countries.py package/countries-110m.json viz/data/countries-110m.geojson

The TopoJSON arcs are decoded (delta + quantisation transform), ring
coordinates rounded to 0.01 degree, and each feature gets ``iso3`` (ISO
3166-1 alpha-3 from the numeric id through pycountry) and ``name``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pycountry

__all__ = ["topo_to_geojson"]


def _decode_arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((round(x * sx + tx, 2), round(y * sy + ty, 2)))
        out.append(pts)
    return out


def _ring(arcs: list[list[tuple[float, float]]], idx: list[int]) -> list[list[float]]:
    pts: list[tuple[float, float]] = []
    for i in idx:
        seg = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        pts.extend(seg if not pts else seg[1:])
    return [list(p) for p in pts]


def topo_to_geojson(topo: dict[str, Any], obj: str = "countries") -> dict[str, Any]:
    """Convert one TopoJSON object collection to a GeoJSON FeatureCollection."""
    arcs = _decode_arcs(topo)
    feats = []
    for g in topo["objects"][obj]["geometries"]:
        if g["type"] == "Polygon":
            polys = [g["arcs"]]
        elif g["type"] == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue
        coords = [[_ring(arcs, r) for r in poly] for poly in polys]
        num = g.get("id")
        c = pycountry.countries.get(numeric=num) if num else None
        name = g.get("properties", {}).get("name", "")
        iso3 = c.alpha_3 if c else ("XKX" if name == "Kosovo" else "")
        feats.append({
            "type": "Feature",
            "properties": {"iso3": iso3, "name": name},
            "geometry": {"type": "MultiPolygon", "coordinates": coords},
        })
    return {"type": "FeatureCollection", "features": feats}


if __name__ == "__main__":
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as fh:
        fc = topo_to_geojson(json.load(fh))
    fc["provenance"] = ("Natural Earth 1:110m Admin 0 countries v4.1.0 (public domain) via npm "
                        "world-atlas@2.0.2 countries-110m.json (ISC); converted by viz/data/build_countries.py")
    with open(dst, "w", encoding="utf-8") as fh:
        json.dump(fc, fh, ensure_ascii=False, separators=(",", ":"))
