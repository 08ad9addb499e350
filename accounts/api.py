"""REST API of accounts: /api/v1/me/, companies, members, invitations (see docs/api.md).

Views check permissions (accounts.permissions), then call a service (accounts.services).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bourse.core.text import validate_single_line, validate_text

from . import permissions, queries, reauth, registry, services
from .models import Company, Invitation, Membership, User

# --- Serializers ---------------------------------------------------------------------------


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


class InvitationSerializer(serializers.ModelSerializer):
    invited_by = serializers.SerializerMethodField()
    company = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "email", "company", "invited_by", "created_at", "token"]

    def get_invited_by(self, invitation: Invitation) -> str | None:
        return invitation.invited_by.display_name if invitation.invited_by else None

    def get_company(self, invitation: Invitation) -> dict:
        return {"id": invitation.company_id, "name": invitation.company.name}

    def to_representation(self, invitation: Invitation) -> dict:
        data = super().to_representation(invitation)
        # The token is the invitee's key: shown to the invitee only, never to the inviting admin.
        if not self.context.get("show_token"):
            data.pop("token")
        return data


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    phone = serializers.CharField(help_text="E.164, e.g. +33612345678; empty when not given.")
    job_title = serializers.CharField()
    terms_accepted_at = serializers.SerializerMethodField(
        help_text="When the caller accepted the terms of use in force; null when they have not "
        "(the web pages then ask them; PATCH `terms_accepted: true` accepts)."
    )
    terms_version = serializers.CharField(help_text="The version accepted last ('' for none).")
    company = serializers.SerializerMethodField()
    is_moderator = serializers.SerializerMethodField()
    moderated_departements = serializers.SerializerMethodField()

    def get_company(self, user) -> dict | None:
        membership = user.membership_or_none
        if membership is None:
            return None
        company = membership.company
        return {
            "id": company.pk,
            "name": company.name,
            "status": company.status,
            "role": membership.role,
        }

    def get_terms_accepted_at(self, user) -> datetime | None:
        if not user.has_accepted_current_terms:
            return None
        return serializers.DateTimeField().to_representation(user.terms_accepted_at)

    def get_is_moderator(self, user) -> bool:
        return hasattr(user, "moderator")

    def get_moderated_departements(self, user) -> list[str]:
        return queries.moderated_departements(user)


class MeUpdateSerializer(serializers.Serializer):
    first_name = serializers.CharField(
        validators=[validate_single_line], max_length=150, required=False, allow_blank=True
    )
    last_name = serializers.CharField(
        validators=[validate_single_line], max_length=150, required=False, allow_blank=True
    )
    phone = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text="A French number in any usual form; stored and answered in E.164.",
    )
    job_title = serializers.CharField(
        validators=[validate_single_line], max_length=150, required=False, allow_blank=True
    )
    terms_accepted = serializers.BooleanField(
        required=False, help_text="`true` accepts the terms of use in force; `false` is refused."
    )

    def validate_terms_accepted(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _(
                    "Pour refuser les conditions d'utilisation, supprimez votre compte "
                    "(DELETE /api/v1/me/)."
                )
            )
        return value


class PreferencesSerializer(serializers.Serializer):
    match_emails = serializers.ChoiceField(choices=User.MatchEmails.choices, required=False)
    message_reminders = serializers.BooleanField(required=False)
    saved_search_digest = serializers.ChoiceField(
        choices=User.DigestFrequency.choices, required=False
    )
    language = serializers.ChoiceField(
        choices=User._meta.get_field("language").choices, required=False
    )


# --- Me ------------------------------------------------------------------------------------


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, summary="The caller's account")
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        request=MeUpdateSerializer,
        responses=MeSerializer,
        summary="Edit names, phone, job title; accept the terms of use",
    )
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        accept = changes.pop("terms_accepted", False)
        with transaction.atomic():
            user = services.user_update(user=request.user, **changes)
            if accept:
                user = services.terms_accept(user=user)
        return Response(MeSerializer(user).data)

    @extend_schema(
        request=None,
        responses={
            204: None,
            401: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description=(
                    "Not authenticated (`{detail}`), or the password must be given again: "
                    "allauth's reauthentication answer `{status, data: {user, methods, flows: "
                    "[{id: reauthenticate}]}, meta}`."
                ),
            ),
        },
        summary="Delete the caller's account",
        description=(
            "Asks for the password again: without a reauthentication in the last few minutes "
            "the answer is 401 with allauth's `reauthenticate` flow; send the password to "
            "`POST /_allauth/{app|browser}/v1/auth/reauthenticate`, then repeat this request. "
            "When the caller was the company's last member, its listings are withdrawn and the "
            "company leaves the exchange."
        ),
    )
    def delete(self, request):
        refusal = reauth.api_reauthentication_response(request)
        if refusal is not None:
            return refusal
        services.user_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MePreferencesView(APIView):
    """Which e-mails the caller gets, and the language they are written in."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PreferencesSerializer, summary="The caller's notification preferences")
    def get(self, request):
        return Response(PreferencesSerializer(request.user).data)

    @extend_schema(
        request=PreferencesSerializer,
        responses=PreferencesSerializer,
        summary="Change some notification preferences",
    )
    def patch(self, request):
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.preferences_update(user=request.user, **serializer.validated_data)
        return Response(PreferencesSerializer(user).data)


class MeExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer("PersonalData", {"user": serializers.DictField()}),
        summary="Every personal datum held about the caller (RGPD)",
    )
    def get(self, request):
        response = Response(queries.user_personal_data(request.user))
        response["Content-Disposition"] = 'attachment; filename="mes-donnees.json"'
        return response


# --- Companies -----------------------------------------------------------------------------


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


class CompanyInvitationsView(ListAPIView):
    serializer_class = InvitationSerializer
    permission_classes = [IsAuthenticated]
    queryset = Invitation.objects.none()  # for the schema; get_queryset() is the real one

    def get_company(self) -> Company:
        company = get_object_or_404(Company, pk=self.kwargs["pk"])
        permissions.check_can_view_company(self.request.user, company)
        permissions.check_company_admin(self.request.user, company)
        return company

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return (
            Invitation.objects.open()
            .filter(company=self.get_company())
            .select_related("company", "invited_by")
        )

    @extend_schema(summary="Open invitations of a company (admins)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=InvitationInputSerializer,
        responses={201: InvitationSerializer},
        summary="Invite a colleague by e-mail (admins)",
    )
    def post(self, request, pk: int):
        company = self.get_company()
        serializer = InvitationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            company=company,
            by=request.user,
            email=serializer.validated_data["email"],
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class CompanyInvitationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="Revoke an invitation (admins)")
    def delete(self, request, pk: int, invitation_pk: int):
        company = get_object_or_404(Company, pk=pk)
        permissions.check_can_view_company(request.user, company)
        permissions.check_company_admin(request.user, company)
        invitation = get_object_or_404(Invitation.objects.open(), pk=invitation_pk, company=company)
        services.invitation_revoke(invitation=invitation, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- The invitee's side --------------------------------------------------------------------


class MyInvitationsView(ListAPIView):
    serializer_class = InvitationSerializer
    permission_classes = [IsAuthenticated]
    queryset = Invitation.objects.none()  # for the schema; get_queryset() is the real one

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return queries.pending_invitations_for(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "show_token": True}

    @extend_schema(summary="Invitations waiting for the caller (to their verified e-mails)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InvitationAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=MeSerializer, summary="Accept an invitation")
    def post(self, request, token: str):
        invitation = get_object_or_404(Invitation, token=token)
        # An invitation addressed to someone else is not the caller's to know about.
        if invitation.email.lower() not in services.user_verified_emails(request.user):
            raise Http404
        services.invitation_accept(invitation=invitation, user=request.user)
        return Response(MeSerializer(User.objects.get(pk=request.user.pk)).data)


# --- The public company registry -------------------------------------------------------------


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
