"""Distances on a sphere and the bounding boxes that let an index find points near another.

Pure functions, no database: the SQL side (bourse.geo.sql) writes the same formula.
"""

import math

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_boxes(
    lat: float, lon: float, radius_km: float
) -> list[tuple[float, float, float, float]]:
    """Boxes (min_lat, max_lat, min_lon, max_lon) that together contain the circle.

    Usually one box; two when the circle crosses the date line (±180°). Near a pole the box
    spans every longitude.
    """
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -90 or max_lat >= 90:
        return [(max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)]
    # Largest longitude spread at the latitude of the circle's edge nearest the pole.
    sin_ratio = math.sin(radius_km / EARTH_RADIUS_KM) / math.cos(math.radians(lat))
    if sin_ratio >= 1:
        return [(min_lat, max_lat, -180.0, 180.0)]
    dlon = math.degrees(math.asin(sin_ratio))
    min_lon, max_lon = lon - dlon, lon + dlon
    if min_lon < -180:
        return [(min_lat, max_lat, min_lon + 360, 180.0), (min_lat, max_lat, -180.0, max_lon)]
    if max_lon > 180:
        return [(min_lat, max_lat, min_lon, 180.0), (min_lat, max_lat, -180.0, max_lon - 360)]
    return [(min_lat, max_lat, min_lon, max_lon)]


def inner_box(
    lat: float, lon: float, radius_km: float, *, margin: float = 0.95
) -> tuple[float, float, float, float] | None:
    """A box (min_lat, max_lat, min_lon, max_lon) lying wholly inside the circle, or None.

    A radius search lets the rows of this box through without computing their distance: with
    it, about two thirds of a circle's rows skip the trigonometry. The box is the square
    inscribed in the circle shrunk by `margin`, its width taken at its widest latitude. On a
    lat/lon box the farthest points from the centre are its corners (the distance grows with
    the longitude gap on every parallel, and along a meridian edge the haversine term is
    convex), so checking the four corners proves the whole box. None near the poles or across
    the date line, where the bounding box alone is used.
    """
    half_km = radius_km * margin / math.sqrt(2)
    dlat = math.degrees(half_km / EARTH_RADIUS_KM)
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -80 or max_lat >= 80:
        return None
    widest = (
        1.0
        if min_lat <= 0 <= max_lat
        else max(math.cos(math.radians(min_lat)), math.cos(math.radians(max_lat)))
    )
    dlon = math.degrees(half_km / (EARTH_RADIUS_KM * widest))
    min_lon, max_lon = lon - dlon, lon + dlon
    if min_lon < -180 or max_lon > 180:
        return None
    corners = [(a, b) for a in (min_lat, max_lat) for b in (min_lon, max_lon)]
    if any(haversine_km(lat, lon, a, b) > radius_km * margin * 1.001 for a, b in corners):
        return None
    return (min_lat, max_lat, min_lon, max_lon)
