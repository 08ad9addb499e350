"""What a search asks for: the query string of the API and the page, validated.

`parse_search_params` turns the query string into a `SearchParams` or raises `SearchParamsError`
naming each bad parameter in French (DRF's shape): the API answers it as a 400, the page shows
it above the results with what was typed kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from bourse.geo import data as geo

from ..models import Category, Kind

DEFAULT_RADIUS_KM = 50.0
MIN_RADIUS_KM = 1.0
MAX_RADIUS_KM = 1000.0
MAX_QUERY_LENGTH = 200
ORDERING_DISTANCE = "distance"
ORDERING_RECENT = "-published_at"
ORDERINGS = (ORDERING_DISTANCE, ORDERING_RECENT)
# Control characters (NUL among them: PostgreSQL refuses it in text), lone surrogates and bidi
# overrides have no place in a search: the parameter is refused by name, never passed on.
_JUNK = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


class SearchParamsError(Exception):
    """Invalid search input; `errors` has DRF's shape {"field": ["message", ...]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class SearchParams:
    kind: str = ""
    category: Category | None = None
    category_ids: tuple[int, ...] = ()
    q: str = ""
    lat: float | None = None
    lon: float | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    company_id: int | None = None
    departement: str = ""
    ordering: str = ORDERING_RECENT
    place: geo.Place | None = field(default=None, compare=False)

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


def _first(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value).strip() if value is not None else ""


def parse_float(raw: str) -> float | None:
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_search_params(
    data: Mapping[str, Any], *, point: tuple[float, float] | None = None
) -> SearchParams:
    """Validates the query string of a search (API or page). Raises SearchParamsError naming
    each bad field, in French. `point` is a position the caller already knows (the page's
    "around my company"), used when the request names none."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    def first(name: str) -> str:
        value = _first(data, name)
        if _JUNK.search(value):
            errors[name] = [_("Ce paramètre contient des caractères non autorisés.")]
            return ""
        return value

    kind = first("kind")
    if kind:
        if kind not in Kind.values:
            errors["kind"] = [_("Choisissez « offer » (offre) ou « need » (besoin).")]
        else:
            values["kind"] = kind

    slug = first("category")
    if slug:
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            errors["category"] = [_("Catégorie inconnue : « %(slug)s ».") % {"slug": slug}]
        else:
            # A parent category includes its children (two levels only).
            ids = [category.pk]
            if category.parent_id is None:
                ids += list(category.children.values_list("pk", flat=True))
            values["category"] = category
            values["category_ids"] = tuple(ids)

    q = first("q")
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = [
            _("Le texte recherché est trop long (%(max)d caractères au plus).")
            % {"max": MAX_QUERY_LENGTH}
        ]
    elif q:
        values["q"] = q

    near = first("near")
    raw_lat, raw_lon = first("lat"), first("lon")
    if near and (raw_lat or raw_lon):
        errors["near"] = [_("Indiquez soit un code postal, soit une latitude et une longitude.")]
    elif near:
        place = geo.lookup(near) if re.fullmatch(r"\d[0-9AB]\d{3}", near) else None
        if place is None:
            errors["near"] = [_("Code postal inconnu : « %(code)s ».") % {"code": near[:10]}]
        else:
            values.update(lat=place.latitude, lon=place.longitude, place=place)
    elif raw_lat or raw_lon:
        lat = parse_float(raw_lat) if raw_lat else None
        lon = parse_float(raw_lon) if raw_lon else None
        if not raw_lat:
            errors.setdefault("lat", [_("Indiquez aussi la latitude.")])
        elif lat is None or not -90 <= lat <= 90:
            errors["lat"] = [_("La latitude doit être un nombre entre -90 et 90.")]
        if not raw_lon:
            errors.setdefault("lon", [_("Indiquez aussi la longitude.")])
        elif lon is None or not -180 <= lon <= 180:
            errors["lon"] = [_("La longitude doit être un nombre entre -180 et 180.")]
        if "lat" not in errors and "lon" not in errors:
            values.update(lat=lat, lon=lon)
    elif point is not None:
        values.update(lat=float(point[0]), lon=float(point[1]))

    raw_radius = first("radius_km")
    if raw_radius:
        radius = parse_float(raw_radius)
        if radius is None or not MIN_RADIUS_KM <= radius <= MAX_RADIUS_KM:
            errors["radius_km"] = [_("Le rayon doit être un nombre de km entre 1 et 1000.")]
        else:
            values["radius_km"] = radius

    raw_company = first("company")
    if raw_company:
        if not raw_company.isdigit() or int(raw_company) <= 0 or len(raw_company) > 18:
            errors["company"] = [_("Identifiant d'entreprise invalide.")]
        else:
            values["company_id"] = int(raw_company)

    departement = first("departement").upper()
    if departement:
        if departement not in geo.departements():
            errors["departement"] = [
                _("Département inconnu : « %(code)s ».") % {"code": departement[:10]}
            ]
        else:
            values["departement"] = departement

    ordering = first("ordering")
    if ordering:
        if ordering not in ORDERINGS:
            errors["ordering"] = [_("Tri inconnu : choisissez « distance » ou « -published_at ».")]
        elif ordering == ORDERING_DISTANCE and "lat" not in values and "near" not in errors:
            errors["ordering"] = [
                _("Le tri par distance demande un lieu (code postal, ou latitude et longitude).")
            ]
        else:
            values["ordering"] = ordering

    if errors:
        raise SearchParamsError(errors)
    return SearchParams(**values)
