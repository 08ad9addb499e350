"""Postal code autocomplete, from the offline table (no network, no database)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import data

AUTOCOMPLETE_LIMIT = 20


class PlaceSerializer(serializers.Serializer):
    postal_code = serializers.CharField()
    commune = serializers.CharField()
    departement = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class PostalCodeAutocompleteView(APIView):
    permission_classes = [AllowAny]
    # Pure lookup in memory: no session, no token, so anonymous forms can use it cheaply.
    authentication_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, description="Début d'un code postal ou d'un nom de commune (sans : [])"
            )
        ],
        responses=PlaceSerializer(many=True),
        summary="Postal code autocomplete (at most 20, no pagination)",
    )
    def get(self, request):
        query = request.query_params.get("q", "")[:60]
        places = data.autocomplete(query, limit=AUTOCOMPLETE_LIMIT)
        return Response(PlaceSerializer(places, many=True).data)
