"""Matching API: a listing's suggestions (docs/api.md), dismissals, saved searches.

- GET  /api/v1/listings/{id}/matches/                      suggestions, best first, at most 20
- POST /api/v1/listings/{id}/matches/{other_id}/dismiss/   hide a suggestion for good (204)
- DELETE same path                                          show it again (204)
- GET/POST /api/v1/saved-searches/, GET/PATCH/DELETE /api/v1/saved-searches/{id}/
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bourse.core.text import validate_single_line
from bourse.geo import data as geo
from bourse.listings.models import Category, Kind, Listing
from bourse.listings.serializers import ListingSerializer

from . import permissions, services, suggestions
from .models import SavedSearch


# --- Suggestions ------------------------------------------------------------------------------
class MatchReasonsSerializer(serializers.Serializer):
    """The parts of the score, each in [0, 1] (bourse.matching.scoring.WEIGHTS weighs them):
    category (1 exact, 0.5 same parent), distance (1 at the same place, 0 at the larger of the
    two radii), availability (share of the need's window the offer covers), quantity (share of
    the need the offer covers; 0.5 when not comparable), text (similarity of titles and
    descriptions, synonyms of the trade's vocabulary included), and requirements: the factor
    the weighted parts are multiplied by (1 when every requirement the need states is met and
    nothing one listing excludes is in the other), and feedback: the factor of what the
    company dismissed (below 1 when it dismissed two or more suggestions of that category)."""

    category = serializers.FloatField(min_value=0, max_value=1)
    distance = serializers.FloatField(min_value=0, max_value=1)
    availability = serializers.FloatField(min_value=0, max_value=1)
    quantity = serializers.FloatField(min_value=0, max_value=1)
    text = serializers.FloatField(min_value=0, max_value=1)
    requirements = serializers.FloatField(min_value=0, max_value=1)
    feedback = serializers.FloatField(min_value=0, max_value=1)


class MatchSerializer(serializers.Serializer):
    listing = ListingSerializer()
    score = serializers.FloatField(min_value=0, max_value=1)
    distance_km = serializers.FloatField()
    reasons = MatchReasonsSerializer()


def _get_listing(pk: int) -> Listing:
    return get_object_or_404(Listing.objects.select_related("company", "category"), pk=pk)


class ListingMatchesView(APIView):
    """GET /api/v1/listings/{id}/matches/ (members of the owning company)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["matching"],
        summary="Suggested counterparts of a listing",
        description=(
            "Published listings of the opposite kind from other verified companies, in the "
            "same category or the same parent category, within the larger of the two radii; "
            "best score first, at most 20, not paginated. Listings the company dismissed are "
            "left out. `reasons` holds the five parts of the score, each in [0, 1], and the "
            "two factors the weighted parts are multiplied by (`requirements`, `feedback`)."
        ),
        responses={200: MatchSerializer(many=True)},
    )
    def get(self, request, pk: int):
        listing = _get_listing(pk)
        permissions.check_can_see_matches(request.user, listing)
        found = suggestions.suggestions_for(listing)
        payload = [
            {
                "listing": s.listing,
                "score": s.score,
                "distance_km": s.distance_km,
                "reasons": s.reasons(),
            }
            for s in found
        ]
        return Response(MatchSerializer(payload, many=True, context={"request": request}).data)


class DismissMatchView(APIView):
    """POST (hide) / DELETE (show again) /api/v1/listings/{id}/matches/{other_id}/dismiss/."""

    permission_classes = [IsAuthenticated]

    def _load(self, request, pk: int, other_id: int):
        listing = _get_listing(pk)
        suggested = _get_listing(other_id)
        membership = permissions.check_can_dismiss(request.user, listing, suggested)
        return membership, suggested

    @extend_schema(
        tags=["matching"],
        summary="Dismiss a suggestion",
        description="The suggested listing is no longer suggested to the caller's company.",
        request=None,
        responses={204: None},
    )
    def post(self, request, pk: int, other_id: int):
        membership, suggested = self._load(request, pk, other_id)
        services.suggestion_dismiss(company=membership.company, listing=suggested, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=["matching"], summary="Undo a dismissal", request=None, responses={204: None}
    )
    def delete(self, request, pk: int, other_id: int):
        membership, suggested = self._load(request, pk, other_id)
        services.suggestion_restore(company=membership.company, listing=suggested)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Saved searches ---------------------------------------------------------------------------
