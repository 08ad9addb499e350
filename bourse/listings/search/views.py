"""Browsing and searching published listings: GET /api/v1/listings/ and the page /annonces/.

Both validate with params.parse_search_params and page through engine.ListingSearch (two of
them, pinned rows first, during a crisis of the search's area: pinning.listing_search), so the
API, the page and bench/search.py run the same queries. Neither ever shows contact details:
those are on a listing's detail, for members of verified companies only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from ..cards import detail_urls
from ..models import Kind
from ..serializers import ListingSerializer, listing_representation, moment_writer
from .options import category_options, departement_options, radius_options
from .params import (
    DEFAULT_RADIUS_KM,
    MAX_RADIUS_KM,
    MIN_RADIUS_KM,
    ORDERING_DISTANCE,
    ORDERING_RECENT,
    SearchParams,
    SearchParamsError,
    parse_float,
    parse_search_params,
)
from .pinning import listing_search

PAGE_SIZE = 20


class ListingSearchResultSerializer(ListingSerializer):
    """A listing as the API contract shapes it (docs/api.md), plus `distance_km` (km from the
    search point, 3 decimals) only when the search has a point."""

    distance_km = serializers.SerializerMethodField(
        help_text="Present only when near or lat/lon is given."
    )

    class Meta(ListingSerializer.Meta):
        fields = [*ListingSerializer.Meta.fields, "distance_km"]
        read_only_fields = fields

    def get_distance_km(self, listing) -> float | None:
        distance = getattr(listing, "distance_km", None)
        return round(distance, 3) if distance is not None else None

    def to_representation(self, listing):
        # The listing's fields written out (serializers.listing_representation), not walked
        # field by field: this is the search endpoint's hot path.
        # One writer of dates for the whole response: the listings share the root's context.
        moment = self.context.get("moment")
        if moment is None:
            moment = self.context["moment"] = moment_writer()
        data = listing_representation(listing, self.context.get("request"), moment)
        if self.context.get("with_distance"):
            data["distance_km"] = self.get_distance_km(listing)
        return data


class PaginatedListingSearchSerializer(serializers.Serializer):
    """The response of GET /api/v1/listings/, for the OpenAPI schema."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ListingSearchResultSerializer(many=True)


class ListingSearchPagination(PageNumberPagination):
    page_size = PAGE_SIZE


SEARCH_PARAMETERS = [
    OpenApiParameter("kind", str, enum=Kind.values, description="offer or need"),
    OpenApiParameter("category", str, description="Category slug; a parent includes children."),
    OpenApiParameter("q", str, description="Full text (French stemming, accents ignored)."),
    OpenApiParameter("near", str, description="A French postal code, the search centre."),
    OpenApiParameter("lat", OpenApiTypes.DOUBLE, description="Latitude of the centre (-90..90)."),
    OpenApiParameter("lon", OpenApiTypes.DOUBLE, description="Longitude (-180..180)."),
    OpenApiParameter(
        "radius_km", OpenApiTypes.DOUBLE, description="1 to 1000; 50 when a point is given."
    ),
    OpenApiParameter("company", int, description="Only this company's listings."),
    OpenApiParameter("departement", str, description="A département code (69, 2A, 974)."),
    OpenApiParameter(
        "ordering",
        str,
        enum=[ORDERING_DISTANCE, ORDERING_RECENT],
        description="Default -published_at; distance needs a point.",
    ),
    OpenApiParameter("page", int),
]


def search_listings_response(request, view) -> Response:
    """The body of GET /api/v1/listings/. The route belongs to api.ListingCollectionView (the
    same path takes POST, to create a listing), whose GET calls this. For everyone, anonymous
    callers included; schema parameters: SEARCH_PARAMETERS."""
    try:
        params = parse_search_params(request.query_params)
    except SearchParamsError as exc:
        raise serializers.ValidationError(exc.errors) from exc
    paginator = ListingSearchPagination()
    search = listing_search(params, company=_company(request))
    search.expect_page(_page_number(request.query_params), PAGE_SIZE)
    page = paginator.paginate_queryset(search, request, view=view)
    serializer = ListingSearchResultSerializer(
        page, many=True, context={"request": request, "with_distance": params.has_point}
    )
    return paginator.get_paginated_response(serializer.data)


