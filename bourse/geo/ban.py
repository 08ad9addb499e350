"""A street address placed on the map by the Base Adresse Nationale (BAN), when it answers.

The shipped postal-code table stays the default and the fallback: it places a company at its
commune's centre, offline. When the BAN can be reached (`GEOCODER_API_URL`, 50 calls per second
per address published), an address is placed at its house number or street instead — only when
the BAN's answer lies in the declared postal code and is sure enough of itself, so a typo never
moves a company to another town. Calls go through bourse.core.outside (timeout, cache, shared
rate limit, pause after a failure).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from bourse.core.outside import OutsideService, Unreachable

__all__ = ["Located", "Unreachable", "geocode"]

# Below this score (0 to 1) the BAN is guessing.
MIN_SCORE = 0.5
PRECISE_TYPES = {"housenumber", "street", "locality"}


@dataclass(frozen=True)
class Located:
    latitude: float
    longitude: float
    label: str
    score: float
    precision: str  # the BAN's type: housenumber, street or locality


def service() -> OutsideService:
    return OutsideService(
        name="geocoder",
        base_url=settings.GEOCODER_API_URL,
        timeout=settings.GEOCODER_TIMEOUT,
        per_second=settings.GEOCODER_RATE_PER_SECOND,
    )


def geocode(address: str, postal_code: str) -> Located | None:
    """The point of a street address in a postal code; None when the BAN has no sure answer.

    Raises Unreachable when the BAN cannot answer."""
    address = " ".join((address or "").split())
    if not address or not postal_code:
        return None
    status, body = service().get_json(
        "/search/", {"q": address, "postcode": postal_code, "limit": "1"}
    )
    if status != 200 or not isinstance(body, dict):
        return None
    for feature in body.get("features") or []:
        properties = feature.get("properties") or {}
        coordinates = (feature.get("geometry") or {}).get("coordinates") or []
        if (
            len(coordinates) == 2
            and properties.get("postcode") == postal_code
            and properties.get("type") in PRECISE_TYPES
            and float(properties.get("score") or 0) >= MIN_SCORE
        ):
            longitude, latitude = float(coordinates[0]), float(coordinates[1])
            return Located(
                latitude=latitude,
                longitude=longitude,
                label=str(properties.get("label") or ""),
                score=float(properties["score"]),
                precision=str(properties["type"]),
            )
    return None
