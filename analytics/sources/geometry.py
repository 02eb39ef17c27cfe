"""Map geometry for the dashboard: light GeoJSON per dataset and level, written by the build.

Europe: GISCO NUTS 2021 1:60M (levels 0–2). United States: TopoJSON (us-atlas / clustermapping)
decoded here. Geometry is simplified and coordinates rounded so a map is sent quickly; every
feature carries ``id`` (the region id) and ``properties.name``.
"""
from __future__ import annotations

import json
from pathlib import Path

from shapely.geometry import mapping, shape


def _round(coords, nd):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], nd), round(coords[1], nd)]
    return [_round(c, nd) for c in coords]


def light_feature(fid: str, name: str, geometry: dict, tolerance: float, precision: int) -> dict | None:
    geom = shape(geometry)
    if tolerance:
        geom = geom.simplify(tolerance, preserve_topology=True)
    if geom.is_empty:
        return None
    g = mapping(geom)
    return {"type": "Feature", "id": fid, "properties": {"name": name},
            "geometry": {"type": g["type"], "coordinates": _round(g["coordinates"], precision)}}


def feature_collection(features: list[dict | None]) -> dict:
    return {"type": "FeatureCollection", "features": [f for f in features if f]}


def eu_geometry(path: Path, tolerance: float = 0.0, precision: int = 3) -> dict:
    with open(path, encoding="utf-8") as fh:
        src = json.load(fh)
    return feature_collection([
        light_feature(f["properties"]["NUTS_ID"], f["properties"].get("NAME_LATN", ""), f["geometry"],
                      tolerance, precision)
        for f in src["features"]
    ])


# --- TopoJSON -------------------------------------------------------------------------

def _decode_arcs(topo: dict) -> list[list[list[float]]]:
    transform = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            pts = []
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append([x * sx + tx, y * sy + ty])
        else:
            pts = [list(p) for p in arc]
        arcs.append(pts)
    return arcs


def _ring(indices, arcs):
    pts: list[list[float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(arc if not pts else arc[1:])
    return pts


def topo_features(topo: dict, obj: str) -> list[dict]:
    """Decode one TopoJSON object into GeoJSON features (Polygon / MultiPolygon only)."""
    arcs = _decode_arcs(topo)
    out = []
    for g in topo["objects"][obj]["geometries"]:
        if g.get("type") == "Polygon":
            polys = [g["arcs"]]
        elif g.get("type") == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue
        coords = []
        for poly in polys:
            rings = [r for r in (_ring(ix, arcs) for ix in poly) if len(r) >= 4]
            if rings:
                coords.append(rings)
        if not coords:
            continue
        geom = {"type": "MultiPolygon", "coordinates": coords}
        out.append({"type": "Feature", "id": str(g.get("id")), "properties": g.get("properties") or {},
                    "geometry": geom})
    return out


def neighbours(fc: dict, tolerance: float) -> list[tuple[str, str]]:
    """Pairs of features whose shapes touch (within ``tolerance`` degrees), each pair once."""
    from shapely.strtree import STRtree

    ids = [f["id"] for f in fc["features"]]
    shapes = [shape(f["geometry"]).buffer(0) for f in fc["features"]]
    tree = STRtree(shapes)
    pairs = set()
    for i, geom in enumerate(shapes):
        for j in tree.query(geom.buffer(tolerance), predicate="intersects"):
            if i < j:
                pairs.add((ids[i], ids[int(j)]))
    return sorted(pairs)
