"""The append-only audit log and the territory's figures (JSON or CSV)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .. import exports
from ..models import AuditLogEntry
from ..permissions import (
    check_departement_param,
    scope_to_territory,
)
from ..queries import territory_stats
from .common import (
    AuditLogSerializer,
    CSVExportMixin,
    IsModerator,
    ModeratorAPIView,
    csv_response,
    wants_csv,
)

# --- Audit log and statistics ----------------------------------------------------------------


class AuditLogList(CSVExportMixin, ListAPIView):
    """The append-only log of the territory, newest first. Filters: action, target_type,
    target_id (e.g. the history of one company), departement. `?format=csv`: all of it (filters
    applied) as CSV."""

    permission_classes = [IsAuthenticated, IsModerator]
    serializer_class = AuditLogSerializer
    filter_backends: list = []

    def list(self, request, *args, **kwargs):
        if wants_csv(request):
            return csv_response(exports.log_rows(self.get_queryset()), "journal")
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("action", str),
            OpenApiParameter("target_type", str),
            OpenApiParameter("target_id", int),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        queryset = scope_to_territory(AuditLogEntry.objects.all(), self.request.user.moderator)
        params = self.request.query_params
        if params.get("departement"):
            queryset = queryset.filter(departement=params["departement"])
        for name in ("action", "target_type"):
            if params.get(name):
                queryset = queryset.filter(**{name: params[name]})
        if params.get("target_id", "").isdigit():
            queryset = queryset.filter(target_id=int(params["target_id"]))
        return queryset.order_by("-created_at", "-id")


class StatsQuerySerializer(serializers.Serializer):
    departement = serializers.CharField(required=False, allow_blank=True, max_length=3)
    since = serializers.DateField(required=False, allow_null=True)


class StatsView(CSVExportMixin, ModeratorAPIView):
    """The figures of the territory (or one département), from `since`; `?format=csv`: the same
    as CSV tables (summary, weekly, by category, by commune)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("departement", str),
            OpenApiParameter("since", OpenApiTypes.DATE),
        ],
        responses={
            404: OpenApiResponse(
                inline_serializer("StatsNotFound", {"detail": serializers.CharField()}),
                description="A département outside the caller's territory.",
            ),
            200: inline_serializer(
                "ModerationStats",
                {
                    "companies": serializers.DictField(child=serializers.IntegerField()),
                    "listings": serializers.DictField(child=serializers.IntegerField()),
                    "listings_by_category": serializers.DictField(child=serializers.IntegerField()),
                    "conversations": serializers.IntegerField(),
                    "messages": serializers.IntegerField(),
                    "fulfilled": serializers.IntegerField(),
                    "median_hours_to_first_contact": serializers.FloatField(allow_null=True),
                    "median_days_to_first_contact": serializers.FloatField(allow_null=True),
                    "needs": inline_serializer(
                        "NeedsAnswered",
                        {
                            "answered": serializers.IntegerField(),
                            "unanswered": serializers.IntegerField(),
                        },
                    ),
                    "deals": serializers.IntegerField(
                        help_text="Conversations reported 'yes' to the follow-up (first yes in the "
                        "period), plus listings marked fulfilled with none reported."
                    ),
                    "deals_reported": serializers.IntegerField(
                        help_text="Of which conversations reported 'yes'."
                    ),
                    "follow_ups": inline_serializer(
                        "DealFollowUps",
                        {
                            "asked": serializers.IntegerField(),
                            "yes": serializers.IntegerField(),
                            "no": serializers.IntegerField(),
                            "ongoing": serializers.IntegerField(),
                            "unanswered": serializers.IntegerField(),
                        },
                    ),
                    "weekly": inline_serializer(
                        "StatsWeek",
                        {
                            "week": serializers.CharField(help_text="ISO week, 2026-W48"),
                            "companies_verified": serializers.IntegerField(),
                            "offers": serializers.IntegerField(),
                            "needs": serializers.IntegerField(),
                            "conversations": serializers.IntegerField(),
                            "deals": serializers.IntegerField(),
                        },
                        many=True,
                    ),
                    "by_category": inline_serializer(
                        "StatsCategory",
                        {
                            "category": serializers.CharField(),
                            "offers": serializers.IntegerField(),
                            "needs": serializers.IntegerField(),
                        },
                        many=True,
                    ),
                    "by_commune": inline_serializer(
                        "StatsCommune",
                        {
                            "postal_code": serializers.CharField(),
                            "commune": serializers.CharField(),
                            "listings": serializers.IntegerField(),
                            "conversations": serializers.IntegerField(),
                        },
                        many=True,
                    ),
                    "suggestions": inline_serializer(
                        "SuggestionStats",
                        {
                            "dismissed": serializers.IntegerField(),
                            "contacted": serializers.IntegerField(),
                            "conversations": serializers.IntegerField(
                                help_text="Contacted suggestions that became a conversation."
                            ),
                        },
                    ),
                },
            ),
        },
    )
    def get(self, request):
        params = StatsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        departements = check_departement_param(
            self.moderator, params.validated_data.get("departement") or None
        )
        figures = territory_stats(
            departements=departements, since=params.validated_data.get("since")
        )
        if wants_csv(request):
            return csv_response(exports.stats_rows(figures), "statistiques")
        return Response(figures)
