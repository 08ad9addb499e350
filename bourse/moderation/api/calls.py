"""Unanswered listings: the advisors' call list."""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from bourse.core.text import validate_text
from bourse.listings.models import Listing

from .. import unanswered
from ..models import AdvisorCall
from ..permissions import (
    check_departement_param,
    territory_object_or_404,
)
from .common import (
    DEPARTEMENT_PARAM,
    IsModerator,
    ModerationListingSerializer,
    ModeratorAPIView,
)

# --- Unanswered listings: the advisors' call list --------------------------------------------


class AdvisorCallSerializer(serializers.ModelSerializer):
    by = serializers.EmailField(source="by_email", read_only=True)

    class Meta:
        model = AdvisorCall
        fields = ["by", "outcome", "note", "created_at"]


class AdvisorCallCreateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AdvisorCall.Outcome.choices)
    note = serializers.CharField(
        validators=[validate_text], max_length=2000, required=False, allow_blank=True, default=""
    )


class UnansweredContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class UnansweredEntrySerializer(serializers.Serializer):
    listing = ModerationListingSerializer()
    contact = UnansweredContactSerializer()
    calls = AdvisorCallSerializer(many=True)
    suggestions = serializers.SerializerMethodField()

    def get_suggestions(self, entry) -> list[int]:
        return [listing.pk for listing in entry.suggestions]


class UnansweredQuerySerializer(serializers.Serializer):
    departement = serializers.CharField(required=False, allow_blank=True, max_length=3)
    days = serializers.IntegerField(required=False, min_value=0, max_value=365)


class UnansweredList(ListAPIView):
    """Published listings of the territory nobody answered after `days` days (3 by default):
    needs first, oldest first, with whom to call, the calls made and the best counterparts."""

    permission_classes = [IsAuthenticated, IsModerator]
    serializer_class = UnansweredEntrySerializer
    filter_backends: list = []

    @extend_schema(
        parameters=[
            DEPARTEMENT_PARAM,
            OpenApiParameter("days", int, description="days without a conversation (3)"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = UnansweredQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        departements = check_departement_param(
            self.request.user.moderator, params.validated_data.get("departement") or None
        )
        days = params.validated_data.get("days")
        return unanswered.unanswered_listings(
            departements=departements, days=unanswered.after_days() if days is None else days
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return unanswered.entries(page) if page is not None else None


class AdvisorCallCreateView(ModeratorAPIView):
    """Record a call to the company of a listing of the territory (audited)."""

    @extend_schema(request=AdvisorCallCreateSerializer, responses={201: AdvisorCallSerializer})
    def post(self, request, pk: int):
        listing = territory_object_or_404(Listing.objects.all(), self.moderator, pk)
        payload = AdvisorCallCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        call = unanswered.call_record(listing=listing, by=request.user, **payload.validated_data)
        return Response(AdvisorCallSerializer(call).data, status=status.HTTP_201_CREATED)