class SavedSearchSerializer(serializers.ModelSerializer):
    """A saved search. Give a place with `postal_code` (geocoded) or `latitude` + `longitude`;
    none means anywhere. `category` is a slug (a parent includes its children)."""

    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(), required=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, allow_blank=True)
    postal_code = serializers.CharField(
        validators=[validate_single_line], max_length=5, required=False, allow_blank=True
    )
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(
        min_value=-180, max_value=180, required=False, allow_null=True
    )
    radius_km = serializers.IntegerField(min_value=1, max_value=1000, required=False)

    class Meta:
        model = SavedSearch
        fields = [
            "id",
            "name",
            "q",
            "kind",
            "category",
            "postal_code",
            "latitude",
            "longitude",
            "radius_km",
            "created_at",
            "last_alerted_at",
        ]
        read_only_fields = ["id", "created_at", "last_alerted_at"]
        extra_kwargs = {
            "name": {"validators": [validate_single_line]},
            "q": {"validators": [validate_single_line]},
        }

    def validate(self, attrs):
        postal_code = attrs.get("postal_code")
        if postal_code:
            place = geo.lookup(postal_code)
            if place is None:
                raise serializers.ValidationError(
                    {
                        "postal_code": [
                            _("Code postal inconnu : « %(code)s ».") % {"code": postal_code[:10]}
                        ]
                    }
                )
            attrs["latitude"], attrs["longitude"] = place.latitude, place.longitude
        elif "latitude" in attrs or "longitude" in attrs:
            lat = attrs.get("latitude", getattr(self.instance, "latitude", None))
            lon = attrs.get("longitude", getattr(self.instance, "longitude", None))
            if (lat is None) != (lon is None):
                missing = "longitude" if lon is None else "latitude"
                raise serializers.ValidationError(
                    {missing: [_("Indiquez la latitude et la longitude, ou aucune des deux.")]}
                )
            if "postal_code" not in attrs:
                attrs["postal_code"] = ""
        elif "postal_code" in attrs:
            # An empty postal code and no coordinates: anywhere.
            attrs["latitude"] = attrs["longitude"] = None
        return attrs


class SavedSearchListView(generics.GenericAPIView):
    """GET (paginated) / POST /api/v1/saved-searches/ — the caller's company's saved searches."""

    permission_classes = [IsAuthenticated]
    serializer_class = SavedSearchSerializer
    queryset = SavedSearch.objects.none()

    @extend_schema(tags=["matching"], responses={200: SavedSearchSerializer(many=True)})
    def get(self, request):
        membership = permissions.check_can_use_saved_searches(request.user)
        qs = SavedSearch.objects.filter(company=membership.company).select_related("category")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(SavedSearchSerializer(page, many=True).data)

    @extend_schema(
        tags=["matching"], request=SavedSearchSerializer, responses={201: SavedSearchSerializer}
    )
    def post(self, request):
        membership = permissions.check_can_use_saved_searches(request.user)
        serializer = SavedSearchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        search = services.saved_search_create(
            company=membership.company,
            by=request.user,
            **serializer.validated_data,
        )
        return Response(SavedSearchSerializer(search).data, status=status.HTTP_201_CREATED)


class SavedSearchDetailView(APIView):
    """GET / PATCH / DELETE /api/v1/saved-searches/{id}/ (another company's: 404)."""

    permission_classes = [IsAuthenticated]

    def _load(self, request, pk: int) -> SavedSearch:
        search = get_object_or_404(SavedSearch.objects.select_related("category"), pk=pk)
        permissions.check_owns_saved_search(request.user, search)
        return search

    @extend_schema(tags=["matching"], responses={200: SavedSearchSerializer})
    def get(self, request, pk: int):
        return Response(SavedSearchSerializer(self._load(request, pk)).data)

    @extend_schema(
        tags=["matching"], request=SavedSearchSerializer, responses={200: SavedSearchSerializer}
    )
    def patch(self, request, pk: int):
        search = self._load(request, pk)
        serializer = SavedSearchSerializer(search, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        search = services.saved_search_update(saved_search=search, **serializer.validated_data)
        return Response(SavedSearchSerializer(search).data)

    @extend_schema(tags=["matching"], responses={204: None})
    def delete(self, request, pk: int):
        services.saved_search_delete(saved_search=self._load(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
