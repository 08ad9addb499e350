"""Moderation API (/api/v1/moderation/...) and reports (/api/v1/reports/).

Moderators only (401 anonymous, 403 anyone else), scoped to their départements; an object outside
the territory is 404. In the audit log, `actor` is `{"id", "email"}`: the e-mail is kept when the
account is deleted (then `id` is null).
"""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Company
from accounts.permissions import check_verified_member, moderator_for
from bourse.core.errors import ServiceError
from bourse.core.text import validate_text
from bourse.listings import holds
from bourse.listings.models import Listing
from bourse.listings.serializers import ListingSerializer

from . import exports, services, unanswered
from .actions import COMPANY_ACTIONS, LISTING_ACTIONS
from .bulk import COMPANY_BULK_ACTIONS, LISTING_BULK_ACTIONS, MAX_IDS, bulk_moderate
from .models import AdvisorCall, AuditLogEntry, ModerationReason, Report
from .permissions import (
    check_can_decide,
    check_departement_param,
    check_not_own_company,
    scope_to_territory,
    territory_object_or_404,
)
from .queries import territory_stats
from .reasons import compose_reason, reasons_for


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


class ModerationCompanySerializer(serializers.ModelSerializer):
    members_count = serializers.IntegerField(read_only=True)

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


# --- Companies -------------------------------------------------------------------------------

STATUS_PARAM = OpenApiParameter("status", str, description="filter by status")
DEPARTEMENT_PARAM = OpenApiParameter("departement", str, description="filter by département")


class ModerationCompanyList(ListAPIView):
    """Companies of the territory, oldest first (the verification queue)."""

    permission_classes = [IsAuthenticated, IsModerator]
    serializer_class = ModerationCompanySerializer
    filter_backends: list = []

    @extend_schema(parameters=[STATUS_PARAM, DEPARTEMENT_PARAM])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        queryset = scope_to_territory(
            Company.objects.annotate(members_count=Count("memberships")),
            self.request.user.moderator,
        )
        params = self.request.query_params
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        if params.get("departement"):
            queryset = queryset.filter(departement=params["departement"])
        return queryset.order_by("created_at", "pk")


def run_action(request, service, needs_reason: bool, action: str, **target):
    """Call a moderation service on `target` for the requesting moderator, with the reason of
    the request body when the action needs one (a refusal is the API's 400, bourse.core.errors)."""
    kwargs = {**target, "by": request.user}
    if needs_reason:
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        (target_type,) = target
        kwargs["reason"] = payload.reason_for(target=target_type, action=action, required=True)
    return service(**kwargs)


class CompanyActionView(ModeratorAPIView):
    """verify / reinstate (no body)."""

    action_name = ""

    @extend_schema(request=None, responses=ModerationCompanySerializer)
    def post(self, request, pk: int):
        company = territory_object_or_404(Company.objects.all(), self.moderator, pk)
        check_not_own_company(request.user, company.pk)
        service, needs_reason = COMPANY_ACTIONS[self.action_name]
        company = run_action(request, service, needs_reason, self.action_name, company=company)
        company = Company.objects.annotate(members_count=Count("memberships")).get(pk=company.pk)
        return Response(ModerationCompanySerializer(company).data)


class CompanyReasonActionView(CompanyActionView):
    """reject / suspend: `{"reason"}` required."""

    @extend_schema(request=ReasonSerializer, responses=ModerationCompanySerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)


# --- Listings --------------------------------------------------------------------------------


def moderation_listings():
    return Listing.objects.select_related("company", "category").prefetch_related("photos")


class ModerationListingList(CSVExportMixin, ListAPIView):
    """Listings of the territory (listing.departement), oldest first; `?format=csv`: all of them
    (filters applied) as CSV."""

    permission_classes = [IsAuthenticated, IsModerator]
    serializer_class = ModerationListingSerializer
    filter_backends: list = []

    def list(self, request, *args, **kwargs):
        if wants_csv(request):
            return csv_response(exports.listing_rows(self.get_queryset()), "annonces")
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[STATUS_PARAM, DEPARTEMENT_PARAM])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        queryset = scope_to_territory(moderation_listings(), self.request.user.moderator)
        params = self.request.query_params
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        if params.get("departement"):
            queryset = queryset.filter(departement=params["departement"])
        return queryset.order_by("updated_at", "pk")


class ListingActionView(ModeratorAPIView):
    """approve (no body)."""

    action_name = ""

    @extend_schema(request=None, responses=ModerationListingSerializer)
    def post(self, request, pk: int):
        listing = territory_object_or_404(Listing.objects.all(), self.moderator, pk)
        check_not_own_company(request.user, listing.company_id)
        service, needs_reason = LISTING_ACTIONS[self.action_name]
        listing = run_action(request, service, needs_reason, self.action_name, listing=listing)
        listing = moderation_listings().get(pk=listing.pk)
        return Response(ModerationListingSerializer(listing, context={"request": request}).data)


class ListingReasonActionView(ListingActionView):
    """reject / hide: `{"reason"}` required."""

    @extend_schema(request=ReasonSerializer, responses=ModerationListingSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)


