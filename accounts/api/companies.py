"""/api/v1/companies/: the directory, a company's profile, its members, and the registry's
answer for a SIRET."""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bourse.core.text import validate_single_line, validate_text

from .. import permissions, queries, registry, services
from ..models import Company, Membership


class CompanyInputSerializer(serializers.Serializer):
    name = serializers.CharField(validators=[validate_single_line], max_length=200)
    siret = serializers.CharField(validators=[validate_single_line], max_length=20)
    address = serializers.CharField(validators=[validate_single_line], max_length=255)
    postal_code = serializers.CharField(validators=[validate_single_line], max_length=10)
    phone = serializers.CharField(
        validators=[validate_single_line], max_length=30, required=False, allow_blank=True
    )
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(
        validators=[validate_text], required=False, allow_blank=True, max_length=5000
    )
    naf_code = serializers.CharField(
        validators=[validate_single_line], max_length=6, required=False, allow_blank=True
    )


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    user = serializers.SerializerMethodField()
    role = serializers.CharField()
    joined_at = serializers.DateTimeField()

    def get_user(self, membership: Membership) -> dict:
        return {
            "id": membership.user_id,
            "name": membership.user.display_name,
            "email": membership.user.email,
        }


class CompanySerializer(serializers.ModelSerializer):
    """The public profile; contact details and members only for those allowed to see them."""

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "siret",
            "siren",
            "status",
            "naf_code",
            "description",
            "postal_code",
            "commune",
            "departement",
            "latitude",
            "longitude",
            "created_at",
        ]

    def to_representation(self, company: Company) -> dict:
        data = super().to_representation(company)
        request = self.context.get("request")
        user = request.user if request is not None else None
        if self.context.get("detail") and user is not None:
            data["contact_details_visible"] = permissions.can_see_contact_details(user, company)
            if data["contact_details_visible"]:
                data["address"] = company.address
                data["phone"] = company.phone
                data["website"] = company.website
            if permissions.can_see_members(user, company):
                # Members' names and e-mails: exactly where /members/ answers them.
                data["members"] = [
                    {"name": m.user.display_name, "email": m.user.email, "role": m.role}
                    for m in queries.company_members(company)
                ]
                data["status_reason"] = company.status_reason
                data["registry"] = registry.registry_summary(company)
        return data


class CompanyListSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "siren",
            "status",
            "naf_code",
            "postal_code",
            "commune",
            "departement",
            "latitude",
            "longitude",
            "member_count",
        ]


class CompanyListCreateView(ListAPIView):
    """Verified companies (public directory); POST declares the caller's company."""

    serializer_class = CompanyListSerializer
    permission_classes = [AllowAny]

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        qs = Company.objects.verified().annotate(member_count=Count("memberships"))
        departement = self.request.query_params.get("departement")
        if departement:
            qs = qs.filter(departement=departement)
        q = self.request.query_params.get("q")
        if q:
            qs = qs.filter(name__icontains=q.strip())
        return qs.order_by("name", "pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("departement", str, description="Code du département, ex. 69"),
            OpenApiParameter("q", str, description="Partie du nom"),
        ],
        summary="Verified companies",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CompanyInputSerializer, responses={201: CompanySerializer})
    def post(self, request):
        serializer = CompanyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = services.company_create(by=request.user, **serializer.validated_data)
        data = CompanySerializer(company, context={"request": request, "detail": True}).data
        return Response(data, status=status.HTTP_201_CREATED)


class CompanyDetailView(APIView):
    permission_classes = [AllowAny]

    def get_permissions(self):
        if self.request.method == "PATCH":
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_company(self, request, pk: int) -> Company:
        company = get_object_or_404(Company, pk=pk)
        permissions.check_can_view_company(request.user, company)
        return company

    @extend_schema(responses=CompanySerializer, summary="A company's profile")
    def get(self, request, pk: int):
        company = self.get_company(request, pk)
        return Response(
            CompanySerializer(company, context={"request": request, "detail": True}).data
        )

    @extend_schema(
        request=CompanyInputSerializer(partial=True),
        responses=CompanySerializer,
        summary="Edit the company (admins); a new name or SIRET needs a new verification",
    )
    def patch(self, request, pk: int):
        company = self.get_company(request, pk)
        permissions.check_company_admin(request.user, company)
        serializer = CompanyInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        company = services.company_update(
            company=company, by=request.user, **serializer.validated_data
        )
        return Response(
            CompanySerializer(company, context={"request": request, "detail": True}).data
        )


class CompanyMembersView(ListAPIView):
    serializer_class = MemberSerializer
    permission_classes = [IsAuthenticated]
    queryset = Membership.objects.none()  # for the schema; get_queryset() is the real one

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        company = get_object_or_404(Company, pk=self.kwargs["pk"])
        permissions.check_can_see_members(self.request.user, company)
        return queries.company_members(company)

    @extend_schema(summary="Members of a company (its members and moderators)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class CompanyMemberDetailView(APIView):
    permission_classes = [IsAuthenticated]

    def get_membership(self, request, pk: int, member_pk: int) -> Membership:
        company = get_object_or_404(Company, pk=pk)
        permissions.check_can_view_company(request.user, company)
        return get_object_or_404(
            Membership.objects.select_related("user", "company"), pk=member_pk, company=company
        )

    @extend_schema(request=RoleSerializer, responses=MemberSerializer, summary="Change a role")
    def patch(self, request, pk: int, member_pk: int):
        membership = self.get_membership(request, pk, member_pk)
        permissions.check_company_admin(request.user, membership.company)
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_set_role(
            membership=membership,
            role=serializer.validated_data["role"],
            by=request.user,
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(request=None, responses={204: None}, summary="Remove a member, or leave")
    def delete(self, request, pk: int, member_pk: int):
        membership = self.get_membership(request, pk, member_pk)
        permissions.check_can_remove_member(request.user, membership)
        services.membership_remove(membership=membership, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegistryAnswerSerializer(serializers.Serializer):
    siret = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    postal_code = serializers.CharField()
    commune = serializers.CharField()
    naf_code = serializers.CharField()
    active = serializers.BooleanField()
    created_on = serializers.CharField(allow_null=True)
    head_office = serializers.BooleanField()


class SiretLookupView(APIView):
    """What the public registry says about a SIRET, to pre-fill the declaration form."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: RegistryAnswerSerializer,
            400: inline_serializer("SiretError", {"siret": serializers.ListField()}),
            404: inline_serializer("SiretUnknown", {"detail": serializers.CharField()}),
            503: inline_serializer("RegistryUnreachable", {"detail": serializers.CharField()}),
        },
        summary="Look a SIRET up in the public company registry",
    )
    def get(self, request, siret: str):
        siret = services.clean_siret(value=siret)
        try:
            answer = registry.lookup(siret)
        except registry.Unreachable:
            return Response(
                {"detail": _("Le registre des entreprises est injoignable : saisissez à la main.")},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        if answer is None:
            raise Http404(_("Le registre ne connaît aucun établissement avec ce SIRET."))
        return Response(RegistryAnswerSerializer(answer.as_dict()).data)
