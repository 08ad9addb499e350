"""Shared by the moderation API: who may call it, CSV answers, the serializers."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Company
from accounts.permissions import moderator_for
from bourse.core.text import validate_text
from bourse.listings import holds
from bourse.listings.serializers import ListingSerializer

from .. import exports
from ..models import AuditLogEntry, Report
from ..permissions import scope_to_territory
from ..reasons import compose_reason


def wants_csv(request) -> bool:
    return getattr(request.accepted_renderer, "format", "") == "csv"


class CSVExportMixin:
    """JSON, or CSV with `?format=csv` (bourse.moderation.exports). A refusal or an error is
    always answered in JSON, as documented, even to a CSV request."""

    renderer_classes = [JSONRenderer, exports.CSVRenderer]

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class IsModerator(BasePermission):
    """401 when anonymous (DRF answers so for a failed check without credentials), else 403."""

    message = _("Réservé aux modérateurs.")

    def has_permission(self, request, view) -> bool:
        return moderator_for(request.user) is not None


class ModeratorAPIView(APIView):
    permission_classes = [IsAuthenticated, IsModerator]

    @property
    def moderator(self):
        return self.request.user.moderator


# --- Serializers -----------------------------------------------------------------------------


class ModerationCompanyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name", "status"]


class DeclarerSerializer(serializers.Serializer):
    """Who declared the company, for the moderator who checks it (null once their account is
    deleted). The phone as stored, E.164 ("+33612345678")."""

    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")
    email = serializers.EmailField()
    job_title = serializers.CharField()
    phone = serializers.CharField()


class ModerationCompanySerializer(serializers.ModelSerializer):
    members_count = serializers.IntegerField(read_only=True)
    declared_by = DeclarerSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "siret",
            "siren",
            "naf_code",
            "address",
            "postal_code",
            "commune",
            "departement",
            "phone",
            "website",
            "description",
            "status",
            "status_reason",
            "status_changed_at",
            "members_count",
            "declared_by",
            "created_at",
        ]


class HoldReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["watched_word", "email_in_title", "phone_in_title"])
    word = serializers.CharField(required=False, help_text="The watched word (watched_word).")
    detail = serializers.CharField(help_text="The reason in the reader's language.")


class ModerationListingSerializer(ListingSerializer):
    """The listing shape of the public API; the company as moderators need to see it, and why
    the listing was held for a moderator (`hold_reasons`, empty when nothing held it)."""

    company = ModerationCompanyRefSerializer(read_only=True)
    hold_reasons = serializers.SerializerMethodField()

    class Meta(ListingSerializer.Meta):
        fields = [*ListingSerializer.Meta.fields, "hold_reasons"]

    @extend_schema_field(HoldReasonSerializer(many=True))
    def get_hold_reasons(self, listing) -> list[dict]:
        reasons = listing.hold_reasons or []
        return [{**reason, "detail": holds.describe(reason)} for reason in reasons]


class ReportSerializer(serializers.ModelSerializer):
    reporter_company = serializers.SerializerMethodField()
    resolved_by = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "target_type",
            "target_id",
            "departement",
            "reason",
            "status",
            "decision",
            "note",
            "reporter_company",
            "resolved_by",
            "resolved_at",
            "created_at",
        ]

    def get_reporter_company(self, report) -> dict | None:
        company = report.reporter_company
        return {"id": company.pk, "name": company.name} if company else None

    def get_resolved_by(self, report) -> str | None:
        return report.resolved_by.email if report.resolved_by else None


class AuditLogSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AuditLogEntry
        fields = [
            "id",
            "actor",
            "action",
            "target_type",
            "target_id",
            "departement",
            "reason",
            "data",
            "created_at",
        ]

    @extend_schema_field(
        inline_serializer(
            "AuditLogActor",
            {"id": serializers.IntegerField(allow_null=True), "email": serializers.EmailField()},
        )
    )
    def get_actor(self, entry) -> dict:
        return {"id": entry.actor_id, "email": entry.actor_email}


class ReasonSerializer(serializers.Serializer):
    """A reason: one of the common reasons (`reason_id`, GET /moderation/reasons/), a free text
    (`reason`), or both; at least one where the action needs a reason."""

    reason_id = serializers.IntegerField(required=False, allow_null=True)
    reason = serializers.CharField(
        validators=[validate_text], max_length=2000, required=False, allow_blank=True
    )

    def reason_for(self, *, target: str, action: str, required: bool) -> str:
        return compose_reason(
            target=target,
            action=action,
            reason_id=self.validated_data.get("reason_id"),
            text=self.validated_data.get("reason", ""),
            required=required,
        )


class ResolveSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Report.Decision.values)
    note = serializers.CharField(
        validators=[validate_text], max_length=2000, required=False, allow_blank=True, default=""
    )


class ReportCreateSerializer(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=Report.TargetType.choices)
    target_id = serializers.IntegerField()
    reason = serializers.CharField(validators=[validate_text], max_length=2000)


STATUS_PARAM = OpenApiParameter("status", str, description="filter by status")
DEPARTEMENT_PARAM = OpenApiParameter("departement", str, description="filter by département")


def csv_response(rows, name: str) -> Response:
    return Response(rows, headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def territory_filters(queryset, params):
    """A moderation list's `?status=` and `?departement=` filters (the territory is already
    applied: a département outside it simply finds nothing)."""
    if params.get("status"):
        queryset = queryset.filter(status=params["status"])
    if params.get("departement"):
        queryset = queryset.filter(departement=params["departement"])
    return queryset


class TerritoryList(ListAPIView):
    """A moderation list: the view's `queryset` within the moderator's territory, filtered by
    `?status=` and `?departement=`, in `ordering` (oldest first: a queue)."""

    permission_classes = [IsAuthenticated, IsModerator]
    filter_backends: list = []
    ordering: tuple[str, ...] = ("created_at", "pk")

    @extend_schema(parameters=[STATUS_PARAM, DEPARTEMENT_PARAM])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        queryset = scope_to_territory(super().get_queryset(), self.request.user.moderator)
        return territory_filters(queryset, self.request.query_params).order_by(*self.ordering)
