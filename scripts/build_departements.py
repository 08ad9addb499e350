#!/usr/bin/env python3
"""Build the outlines of France's départements shipped with the project, from open data.

The maps draw them under the tiles (so a map without network still shows France) and the
moderators' statistics draw them as SVG. Source: the "france-geojson" project (Grégoire David),
file `departements-avec-outre-mer.geojson` at a pinned commit, itself IGN's **Admin Express COG
2018** under the **Licence Ouverte / Open Licence (Etalab)** (docs/data.md). Its 101
départements (metropolitan and overseas) are simplified here to ~1 km (Douglas-Peucker on each
ring, coordinates on 0.01° steps, islands under ~2 km² dropped), so the whole of France weighs
~150 KB instead of 3.7 MB; at the zooms these outlines are shown (country to département) the
difference does not show. The output is committed, so nothing fetches it at run time:

    python3 scripts/build_departements.py                 # downloads the pinned source file
    python3 scripts/build_departements.py --source FILE   # or reads a copy of it
"""

import argparse
import json
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bourse.geo.outlines import OUTLINES_FILE as OUTPUT  # noqa: E402 -- after the path
from bourse.geo.outlines import simplify_ring  # noqa: E402

SOURCE_COMMIT = "5d34ee6d0140c29f785fdb047d9329f1aab58833"
SOURCE_URL = (
    "https://raw.githubusercontent.com/gregoiredavid/france-geojson/"
    f"{SOURCE_COMMIT}/departements-avec-outre-mer.geojson"
)
ATTRIBUTION = "Contours des départements : IGN Admin Express COG 2018, Licence Ouverte (Etalab)"
TOLERANCE = 0.01  # degrees, ~1 km
DECIMALS = 2
MIN_RING_AREA = 0.0002  # square degrees, ~2 km² in France


def area(ring: list) -> float:
    return abs(
        sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2
    )


def simplify(ring: list) -> list | None:
    rounded = []
    for x, y in simplify_ring([tuple(p) for p in ring], TOLERANCE):
        point = [round(x, DECIMALS), round(y, DECIMALS)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded if len(rounded) >= 4 else None


def simplify_feature(feature: dict) -> dict:
    geometry = feature["geometry"]
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    # The largest piece is always kept (a small département stays drawn), islands only when
    # they are large enough to see; holes are dropped (the few enclaves do not show at 1 km).
    largest = max(polygons, key=lambda polygon: area(polygon[0]))
    out = []
    for polygon in polygons:
        if polygon is not largest and area(polygon[0]) < MIN_RING_AREA:
            continue
        ring = simplify(polygon[0])
        if ring is not None:
            out.append([ring])
    return {
        "type": "Feature",
        "properties": {"code": feature["properties"]["code"], "nom": feature["properties"]["nom"]},
        "geometry": {"type": "MultiPolygon", "coordinates": out},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="a local copy of the source file (default: download)")
    args = parser.parse_args()
    if args.source:
        raw = Path(args.source).read_bytes()
    else:
        with urllib.request.urlopen(SOURCE_URL, timeout=60) as response:  # noqa: S310 -- pinned URL
            raw = response.read()
    source = json.loads(raw)
    features = sorted(
        (simplify_feature(f) for f in source["features"]), key=lambda f: f["properties"]["code"]
    )
    collection = {
        "type": "FeatureCollection",
        "attribution": ATTRIBUTION,
        "source": SOURCE_URL,
        "features": features,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n")
    points = sum(len(r) for f in features for p in f["geometry"]["coordinates"] for r in p)
    print(f"{len(features)} départements, {points} points, {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
