"""The départements' outlines shipped with the project (static/geo/departements.geojson).

The browser maps fetch the file as a static file and draw it under their tiles; the moderators'
statistics read it here to draw their territory as SVG. Where it comes from and how it is
simplified: docs/data.md and scripts/build_departements.py (which uses `douglas_peucker`).
Pure Python, no Django: the build script imports it too.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

OUTLINES_FILE = Path(__file__).resolve().parent / "static" / "geo" / "departements.geojson"

Point = tuple[float, float]  # (longitude, latitude), GeoJSON's order


@cache
def departement_outlines() -> dict[str, tuple[tuple[Point, ...], ...]]:
    """Code → the outer rings of the département's pieces (mainland and large islands)."""
    data = json.loads(OUTLINES_FILE.read_text(encoding="utf-8"))
    return {
        feature["properties"]["code"]: tuple(
            tuple((x, y) for x, y in polygon[0]) for polygon in feature["geometry"]["coordinates"]
        )
        for feature in data["features"]
    }


def _distance_to_line(point: Point, start: Point, end: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """The points of a line that Douglas-Peucker keeps at `tolerance` (in the points' unit).
    Iterative: a ring of the source data has thousands of points."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance_to_line(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_ring(ring: list[Point], tolerance: float) -> list[Point]:
    """A closed ring simplified in two halves (so its first point is not the only anchor)."""
    half = len(ring) // 2
    return douglas_peucker(ring[: half + 1], tolerance)[:-1] + douglas_peucker(
        ring[half:], tolerance
    )
