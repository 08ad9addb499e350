"""Crisis mode: moderators open and close a territory's crisis; anyone reads the active ones."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from bourse.core.text import validate_single_line, validate_text
from bourse.geo import data as geo
from bourse.listings.models import Crisis

from .. import crises
from ..permissions import check_can_close_crisis, crisis_of_territory_or_404
from .common import ModeratorAPIView


class PublicCrisisSerializer(serializers.ModelSerializer):
    priority_categories = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="Category slugs."
    )

    class Meta:
        model = Crisis
        fields = [
            "id",
            "title",
            "message",
            "departements",
            "starts_at",
            "ends_at",
            "priority_categories",
        ]
        read_only_fields = fields


class CrisisSerializer(PublicCrisisSerializer):
    """A crisis as moderators see it: with its status, who opened it and when it closed."""

    status = serializers.ChoiceField(choices=Crisis.Status.choices, read_only=True)
    opened_by = serializers.EmailField(source="opened_by_email", read_only=True)

    class Meta(PublicCrisisSerializer.Meta):
        fields = [
            *PublicCrisisSerializer.Meta.fields,
            "status",
            "opened_by",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class CrisisCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, validators=[validate_single_line])
    message = serializers.CharField(max_length=2000, validators=[validate_text])
    departements = serializers.ListField(
        child=serializers.CharField(max_length=3), allow_empty=False, max_length=101
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    priority_categories = serializers.ListField(
        child=serializers.SlugField(max_length=60), required=False, default=list, max_length=50
    )


def _crisis_queryset():
    return Crisis.objects.prefetch_related("priority_categories")


class CrisisListCreateView(ModeratorAPIView):
    """GET: the crises touching the caller's territory (scheduled, active and past), newest
    first. POST: open one for départements of the territory (any for a national moderator);
    400 naming `departements` for one outside it. Audited."""

    @extend_schema(responses=CrisisSerializer(many=True))
    def get(self, request):
        moderator = self.moderator
        found = _crisis_queryset().order_by("-starts_at", "-id")
        found = found.touching(None if moderator.is_national else moderator.departements)
        return Response(CrisisSerializer(found, many=True).data)

    @extend_schema(request=CrisisCreateSerializer, responses={201: CrisisSerializer})
    def post(self, request):
        payload = CrisisCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        crisis = crises.crisis_open(
            by=request.user, moderator=self.moderator, **payload.validated_data
        )
        return Response(
            CrisisSerializer(_crisis_queryset().get(pk=crisis.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class CrisisCloseView(ModeratorAPIView):
    """Close a crisis now (its pins, delays and banner end at once). 404 outside the territory,
    403 when it also covers départements of another territory (a national moderator closes
    it), 400 when it is already over. Audited."""

    @extend_schema(request=None, responses={200: CrisisSerializer})
    def post(self, request, pk: int):
        crisis = crisis_of_territory_or_404(self.moderator, pk)
        check_can_close_crisis(self.moderator, crisis)
        crises.crisis_close(crisis=crisis, by=request.user)
        return Response(CrisisSerializer(_crisis_queryset().get(pk=crisis.pk)).data)


class ActiveCrisisQuerySerializer(serializers.Serializer):
    departement = serializers.CharField(required=False, allow_blank=True, max_length=3)

    def validate_departement(self, value: str) -> str:
        code = value.strip().upper()
        if code and code not in geo.departements():
            raise serializers.ValidationError(_("Département inconnu : %(code)s.") % {"code": code})
        return code


class ActiveCrisisList(APIView):
    """The crises active now covering `departement` (all active crises without it). Public:
    what the banner says is no secret."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("departement", str, description="a département code: 69")],
        responses=PublicCrisisSerializer(many=True),
    )
    def get(self, request):
        params = ActiveCrisisQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        departement = params.validated_data.get("departement") or None
        found = (
            _crisis_queryset()
            .active(timezone.now())
            .order_by("starts_at", "id")
            .touching([departement] if departement else None)
        )
        return Response(PublicCrisisSerializer(found, many=True).data)