def _page_number(query) -> int:
    """The page the paginator will be asked for (1 when the value is not a number: the page's
    paginator shows page 1, the API's answers 404, with no use for the hint)."""
    value = query.get("page") or "1"
    return int(value) if value.isascii() and value.isdigit() else 1


# --- The search page -------------------------------------------------------------------------

RADIUS_CHOICES = (10, 25, 50, 100, 200, 500)


def _company(request):
    """The searcher's company, if any: its place centres "around my company", its département
    is the search's area for crisis pins (pinning.search_area)."""
    user = request.user
    if not user.is_authenticated:
        return None
    membership = user.membership_or_none
    return membership.company if membership is not None else None


def _company_point(request) -> tuple[float, float] | None:
    company = _company(request)
    return (company.latitude, company.longitude) if company is not None else None


def map_config(**extra) -> dict:
    """What every map of the site needs (frontend/js/map-base.js): the tiles and their
    attribution, and the départements' outlines drawn under them (shipped with the project, so
    a map without network still shows France: docs/data.md)."""
    return {
        "tiles": settings.LEAFLET_CONFIG["TILES"],
        "attribution": settings.LEAFLET_CONFIG.get("ATTRIBUTION_PREFIX", ""),
        "outline": static("geo/departements.geojson"),
        "outline_attribution": _("Contours : IGN Admin Express, Licence Ouverte"),
        **extra,
    }


def search_form(request) -> tuple[SearchParams, dict, dict]:
    """The filters of the search page and of the map page: `(params, errors, context)`, the
    context holding what the form shows (what was typed, kept even when wrong)."""
    data = request.GET.copy()
    company_point = _company_point(request)
    around_company = data.get("around") == "company" and company_point is not None
    errors: dict[str, list[str]] = {}
    params = SearchParams()
    try:
        params = parse_search_params(data, point=company_point if around_company else None)
    except SearchParamsError as exc:
        errors = exc.errors

    # The radius select offers the usual values, plus the one asked for if another; a valid
    # radius is kept even when another field was wrong.
    radius = parse_float(data.get("radius_km", "")) or DEFAULT_RADIUS_KM
    if not MIN_RADIUS_KM <= radius <= MAX_RADIUS_KM:
        radius = DEFAULT_RADIUS_KM
    radius_choices = sorted({*RADIUS_CHOICES, radius})
    query_without_page = data.copy()
    query_without_page.pop("page", None)
    context = {
        "errors": errors,
        "error_messages": [m for messages in errors.values() for m in messages],
        "form": {
            "q": data.get("q", ""),
            "kind": data.get("kind", ""),
            "category": data.get("category", ""),
            "near": data.get("near", ""),
            "around": around_company,
            "radius_km": f"{radius:g}",
            "departement": data.get("departement", ""),
            "ordering": data.get("ordering", ""),
        },
        "params": params,
        "category_options": category_options(data.get("category", "")),
        "departement_options": departement_options(data.get("departement", "")),
        "radius_options": radius_options(radius_choices, f"{radius:g}"),
        "can_use_company": company_point is not None,
        "query_string": query_without_page.urlencode(),
    }
    return params, errors, context


def search_page(request):
    """/annonces/: the form (works without JavaScript, plain GET), the results as cards with
    pagination and on a map. Bad input is shown on the page; nothing typed is lost."""
    params, errors, context = search_form(request)
    page = None
    map_points: list[dict] = []
    if not errors:
        search = listing_search(params, company=_company(request))
        search.expect_page(_page_number(request.GET), PAGE_SIZE)
        page = Paginator(search, PAGE_SIZE).get_page(request.GET.get("page"))
        kinds = {kind: str(label) for kind, label in Kind.choices}
        listings = page.object_list
        for listing, url in zip(listings, detail_urls([row.pk for row in listings]), strict=True):
            map_points.append(
                {
                    "lat": listing.latitude,
                    "lon": listing.longitude,
                    "title": listing.title,
                    "kind": kinds[listing.kind],
                    "commune": listing.commune,
                    "url": url,
                }
            )
    context |= {
        "page": page,
        "map_points": map_points,
        "map_config": map_config(
            center=[params.lat, params.lon]
            if params.has_point
            else list(settings.LEAFLET_CONFIG["DEFAULT_CENTER"]),
            zoom=settings.LEAFLET_CONFIG["DEFAULT_ZOOM"],
            radius_km=params.radius_km if params.has_point else None,
            labels={"listings": _("annonces ici")},
        ),
    }
    return render(request, "listings/search.html", context)
