"""Reports of abuse: filed by verified members, decided by the territory's moderators."""

from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import check_verified_member

from .. import services
from ..models import Report
from ..permissions import (
    check_can_decide,
    territory_object_or_404,
)
from .common import (
    ModeratorAPIView,
    ReportCreateSerializer,
    ReportSerializer,
    ResolveSerializer,
    TerritoryList,
)

# --- Reports ---------------------------------------------------------------------------------


class ModerationReportList(TerritoryList):
    serializer_class = ReportSerializer
    queryset = Report.objects.select_related("reporter_company", "resolved_by")


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
