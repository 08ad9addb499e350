"""Charts of the statistics page, drawn on the server as SVG (no script, no CDN): columns, and
the activity by commune over the territory's départements (bourse.geo.outlines).

Each chart scales to the width of its container (viewBox), so it reads on a phone; the page puts
the same figures in a table next to it for screen readers (the SVG is `aria-hidden`).
"""

import math
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from bourse.geo import data as geo
from bourse.geo.outlines import departement_outlines, simplify_ring

# Colours readable on white and told apart by people with the common colour blindnesses.
PALETTE = ["#0063cb", "#e4794a", "#18753c", "#a94645", "#6e445a"]
WIDTH = 400
HEIGHT = 160
TOP = 10
BOTTOM = 24
LEFT = 28


def grouped_columns(rows: list[dict], *, label: str, series: list[tuple[str, str]]) -> str:
    """Columns per row (`label` key names the x label), one colour per series `(key, title)`,
    with a legend. Returns safe SVG markup; an empty string when there is no row."""
    if not rows:
        return ""
    top = max((row[key] for row in rows for key, _title in series), default=0) or 1
    # A fixed drawing width (a phone's), the columns sharing it: text stays legible when the
    # chart shrinks to a phone's screen, whatever the number of weeks.
    width = WIDTH
    group_width = (width - LEFT - 8) / len(rows)
    bar = round(group_width * 0.8 / len(series), 2)
    plot = HEIGHT - TOP - BOTTOM
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" width="100%" '
            'preserveAspectRatio="xMinYMin meet" aria-hidden="true" focusable="false" '
            'xmlns="http://www.w3.org/2000/svg">',
            width,
            HEIGHT + 16 * ((len(series) + 2) // 3),
        ),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#929292" stroke-width="1"/>',
            LEFT,
            HEIGHT - BOTTOM,
            width,
            HEIGHT - BOTTOM,
        ),
        format_html('<text x="0" y="{}" font-size="9">{}</text>', TOP + 8, top),
        format_html('<text x="0" y="{}" font-size="9">0</text>', HEIGHT - BOTTOM),
    ]
    every = max(1, -(-len(rows) // 6))  # at most six x labels
    for i, row in enumerate(rows):
        x0 = round(LEFT + i * group_width + group_width * 0.1, 2)
        for j, (key, _title) in enumerate(series):
            h = round(plot * row[key] / top, 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    round(x0 + bar * j, 2),
                    HEIGHT - BOTTOM - h,
                    bar,
                    h,
                    PALETTE[j % len(PALETTE)],
                )
            )
        if i % every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="9">{}</text>',
                    x0,
                    HEIGHT - BOTTOM + 12,
                    _short(str(row[label])),
                )
            )
    for j, (_key, title) in enumerate(series):
        x, y = (j % 3) * 125 + LEFT, HEIGHT + 4 + 16 * (j // 3)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
                '<text x="{}" y="{}" font-size="10">{}</text>',
                x,
                y,
                PALETTE[j % len(PALETTE)],
                x + 14,
                y + 9,
                title,
            )
        )
    return format_html("{}" * len(parts) + "</svg>", *parts)


def _short(text: str) -> str:
    """An x label that fits under its group: "2026-W48" → "S48", long names cut."""
    if len(text) == 8 and text[4:6] == "-W":
        return "S" + text[6:]
    return text[:10]


# --- Activity by commune: the territory's départements and a circle per commune -------------

MAP_WIDTH = 400
MAP_MAX_HEIGHT = 440
MAP_MAX_RADIUS = 22
MAP_MIN_RADIUS = 3
MAP_LABELS = 3  # the busiest communes are named on the map


@dataclass(frozen=True)
class CommuneMap:
    svg: str  # safe markup, "" without any commune
    off_map: int  # communes outside the drawn frame (overseas, seen from the mainland)


@dataclass(frozen=True)
class _Frame:
    """An equirectangular projection of the territory's box onto the SVG's viewBox."""

    min_lon: float
    max_lat: float
    kx: float  # cos(latitude) at the box's middle: a degree of longitude is shorter
    scale: float
    width: float
    height: float

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.min_lon) * self.kx * self.scale, (self.max_lat - lat) * self.scale)

    def holds(self, x: float, y: float) -> bool:
        return 0 <= x <= self.width and 0 <= y <= self.height


