"""The verification queues: companies and listings, one action or several at once, and the
common reasons moderators pick from."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Company
from bourse.core.errors import ServiceError
from bourse.listings.models import Listing

from .. import exports
from ..actions import COMPANY_ACTIONS, LISTING_ACTIONS
from ..bulk import COMPANY_BULK_ACTIONS, LISTING_BULK_ACTIONS, MAX_IDS, bulk_moderate
from ..models import ModerationReason
from ..permissions import (
    check_not_own_company,
    territory_object_or_404,
)
from ..reasons import reasons_for
from .common import (
    CSVExportMixin,
    ModerationCompanySerializer,
    ModerationListingSerializer,
    ModeratorAPIView,
    ReasonSerializer,
    TerritoryList,
    csv_response,
    wants_csv,
)

# --- Companies -------------------------------------------------------------------------------


class ModerationCompanyList(TerritoryList):
    """Companies of the territory, oldest first (the verification queue)."""

    serializer_class = ModerationCompanySerializer
    queryset = Company.objects.select_related("declared_by").annotate(
        members_count=Count("memberships")
    )


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
        company = ModerationCompanyList.queryset.get(pk=company.pk)
        return Response(ModerationCompanySerializer(company).data)


class CompanyReasonActionView(CompanyActionView):
    """reject / suspend: `{"reason"}` required."""

    @extend_schema(request=ReasonSerializer, responses=ModerationCompanySerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)


# --- Listings --------------------------------------------------------------------------------


def moderation_listings():
    return Listing.objects.select_related("company", "category").prefetch_related("photos")


class ModerationListingList(CSVExportMixin, TerritoryList):
    """Listings of the territory (listing.departement), oldest first; `?format=csv`: all of them
    (filters applied) as CSV."""

    serializer_class = ModerationListingSerializer
    queryset = moderation_listings()
    ordering = ("updated_at", "pk")

    def list(self, request, *args, **kwargs):
        if wants_csv(request):
            return csv_response(exports.listing_rows(self.get_queryset()), "annonces")
        return super().list(request, *args, **kwargs)


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
