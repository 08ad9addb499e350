"""The map of every live listing matching a search: the page /annonces/carte/ and its data,
GET /api/v1/listings/map/ (points.py). Same filters as the search (params.py), validated the same
way: a 400 naming the parameter on the API, French messages above the map on the page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from .params import SearchParams, SearchParamsError, parse_search_params
from .points import CACHE_SECONDS, map_points
from .views import SEARCH_PARAMETERS, map_config, search_form

# The search's parameters without those of a list (the map shows every match, in no order).
MAP_PARAMETERS: list[OpenApiParameter] = [
    p for p in SEARCH_PARAMETERS if p.name not in ("page", "ordering")
]


class MapPointsSerializer(serializers.Serializer):
    """The response of GET /api/v1/listings/map/, for the OpenAPI schema (the view writes the
    cached JSON itself)."""

    count = serializers.IntegerField(help_text="Number of points sent.")
    truncated = serializers.BooleanField(
        help_text="True when more listings matched than were sent (the newest are sent)."
    )
    scale = serializers.IntegerField(help_text="Divide a point's coordinates by this (1000).")
    kinds = serializers.ListField(
        child=serializers.CharField(), help_text="The kinds, in the order of their index."
    )
    categories = serializers.DictField(
        child=serializers.CharField(), help_text="Category id (as a string) → slug."
    )
    points = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=5, max_length=5),
        help_text="[id, latitude, longitude, kind index, category id] per listing; "
        "coordinates in thousandths of a degree (see scale).",
    )


class MapPointsView(APIView):
    """GET /api/v1/listings/map/: every live listing matching the filters, compact."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=MAP_PARAMETERS,
        responses={200: MapPointsSerializer},
        description="Every published listing matching the search filters, for a map. Public.",
    )
    def get(self, request):
        data = request.query_params.copy()
        data.pop("ordering", None)
        try:
            params = parse_search_params(data)
        except SearchParamsError as exc:
            raise serializers.ValidationError(exc.errors) from exc
        response = HttpResponse(map_points(params), content_type="application/json")
        response["Cache-Control"] = f"public, max-age={min(CACHE_SECONDS, 60)}"
        return response


def filters_query(params: SearchParams, *, with_point: bool = True) -> str:
    """The query string of validated `params` (the page's "around my company" becomes its
    point), for the map's data; without the point for the list of one place."""
    query = {
        "q": params.q,
        "kind": params.kind,
        "category": params.category.slug if params.category else "",
        "departement": params.departement,
    }
    if params.has_point and with_point:
        query |= {"lat": params.lat, "lon": params.lon, "radius_km": f"{params.radius_km:g}"}
    if params.company_id is not None:
        query["company"] = params.company_id
    return urlencode({name: value for name, value in query.items() if value not in ("", None)})


def map_page(request):
    """/annonces/carte/: the search form, and every match on a map fed by MapPointsView.
    Without JavaScript the page says so and links to the list."""
    params, errors, context = search_form(request)
    points_url = None
    if not errors:
        points_url = f"{reverse('listing-map')}?{filters_query(params)}"
    context["map_config"] = map_config(
        points=points_url,
        center=[params.lat, params.lon]
        if params.has_point
        else list(settings.LEAFLET_CONFIG["DEFAULT_CENTER"]),
        zoom=settings.LEAFLET_CONFIG["DEFAULT_ZOOM"],
        radius_km=params.radius_km if params.has_point else None,
        frame=bool(params.departement),
        detail_api=reverse("listing-detail", args=[0]),
        detail_page=reverse("listings:detail", args=[0]),
        list=f"{reverse('listings:search')}?{filters_query(params, with_point=False)}",
        labels={
            "offer": _("Offre"),
            "need": _("Besoin"),
            "loading": _("Chargement des annonces…"),
            "count_one": _("1 annonce sur la carte"),
            "count_many": _("%(n)s annonces sur la carte"),
            "truncated": _("Les %(n)s plus récentes sont affichées."),
            "none": _("Aucune annonce ne correspond à ces filtres."),
            "failed": _("Les annonces n'ont pas pu être chargées. Réessayez plus tard."),
            "open": _("Voir l'annonce"),
            "cluster": _("annonces, zoomer pour les voir"),
            "place_many": _("%(n)s annonces à cet endroit"),
            "all_here": _("Voir les %(n)s annonces de cet endroit"),
        },
    )
    return render(request, "listings/map.html", context)