def commune_map(places: list[dict], *, departements: list[str] | None) -> CommuneMap:
    """The communes of `places` (queries.activity_by_commune: postal_code, commune, listings,
    conversations) as circles whose area grows with their activity, over the outlines of the
    territory's départements (the whole mainland for `None`, a national moderator), its
    neighbours drawn lighter. Each circle has a <title> (hover); the page's table says the same
    for screen readers, so the SVG is hidden from them like the other charts."""
    if not places:
        return CommuneMap("", 0)
    codes = tuple(sorted(departements)) if departements is not None else None
    frame, background = _territory_drawing(codes)
    # One circle per commune centre: a city's postal codes (42000, 42100) share it.
    spots: dict[tuple, dict] = {}
    off_map = 0
    for place in places:
        located = geo.lookup(place["postal_code"], place["commune"])
        x, y = frame.project(located.longitude, located.latitude) if located else (-1, -1)
        if not frame.holds(x, y):
            off_map += 1
            continue
        spot = spots.setdefault(
            (place["commune"], round(x), round(y)),
            {"commune": place["commune"], "x": x, "y": y, "codes": [], "listings": 0, "talks": 0},
        )
        spot["codes"].append(place["postal_code"])
        spot["listings"] += place["listings"]
        spot["talks"] += place["conversations"]
    ranked = sorted(spots.values(), key=lambda spot: -(spot["listings"] + spot["talks"]))
    top = max((spot["listings"] + spot["talks"] for spot in ranked), default=0) or 1
    circles, labels, labelled = [], [], []
    for spot in ranked:
        x, y = spot["x"], spot["y"]
        radius = max(
            MAP_MIN_RADIUS, MAP_MAX_RADIUS * math.sqrt((spot["listings"] + spot["talks"]) / top)
        )
        title = _(
            "%(commune)s (%(code)s) : %(listings)d annonce(s), %(conversations)d conversation(s)"
        ) % {
            "commune": spot["commune"],
            "code": ", ".join(sorted(spot["codes"])),
            "listings": spot["listings"],
            "conversations": spot["talks"],
        }
        circles.append((radius, x, y, title))
        # The busiest are named, unless a name already written stands too close.
        label_y = y - radius - 3
        if len(labelled) < MAP_LABELS and all(
            abs(x - lx) > 90 or abs(label_y - ly) > 14 for lx, ly in labelled
        ):
            labelled.append((x, label_y))
            labels.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" font-weight="600" fill="#1b2430" '
                    'stroke="#fff" stroke-width="3" paint-order="stroke" text-anchor="middle">'
                    "{}</text>",
                    round(x, 1),
                    round(label_y, 1),
                    spot["commune"],
                )
            )
    # The largest first, so that a small commune beside a big one stays visible and hoverable.
    circles.sort(key=lambda circle: -circle[0])
    marks = [
        format_html(
            '<circle cx="{}" cy="{}" r="{}" fill="{}" fill-opacity="0.6" stroke="#fff" '
            'stroke-width="1"><title>{}</title></circle>',
            round(x, 1),
            round(y, 1),
            round(radius, 1),
            PALETTE[0],
            title,
        )
        for radius, x, y, title in circles
    ]
    svg = format_html(
        '<svg class="chart commune-map" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMidYMid meet" aria-hidden="true" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">{}{}{}</svg>',
        round(frame.width, 1),
        round(frame.height, 1),
        background,
        _joined(marks),
        _joined(labels),
    )
    return CommuneMap(svg, off_map)


@lru_cache(maxsize=64)
def _territory_drawing(codes: tuple[str, ...] | None) -> tuple[_Frame, str]:
    """The frame of a territory and its outlines as SVG paths (the same for every request)."""
    outlines = departement_outlines()
    wanted = [code for code in (codes or outlines) if code in outlines]
    # The mainland when a territory spans it and overseas départements (one frame cannot hold
    # both at a readable scale); their communes are counted as off the map.
    mainland = [code for code in wanted if not code.startswith("97")]
    framed = mainland or wanted or [code for code in outlines if not code.startswith("97")]
    points = [point for code in framed for ring in outlines[code] for point in ring]
    min_lon, max_lon = min(p[0] for p in points), max(p[0] for p in points)
    min_lat, max_lat = min(p[1] for p in points), max(p[1] for p in points)
    pad_lon, pad_lat = (max_lon - min_lon) * 0.04, (max_lat - min_lat) * 0.04
    min_lon, max_lon, min_lat, max_lat = (
        min_lon - pad_lon,
        max_lon + pad_lon,
        min_lat - pad_lat,
        max_lat + pad_lat,
    )
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = MAP_WIDTH / ((max_lon - min_lon) * kx)
    if (max_lat - min_lat) * scale > MAP_MAX_HEIGHT:
        scale = MAP_MAX_HEIGHT / (max_lat - min_lat)
    frame = _Frame(
        min_lon, max_lat, kx, scale, (max_lon - min_lon) * kx * scale, (max_lat - min_lat) * scale
    )
    territory = set(framed)
    paths = []
    for code, rings in sorted(outlines.items(), key=lambda item: item[0] in territory):
        projected = [[frame.project(lon, lat) for lon, lat in ring] for ring in rings]
        if not any(frame.holds(x, y) for ring in projected for x, y in ring):
            continue
        data = " ".join(
            "M" + " ".join(f"{x:.1f},{y:.1f}" for x, y in simplify_ring(ring, 0.6)) + "Z"
            for ring in projected
        )
        inside = code in territory
        paths.append(
            format_html(
                '<path d="{}" fill="{}" stroke="{}" stroke-width="{}"/>',
                data,
                "#f7f5ef" if inside else "#eef1f5",
                "#5b6470" if inside else "#c3c9d1",
                "0.8" if inside else "0.5",
            )
        )
    return frame, _joined(paths)


def _joined(parts: list[str]) -> str:
    """Safe markup parts (format_html's) one after the other."""
    return format_html_join("", "{}", ((part,) for part in parts))