# --- Reports ---------------------------------------------------------------------------------


class ModerationReportList(ListAPIView):
    permission_classes = [IsAuthenticated, IsModerator]
    serializer_class = ReportSerializer
    filter_backends: list = []

    @extend_schema(parameters=[STATUS_PARAM, DEPARTEMENT_PARAM])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        queryset = scope_to_territory(
            Report.objects.select_related("reporter_company", "resolved_by"),
            self.request.user.moderator,
        )
        params = self.request.query_params
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        if params.get("departement"):
            queryset = queryset.filter(departement=params["departement"])
        return queryset.order_by("created_at", "pk")


class ReportResolveView(ModeratorAPIView):
    @extend_schema(request=ResolveSerializer, responses=ReportSerializer)
    def post(self, request, pk: int):
        report = territory_object_or_404(Report.objects.all(), self.moderator, pk)
        payload = ResolveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        check_can_decide(self.moderator, report, payload.validated_data["decision"])
        report = services.report_resolve(report=report, by=request.user, **payload.validated_data)
        report = Report.objects.select_related("reporter_company", "resolved_by").get(pk=report.pk)
        return Response(ReportSerializer(report).data)


class ReportCreateView(APIView):
    """Any member of a verified company reports a listing, a company or a message."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReportCreateSerializer, responses={201: ReportSerializer})
    def post(self, request):
        membership = check_verified_member(request.user)
        payload = ReportCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = services.report_create(
            reporter=request.user, reporter_company=membership.company, **payload.validated_data
        )
        return Response(
            {
                "id": report.pk,
                "target_type": report.target_type,
                "target_id": report.target_id,
                "reason": report.reason,
                "status": report.status,
                "created_at": serializers.DateTimeField().to_representation(report.created_at),
            },
            status=status.HTTP_201_CREATED,
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


def csv_response(rows, name: str) -> Response:
    return Response(rows, headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


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
        responses=inline_serializer(
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


# --- Common reasons and bulk actions ---------------------------------------------------------


class ModerationReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModerationReason
        fields = ["id", "text", "target", "action"]


class ReasonListView(ModeratorAPIView):
    """The common reasons staff keep, for one target and action (both optional filters)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("target", str, enum=["company", "listing"]),
            OpenApiParameter("action", str, enum=["reject", "suspend", "hide"]),
        ],
        responses={
            200: ModerationReasonSerializer(many=True),
            400: inline_serializer("ReasonFilterError", {"target": serializers.ListField()}),
        },
    )
    def get(self, request):
        params = request.query_params
        errors = {}
        target, action = params.get("target"), params.get("action")
        if target and target not in ModerationReason.Target.values:
            errors["target"] = [_("Choisissez company ou listing.")]
        if action and action not in ModerationReason.Action.values:
            errors["action"] = [_("Choisissez reject, suspend ou hide.")]
        if errors:
            raise ServiceError(errors)
        reasons = (
            reasons_for(target, action)
            if target
            else ModerationReason.objects.filter(
                active=True, **({"action": action} if action else {})
            )
        )
        return Response(ModerationReasonSerializer(reasons, many=True).data)


class BulkSerializer(ReasonSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=MAX_IDS
    )


class BulkResultSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.IntegerField())
    failed = serializers.DictField(child=serializers.CharField())


class BulkView(ModeratorAPIView):
    """One action on several objects of the territory; each one audited on its own."""

    target = ""
    actions: tuple[str, ...] = ()
    all_actions: dict = {}

    def post(self, request):
        payload = self.serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        action = payload.validated_data["action"]
        needs_reason = self.all_actions[action][1]
        reason = ""
        if needs_reason:
            reason = payload.reason_for(target=self.target, action=action, required=True)
        result = bulk_moderate(
            by=request.user,
            moderator=self.moderator,
            target=self.target,
            action=action,
            ids=payload.validated_data["ids"],
            reason=reason,
        )
        return Response(
            {"done": result.done, "failed": {str(pk): msg for pk, msg in result.failed.items()}}
        )


class CompanyBulkSerializer(BulkSerializer):
    action = serializers.ChoiceField(choices=COMPANY_BULK_ACTIONS)


class ListingBulkSerializer(BulkSerializer):
    action = serializers.ChoiceField(choices=LISTING_BULK_ACTIONS)


class CompanyBulkView(BulkView):
    target, actions, all_actions = "company", COMPANY_BULK_ACTIONS, COMPANY_ACTIONS
    serializer = CompanyBulkSerializer

    @extend_schema(request=CompanyBulkSerializer, responses=BulkResultSerializer)
    def post(self, request):
        return super().post(request)


class ListingBulkView(BulkView):
    target, actions, all_actions = "listing", LISTING_BULK_ACTIONS, LISTING_ACTIONS
    serializer = ListingBulkSerializer

    @extend_schema(request=ListingBulkSerializer, responses=BulkResultSerializer)
    def post(self, request):
        return super().post(request)


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
